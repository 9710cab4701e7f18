"""Build ``src/ecgkit/data/_bundled/mitdb_excerpt.npz`` from a local MIT-BIH copy.

    python tools/make_excerpt.py --data-dir ../shared/data/mitdb

Keeps the first 5 minutes of lead MLII (the first lead where a record has no MLII: 102 and
104) of each record and its annotations, as int16
first differences of the ADC values (exactly invertible), so the file stays ~3.6 MB.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import wfdb

from ecgkit._files import atomic_write
from ecgkit.data.example import EXAMPLE_RECORDS

MINUTES = 5


def main() -> None:
    """Write the excerpt archive."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "src/ecgkit/data/_bundled/mitdb_excerpt.npz",
    )
    args = parser.parse_args()
    arrays: dict[str, np.ndarray] = {"records": np.array(EXAMPLE_RECORDS), "fs": np.array(360.0)}
    for record in EXAMPLE_RECORDS:
        base = str(args.data_dir / record)
        n = MINUTES * 60 * 360
        names = wfdb.rdheader(base).sig_name
        lead = names.index("MLII") if "MLII" in names else 0
        rec = wfdb.rdrecord(base, sampto=n, channels=[lead], physical=False)
        assert rec.fs == 360
        adc = rec.d_signal[:, 0].astype(np.int64)
        delta = np.diff(adc, prepend=0)
        assert np.abs(delta).max() < 2**15
        ann = wfdb.rdann(base, "atr", sampto=n - 1)
        arrays[f"{record}/delta"] = delta.astype(np.int16)
        arrays[f"{record}/gain"] = np.array(rec.adc_gain[0])
        arrays[f"{record}/baseline"] = np.array(rec.baseline[0])
        arrays[f"{record}/lead"] = np.array(rec.sig_name[0])
        arrays[f"{record}/ann_sample"] = np.asarray(ann.sample, dtype=np.int32)
        arrays[f"{record}/ann_symbol"] = np.asarray(ann.symbol, dtype=str)
        aux = [a.rstrip("\x00") for a in (ann.aux_note or [""] * len(ann.sample))]
        arrays[f"{record}/ann_aux"] = np.asarray(aux, dtype=str)
    with atomic_write(args.out) as handle:
        np.savez_compressed(handle, **arrays)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
