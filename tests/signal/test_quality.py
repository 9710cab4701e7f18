import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ecgkit.data import load_example
from ecgkit.signal import (
    REPEAT_MIN,
    beat_repeatability,
    clean,
    detect_r_peaks,
    noisy_beats,
    running_median,
    segment_beats,
    typical_repeatability,
)

FS = 360.0
finite = st.floats(-1e3, 1e3, allow_nan=False, width=64)


def _windows(signal, fs=FS):
    """The annotate path's windows of one lead: cleaned, R peaks, 0.25 + 0.45 s."""
    x = clean(signal, fs)
    peaks = detect_r_peaks(x, fs)
    return peaks, segment_beats(x, fs, peaks, before_s=0.25, after_s=0.45, edge="pad").windows


def test_repeated_beats_repeat_and_noise_does_not():
    rng = np.random.default_rng(0)
    t = np.linspace(-1, 1, 120)
    beat = np.exp(-(t**2) / 0.002) - 0.3 * np.exp(-((t - 0.4) ** 2) / 0.02)
    ectopic = -1.5 * np.exp(-(t**2) / 0.02)
    # bigeminy: two shapes, each repeating every other beat
    shapes = np.array([beat if i % 2 else ectopic for i in range(40)])
    regular = shapes + 0.02 * rng.standard_normal(shapes.shape)
    repeat = beat_repeatability(regular)
    assert repeat.shape == (40,)
    assert repeat.min() > 0.95
    assert not noisy_beats(regular).any()
    noise = rng.standard_normal((40, 120))
    assert running_median(beat_repeatability(noise)).max() < REPEAT_MIN
    assert noisy_beats(noise).all()


def test_one_noisy_lead_flags_the_beat_and_leads_are_kept_apart():
    rng = np.random.default_rng(1)
    t = np.linspace(-1, 1, 100)
    beat = np.exp(-(t**2) / 0.003)
    two = np.stack([np.tile(beat, (30, 1)), rng.standard_normal((30, 100))], axis=1)
    repeat = beat_repeatability(two)
    assert repeat.shape == (30, 2)
    assert repeat[:, 0].min() > 0.99
    assert running_median(repeat[:, 1]).max() < REPEAT_MIN
    assert noisy_beats(two).all()
    assert not noisy_beats(two[:, :1]).any()


def test_a_noise_stretch_inside_a_real_recording_is_flagged_and_nothing_else():
    record, _ = load_example("208")
    lead = record.signal[:, 0].copy()
    peaks, windows = _windows(lead, record.fs)
    assert not noisy_beats(windows).any()
    noise = slice(round(100 * record.fs), round(160 * record.fs))
    # a lead picking up noise larger than its beats (the detector rejects weaker noise)
    lead[noise] = np.random.default_rng(2).normal(0, 1.0, lead[noise].size)
    peaks, windows = _windows(lead, record.fs)
    flagged = noisy_beats(windows)
    time = peaks / record.fs
    inside = (time > 105) & (time < 155)
    outside = (time < 95) | (time > 165)
    assert inside.sum() > 20
    assert flagged[inside].mean() > 0.95
    assert not flagged[outside].any()


def test_edge_cases_have_an_answer():
    one = beat_repeatability(np.ones((1, 50)))
    assert one.shape == (1,)
    assert np.isnan(one).all()
    assert not noisy_beats(np.ones((1, 50))).any()
    flat = beat_repeatability(np.zeros((5, 2, 50)))
    np.testing.assert_array_equal(flat, np.zeros((5, 2)))
    assert running_median(np.zeros(0)).shape == (0,)
    alone = running_median([np.nan, 1.0, np.nan], neighbours=0)
    np.testing.assert_array_equal(alone, [np.nan, 1, np.nan])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: beat_repeatability(np.zeros(10)), ValueError, "windows must be"),
        (lambda: beat_repeatability(np.zeros((3, 1))), ValueError, "at least 2 samples"),
        (lambda: beat_repeatability(np.full((3, 5), np.nan)), ValueError, "finite"),
        (lambda: beat_repeatability(np.zeros((3, 5)), neighbours=0), ValueError, "neighbours"),
        (lambda: running_median(np.zeros((2, 2, 2))), ValueError, "values must be"),
        (lambda: noisy_beats(np.zeros((3, 5)), threshold=np.nan), ValueError, "threshold"),
        (lambda: noisy_beats(np.zeros((3, 5)), threshold="0.4"), TypeError, "threshold"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


@settings(max_examples=60, deadline=None)
@given(
    windows=arrays(
        np.float64,
        st.tuples(st.integers(2, 12), st.integers(1, 3), st.integers(2, 20)),
        elements=finite,
    ),
    gain=st.floats(0.01, 100.0),
    offset=finite,
    neighbours=st.integers(1, 5),
)
def test_repeatability_is_bounded_and_blind_to_gain_offset_and_sign(
    windows, gain, offset, neighbours
):
    repeat = beat_repeatability(windows, neighbours=neighbours)
    assert repeat.shape == windows.shape[:2]
    assert np.all((repeat >= -1) & (repeat <= 1))
    flipped = -windows[:, :1]  # one lead's sign
    scaled = gain * np.concatenate([flipped, windows[:, 1:]], axis=1) + offset
    # a window whose spread is at rounding level has no shape to compare
    spread = np.ptp(windows, axis=-1)
    solid = (spread > 1e-6 * (np.abs(windows).max(axis=-1) + 1)).all(axis=0)
    np.testing.assert_allclose(
        beat_repeatability(scaled, neighbours=neighbours)[:, solid], repeat[:, solid], atol=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(
    windows=arrays(
        np.float64,
        st.tuples(st.integers(0, 12), st.integers(1, 3), st.integers(2, 20)),
        elements=finite,
    ),
    neighbours=st.integers(1, 5),
    threshold=st.floats(-1.0, 1.0),
    one_lead=st.booleans(),
)
def test_typical_repeatability_is_the_lowest_leads_median_and_decides_noise(
    windows, neighbours, threshold, one_lead
):
    data = windows[:, 0] if one_lead else windows
    typical = typical_repeatability(data, neighbours=neighbours)
    assert typical.shape == (windows.shape[0],)
    per_lead = running_median(
        beat_repeatability(data, neighbours=neighbours), neighbours=neighbours
    )
    if one_lead:
        expected = per_lead
    else:
        expected = np.array([np.nan if np.isnan(row).all() else np.nanmin(row) for row in per_lead])
    np.testing.assert_array_equal(typical, expected.reshape(-1))
    finite_values = typical[np.isfinite(typical)]
    assert np.all((finite_values >= -1) & (finite_values <= 1))
    np.testing.assert_array_equal(
        noisy_beats(data, threshold=threshold, neighbours=neighbours), typical < threshold
    )


@settings(max_examples=60, deadline=None)
@given(
    values=arrays(np.float64, st.integers(0, 30), elements=st.floats(-5, 5) | st.just(np.nan)),
    neighbours=st.integers(0, 6),
)
def test_running_median_is_the_median_of_each_reach(values, neighbours):
    out = running_median(values, neighbours=neighbours)
    assert out.shape == values.shape
    for i in range(values.size):
        reach = values[max(i - neighbours, 0) : i + neighbours + 1]
        kept = reach[~np.isnan(reach)]
        if kept.size:
            assert out[i] == pytest.approx(np.median(kept))
        else:
            assert np.isnan(out[i])


@pytest.mark.parametrize("block", [1, 5, 17])
def test_blocks_of_beats_give_the_answer_of_one_pass(monkeypatch, block):
    import ecgkit.signal.quality as quality

    windows = np.random.default_rng(6).standard_normal((60, 2, 30)).astype(np.float32)
    whole = beat_repeatability(windows, neighbours=4)
    monkeypatch.setattr(quality, "_BLOCK_BEATS", block)
    np.testing.assert_array_equal(beat_repeatability(windows, neighbours=4), whole)
