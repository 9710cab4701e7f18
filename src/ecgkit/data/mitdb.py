"""The MIT-BIH Arrhythmia Database as a record source: records, leads, labels and patients."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from ecgkit._files import file_sha256
from ecgkit.data.example import EXAMPLE_RECORDS, _archive, load_example
from ecgkit.data.records import Annotations, Record, read_annotations, read_record

__all__ = ["MITBIH", "MITBIH_PATIENTS", "MITBIH_RECORDS", "PACED_RECORDS", "RecordSource"]

#: The 48 records of the MIT-BIH Arrhythmia Database.
MITBIH_RECORDS: tuple[str, ...] = EXAMPLE_RECORDS

#: Records of patients with a pacemaker; AAMI EC57 and de Chazal et al. (2004) leave them out.
PACED_RECORDS: tuple[str, ...] = ("102", "104", "107", "217")

#: Patient of each record. The database documents one patient with two records: 201 and 202
#: come from the same man, so both map to patient ``"201"``.
MITBIH_PATIENTS: dict[str, str] = {r: ("201" if r == "202" else r) for r in MITBIH_RECORDS}


@runtime_checkable
class RecordSource(Protocol):
    """Where records come from: anything that lists, loads and fingerprints records.

    :class:`MITBIH` is one; implement these four members to build beat datasets from any
    other collection.
    """

    @property
    def record_ids(self) -> tuple[str, ...]:
        """Identifiers of the records available."""
        ...

    def patient_of(self, record_id: str) -> str:
        """Patient identifier of a record (records of one patient share it)."""
        ...

    def load(self, record_id: str) -> tuple[Record, Annotations]:
        """The record's signal and its reference annotations."""
        ...

    def fingerprint(self, record_id: str) -> str:
        """A hash of the record's content, which changes whenever its files change."""
        ...


@dataclass(frozen=True)
class MITBIH:
    """The MIT-BIH Arrhythmia Database (Moody and Mark 2001, PhysioNet, ODC-By 1.0).

    Parameters
    ----------
    root : pathlib.Path or None
        Folder holding ``100.hea``, ``100.dat``, ``100.atr`` ... (e.g. from
        :func:`ecgkit.data.download`). None uses the excerpt bundled with ecgkit (the first
        5 minutes of lead MLII of every record, see :func:`~ecgkit.data.load_example`);
        :meth:`bundled` says the same thing by name.

    Notes
    -----
    48 half-hour two-lead records at 360 Hz from 47 patients: records 201 and 202 are the
    same patient (:data:`MITBIH_PATIENTS`). Lead MLII is the first lead of every record but
    114 (second) and the paced 102 and 104 (absent); select leads by name with
    ``BeatConfig(leads=("MLII",))``.

    Examples
    --------
    >>> db = MITBIH.bundled()
    >>> db.patient_of("202")
    '201'
    >>> record, annotations = db.load("100")
    >>> record.lead_names
    ('MLII',)
    """

    root: Path | None = None

    def __post_init__(self) -> None:
        if self.root is not None:
            root = Path(self.root)
            object.__setattr__(self, "root", root)
            if not root.is_dir():
                raise FileNotFoundError(f"MIT-BIH folder not found: {root}")
            missing = [r for r in MITBIH_RECORDS if not (root / f"{r}.hea").is_file()]
            if len(missing) == len(MITBIH_RECORDS):
                raise FileNotFoundError(
                    f"no MIT-BIH record headers (100.hea ...) in {root}; "
                    "use ecgkit.data.download('mitdb', root) to fetch them"
                )

    @classmethod
    def bundled(cls) -> MITBIH:
        """The excerpt that ships with ecgkit (no download needed)."""
        return cls(None)

    @property
    def is_bundled(self) -> bool:
        """True for the bundled 5-minute excerpt."""
        return self.root is None

    @property
    def record_ids(self) -> tuple[str, ...]:
        """Records present (all 48 for a complete copy), in database order."""
        if self.root is None:
            return MITBIH_RECORDS
        return tuple(r for r in MITBIH_RECORDS if (self.root / f"{r}.hea").is_file())

    def patient_of(self, record_id: str) -> str:
        """Patient of ``record_id``: the record itself, except ``"202"`` -> ``"201"``."""
        self._check(record_id)
        return MITBIH_PATIENTS[record_id]

    def load(self, record_id: str) -> tuple[Record, Annotations]:
        """Read the record (all leads, mV, float64) and its ``atr`` reference annotations."""
        self._check(record_id)
        if self.root is None:
            return load_example(record_id)
        base = self.root / record_id
        return read_record(base), read_annotations(base, "atr")

    def fingerprint(self, record_id: str) -> str:
        """SHA-256 of the record's header, signal and annotation files (or bundled arrays)."""
        self._check(record_id)
        digest = hashlib.sha256()
        if self.root is None:
            archive = _archive()
            for key in ("delta", "gain", "baseline", "lead", "ann_sample", "ann_symbol"):
                digest.update(archive[f"{record_id}/{key}"].tobytes())
        else:
            for suffix in (".hea", ".dat", ".atr"):
                digest.update(file_sha256(self.root / f"{record_id}{suffix}").encode())
        return digest.hexdigest()

    def _check(self, record_id: str) -> None:
        if record_id not in MITBIH_RECORDS:
            raise ValueError(
                f"record_id must be an MIT-BIH record (100 ... 234), got {record_id!r}"
            )
        if self.root is not None and not (self.root / f"{record_id}.hea").is_file():
            raise FileNotFoundError(f"record {record_id} not found in {self.root}")
