"""ECG records, AAMI beat labels, leak-proof patient-wise splits and torch datasets.

Everything here works without torch except :class:`ArrayDataset` and :class:`BeatDataset`,
which are imported (with torch) on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ecgkit.data.beats import (
    RELATIVE_RR_FEATURES,
    RR_FEATURES,
    BeatConfig,
    BeatSet,
    BuildReport,
    build_beats,
)
from ecgkit.data.download import DATABASES, PHYSIONET_URL, DownloadResult, download
from ecgkit.data.example import EXAMPLE_RECORDS, load_example
from ecgkit.data.labels import (
    AAMI_CLASSES,
    AAMI_MAPPING,
    BEAT_SYMBOLS,
    MITBIH_SYMBOLS,
    NOT_LABELLED,
    LabelMapping,
    map_symbols,
)
from ecgkit.data.mitdb import MITBIH, MITBIH_PATIENTS, MITBIH_RECORDS, PACED_RECORDS, RecordSource
from ecgkit.data.rate_copies import COPY_MARK, RateCopies
from ecgkit.data.readers import read_signal
from ecgkit.data.records import Annotations, Record, read_annotations, read_record
from ecgkit.data.splits import (
    DS1_RECORDS,
    DS2_RECORDS,
    PatientKFold,
    PatientLeakError,
    RecordSplit,
    check_patient_disjoint,
    inter_patient_split,
    intra_patient_split,
    patient_train_val_split,
)
from ecgkit.data.template import record_templates, template_beat, with_template_residual

if TYPE_CHECKING:
    from ecgkit.data.datasets import ArrayDataset, BeatDataset

__all__ = [
    "AAMI_CLASSES",
    "AAMI_MAPPING",
    "BEAT_SYMBOLS",
    "COPY_MARK",
    "DATABASES",
    "DS1_RECORDS",
    "DS2_RECORDS",
    "EXAMPLE_RECORDS",
    "MITBIH",
    "MITBIH_PATIENTS",
    "MITBIH_RECORDS",
    "MITBIH_SYMBOLS",
    "NOT_LABELLED",
    "PACED_RECORDS",
    "PHYSIONET_URL",
    "RELATIVE_RR_FEATURES",
    "RR_FEATURES",
    "Annotations",
    "ArrayDataset",
    "BeatConfig",
    "BeatDataset",
    "BeatSet",
    "BuildReport",
    "DownloadResult",
    "LabelMapping",
    "PatientKFold",
    "PatientLeakError",
    "RateCopies",
    "Record",
    "RecordSource",
    "RecordSplit",
    "build_beats",
    "check_patient_disjoint",
    "download",
    "inter_patient_split",
    "intra_patient_split",
    "load_example",
    "map_symbols",
    "patient_train_val_split",
    "read_annotations",
    "read_record",
    "read_signal",
    "record_templates",
    "template_beat",
    "with_template_residual",
]

_TORCH_NAMES = {"ArrayDataset", "BeatDataset"}


def __getattr__(name: str) -> Any:
    # the torch datasets load torch; keep `import ecgkit.data` light until they are used
    if name in _TORCH_NAMES:
        import ecgkit._torch  # noqa: F401  (one clear line when torch is missing)
        from ecgkit.data import datasets

        return getattr(datasets, name)
    raise AttributeError(f"module 'ecgkit.data' has no attribute {name!r}")
