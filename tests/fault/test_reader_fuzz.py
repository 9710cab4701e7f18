"""Random byte corruption of WFDB files: a record, or a ValueError / OSError naming the file."""

import numpy as np
import pytest
import wfdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecgkit.data import load_example, read_annotations, read_record

_RECORD, _ANNOTATIONS = load_example("100")


def _write(folder):
    signal = _RECORD.signal[:1800]
    wfdb.wrsamp("r", fs=360, units=["mV"], sig_name=["MLII"], p_signal=signal, fmt=["212"],
                write_dir=str(folder))  # fmt: skip
    keep = _ANNOTATIONS.sample < 1800
    wfdb.wrann("r", "atr", _ANNOTATIONS.sample[keep], symbol=list(_ANNOTATIONS.symbol[keep]),
               write_dir=str(folder))  # fmt: skip


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    suffix=st.sampled_from(["hea", "dat", "atr"]),
    edits=st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=6
    ),
    truncate=st.one_of(st.none(), st.floats(0, 1)),
)
def test_corrupted_files_give_a_record_or_an_error_naming_the_file(
    tmp_path_factory, suffix, edits, truncate
):
    folder = tmp_path_factory.mktemp("fuzz")
    _write(folder)
    target = folder / f"r.{suffix}"
    data = bytearray(target.read_bytes())
    for where, value in edits:
        data[int(where * len(data))] = value
    if truncate is not None:
        data = data[: int(truncate * len(data))]
    target.write_bytes(bytes(data))
    for read in (lambda: read_record(folder / "r"), lambda: read_annotations(folder / "r")):
        try:
            result = read()
        except (ValueError, OSError) as error:
            messages = str(error)
            result = None
        if result is None:
            assert "r." in messages or str(folder) in messages, messages
        elif hasattr(result, "signal"):
            assert result.signal.ndim == 2
            assert np.isfinite(result.signal).all()
            assert result.fs > 0
        else:
            assert (np.diff(result.sample) >= 0).all()
            assert (result.sample >= 0).all()


def test_the_fuzzed_files_read_cleanly_before_corruption(tmp_path):
    _write(tmp_path)
    assert read_record(tmp_path / "r").n_samples == 1800
    assert len(read_annotations(tmp_path / "r")) > 0
    with pytest.raises(FileNotFoundError, match=r"r\.qrs"):
        read_annotations(tmp_path / "r", "qrs")
