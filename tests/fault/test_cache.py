"""The beat cache is best effort: what is in its way is replaced, what cannot be written warns."""

import numpy as np
import pytest

from ecgkit.data import MITBIH, BeatConfig, build_beats

CONFIG = BeatConfig(leads=("MLII",))


def test_a_plain_file_where_a_cache_entry_belongs_is_replaced(tmp_path):
    first = build_beats(MITBIH.bundled(), ["100"], CONFIG, cache_dir=tmp_path)
    (entry,) = [p for p in tmp_path.iterdir() if p.name.startswith("beats-100-")]
    for child in entry.iterdir():
        child.unlink()
    entry.rmdir()
    entry.write_text("in the way")
    again = build_beats(MITBIH.bundled(), ["100"], CONFIG, cache_dir=tmp_path)
    np.testing.assert_array_equal(again.windows, first.windows)
    assert entry.is_dir()
    assert build_beats(MITBIH.bundled(), ["100"], CONFIG, cache_dir=tmp_path).report.from_cache == (
        True,
    )


def test_a_cache_that_cannot_be_written_warns_and_the_build_goes_on(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file, not a folder")
    with pytest.warns(UserWarning, match="not written"):
        beats = build_beats(MITBIH.bundled(), ["100"], CONFIG, cache_dir=blocker)
    assert len(beats) > 300


def test_temp_folders_of_killed_builders_are_removed(tmp_path):
    import os
    import time

    stale = tmp_path / ".beats-100-abc.x1.tmp"
    stale.mkdir()
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = tmp_path / ".beats-101-abc.x2.tmp"  # perhaps another builder at work
    fresh.mkdir()
    build_beats(MITBIH.bundled(), ["100"], CONFIG, cache_dir=tmp_path)
    assert not stale.exists()
    assert fresh.exists()
