import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.annotate import as_record, prepare_beats, select_leads
from ecgkit.data import BEAT_SYMBOLS, load_example
from ecgkit.data.records import Record
from ecgkit.signal import RR_FEATURES, resample, rr_features

from ..synthetic import paced_ecg
from .conftest import make_recipe


def test_chunked_preparation_equals_one_pass_with_no_beat_lost_or_doubled(long_record, recipe):
    one = prepare_beats(long_record, recipe, chunk_s=None)
    for chunk_s in (600.0, 700.0):
        chunked = prepare_beats(long_record, recipe, chunk_s=chunk_s)
        np.testing.assert_array_equal(chunked.sample, one.sample)
        np.testing.assert_array_equal(chunked.flag, one.flag)
        np.testing.assert_allclose(chunked.windows, one.windows, atol=1e-5)
        np.testing.assert_array_equal(chunked.rr, one.rr)
        assert chunked.n_duplicates == 0


def test_detected_beats_match_the_reference_annotations(recipe):
    record, annotations = load_example("119")
    beats = prepare_beats(record, recipe)
    reference = annotations.select(BEAT_SYMBOLS).sample
    assert abs(len(beats) - reference.size) <= 2
    nearest = np.abs(beats.sample[:, None] - reference[None, :]).min(axis=1)
    assert np.mean(nearest <= 0.15 * 360) > 0.99
    assert beats.windows.shape == (len(beats), 2, recipe.window_samples)
    assert beats.rr.shape == (len(beats), len(recipe.rr_features))


def test_given_peaks_are_kept_exactly_and_edge_beats_are_flagged(recipe):
    record, annotations = load_example("100")
    peaks = annotations.select(BEAT_SYMBOLS).sample
    peaks = np.concatenate(([10], peaks[(peaks > 200) & (peaks < record.n_samples - 200)]))
    beats = prepare_beats(record, recipe, peaks=peaks, chunk_s=600.0)
    np.testing.assert_array_equal(beats.sample, peaks)
    assert beats.flag[0] == "edge"
    assert (beats.flag[1:] == "").all()


@pytest.mark.parametrize("fs_out", [128.0, 250.0, 500.0])
def test_any_sampling_rate_gives_windows_at_the_model_rate(recipe, fs_out):
    record, annotations = load_example("100")
    signal = resample(record.signal, 360.0, fs_out, axis=0)
    beats = prepare_beats(Record(signal, fs_out, ("MLII",), "100"), recipe)
    reference = annotations.select(BEAT_SYMBOLS).sample / 360.0
    assert beats.windows.shape[2] == recipe.window_samples
    times = beats.sample / fs_out
    nearest = np.abs(times[:, None] - reference[None, :]).min(axis=1)
    assert np.mean(nearest <= 0.15) > 0.98
    assert abs(len(beats) - reference.size) <= 3


@pytest.mark.parametrize("fs_in", [40.0, 50.0, 64.0])
def test_a_rate_under_the_checked_range_is_warned_about(recipe, fs_in):
    record, _ = load_example("100")
    signal = resample(record.signal, 360.0, fs_in, axis=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare_beats(Record(signal, fs_in, ("MLII",), "100"), recipe)
    low = [w for w in caught if "lowest rate at which the shipped model" in str(w.message)]
    assert len(low) == (1 if fs_in < 50 else 0)
    if low:
        assert "100: 40 Hz is under 50 Hz" in str(low[0].message)


def test_flat_signal_gives_no_classifiable_beat(recipe):
    beats = prepare_beats(np.full(360 * 60, 1.0), recipe, fs=360.0)
    assert not beats.classifiable.any()


def _with_dropout(record_id, start_s, stop_s, fill):
    record, _ = load_example(record_id)
    signal = np.asarray(record.signal, dtype=np.float64).copy()
    signal[round(start_s * 360) : round(stop_s * 360)] = fill
    return record, Record(signal, 360.0, record.lead_names, f"{record_id}-dropout")


@pytest.mark.parametrize("fill", [0.0, 1.5, np.nan])
def test_a_dropout_is_a_gap_no_interval_crosses(recipe, fill):
    # 10 s of a lead off (held at one value) or missing (NaN) in 5 minutes of 208
    record, cut = _with_dropout("208", 60.0, 70.0, fill)
    whole = prepare_beats(record, recipe)
    beats = prepare_beats(cut, recipe)
    np.testing.assert_array_equal(beats.gaps, [[60 * 360, 70 * 360]])
    assert whole.gaps.shape == (0, 2)
    assert not ((beats.sample >= 60 * 360) & (beats.sample < 70 * 360)).any()
    # windows that reach into the gap are flagged; the others as without the gap
    before, after = round(recipe.before_s * 360), round(recipe.after_s * 360)
    reaches = (beats.sample + after > 60 * 360) & (beats.sample - before < 70 * 360)
    assert (beats.flag[reaches] == "gap").all()
    # no beat made up at the gap's edges, none lost away from it
    assert np.isin(beats.sample, whole.sample).all()
    away = (whole.sample < 59.5 * 360) | (whole.sample >= 70.5 * 360)
    assert np.isin(whole.sample[away], beats.sample).all()
    kept = np.isin(whole.sample, beats.sample)
    np.testing.assert_array_equal(beats.flag[~reaches], whole.flag[kept][~reaches])
    # each side's local RR features are those of its beats alone: none spans the gap
    np.testing.assert_array_equal(beats.segment, (beats.sample >= 70 * 360).astype(int))
    rr = prepare_beats(record, make_recipe(rr_features=RR_FEATURES)).rr
    cut_rr = prepare_beats(cut, make_recipe(rr_features=RR_FEATURES)).rr
    local = [RR_FEATURES.index(n) for n in ("pre_rr_s", "post_rr_s", "rr_irregularity")]
    for side in (beats.segment == 0, beats.segment == 1):
        alone = rr_features(beats.sample[side], 360.0)
        np.testing.assert_allclose(cut_rr[side][:, local], alone[:, local], rtol=1e-6)
    assert cut_rr[:, RR_FEATURES.index("pre_rr_s")].max() < 3.0
    assert rr[:, RR_FEATURES.index("pre_rr_s")].max() < 3.0


def test_gaps_are_the_same_whatever_the_chunking(long_record, recipe):
    # a dropout across the border of the first 600-s chunk, and missing samples in another
    signal = np.asarray(long_record.signal, dtype=np.float64).copy()
    signal[595 * 360 : 610 * 360] = 0.0
    signal[1000 * 360 : 1000 * 360 + 40] = np.nan
    record = Record(signal, 360.0, long_record.lead_names, "joined-dropouts")
    one = prepare_beats(record, recipe, chunk_s=None)
    chunked = prepare_beats(record, recipe, chunk_s=600.0)
    expected = [[595 * 360, 610 * 360], [1000 * 360, 1000 * 360 + 40]]
    np.testing.assert_array_equal(one.gaps, expected)
    np.testing.assert_array_equal(chunked.gaps, expected)
    np.testing.assert_array_equal(chunked.sample, one.sample)
    np.testing.assert_array_equal(chunked.flag, one.flag)
    np.testing.assert_array_equal(chunked.rr, one.rr)


def test_a_beat_alone_between_two_gaps_has_no_rhythm(recipe):
    record, _ = load_example("100")
    signal = np.asarray(record.signal, dtype=np.float64).copy()
    # keep one beat (near 10.3 s in record 100) between two dropouts
    beats = prepare_beats(record, recipe)
    r = int(beats.sample[(beats.sample > 3600)][0])
    signal[r - 400 : r - 200] = signal[r + 200 : r + 800] = 0.0
    signal[: r - 400] = 0.0
    cut = prepare_beats(Record(signal, 360.0, record.lead_names, "alone"), recipe)
    lone = cut.sample[(cut.sample > r - 200) & (cut.sample < r + 200)]
    assert lone.size == 1
    assert cut.flag[cut.sample == lone[0]][0] in ("gap", "no-rhythm")
    assert np.isfinite(cut.rr[cut.classifiable]).all()


def test_a_samples_first_array_given_as_leads_first_names_the_fix(recipe):
    with pytest.raises(ValueError, match="pass axis=0"):
        as_record(np.zeros((3600, 2)), 360.0)
    assert as_record(np.zeros((3600, 2)), 360.0, axis=0).signal.shape == (3600, 2)


def test_lead_selection_by_name_synonym_choice_and_fallback():
    assert select_leads(("V1", "II"), ("MLII",)) == (1,)
    assert select_leads(("V1", "II"), ("MLII",), ["V1"]) == (0,)
    with pytest.warns(UserWarning, match="using .V1."):
        assert select_leads(("V1", "V2"), ("MLII",)) == (0,)
    assert select_leads(("lead0",), ("MLII",)) == (0,)
    with pytest.raises(ValueError, match="not in the recording"):
        select_leads(("V1",), ("MLII",), ["II"])


@pytest.mark.parametrize(
    "name",
    ["II", "ECG II", "ECG_II", "EKG II", "Lead-II", "II (mV)", "ECG II [mV]", "DII", "ML II"],
)
def test_lead_names_as_devices_write_them_are_found(name):
    # a V1 channel first: taking the first channel would be the wrong lead
    assert select_leads(("ECG V1", name), ("MLII",)) == (1,)
    assert select_leads(("ECG V1", name), ("MLII",), ["v1"]) == (0,)
    assert select_leads(("ECG V1", name), ("MLII",), ["ii"]) == (1,)


def test_a_channel_number_names_no_lead():
    # "ECG2" is the second channel of a recorder, not lead II
    with pytest.warns(UserWarning, match="using .ECG1."):
        assert select_leads(("ECG1", "ECG2"), ("MLII",)) == (0,)
    with pytest.raises(ValueError, match="names more than one lead"):
        select_leads(("II (mV)", "ECG II"), ("MLII",), ["lead ii"])


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("Pleth", "ECG"), 1),
        (("Resp", "SpO2", "EKG 2"), 2),
        (("EEG C3", "Thorax", "V5"), 2),
        (("Resp", "Pleth"), 0),
    ],
)
def test_without_the_models_lead_a_channel_named_like_an_ecg_is_taken(names, expected):
    # a polysomnogram's respiration channel first: annotate found "beats" at 77 bpm in a
    # 0.25-Hz sine, called 70 of them N and half the minute atrial fibrillation
    with pytest.warns(UserWarning, match=f"using '{names[expected]}'") as caught:
        assert select_leads(names, ("MLII",)) == (expected,)
    assert ("none of its channels is named like an ECG lead" in str(caught[0].message)) == (
        names == ("Resp", "Pleth")
    )


@pytest.mark.parametrize(
    ("name", "other"),
    [
        ("V1", True), ("aVF", True), ("III", True), ("MLIII", True), ("ECG V5 [mV]", True),
        ("MLII", False), ("II", False), ("DII", False), ("ECG II [mV]", False),
        ("ECG", False), ("lead0", False), ("ECG2", False), ("Resp", False),
    ],
)  # fmt: skip
def test_a_lead_is_another_only_where_its_name_says_which(name, other):
    from ecgkit.annotate.prepare import _is_other_lead

    assert _is_other_lead(name, "MLII") is other


@pytest.mark.parametrize("how", ["only lead", "chosen"])
def test_another_standard_lead_feeding_the_model_is_warned_about(recipe, how):
    # V1 classified by a model of MLII, with no word: on MIT-BIH DS2 V Se 83 -> 75 %
    record, _ = load_example("100")
    lead = np.asarray(record.signal[: 30 * 360, :1], dtype=np.float64)
    names, leads = (("V1",), None) if how == "only lead" else (("MLII", "V1"), ["V1"])
    signal = np.tile(lead, (1, len(names)))
    with pytest.warns(UserWarning, match=r"lead 'V1' feeds a model trained on 'MLII'"):
        prepare_beats(Record(signal, 360.0, names, "v1"), recipe, leads=leads)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("MLII", "ECG", "lead0"):  # its own lead, or one nothing is known of
            prepare_beats(Record(lead, 360.0, (name,), "ok"), recipe)
        prepare_beats(Record(np.tile(lead, (1, 2)), 360.0, ("V1", "II"), "ok"), recipe)


def test_a_model_lead_without_an_ecg_names_a_lead_that_has_one(recipe):
    # MLII off, V5 fine: 0 beats and a line of gaps, with no word that V5 holds the ECG
    record, _ = load_example("100")
    lead = np.asarray(record.signal[: 60 * 360, 0], dtype=np.float64)
    off = lead.copy()
    off[: 40 * 360] = 0.0
    names = ("MLII", "V5")
    with pytest.warns(UserWarning, match=r"'MLII' holds no ECG for 67% .*'V5' does: leads="):
        prepare_beats(Record(np.column_stack([off, lead]), 360.0, names, "off"), recipe)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for signal in (np.column_stack([lead, off]), np.column_stack([off, off])):
            prepare_beats(Record(signal, 360.0, names, "quiet"), recipe)
        # a channel not named as an ECG lead is not offered (a respiration trace)
        prepare_beats(Record(np.column_stack([off, lead]), 360.0, ("MLII", "Resp"), "r"), recipe)


def test_a_noisy_model_lead_names_a_lead_that_is_not(recipe):
    # MLII under 1 mV of white noise, V5 clean: 98 % of the beats noise and unclassified,
    # with no word that V5 holds a clean ECG
    record, _ = load_example("100")
    lead = np.asarray(record.signal[: 120 * 360, 0], dtype=np.float64)
    noisy = lead + np.random.default_rng(0).normal(0, 1.0, lead.size)
    other = np.roll(lead, 7)  # a second ECG lead: the same beats
    names = ("MLII", "V5")
    with pytest.warns(UserWarning, match=r"noise in 'MLII' .*'V5' is not noisy: leads=\['V5'\]"):
        prepare_beats(Record(np.column_stack([noisy, other]), 360.0, names, "n"), recipe)
    both = np.column_stack([noisy, other + np.random.default_rng(1).normal(0, 1.0, lead.size)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare_beats(Record(both, 360.0, names, "both"), recipe)
        # a channel not named as an ECG lead is not offered (a respiration trace repeats)
        prepare_beats(Record(np.column_stack([noisy, other]), 360.0, ("MLII", "Resp"), "r"), recipe)


def test_a_recording_in_uv_or_adc_units_read_as_mv_is_warned_about(recipe):
    # labelled as in mV (each beat is normalised), but with the spike and step searches
    # off (every jump of 1 "mV" or more) and hum of 0.01 mV notched as 2 "mV" of counts
    lead = np.asarray(load_example("100")[0].signal[: 60 * 360, 0], dtype=np.float64)
    for scaled in (1000 * lead, np.round(200 * lead + 1024)):
        with pytest.warns(UserWarning, match=r"span \d+ mV peak to peak .* units='uV'"):
            prepare_beats(Record(scaled[:, None], 360.0, ("MLII",), "u"), recipe)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare_beats(Record(5 * lead[:, None], 360.0, ("MLII",), "tall"), recipe)


def test_a_coarsely_rounded_recording_is_not_saturated_but_a_clipped_one_is(recipe):
    # rounded to 0.1 mV (one decimal in a CSV), the baseline holds a window's lowest value
    # for 80 ms and more: 165 of 208's 514 beats were flagged saturated
    record, _ = load_example("208")
    lead = np.asarray(record.signal[:, :1], dtype=np.float64)
    rounded = prepare_beats(Record(np.round(lead, 1), 360.0, ("MLII",), "r"), recipe)
    assert not (rounded.flag == "saturated").any()
    with pytest.warns(UserWarning, match="looks clipped"):
        clipped = prepare_beats(Record(np.clip(lead, -0.5, 0.5), 360.0, ("MLII",), "c"), recipe)
    assert (clipped.flag == "saturated").sum() > 100


def test_a_recording_clipped_at_its_peaks_is_warned_about_but_a_rounded_one_is_not(recipe):
    # R peaks cut at a rail: most beats hold it for a few samples, too short to flag, and
    # are classified from their clipped shape; rounded to 0.1 mV, 34 of 201's beats share
    # its lowest value for 2 samples or more, which is a rounding level, not a rail
    record, _ = load_example("201")
    lead = np.asarray(record.signal[:, 0], dtype=np.float64)
    middle = np.median(lead)
    low, high = np.quantile(lead, [0.001, 0.999])
    clipped = np.clip(lead, middle - 0.7 * (middle - low), middle + 0.7 * (high - middle))
    with pytest.warns(UserWarning, match=r"\d+ of \d+ beats reach .* looks clipped"):
        beats = prepare_beats(Record(clipped[:, None], 360.0, ("MLII",), "c"), recipe)
    assert (beats.flag == "").mean() > 0.9
    assert beats.n_clipped > 0.5 * len(beats)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for signal in (lead, np.round(lead, 1)):
            kept = prepare_beats(Record(signal[:, None], 360.0, ("MLII",), "r"), recipe)
            assert kept.n_clipped < 5


def test_peaks_must_be_sorted_integers_inside_the_recording(recipe):
    record, _ = load_example("100")
    with pytest.raises(ValueError, match="strictly increasing"):
        prepare_beats(record, recipe, peaks=np.array([500, 400]))
    with pytest.raises(ValueError, match="must lie in"):
        prepare_beats(record, recipe, peaks=np.array([record.n_samples]))
    with pytest.raises(TypeError, match="integer"):
        prepare_beats(record, recipe, peaks=np.array([1.5]))


@settings(max_examples=15, deadline=None)
@given(
    rate=st.sampled_from([250.0, 360.0, 500.0]),
    chunk_s=st.floats(min_value=600.0, max_value=900.0),
    n_beats=st.integers(min_value=3, max_value=400),
)
def test_given_peaks_are_returned_whatever_the_chunking(rate, chunk_s, n_beats):
    recipe = make_recipe(template=False)
    rng = np.random.default_rng(n_beats)
    n = int(rate * 1500)
    peaks = np.sort(rng.choice(np.arange(1, n - 1), size=n_beats, replace=False))
    peaks = peaks[np.concatenate(([True], np.diff(peaks) * 360.0 / rate >= 2))]
    signal = rng.normal(0, 0.3, n)
    one = prepare_beats(signal, recipe, fs=rate, peaks=peaks, chunk_s=None)
    chunked = prepare_beats(signal, recipe, fs=rate, peaks=peaks, chunk_s=chunk_s)
    np.testing.assert_array_equal(chunked.sample, peaks)
    np.testing.assert_array_equal(chunked.flag, one.flag)
    np.testing.assert_allclose(chunked.windows, one.windows, atol=1e-4)


def test_a_stretch_of_noise_is_flagged_and_no_interval_reaches_it(recipe):
    # a minute of 208 in which the lead picks up noise larger than its beats
    record, _ = load_example("208")
    signal = np.asarray(record.signal, dtype=np.float64).copy()
    noise = slice(60 * 360, 120 * 360)
    signal[noise, 0] = np.random.default_rng(3).normal(0, 1.0, 60 * 360)
    noisy = Record(signal, 360.0, record.lead_names, "208-noise")
    whole = prepare_beats(record, make_recipe(rr_features=RR_FEATURES))
    beats = prepare_beats(noisy, make_recipe(rr_features=RR_FEATURES))
    time = beats.sample / 360
    inside, away = (time > 65) & (time < 115), (time < 55) | (time > 125)
    assert inside.sum() > 20
    assert (beats.flag[inside] == "noise").mean() > 0.95
    assert not (beats.flag[away] == "noise").any()
    assert "noise" not in whole.flag
    # no interval starts or ends at a noise beat: the beat after the stretch has no
    # interval before it (its pre-RR is its post-RR, as after a gap), and the beats away
    # from the stretch keep the intervals they have without it
    pre, post = RR_FEATURES.index("pre_rr_s"), RR_FEATURES.index("post_rr_s")
    after = np.flatnonzero((beats.flag[:-1] == "noise") & (beats.flag[1:] != "noise")) + 1
    assert after.size
    np.testing.assert_array_equal(beats.rr[after, pre], beats.rr[after, post])
    # (the detector itself misses a few beats in the 5 s after the noise)
    far = (time < 55) | (time > 130)
    same = np.isin(whole.sample, beats.sample[far])
    np.testing.assert_allclose(
        beats.rr[far][:, [pre, post]], whole.rr[same][:, [pre, post]], rtol=1e-6
    )
    assert beats.rr[beats.classifiable, pre].max() < 3.0


def test_a_recording_of_noise_gives_no_classified_beat(recipe):
    noise = np.random.default_rng(4).normal(0, 1.0, 360 * 120)
    beats = prepare_beats(noise, recipe, fs=360.0)
    assert beats.sample.size > 20
    assert not beats.classifiable.any()
    assert (beats.flag == "noise").mean() > 0.9


def test_paced_beats_are_flagged_and_warned_about_and_unpaced_ones_are_not(recipe):
    # 500 Hz, the spikes in the second lead only (a lead the model does not read)
    paced, _, _ = paced_ecg(75, paced=tuple(range(10, 75)))
    unpaced, _, _ = paced_ecg(75, paced=())
    names = ("MLII", "V1")
    with pytest.warns(UserWarning, match=r"pacemaker spike precedes \d+ of \d+ beats"):
        beats = prepare_beats(Record(np.column_stack([unpaced, paced]), 500.0, names, "p"), recipe)
    assert 60 <= (beats.flag == "paced").sum() <= 65
    assert not (beats.flag[:8] == "paced").any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = prepare_beats(
            Record(np.column_stack([unpaced, unpaced]), 500.0, names, "u"), recipe
        )
    assert not (plain.flag == "paced").any()


def test_a_heart_rate_no_heart_has_is_warned_about_as_a_wrong_rate_or_missed_beats(recipe):
    # MIT-BIH 100 (about 74 bpm) declared at a third of its rate reads 25 bpm; at its own
    # rate, and at two thirds of it (50 bpm), nothing is said
    record, _ = load_example("100")
    lead = np.asarray(record.signal[:, :1], dtype=np.float64)
    with pytest.warns(UserWarning, match=r"median heart rate is 24\.7 bpm, slower than 30 bpm"):
        prepare_beats(Record(lead, 120.0, ("MLII",), "slow"), recipe)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fs in (360.0, 240.0):
            prepare_beats(Record(lead, fs, ("MLII",), "r"), recipe)
    # a synthetic QRS every 150 ms (400 bpm), beats given: no heart's either
    fast, peaks, _ = paced_ecg(30, rr_s=0.15, paced=())
    with pytest.warns(UserWarning, match=r"median heart rate is 400 bpm, faster than 300 bpm"):
        prepare_beats(Record(fast[:, None], 500.0, ("MLII",), "fast"), recipe, peaks=peaks)
    # fewer than 5 intervals say nothing
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare_beats(Record(fast[:, None], 500.0, ("MLII",), "few"), recipe, peaks=peaks[:5])


def test_a_calibration_signal_at_either_end_is_a_gap_with_no_beats_and_a_warning(recipe):
    # five 1-mV, 200-ms pulses before MIT-BIH 100's excerpt gave ten "beats" (S, V, N)
    record, _ = load_example("100")
    # 20 minutes (the excerpt four times), annotated in chunks of 10
    lead = np.tile(np.asarray(record.signal[:, 0], dtype=np.float64), 4)
    cal = np.zeros(5 * 360)
    for k in range(5):
        cal[k * 360 + 90 : k * 360 + 162] = 1.0
    for where, signal in (
        ("start", np.concatenate([cal + lead[0], lead])),
        ("end", np.concatenate([lead, cal + lead[-1]])),
    ):
        # the train is looked for only at the recording's own ends, not at the chunks'
        with pytest.warns(UserWarning, match=r"calibration signal .* at \d+\.\d+-\d+\.\d+ s"):
            beats = prepare_beats(
                Record(signal[:, None], 360.0, ("MLII",), "c"), recipe, chunk_s=600
            )
        assert beats.gaps.shape == (1, 2)
        np.testing.assert_array_equal(beats.calibration, beats.gaps)
        start, stop = beats.gaps[0]
        if where == "start":
            assert start == 0
            assert 4.4 * 360 < stop <= 5 * 360 + 20
            assert beats.sample.min() > stop
        else:
            # from just before its first pulse (0.25 s after the ECG's last sample)
            assert stop == signal.size
            assert lead.size <= start < lead.size + 0.25 * 360
            assert beats.sample.max() < start
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = prepare_beats(Record(lead[:, None], 360.0, ("MLII",), "p"), recipe, chunk_s=600)
    assert plain.gaps.shape == (0, 2)
    assert plain.calibration.shape == (0, 2)
    # the train is held at the level after it: the filters see no step, and the beats after
    # it are cut as after a flat level
    flat = np.concatenate([np.full(cal.size, lead[0]), lead])[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train = np.concatenate([cal + lead[0], lead])[:, None]
        after_train = prepare_beats(Record(train, 360.0, ("MLII",), "t"), recipe)
        after_flat = prepare_beats(Record(flat, 360.0, ("MLII",), "f"), recipe)
    both = np.intersect1d(
        after_train.sample[after_train.flag == ""], after_flat.sample[after_flat.flag == ""]
    )[:3]
    np.testing.assert_array_equal(
        after_train.windows[np.searchsorted(after_train.sample, both)],
        after_flat.windows[np.searchsorted(after_flat.sample, both)],
    )


def test_a_test_signal_inside_a_recording_is_a_gap_with_no_beats_and_a_warning(recipe):
    # 10 s of a 1 Hz, 1 mV square wave in place of MIT-BIH 100's ECG gave 19 "beats"
    # labelled V, S or N (session 34); in 20 minutes annotated in chunks of 10, at a
    # chunk's border (600 s) and inside a chunk
    record, _ = load_example("100")
    lead = np.tile(np.asarray(record.signal[:, 0], dtype=np.float64), 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = prepare_beats(Record(lead[:, None], 360.0, ("MLII",), "p"), recipe, chunk_s=600)
    for at_s in (300.0, 595.0):
        at = round(at_s * 360)
        signal = lead.copy()
        signal[at : at + 10 * 360] = lead[at]
        for k in range(10):
            signal[at + 90 + k * 360 : at + 270 + k * 360] += 1.0
        with pytest.warns(UserWarning, match=r"calibration signal .* at \d+\.\d+-\d+\.\d+ s"):
            beats = prepare_beats(
                Record(signal[:, None], 360.0, ("MLII",), "t"), recipe, chunk_s=600
            )
        assert beats.gaps.shape == (1, 2)
        np.testing.assert_array_equal(beats.calibration, beats.gaps)
        start, stop = beats.gaps[0]
        assert at + 90 - 0.05 * 360 < start < at + 90
        assert at + 9 * 360 + 270 < stop < at + 9 * 360 + 270 + 0.05 * 360
        # no beat in it, and the beats a minute or more from it as without it
        assert not np.any((beats.sample >= start) & (beats.sample < stop))
        far = np.abs(plain.sample - at) > 70 * 360
        np.testing.assert_array_equal(
            beats.sample[np.abs(beats.sample - at) > 70 * 360], plain.sample[far]
        )
