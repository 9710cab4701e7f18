import pytest

from ecgkit.data import MITBIH, MITBIH_PATIENTS, MITBIH_RECORDS, RecordSource


def test_records_201_and_202_are_one_patient_and_every_other_record_its_own():
    assert MITBIH_PATIENTS["202"] == MITBIH_PATIENTS["201"] == "201"
    assert len(set(MITBIH_PATIENTS.values())) == 47
    assert len(MITBIH_RECORDS) == 48


def test_bundled_source_is_a_record_source_with_stable_fingerprints():
    db = MITBIH.bundled()
    assert isinstance(db, RecordSource)
    assert db.is_bundled
    assert db.record_ids == MITBIH_RECORDS
    assert db.fingerprint("100") == MITBIH().fingerprint("100") != db.fingerprint("101")


def test_bad_folders_and_record_ids_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        MITBIH(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="download"):
        MITBIH(tmp_path)
    with pytest.raises(ValueError, match="record_id"):
        MITBIH.bundled().load("99")


@pytest.mark.mitdb
def test_full_database_loads_both_leads_at_360_hz(mitdb_dir):
    db = MITBIH(mitdb_dir)
    assert db.record_ids == MITBIH_RECORDS
    record, annotations = db.load("114")
    assert record.lead_names == ("V5", "MLII")
    assert record.fs == 360
    assert record.signal.shape == (650_000, 2)
    assert len(annotations) > 1800
    assert len(db.fingerprint("114")) == 64
