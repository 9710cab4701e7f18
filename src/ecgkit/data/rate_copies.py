"""Records beside copies of themselves at another heart rate, as one record source.

A model trained on one database's rates labels the same beats differently when the rhythm
is faster (docs/benchmarks.rst, "a faster rhythm"); training on copies of the training
records rebuilt faster (:func:`ecgkit.signal.rescale_rhythm`) is how
``benchmarks/select_rate_augment.py`` measures the remedy. :class:`RateCopies` is that
source: any :class:`~ecgkit.data.RecordSource` with, for chosen records, a copy named
``<record>@<scale>`` whose copies keep their record's patient, so that patient-wise splits
keep a copy with its original.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ecgkit.data.labels import BEAT_SYMBOLS
from ecgkit.data.mitdb import RecordSource
from ecgkit.data.records import Annotations, Record
from ecgkit.signal import FRIDERICIA_EXPONENT, rescale_rhythm, rescaled_peaks
from ecgkit.signal._validation import check_non_negative, check_positive

__all__ = ["COPY_MARK", "RateCopies"]

#: Separates a copy's record name from its scale: ``"101@0.700"``.
COPY_MARK = "@"


@dataclass(frozen=True)
class RateCopies:
    """Records and, for some, a copy at another heart rate (a RecordSource).

    ``base``'s records and, as ``<record>@<scale>``, a copy of each record in ``scales``
    with every RR interval times its scale.

    A copy is :func:`ecgkit.signal.rescale_rhythm` of its record at the record's beat
    annotations (the beats of :data:`~ecgkit.data.BEAT_SYMBOLS`), the ST-T stretched by
    ``scale ** qt_exponent``. Its annotations are those beats at their moved positions
    (:func:`ecgkit.signal.rescaled_peaks`) with their symbols; rhythm and other
    annotations are left out, since their times do not move with the beats.

    Parameters
    ----------
    base : RecordSource
        Where the records come from.
    scales : mapping of str to float
        Record identifier of ``base`` to its copy's scale, > 0 (under 1: faster); the
        copy is made at the scale its name gives, to 3 decimals.
    qt_exponent : float
        >= 0; :data:`~ecgkit.signal.FRIDERICIA_EXPONENT` by default, as a heart's QT
        follows its rate.

    Raises
    ------
    ValueError
        If a record of ``scales`` is not one of ``base``'s or holds ``COPY_MARK``, or a
        scale or ``qt_exponent`` is not finite and in range.
    TypeError
        If a scale or ``qt_exponent`` is not a real number.

    Examples
    --------
    >>> from ecgkit.data import MITBIH, RateCopies
    >>> source = RateCopies.drawn(MITBIH(), ["100", "101"], scale_range=(0.5, 0.9), seed=0)
    >>> source.record_ids[-2:]
    ('100@0.755', '101@0.608')
    >>> source.patient_of("101@0.608")
    '101'
    """

    base: RecordSource
    scales: Mapping[str, float]
    qt_exponent: float = FRIDERICIA_EXPONENT

    def __post_init__(self) -> None:
        known = set(self.base.record_ids)
        for record_id, scale in self.scales.items():
            if record_id not in known or COPY_MARK in record_id:
                raise ValueError(
                    f"scales names {record_id!r}, which is not a record of base "
                    f"(or holds {COPY_MARK!r})"
                )
            check_positive(scale, f"scales[{record_id!r}]", unit="(a ratio)")
        check_non_negative(self.qt_exponent, "qt_exponent", unit="(an exponent)")

    @classmethod
    def drawn(
        cls,
        base: RecordSource,
        record_ids: Iterable[str],
        *,
        scale_range: tuple[float, float],
        seed: int,
        qt_exponent: float = FRIDERICIA_EXPONENT,
    ) -> RateCopies:
        """A copy of each of ``record_ids`` at a scale drawn from ``scale_range``.

        Uniform, in the order given, by ``numpy.random.default_rng(seed)``: the same
        copies for the same records and seed.
        """
        low, high = (check_positive(v, "scale_range", unit="(a ratio)") for v in scale_range)
        if low > high:
            raise ValueError(f"scale_range must be (low, high) with low <= high, got {scale_range}")
        rng = np.random.default_rng(seed)
        scales = {record_id: float(rng.uniform(low, high)) for record_id in record_ids}
        return cls(base, scales, qt_exponent)

    @property
    def record_ids(self) -> tuple[str, ...]:
        """``base``'s records, then the copies in the order of ``scales``."""
        return tuple(self.base.record_ids) + tuple(self.copy_of(r) for r in self.scales)

    def copy_of(self, record_id: str) -> str:
        """The name of ``record_id``'s copy: ``<record>@<scale to 3 decimals>``."""
        return f"{record_id}{COPY_MARK}{self.scales[record_id]:.3f}"

    @staticmethod
    def original_of(record_id: str) -> str:
        """The record a copy was made from (a record of ``base``: itself)."""
        return record_id.split(COPY_MARK)[0]

    def patient_of(self, record_id: str) -> str:
        """The patient of the record, or of the record a copy was made from."""
        return self.base.patient_of(self.original_of(record_id))

    def fingerprint(self, record_id: str) -> str:
        """The original's fingerprint and, for a copy, its name and rebuild."""
        original = self.original_of(record_id)
        if original == record_id:
            return self.base.fingerprint(record_id)
        # "faster-v2": the name the rebuild's cached beats were first built under
        return f"{self.base.fingerprint(original)}{record_id}@faster-v2-{self.qt_exponent:.6f}"

    def load(self, record_id: str) -> tuple[Record, Annotations]:
        """The record, or the copy rebuilt from its record and beat annotations."""
        original, _, scale = record_id.partition(COPY_MARK)
        record, annotations = self.base.load(original)
        if not scale:
            return record, annotations
        if original not in self.scales or record_id != self.copy_of(original):
            raise KeyError(f"{record_id!r} is not a copy this source makes")
        beats = annotations.select(BEAT_SYMBOLS)
        factor = float(scale)  # the scale as the name gives it, to 3 decimals
        signal = rescale_rhythm(
            record.signal, record.fs, beats.sample, factor, qt_exponent=self.qt_exponent, axis=0
        )
        moved = Annotations(
            rescaled_peaks(beats.sample, factor),
            beats.symbol,
            np.full(len(beats.sample), "", dtype=beats.aux_note.dtype),
            beats.fs,
        )
        return Record(signal, record.fs, record.lead_names, record_id), moved
