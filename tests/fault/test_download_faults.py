"""Downloads against hostile servers on 127.0.0.1: bounded memory, bounded time, resumable."""

import contextlib
import hashlib
import http.server
import threading
import time
from functools import partial

import pytest

from ecgkit.data import download

CONTENT = bytes(range(256)) * 64  # 16 KB
SUMS = f"{hashlib.sha256(CONTENT).hexdigest()} r.dat\n".encode()


class Hostile(http.server.BaseHTTPRequestHandler):
    """Serves SHA256SUMS.txt and r.dat, misbehaving as ``mode`` says."""

    mode = "good"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.endswith("SHA256SUMS.txt"):
            body = SUMS + (b"0" * (20 << 20) if self.mode == "huge-sums" else b"")
            self._send(200, body, len(body))
            return
        start = int(self.headers.get("Range", "bytes=0-").removeprefix("bytes=").split("-")[0])
        body = CONTENT[start:]
        if self.mode == "drop":
            self._send(206 if start else 200, body[: len(body) // 2], len(body))
        elif self.mode == "trickle":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body[:25]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._send(206 if start else 200, body, len(body))

    def _send(self, status, body, length):
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


@pytest.fixture
def server():
    handler = type("Handler", (Hostile,), {"mode": "good"})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


def test_a_huge_checksum_list_is_refused_without_reading_it_all(server, tmp_path):
    url, handler = server
    handler.mode = "huge-sums"
    with pytest.raises(ValueError, match="larger than 16 MB"):
        download("x", tmp_path, base_url=url, progress=False)


def test_a_trickling_server_is_a_stall_not_an_endless_wait(server, tmp_path):
    url, handler = server
    handler.mode = "trickle"
    started = time.perf_counter()
    with pytest.raises(TimeoutError, match="stalled"):
        download("x", tmp_path, base_url=url, progress=False, timeout_s=3, stall_s=1.0)
    assert time.perf_counter() - started < 10
    assert (tmp_path / "r.dat.part").is_file()


def test_a_dropped_connection_keeps_the_partial_file_and_the_next_call_resumes(server, tmp_path):
    url, handler = server
    handler.mode = "drop"
    with pytest.raises(OSError, match="connection dropped after 8192 of 16384 bytes"):
        download("x", tmp_path, base_url=url, progress=False)
    assert (tmp_path / "r.dat.part").stat().st_size == 8192
    handler.mode = "good"
    result = download("x", tmp_path, base_url=url, progress=False)
    assert result.downloaded == ("r.dat",)
    assert (tmp_path / "r.dat").read_bytes() == CONTENT


def test_a_deadline_ends_the_whole_call(server, tmp_path):
    url, handler = server
    handler.mode = "trickle"
    with pytest.raises(TimeoutError, match="deadline"):
        download("x", tmp_path, base_url=url, progress=False, deadline_s=0.5, stall_s=60)
