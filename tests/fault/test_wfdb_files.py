"""WFDB files that wfdb reads into a wrong record: ecgkit refuses them, naming file and field."""

import shutil

import numpy as np
import pytest
import wfdb

from ecgkit.data import load_example, read_annotations, read_record


@pytest.fixture
def record_dir(tmp_path):
    record, annotations = load_example("100")
    signal = record.signal[:3600]
    wfdb.wrsamp("r", fs=360, units=["mV"], sig_name=["MLII"], p_signal=signal, fmt=["212"],
                write_dir=str(tmp_path))  # fmt: skip
    keep = annotations.sample < 3600
    wfdb.wrann("r", "atr", annotations.sample[keep], symbol=list(annotations.symbol[keep]),
               write_dir=str(tmp_path))  # fmt: skip
    return tmp_path


def _edit_header(folder, old, new):
    header = folder / "r.hea"
    lines = header.read_text().splitlines()
    lines[0] = lines[0].replace(old, new, 1)
    header.write_text("\n".join(lines) + "\n")


def test_the_clean_record_reads(record_dir):
    assert read_record(record_dir / "r").n_samples == 3600
    assert len(read_annotations(record_dir / "r")) > 5


@pytest.mark.parametrize("rate", ["abc", "-360", "0", "nan"])
def test_a_sampling_rate_that_is_not_a_positive_number_is_refused(record_dir, rate):
    _edit_header(record_dir, " 360 ", f" {rate} ")
    with pytest.raises(ValueError, match=r"r\.hea: the sampling rate must be"):
        read_record(record_dir / "r")


@pytest.mark.parametrize("declared", ["1800", "7200"])
def test_a_header_whose_length_disagrees_with_the_data_file_is_refused(record_dir, declared):
    _edit_header(record_dir, " 3600", f" {declared}")
    with pytest.raises(ValueError, match=rf"r\.dat: holds 3600 samples .* declares {declared}"):
        read_record(record_dir / "r")


def test_a_truncated_signal_file_is_refused_with_its_name(record_dir):
    data = record_dir / "r.dat"
    data.write_bytes(data.read_bytes()[:1000])
    with pytest.raises(ValueError, match=r"r\.dat: holds .* truncated"):
        read_record(record_dir / "r")


def test_an_empty_annotation_file_is_refused(record_dir):
    (record_dir / "r.atr").write_bytes(b"")
    with pytest.raises(ValueError, match=r"r\.atr is empty"):
        read_annotations(record_dir / "r")


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not annotations\n" * 8, bytes(range(7, 71))],
    ids=["text", "garbage"],
)
def test_an_annotation_file_that_is_not_wfdb_is_refused(record_dir, content):
    (record_dir / "r.atr").write_bytes(content)
    with pytest.raises(ValueError, match=r"r\.atr"):
        read_annotations(record_dir / "r")


def test_annotations_beyond_the_record_are_refused(record_dir, tmp_path_factory):
    other = tmp_path_factory.mktemp("short")
    shutil.copy(record_dir / "r.atr", other / "r.atr")
    shutil.copy(record_dir / "r.dat", other / "r.dat")
    (other / "r.hea").write_text((record_dir / "r.hea").read_text().replace(" 3600", " 360", 1))
    with pytest.raises(ValueError, match="outside the record's 360 samples"):
        read_annotations(other / "r")
    assert np.all(read_annotations(record_dir / "r").sample < 3600)
