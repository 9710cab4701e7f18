import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import ecgkit.data
import ecgkit.signal
from ecgkit.data import (
    AAMI_CLASSES,
    MITBIH,
    RR_FEATURES,
    Annotations,
    BeatConfig,
    Record,
    build_beats,
    inter_patient_split,
    map_symbols,
)
from ecgkit.signal import clean, rr_features


@dataclass
class MemorySource:
    """A RecordSource over in-memory records, for tests."""

    records: dict[str, tuple[Record, Annotations]]
    patients: dict[str, str] = field(default_factory=dict)
    version: int = 0

    @property
    def record_ids(self):
        return tuple(self.records)

    def patient_of(self, record_id):
        return self.patients.get(record_id, record_id)

    def load(self, record_id):
        return self.records[record_id]

    def fingerprint(self, record_id):
        return f"{record_id}-{self.version}"


def _record(seed, n_samples, fs, n_beats, n_leads=1):
    rng = np.random.default_rng(seed)
    signal = rng.normal(0, 0.3, (n_samples, n_leads))
    positions = np.sort(rng.choice(np.arange(n_samples), n_beats, replace=False))
    symbols = rng.choice(list("NLRAVF/Q!+~x"), n_beats)
    record = Record(signal, float(fs), tuple(f"L{i}" for i in range(n_leads)), f"r{seed}")
    annotations = Annotations(
        positions.astype(np.int64), symbols.astype(str), np.full(n_beats, "", dtype=str), float(fs)
    )
    return record, annotations


@given(
    seed=st.integers(0, 10_000),
    fs=st.sampled_from([128.0, 250.0, 360.0]),
    n_beats=st.integers(1, 40),
    before=st.floats(0.05, 0.4),
    after=st.floats(0.05, 0.6),
    n_leads=st.integers(1, 2),
)
def test_build_yields_exactly_the_labelled_beats_inside_the_record_centred_on_their_r(
    seed, fs, n_beats, before, after, n_leads
):
    n_samples = int(20 * fs)
    record, annotations = _record(seed, n_samples, fs, n_beats, n_leads)
    beat_rows = np.isin(annotations.symbol, list("NLRAVF/Q!"))
    assume(beat_rows.any())  # a record without beats is refused (tested below)
    source = MemorySource({"a": (record, annotations)})
    beats = build_beats(source, config=BeatConfig(before_s=before, after_s=after))

    n_before, length = round(before * fs), round(before * fs) + round(after * fs)
    positions, symbols = annotations.sample[beat_rows], annotations.symbol[beat_rows]
    labels = map_symbols(symbols)
    inside = (positions - n_before >= 0) & (positions - n_before + length <= n_samples)
    expected = (labels >= 0) & inside
    np.testing.assert_array_equal(beats.r_sample, positions[expected])
    np.testing.assert_array_equal(beats.labels, labels[expected])
    assert beats.report.n_edge_dropped == (int(((labels >= 0) & ~inside).sum()),)
    assert beats.r_index == n_before
    assert beats.windows.shape == (expected.sum(), n_leads, length)
    assert beats.windows.dtype == np.float32
    cleaned = clean(record.signal, fs, axis=0).astype(np.float32).T
    for window, r in zip(beats.windows, beats.r_sample, strict=True):
        np.testing.assert_array_equal(window, cleaned[:, r - n_before : r - n_before + length])
    assert beats.rr.shape == (len(beats), len(RR_FEATURES))
    assert set(beats.patient) <= {"a"}
    # the RR columns are rr_features over every beat position, labelled or not
    expected_rr = rr_features(positions, fs)[expected].astype(np.float32)
    assert beats.rr.tobytes() == expected_rr.tobytes()


def _rhythm_record(intervals_s, fs=360.0):
    """A record whose beats (all normal) follow ``intervals_s``, in seconds."""
    positions = np.round(np.cumsum(np.r_[1.0, intervals_s]) * fs).astype(np.int64)
    n_samples = int(positions[-1] + 2 * fs)
    record = Record(np.zeros((n_samples, 1)), fs, ("L0",), "rhythm")
    annotations = Annotations(
        positions,
        np.full(positions.size, "N"),
        np.full(positions.size, "", dtype=str),
        fs,
    )
    return build_beats(MemorySource({"rhythm": (record, annotations)}))


def test_the_rr_column_names_are_the_signal_layers():
    assert ecgkit.data.RR_FEATURES is ecgkit.signal.RR_FEATURES
    assert ecgkit.data.RELATIVE_RR_FEATURES is ecgkit.signal.RELATIVE_RR_FEATURES


def test_rr_columns_selects_by_name_and_rejects_unknown_names():
    beats = _rhythm_record(np.full(20, 0.8))
    np.testing.assert_array_equal(
        beats.rr_columns(["post_rr_s", "pre_rr_s"]),
        beats.rr[:, [RR_FEATURES.index("post_rr_s"), RR_FEATURES.index("pre_rr_s")]],
    )
    assert beats.rr_columns().shape == (len(beats), len(RR_FEATURES))
    with pytest.raises(ValueError, match="names"):
        beats.rr_columns(["heart_rate"])
    with pytest.raises(ValueError, match="names"):
        beats.rr_columns([])


@given(
    seeds=st.lists(st.integers(0, 10_000), min_size=1, max_size=3, unique=True),
    before=st.floats(0.05, 0.3),
    after=st.floats(0.05, 0.5),
    normalize=st.sampled_from([None, "zscore"]),
)
def test_cache_round_trip_is_bit_identical_and_skips_the_work(seeds, before, after, normalize):
    source = MemorySource({f"r{i}": _record(i, 7200, 360, 30) for i in seeds})
    config = BeatConfig(before_s=before, after_s=after, normalize=normalize)
    with tempfile.TemporaryDirectory() as cache:
        first = build_beats(source, config=config, cache_dir=cache)
        assert first.report.from_cache == (False,) * len(seeds)
        second = build_beats(source, config=config, cache_dir=cache)
        assert second.report.from_cache == (True,) * len(seeds)
        assert not [p for p in Path(cache).iterdir() if p.name.startswith(".")]
    for name in ("windows", "labels", "symbols", "rr", "record", "patient", "r_sample"):
        a, b = getattr(first, name), getattr(second, name)
        assert a.dtype == b.dtype
        assert a.shape == b.shape
        assert a.tobytes() == b.tobytes(), name
    assert first.report.n_beats == second.report.n_beats
    assert (first.r_index, first.fs, first.lead_names) == (
        second.r_index,
        second.fs,
        second.lead_names,
    )


def test_cache_is_invalidated_by_config_and_by_record_content(tmp_path):
    source = MemorySource({"r1": _record(1, 7200, 360, 30)})
    build_beats(source, config=BeatConfig(), cache_dir=tmp_path)
    assert build_beats(
        source, config=BeatConfig(after_s=0.5), cache_dir=tmp_path
    ).report.from_cache == (False,)
    source.version = 1
    assert build_beats(source, config=BeatConfig(), cache_dir=tmp_path).report.from_cache == (
        False,
    )


def test_a_corrupt_cache_file_is_rebuilt(tmp_path):
    source = MemorySource({"r1": _record(1, 7200, 360, 30)})
    reference = build_beats(source, cache_dir=tmp_path)
    (cache_file,) = tmp_path.glob("*/windows.npy")
    cache_file.write_bytes(cache_file.read_bytes()[:100])
    again = build_beats(source, cache_dir=tmp_path)
    assert again.report.from_cache == (False,)
    np.testing.assert_array_equal(again.windows, reference.windows)


def test_leads_are_selected_by_name_and_a_missing_lead_is_named():
    source = MemorySource({"r1": _record(1, 7200, 360, 30, n_leads=2)})
    beats = build_beats(source, config=BeatConfig(leads=("L1",)))
    assert beats.lead_names == ("L1",)
    assert beats.n_leads == 1
    with pytest.raises(ValueError, match="no lead 'MLII'"):
        build_beats(source, config=BeatConfig(leads=("MLII",)))


def test_resampling_puts_every_record_on_one_rate():
    source = MemorySource({"a": _record(1, 5000, 250, 20), "b": _record(2, 7200, 360, 20)})
    with pytest.raises(ValueError, match=r"BeatConfig\.fs"):
        build_beats(source)
    beats = build_beats(source, config=BeatConfig(fs=360))
    assert beats.fs == 360
    assert beats.n_samples == 252


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="r_peaks"):
        BeatConfig(r_peaks="magic")
    with pytest.raises(ValueError, match="quality_threshold"):
        BeatConfig(quality_threshold=2)
    with pytest.raises(ValueError, match="before_s"):
        BeatConfig(before_s=-1)


def test_bundled_excerpt_builds_with_aami_labels_and_subsets_by_record():
    split = inter_patient_split()
    beats = build_beats(MITBIH.bundled(), split.train + split.test, BeatConfig(leads=("MLII",)))
    assert beats.classes == AAMI_CLASSES
    assert beats.fs == 360
    assert beats.windows.shape[1:] == (1, 252)
    counts = beats.class_counts()
    assert counts["N"] > 10 * counts["V"] > 0
    assert counts["S"] > 0
    train = beats.select_records(split.train)
    assert set(train.record) == set(split.train)
    assert np.isfinite(beats.rr).all()


def test_detector_mode_labels_detections_by_matching_and_reports_misses():
    config = BeatConfig(r_peaks="detector")
    by_annotation = build_beats(MITBIH.bundled(), ["100", "119"])
    detected = build_beats(MITBIH.bundled(), ["100", "119"], config)
    assert abs(len(detected) - len(by_annotation)) <= 5
    assert detected.report.n_missed[0] <= 2
    assert detected.class_counts()["V"] == pytest.approx(by_annotation.class_counts()["V"], abs=3)


def test_quality_filter_drops_noisy_beats_and_counts_them():
    record, annotations = MITBIH.bundled().load("100")
    rng = np.random.default_rng(0)
    noisy = record.signal.copy()
    noisy[54_000:] += rng.normal(0, 1.0, noisy[54_000:].shape)
    source = MemorySource(
        {"100": (Record(noisy, record.fs, record.lead_names, "100"), annotations)}
    )
    everything = build_beats(source)
    kept = build_beats(source, config=BeatConfig(quality_threshold=0.9))
    dropped = kept.report.n_quality_dropped[0]
    assert dropped == len(everything) - len(kept) > 30
    clean_half = (everything.r_sample < 54_000).sum() - (kept.r_sample < 54_000).sum()
    noisy_half = (everything.r_sample >= 54_000).sum() - (kept.r_sample >= 54_000).sum()
    assert noisy_half > 3 * clean_half


@pytest.mark.mitdb
def test_ds1_ds2_class_counts_match_de_chazal_2004(mitdb_dir):
    # de Chazal et al. (2004), Table II: labelled beats per AAMI class in DS1 and DS2
    published = {
        "DS1": {"N": 45866, "S": 944, "V": 3788, "F": 415, "Q": 8},
        "DS2": {"N": 44259, "S": 1837, "V": 3221, "F": 388, "Q": 7},
    }
    split = inter_patient_split()
    db = MITBIH(mitdb_dir)
    for name, records in (("DS1", split.train), ("DS2", split.test)):
        counts = dict.fromkeys(AAMI_CLASSES, 0)
        for record_id in records:
            labels = map_symbols(db.load(record_id)[1].symbol)
            for i, c in enumerate(AAMI_CLASSES):
                counts[c] += int((labels == i).sum())
        assert counts == published[name], name
        beats = build_beats(db, records, BeatConfig(leads=("MLII",)))
        assert len(beats) + sum(beats.report.n_edge_dropped) == sum(published[name].values())


@pytest.mark.parametrize("r_peaks", ["annotations", "detector"])
def test_a_record_without_beat_annotations_is_refused_with_the_way_out(r_peaks):
    record, _ = _record(0, 3600, 360, 5)
    empty = Annotations(np.zeros(0, np.int64), np.zeros(0, str), np.zeros(0, str), 360.0)
    source = MemorySource({"r0": (record, empty)})
    with pytest.raises(ValueError, match=r"r0 has no beat annotations.*Predictor"):
        build_beats(source, config=BeatConfig(r_peaks=r_peaks))


def _three_record_beats(fs=250.0):
    records = {name: _record(seed, int(20 * fs), fs, 30) for seed, name in enumerate("abc")}
    return build_beats(MemorySource(records, patients={"a": "p1", "b": "p1", "c": "p2"}))


@given(cut=st.integers(0, 3))
def test_joined_record_subsets_give_back_the_whole_set(cut):
    beats = _three_record_beats()
    names = sorted(set(beats.record.tolist()))
    first, second = names[:cut], names[cut:]
    assume(first and second)
    joined = beats.select_records(first).joined(beats.select_records(second))
    for name in ("windows", "labels", "symbols", "rr", "record", "patient", "r_sample"):
        np.testing.assert_array_equal(getattr(joined, name), getattr(beats, name))
    assert (joined.fs, joined.r_index, joined.classes, joined.lead_names) == (
        beats.fs, beats.r_index, beats.classes, beats.lead_names,
    )  # fmt: skip
    assert joined.report.records == beats.report.records * 2  # each subset keeps the report


def test_joined_refuses_a_record_in_both_sets_and_sets_built_differently():
    beats = _three_record_beats()
    with pytest.raises(ValueError, match=r"\['b'\] have beats in both"):
        beats.select_records(["a", "b"]).joined(beats.select_records(["b", "c"]))
    other_rate = _three_record_beats(fs=360.0)
    with pytest.raises(ValueError, match="fs"):
        beats.select_records(["a"]).joined(other_rate.select_records(["b"]))
    longer = build_beats(
        MemorySource({"d": _record(7, 5_000, 250.0, 30)}), config=BeatConfig(after_s=0.6)
    )
    with pytest.raises(ValueError, match="window shape"):
        beats.joined(longer)
    with pytest.raises(TypeError, match="BeatSet"):
        beats.joined(beats.windows)


def test_a_beat_set_refuses_arrays_of_different_lengths():
    beats = _three_record_beats()
    with pytest.raises(ValueError, match="one row per beat"):
        dataclasses.replace(beats, patient=beats.patient[1:])
