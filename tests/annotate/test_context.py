"""A long recording's beats see the context of their own 30-60 minute block."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.annotate.context import (
    CONTEXT_S,
    block_rr_features,
    context_blocks,
    rhythm_stretches,
    segment_rr_features,
)
from ecgkit.annotate.prepare import prepare_beats
from ecgkit.data import RR_FEATURES, load_example
from ecgkit.data.records import Record
from ecgkit.signal import rr_features

FS = 360.0
MEAN, PRE_RATIO = RR_FEATURES.index("mean_rr_s"), RR_FEATURES.index("pre_rr_ratio")


@given(
    duration_s=st.floats(1.0, 30 * CONTEXT_S),
    n_beats=st.integers(0, 300),
    seed=st.integers(0, 100),
)
def test_blocks_are_ordered_and_between_one_and_two_contexts_long(duration_s, n_beats, seed):
    r_seconds = np.sort(np.random.default_rng(seed).uniform(0, duration_s, n_beats))
    block = context_blocks(r_seconds, duration_s)
    assert block.shape == r_seconds.shape
    assert np.all(np.diff(block) >= 0)
    n_blocks = int(duration_s // CONTEXT_S)
    if n_blocks <= 1:
        assert np.all(block == 0)
    else:
        assert block.min(initial=0) >= 0
        assert block.max(initial=0) < n_blocks
        length = duration_s / n_blocks
        assert CONTEXT_S <= length < 2 * CONTEXT_S
        # a beat's block is the one its time falls in
        np.testing.assert_array_equal(block, np.minimum(r_seconds // length, n_blocks - 1))


def test_a_day_long_rhythm_is_measured_against_the_mean_rate_of_its_own_hour():
    # an hour at 60 bpm, then an hour at 120 bpm: against the 2-hour mean (0.67 s) every
    # fast beat looked premature (ratio 0.75); against its own block's mean it is 1
    rr = np.concatenate([np.full(3600, 1.0), np.full(7200, 0.5)])
    peaks = np.round(np.cumsum(rr) * FS).astype(np.int64)
    whole = rr_features(peaks, FS)
    block = context_blocks(peaks / FS, peaks[-1] / FS + 1.0)
    local = block_rr_features(whole, block)
    fast = slice(3700, None)
    assert whole[fast, PRE_RATIO] == pytest.approx(0.5 / (7200 / 10800), rel=0.01)
    assert local[fast, PRE_RATIO] == pytest.approx(1.0, rel=0.01)
    assert local[100:3500, MEAN] == pytest.approx(1.0, rel=0.01)
    other = [i for i in range(len(RR_FEATURES)) if i not in (MEAN, PRE_RATIO, PRE_RATIO + 1)]
    np.testing.assert_array_equal(local[:, other], whole[:, other])


def test_one_block_leaves_the_features_as_they_were():
    peaks = np.arange(0, 3000 * 300, 300)
    whole = rr_features(peaks, FS)
    assert block_rr_features(whole, np.zeros(peaks.size, dtype=np.int64)) is whole


def tiled(record_id: str, times: int) -> np.ndarray:
    """The 5-minute bundled excerpt of a record, repeated (a recording of one patient)."""
    return np.tile(load_example(record_id)[0].signal, (times, 1))


def test_a_recording_of_two_patients_gives_each_the_context_it_has_alone(recipe):
    # 35 minutes of a patient with narrow beats, then 35 of one with bundle-branch block:
    # one template over both made one patient's normal beats unusual for the other
    first, second = tiled("100", 7), tiled("109", 7)
    joined = prepare_beats(
        Record(np.concatenate([first, second]), FS, ("MLII",), "two patients"), recipe
    )
    alone = prepare_beats(Record(first, FS, ("MLII",), "first alone"), recipe)
    inside = joined.sample < first.shape[0]
    assert inside.sum() == alone.sample.size
    np.testing.assert_array_equal(joined.sample[inside], alone.sample)
    # the RR features' centred windows (31 beats) see across the join: compare away from it
    far = slice(0, alone.sample.size - 40)
    np.testing.assert_allclose(joined.windows[inside][far], alone.windows[far], atol=1e-6)
    np.testing.assert_allclose(joined.rr[inside][far], alone.rr[far], rtol=1e-6)


@given(
    n_beats=st.integers(2, 200),
    cuts=st.lists(st.integers(1, 199), max_size=5),
    seed=st.integers(0, 100),
)
def test_segments_get_their_own_local_rhythm_and_the_mean_of_their_intervals(n_beats, cuts, seed):
    rng = np.random.default_rng(seed)
    peaks = np.cumsum(rng.integers(150, 500, n_beats)).astype(np.int64)
    segment = np.zeros(n_beats, dtype=np.int64)
    for cut in cuts:
        segment[min(cut, n_beats - 1) :] += 1
    rows = segment_rr_features(peaks, FS, segment, local_beats=10)
    assert rows.shape == (n_beats, len(RR_FEATURES))
    if segment[0] == segment[-1]:
        np.testing.assert_array_equal(rows, rr_features(peaks, FS))
        return
    inside = np.diff(segment) == 0
    for value in np.unique(segment):
        members = segment == value
        alone = rr_features(peaks[members], FS)
        local = [c for c in range(len(RR_FEATURES)) if c not in (MEAN, PRE_RATIO, PRE_RATIO + 1)]
        np.testing.assert_array_equal(rows[members][:, local], alone[:, local])
    if inside.any():
        mean = np.diff(peaks)[inside].mean() / FS
        np.testing.assert_allclose(rows[:, MEAN], mean)
        # no interval across a cut enters any column
        assert np.nanmax(rows[:, RR_FEATURES.index("pre_rr_s")]) <= 500 / FS
        # per block: the mean is taken over the intervals inside segments alone
        blocks = np.minimum(np.arange(n_beats) // 50, 1)
        joined = block_rr_features(rows, blocks, segment)
        assert np.isfinite(joined[:, MEAN]).all()
        assert joined[:, MEAN].max() <= 500 / FS


@given(
    segment_steps=st.lists(st.booleans(), min_size=1, max_size=60),
    cut=st.lists(st.booleans(), min_size=60, max_size=60),
)
def test_stretches_cut_at_gaps_and_around_each_cut_beat(segment_steps, cut):
    segment = np.cumsum([False, *segment_steps[1:]]).astype(np.int64)
    cuts = np.asarray(cut[: segment.size])
    stretch = rhythm_stretches(segment, cuts)
    assert stretch.shape == segment.shape
    assert stretch[0] == 0
    assert np.all(np.diff(stretch) >= 0)
    # a new segment is a new stretch; a cut beat is a stretch of its own
    assert np.all(np.diff(stretch)[np.diff(segment) > 0] > 0)
    for i in np.flatnonzero(cuts):
        assert (stretch == stretch[i]).sum() == 1
    # beats of one segment with no cut between them share a stretch
    together = (np.diff(segment) == 0) & ~cuts[1:] & ~cuts[:-1]
    assert np.all(np.diff(stretch)[together] == 0)
    if not cuts.any():
        np.testing.assert_array_equal(stretch, np.unique(segment, return_inverse=True)[1])
