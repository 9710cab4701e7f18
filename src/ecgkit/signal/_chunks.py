"""Cutting a long signal into chunks of bounded length, shared by every chunked pass."""

from __future__ import annotations

__all__ = ["CHUNK_MARGIN_S", "chunk_bounds"]

#: Chunks overlap their neighbours by this much on each side (s): the R-peak detector's
#: QRS level is a median over 5 minutes and its thresholds need minutes to settle after an
#: abrupt change of amplitude at a chunk's start, so each chunk's own stretch starts with
#: the detector in the state one pass would have (tested on 48 records joined).
CHUNK_MARGIN_S = 300.0


def chunk_bounds(n_samples: int, chunk: int | None, step: int = 1) -> list[tuple[int, int]]:
    """Chunks ``[start, stop)`` of about ``chunk`` samples (0.75-1.5x).

    Every chunk starts at a multiple of ``step`` (the resampler's input step). The count
    is rounded, not rounded up, so a signal a little longer than one chunk (a 30.1-minute
    record with 30-minute chunks) is one pass, not a chunk and a sliver. None, or a chunk
    at least as long as the signal, gives one chunk.
    """
    if chunk is None or chunk >= n_samples:
        return [(0, n_samples)]
    count = max(1, round(n_samples / chunk))
    size = -(-n_samples // count)
    size = max(step, -(-size // step) * step)
    return [(a, min(a + size, n_samples)) for a in range(0, n_samples, size)]
