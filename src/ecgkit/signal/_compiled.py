"""Optional numba kernels for the R-peak detector and the band-passes, as exact as numpy's.

numba (the ``fast`` extra) compiles the detector's loops and the filters of
:mod:`ecgkit.signal.filters` with two second-order sections (the order-2 band-passes);
without it, or with the environment variable ``ECGKIT_NUMBA=0``, they run on numpy and
scipy alone. Every kernel does the arithmetic of the code it replaces in the same order,
so both paths give bit-identical filtered signals and the same beats (tested with and
without numba).
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

from ecgkit.signal._validation import FloatArray

__all__ = [
    "compiled",
    "filtfilt_lines",
    "filtfilt_pairs",
    "interpreted",
    "kernel",
    "padding",
    "slope_energy",
]

_F = TypeVar("_F", bound=Callable[..., Any])

# the kernel below runs second-order sections in pairs of two cascades of this many
# sections (ecgkit's band-passes are order-2 Butterworth: two sections each)
_KERNEL_SECTIONS = 2
# filtfilt_lines hands arrays of more lines than this to scipy, which loops over them in
# C (the short cuts of many beats the detector filters at once); a 12-lead ECG is fewer
_KERNEL_MAX_LINES = 16


@functools.cache
def _numba_installed() -> bool:
    # looked up, not imported: importing numba takes about 0.3 s, paid at the first kernel
    return importlib.util.find_spec("numba") is not None


def compiled() -> bool:
    """True when numba is installed and ``ECGKIT_NUMBA`` is not ``"0"``: the kernels run."""
    return _numba_installed() and os.environ.get("ECGKIT_NUMBA", "1") != "0"


class _Kernel:
    """A function numba compiles at its first call (and caches on disk), not at import."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.py_func = function
        self._compiled: Callable[..., Any] | None = None
        functools.update_wrapper(self, function)

    def __call__(self, *args: Any) -> Any:
        if self._compiled is None:
            import numba

            self._compiled = numba.njit(cache=True, nogil=True)(self.py_func)
        return self._compiled(*args)


def kernel(function: _F) -> _F:
    """``function`` to be compiled by numba at its first call, where numba is installed.

    Callers check :func:`compiled` first and otherwise run :func:`interpreted` of it.
    """
    return cast(_F, _Kernel(function))


def interpreted(function: _F) -> _F:
    """The Python function behind ``function`` where :func:`kernel` compiled it."""
    return cast(_F, getattr(function, "py_func", function))


@kernel
def _biquad_pair(
    sos_a: NDArray[np.float64],
    x_a: NDArray[np.float64],
    y_a: NDArray[np.float64],
    zi_a: NDArray[np.float64],
    sos_b: NDArray[np.float64],
    x_b: NDArray[np.float64],
    y_b: NDArray[np.float64],
    zi_b: NDArray[np.float64],
    edge: int,
    backwards: bool,
    paired: bool,
) -> None:  # pragma: no cover - compiled; the interpreter never runs it
    """Two two-section cascades, ``x_a`` into ``y_a`` and ``x_b`` into ``y_b``.

    scipy's ``sosfilt`` (transposed direct form II) step by step: the same products and
    sums in the same order, so the same float64 results; ``backwards`` runs from the last
    sample to the first, as ``sosfilt`` of the reversed signal. The input is ``x``
    extended by ``edge`` samples of odd reflection at each end, as ``sosfiltfilt`` pads
    it (``2 x[0] - x[edge - i]`` before, ``2 x[-1] - x[-2 - i]`` after; read where it is
    needed, not copied first), so ``y`` has ``edge`` samples more at each end; with
    ``edge`` 0, ``y`` may be ``x`` (in place). The two recursions are independent, so
    the processor overlaps them: two filters cost about one. With ``paired`` False only
    ``a`` runs (pass ``a``'s arrays for ``b``'s: none of them is written): a lone filter
    in about the time of a pair, 40 % of scipy's.
    """
    a00, a01, a02, a04, a05 = sos_a[0, 0], sos_a[0, 1], sos_a[0, 2], sos_a[0, 4], sos_a[0, 5]
    a10, a11, a12, a14, a15 = sos_a[1, 0], sos_a[1, 1], sos_a[1, 2], sos_a[1, 4], sos_a[1, 5]
    b00, b01, b02, b04, b05 = sos_b[0, 0], sos_b[0, 1], sos_b[0, 2], sos_b[0, 4], sos_b[0, 5]
    b10, b11, b12, b14, b15 = sos_b[1, 0], sos_b[1, 1], sos_b[1, 2], sos_b[1, 4], sos_b[1, 5]
    p0, p1, p2, p3 = zi_a[0, 0], zi_a[0, 1], zi_a[1, 0], zi_a[1, 1]
    q0, q1, q2, q3 = zi_b[0, 0], zi_b[0, 1], zi_b[1, 0], zi_b[1, 1]
    size = x_a.shape[0]
    stop = edge + size
    last = y_a.shape[0] - 1
    # the two cascades are written out side by side, not as one function called twice:
    # their state stays in registers and the processor interleaves the two recursions
    for k in range(y_a.shape[0]):
        n = last - k if backwards else k
        # a lone filter reads its own input for b's, which it then leaves unused
        if n < edge:
            in_a = 2.0 * x_a[0] - x_a[edge - n]
            in_b = 2.0 * x_b[0] - x_b[edge - n] if paired else in_a
        elif n < stop:
            in_a = x_a[n - edge]
            in_b = x_b[n - edge] if paired else in_a
        else:
            in_a = 2.0 * x_a[size - 1] - x_a[2 * size - 2 + edge - n]
            in_b = 2.0 * x_b[size - 1] - x_b[2 * size - 2 + edge - n] if paired else in_a
        y = a00 * in_a + p0
        p0 = a01 * in_a - a04 * y + p1
        p1 = a02 * in_a - a05 * y
        x = y
        y = a10 * x + p2
        p2 = a11 * x - a14 * y + p3
        p3 = a12 * x - a15 * y
        y_a[n] = y
        if not paired:
            continue
        y = b00 * in_b + q0
        q0 = b01 * in_b - b04 * y + q1
        q1 = b02 * in_b - b05 * y
        x = y
        y = b10 * x + q2
        q2 = b11 * x - b14 * y + q3
        q3 = b12 * x - b15 * y
        y_b[n] = y


@functools.lru_cache(maxsize=32)
def _unit_state(sos_bytes: bytes) -> NDArray[np.float64]:
    """``scipy.signal.sosfilt_zi`` of the sections stored in ``sos_bytes``, once per design."""
    sos = np.frombuffer(sos_bytes, dtype=np.float64).reshape(-1, 6)
    return np.asarray(sps.sosfilt_zi(sos), dtype=np.float64)


def filtfilt_pairs(
    jobs: list[tuple[FloatArray, NDArray[np.float64]]],
) -> list[NDArray[np.float64]]:
    """``scipy.signal.sosfiltfilt(sos, x)`` for each ``(sos, x)`` of ``jobs``.

    Each ``x`` is one float64 lead, all of the same length and longer than the filters'
    edge padding. Where :func:`compiled` is true, jobs whose filters have two sections
    run in one compiled loop, two at a time where they share their edge padding (the
    last of an odd number alone, in about the time of a pair): bit-identical to scipy,
    about 40 % of its time for one filter and a quarter for two. scipy runs the others.
    """
    out: list[NDArray[np.float64] | None] = [None] * len(jobs)
    if compiled():
        groups: dict[int, list[int]] = {}
        for k, (sos, _) in enumerate(jobs):
            if sos.shape == (_KERNEL_SECTIONS, 6):
                groups.setdefault(padding(sos), []).append(k)
        for padlen, group in groups.items():
            for start in range(0, len(group), 2):
                chosen = group[start : start + 2]
                size = jobs[chosen[0]][1].shape[-1]
                extended = np.empty((len(chosen), size + 2 * padlen))
                filtered = _filtfilt_compiled([jobs[k] for k in chosen], padlen, extended)
                for k, y in zip(chosen, filtered, strict=True):
                    out[k] = y
    return [
        y if y is not None else np.asarray(sps.sosfiltfilt(sos, x), dtype=np.float64)
        for y, (sos, x) in zip(out, jobs, strict=True)
    ]


def filtfilt_lines(sos: FloatArray, x: NDArray[np.float64], axis: int) -> NDArray[np.float64]:
    """``scipy.signal.sosfiltfilt(sos, x, axis=axis)``, compiled where it can be.

    ``x`` is float64, longer than the filter's edge padding along ``axis`` (a valid axis
    index). Up to ``_KERNEL_MAX_LINES`` lines of a two-section filter run compiled, two
    at a time (the same values, into one buffer); scipy filters the rest.
    """
    n_lines = x.size // max(x.shape[axis], 1)
    if not compiled() or sos.shape != (_KERNEL_SECTIONS, 6) or n_lines > _KERNEL_MAX_LINES:
        return np.asarray(sps.sosfiltfilt(sos, x, axis=axis), dtype=np.float64)
    moved = np.moveaxis(x, axis, -1)
    lines = moved.reshape(-1, moved.shape[-1])
    size, padlen = lines.shape[-1], padding(sos)
    extended = np.empty((lines.shape[0], size + 2 * padlen))
    for start in range(0, lines.shape[0], 2):
        pair = [(sos, line) for line in lines[start : start + 2]]
        _filtfilt_compiled(pair, padlen, extended[start : start + 2])
    filtered = extended[:, padlen : padlen + size].reshape(moved.shape)
    return np.moveaxis(filtered, -1, axis)


def padding(sos: FloatArray) -> int:
    """``scipy.signal.sosfiltfilt``'s default edge padding for ``sos``, in samples."""
    n_zeros = min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    return 3 * (2 * len(sos) + 1 - n_zeros)


def _filtfilt_compiled(
    jobs: list[tuple[FloatArray, NDArray[np.float64]]],
    padlen: int,
    extended: NDArray[np.float64],
) -> list[NDArray[np.float64]]:
    """Forward then backward passes of one or two cascades at once, as ``sosfiltfilt``.

    ``jobs`` holds one or two ``(sos, x)``, ``x`` of one length; ``extended`` has a row
    of that length plus ``2 * padlen`` per job, which each job's filtered lead, a view
    returned, is written into with its edge padding.
    """
    if len({x.shape for _, x in jobs}) != 1 or jobs[0][1].ndim != 1:
        raise ValueError(
            f"filtfilt_pairs pairs leads of one length, got {[x.shape for _, x in jobs]}"
        )
    paired = len(jobs) == 2
    # a lone job runs as the first of a pair whose second the kernel does not touch
    (sos_a, x_a), (sos_b, x_b) = jobs[0], jobs[-1]
    ext_a, ext_b = extended[0], extended[-1]
    a = np.ascontiguousarray(sos_a, dtype=np.float64)
    b = np.ascontiguousarray(sos_b, dtype=np.float64)
    unit_a, unit_b = _unit_state(a.tobytes()), _unit_state(b.tobytes())
    src_a = np.ascontiguousarray(x_a, dtype=np.float64)
    src_b = np.ascontiguousarray(x_b, dtype=np.float64) if paired else src_a
    # the first sample of the odd extension, as sosfiltfilt computes it
    first_a, first_b = 2 * src_a[0] - src_a[padlen], 2 * src_b[0] - src_b[padlen]
    forward_a, forward_b = unit_a * first_a, unit_b * first_b
    _biquad_pair(a, src_a, ext_a, forward_a, b, src_b, ext_b, forward_b, padlen, False, paired)
    backward_a, backward_b = unit_a * ext_a[-1], unit_b * ext_b[-1]
    _biquad_pair(a, ext_a, ext_a, backward_a, b, ext_b, ext_b, backward_b, 0, True, paired)
    stop = extended.shape[-1] - padlen
    return [ext[padlen:stop] for ext in extended[: len(jobs)]]


@kernel
def _slope_energy_line(
    filtered: NDArray[np.float64], width: int, out: NDArray[np.float64]
) -> None:  # pragma: no cover - compiled; the interpreter never runs it
    """``out`` = the squared slope of ``filtered`` averaged over a centred ``width``.

    numpy's ``gradient`` (central differences, one-sided at the ends), squared, then
    scipy's ``uniform_filter1d`` with ``mode="nearest"`` (a running sum over the line
    extended by copies of its end values, divided at each output sample), clipped at 0:
    the same operations in the same order as :func:`ecgkit.signal._feature.qrs_slope_energy`'s
    numpy path, in two passes over ``out`` instead of four signal-long temporaries.
    """
    n = filtered.shape[0]
    before = width // 2
    after = width - before - 1
    slope = (filtered[1] - filtered[0]) / 1.0
    out[0] = slope * slope
    for i in range(1, n - 1):
        slope = (filtered[i + 1] - filtered[i - 1]) / 2.0
        out[i] = slope * slope
    slope = (filtered[n - 1] - filtered[n - 2]) / 1.0
    out[n - 1] = slope * slope
    # out[i] is overwritten by its average once read: the squared slopes still to leave
    # the window are kept in a ring of before + 1, whose slot i % (before + 1) holds the
    # one that leaves at i (i - 1 - before is i modulo before + 1), then takes out[i]
    size = before + 1
    ring = np.empty(size)
    first = out[0]
    total = 0.0
    for k in range(width):
        total += out[min(max(k - before, 0), n - 1)]
    slot = 0
    for i in range(n):
        if i > 0:
            leaving = ring[slot] if i - 1 - before >= 0 else first
            ahead = i + after
            total += out[ahead if ahead < n - 1 else n - 1] - leaving
        ring[slot] = out[i]
        slot = slot + 1 if slot < before else 0
        energy = total / width
        out[i] = energy if energy > 0.0 else 0.0


def slope_energy(filtered: NDArray[np.float64], width: int) -> NDArray[np.float64]:
    """The compiled :func:`ecgkit.signal._feature.qrs_slope_energy` along the last axis.

    ``filtered`` has any number of dimensions and at least 2 samples along the last.
    """
    lines = np.ascontiguousarray(filtered, dtype=np.float64).reshape(-1, filtered.shape[-1])
    out = np.empty_like(lines)
    for line, energy in zip(lines, out, strict=True):
        _slope_energy_line(line, width, energy)
    return out.reshape(filtered.shape)
