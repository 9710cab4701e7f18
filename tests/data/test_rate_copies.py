"""ecgkit.data.RateCopies: records beside copies of themselves at another heart rate."""

from __future__ import annotations

import numpy as np
import pytest

from ecgkit.data import (
    BEAT_SYMBOLS,
    COPY_MARK,
    MITBIH,
    BeatConfig,
    PatientKFold,
    RateCopies,
    build_beats,
)
from ecgkit.signal import FRIDERICIA_EXPONENT, rescale_rhythm, rescaled_peaks

BUNDLED = MITBIH()  # the 5-minute excerpts shipped with ecgkit


def test_a_copy_is_its_record_rebuilt_at_its_beats() -> None:
    source = RateCopies(BUNDLED, {"201": 0.7})
    record, annotations = BUNDLED.load("201")
    copy, moved = source.load("201@0.700")
    beats = annotations.select(BEAT_SYMBOLS)
    assert len(beats.sample) < len(annotations.sample)  # the rhythm notes are left out
    assert np.array_equal(moved.sample, rescaled_peaks(beats.sample, 0.7))
    assert np.array_equal(moved.symbol, beats.symbol)
    assert set(moved.aux_note.tolist()) == {""}
    expected = rescale_rhythm(
        record.signal, record.fs, beats.sample, 0.7, qt_exponent=FRIDERICIA_EXPONENT, axis=0
    )
    assert np.array_equal(copy.signal, expected)
    assert (copy.fs, copy.lead_names, copy.record_id) == (record.fs, record.lead_names, "201@0.700")
    assert moved.fs == annotations.fs


def test_records_stay_as_they_are_and_copies_follow_them() -> None:
    source = RateCopies(BUNDLED, {"100": 0.8, "202": 0.55})
    assert source.record_ids == (*BUNDLED.record_ids, "100@0.800", "202@0.550")
    record, annotations = source.load("100")
    original, reference = BUNDLED.load("100")
    assert np.array_equal(record.signal, original.signal)
    assert np.array_equal(annotations.sample, reference.sample)
    assert source.fingerprint("100") == BUNDLED.fingerprint("100")
    # 201 and 202 are one patient: a copy keeps its record's patient
    assert source.patient_of("202@0.550") == BUNDLED.patient_of("202") == BUNDLED.patient_of("201")
    assert RateCopies.original_of("202@0.550") == "202"


def test_fingerprints_tell_copies_apart() -> None:
    one = RateCopies(BUNDLED, {"100": 0.8})
    other_scale = RateCopies(BUNDLED, {"100": 0.6})
    other_qt = RateCopies(BUNDLED, {"100": 0.8}, qt_exponent=0.0)
    prints = {
        one.fingerprint("100"),
        one.fingerprint("100@0.800"),
        other_scale.fingerprint("100@0.600"),
        other_qt.fingerprint("100@0.800"),
    }
    assert len(prints) == 4


def test_drawn_copies_are_the_same_for_the_same_seed() -> None:
    records = ["100", "101", "105"]
    first = RateCopies.drawn(BUNDLED, records, scale_range=(0.5, 0.9), seed=3)
    again = RateCopies.drawn(BUNDLED, records, scale_range=(0.5, 0.9), seed=3)
    other = RateCopies.drawn(BUNDLED, records, scale_range=(0.5, 0.9), seed=4)
    assert first.scales == again.scales != other.scales
    assert list(first.scales) == records
    assert all(0.5 <= s <= 0.9 for s in first.scales.values())
    fixed = RateCopies.drawn(BUNDLED, records, scale_range=(0.75, 0.75), seed=0)
    assert set(fixed.scales.values()) == {0.75}


def test_patient_folds_keep_a_copy_with_its_record() -> None:
    source = RateCopies(BUNDLED, {"201": 0.7, "202": 0.8, "100": 0.6})
    records = ["100", "201", "202", "100@0.600", "201@0.700", "202@0.800"]
    beats = build_beats(source, records, BeatConfig(leads=["MLII"]))
    folds = PatientKFold(2, random_state=0)
    for fit, held in folds.split(beats.labels, beats.labels, beats.patient):
        fit_originals = {r.split(COPY_MARK)[0] for r in beats.record[fit].tolist()}
        held_originals = {r.split(COPY_MARK)[0] for r in beats.record[held].tolist()}
        assert not fit_originals & held_originals


@pytest.mark.parametrize(
    ("arguments", "error", "match"),
    [
        ({"scales": {"999": 0.8}}, ValueError, "999"),
        ({"scales": {"100": 0.0}}, ValueError, r"scales\['100'\]"),
        ({"scales": {"100": float("inf")}}, ValueError, r"scales\['100'\]"),
        ({"scales": {"100": "0.8"}}, TypeError, r"scales\['100'\]"),
        ({"scales": {"100": 0.8}, "qt_exponent": -1.0}, ValueError, "qt_exponent"),
    ],
)
def test_bad_copies_are_named(arguments: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        RateCopies(BUNDLED, **arguments)


def test_bad_draws_and_names_are_refused() -> None:
    with pytest.raises(ValueError, match="scale_range"):
        RateCopies.drawn(BUNDLED, ["100"], scale_range=(0.9, 0.5), seed=0)
    with pytest.raises(ValueError, match="scale_range"):
        RateCopies.drawn(BUNDLED, ["100"], scale_range=(0.0, 0.5), seed=0)
    with pytest.raises(KeyError, match="not a copy"):
        RateCopies(BUNDLED, {"100": 0.8}).load("100@0.700")
