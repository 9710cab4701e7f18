"""The per-beat noise measure: slope outside the QRS complexes, against the recording's usual."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.data import BEAT_SYMBOLS, load_example
from ecgkit.signal import (
    NOISE_QRS_S,
    NOISE_RATIO_MAX,
    NOISE_RATIO_RELIABLE,
    clean,
    noise_ratio,
    segment_beats,
    slope_outside_qrs,
)

FS = 360.0
BEFORE_S, AFTER_S = 0.25, 0.45
R_INDEX = round(BEFORE_S * FS)


def _cut(x, peaks, fs=FS):
    """Windows of one lead ``x``, 0.25 + 0.45 s around ``peaks``: (n_beats, n_samples)."""
    return segment_beats(x, fs, peaks, before_s=BEFORE_S, after_s=AFTER_S, edge="pad").windows[:, 0]


def _windows(signal, peaks, fs=FS):
    """The annotate path's windows of one lead: cleaned, then :func:`_cut`."""
    return _cut(clean(signal, fs), peaks, fs)


def _spike_train(rr_s, n_beats, width_s=0.01, fs=FS):
    """Gaussian 'QRS' complexes on a flat baseline, one every ``rr_s``, and their peaks."""
    n = round((n_beats + 2) * rr_s * fs)
    peaks = np.round(np.arange(1, n_beats + 1) * rr_s * fs).astype(np.int64)
    t = np.arange(n)[:, None]
    x = np.exp(-0.5 * ((t - peaks[None, :]) / (width_s * fs)) ** 2).sum(axis=1)
    return x, peaks


def _beats_of(record_id):
    record, annotations = load_example(record_id)
    beat = np.isin(annotations.symbol, list(BEAT_SYMBOLS))
    return record.signal[:, 0].copy(), annotations.sample[beat], annotations.symbol[beat]


def test_bursts_of_noise_a_few_beats_long_are_found_and_ectopic_beats_are_not():
    # 208: frequent ventricular beats, couplets and fusion beats
    lead, peaks, symbols = _beats_of("208")
    clean_ratio = noise_ratio(_windows(lead, peaks), FS, peaks, r_index=R_INDEX)
    assert np.isfinite(clean_ratio).all()
    assert (symbols == "V").sum() > 100
    assert clean_ratio[symbols == "V"].max() < NOISE_RATIO_RELIABLE
    assert np.mean(clean_ratio < NOISE_RATIO_RELIABLE) > 0.995
    # 2-s bursts of white noise of 3 mV SD every 20 s: a few beats each, which the
    # beats around them do not show
    rng = np.random.default_rng(0)
    starts = np.arange(20, 280, 20) * FS
    for start in starts.astype(int):
        lead[start : start + int(2 * FS)] += rng.normal(0, 3.0, int(2 * FS))
    ratio = noise_ratio(_windows(lead, peaks), FS, peaks, r_index=R_INDEX)
    offset = (peaks[:, None] - starts[None, :]) / FS
    inside = ((offset >= 0) & (offset < 2)).any(axis=1)
    # far from a burst: the window (0.25 s before, 0.45 s after) cannot reach it
    away = ~((offset > -AFTER_S - 0.05) & (offset < 2 + BEFORE_S + 0.05)).any(axis=1)
    assert inside.sum() > 30
    assert np.mean(ratio[inside] >= NOISE_RATIO_MAX) > 0.95
    np.testing.assert_allclose(ratio[away], clean_ratio[away], rtol=0.2)
    assert np.mean(ratio[away] < NOISE_RATIO_RELIABLE) > 0.99


def test_the_same_noise_gets_the_same_ratio_for_a_few_beats_or_for_minutes():
    lead, peaks, _ = _beats_of("100")
    half = lead.size // 2
    lead[half:] += np.random.default_rng(4).normal(0, 0.3, lead.size - half)
    ratio = noise_ratio(_windows(lead, peaks), FS, peaks, r_index=R_INDEX)
    noisy = np.flatnonzero(peaks > half + AFTER_S * FS)
    assert noisy.size > 150
    # the usual slope is the recording's, not the noise's own: a minute in is as steep
    # as its start
    first, later = np.median(ratio[noisy[:30]]), np.median(ratio[noisy[120:150]])
    assert later == pytest.approx(first, rel=0.2)
    assert first > 5 * np.median(ratio[peaks < half - BEFORE_S * FS])


def test_the_qrs_of_the_beat_and_of_its_neighbours_is_left_out():
    # 150 bpm: the next beat's QRS lies inside each window, as does the previous one's
    x, peaks = _spike_train(0.4, 30)
    windows = _cut(x, peaks)
    slope = slope_outside_qrs(windows, FS, peaks, r_index=R_INDEX)
    assert slope.shape == (30,)
    steepest = np.abs(np.diff(windows, axis=-1)).max() * FS
    # only the Gaussians' far tails are left: a millionth of the QRS slope
    assert slope[1:-1].max() < 1e-6 * steepest
    # a broad ectopic QRS (40 ms SD) with its peak early: its own span covers it
    broad = np.exp(-0.5 * ((np.arange(x.size) - peaks[15] - 0.05 * FS) / (0.02 * FS)) ** 2)
    y = x + 0.5 * broad
    windows = _cut(y, peaks)
    assert slope_outside_qrs(windows, FS, peaks, r_index=R_INDEX)[1:-1].max() < 1e-3 * steepest


def test_the_span_left_out_is_the_documented_one():
    x, peaks = _spike_train(1.0, 5)
    windows = _cut(x, peaks)
    # a step of the slope just outside the span counts, one just inside does not
    before, after = NOISE_QRS_S
    cases = [(-before - 0.01, True), (-before + 0.01, False), (after + 0.01, True),
             (after - 0.01, False)]  # fmt: skip
    for at_s, counted in cases:
        marked = windows.copy()
        marked[2, R_INDEX + round(at_s * FS) :] += 1.0
        slope = slope_outside_qrs(marked, FS, peaks, r_index=R_INDEX)
        assert bool(slope[2] > 10) == counted, at_s


def test_beats_too_close_to_measure_and_a_noise_free_reference_give_nan():
    # 300 bpm: every step of every window is inside some QRS span
    x, peaks = _spike_train(0.2, 20)
    windows = _cut(x, peaks)
    assert np.isnan(slope_outside_qrs(windows, FS, peaks, r_index=R_INDEX)[2:-2]).all()
    # a flat baseline has a typical slope of 0: nothing to compare with
    x, peaks = _spike_train(0.8, 20)
    windows = _cut(x, peaks)
    windows[:, : R_INDEX - 10] = 0.0
    windows[:, R_INDEX + 11 :] = 0.0
    assert np.isnan(noise_ratio(windows, FS, peaks, r_index=R_INDEX)).all()
    # ... not even for the one beat with noise on it
    windows[5] += np.random.default_rng(2).normal(0, 0.1, windows.shape[1])
    assert np.isnan(noise_ratio(windows, FS, peaks, r_index=R_INDEX)).all()
    assert noise_ratio(np.zeros((0, 2, 50)), FS, np.zeros(0, np.int64), r_index=10).shape == (0,)


def test_the_noisiest_lead_decides_and_leads_are_kept_apart():
    lead, peaks, _ = _beats_of("100")
    one = _windows(lead, peaks)
    noisy = one.copy()
    noisy[50:53] += np.random.default_rng(1).normal(0, 1.0, noisy[50:53].shape)
    two = np.stack([one, noisy], axis=1)
    ratio = noise_ratio(two, FS, peaks, r_index=R_INDEX)
    each = [noise_ratio(lead, FS, peaks, r_index=R_INDEX) for lead in (one, noisy)]
    np.testing.assert_array_equal(ratio, np.maximum(*each))
    assert (ratio[50:53] >= NOISE_RATIO_MAX).all()
    assert each[0][50:53].max() < NOISE_RATIO_RELIABLE


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    gains=st.tuples(st.floats(1e-2, 1e2), st.floats(1e-2, 1e2)),
    signs=st.tuples(st.sampled_from([-1.0, 1.0]), st.sampled_from([-1.0, 1.0])),
    rr_s=st.floats(0.3, 1.5),
)
def test_the_ratio_is_non_negative_and_blind_to_each_leads_gain_and_sign(seed, gains, signs, rr_s):
    rng = np.random.default_rng(seed)
    x, peaks = _spike_train(rr_s, 25)
    leads = np.stack([x, -0.5 * x], axis=1) + 0.02 * rng.standard_normal((x.size, 2))
    windows = segment_beats(
        leads, FS, peaks, before_s=BEFORE_S, after_s=AFTER_S, edge="pad", axis=0
    ).windows
    ratio = noise_ratio(windows, FS, peaks, r_index=R_INDEX)
    assert ratio.shape == (25,)
    assert (ratio[~np.isnan(ratio)] >= 0).all()
    scale = (np.array(gains) * np.array(signs))[np.newaxis, :, np.newaxis]
    scaled = noise_ratio(windows * scale, FS, peaks, r_index=R_INDEX)
    np.testing.assert_allclose(scaled, ratio, rtol=1e-9)


@pytest.mark.parametrize("block", [1, 7])
def test_blocks_of_beats_give_the_answer_of_one_pass(monkeypatch, block):
    import ecgkit.signal.quality as quality

    x, peaks = _spike_train(0.45, 40)
    noisy = x + 0.05 * np.random.default_rng(3).standard_normal(x.size)
    windows = _cut(noisy, peaks)
    whole = slope_outside_qrs(windows, FS, peaks, r_index=R_INDEX)
    monkeypatch.setattr(quality, "_BLOCK_BEATS", block)
    np.testing.assert_array_equal(slope_outside_qrs(windows, FS, peaks, r_index=R_INDEX), whole)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: slope_outside_qrs(np.zeros(10), FS, [1], r_index=2), ValueError, "windows must"),
        (lambda: slope_outside_qrs(np.zeros((2, 10)), FS, [1], r_index=2), ValueError, "one peak"),
        (lambda: slope_outside_qrs(np.zeros((2, 10)), FS, [5, 5], r_index=2), ValueError,
         "increasing"),
        (lambda: slope_outside_qrs(np.zeros((2, 10)), FS, [1.5, 4], r_index=2), TypeError,
         "r_peaks"),
        (lambda: slope_outside_qrs(np.zeros((2, 10)), FS, [1, 4], r_index=10), ValueError,
         "r_index"),
        (lambda: slope_outside_qrs(np.zeros((2, 10)), 0.0, [1, 4], r_index=2), ValueError, "fs"),
        (lambda: slope_outside_qrs(np.full((2, 10), np.nan), FS, [1, 4], r_index=2), ValueError,
         "finite"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()
