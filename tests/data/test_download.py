import hashlib
import http.server
import shutil
import threading
from functools import partial
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from ecgkit.data import MITBIH, download, read_record


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with HTTP range support (what PhysioNet's server offers)."""

    ranges_seen: ClassVar[list[str]] = []
    support_ranges = True

    def log_message(self, *args):
        pass

    def send_head(self):
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not header or not self.support_ranges or not path.is_file():
            return super().send_head()
        type(self).ranges_seen.append(header)
        start = int(header.removeprefix("bytes=").split("-")[0])
        size = path.stat().st_size
        if start >= size:
            self.send_error(416)
            return None
        handle = open(path, "rb")  # noqa: SIM115 - closed by copyfile's caller
        handle.seek(start)
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        return handle


@pytest.fixture
def serve():
    servers = []

    def start(folder, ranges=True):
        handler = type("Handler", (RangeHandler,), {"ranges_seen": [], "support_ranges": ranges})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(handler, directory=str(folder))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}", handler

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _database(folder, files):
    folder.mkdir()
    lines = []
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
        lines.append(f"{hashlib.sha256(content).hexdigest()} {name}")
    (folder / "SHA256SUMS.txt").write_text("\n".join(lines) + "\n")


def test_download_fetches_and_verifies_every_listed_file(tmp_path, serve):
    rng = np.random.default_rng(0)
    files = {"a.dat": rng.bytes(300_000), "a.hea": b"header\n", "sub/b.txt": b"hello"}
    _database(tmp_path / "server", files)
    url, _ = serve(tmp_path / "server")
    result = download("mitdb", tmp_path / "out", base_url=url, progress=False)
    assert sorted(result.downloaded) == sorted(files)
    for name, content in files.items():
        assert (tmp_path / "out" / name).read_bytes() == content
    again = download("mitdb", tmp_path / "out", base_url=url, progress=False)
    assert again.downloaded == ()
    assert sorted(again.verified) == sorted(files)


def test_download_resumes_a_partial_file_with_a_range_request(tmp_path, serve):
    content = np.random.default_rng(1).bytes(500_000)
    _database(tmp_path / "server", {"a.dat": content})
    url, handler = serve(tmp_path / "server")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.dat.part").write_bytes(content[:200_000])
    download("mitdb", tmp_path / "out", base_url=url, progress=False)
    assert handler.ranges_seen == ["bytes=200000-"]
    assert (tmp_path / "out" / "a.dat").read_bytes() == content
    assert not (tmp_path / "out" / "a.dat.part").exists()


def test_a_complete_part_file_and_a_server_without_ranges_both_end_correct(tmp_path, serve):
    content = b"x" * 1000
    _database(tmp_path / "server", {"a.dat": content, "b.dat": content * 2})
    url, _ = serve(tmp_path / "server", ranges=False)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "b.dat.part").write_bytes(b"garbage")
    download("mitdb", tmp_path / "out", base_url=url, progress=False)
    assert (tmp_path / "out" / "b.dat").read_bytes() == content * 2
    url, _ = serve(tmp_path / "server")
    (tmp_path / "out" / "a.dat").unlink()
    (tmp_path / "out" / "a.dat.part").write_bytes(content)
    assert download("mitdb", tmp_path / "out", base_url=url, progress=False).downloaded == (
        "a.dat",
    )
    assert (tmp_path / "out" / "a.dat").read_bytes() == content


def test_a_checksum_mismatch_raises_and_leaves_no_file(tmp_path, serve):
    _database(tmp_path / "server", {"a.dat": b"right"})
    (tmp_path / "server" / "a.dat").write_bytes(b"wrong")
    url, _ = serve(tmp_path / "server")
    with pytest.raises(ValueError, match=r"checksum mismatch for a\.dat"):
        download("mitdb", tmp_path / "out", base_url=url, progress=False)
    assert list((tmp_path / "out").iterdir()) == []


def test_download_errors_name_the_problem(tmp_path, serve):
    with pytest.raises(ValueError, match="name must be one of"):
        download("nodb", tmp_path)
    (tmp_path / "server").mkdir()
    url, _ = serve(tmp_path / "server")
    with pytest.raises(OSError, match="HTTP 404"):
        download("mitdb", tmp_path / "out", base_url=url, progress=False)
    _database(tmp_path / "server2", {"a.dat": b"1"})
    url, _ = serve(tmp_path / "server2")
    with pytest.raises(ValueError, match="999"):
        download("mitdb", tmp_path / "out", base_url=url, files=["999"], progress=False)


@pytest.mark.mitdb
def test_download_of_records_from_a_local_physionet_mirror(tmp_path, serve, mitdb_dir):
    url, _ = serve(mitdb_dir)
    result = download("mitdb", tmp_path, base_url=url, files=["100", "201"], progress=False)
    assert sorted(result.downloaded) == [
        f"{r}.{e}" for r in ("100", "201") for e in ("atr", "dat", "hea", "xws")
    ]
    record = read_record(tmp_path / "100")
    np.testing.assert_array_equal(record.signal, read_record(mitdb_dir / "100").signal)
    assert MITBIH(tmp_path).record_ids == ("100", "201")
    shutil.rmtree(tmp_path)
