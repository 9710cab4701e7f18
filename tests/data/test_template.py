import dataclasses
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.data import (
    MITBIH,
    RR_FEATURES,
    BeatConfig,
    build_beats,
    record_templates,
    with_template_residual,
)

PRE_RR = RR_FEATURES.index("pre_rr_s")


@lru_cache(maxsize=1)
def bundled_beats():
    return build_beats(MITBIH.bundled(), ["100", "119", "208"], BeatConfig(leads=("MLII",)))


def synthetic(n_beats: int, n_records: int, seed: int):
    """Random windows, RR and records on the frame of a real BeatSet."""
    rng = np.random.default_rng(seed)
    base = bundled_beats().subset(np.arange(n_beats))
    records = np.array([f"r{i % n_records}" for i in range(n_beats)])
    rr = rng.uniform(0.3, 2.0, size=(n_beats, len(RR_FEATURES))).astype(np.float32)
    windows = rng.normal(size=(n_beats, 2, 16)).astype(np.float32)
    return dataclasses.replace(
        base, windows=windows, rr=rr, record=records, lead_names=("MLII", "V1")
    )


@settings(max_examples=30, deadline=None)
@given(
    n_beats=st.integers(1, 60),
    n_records=st.integers(1, 4),
    quantile=st.floats(0.0, 0.95),
    seed=st.integers(0, 1000),
)
def test_residual_is_each_beat_minus_its_own_records_template(n_beats, n_records, quantile, seed):
    beats = synthetic(n_beats, n_records, seed)
    out = with_template_residual(beats, quantile=quantile)
    templates = record_templates(beats, quantile=quantile)
    assert out.windows.shape == (n_beats, 4, 16)
    assert out.windows.dtype == np.float32
    np.testing.assert_array_equal(out.windows[:, :2], beats.windows)
    for i, record in enumerate(beats.record):
        np.testing.assert_allclose(out.windows[i, 2:], beats.windows[i] - templates[record])
    assert out.lead_names == ("MLII", "V1", "MLII-template", "V1-template")
    np.testing.assert_array_equal(out.labels, beats.labels)
    # labels play no part, and another record's beats change nothing
    shuffled = dataclasses.replace(beats, labels=np.roll(beats.labels, 1))
    np.testing.assert_array_equal(
        with_template_residual(shuffled, quantile=quantile).windows, out.windows
    )
    first = beats.subset(beats.record == "r0")
    np.testing.assert_allclose(
        with_template_residual(first, quantile=quantile).windows,
        out.windows[beats.record == "r0"],
    )


def test_template_is_the_sinus_beat_even_when_premature_beats_dominate():
    # 80 % premature beats of one shape, 20 % beats after long pauses of another (record 232)
    beats = synthetic(50, 1, 0)
    premature = np.arange(50) % 5 != 0
    rr = beats.rr.copy()
    rr[:, PRE_RR] = np.where(premature, np.linspace(0.6, 0.8, 50), 1.8)
    windows = np.where(premature[:, None, None], 1.0, -1.0) * np.ones((50, 2, 16), np.float32)
    beats = dataclasses.replace(beats, rr=rr, windows=windows.astype(np.float32))
    np.testing.assert_array_equal(record_templates(beats)["r0"], -np.ones((2, 16)))
    np.testing.assert_array_equal(record_templates(beats, quantile=0.0)["r0"], np.ones((2, 16)))


def test_ventricular_beats_stand_out_from_their_template():
    beats = bundled_beats()
    residual = with_template_residual(beats).windows[:, 1]
    energy = np.sqrt(np.mean(residual**2, axis=-1))
    n, v = beats.classes.index("N"), beats.classes.index("V")
    assert np.median(energy[beats.labels == v]) > 3 * np.median(energy[beats.labels == n])


def test_bad_arguments_are_named():
    beats = synthetic(10, 1, 0)
    with pytest.raises(ValueError, match="quantile"):
        record_templates(beats, quantile=1.0)
    with pytest.raises(ValueError, match="min_beats"):
        record_templates(beats, min_beats=0)
    with pytest.raises(ValueError, match="empty"):
        record_templates(beats.subset(np.zeros(10, dtype=bool)))
