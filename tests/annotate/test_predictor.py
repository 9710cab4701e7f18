import copy
import dataclasses
import json

import numpy as np
import pytest
import torch
import wfdb

from ecgkit.annotate import BeatAnnotations, BeatRecipe, Predictor, pick_beats_to_show, write_report
from ecgkit.data import BEAT_SYMBOLS, load_example
from ecgkit.data.records import Record
from ecgkit.explain import GradCAM
from ecgkit.signal import RATE_HALF_WINDOW, RATE_RELIABLE_BPM
from ecgkit.train.batchnorm import array_batches, recording_statistics

from .conftest import make_recipe


def test_recipe_round_trips_through_json_and_refuses_another_format(recipe):
    assert BeatRecipe.from_json(json.loads(json.dumps(recipe.to_json()))) == recipe
    with pytest.raises(ValueError, match="format 99"):
        BeatRecipe.from_json({**recipe.to_json(), "format": 99}, source="x.json")
    with pytest.raises(ValueError, match="incomplete"):
        BeatRecipe.from_json({"format": 1, "fs": 360.0}, source="x.json")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fs": 0.0}, "fs must be"),
        ({"leads": ()}, "leads must"),
        ({"rr_features": ("bogus",)}, "rr_features"),
        ({"class_priors": (1.0,)}, "class_priors"),
        ({"prior_adjustment": 2.0}, "prior_adjustment"),
        ({"normalize": "bogus"}, "normalize"),
        ({"decision_weights": (1.0, 1.0)}, "decision_weights has 2 values for 4 classes"),
        ({"decision_weights": (1.0, 0.0, 1.0, 1.0)}, r"decision_weights\['S'\]"),
        ({"decision_weights": (1.0, 1.0, float("nan"), 1.0)}, r"decision_weights\['V'\]"),
    ],
)
def test_recipe_refuses_bad_values(changes, message):
    with pytest.raises(ValueError, match=message):
        make_recipe(**changes)


def test_annotations_have_one_row_per_beat_and_flagged_rows_unclassified(predictor):
    record, _ = load_example("119")
    beats = predictor.annotate(record)
    assert beats.probabilities.shape == (len(beats), 4)
    ok = beats.flag == ""
    np.testing.assert_allclose(beats.probabilities[ok].sum(axis=1), 1, atol=1e-5)
    assert np.isnan(beats.probabilities[~ok]).all()
    assert (beats.label[~ok] == -1).all()
    assert sum(beats.counts().values()) == len(beats)
    summary = beats.summary()
    assert 50 < summary["mean_heart_rate_bpm"] < 120
    assert summary["duration_s"] == pytest.approx(300.0)


def test_chunked_annotation_equals_one_pass(predictor, long_record):
    one = predictor.annotate(long_record, chunk_s=None)
    chunked = predictor.annotate(long_record, chunk_s=650.0)
    np.testing.assert_array_equal(chunked.sample, one.sample)
    np.testing.assert_array_equal(chunked.label, one.label)
    np.testing.assert_allclose(chunked.probabilities, one.probabilities, atol=1e-5)


def test_predictor_refuses_a_model_that_does_not_fit_the_recipe(predictor):
    with pytest.raises(ValueError, match="classes"):
        Predictor(predictor.models, make_recipe(classes=("N", "V"), class_priors=(0.9, 0.1)))
    with pytest.raises(ValueError, match="channels"):
        Predictor(predictor.models, make_recipe(template=False))
    with pytest.raises(ValueError, match="at least one"):
        Predictor([], make_recipe())


def test_files_round_trip_csv_wfdb_and_summary(predictor, tmp_path):
    record, _ = load_example("208")
    beats = predictor.prepare(record)
    annotations = predictor.annotations_of(beats)
    files = write_report(annotations, beats, predictor, tmp_path, record=record)
    assert set(files) == {"beats", "wfdb", "summary", "figure"}
    read = wfdb.rdann(str(tmp_path / "208"), "ecgkit")
    np.testing.assert_array_equal(read.sample, annotations.sample)
    assert read.symbol == [
        "?" if name == "?" else name for name in annotations.class_names.tolist()
    ]
    rows = (tmp_path / "beats.csv").read_text().splitlines()
    assert rows[0] == (
        "sample,time_s,class,flag,rhythm,p_N,p_S,p_V,p_F,repeatability,noise_ratio,heart_rate_bpm"
    )
    assert len(rows) == len(annotations) + 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["n_beats"] == len(annotations)
    assert summary["af_episodes_s"] == []
    assert summary["af_burden_percent"] == 0.0
    assert files["figure"].stat().st_size > 10_000


def test_report_refuses_an_out_path_that_is_a_file(predictor, tmp_path):
    record, _ = load_example("100")
    beats = predictor.prepare(record)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        write_report(predictor.annotations_of(beats), beats, predictor, blocker, figure=False)


def test_beats_to_show_are_non_normal_spread_over_classes():
    label = np.array([0, 2, 2, 2, 1, 0, -1, 3])
    probs = np.full((8, 4), 0.25, dtype=np.float32)
    probs[6] = np.nan
    probs[3, 2] = 0.9
    annotations = BeatAnnotations(
        np.arange(8) * 300, label, probs, np.array([""] * 6 + ["edge", ""]),
        ("N", "S", "V", "F"), 360.0, 3000, "x", ("MLII",), "m",
    )  # fmt: skip
    shown = pick_beats_to_show(annotations, 3)
    assert set(label[shown]) == {1, 2, 3}
    assert 3 in shown.tolist()


def test_decision_weights_move_the_predictors_calls_and_old_recipes_read_without_them(
    predictor, recipe
):
    record, _ = load_example("208")
    plain = predictor.annotate(record)
    ok = plain.label >= 0
    # the class the (random) models call most, weighed down until it is never called
    most = int(np.bincount(plain.label[ok]).argmax())
    weights = tuple(1e-6 if i == most else 1.0 for i in range(len(recipe.classes)))
    weighed_recipe = make_recipe(decision_weights=weights)
    weighed = Predictor(predictor.models, weighed_recipe).annotate(record)
    np.testing.assert_array_equal(weighed.label >= 0, ok)
    assert not (weighed.label[ok] == most).any()
    np.testing.assert_allclose(weighed.probabilities[ok].sum(axis=1), 1.0, rtol=1e-5)
    values = weighed_recipe.to_json()
    assert BeatRecipe.from_json(json.loads(json.dumps(values))) == weighed_recipe
    del values["decision_weights"]
    assert BeatRecipe.from_json(values).decision_weights == ()


def test_recordings_own_batchnorm_statistics_change_the_calls_not_the_models(predictor):
    record, _ = load_example("119")
    plain = predictor.annotate(record)
    states = [copy.deepcopy(m.state_dict()) for m in predictor.models]
    recipe = dataclasses.replace(predictor.recipe, adapt_batchnorm=True)
    adapted = Predictor(predictor.models, recipe).annotate(record)
    ok = plain.label >= 0
    np.testing.assert_array_equal(adapted.label >= 0, ok)
    assert np.abs(adapted.probabilities[ok] - plain.probabilities[ok]).max() > 1e-3
    for model, state in zip(predictor.models, states, strict=True):
        for key, value in state.items():
            torch.testing.assert_close(model.state_dict()[key], value, rtol=0, atol=0)
    np.testing.assert_array_equal(predictor.annotate(record).probabilities, plain.probabilities)
    values = recipe.to_json()
    assert BeatRecipe.from_json(json.loads(json.dumps(values))) == recipe
    del values["adapt_batchnorm"]
    assert not BeatRecipe.from_json(values).adapt_batchnorm


def test_explanations_use_the_statistics_the_beats_were_classified_with(predictor):
    record, _ = load_example("119")
    recipe = dataclasses.replace(predictor.recipe, adapt_batchnorm=True)
    adapted = Predictor(predictor.models, recipe)
    beats = adapted.prepare(record)
    index = np.flatnonzero(beats.classifiable)[:4]
    target = np.array([0, 1, 2, 3])
    maps = adapted.explain(beats, index, target)
    plain = predictor.explain(beats, index, target)
    assert np.abs(maps - plain).max() > 1e-3
    # by hand: each member inside the recording's statistics, the mean peak-normalised
    keep = np.flatnonzero(beats.classifiable)
    inputs = [beats.windows[keep], beats.rr[keep]]
    by_hand = []
    for model in predictor.models:
        with recording_statistics(model, array_batches(inputs, 256, torch.device("cpu"))):
            by_hand.append(
                GradCAM(model).attribute(
                    beats.windows[index], target, extra_inputs=(torch.from_numpy(beats.rr[index]),)
                )
            )
    mean = np.mean(by_hand, axis=0)
    np.testing.assert_allclose(maps, mean / mean.max(axis=1, keepdims=True), atol=1e-5)
    np.testing.assert_array_equal(predictor.explain(beats, index, target), plain)


def test_each_context_block_gets_its_own_batchnorm_statistics(predictor):
    record, _ = load_example("119")
    adapted = Predictor(
        predictor.models, dataclasses.replace(predictor.recipe, adapt_batchnorm=True)
    )
    beats = adapted.prepare(record)
    half = len(beats) // 2
    two_blocks = dataclasses.replace(beats, block=(np.arange(len(beats)) >= half).astype(np.int64))
    both = adapted.probabilities(two_blocks)

    def part(rows: slice):
        fields = ("sample", "windows", "rr", "flag", "block")
        return dataclasses.replace(beats, **{f: getattr(beats, f)[rows] for f in fields})

    first, second = (
        adapted.probabilities(part(slice(None, half))),
        adapted.probabilities(part(slice(half, None))),
    )
    np.testing.assert_allclose(both, np.concatenate([first, second]), atol=1e-6)
    assert np.nanmax(np.abs(both - adapted.probabilities(beats))) > 1e-3


@pytest.mark.parametrize("fill", [0.0, np.nan])
def test_a_dropout_changes_no_label_away_from_it_nor_the_heart_rate(fill):
    # 10 s of a lead off (zeros) or missing samples (NaN) in 5 minutes of record 208
    predictor = Predictor.from_pretrained()
    record, _ = load_example("208")
    lead = np.asarray(record.signal[:, :1], dtype=np.float64)
    whole = predictor.annotate(lead, fs=360.0, axis=0)
    cut = lead.copy()
    cut[60 * 360 : 70 * 360] = fill
    annotations = predictor.annotate(cut, fs=360.0, axis=0)
    summary = annotations.summary()
    assert summary["gaps_s"] == [[60.0, 70.0]]
    assert summary["recorded_s"] == pytest.approx(whole.duration_s - 10.0)
    assert summary["mean_heart_rate_bpm"] == pytest.approx(
        whole.summary()["mean_heart_rate_bpm"], abs=1.0
    )
    assert summary["unclassified_reasons"].get("gap", 0) >= 1
    before = dict(zip(whole.sample.tolist(), whole.class_names.tolist(), strict=True))
    away = (annotations.sample < 59 * 360) | (annotations.sample >= 71 * 360)
    labels = annotations.class_names[away].tolist()
    assert labels == [before[s] for s in annotations.sample[away].tolist()]


def test_given_beats_inside_a_gap_are_kept_flagged_and_assessed(predictor):
    # reference beats of record 100 given, 8 s of the lead missing (NaN) under some of them
    record, reference = load_example("100")
    signal = np.asarray(record.signal, dtype=np.float64).copy()
    signal[100 * 360 : 108 * 360] = np.nan
    peaks = reference.select(BEAT_SYMBOLS).sample
    cut = Record(signal, 360.0, record.lead_names, "100-missing")
    annotations = predictor.annotate(cut, peaks=peaks)
    np.testing.assert_array_equal(annotations.sample, peaks)
    inside = (peaks >= 100 * 360) & (peaks < 108 * 360)
    assert inside.any()
    assert (annotations.flag[inside] == "gap").all()
    assert annotations.in_af is not None
    assert annotations.in_af.shape == peaks.shape


def test_time_lost_to_noise_runs_from_the_beat_before_to_the_beat_after():
    # a beat each second at 100 Hz; a gap from 10.5 to 12.5 s
    sample = np.array([50 + 100 * i for i in range(20) if not 10 <= i <= 11])
    n = sample.size
    flag = np.full(n, "", dtype="<U9")
    time = sample / 100
    flag[time < 2.6] = "noise"  # the first three beats: from the start to the fourth
    flag[(time > 8) & (time < 10)] = "noise"  # the two before the gap: to the gap
    flag[time == 15.5] = "noise"  # one beat: from the one before to the one after
    label = np.where(flag == "noise", -1, 0)
    annotations = BeatAnnotations(
        sample, label, np.full((n, 4), 0.25, np.float32), flag, ("N", "S", "V", "F"), 100.0,
        2000, "noisy", ("MLII",), "m", gaps=np.array([[1050, 1250]]),
    )  # fmt: skip
    expected = (3.5 - 0.0) + (10.5 - 7.5) + (16.5 - 14.5)
    assert annotations.noise_s == pytest.approx(expected)
    assert annotations.analysed_s == pytest.approx(20.0 - 2.0 - expected)
    summary = annotations.summary()
    assert summary["noise_s"] == pytest.approx(expected)
    assert summary["per_hour"]["N"] == pytest.approx(
        (label == 0).sum() / (annotations.analysed_s / 3600)
    )
    clean = dataclasses.replace(annotations, flag=np.full(n, "", dtype="<U9"))
    assert clean.noise_s == 0.0
    assert clean.analysed_s == clean.recorded_s


def test_annotate_says_once_which_lead_it_took(predictor):
    # the lead is chosen for the model's input and again for the rhythm's lead
    import warnings

    record, _ = load_example("100")
    lead = np.asarray(record.signal[: 30 * 360, 0], dtype=np.float64)
    pleth = np.sin(2 * np.pi * 1.2 * np.arange(lead.size) / 360)
    two = Record(np.column_stack([pleth, lead]), 360.0, ("Pleth", "ECG"), "psg")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        annotations = predictor.annotate(two)
    about_lead = [w for w in caught if "does not name" in str(w.message)]
    assert len(about_lead) == 1
    assert "using 'ECG'" in str(about_lead[0].message)
    assert annotations.lead_names == ("ECG",)


@pytest.mark.parametrize("mains_hz", [50.0, 60.0])
def test_mains_hum_is_notched_out_and_changes_no_label(mains_hz):
    # record 201 (AF, DS1) with 1 mV of mains hum: 52 of its N beats were called S at 50 Hz
    # and 14 more V at 60 Hz, without a word; the line is notched out now, and said so
    predictor = Predictor.from_pretrained()
    lead = np.asarray(load_example("201")[0].signal[: 180 * 360, :1], dtype=np.float64)
    clean = predictor.annotate(lead, fs=360.0, axis=0)
    assert clean.mains_hz == ()
    time = np.arange(lead.shape[0]) / 360.0
    hum = np.sin(2 * np.pi * mains_hz * time + 0.3)[:, None]
    hummed = predictor.annotate(lead + hum, fs=360.0, axis=0)
    assert hummed.mains_hz == (mains_hz,)
    assert hummed.summary()["mains_hz"] == [mains_hz]
    assert hummed.sample.shape == clean.sample.shape
    assert np.abs(hummed.sample - clean.sample).max() <= 2
    assert np.mean(hummed.label == clean.label) >= 0.99
    # the P waves the rhythm is read from (44 of 269 lost with the model's lead alone notched)
    assert np.array_equal(hummed.p_waves_absent, clean.p_waves_absent)
    # the same recording at 1000 Hz: measured and notched at the model's rate
    fast = np.interp(np.arange(round(time[-1] * 1000)) / 1000, time, lead[:, 0])
    fast_hum = np.sin(2 * np.pi * mains_hz * np.arange(fast.size) / 1000 + 0.3)
    assert predictor.annotate(fast + fast_hum, fs=1000.0).mains_hz == (mains_hz,)


def test_spikes_are_bridged_before_filtering_and_change_no_label():
    # 20 spikes of 5-30 mV, 1-20 ms, in 3 minutes of record 208 (DS1): before, they were
    # taken for beats and rang into the windows around them (DS1 excerpts: 357 of 5,196
    # labels changed, 270 beats lost, 381 false detections)
    predictor = Predictor.from_pretrained()
    lead = np.asarray(load_example("208")[0].signal[: 180 * 360, 0], dtype=np.float64)
    clean = predictor.annotate(lead, fs=360.0)
    assert clean.n_spikes == 0
    spiked = lead.copy()
    rng = np.random.default_rng(4)
    for at in np.sort(rng.choice(np.arange(500, lead.size - 500, 400), 20, replace=False)):
        spiked[at : at + rng.integers(1, 8)] += rng.uniform(5, 30) * rng.choice([-1, 1])
    annotations = predictor.annotate(spiked, fs=360.0)
    assert annotations.n_spikes == annotations.summary()["spikes_removed"] == 20
    assert np.array_equal(annotations.sample, clean.sample)
    assert np.mean(annotations.label == clean.label) >= 0.99


def test_the_summary_counts_the_beats_that_reach_a_rail():
    predictor = Predictor.from_pretrained()
    lead = np.asarray(load_example("201")[0].signal[: 120 * 360, 0], dtype=np.float64)
    assert predictor.annotate(lead, fs=360.0).summary()["clipped_beats"] < 5  # 1: its lowest
    with pytest.warns(UserWarning, match="looks clipped"):
        clipped = predictor.annotate(np.clip(lead, -0.4, 0.4), fs=360.0)
    assert clipped.summary()["clipped_beats"] == clipped.n_clipped > len(clipped) // 2


@pytest.mark.parametrize("record", ["203", "201"])
def test_spikes_and_steps_are_taken_out_of_the_lead_the_p_waves_are_read_from(record):
    # the P-wave measure reads the recording's own lead: left there, the spikes took the P
    # waves of 29 of 203's beats and the steps those of 8 of 201's
    predictor = Predictor.from_pretrained()
    lead = np.asarray(load_example(record)[0].signal[: 180 * 360, 0], dtype=np.float64)
    clean = predictor.annotate(lead, fs=360.0)
    if record == "203":
        artefact = lead.copy()
        rng = np.random.default_rng(4)
        for at in np.sort(rng.choice(np.arange(500, lead.size - 500, 400), 20, replace=False)):
            artefact[at : at + rng.integers(1, 8)] += rng.uniform(5, 30) * rng.choice([-1, 1])
    else:
        artefact = lead + 2.0 * (np.floor(np.arange(lead.size) / 360.0 / 20.0 + 0.3) % 2)
    annotations = predictor.annotate(artefact, fs=360.0)
    assert annotations.n_spikes + annotations.n_steps > 0
    assert np.array_equal(annotations.p_waves_absent, clean.p_waves_absent)


def test_baseline_steps_are_subtracted_before_filtering_and_change_no_label():
    # 2 mV steps every 20 s in 3 minutes of record 208 (DS1): each rang through the
    # high-pass for a second (DS1 excerpts: 168 of 5,196 labels changed, 120 false beats)
    predictor = Predictor.from_pretrained()
    lead = np.asarray(load_example("208")[0].signal[: 180 * 360, 0], dtype=np.float64)
    clean = predictor.annotate(lead, fs=360.0)
    assert clean.n_steps == 0
    stepped = lead + 2.0 * (np.floor(np.arange(lead.size) / 360.0 / 20.0 + 0.3) % 2)
    annotations = predictor.annotate(stepped, fs=360.0)
    assert annotations.summary()["steps_removed"] == annotations.n_steps >= 7
    assert np.array_equal(annotations.sample, clean.sample)
    assert np.mean(annotations.label == clean.label) >= 0.99


def test_a_burst_of_noise_a_few_beats_long_is_flagged_and_nothing_away_from_it(predictor):
    # 2-s bursts of 3 mV white noise every 30 s on record 119's excerpt (bigeminy: every
    # other beat ventricular), at the reference beats: before the per-beat measure, the
    # beats inside were neither noise nor less reliable, and took other labels
    record, reference = load_example("119")
    peaks = reference.select(BEAT_SYMBOLS).sample
    clean = predictor.annotate(record, peaks=peaks)
    assert (clean.flag == "").all()
    assert clean.less_reliable is not None
    assert not clean.less_reliable.any()
    signal = np.asarray(record.signal, dtype=np.float64).copy()
    rng = np.random.default_rng(5)
    starts = np.arange(30, 300, 30) * 360
    for start in starts:
        signal[start : start + 720, 0] += rng.normal(0, 3.0, 720)
    noisy = predictor.annotate(Record(signal, 360.0, record.lead_names, "119-bursts"), peaks=peaks)
    offset = (peaks[:, None] - starts[None, :]) / 360.0
    inside = ((offset >= 0) & (offset < 2)).any(axis=1)
    away = ~((offset > -0.5) & (offset < 2.3)).any(axis=1)
    assert inside.sum() > 10
    assert (noisy.flag[inside] == "noise").mean() > 0.95
    assert noisy.noise_ratio is not None
    assert (noisy.noise_ratio[away] < 5.0).all()
    assert (noisy.flag[away] != "noise").all()
    # both measures make a label less reliable, and only classified beats count
    assert noisy.repeatability is not None
    assert not noisy.fast.any()  # 119's rhythm is slower than RATE_RELIABLE_BPM
    expected = ((noisy.repeatability < 0.8) | (noisy.noise_ratio >= 5.0)) & (noisy.label >= 0)
    np.testing.assert_array_equal(noisy.less_reliable, expected)
    assert noisy.summary()["less_reliable_beats"] == int(expected.sum())


def _beats_at(intervals_s, flag=None, gaps=None, fs=360.0):
    """Classified beats (all N but the last, unclassified) at the given intervals."""
    sample = np.round(np.cumsum(np.r_[1.0, intervals_s]) * fs).astype(np.int64)
    label = np.zeros(sample.size, dtype=np.int64)
    label[-1] = -1
    probabilities = np.full((sample.size, 4), 0.25, dtype=np.float32)
    flag = np.full(sample.size, "", dtype="<U9") if flag is None else flag
    return BeatAnnotations(
        sample, label, probabilities, flag, ("N", "S", "V", "F"), fs,
        int(sample[-1] + fs), "x", ("MLII",), "m", gaps=gaps,
    )  # fmt: skip


def test_beats_in_a_fast_rhythm_are_less_reliable_and_a_short_run_or_a_pause_is_not():
    # 75 bpm, a premature beat and its pause, 20 beats at 150 bpm, three at 150 bpm, 75 bpm
    intervals = np.r_[
        [0.8] * 10, 0.5, 1.1, [0.8] * 10, [0.4] * 20, [0.8] * 10, [0.4] * 3, [0.8] * 10
    ]
    annotations = _beats_at(intervals)
    rate = annotations.heart_rate_bpm
    run = np.arange(22 + RATE_HALF_WINDOW + 1, 42 - RATE_HALF_WINDOW)
    np.testing.assert_allclose(rate[run], 150.0)
    fast = annotations.fast
    assert fast[run].all()
    assert not fast[:20].any()  # the premature beat and its pause do not move the rate
    assert not fast[48:].any()  # nor three fast beats
    assert not fast[-1]  # an unclassified beat is not counted
    np.testing.assert_array_equal(fast, (rate >= RATE_RELIABLE_BPM) & (annotations.label >= 0))
    np.testing.assert_array_equal(annotations.less_reliable, fast)
    summary = annotations.summary()
    assert summary["fast_beats"] == summary["less_reliable_beats"] == int(fast.sum()) > 10
    # one fast stretch, from its first to its last beat; the extremes of the rate
    flagged = np.flatnonzero(rate >= RATE_RELIABLE_BPM)
    assert np.all(np.diff(flagged) == 1)
    time_s = annotations.time_s
    assert summary["fast_s"] == [[time_s[flagged[0]], time_s[flagged[-1]]]]
    assert summary["fastest_heart_rate_bpm"] == pytest.approx(150.0)
    assert summary["slowest_heart_rate_bpm"] == pytest.approx(75.0)
    assert summary["fastest_heart_rate_at_s"] == time_s[np.argmax(rate)]
    assert summary["slowest_heart_rate_at_s"] == time_s[np.argmin(rate)]


def test_the_heart_rate_takes_no_interval_across_a_gap_or_to_a_noise_beat(tmp_path):
    intervals = np.r_[[0.8] * 10, [0.4] * 6, [0.8] * 10]  # 150 bpm between beats 10 and 16
    assert _beats_at(intervals).fast.any()
    # every fast interval touches a noise beat
    flag = np.full(intervals.size + 1, "", dtype="<U9")
    flag[[11, 13, 15]] = "noise"
    noisy = _beats_at(intervals, flag=flag)
    np.testing.assert_allclose(noisy.heart_rate_bpm, 75.0)
    assert not noisy.fast.any()
    # every fast interval crosses a gap
    sample = noisy.sample
    gaps = np.stack([sample[10:16] + 5, sample[11:17] - 5], axis=1)
    gapped = _beats_at(intervals, gaps=gaps)
    np.testing.assert_allclose(gapped.heart_rate_bpm, 75.0)
    assert gapped.summary()["fast_s"] == []
    # a fast run that a gap cuts is two stretches
    cut = _beats_at(intervals, gaps=np.array([[sample[13] + 5, sample[14] - 5]]))
    assert len(cut.summary()["fast_s"]) == 2
    # no interval, no rate
    alone = _beats_at(np.array([0.8]), flag=np.array(["", "noise"]))
    assert alone.summary()["fastest_heart_rate_bpm"] is None
    assert alone.summary()["slowest_heart_rate_at_s"] is None
    # the CSV's last column
    lines = _beats_at(intervals).to_csv(tmp_path / "beats.csv").read_text().splitlines()
    assert lines[0].endswith(",heart_rate_bpm")
    assert lines[1].endswith(",75.0")
    assert lines[14].endswith(",150.0")
