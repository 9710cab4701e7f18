"""ECG records, annotations and the bundled MIT-BIH excerpt.

Only the module that defines torch Datasets imports torch; everything here works without it.
"""

from ecgkit.data.example import EXAMPLE_RECORDS, load_example
from ecgkit.data.labels import BEAT_SYMBOLS
from ecgkit.data.records import Annotations, Record, read_annotations, read_record

__all__ = [
    "BEAT_SYMBOLS",
    "EXAMPLE_RECORDS",
    "Annotations",
    "Record",
    "load_example",
    "read_annotations",
    "read_record",
]
