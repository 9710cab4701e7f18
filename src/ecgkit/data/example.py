"""The real ECG excerpt that ships inside the package.

The first 5 minutes of lead MLII (V5 in records 102 and 104, which have no MLII) of the
48 records of the MIT-BIH Arrhythmia Database, with all their reference annotations in that
span. Source: PhysioNet, MIT-BIH Arrhythmia
Database 1.0.0, Open Data Commons Attribution License v1.0; cite Moody and Mark (2001) and
Goldberger et al. (2000).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np

from ecgkit.data.records import Annotations, Record

__all__ = ["EXAMPLE_RECORDS", "load_example"]

_FILE = "mitdb_excerpt.npz"


@lru_cache(maxsize=1)
def _archive() -> dict[str, np.ndarray]:
    source = resources.files("ecgkit.data._bundled").joinpath(_FILE)
    with source.open("rb") as handle, np.load(handle, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


EXAMPLE_RECORDS: tuple[str, ...] = (
    "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "111", "112",
    "113", "114", "115", "116", "117", "118", "119", "121", "122", "123", "124", "200",
    "201", "202", "203", "205", "207", "208", "209", "210", "212", "213", "214", "215",
    "217", "219", "220", "221", "222", "223", "228", "230", "231", "232", "233", "234",
)  # fmt: skip


def load_example(record_id: str) -> tuple[Record, Annotations]:
    """Load one record of the bundled MIT-BIH excerpt.

    Parameters
    ----------
    record_id : str
        One of :data:`EXAMPLE_RECORDS` (``"100"`` ... ``"234"``).

    Returns
    -------
    record : Record
        5 minutes (108,000 samples at 360 Hz) of lead MLII (the first lead of 102 and
        104), in mV, float64,
        ``signal`` shaped ``[108000, 1]``.
    annotations : Annotations
        The reference annotations in that span (beats and non-beats).
    """
    if record_id not in EXAMPLE_RECORDS:
        raise ValueError(
            f"record_id must be one of the bundled MIT-BIH records {EXAMPLE_RECORDS[0]}..."
            f"{EXAMPLE_RECORDS[-1]}, got {record_id!r}"
        )
    data = _archive()
    # stored as int16 first differences of the ADC values (they compress 25 % better)
    adc = np.cumsum(data[f"{record_id}/delta"].astype(np.int64))
    gain = float(data[f"{record_id}/gain"])
    baseline = float(data[f"{record_id}/baseline"])
    fs = float(data["fs"])
    signal = ((adc - baseline) / gain).astype(np.float64)[:, None]
    record = Record(
        signal=signal,
        fs=fs,
        lead_names=(str(data[f"{record_id}/lead"]),),
        record_id=record_id,
    )
    annotations = Annotations(
        sample=data[f"{record_id}/ann_sample"].astype(np.int64),
        symbol=data[f"{record_id}/ann_symbol"].astype(str),
        aux_note=data[f"{record_id}/ann_aux"].astype(str),
        fs=fs,
    )
    return record, annotations
