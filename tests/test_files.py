import os
import stat

import pytest

from ecgkit._files import atomic_write


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_an_atomically_written_file_has_the_mode_the_umask_gives(tmp_path, umask):
    previous = os.umask(umask)
    try:
        with atomic_write(tmp_path / "out.bin") as handle:
            handle.write(b"data")
    finally:
        os.umask(previous)
    mode = stat.S_IMODE((tmp_path / "out.bin").stat().st_mode)
    assert mode == 0o666 & ~umask


def _write_then_fail(path):
    with atomic_write(path) as handle:
        handle.write(b"half")
        raise RuntimeError("disk gone")


def test_a_failed_write_leaves_neither_the_file_nor_a_temp_file(tmp_path):
    with pytest.raises(RuntimeError, match="disk gone"):
        _write_then_fail(tmp_path / "out.bin")
    assert list(tmp_path.iterdir()) == []
