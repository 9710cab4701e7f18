import dataclasses
import itertools
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ecgkit.annotate import (
    BeatAnnotations,
    BeatRecipe,
    Predictor,
    assess_rhythm,
    gate_supraventricular,
    rhythm_context,
)
from ecgkit.data.records import Record

from ..synthetic import ecg_with_atrial_waves
from .conftest import make_recipe

FS = 250.0


def _annotations(rr_s, labels, *, classes=("N", "S", "V", "F"), fs=FS):
    """Beats at the given intervals; S gets a little more probability than N."""
    sample = np.round(np.cumsum(np.concatenate([[1.0], rr_s])) * fs).astype(np.int64)
    label = np.asarray(labels, dtype=np.int64)
    probabilities = np.full((sample.size, len(classes)), 0.05, dtype=np.float32)
    probabilities[np.arange(sample.size), label] = 0.85
    return BeatAnnotations(
        sample, label, probabilities, np.full(sample.size, "", dtype="<U9"), classes, fs,
        int(sample[-1] + fs), "synthetic", ("MLII",), "m",
    )  # fmt: skip


def _af_then_sinus(rng):
    """60 s of AF (irregular 0.4-1.0 s), then 60 s of sinus rhythm at 0.8 s."""
    irregular = rng.uniform(0.4, 1.0, 85)
    return np.concatenate([irregular, np.full(75, 0.8)])


def test_gate_stops_s_calls_inside_af_and_keeps_them_in_sinus_rhythm():
    rr = _af_then_sinus(np.random.default_rng(0))
    labels = np.zeros(rr.size + 1, dtype=int)
    labels[5:80:4] = 1  # "premature" calls inside AF
    labels[120] = 1  # a premature beat in sinus rhythm
    annotations = _annotations(rr, labels)
    gated = assess_rhythm(annotations, None, gate=1.0)
    assert gated.in_af[:80].all()
    assert not gated.in_af[100:].any()
    assert (gated.label[:80] != 1).all()
    assert gated.label[120] == 1
    np.testing.assert_allclose(
        gated.probabilities.sum(axis=1), annotations.probabilities.sum(axis=1), rtol=1e-6
    )
    ungated = assess_rhythm(annotations, None, gate=0.0)
    np.testing.assert_array_equal(ungated.label, annotations.label)
    np.testing.assert_array_equal(ungated.in_af, gated.in_af)


def test_ventricular_calls_are_left_out_of_the_rhythm_and_never_gated():
    # sinus rhythm at 0.8 s with premature ventricular beats (0.4-0.6 s early, then a
    # full compensatory pause) at random: irregular intervals in no fixed pattern (not
    # bigeminy), but every irregular one touches a V beat
    rng = np.random.default_rng(0)
    ventricular = rng.random(160) < 0.4
    ventricular[[0, -1]] = False
    ventricular[1:] &= ~ventricular[:-1]  # no couplets
    coupling = rng.uniform(0.4, 0.6, 159)
    rr = np.where(ventricular[1:], coupling, 0.8)
    rr[1:] = np.where(ventricular[1:-1], 1.6 - coupling[:-1], rr[1:])
    labels = np.where(ventricular, 2, 0)
    with_v = assess_rhythm(_annotations(rr, labels), None, gate=1.0)
    assert not with_v.in_af.any()
    np.testing.assert_array_equal(with_v.label, labels)
    as_normal = assess_rhythm(_annotations(rr, np.zeros_like(labels)), None, gate=1.0)
    assert as_normal.in_af.any()  # the same intervals called normal look like AF


def _regular_with_premature_beats():
    """60 beats at 0.8 s with a premature beat (0.55 s, then a 1.05 s pause) every 10th:
    intervals too regular for AF (irregularity 0), the premature calls S."""
    rr = np.full(60, 0.8)
    rr[9::10], rr[10::10] = 0.55, 1.05
    labels = np.zeros(rr.size + 1, dtype=int)
    labels[10::10] = 1
    return rr, labels


@pytest.mark.parametrize("f_waves", [True, False])
def test_s_calls_without_p_waves_are_gated_outside_af_too(f_waves):
    # AF with a regular ventricular response, or a junctional rhythm: no atrial rhythm for
    # a beat to come early in, whatever the intervals
    rr, labels = _regular_with_premature_beats()
    annotations = _annotations(rr, labels)
    no_p = np.zeros(annotations.sample.size, dtype=bool)
    signal = ecg_with_atrial_waves(annotations.sample, FS, p_waves=no_p, f_waves=f_waves)
    with pytest.warns(UserWarning, match="show no P waves on MLII"):
        gated = assess_rhythm(annotations, signal, gate=1.0)
    assert gated.in_af is not None
    assert gated.p_waves_absent is not None
    assert not gated.in_af.any()
    assert gated.p_waves_absent[5:].all()
    assert (gated.label != 1).all()
    assert set(gated.rhythm[5:]) == {"no-P"}
    assert gated.summary()["p_waves_absent_beats"] == int(gated.p_waves_absent.sum())
    with pytest.warns(UserWarning, match="show no P waves"):
        marked = assess_rhythm(annotations, signal, gate=0.0)
    np.testing.assert_array_equal(marked.label, labels)
    np.testing.assert_array_equal(marked.p_waves_absent, gated.p_waves_absent)


@pytest.mark.parametrize("lead", ["none", "30 Hz"])
def test_p_waves_not_assessed_are_not_reported_as_present(lead):
    # without a lead, or on one too slow to show P waves (under 40 Hz), AF comes from the
    # intervals alone and no beat is known to have or lack P waves: the summary says
    # None, not 0, and a lead given at such a rate is warned about
    rr = _af_then_sinus(np.random.default_rng(2))
    annotations = _annotations(rr, np.zeros(rr.size + 1, int), fs=30.0)
    if lead == "none":
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assessed = assess_rhythm(annotations, None, gate=1.0)
    else:
        signal = ecg_with_atrial_waves(annotations.sample, 30.0)
        with pytest.warns(UserWarning, match="P waves not assessed at 30 Hz"):
            assessed = assess_rhythm(annotations, signal, gate=1.0)
    assert assessed.in_af is not None
    assert assessed.in_af[:80].all()
    assert assessed.p_waves_absent is None
    summary = assessed.summary()
    assert summary["p_waves_absent_beats"] is None
    assert summary["af_episodes_s"]
    assert set(assessed.rhythm) == {"AF", ""}


def test_premature_beats_with_p_waves_stay_s():
    rr, labels = _regular_with_premature_beats()
    annotations = _annotations(rr, labels)
    signal = ecg_with_atrial_waves(annotations.sample, FS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # P waves shown: no warning
        gated = assess_rhythm(annotations, signal, gate=1.0)
    assert gated.p_waves_absent is not None
    assert not gated.p_waves_absent.any()
    np.testing.assert_array_equal(gated.label, labels)
    assert set(gated.rhythm) == {""}
    # a flat lead is no evidence either way: nothing is gated outside AF
    flat = assess_rhythm(annotations, np.zeros_like(signal), gate=1.0)
    np.testing.assert_array_equal(flat.label, labels)
    assert flat.p_waves_absent is not None
    assert not flat.p_waves_absent.any()


@settings(max_examples=20, deadline=None)
@given(
    gain=st.floats(0.01, 100.0),
    p_waves=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_rhythm_context_depends_on_the_waveform_not_its_gain(gain, p_waves, seed):
    rng = np.random.default_rng(seed)
    rr = np.where(rng.random(50) < 0.2, rng.uniform(0.45, 0.6, 50), rng.uniform(0.75, 0.85, 50))
    sample = np.round(np.cumsum(np.r_[1.0, rr]) * FS).astype(np.int64)
    has_p = np.full(sample.size, p_waves)
    signal = ecg_with_atrial_waves(sample, FS, p_waves=has_p, f_waves=not p_waves, seed=seed)
    exclude = np.zeros(sample.size, dtype=bool)
    context = rhythm_context(sample, FS, signal, exclude)
    scaled = rhythm_context(sample, FS, gain * signal, exclude)
    np.testing.assert_array_equal(context.in_af, scaled.in_af)
    np.testing.assert_array_equal(context.p_waves_absent, scaled.p_waves_absent)
    assert context.p_waves_absent.shape == context.in_af.shape == (sample.size,)
    np.testing.assert_array_equal(
        context.without_atrial_rhythm, context.in_af | context.p_waves_absent
    )
    if p_waves:
        assert not context.p_waves_absent.any()
    assert not rhythm_context(sample, FS, None, exclude).p_waves_absent.any()


def test_summary_and_csv_carry_the_af_episodes(tmp_path):
    rr = _af_then_sinus(np.random.default_rng(1))
    annotations = assess_rhythm(_annotations(rr, np.zeros(rr.size + 1, int)), None, gate=1.0)
    summary = annotations.summary()
    ((start, end),) = summary["af_episodes_s"]
    assert start == pytest.approx(annotations.time_s[0])
    assert 50 < end - start < 70
    assert summary["af_burden_percent"] == pytest.approx(
        100 * (end - start) / annotations.duration_s
    )
    rows = annotations.to_csv(tmp_path / "beats.csv").read_text().splitlines()
    header = rows[0].split(",")
    rhythm = [row.split(",")[header.index("rhythm")] for row in rows[1:]]
    assert rhythm[0] == "AF"
    assert rhythm[-1] == ""
    unassessed = _annotations(rr, np.zeros(rr.size + 1, int))
    assert "af_episodes_s" not in unassessed.summary()
    assert set(unassessed.rhythm) == {""}


def test_recipes_written_before_the_gate_read_back_without_it():
    recipe = make_recipe(rhythm_gate=0.5)
    values = recipe.to_json()
    assert BeatRecipe.from_json(values).rhythm_gate == 0.5
    del values["rhythm_gate"]
    assert BeatRecipe.from_json(values).rhythm_gate == 0.0
    for bad in (True, 1.5, -0.1):
        with pytest.raises(ValueError, match="rhythm_gate"):
            make_recipe(rhythm_gate=bad)


def test_recipes_written_before_the_episode_minimum_read_back_with_30_s():
    recipe = make_recipe(rhythm_gate=1.0, rhythm_min_episode_s=20.0)
    values = recipe.to_json()
    assert BeatRecipe.from_json(values).rhythm_min_episode_s == 20.0
    del values["rhythm_min_episode_s"]
    assert BeatRecipe.from_json(values).rhythm_min_episode_s == 30.0
    for bad in (True, -1.0, float("inf"), float("nan"), "20"):
        with pytest.raises(ValueError, match="rhythm_min_episode_s"):
            make_recipe(rhythm_min_episode_s=bad)


def test_the_recipes_episode_minimum_decides_which_af_runs_are_marked_and_gated(predictor):
    # sinus rhythm, AF, sinus rhythm: the AF run is 22 s long (beats 62-94), one the 30-s
    # minimum drops and 20 s keeps
    rng = np.random.default_rng(3)
    rr = np.concatenate([np.full(60, 0.8), rng.uniform(0.4, 1.0, 44), np.full(60, 0.8)])
    labels = np.zeros(rr.size + 1, dtype=int)
    labels[62:95:3] = 1
    annotations = _annotations(rr, labels)
    every_run = assess_rhythm(annotations, None, gate=0.0, min_episode_s=0.0)
    assert every_run.in_af is not None
    assert every_run.in_af[62:95].all()
    assert 20 < annotations.time_s[94] - annotations.time_s[62] < 30
    kept = assess_rhythm(annotations, None, gate=1.0, min_episode_s=20.0)
    dropped = assess_rhythm(annotations, None, gate=1.0, min_episode_s=30.0)
    assert kept.in_af[62:95].all()
    assert (kept.label[62:95] != 1).all()
    assert not dropped.in_af.any()
    np.testing.assert_array_equal(dropped.label, labels)
    # the Predictor passes its recipe's minimum on
    peaks = annotations.sample
    signal = np.zeros((int(peaks[-1] + FS), 1))
    record = Record(signal, FS, ("MLII",), "short-af")
    for minimum, marked in ((20.0, True), (30.0, False)):
        recipe = make_recipe(rhythm_gate=1.0, rhythm_min_episode_s=minimum)
        result = Predictor(predictor.models, recipe).annotate(record, peaks=peaks)
        assert result.in_af is not None
        assert bool(result.in_af[62:95].all()) is marked


def test_runs_shorter_than_an_episode_are_gated_but_not_reported_as_af(tmp_path):
    # sinus, a 22-s AF run, sinus, a 60-s AF run: with the gate on every run (0 s), both
    # runs are gated, but only the 60-s one is an AF episode (clinical definition, 30 s)
    rng = np.random.default_rng(3)
    rr = np.concatenate(
        [np.full(60, 0.8), rng.uniform(0.4, 1.0, 44), np.full(60, 0.8),
         rng.uniform(0.4, 1.0, 85), np.full(40, 0.8)]
    )  # fmt: skip
    labels = np.zeros(rr.size + 1, dtype=int)
    labels[62:95:3] = 1
    annotations = assess_rhythm(_annotations(rr, labels), None, gate=1.0, min_episode_s=0.0)
    assert annotations.in_af is not None
    assert annotations.af_episode is not None
    short, long = slice(62, 95), slice(170, 240)
    assert annotations.in_af[short].all()
    assert annotations.in_af[long].all()
    assert (annotations.label[short] != 1).all()  # gated all the same
    assert not annotations.af_episode[short].any()
    assert annotations.af_episode[long].all()
    summary = annotations.summary()
    ((start, end),) = summary["af_episodes_s"]
    assert 50 < end - start < 70
    assert summary["af_like_beats"] == int((annotations.in_af & ~annotations.af_episode).sum())
    assert summary["af_like_beats"] >= 33
    rhythm = annotations.rhythm
    assert set(rhythm[short]) == {"AF-like"}
    assert set(rhythm[long]) == {"AF"}
    rows = annotations.to_csv(tmp_path / "beats.csv").read_text().splitlines()
    column = rows[0].split(",").index("rhythm")
    assert [row.split(",")[column] for row in rows[1:]] == rhythm.tolist()
    # with the clinical minimum the gate and the report agree
    clinical = assess_rhythm(_annotations(rr, labels), None, gate=1.0)
    assert clinical.af_episode is not None
    assert clinical.in_af is not None
    np.testing.assert_array_equal(clinical.af_episode, clinical.in_af)
    assert clinical.summary()["af_like_beats"] == 0


def test_predictor_annotate_assesses_the_rhythm_on_the_model_lead(predictor):
    rng = np.random.default_rng(2)
    peaks = np.round(np.cumsum(rng.uniform(0.45, 1.0, 120)) * 360).astype(np.int64)
    signal = np.zeros((peaks[-1] + 720, 2))
    signal[peaks, 0] = 1.0  # spikes: no P waves, irregular
    record = Record(signal, 360.0, ("V5", "MLII"), "irregular")
    gated = Predictor(predictor.models, make_recipe(rhythm_gate=1.0)).annotate(
        Record(signal[:, ::-1].copy(), 360.0, ("MLII", "V5"), "irregular"), peaks=peaks
    )
    assert gated.in_af is not None
    assert gated.in_af.mean() > 0.8
    assert not (gated.label[gated.in_af] == 1).any()
    lead = predictor.rhythm_lead(record)
    np.testing.assert_array_equal(lead, signal[:, 1])


def test_gate_strength_moves_that_share_of_s_onto_n():
    probabilities = np.array([[0.3, 0.6, 0.1, 0.0], [0.2, 0.8, 0.0, 0.0], [0.3, 0.6, 0.1, 0.0]])
    in_af = np.array([True, True, False])
    classes = ("N", "S", "V", "F")
    half = gate_supraventricular(probabilities, in_af, classes, 0.5)
    np.testing.assert_allclose(half[0], [0.6, 0.3, 0.1, 0.0])
    np.testing.assert_allclose(half[1], [0.6, 0.4, 0.0, 0.0])
    np.testing.assert_allclose(half[2], probabilities[2])
    np.testing.assert_allclose(half.sum(axis=1), probabilities.sum(axis=1))
    full = gate_supraventricular(probabilities, in_af, classes, 1.0)
    assert (full[in_af, 1] == 0).all()
    np.testing.assert_array_equal(
        gate_supraventricular(probabilities, in_af, classes, 0.0), probabilities
    )
    np.testing.assert_array_equal(
        gate_supraventricular(probabilities, in_af, ("A", "B", "C", "D"), 1.0), probabilities
    )
    with pytest.raises(ValueError, match="strength"):
        gate_supraventricular(probabilities, in_af, classes, 2.0)
    with pytest.raises(ValueError, match="gated"):
        gate_supraventricular(probabilities, in_af[:2], classes)


def test_af_burden_is_a_share_of_the_recorded_time():
    rr = _af_then_sinus(np.random.default_rng(1))
    annotations = _annotations(rr, np.zeros(rr.size + 1, int))
    gap = np.array([[int(annotations.sample[-1] + 10), int(annotations.n_samples)]])
    gapped = dataclasses.replace(annotations, gaps=gap)
    whole = assess_rhythm(annotations, None, gate=1.0).summary()
    cut = assess_rhythm(gapped, None, gate=1.0).summary()
    ((start, end),) = cut["af_episodes_s"]
    assert cut["recorded_s"] == pytest.approx(whole["recorded_s"] - (gap[0, 1] - gap[0, 0]) / FS)
    assert cut["af_burden_percent"] == pytest.approx(100 * (end - start) / cut["recorded_s"])
    assert cut["af_burden_percent"] > whole["af_burden_percent"]


def test_beats_in_noise_are_in_no_af_run_and_cut_the_rhythm():
    rng = np.random.default_rng(2)
    # sinus rhythm, a run of noise "beats" at random places, sinus rhythm again
    rr = np.concatenate([np.full(60, 0.8), rng.uniform(0.2, 1.5, 60), np.full(60, 0.8)])
    annotations = _annotations(rr, np.zeros(rr.size + 1, int))
    whole = assess_rhythm(annotations, None, gate=1.0)
    assert whole.in_af[60:120].mean() > 0.5  # the intervals of noise look like AF
    flag = annotations.flag.copy()
    flag[61:120] = "noise"
    label = annotations.label.copy()
    label[61:120] = -1
    noisy = dataclasses.replace(annotations, flag=flag, label=label)
    marked = assess_rhythm(noisy, None, gate=1.0)
    assert not marked.in_af.any()
    assert not marked.af_episode.any()
    summary = marked.summary()
    assert summary["af_episodes_s"] == []
    # the heart rate takes no interval to or from a noise beat
    assert summary["mean_heart_rate_bpm"] == pytest.approx(75.0, abs=0.5)


def test_a_short_stretch_between_noise_is_not_an_af_episode_of_a_long_recording():
    # judged whole as a 10-s strip is, 20 s of irregular beats between two bursts of noise
    # inside 2 minutes of sinus rhythm were an AF "episode" of 20 s
    rng = np.random.default_rng(5)
    parts = [("sinus", 60), ("noise", 3), ("af", 20), ("noise", 3), ("sinus", 60)]
    annotations, _ = _pieced(parts, rng)
    marked = assess_rhythm(annotations, None, gate=1.0)
    assert not marked.in_af.any()
    assert marked.summary()["af_episodes_s"] == []


@pytest.mark.parametrize(("noise_s", "joined"), [(3, True), (8, True), (14, False)])
def test_af_continues_across_noise_of_at_most_10_s(noise_s, joined):
    rng = np.random.default_rng(6)
    parts = [("sinus", 60), ("af", 20), ("noise", noise_s), ("af", 20), ("sinus", 60)]
    annotations, kind = _pieced(parts, rng)
    marked = assess_rhythm(annotations, None, gate=1.0)
    af = kind == "af"
    assert marked.in_af[af].mean() > (0.75 if joined else -1)
    assert marked.in_af[af].any() == joined
    assert not marked.in_af[kind == "noise"].any()
    assert not marked.in_af[kind == "sinus"][5:-5].any()
    assert (marked.af_episode == marked.in_af).all()
    # one episode, reported across the noise; the noise is not AF time
    summary = marked.summary()
    assert len(summary["af_episodes_s"]) == int(joined)
    if joined:
        ((start, end),) = summary["af_episodes_s"]
        first, last = np.flatnonzero(marked.in_af)[[0, -1]]
        assert (start, end) == (marked.time_s[first], marked.time_s[last])
        parts = np.flatnonzero(np.diff(np.r_[0, marked.in_af.astype(int), 0])).reshape(-1, 2)
        in_af_s = sum(marked.time_s[b - 1] - marked.time_s[a] for a, b in parts)
        assert in_af_s < end - start
        assert summary["af_burden_percent"] == pytest.approx(100 * in_af_s / summary["analysed_s"])


@pytest.mark.parametrize(("gap_s", "joined"), [(6, True), (14, False)])
def test_af_continues_across_a_gap_of_at_most_10_s(gap_s, joined):
    rng = np.random.default_rng(7)
    rr = np.concatenate([np.full(75, 0.8), rng.uniform(0.4, 1.0, 29), [gap_s + 0.7],
                         rng.uniform(0.4, 1.0, 29), np.full(75, 0.8)])  # fmt: skip
    annotations = _annotations(rr, np.zeros(rr.size + 1, int))
    last_before = int(annotations.sample[75 + 29])
    gap = np.array([[last_before + int(0.35 * FS), last_before + int((gap_s + 0.35) * FS)]])
    marked = assess_rhythm(dataclasses.replace(annotations, gaps=gap), None, gate=1.0)
    af = np.zeros(rr.size + 1, dtype=bool)
    af[76:135] = True
    assert marked.in_af[af].any() == joined
    assert marked.in_af[af].mean() > (0.75 if joined else -1)
    assert not marked.in_af[~af][5:-5].any()


@pytest.mark.parametrize(("gap_s", "episodes"), [(6.0, 1), (300.0, 2)])
def test_af_on_both_sides_of_a_gap_is_one_episode_only_across_10_s(gap_s, episodes):
    # 5 minutes of lead-off inside AF were listed inside one episode and counted as AF:
    # a burden of 323 % of the analysed time
    rng = np.random.default_rng(8)
    rr = np.concatenate([rng.uniform(0.4, 1.0, 90), [gap_s], rng.uniform(0.4, 1.0, 90)])
    annotations = _annotations(rr, np.zeros(rr.size + 1, int))
    after = int(annotations.sample[90])
    gap = np.array([[after + 100, int(annotations.sample[91]) - 100]])
    summary = assess_rhythm(dataclasses.replace(annotations, gaps=gap), None, gate=1.0).summary()
    assert len(summary["af_episodes_s"]) == episodes
    time_s = annotations.time_s
    in_af_s = (time_s[90] - time_s[0]) + (time_s[-1] - time_s[91])
    assert summary["af_burden_percent"] == pytest.approx(100 * in_af_s / summary["analysed_s"])
    assert summary["af_burden_percent"] <= 100


def _pieced(parts, rng):
    """Annotations of ``parts``, ("sinus"|"af"|"noise"|"gap", seconds) in order, and each
    beat's part: sinus at 0.8 s, AF at 0.4-1.0 s, noise beats (flagged, unlabelled) at
    0.2-0.6 s, gaps with no samples."""
    t, samples, kinds, gaps = 1.0, [], [], []
    for kind, seconds in parts:
        if kind == "gap":
            gaps.append([round((t + 0.3) * FS), round((t + seconds - 0.3) * FS)])
            t += seconds
            continue
        end = t + seconds
        while t < end:
            samples.append(round(t * FS))
            kinds.append(kind)
            t += {"sinus": 0.8, "af": rng.uniform(0.4, 1.0), "noise": rng.uniform(0.2, 0.6)}[kind]
    noise = np.array(kinds) == "noise"
    annotations = _annotations(np.diff(samples) / FS, np.where(noise, -1, 0))
    annotations = dataclasses.replace(
        annotations, sample=np.array(samples, dtype=np.int64),
        flag=np.where(noise, "noise", annotations.flag), n_samples=round((t + 1) * FS),
        gaps=np.array(gaps, dtype=np.int64).reshape(-1, 2) if gaps else None,
    )  # fmt: skip
    return annotations, np.array(kinds)


@st.composite
def _pieced_recordings(draw):
    """Annotations of sinus rhythm, AF, noise beats and gaps in any order, 2-90 s each."""
    kinds = st.sampled_from(["sinus", "af", "noise", "gap"])
    parts = draw(st.lists(st.tuples(kinds, st.floats(2, 90)), min_size=1, max_size=8))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    assume(any(kind != "gap" for kind, _ in parts))  # a part of 2 s has two beats or more
    return _pieced(parts, rng)[0]


@settings(max_examples=200, deadline=None)
@given(annotations=_pieced_recordings())
def test_summary_af_episodes_and_times_stay_consistent(annotations):
    summary = assess_rhythm(annotations, None, gate=1.0).summary()
    assert 0 <= summary["analysed_s"] <= summary["recorded_s"] + 1e-9
    assert summary["recorded_s"] <= summary["duration_s"] + 1e-9
    burden = summary["af_burden_percent"]
    assert burden is None or 0 <= burden <= 100 + 1e-9
    episodes = summary["af_episodes_s"]
    assert all(end < start for (_, end), (start, _) in itertools.pairwise(episodes))
    long_recording = (annotations.sample[-1] - annotations.sample[0]) / FS >= 30
    gaps = annotations.gaps if annotations.gaps is not None else np.zeros((0, 2))
    for start, end in episodes:
        # no V beat here, so no ventricular run splits an episode under 30 s
        assert end - start >= (30 - 1e-9 if long_recording else 0)
        inside = (gaps[:, 0] >= start * FS) & (gaps[:, 1] <= end * FS)
        assert ((gaps[inside, 1] - gaps[inside, 0]) / FS <= 10).all()
