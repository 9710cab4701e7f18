import numpy as np
import pytest

from ecgkit.data import EXAMPLE_RECORDS, load_example, read_annotations, read_record


def test_bundled_excerpt_has_all_48_records_of_five_minutes():
    assert len(EXAMPLE_RECORDS) == 48
    record, annotations = load_example("100")
    assert record.signal.shape == (108_000, 1)
    assert record.fs == 360.0
    assert record.lead_names == ("MLII",)
    assert record.duration_s == pytest.approx(300.0)
    assert annotations.sample.max() < 108_000
    assert (annotations.select(frozenset("N")).symbol == "N").all()
    assert 0.5 < np.ptp(record.signal) < 5  # mV


def test_load_example_rejects_unknown_record():
    with pytest.raises(ValueError, match="record_id"):
        load_example("999")


@pytest.mark.mitdb
@pytest.mark.parametrize("record_id", ["100", "208", "232"])
def test_bundled_excerpt_equals_the_database(mitdb_dir, record_id):
    full = read_record(mitdb_dir / record_id)
    excerpt, annotations = load_example(record_id)
    assert full.signal.shape == (650_000, 2)
    np.testing.assert_array_equal(excerpt.signal[:, 0], full.signal[:108_000, 0])
    reference = read_annotations(mitdb_dir / record_id)
    inside = reference.sample < 108_000
    np.testing.assert_array_equal(annotations.sample, reference.sample[inside])
    np.testing.assert_array_equal(annotations.symbol, reference.symbol[inside])


def test_missing_files_raise_naming_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothing\.hea"):
        read_record(tmp_path / "nothing")
    with pytest.raises(FileNotFoundError, match=r"nothing\.atr"):
        read_annotations(tmp_path / "nothing")


def test_corrupt_header_raises_value_error(tmp_path):
    (tmp_path / "bad.hea").write_text("this is not a header\n")
    with pytest.raises(ValueError, match="bad"):
        read_record(tmp_path / "bad")
