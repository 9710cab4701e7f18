"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import json
import os
import platform
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import wfdb

from ecgkit.data import BEAT_SYMBOLS

MITDB_RECORDS = [
    "100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "111", "112",
    "113", "114", "115", "116", "117", "118", "119", "121", "122", "123", "124", "200",
    "201", "202", "203", "205", "207", "208", "209", "210", "212", "213", "214", "215",
    "217", "219", "220", "221", "222", "223", "228", "230", "231", "232", "233", "234",
]  # fmt: skip


def default_data_dir() -> Path:
    env = os.environ.get("ECGKIT_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "mitdb"


def load_mitdb_record(data_dir: Path, record: str) -> tuple[np.ndarray, float, np.ndarray]:
    """Return (signal [n_leads, n_samples] in mV, fs in Hz, beat annotation samples)."""
    rec = wfdb.rdrecord(str(data_dir / record))
    ann = wfdb.rdann(str(data_dir / record), "atr")
    symbols = np.asarray(ann.symbol)
    is_beat = np.isin(symbols, list(BEAT_SYMBOLS))
    return np.asarray(rec.p_signal.T, dtype=np.float64), float(rec.fs), ann.sample[is_beat]


def environment() -> dict[str, Any]:
    import scipy

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON atomically (temp file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    ) as tmp:
        json.dump(payload, tmp, indent=2)
        tmp_name = tmp.name
    os.replace(tmp_name, path)
