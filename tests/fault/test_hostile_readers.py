"""Readers given empty or foreign files and bad arguments: one line naming the file or argument."""

import io
import zipfile

import numpy as np
import pytest
import wfdb

from ecgkit.data import load_example, read_annotations, read_record, read_signal


def _zip_of_text():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("signal.npy", "not an array")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.npy", b"", "the file is empty"),
        ("empty.npz", b"", "the file is empty"),
        ("text.npz", _zip_of_text(), "member 'signal' is not a NumPy array"),
    ],
    ids=["npy_zero_bytes", "npz_zero_bytes", "npz_member_not_npy"],
)
def test_empty_and_foreign_numpy_files_are_refused_naming_the_file(
    tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as raised:
        read_signal(path, fs=360)
    assert name in str(raised.value)
    assert "\n" not in str(raised.value)


def test_an_npz_whose_fs_member_is_not_an_array_is_refused_naming_it(tmp_path):
    path = tmp_path / "bad_fs.npz"
    with zipfile.ZipFile(path, "w") as archive:
        buffer = io.BytesIO()
        np.save(buffer, np.ones((720, 1)))
        archive.writestr("signal.npy", buffer.getvalue())
        archive.writestr("fs.npy", "360")
    with pytest.raises(ValueError, match=r"bad_fs\.npz.*member 'fs' is not a NumPy array"):
        read_signal(path)


@pytest.fixture(scope="module")
def wfdb_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wfdb")
    record, annotations = load_example("100")
    wfdb.wrsamp("r", fs=360, units=["mV"], sig_name=["MLII"], p_signal=record.signal[:720, :1],
                fmt=["212"], write_dir=str(folder))  # fmt: skip
    keep = annotations.sample < 720
    wfdb.wrann("r", "atr", annotations.sample[keep], symbol=list(annotations.symbol[keep]),
               write_dir=str(folder))  # fmt: skip
    return folder


@pytest.mark.parametrize(
    ("extension", "error"),
    [("", ValueError), (".", ValueError), (".atr", ValueError), ("../atr", ValueError),
     (None, TypeError), (5, TypeError)],
)  # fmt: skip
def test_an_extension_that_is_not_an_annotator_name_is_refused_naming_extension(
    wfdb_dir, extension, error
):
    with pytest.raises(error, match="extension must"):
        read_annotations(wfdb_dir / "r", extension)


def test_annotations_of_a_record_whose_name_has_a_dot_are_found(wfdb_dir, tmp_path):
    (tmp_path / "rec.1.atr").write_bytes((wfdb_dir / "r.atr").read_bytes())
    assert len(read_annotations(tmp_path / "rec.1")) == len(read_annotations(wfdb_dir / "r"))


@pytest.mark.parametrize("read", [read_record, read_annotations])
@pytest.mark.parametrize("path", [None, 5, b"r"], ids=["none", "int", "bytes"])
def test_a_path_that_is_not_a_str_or_path_is_refused_naming_path(read, path):
    with pytest.raises(TypeError, match=r"path must be a str or pathlib\.Path"):
        read(path)
