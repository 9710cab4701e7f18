"""The cases of bench_hostile.py: hostile inputs to ecgkit, each with what should happen.

A :class:`Case` is a call (or, for the CLI, an argument list), an expectation ("error",
"result" or "either"), the words an error message must contain one of (the argument or the
file it is about) and a validator that returns None when a result is right, else what is
wrong with it. Every generator below is deterministic (seeded).
"""

from __future__ import annotations

import functools
import math
import re
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

Check = Callable[[Any], "str | None"]

FS = 360.0
NAN = float("nan")
INF = float("inf")


@dataclass
class Case:
    """One hostile input and what ecgkit should do with it."""

    area: str
    name: str
    expect: str  # "error" | "result" | "either"
    call: Callable[[], Any] | None = None
    names: tuple[str, ...] = ()
    check: Check | None = None
    argv: tuple[str, ...] = ()  # CLI cases: the arguments of `ecgkit`
    timeout_s: float = 20.0
    needs_run: bool = False  # CLI cases that need the trained run folder


def names_in(message: str, names: Sequence[str]) -> bool:
    """Whether ``message`` mentions one of ``names`` as a word (case-insensitive)."""
    if not names:
        return True
    for name in names:
        pattern = rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])"
        if re.search(pattern, message, flags=re.IGNORECASE):
            return True
    return False


# --------------------------------------------------------------------------- validators


def _all(*checks: Check | None) -> Check:
    def check(value: Any) -> str | None:
        for one in checks:
            if one is not None:
                complaint = one(value)
                if complaint:
                    return complaint
        return None

    return check


def _peaks_ok(n: int) -> Check:
    def check(p: Any) -> str | None:
        if not isinstance(p, np.ndarray):
            return f"returned {type(p).__name__}, not an array"
        if p.ndim != 1 or p.dtype != np.int64:
            return f"peaks are {p.dtype} of shape {p.shape}, not 1-D int64"
        if p.size and (p.min() < 0 or p.max() >= n):
            return f"a peak lies outside [0, {n}): {p.min()}..{p.max()}"
        if np.any(np.diff(p) <= 0):
            return "peaks are not strictly increasing"
        return None

    return check


def _n_peaks(low: int, high: int | None = None) -> Check:
    high = low if high is None else high

    def check(p: Any) -> str | None:
        if not low <= len(p) <= high:
            want = f"{low}" if low == high else f"{low}..{high}"
            return f"{len(p)} peaks, expected {want}"
        return None

    return check


def _near_peaks(expected: np.ndarray, tol: int = 0) -> Check:
    def check(p: Any) -> str | None:
        if len(p) != len(expected):
            return f"{len(p)} peaks instead of the {len(expected)} of the unscaled signal"
        worst = int(np.max(np.abs(np.asarray(p) - expected))) if len(p) else 0
        if worst > tol:
            return f"peaks moved by up to {worst} samples from the unscaled signal's"
        return None

    return check


def _at(positions: Sequence[int], tol: int) -> Check:
    def check(p: Any) -> str | None:
        got = np.asarray(p)
        if got.size != len(positions):
            return f"{got.size} peaks at {got.tolist()}, expected {list(positions)}"
        if np.any(np.abs(got - np.asarray(positions)) > tol):
            return f"peaks at {got.tolist()}, expected {list(positions)} +- {tol}"
        return None

    return check


def _filtered(x_in: Any, bound: float = 10.0) -> Check:
    x_arr = np.asarray(x_in, dtype=np.float64)
    limit = bound * float(np.max(np.abs(x_arr))) + 1e-12

    def check(y: Any) -> str | None:
        if not isinstance(y, np.ndarray) or y.shape != x_arr.shape:
            return f"output shape {getattr(y, 'shape', None)} != input shape {x_arr.shape}"
        if not np.issubdtype(y.dtype, np.floating):
            return f"output dtype {y.dtype}"
        if not np.isfinite(y).all():
            return "output holds NaN or infinite values"
        if np.max(np.abs(y)) > limit:
            return f"output peaks at {np.max(np.abs(y)):.3g}, over {bound}x the input's"
        return None

    return check


def _zeros_like(shape: tuple[int, ...]) -> Check:
    def check(y: Any) -> str | None:
        if np.shape(y) != shape:
            return f"shape {np.shape(y)} != {shape}"
        if not np.all(np.asarray(y) == 0):
            return "a flat input did not normalise to zeros"
        return None

    return check


def _zscored(shape: tuple[int, ...], axis: Any = -1) -> Check:
    def check(y: Any) -> str | None:
        if np.shape(y) != shape:
            return f"shape {np.shape(y)} != {shape}"
        arr = np.asarray(y, dtype=np.float64)
        if not np.isfinite(arr).all():
            return "output holds NaN or infinite values"
        mean = np.abs(arr.mean(axis=axis)).max()
        std = np.abs(arr.std(axis=axis) - 1).max()
        if mean > 1e-3 or std > 1e-3:
            return f"not z-scored: |mean| up to {mean:.3g}, |std - 1| up to {std:.3g}"
        return None

    return check


def _minmaxed(shape: tuple[int, ...]) -> Check:
    def check(y: Any) -> str | None:
        arr = np.asarray(y)
        if arr.shape != shape or not np.isfinite(arr).all():
            return f"shape {arr.shape} or non-finite values"
        if arr.min() < -1e-9 or arr.max() > 1 + 1e-9:
            return f"minmax output spans {arr.min():.3g}..{arr.max():.3g}, not [0, 1]"
        return None

    return check


def _resampled(n: int, fs_in: float, fs_out: float, axis_len_at: int = -1) -> Check:
    want = math.ceil(n * fs_out / fs_in)

    def check(y: Any) -> str | None:
        arr = np.asarray(y)
        got = arr.shape[axis_len_at]
        if abs(got - want) > 1:
            return f"{got} samples, expected about ceil({n} * {fs_out:g} / {fs_in:g}) = {want}"
        if not np.isfinite(arr).all():
            return "output holds NaN or infinite values"
        return None

    return check


def _segments(x: np.ndarray, peaks: np.ndarray, before: int, after: int) -> Check:
    leads = np.atleast_2d(x)

    def check(b: Any) -> str | None:
        length = before + after
        if b.windows.shape[1:] != (leads.shape[0], length):
            return f"windows {b.windows.shape}, expected (n, {leads.shape[0]}, {length})"
        if b.windows.shape[0] != b.r_sample.size or b.r_sample.size != b.beat_index.size:
            return "windows, r_sample and beat_index disagree in length"
        if not np.isin(b.r_sample, peaks).all():
            return "an r_sample is not one of the R peaks given"
        for i, r in enumerate(b.r_sample):
            if not b.padded[i]:
                expected = leads[:, r - before : r - before + length]
                if not np.array_equal(b.windows[i], expected):
                    return f"window {i} is not the signal around sample {r}"
        if peaks.size >= 2 and not (np.isfinite(b.pre_rr).all() and (b.pre_rr > 0).all()):
            return "pre_rr not finite and > 0"
        return None

    return check


def _rr_ok(n: int, fs: float, peaks: np.ndarray | None = None) -> Check:
    def check(out: Any) -> str | None:
        if len(out) != 4 or any(np.shape(a) != (n,) for a in out):
            return f"expected 4 arrays of shape ({n},)"
        if n >= 2:
            if not all(np.isfinite(a).all() and (a > 0).all() for a in out):
                return "RR intervals not finite and > 0"
            if peaks is not None and not np.allclose(out[0][1:], np.diff(peaks) / fs):
                return "pre_rr is not the difference of the R peaks over fs"
        return None

    return check


def _rr_features_ok(n: int) -> Check:
    def check(out: Any) -> str | None:
        if np.shape(out) != (n, 11):
            return f"shape {np.shape(out)}, expected ({n}, 11)"
        if n >= 2 and not np.isfinite(out).all():
            return "features not finite"
        return None

    return check


def _match_ok(n_det: int, n_ref: int, tol_samples: float) -> Check:
    def check(m: Any) -> str | None:
        if m.tp + m.fp != n_det or m.tp + m.fn != n_ref:
            return f"tp {m.tp} fp {m.fp} fn {m.fn} do not add up to {n_det} / {n_ref}"
        if m.tp and np.max(np.abs(m.timing_error_s)) * m.fs > tol_samples + 1e-6:
            return "a matched pair lies further apart than the tolerance"
        if len(set(m.detected_index.tolist())) != m.tp:
            return "a detection is matched twice"
        return None

    return check


def _irregularity_ok(n: int) -> Check:
    def check(out: Any) -> str | None:
        arr = np.asarray(out)
        if arr.shape != (n,) or not np.isfinite(arr).all() or (arr < 0).any():
            return f"shape {arr.shape} (expected ({n},)), or values not finite and >= 0"
        return None

    return check


def _p_wave_ok(n: int) -> Check:
    def check(out: Any) -> str | None:
        arr = np.asarray(out, dtype=np.float64)
        if arr.shape != (n,):
            return f"shape {arr.shape}, expected ({n},)"
        finite = arr[np.isfinite(arr)]
        if (np.abs(finite) > 1 + 1e-9).any() or np.isinf(arr).any():
            return "consistency outside [-1, 1]"
        return None

    return check


def _af_ok(n: int, af: bool | None = None) -> Check:
    def check(r: Any) -> str | None:
        if r.in_af.shape != (n,) or r.in_af.dtype != np.bool_:
            return f"in_af {r.in_af.dtype} {r.in_af.shape}, expected bool ({n},)"
        if r.episodes.ndim != 2 or r.episodes.shape[1] != 2:
            return f"episodes shape {r.episodes.shape}"
        if r.episodes.size and (
            (r.episodes[:, 0] > r.episodes[:, 1]).any()
            or r.episodes.min() < 0
            or r.episodes.max() >= n
        ):
            return "an episode is out of range"
        if not 0.0 <= r.burden <= 1.0:
            return f"burden {r.burden}"
        if r.irregularity.shape != (n,) or not np.isfinite(r.irregularity).all():
            return "irregularity shape or values"
        if af is not None and bool(r.in_af.mean() > 0.5 if n else False) != af:
            return f"AF {'missed' if af else 'found in a steady rhythm'}"
        return None

    return check


def _indices_ok(n: int, upper: int | None = None) -> Check:
    def check(out: Any) -> str | None:
        arr = np.asarray(out)
        if arr.shape != (n,) or arr.dtype != np.int64:
            return f"{arr.dtype} {arr.shape}, expected int64 ({n},)"
        if arr.size and arr.min() < 0:
            return f"a negative sample index: {arr.min()}"
        if upper is not None and arr.size and arr.max() >= max(upper, 1):
            return f"an index {arr.max()} >= n_samples_out {upper}"
        return None

    return check


def _length_ok(want: int) -> Check:
    def check(out: Any) -> str | None:
        if not isinstance(out, int) or out != want:
            return f"returned {out!r}, expected {want}"
        return None

    return check


# --------------------------------------------------------------------------- signal


@functools.lru_cache(maxsize=1)
def _signal_fixtures() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from ecgkit.data import BEAT_SYMBOLS, load_example
    from ecgkit.signal import detect_r_peaks

    record, annotations = load_example("100")
    x = np.ascontiguousarray(record.signal[:3600, 0])
    beats = annotations.select(BEAT_SYMBOLS).sample
    peaks = np.asarray(beats[beats < x.size], dtype=np.int64)
    detected = detect_r_peaks(x, FS)
    return x, peaks, detected


def _bad_signals(x: np.ndarray) -> list[tuple[str, Any]]:
    def with_value(value: float) -> np.ndarray:
        y = x.copy()
        y[500] = value
        return y

    return [
        ("nan", with_value(NAN)),
        ("inf", with_value(INF)),
        ("-inf", with_value(-INF)),
        ("all_nan", np.full(x.size, NAN)),
        ("empty", np.zeros(0)),
        ("empty_2d", np.zeros((1, 0))),
        ("0d", np.float64(1.0)),
        ("python_float", 1.0),
        ("str", "ecg"),
        ("bytes", b"\x00\x01\x02"),
        ("str_array", np.array(["1.0"] * 400)),
        ("bool", x > 0),
        ("complex", x.astype(np.complex128)),
        ("object", x.astype(object)),
        ("none", None),
        ("dict", {"lead": x}),
        ("ragged", [[1.0, 2.0, 3.0], [4.0]]),
        ("datetime", np.arange(3600).astype("datetime64[s]")),
    ]


def _x_functions(peaks: np.ndarray) -> dict[str, tuple[Callable[[Any], Any], bool]]:
    """Each function that takes a signal, as f(x), and whether it accepts any ndim."""
    from ecgkit.signal import (
        bandpass,
        clean,
        detect_af,
        detect_r_peaks,
        highpass,
        lowpass,
        normalize,
        notch,
        p_wave_consistency,
        refine_peaks,
        remove_baseline,
        resample,
        segment_beats,
    )

    def af(x: Any) -> Any:
        return detect_af(peaks, FS, signal=x)

    return {
        "detect_r_peaks": (functools.partial(_call_x, detect_r_peaks, FS), False),
        "clean": (functools.partial(_call_x, clean, FS), True),
        "bandpass": (functools.partial(_call_x, bandpass, FS, 0.5, 40.0), True),
        "highpass": (functools.partial(_call_x, highpass, FS, 0.5), True),
        "lowpass": (functools.partial(_call_x, lowpass, FS, 40.0), True),
        "notch": (functools.partial(_call_x, notch, FS, 60.0), True),
        "remove_baseline": (functools.partial(_call_x, remove_baseline, FS), True),
        "resample": (functools.partial(_call_x, resample, FS, 250.0), True),
        "normalize": (normalize, True),
        "segment_beats": (functools.partial(_call_x, segment_beats, FS, peaks), False),
        "refine_peaks": (functools.partial(_call_x, refine_peaks, peaks, FS), False),
        "p_wave_consistency": (functools.partial(_call_x, p_wave_consistency, peaks, FS), False),
        "detect_af(signal=)": (af, False),
    }


def _call_x(function: Callable[..., Any], *args: Any) -> Any:
    """``function(x, *rest)`` for a partial built as partial(_call_x, function, *rest)(x)."""
    *rest, x = args
    return function(x, *rest)


def _x_check(name: str, x_in: Any, peaks: np.ndarray) -> Check | None:
    arr = np.asarray(x_in)
    n = arr.shape[-1]
    if name in ("detect_r_peaks", "refine_peaks"):
        return _peaks_ok(n)
    if name == "resample":
        return _resampled(n, FS, 250.0)
    if name == "normalize":
        return _zscored(arr.shape)
    if name == "segment_beats":
        return _segments(arr.astype(np.float64), peaks, 90, 162)
    if name == "p_wave_consistency":
        return _p_wave_ok(peaks.size)
    if name == "detect_af(signal=)":
        return _af_ok(peaks.size)
    return _filtered(arr)


def _fs_functions(
    x: np.ndarray, peaks: np.ndarray
) -> dict[str, tuple[Callable[[Any], Any], Callable[[float], Check | None]]]:
    """Each function that takes a sampling rate, as f(fs), with a validator for odd rates."""
    from ecgkit.signal import (
        bandpass,
        clean,
        detect_af,
        detect_r_peaks,
        highpass,
        lowpass,
        match_peaks,
        notch,
        p_wave_consistency,
        refine_peaks,
        remove_baseline,
        resample,
        resample_indices,
        resampled_length,
        rr_features,
        rr_intervals,
        rr_irregularity,
        segment_beats,
    )

    n, k = x.size, peaks.size

    def filtered(_fs: float) -> Check:
        return _filtered(x)

    calls: dict[str, tuple[Callable[[Any], Any], Callable[[float], Check | None]]] = {
        "detect_r_peaks": (
            lambda fs: detect_r_peaks(x, fs),
            lambda _fs: _peaks_ok(n),
        ),
        "clean": (lambda fs: clean(x, fs), filtered),
        "bandpass": (lambda fs: bandpass(x, fs, 0.5, 40.0), filtered),
        "highpass": (lambda fs: highpass(x, fs, 0.5), filtered),
        "lowpass": (lambda fs: lowpass(x, fs, 40.0), filtered),
        "notch": (lambda fs: notch(x, fs, 50.0), filtered),
        "remove_baseline": (lambda fs: remove_baseline(x, fs), filtered),
        "resample(fs_in)": (
            lambda fs: resample(x, fs, 250.0),
            lambda fs: _resampled(n, fs, 250.0),
        ),
        "resample(fs_out)": (
            lambda fs: resample(x, FS, fs),
            lambda fs: _resampled(n, FS, fs),
        ),
        "refine_peaks": (lambda fs: refine_peaks(x, peaks, fs), lambda _fs: _peaks_ok(n)),
        "rr_intervals": (lambda fs: rr_intervals(peaks, fs), lambda fs: _rr_ok(k, fs, peaks)),
        "rr_features": (lambda fs: rr_features(peaks, fs), lambda _fs: _rr_features_ok(k)),
        "segment_beats": (
            lambda fs: segment_beats(x, fs, peaks),
            lambda fs: _segments(x, peaks, round(0.25 * fs), round(0.45 * fs)),
        ),
        "match_peaks": (
            lambda fs: match_peaks(peaks, peaks + 3, fs),
            lambda fs: _match_ok(k, k, math.floor(0.15 * fs + 1e-9)),
        ),
        "rr_irregularity": (
            lambda fs: rr_irregularity(peaks, fs),
            lambda _fs: _irregularity_ok(k),
        ),
        "p_wave_consistency": (
            lambda fs: p_wave_consistency(x, peaks, fs),
            lambda _fs: _p_wave_ok(k),
        ),
        "detect_af": (lambda fs: detect_af(peaks, fs, signal=x), lambda _fs: _af_ok(k)),
        "resample_indices": (
            lambda fs: resample_indices(peaks, fs, 250.0),
            lambda _fs: _indices_ok(k),
        ),
        "resampled_length": (
            lambda fs: resampled_length(n, fs, 250.0),
            lambda fs: _length_ok(math.ceil(n * 250.0 / fs)),
        ),
    }
    return calls


_BAD_FS: list[tuple[str, Any, str]] = [
    ("0", 0, "error"),
    ("-1", -1, "error"),
    ("nan", NAN, "error"),
    ("inf", INF, "error"),
    ("-inf", -INF, "error"),
    ("str", "360", "error"),
    ("bool", True, "error"),
    ("none", None, "error"),
    ("complex", 360j, "error"),
    ("array", np.array([360.0, 360.0]), "error"),
    ("1e12", 1e12, "either"),
    ("1e-6", 1e-6, "either"),
    ("np_float32", np.float32(360.0), "result"),
]


def _bad_peaks(n: int) -> list[tuple[str, Any, str]]:
    """(label, peaks, kind): kind says which functions must refuse them.

    "bad": every function refuses; "beyond": those that know the signal length refuse;
    "order": those that need strictly increasing peaks refuse; "ok": none refuses.
    """
    return [
        ("negative", np.array([-5, 100, 200]), "bad"),
        ("beyond_signal", np.array([100, 1000, n + 50]), "beyond"),
        ("float_fraction", np.array([100.5, 1000.0]), "bad"),
        ("float_whole", np.array([100.0, 1000.0, 2000.0]), "ok"),
        ("nan", np.array([100.0, NAN, 2000.0]), "bad"),
        ("inf", np.array([100.0, INF]), "bad"),
        ("unsorted", np.array([2000, 100, 1000]), "order"),
        ("duplicated", np.array([100, 1000, 1000, 2000]), "order"),
        ("2d", np.array([[100, 1000, 2000]]), "bad"),
        ("0d", np.int64(100), "bad"),
        ("str", np.array(["100", "1000"]), "bad"),
        ("bool", np.array([True, False, True]), "bad"),
        ("object", np.array([100, 1000], dtype=object), "bad"),
        ("none_item", [None, 100], "bad"),
        ("empty", np.array([], dtype=np.int64), "ok"),
        ("single", np.array([1000]), "ok"),
        ("huge", np.array([100, 2**62]), "beyond"),
        ("uint64", np.array([100, 1000, 2000], dtype=np.uint64), "ok"),
        ("every_sample", np.arange(0, n, 1), "ok"),
    ]


def _peak_functions(
    x: np.ndarray, reference: np.ndarray
) -> dict[str, tuple[Callable[[Any], Any], bool, bool, Callable[[np.ndarray], Check]]]:
    """f(peaks), knows the signal length, needs increasing peaks, validator(peaks)."""
    from ecgkit.signal import (
        detect_af,
        match_peaks,
        p_wave_consistency,
        refine_peaks,
        resample_indices,
        rr_features,
        rr_intervals,
        rr_irregularity,
        segment_beats,
    )

    n = x.size

    def sorted_unique(p: np.ndarray) -> np.ndarray:
        return np.unique(np.asarray(p).astype(np.int64))

    return {
        "refine_peaks": (lambda p: refine_peaks(x, p, FS), True, False, lambda p: _peaks_ok(n)),
        "rr_intervals": (
            lambda p: rr_intervals(p, FS),
            False,
            True,
            lambda p: _rr_ok(len(p), FS, np.asarray(p).astype(np.int64)),
        ),
        "rr_features": (
            lambda p: rr_features(p, FS),
            False,
            True,
            lambda p: _rr_features_ok(len(p)),
        ),
        "segment_beats": (
            lambda p: segment_beats(x, FS, p),
            True,
            True,
            lambda p: _segments(x, sorted_unique(p), 90, 162),
        ),
        "match_peaks(detected)": (
            lambda p: match_peaks(p, reference, FS),
            False,
            False,
            lambda p: _match_ok(len(p), reference.size, 54),
        ),
        "match_peaks(reference)": (
            lambda p: match_peaks(reference, p, FS),
            False,
            False,
            lambda p: _match_ok(reference.size, len(p), 54),
        ),
        "rr_irregularity": (
            lambda p: rr_irregularity(p, FS),
            False,
            True,
            lambda p: _irregularity_ok(len(p)),
        ),
        "p_wave_consistency": (
            lambda p: p_wave_consistency(x, p, FS),
            True,
            True,
            lambda p: _p_wave_ok(len(p)),
        ),
        "detect_af": (lambda p: detect_af(p, FS), False, True, lambda p: _af_ok(len(p))),
        "detect_af(signal=)": (
            lambda p: detect_af(p, FS, signal=x),
            True,
            True,
            lambda p: _af_ok(len(p)),
        ),
        "resample_indices": (
            lambda p: resample_indices(p, FS, 250.0),
            False,
            False,
            lambda p: _indices_ok(len(p)),
        ),
    }


def _flat_and_scaled(x: np.ndarray, detected: np.ndarray) -> list[Case]:
    """Edge-valid inputs of detect_r_peaks with exact answers."""
    from ecgkit.signal import detect_r_peaks

    cases = []
    for value in (0.0, 1.23, -3.0, 1e6):
        for method in ("ecgkit", "neurokit"):
            cases.append(
                Case(
                    "signal",
                    f"detect_r_peaks/flat_line={value:g}/{method}",
                    "result",
                    functools.partial(detect_r_peaks, np.full(21600, value), FS, method),
                    check=_all(_peaks_ok(21600), _n_peaks(0)),
                )
            )
    for label, y, tol, expect in (
        ("gain_1e6", x * 1e6, 0, "result"),
        ("gain_1e-9", x * 1e-9, 0, "result"),
        ("offset_1000", x + 1000.0, 0, "result"),
        ("gain_1e150", x * 1e150, 0, "either"),
        ("gain_1e-150", x * 1e-150, 0, "either"),
        ("gain_1e200", x * 1e200, 0, "either"),
        ("gain_1e-200", x * 1e-200, 0, "either"),
        ("float32", x.astype(np.float32), 1, "result"),
        ("int16_adc", np.round(x * 200).astype(np.int16), 1, "result"),
        ("python_list", x.tolist(), 0, "result"),
        ("strided_copy", np.repeat(x, 2)[::2], 0, "result"),
    ):
        cases.append(
            Case(
                "signal",
                f"detect_r_peaks/{label}",
                expect,
                functools.partial(detect_r_peaks, y, FS),
                names=("x",),
                check=_all(_peaks_ok(x.size), _near_peaks(detected, tol)),
            )
        )
    two = np.zeros(3 * 360)
    spike = np.exp(-0.5 * (np.arange(-15, 16) / 4.0) ** 2)
    for at in (360, 720):
        two[at - 15 : at + 16] += spike
    one = np.zeros(5 * 360)
    one[900 - 15 : 900 + 16] += spike
    step = np.concatenate([np.zeros(1800), np.ones(1800)])
    noise = np.random.default_rng(0).normal(size=3600)
    lead_off = np.stack([x, np.full(x.size, 1.0)])
    both_off = np.stack([np.zeros(x.size), np.full(x.size, 2.0)])
    cases += [
        Case(
            "signal",
            "detect_r_peaks/two_beats",
            "result",
            functools.partial(detect_r_peaks, two, FS),
            check=_all(_peaks_ok(two.size), _at([360, 720], 5)),
        ),
        Case(
            "signal",
            "detect_r_peaks/one_beat",
            "result",
            functools.partial(detect_r_peaks, one, FS),
            check=_all(_peaks_ok(one.size), _at([900], 5)),
        ),
        Case(
            "signal",
            "detect_r_peaks/step",
            "result",
            functools.partial(detect_r_peaks, step, FS),
            check=_all(_peaks_ok(step.size), _at_most_one_beat),
        ),
        Case(
            "signal",
            "detect_r_peaks/white_noise",
            "result",
            functools.partial(detect_r_peaks, noise, FS),
            check=_peaks_ok(noise.size),
        ),
        Case(
            "signal",
            "detect_r_peaks/single_sample",
            "error",
            functools.partial(detect_r_peaks, np.ones(1), FS),
            names=("x",),
        ),
        Case(
            "signal",
            "detect_r_peaks/min_length_180",
            "result",
            functools.partial(detect_r_peaks, x[:180], FS),
            check=_peaks_ok(180),
        ),
        Case(
            "signal",
            "detect_r_peaks/samples_first_without_axis",
            "error",
            functools.partial(detect_r_peaks, x[:, None], FS),
            names=("x", "axis"),
        ),
        Case(
            "signal",
            "detect_r_peaks/samples_first_axis0",
            "result",
            functools.partial(detect_r_peaks, x[:, None], FS, axis=0),
            check=_near_peaks(detected),
        ),
        Case(
            "signal",
            "detect_r_peaks/lead_off_beside_working_lead",
            "result",
            functools.partial(detect_r_peaks, lead_off, FS),
            check=_near_peaks(detected),
        ),
        Case(
            "signal",
            "detect_r_peaks/both_leads_off",
            "result",
            functools.partial(detect_r_peaks, both_off, FS),
            check=_n_peaks(0),
        ),
        Case(
            "signal",
            "detect_r_peaks/wrong_fs_36",
            "either",
            functools.partial(detect_r_peaks, x, 36.0),
            names=("fs", "x"),
            check=_peaks_ok(x.size),
        ),
        Case(
            "signal",
            "detect_r_peaks/neurokit_on_ecg",
            "result",
            functools.partial(detect_r_peaks, x, FS, "neurokit"),
            check=_all(_peaks_ok(x.size), _n_peaks(detected.size - 1, detected.size + 1)),
        ),
    ]
    return cases


def _parameter_cases(x: np.ndarray, peaks: np.ndarray, detected: np.ndarray) -> list[Case]:
    """Absurd values of every other parameter of the signal functions."""
    from ecgkit.signal import (
        bandpass,
        clean,
        detect_af,
        detect_r_peaks,
        highpass,
        lowpass,
        match_peaks,
        normalize,
        notch,
        p_wave_consistency,
        refine_peaks,
        remove_baseline,
        resample,
        resample_indices,
        resampled_length,
        rr_features,
        rr_intervals,
        rr_irregularity,
        segment_beats,
    )

    n, k = x.size, peaks.size
    two_leads = np.stack([x, -0.5 * x])
    cases: list[Case] = []

    def add(
        name: str,
        expect: str,
        call: Callable[[], Any],
        names: Sequence[str] = (),
        check: Check | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        cases.append(Case("signal", name, expect, call, tuple(names), check, timeout_s=timeout_s))

    p = functools.partial
    for low, high, expect in [
        (0, 40, "error"),
        (-1, 40, "error"),
        (40, 0.5, "error"),
        (40, 40, "error"),
        (0.5, 180, "error"),
        (0.5, 1000, "error"),
        (NAN, 40, "error"),
        (0.5, INF, "error"),
        ("0.5", 40, "error"),
        (None, None, "error"),
        (None, 40, "either"),
        (True, 40, "error"),
    ]:
        add(
            f"bandpass/low={low!r}/high={high!r}",
            expect,
            p(bandpass, x, FS, low, high),
            ("low_hz", "high_hz"),
            _filtered(x),
        )
    for order, expect in [
        (0, "error"),
        (-1, "error"),
        (2.5, "error"),
        ("2", "error"),
        (True, "error"),
        (None, "error"),
        (20, "either"),
        (60, "either"),
        (10**5, "either"),
    ]:
        add(
            f"bandpass/order={order!r}",
            expect,
            p(bandpass, x, FS, 0.5, 40.0, order=order),
            ("order", "x"),
            _filtered(x),
        )
    for function, label in ((highpass, "highpass"), (lowpass, "lowpass")):
        for cutoff in (0, -5, 180, 1e9, NAN, INF, "40", None, True):
            add(
                f"{label}/cutoff_hz={cutoff!r}",
                "error",
                p(function, x, FS, cutoff),
                ("cutoff_hz", "low_hz", "high_hz"),
            )
    for freq in (0, 180, 200, NAN, -50, "50", None):
        add(f"notch/freq_hz={freq!r}", "error", p(notch, x, FS, freq), ("freq_hz",))
    for quality, expect in [
        (0, "error"),
        (-1, "error"),
        (NAN, "error"),
        (INF, "error"),
        ("30", "error"),
        (1e12, "either"),
    ]:
        add(
            f"notch/quality={quality!r}",
            expect,
            p(notch, x, FS, 50.0, quality=quality),
            ("quality",),
            _filtered(x),
        )
    for method in ("bogus", None, "HIGHPASS", 3):
        add(
            f"remove_baseline/method={method!r}",
            "error",
            p(remove_baseline, x, FS, method=method),
            ("method",),
        )
    for cutoff in (0, NAN, 500, "0.5"):
        add(
            f"remove_baseline/highpass_cutoff={cutoff!r}",
            "error",
            p(remove_baseline, x, FS, method="highpass", cutoff_hz=cutoff),
            ("cutoff_hz", "low_hz"),
        )
    add(
        "remove_baseline/fs=1e6_long",
        "error",
        p(remove_baseline, np.zeros(2_000_000), 1e6),
        ("fs",),
        timeout_s=5.0,
    )
    add(
        "remove_baseline/fs=50000_short",
        "either",
        p(remove_baseline, x, 50_000.0),
        ("fs", "x"),
        _filtered(x, bound=1e3),
    )
    for powerline, expect in [
        (NAN, "error"),
        ("50", "error"),
        (-50, "error"),
        (0, "error"),
        (True, "error"),
        (200, "result"),
        (50, "result"),
        (60, "result"),
    ]:
        add(
            f"clean/powerline_hz={powerline!r}",
            expect,
            p(clean, x, FS, powerline_hz=powerline),
            ("powerline_hz", "freq_hz"),
            _filtered(x),
        )
    for fs_in, fs_out, expect in [
        (360.0, 1e12, "error"),
        (1e12, 360.0, "either"),
        (360.0, 1e-6, "either"),
        (360.0, 360.0000001, "either"),
        (333.33, 250.0, "result"),
        (360.0, 360.0, "result"),
        (360.0, 361.0, "result"),
        (360.0, 1e5, "either"),
    ]:
        add(
            f"resample/{fs_in!r}->{fs_out!r}",
            expect,
            p(resample, x, fs_in, fs_out),
            ("fs_in", "fs_out"),
            _resampled(n, fs_in, fs_out),
        )
    for axis in (5, 1.5, "0", None):
        add(f"resample/axis={axis!r}", "error", p(resample, x, FS, 250.0, axis=axis), ("axis",))
    for n_out, expect in [(0, "error"), (-5, "error"), (1.5, "error"), ("100", "error")]:
        add(
            f"resample_indices/n_samples_out={n_out!r}",
            expect,
            p(resample_indices, peaks, FS, 250.0, n_out),
            ("n_samples_out",),
            _indices_ok(k, n_out if isinstance(n_out, int) else None),
        )
    for n_samples, expect, want in [
        (-5, "error", 0),
        (1.5, "either", 2),
        ("100", "error", 0),
        (0, "result", 0),
        (10**15, "result", 694444444444445),
    ]:
        add(
            f"resampled_length/n_samples={n_samples!r}",
            expect,
            p(resampled_length, n_samples, FS, 250.0),
            ("n_samples",),
            _length_ok(want),
        )
    beats_batch = np.random.default_rng(1).normal(size=(4, 2, 50))
    for method in ("bogus", None, "ZSCORE", 0):
        add(f"normalize/method={method!r}", "error", p(normalize, x, method), ("method",))
    for axis, expect in [
        (5, "error"),
        (1.5, "error"),
        ((0, 0), "error"),
        ((), "error"),
        ("x", "error"),
        ((0, 5), "error"),
        (None, "either"),
    ]:
        add(
            f"normalize/axis={axis!r}",
            expect,
            p(normalize, beats_batch, axis=axis),
            ("axis",),
            _zscored(beats_batch.shape, axis=None),
        )
    for label, y, method, check in [
        ("flat", np.full(500, 3.0), "zscore", _zeros_like((500,))),
        ("flat_robust", np.full(500, 3.0), "robust", _zeros_like((500,))),
        ("huge_1e300", x * 1e300, "zscore", _zscored(x.shape)),
        ("tiny_1e-300", x * 1e-300, "zscore", _zscored(x.shape)),
        ("int16", np.round(x * 200).astype(np.int16), "zscore", _zscored(x.shape)),
        ("single_sample", np.ones(1), "zscore", _zeros_like((1,))),
        ("minmax_huge", x * 1e300, "minmax", _minmaxed(x.shape)),
        ("robust_spiky", np.r_[np.zeros(400), 1e9, np.zeros(99)], "robust", _irregular_ok),
        ("per_beat_3d", beats_batch, "zscore", _zscored(beats_batch.shape)),
    ]:
        add(f"normalize/{label}/{method}", "result", p(normalize, y, method), (), check)
    for method in ("bogus", None, 5, "NEUROKIT"):
        add(
            f"detect_r_peaks/method={method!r}",
            "error",
            p(detect_r_peaks, x, FS, method),
            ("method",),
        )
    for axis in (2, -3, 1.5, "0", None):
        add(
            f"detect_r_peaks/axis={axis!r}",
            "error",
            p(detect_r_peaks, two_leads, FS, axis=axis),
            ("axis",),
        )
    for window, expect in [
        (-1, "error"),
        (NAN, "error"),
        (INF, "error"),
        ("0.06", "error"),
        (None, "error"),
        (1e9, "either"),
        (0, "result"),
    ]:
        add(
            f"detect_r_peaks/refine_window_s={window!r}",
            expect,
            p(detect_r_peaks, x, FS, refine_window_s=window),
            ("refine_window_s", "window_s"),
            _peaks_ok(n),
        )
    for lead, expect in [
        (5, "error"),
        (-5, "error"),
        (1.5, "error"),
        ("0", "error"),
        (None, "error"),
        (-1, "result"),
    ]:
        add(
            f"detect_r_peaks/reference_lead={lead!r}",
            expect,
            p(detect_r_peaks, two_leads, FS, reference_lead=lead),
            ("reference_lead",),
            _peaks_ok(n),
        )
    for chunk, expect in [
        (0, "error"),
        (-1, "error"),
        (NAN, "error"),
        (300, "error"),
        ("600", "error"),
        (True, "error"),
        (1e12, "result"),
    ]:
        add(
            f"detect_r_peaks/chunk_s={chunk!r}",
            expect,
            p(detect_r_peaks, x, FS, chunk_s=chunk),
            ("chunk_s",),
            _near_peaks(detected),
        )
    for window, expect in [
        (-1, "error"),
        (NAN, "error"),
        ("0.06", "error"),
        (1e9, "result"),
        (INF, "error"),
    ]:
        add(
            f"refine_peaks/window_s={window!r}",
            expect,
            p(refine_peaks, x, peaks, FS, window_s=window),
            ("window_s",),
            _peaks_ok(n),
        )
    add("refine_peaks/x_2d", "error", p(refine_peaks, two_leads, peaks, FS), ("x",))
    add(
        "refine_peaks/unsorted_duplicates",
        "result",
        p(refine_peaks, x, np.r_[peaks[::-1], peaks[:2]], FS),
        (),
        _peaks_ok(n),
    )
    for before, after, edge, expect in [
        (-1, 0.45, "drop", "error"),
        (NAN, 0.45, "drop", "error"),
        (INF, 0.45, "drop", "error"),
        ("0.25", 0.45, "drop", "error"),
        (0, 0, "drop", "error"),
        (1e9, 0.45, "drop", "either"),
        (1e9, 0.45, "pad", "either"),
        (0.25, 1e9, "pad", "either"),
        (0.25, 0.45, "bogus", "error"),
        (0.25, 0.45, None, "error"),
        (0.25, 0.45, "pad", "result"),
    ]:
        add(
            f"segment_beats/before_s={before!r}/after_s={after!r}/edge={edge!r}",
            expect,
            p(segment_beats, x, FS, peaks, before_s=before, after_s=after, edge=edge),
            ("before_s", "after_s", "edge"),
            _segments(x, peaks, round(0.25 * FS), round(0.45 * FS))
            if before == 0.25 and after == 0.45
            else _segments_shape_only,
        )
    for pad in ("x", None, [1, 2]):
        add(
            f"segment_beats/pad_value={pad!r}",
            "error" if pad is not None else "result",
            p(segment_beats, x, FS, np.r_[10, peaks], edge="pad", pad_value=pad),
            ("pad_value",),
            _segments_shape_only,
        )
    for local, expect in [
        (0, "error"),
        (-1, "error"),
        (1.5, "error"),
        (True, "error"),
        ("10", "error"),
        (10**9, "result"),
    ]:
        add(
            f"rr_intervals/local_beats={local!r}",
            expect,
            p(rr_intervals, peaks, FS, local_beats=local),
            ("local_beats",),
            _rr_ok(k, FS, peaks),
        )
        add(
            f"rr_features/local_beats={local!r}",
            expect,
            p(rr_features, peaks, FS, local_beats=local),
            ("local_beats",),
            _rr_features_ok(k),
        )
        add(
            f"segment_beats/local_beats={local!r}",
            expect,
            p(segment_beats, x, FS, peaks, local_beats=local),
            ("local_beats",),
            _segments_shape_only,
        )
    for tol, expect in [
        (-1, "error"),
        (NAN, "error"),
        (INF, "error"),
        ("0.15", "error"),
        (1e6, "result"),
        (0, "result"),
    ]:
        add(
            f"match_peaks/tolerance_s={tol!r}",
            expect,
            p(match_peaks, peaks, peaks + 3, FS, tolerance_s=tol),
            ("tolerance_s",),
            _match_ok(k, k, 1e6 * FS if tol == 1e6 else 0),
        )
    steady = np.arange(100) * 300
    rng = np.random.default_rng(0)
    irregular = np.round(np.cumsum(rng.uniform(0.4, 1.0, 120)) * 250).astype(np.int64)
    bad_excludes: list[tuple[str, Any, str]] = [
        ("short", np.zeros(k - 1, dtype=bool), "error"),
        ("int", np.zeros(k, dtype=int), "error"),
        ("2d", np.zeros((1, k), dtype=bool), "error"),
        ("none_list", [None] * k, "error"),
        ("str", "V", "error"),
        ("all_true", np.ones(k, dtype=bool), "result"),
    ]
    for label, exclude, expect in bad_excludes:
        add(
            f"rr_irregularity/exclude={label!r}",
            expect,
            p(rr_irregularity, peaks, FS, exclude=exclude),
            ("exclude",),
            _irregularity_ok(k),
        )
        add(
            f"p_wave_consistency/exclude={label!r}",
            expect,
            p(p_wave_consistency, x, peaks, FS, exclude=exclude),
            ("exclude",),
            _p_wave_ok(k),
        )
        add(
            f"detect_af/exclude={label!r}",
            expect,
            p(detect_af, peaks, FS, exclude=exclude),
            ("exclude",),
            _af_ok(k),
        )
    for half, expect in [
        (0, "error"),
        (-1, "error"),
        (1.5, "error"),
        (True, "error"),
        ("15", "error"),
        (10**9, "either"),
        (10**5, "either"),
    ]:
        add(
            f"rr_irregularity/half_window={half!r}",
            expect,
            p(rr_irregularity, peaks, FS, half_window=half),
            ("half_window",),
            _irregularity_ok(k),
        )
        add(
            f"p_wave_consistency/half_window={half!r}",
            expect,
            p(p_wave_consistency, x, peaks, FS, half_window=half),
            ("half_window",),
            _p_wave_ok(k),
        )
        add(
            f"detect_af/half_window={half!r}",
            expect,
            p(detect_af, peaks, FS, half_window=half),
            ("half_window",),
            _af_ok(k),
        )
    add("p_wave_consistency/fs=30", "error", p(p_wave_consistency, x, peaks, 30.0), ("fs",))
    add(
        "p_wave_consistency/signal_2d",
        "error",
        p(p_wave_consistency, two_leads, peaks, FS),
        ("signal",),
    )
    for value, expect in [
        (-1, "error"),
        (NAN, "error"),
        ("x", "error"),
        (INF, "error"),
        (None, "error"),
    ]:
        add(
            f"detect_af/irregularity_threshold={value!r}",
            expect,
            p(detect_af, peaks, FS, irregularity_threshold=value),
            ("irregularity_threshold",),
        )
    for value, expect in [
        (2, "error"),
        (NAN, "error"),
        ("x", "error"),
        (None, "error"),
        (-1.5, "error"),
        ("0.5", "either"),
    ]:
        add(
            f"detect_af/p_wave_threshold={value!r}",
            expect,
            p(detect_af, peaks, FS, signal=x, p_wave_threshold=value),
            ("p_wave_threshold",),
        )
    for value, expect in [
        (-1, "error"),
        (NAN, "error"),
        ("30", "error"),
        (INF, "error"),
        (1e12, "result"),
    ]:
        add(
            f"detect_af/min_episode_s={value!r}",
            expect,
            p(detect_af, peaks, FS, min_episode_s=value),
            ("min_episode_s",),
            _af_ok(k),
        )
    add(
        "detect_af/signal_shorter_than_peaks",
        "error",
        p(detect_af, peaks, FS, signal=x[: peaks[-1]]),
        ("signal", "r_peaks"),
    )
    add("detect_af/steady_rhythm", "result", p(detect_af, steady, FS), (), _af_ok(100, af=False))
    add(
        "detect_af/irregular_rhythm",
        "result",
        p(detect_af, irregular, 250.0),
        (),
        _af_ok(120, af=True),
    )
    for count in (0, 1, 2):
        add(
            f"detect_af/{count}_peaks",
            "result",
            p(detect_af, steady[:count], FS),
            (),
            _af_ok(count, af=False),
        )
        add(
            f"rr_irregularity/{count}_peaks",
            "result",
            p(rr_irregularity, steady[:count], FS),
            (),
            _irregularity_ok(count),
        )
    add(
        "rr_irregularity/steady_is_zero",
        "result",
        p(rr_irregularity, steady, FS),
        (),
        _all(_irregularity_ok(100), _max_is(0.0)),
    )
    add(
        "rr_intervals/single_peak_is_nan", "result", p(rr_intervals, [1000], FS), (), _single_rr_nan
    )
    return cases


def _at_most_one_beat(p: Any) -> str | None:
    """One baseline step is no heartbeat: at most one false beat on its transient."""
    if len(p) <= 1:
        return None
    gaps_ms = np.diff(p) / FS * 1000
    return (
        f"{len(p)} beats on one baseline step (samples {np.asarray(p).tolist()}), the "
        f"closest {gaps_ms.min():.0f} ms apart"
    )


def _max_is(value: float) -> Check:
    def check(out: Any) -> str | None:
        got = float(np.max(out)) if np.size(out) else value
        return None if got == value else f"max {got}, expected {value}"

    return check


def _single_rr_nan(out: Any) -> str | None:
    if any(np.shape(a) != (1,) or not np.isnan(a).all() for a in out):
        return "a single R peak should give NaN intervals (documented)"
    return None


def _irregular_ok(y: Any) -> str | None:
    arr = np.asarray(y)
    return None if np.isfinite(arr).all() else "robust normalisation gave NaN or inf"


def _segments_shape_only(b: Any) -> str | None:
    if b.windows.ndim != 3 or b.windows.shape[0] != b.r_sample.size:
        return f"windows {b.windows.shape} for {b.r_sample.size} beats"
    if not np.isfinite(b.windows).all():
        return "windows hold NaN or infinite values"
    return None


def signal_cases() -> list[Case]:
    """Bad signals, rates and peaks for every signal function, plus edge-valid inputs."""
    x, peaks, detected = _signal_fixtures()
    cases: list[Case] = []
    x3 = x.reshape(1, 1, -1)
    valid_x = [
        ("float32", x.astype(np.float32)),
        ("int16", np.round(x * 200).astype(np.int16)),
        ("float16", x.astype(np.float16)),
        ("list", x.tolist()),
        ("non_contiguous", np.repeat(x, 2)[::2]),
    ]
    for fname, (function, any_ndim) in _x_functions(peaks).items():
        for label, value in _bad_signals(x):
            # detect_af(signal=None) is the documented default: no P-wave evidence
            default = fname == "detect_af(signal=)" and value is None
            cases.append(
                Case(
                    "signal",
                    f"{fname}/x={label}",
                    "result" if default else "error",
                    functools.partial(function, value),
                    names=("x", "signal"),
                    check=_af_ok(peaks.size) if default else None,
                )
            )
        cases.append(
            Case(
                "signal",
                f"{fname}/x=3d",
                "result" if any_ndim else "error",
                functools.partial(function, x3),
                names=("x", "signal"),
                check=_x_check(fname, x3, peaks),
            )
        )
        for label, value in valid_x:
            cases.append(
                Case(
                    "signal",
                    f"{fname}/x={label}",
                    "result",
                    functools.partial(function, value),
                    names=("x", "signal"),
                    check=_x_check(fname, value, peaks),
                )
            )
    for fname, (call, check_of) in _fs_functions(x, peaks).items():
        names = ("fs_in", "fs_out", "fs") if fname.startswith("resample") else ("fs",)
        if fname == "detect_r_peaks":  # "x is too short: needs 5e11 samples" is clear enough
            names = ("fs", "x")
        for label, fs, expect in _BAD_FS:
            check = check_of(float(fs)) if expect != "error" else None
            cases.append(
                Case(
                    "signal",
                    f"{fname}/fs={label}",
                    expect,
                    functools.partial(call, fs),
                    names=names,
                    check=check,
                )
            )
    for fname, (call, knows_length, needs_order, check_of) in _peak_functions(x, peaks).items():
        for label, value, kind in _bad_peaks(x.size):
            refused = (
                kind == "bad"
                or (kind == "beyond" and knows_length)
                or (kind == "order" and needs_order)
            )
            cases.append(
                Case(
                    "signal",
                    f"{fname}/peaks={label}",
                    "error" if refused else "result",
                    functools.partial(call, value),
                    names=("r_peaks", "peaks", "detected", "reference", "indices", "signal"),
                    check=None if refused else check_of(value),
                )
            )
    cases += _flat_and_scaled(x, detected)
    cases += _parameter_cases(x, peaks, detected)
    return cases


# --------------------------------------------------------------------------- readers


_FMT_BITS = {
    "8": 8,
    "16": 16,
    "24": 24,
    "32": 32,
    "61": 16,
    "80": 8,
    "160": 16,
    "212": 12,
    "310": 10,
    "311": 10,
}
_UNIT_FACTOR = {"mv": 1.0, "uv": 1e-3, "\u00b5v": 1e-3, "v": 1e3}


def _parse_header(path: Path) -> dict[str, Any]:
    """The facts of a (possibly corrupted) WFDB header that a reader must agree with."""
    facts: dict[str, Any] = {}
    try:
        lines = [
            line.split()
            for line in path.read_text(encoding="latin-1").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        record = lines[0]
        facts["n_signals"] = int(record[1])
        facts["fs"] = float(record[2].split("/")[0].split("(")[0])
        facts["n_samples"] = int(record[3])
        bounds = []
        for fields in lines[1 : 1 + facts["n_signals"]]:
            fmt = fields[1].split("x")[0].split(":")[0].split("+")[0]
            match = re.match(r"^([-+0-9.eE]+)(?:\((-?\d+)\))?(?:/(\S+))?$", fields[2])
            if match is None or fmt not in _FMT_BITS:
                bounds = []
                break
            gain = float(match.group(1)) or 200.0
            baseline = abs(int(match.group(2) or 0))
            unit = _UNIT_FACTOR.get((match.group(3) or "mV").lower(), 1.0)
            bounds.append((2 ** (_FMT_BITS[fmt] - 1) + baseline) / abs(gain) * unit)
        if bounds:
            facts["max_abs"] = max(bounds)
    except (IndexError, ValueError, OSError, ZeroDivisionError):
        pass
    return facts


def _record_ok(header: Path) -> Check:
    def check(record: Any) -> str | None:
        signal = record.signal
        if signal.ndim != 2 or not np.isfinite(signal).all() or not record.fs > 0:
            return f"signal {signal.shape} finite={np.isfinite(signal).all()} fs={record.fs}"
        facts = _parse_header(header)
        if "n_samples" in facts and signal.shape[0] != facts["n_samples"]:
            return f"{signal.shape[0]} samples, the header declares {facts['n_samples']}"
        if "fs" in facts and not math.isclose(record.fs, facts["fs"]):
            return f"fs {record.fs} Hz, the header states {facts['fs']}"
        if "max_abs" in facts and np.max(np.abs(signal)) > facts["max_abs"] * (1 + 1e-9):
            return (
                f"|signal| reaches {np.max(np.abs(signal)):.4g} mV, beyond the "
                f"{facts['max_abs']:.4g} mV the header's gain and format allow"
            )
        return None

    return check


def _annotations_ok(header: Path) -> Check:
    def check(ann: Any) -> str | None:
        n = ann.sample.size
        if ann.symbol.shape != (n,) or ann.aux_note.shape != (n,):
            return "sample, symbol and aux_note differ in length"
        if n and (ann.sample.min() < 0 or np.any(np.diff(ann.sample) < 0)):
            return "samples negative or out of time order"
        facts = _parse_header(header)
        if n and "n_samples" in facts and ann.sample.max() > facts["n_samples"]:
            return f"an annotation at {ann.sample.max()} beyond the {facts['n_samples']} samples"
        return None

    return check


def _write_wfdb(folder: Path) -> None:
    import wfdb

    from ecgkit.data import load_example

    record, annotations = load_example("100")
    signal = record.signal[:1800]
    folder.mkdir(parents=True, exist_ok=True)
    wfdb.wrsamp(
        "r",
        fs=360,
        units=["mV"],
        sig_name=["MLII"],
        p_signal=signal,
        fmt=["212"],
        write_dir=str(folder),
    )
    keep = annotations.sample < 1800
    wfdb.wrann(
        "r",
        "atr",
        annotations.sample[keep],
        symbol=list(annotations.symbol[keep]),
        write_dir=str(folder),
    )


def _wfdb_fuzz(root: Path, n_variants: int) -> list[Case]:
    from ecgkit.data import read_annotations, read_record, read_signal

    pristine = root / "pristine"
    _write_wfdb(pristine)
    cases = []
    for i in range(n_variants):
        rng = np.random.default_rng(1000 + i)
        suffix = ("hea", "dat", "atr")[i % 3]
        folder = root / f"wfdb_{i:03d}"
        shutil.copytree(pristine, folder)
        target = folder / f"r.{suffix}"
        data = bytearray(target.read_bytes())
        edits = int(rng.integers(1, 7))
        for _ in range(edits):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        truncated = rng.random() < 0.25
        if truncated:
            data = data[: int(rng.integers(0, len(data)))]
        target.write_bytes(bytes(data))
        header = folder / "r.hea"
        label = f"wfdb_fuzz/{i:03d}_{suffix}_{edits}flips{'_cut' if truncated else ''}"
        names = ("r.hea", "r.dat", "r.atr", str(folder), "r")
        if suffix == "atr":
            call: Callable[[], Any] = functools.partial(read_annotations, folder / "r")
            check = _annotations_ok(header)
        elif i % 2:
            call = functools.partial(read_signal, folder / "r.hea")
            check = _record_ok(header)
        else:
            call = functools.partial(read_record, folder / "r")
            check = _record_ok(header)
        cases.append(Case("readers", label, "either", call, names, check))
    return cases


def _table_ok(shape: tuple[int, int], fs: float, values: np.ndarray | None = None) -> Check:
    def check(record: Any) -> str | None:
        if record.signal.shape != shape:
            return f"signal shape {record.signal.shape}, expected {shape}"
        if not math.isclose(record.fs, fs, rel_tol=1e-6):
            return f"fs {record.fs}, expected {fs}"
        if not np.isfinite(record.signal).all():
            return "signal not finite"
        if values is not None and not np.allclose(record.signal, values):
            return "samples differ from those written"
        return None

    return check


def _any_record(record: Any) -> str | None:
    signal = record.signal
    if signal.ndim != 2 or signal.shape[0] == 0 or not np.isfinite(signal).all():
        return f"signal {signal.shape} empty or not finite"
    if not (math.isfinite(record.fs) and record.fs > 0):
        return f"fs {record.fs}"
    if len(record.lead_names) != signal.shape[1]:
        return "lead_names and signal columns differ"
    return None


def _file_cases(root: Path) -> list[Case]:
    from ecgkit.data import read_annotations, read_record, read_signal

    folder = root / "files"
    folder.mkdir()
    x, _, _ = _signal_fixtures()
    lead = np.round(x[:720], 3)
    two = np.stack([lead, -lead], axis=1)

    def text(name: str, content: str | bytes) -> Path:
        path = folder / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    rows = "\n".join(f"{a},{b}" for a, b in two)
    timed = "\n".join(f"{i / 360:.6f},{a}" for i, a in enumerate(lead))
    cases: list[Case] = []
    p = functools.partial

    def add(
        name: str,
        expect: str,
        call: Callable[[], Any],
        names: Sequence[str],
        check: Check | None = None,
    ) -> None:
        cases.append(Case("readers", name, expect, call, tuple(names), check))

    good = text("good.csv", "MLII,V5\n" + rows + "\n")
    add("csv/valid", "result", p(read_signal, good, fs=360), (), _table_ok((720, 2), 360, two))
    add(
        "csv/valid_time_column",
        "result",
        p(read_signal, text("t.csv", "time,MLII\n" + timed)),
        (),
        _table_ok((720, 1), 360, lead[:, None]),
    )
    csv_bad: list[tuple[str, str | bytes, dict[str, Any], str]] = [
        ("ragged_short_row", "MLII,V5\n1,2\n3\n4,5\n", {"fs": 360}, "error"),
        ("ragged_long_row", "MLII,V5\n1,2\n3,4,5\n4,5\n", {"fs": 360}, "error"),
        ("text_cell", "MLII,V5\n1,2\nabc,4\n", {"fs": 360}, "error"),
        ("decimal_comma", "MLII;V5\n1,5;2\n", {"fs": 360}, "error"),
        ("nan_run", "MLII,V5\n" + "nan,1\n" * 50 + rows, {"fs": 360}, "error"),
        ("empty_cells", "MLII,V5\n1,\n,2\n", {"fs": 360}, "error"),
        ("inf_text", "MLII,V5\n1,inf\n2,3\n", {"fs": 360}, "error"),
        ("overflow_1e400", "MLII,V5\n1,1e400\n2,3\n", {"fs": 360}, "error"),
        ("empty_file", "", {"fs": 360}, "error"),
        ("blank_first_line", "\nMLII\n1\n", {"fs": 360}, "error"),
        ("header_only", "MLII,V5\n", {"fs": 360}, "error"),
        ("numeric_header", "1,2\n3,4\n", {"fs": 360}, "error"),
        ("duplicate_header", "A,A\n1,2\n", {"fs": 360}, "error"),
        ("unnamed_column", ",MLII\n0,1\n1,2\n", {"fs": 360}, "error"),
        ("no_fs", "MLII,V5\n" + rows, {}, "error"),
        (
            "binary_garbage",
            bytes(np.random.default_rng(3).integers(0, 256, 4000, np.uint8)),
            {"fs": 360},
            "error",
        ),
        ("time_uneven", "time,MLII\n0,1\n0.1,2\n0.5,3\n0.6,4\n", {}, "error"),
        ("time_constant", "time,MLII\n0,1\n0,2\n0,3\n", {}, "error"),
        ("time_decreasing", "time,MLII\n3,1\n2,2\n1,3\n", {}, "error"),
        ("time_single_row", "time,MLII\n0,1\n", {}, "error"),
        ("time_only", "time\n0\n0.1\n", {}, "error"),
        ("time_with_nan", "time,MLII\n0,1\nnan,2\n0.2,3\n", {}, "error"),
        ("fs_disagrees_with_time", "time,MLII\n" + timed, {"fs": 500}, "error"),
        ("huge_1e300", "MLII\n1e300\n-1e300\n" + "0\n" * 10, {"fs": 360}, "result"),
        ("bom_semicolon", "\ufeffMLII;V5\n1;2\n3;4\n", {"fs": 360}, "result"),
        ("quoted_cells", '"MLII","V5"\n"1","2"\n"3","4"\n', {"fs": 360}, "result"),
    ]
    for label, content, kwargs, expect in csv_bad:
        path = text(f"{label}.csv", content)
        check = _any_record if expect == "result" else None
        add(f"csv/{label}", expect, p(read_signal, path, **kwargs), (path.name, "fs"), check)
    for label, kwargs in [
        ("leads_unknown", {"leads": ["nope"]}),
        ("leads_index_out_of_range", {"leads": [5]}),
        ("leads_negative_index", {"leads": [-1]}),
        ("leads_duplicated", {"leads": [0, 0]}),
        ("leads_str", {"leads": "MLII"}),
        ("leads_bool", {"leads": [True]}),
        ("leads_empty", {"leads": []}),
        ("leads_float", {"leads": [0.0]}),
        ("leads_int", {"leads": 0}),
        ("fs_str", {"fs": "360"}),
        ("fs_zero", {"fs": 0}),
        ("fs_nan", {"fs": NAN}),
        ("units_mmHg", {"units": "mmHg"}),
        ("units_int", {"units": 5}),
        ("time_column_missing", {"time_column": "clock"}),
        ("time_column_int", {"time_column": 0}),
    ]:
        names = (good.name, *kwargs)
        kwargs.setdefault("fs", 360)
        add(f"csv/{label}", "error", p(read_signal, good, **kwargs), names)
    fuzz_source = ("MLII,V5\n" + rows + "\n").encode()
    for i in range(15):
        rng = np.random.default_rng(2000 + i)
        data = bytearray(fuzz_source)
        for _ in range(int(rng.integers(1, 8))):
            # half the variants flip to bytes that still parse (digits, signs, separators)
            value = rng.choice(list(b"0123456789.-e,\n ")) if i % 2 else rng.integers(0, 256)
            data[int(rng.integers(0, len(data)))] = int(value)
        path = text(f"fuzz_{i:02d}.csv", bytes(data))
        add(f"csv/fuzz_{i:02d}", "either", p(read_signal, path, fs=360), (path.name,), _any_record)

    def npy(name: str, array: Any) -> Path:
        path = folder / name
        np.save(path, array, allow_pickle=True)
        return path

    npy_cases: list[tuple[str, Any, str, Check | None]] = [
        ("3d", np.zeros((10, 2, 3)), "error", None),
        ("0d", np.float64(1.0), "error", None),
        ("empty", np.zeros(0), "error", None),
        ("empty_2d", np.zeros((0, 2)), "error", None),
        ("leads_first", two.T.copy(), "error", None),
        ("square_16", np.ones((16, 17)), "error", None),
        ("bool", np.ones(100, dtype=bool), "error", None),
        ("complex", np.ones(100, dtype=complex), "error", None),
        ("object", np.array([1.0, None] * 50, dtype=object), "error", None),
        ("str", np.array(["1"] * 100), "error", None),
        ("structured", np.zeros(100, dtype=[("a", "f8"), ("b", "f8")]), "error", None),
        ("nan", np.r_[np.ones(50), np.nan, np.ones(50)], "error", None),
        ("float16", lead.astype(np.float16), "result", _table_ok((720, 1), 360)),
        ("int16", np.round(lead * 200).astype(np.int16), "result", _table_ok((720, 1), 360)),
        ("valid", two, "result", _table_ok((720, 2), 360, two)),
        ("one_sample", np.ones(1), "either", _table_ok((1, 1), 360)),
    ]
    for label, array, expect, check in npy_cases:
        path = npy(f"{label}.npy", array)
        add(f"npy/{label}", expect, p(read_signal, path, fs=360), (path.name,), check)
    valid = folder / "valid.npy"
    add("npy/no_fs", "error", p(read_signal, valid), (valid.name, "fs"))
    raw = valid.read_bytes()
    for label, content in [
        ("zero_bytes", b""),
        ("truncated_data", raw[: len(raw) // 2]),
        ("header_only", raw[:128]),
        ("garbage", bytes(range(256)) * 4),
        ("magic_then_garbage", raw[:10] + b"\xff" * 200),
    ]:
        path = text(f"{label}.npy", content)
        add(f"npy/{label}", "error", p(read_signal, path, fs=360), (path.name,))

    def npz(name: str, **arrays: Any) -> Path:
        path = folder / name
        np.savez(path, **arrays)
        return path

    for label, arrays, kwargs, expect in [
        ("no_signal_key", {"a": two, "b": two}, {"fs": 360}, "error"),
        ("fs_text", {"signal": two, "fs": np.array("abc")}, {}, "error"),
        ("fs_zero", {"signal": two, "fs": np.array(0.0)}, {}, "error"),
        ("fs_negative", {"signal": two, "fs": np.array(-360.0)}, {}, "error"),
        ("fs_nan", {"signal": two, "fs": np.array(np.nan)}, {}, "error"),
        ("fs_two_values", {"signal": two, "fs": np.array([360.0, 250.0])}, {}, "error"),
        ("fs_bool", {"signal": two, "fs": np.array(True)}, {}, "error"),
        ("names_wrong_count", {"signal": two, "fs": 360.0, "lead_names": ["A"]}, {}, "error"),
        ("names_2d", {"signal": two, "fs": 360.0, "lead_names": [["A", "B"]]}, {}, "error"),
        ("object_signal", {"signal": np.array([None, 1.0], dtype=object)}, {"fs": 360}, "error"),
        ("valid", {"signal": two, "fs": 360.0, "lead_names": ["MLII", "V5"]}, {}, "result"),
    ]:
        path = npz(f"{label}.npz", **arrays)
        check = _table_ok((720, 2), 360, two) if expect == "result" else None
        add(f"npz/{label}", expect, p(read_signal, path, **kwargs), (path.name, "fs"), check)
    for label, content in [
        ("zero_bytes", b""),
        ("garbage", bytes(range(256)) * 4),
        ("zip_not_npy", _zip_with_text()),
    ]:
        path = text(f"{label}.npz", content)
        add(f"npz/{label}", "error", p(read_signal, path, fs=360), (path.name,))
    edf = _write_edf(folder / "valid.edf", lead)
    add("edf/valid", "result", p(read_signal, edf), (), _table_ok((720, 1), 360))
    edf_raw = edf.read_bytes()
    edf_variants: list[tuple[str, bytes, str]] = [
        ("zero_bytes", b"", "error"),
        ("garbage", bytes(np.random.default_rng(5).integers(0, 256, 5000, np.uint8)), "error"),
        ("header_only", edf_raw[:256], "error"),
        ("truncated_half", edf_raw[: len(edf_raw) // 2], "error"),
        ("truncated_headers", edf_raw[:400], "error"),
        ("text", b"this is not an EDF file\n" * 40, "error"),
        ("edf_plus_d", edf_raw[:192] + b"EDF+D".ljust(44) + edf_raw[236:], "error"),
    ]
    for i in range(8):
        rng = np.random.default_rng(3000 + i)
        data = bytearray(edf_raw)
        for _ in range(int(rng.integers(1, 5))):
            data[int(rng.integers(0, 256 * 2))] = int(rng.integers(32, 127))
        edf_variants.append((f"fuzz_header_{i}", bytes(data), "either"))
    for label, content, expect in edf_variants:
        path = text(f"{label}.edf", content)
        add(f"edf/{label}", expect, p(read_signal, path), (path.name,), _any_record)
    directory = folder / "a_folder.csv"
    directory.mkdir()
    wfdb_dir = root / "pristine"
    for label, call, names in [
        ("path_none", p(read_signal, None), ("path",)),
        ("path_int", p(read_signal, 5), ("path",)),
        ("path_bytes", p(read_signal, b"good.csv", fs=360), ("path",)),
        ("missing_csv", p(read_signal, folder / "missing.csv", fs=360), ("missing.csv",)),
        ("directory_named_csv", p(read_signal, directory, fs=360), (directory.name,)),
        ("directory_plain", p(read_signal, folder, fs=360), (folder.name,)),
        ("unknown_extension", p(read_signal, text("x.xyz", "1\n"), fs=360), ("x.xyz", ".xyz")),
        ("no_extension_missing", p(read_signal, folder / "nothing"), ("nothing",)),
        ("wfdb_fs_disagrees", p(read_signal, wfdb_dir / "r.hea", fs=250), ("r.hea", "r", "fs")),
        ("wfdb_leads_unknown", p(read_signal, wfdb_dir / "r.hea", leads=["V1"]), ("r.hea",)),
        ("time_column_on_npy", p(read_signal, valid, fs=360, time_column="t"), ("time_column",)),
        ("read_record_missing", p(read_record, folder / "nope"), ("nope.hea",)),
        ("read_record_dtype_int", p(read_record, wfdb_dir / "r", dtype=np.int32), ("dtype",)),
        (
            "read_record_leads_out_of_range",
            p(read_record, wfdb_dir / "r", leads=[5]),
            ("r", "leads"),
        ),
        ("read_record_leads_str", p(read_record, wfdb_dir / "r", leads=["MLII"]), ("r", "leads")),
        ("read_record_path_none", p(read_record, None), ("path",)),
        ("read_annotations_missing_ext", p(read_annotations, wfdb_dir / "r", "qrs"), ("r.qrs",)),
        ("read_annotations_empty_ext", p(read_annotations, wfdb_dir / "r", ""), ("extension",)),
        (
            "read_annotations_ext_none",
            p(read_annotations, wfdb_dir / "r", None),
            ("extension", "r.None"),
        ),
        ("read_annotations_of_dat", p(read_annotations, wfdb_dir / "r", "dat"), ("r.dat",)),
    ]:
        add(f"paths/{label}", "error", call, names)
    add(
        "paths/read_record_leads_negative",
        "either",
        p(read_record, wfdb_dir / "r", leads=[-1]),
        ("r", "leads"),
        _record_ok(wfdb_dir / "r.hea"),
    )
    return cases


def _zip_with_text() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("signal.npy", "not an array")
    return buffer.getvalue()


def _write_edf(path: Path, lead: np.ndarray) -> Path:
    import pyedflib

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer = pyedflib.EdfWriter(str(path), 1, file_type=pyedflib.FILETYPE_EDFPLUS)
        try:
            writer.setSignalHeaders(
                [
                    {
                        "label": "MLII",
                        "dimension": "mV",
                        "sample_frequency": 360,
                        "physical_max": 5.0,
                        "physical_min": -5.0,
                        "digital_max": 32767,
                        "digital_min": -32768,
                    }
                ]
            )
            writer.writeSamples([np.asarray(lead, dtype=np.float64)])
        finally:
            writer.close()
    return path


def reader_cases(root: Path, n_wfdb: int = 100) -> list[Case]:
    """Corrupted WFDB copies of the bundled record, bad CSV/NPY/NPZ/EDF files, bad paths."""
    root.mkdir(parents=True, exist_ok=True)
    return _wfdb_fuzz(root, n_wfdb) + _file_cases(root)


# --------------------------------------------------------------------------- Grad-CAM


def _maps_ok(shape: tuple[int, int], kind: str = "numpy", unit: bool = True) -> Check:
    def check(maps: Any) -> str | None:
        import torch

        if kind == "numpy" and not (isinstance(maps, np.ndarray) and maps.dtype == np.float32):
            return f"returned {type(maps).__name__} {getattr(maps, 'dtype', '')}, not float32"
        if kind == "torch" and not isinstance(maps, torch.Tensor):
            return f"returned {type(maps).__name__} for a tensor input"
        arr = maps.detach().cpu().numpy() if kind == "torch" else maps
        if arr.shape != shape:
            return f"maps shape {arr.shape}, expected {shape}"
        if not np.isfinite(arr).all():
            return "maps hold NaN or infinite values"
        if unit and arr.size and (arr.min() < -1e-6 or arr.max() > 1 + 1e-6):
            return f"minmax maps span {arr.min():.3g}..{arr.max():.3g}"
        return None

    return check


def gradcam_cases() -> list[Case]:
    """GradCAM / GradCAM++ / Saliency given bad inputs, targets and options."""
    import torch

    from ecgkit.explain import GradCAM, GradCAMPlusPlus, Saliency
    from ecgkit.models import create_model

    torch.manual_seed(0)
    model = create_model("beat_cnn", num_classes=3, width=8)
    rr_model = create_model("beat_rr_cnn", num_classes=3, n_features=2, width=8)
    w = np.random.default_rng(0).normal(size=(6, 1, 128)).astype(np.float32)
    features = np.ones((6, 2), dtype=np.float32)
    cases: list[Case] = []

    def attribute(explainer: Any, x: Any, *args: Any, **kwargs: Any) -> Any:
        return explainer(model).attribute(x, *args, **kwargs)

    def add(
        name: str,
        expect: str,
        call: Callable[[], Any],
        names: Sequence[str],
        check: Check | None = None,
    ) -> None:
        cases.append(Case("gradcam", name, expect, call, tuple(names), check))

    p = functools.partial
    nan_w = w.copy()
    nan_w[1, 0, 5] = np.nan
    inf_w = w.copy()
    inf_w[0, 0, 0] = np.inf
    bad_x: list[tuple[str, Any, str, Check | None]] = [
        ("nan", nan_w, "error", None),
        ("inf", inf_w, "error", None),
        ("2d", w[:, 0], "error", None),
        ("1d", w[0, 0], "error", None),
        ("4d", w[None], "error", None),
        ("0d", np.float32(1.0), "error", None),
        ("int", w.astype(np.int64), "error", None),
        ("bool", w > 0, "error", None),
        ("complex", w.astype(np.complex64), "error", None),
        ("object", w.astype(object), "error", None),
        ("str", "beats", "error", None),
        ("none", None, "error", None),
        ("ragged", [[[1.0, 2.0]], [[1.0]]], "error", None),
        ("wrong_channels", np.repeat(w, 2, axis=1), "error", None),
        ("too_short_L4", w[:, :, :4], "either", _maps_ok((6, 4))),
        ("length_1", w[:, :, :1], "either", _maps_ok((6, 1))),
        ("empty_batch", w[:0], "result", _maps_ok((0, 128))),
        ("float64", w.astype(np.float64), "result", _maps_ok((6, 128))),
        ("list", w.tolist(), "result", _maps_ok((6, 128))),
        ("tensor", torch.from_numpy(w), "result", _maps_ok((6, 128), "torch")),
        ("long_20000", np.tile(w[:1], (1, 1, 157))[:, :, :20000], "result", _maps_ok((1, 20000))),
        ("huge_amplitude", w * 1e30, "either", _maps_ok((6, 128))),
        ("constant", np.ones_like(w), "result", _maps_ok((6, 128))),
    ]
    for explainer in (GradCAM, GradCAMPlusPlus, Saliency):
        for label, value, expect, check in bad_x:
            if explainer is not GradCAM and label not in (
                "nan",
                "2d",
                "int",
                "wrong_channels",
                "empty_batch",
                "constant",
            ):
                continue
            add(
                f"{explainer.__name__}/x={label}",
                expect,
                p(attribute, explainer, value),
                ("x",),
                check,
            )
    for target, expect in [
        (True, "error"),
        (1.7, "error"),
        (-1, "error"),
        (3, "error"),
        (10**12, "error"),
        ([0, 1], "error"),
        ([[0] * 6], "error"),
        ("1", "error"),
        (np.zeros(6), "error"),
        (torch.tensor(1.5), "error"),
        (None, "result"),
        (2, "result"),
        (np.array([0, 1, 2, 0, 1, 2]), "result"),
        (torch.tensor([0, 1, 2, 0, 1, 2]), "result"),
        (np.int64(1), "result"),
        (np.uint8(2), "result"),
    ]:
        add(
            f"GradCAM/target={target!r}".replace("\n", " "),
            expect,
            p(attribute, GradCAM, w, target),
            ("target",),
            _maps_ok((6, 128)),
        )
    for normalize, expect, unit in [
        ("bogus", "error", True),
        ("MAX", "error", True),
        (5, "error", True),
        (True, "error", True),
        ("none", "result", False),
        (None, "result", False),
        ("max", "result", True),
    ]:
        add(
            f"GradCAM/normalize={normalize!r}",
            expect,
            p(attribute, GradCAM, w, normalize=normalize),
            ("normalize",),
            _maps_ok((6, 128), unit=unit),
        )
    for size, expect in [
        (0, "error"),
        (-1, "error"),
        (1.5, "error"),
        (True, "error"),
        ("2", "error"),
        (None, "error"),
        (10**9, "result"),
        (1, "result"),
    ]:
        add(
            f"GradCAM/batch_size={size!r}",
            expect,
            p(attribute, GradCAM, w, batch_size=size),
            ("batch_size",),
            _maps_ok((6, 128)),
        )
    nan_features = features.copy()
    nan_features[2, 1] = np.nan
    for label, extra, expect in [
        ("nan", (nan_features,), "error"),
        ("wrong_rows", (features[:3],), "error"),
        ("0d", (np.float32(1.0),), "error"),
        ("int", (features.astype(np.int64),), "error"),
        ("str", ("rr",), "error"),
        ("missing", (), "error"),
        ("too_many", (features, features), "error"),
        ("wrong_width", (np.ones((6, 5), np.float32),), "error"),
        ("valid", (features,), "result"),
    ]:
        add(
            f"GradCAM(rr_model)/extra_inputs={label}",
            expect,
            p(_rr_attribute, GradCAM, rr_model, w, extra),
            ("extra_inputs", "x"),
            _maps_ok((6, 128)),
        )
    add(
        "GradCAM/extra_inputs_to_plain_model",
        "error",
        p(attribute, GradCAM, w, extra_inputs=(features,)),
        ("extra_inputs",),
    )
    add(
        "GradCAM/layer_not_submodule",
        "error",
        p(_with_layer, model, torch.nn.Conv1d(1, 1, 3), w),
        ("layer",),
    )
    add(
        "GradCAM/layer_linear_head",
        "error",
        p(_with_layer, model, _last_linear(model), w),
        ("layer",),
    )
    add("GradCAM/layer_str", "error", p(_with_layer, model, "conv", w), ("layer",))
    add("GradCAM/model_not_module", "error", p(_with_layer, "model", None, w), ("model",))
    add(
        "GradCAM/model_without_conv",
        "error",
        p(_with_layer, torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(128, 3)), None, w),
        ("layer", "Conv1d"),
    )
    return cases


def _rr_attribute(explainer: Any, model: Any, w: Any, extra: Any) -> Any:
    return explainer(model).attribute(w, extra_inputs=extra)


def _with_layer(model: Any, layer: Any, w: Any) -> Any:
    from ecgkit.explain import GradCAM

    return GradCAM(model, layer=layer).attribute(w)


def _last_linear(model: Any) -> Any:
    import torch

    return [m for m in model.modules() if isinstance(m, torch.nn.Linear)][-1]


# --------------------------------------------------------------------------- TrainConfig


def _config_and_fit(**changes: Any) -> tuple[Any, bool]:
    """TrainConfig(**changes), then a tiny one-epoch fit with it (errors propagate).

    A config the dataclass accepts but the optimiser refuses at the start of fit gets a
    clean error there, before any training: that counts as a (late) clean error. Returns
    the config and whether the weights are still finite after the fit.
    """
    import dataclasses

    import torch

    from ecgkit.data import ArrayDataset
    from ecgkit.models import create_model
    from ecgkit.train import TrainConfig, Trainer

    config = TrainConfig(**changes)
    rng = np.random.default_rng(0)
    data = ArrayDataset(rng.normal(size=(32, 1, 64)), rng.integers(0, 3, 32))
    torch.manual_seed(0)
    model = create_model("beat_cnn", num_classes=3, width=8)
    steps = {} if "batch_size" in changes else {"batch_size": 16}  # two steps: momentum shows
    Trainer(model, dataclasses.replace(config, epochs=1, progress=False, **steps)).fit(data)
    weights = torch.cat([t.detach().flatten() for t in model.parameters()])
    return config, bool(torch.isfinite(weights).all())


def _trained_ok(**changes: Any) -> Check:
    def check(out: Any) -> str | None:
        config, finite = out
        for name, value in changes.items():
            got = getattr(config, name)
            if not (got == value or (isinstance(value, float) and math.isnan(value))):
                return f"{name} became {got!r}"
        if not finite:
            return "a 1-epoch fit finished without an error but left NaN weights"
        return None

    return check


def train_config_cases() -> list[Case]:
    """TrainConfig fields given absurd values; each accepted config then runs a tiny fit."""
    grid: list[tuple[str, Any, str]] = [
        ("lr", 0, "error"),
        ("lr", -1, "error"),
        ("lr", NAN, "error"),
        ("lr", INF, "error"),
        ("lr", "0.1", "error"),
        ("lr", None, "error"),
        ("lr", 1e30, "either"),
        ("epochs", 0, "error"),
        ("epochs", -1, "error"),
        ("epochs", 1.5, "error"),
        ("epochs", True, "error"),
        ("epochs", "3", "error"),
        ("epochs", None, "error"),
        ("batch_size", 0, "error"),
        ("batch_size", -8, "error"),
        ("batch_size", 2.5, "error"),
        ("batch_size", "8", "error"),
        ("batch_size", 10**9, "result"),
        ("device", "tpu", "error"),
        ("device", "", "error"),
        ("device", "cuda:abc", "error"),
        ("device", "cuda:-1", "error"),
        ("device", 5, "error"),
        ("device", None, "error"),
        ("device", "cpu:0", "result"),
        ("device", "cuda", "either"),
        ("seed", -1, "error"),
        ("seed", 1.5, "error"),
        ("seed", "0", "error"),
        ("seed", True, "error"),
        ("seed", 2**64, "either"),
        ("weight_decay", -1, "error"),
        ("weight_decay", NAN, "error"),
        ("weight_decay", INF, "error"),
        ("weight_decay", "0", "error"),
        ("momentum", -1, "error"),
        ("momentum", NAN, "error"),
        ("label_smoothing", 1, "error"),
        ("label_smoothing", -0.1, "error"),
        ("label_smoothing", NAN, "error"),
        ("gradient_clip_norm", 0, "error"),
        ("gradient_clip_norm", NAN, "error"),
        ("gradient_clip_norm", INF, "either"),
        ("early_stopping_patience", 0, "error"),
        ("early_stopping_patience", 1.5, "error"),
        ("num_workers", -1, "error"),
        ("num_workers", 1.5, "error"),
        ("num_workers", "2", "error"),
        ("optimizer", "bogus", "error"),
        ("scheduler", "bogus", "error"),
        ("class_weighting", "bogus", "error"),
        ("sampler", "bogus", "error"),
        ("monitor", "bogus", "error"),
        ("amp", "no", "either"),
    ]
    cases = []
    for field_name, value, expect in grid:
        extra = {"optimizer": "sgd"} if field_name == "momentum" else {}
        call = functools.partial(_config_and_fit, **{field_name: value}, **extra)
        names = (field_name, "learning rate") if field_name == "lr" else (field_name,)
        cases.append(
            Case(
                "train-config",
                f"TrainConfig/{field_name}={value!r}",
                expect,
                call,
                names,
                _trained_ok(**{field_name: value}),
            )
        )
    return cases


# --------------------------------------------------------------------------- CLI


def _cli_files(folder: Path) -> dict[str, Path]:
    """Input files the CLI cases point at."""
    from ecgkit.data import load_example

    folder.mkdir(parents=True, exist_ok=True)
    record, _ = load_example("100")
    lead = record.signal[: 60 * 360, 0]
    files = {
        "csv": folder / "ecg.csv",
        "npy": folder / "ecg.npy",
        "garbage": folder / "garbage.csv",
        "empty": folder / "empty.csv",
        "existing": folder / "existing.txt",
        "dir_csv": folder / "folder.csv",
        "empty_dir": folder / "empty_dir",
        "bad_run": folder / "bad_run",
    }
    files["csv"].write_text("MLII\n" + "\n".join(f"{v:.4f}" for v in lead) + "\n")
    np.save(files["npy"], lead)
    files["garbage"].write_bytes(bytes(np.random.default_rng(9).integers(0, 256, 3000, np.uint8)))
    files["empty"].write_bytes(b"")
    files["existing"].write_text("keep me\n")
    files["dir_csv"].mkdir(exist_ok=True)
    files["empty_dir"].mkdir(exist_ok=True)
    files["bad_run"].mkdir(exist_ok=True)
    (files["bad_run"] / "config.json").write_text("{ not json")
    return files


def cli_cases(folder: Path, run: Path) -> list[Case]:
    """About 30 `ecgkit` command lines: bad files, bad options, a few valid baselines."""
    f = {k: str(v) for k, v in _cli_files(folder).items()}
    out = str(folder / "out")
    r = str(run)
    existing = Path(f["existing"])
    cases: list[Case] = []

    def cli(name: str, argv: Sequence[str], expect: str, names: Sequence[str] = (),
            needs_run: bool = False, timeout_s: float = 60.0, check: Check | None = None,
            ) -> None:  # fmt: skip
        cases.append(
            Case("cli", name, expect, None, tuple(names), check, tuple(argv), timeout_s, needs_run)
        )

    fs = ("--fs", "360")
    cli("detect/missing_file", ("detect", "missing.csv", *fs), "error", ["missing.csv"])
    cli("detect/directory_named_csv", ("detect", f["dir_csv"], *fs), "error", ["folder.csv"])
    cli("detect/garbage_csv", ("detect", f["garbage"], *fs), "error", ["garbage.csv"])
    cli("detect/empty_csv", ("detect", f["empty"], *fs), "error", ["empty.csv"])
    cli("detect/fs_zero", ("detect", f["npy"], "--fs", "0"), "error", ["--fs", "fs"])
    cli("detect/fs_text", ("detect", f["npy"], "--fs", "abc"), "error", ["--fs", "fs"])
    cli("detect/npy_without_fs", ("detect", f["npy"]), "error", ["fs"])
    cli("detect/fs_1e12", ("detect", f["npy"], "--fs", "1e12"), "error", ["x", "fs"])
    cli("detect/leads_unknown", ("detect", f["csv"], *fs, "--leads", "V9"), "error", ["V9"])
    cli("detect/data_dir_missing", ("detect", "--data-dir", "/nonexistent_ecg"), "error",
        ["--data-dir", "data_dir"])  # fmt: skip
    cli("detect/reference_missing", ("detect", f["csv"], *fs, "--reference", "nope.atr"),
        "error", ["nope.atr"])  # fmt: skip
    cli("detect/out_is_directory", ("detect", f["csv"], *fs, "--out", f["dir_csv"]), "error",
        ["folder.csv"])  # fmt: skip
    cli("detect/out_existing_file", ("detect", f["csv"], *fs, "--out", f["existing"]), "result",
        check=functools.partial(_starts_with, existing, "sample,time_s"))  # fmt: skip
    cli("detect/bundled_record_100", ("detect", "100"), "result", check=_detect_100_ok)
    cli("annotate/csv_without_fs", ("annotate", f["csv"], "--out", out), "error", ["fs"])
    cli("annotate/out_existing_file", ("annotate", f["csv"], *fs, "--out", f["existing"],
        "--no-figure"), "error", ["existing.txt", "--out"], timeout_s=90)  # fmt: skip
    cli("annotate/device_tpu", ("annotate", f["csv"], *fs, "--out", out, "--device", "tpu"),
        "error", ["device", "tpu"])  # fmt: skip
    cli("annotate/model_missing", ("annotate", f["csv"], *fs, "--out", out, "--model",
        "/nonexistent_run"), "error", ["/nonexistent_run", "model"])  # fmt: skip
    cli("annotate/leads_unknown", ("annotate", f["npy"], *fs, "--out", out, "--leads", "V9"),
        "error", ["V9", "leads"])  # fmt: skip
    cli("annotate/valid_csv", ("annotate", f["csv"], *fs, "--out", out + "_ok", "--no-figure"),
        "result", timeout_s=120,
        check=functools.partial(_starts_with, Path(out + "_ok") / "beats.csv", ""))  # fmt: skip
    cli("train/epochs_zero", ("train", "--epochs", "0"), "error", ["--epochs", "epochs"])
    cli("train/seed_negative", ("train", "--seed", "-1", "--out", out + "_seed"), "error",
        ["seed"])  # fmt: skip
    cli("train/device_tpu", ("train", "--device", "tpu", "--out", out + "_tpu"), "error",
        ["device"])  # fmt: skip
    cli("train/out_existing_file", ("train", "--epochs", "1", "--out", f["existing"]), "error",
        ["existing.txt", "--out"], timeout_s=120)  # fmt: skip
    cli("train/data_dir_empty", ("train", "--data-dir", f["empty_dir"], "--out", out + "_dd"),
        "error", ["empty_dir", "--data-dir"], timeout_s=90)  # fmt: skip
    cli("train/resume_missing", ("train", "--resume", "/nonexistent_run"), "error",
        ["/nonexistent_run"])  # fmt: skip
    cli("train/resume_finished_run", ("train", "--resume", r), "error", [r], needs_run=True)
    cli("evaluate/file_as_run", ("evaluate", f["existing"]), "error", ["existing.txt"])
    cli("evaluate/corrupt_config", ("evaluate", f["bad_run"]), "error",
        ["bad_run", "config.json"])  # fmt: skip
    cli("explain/beats_100000", ("explain", r, "--beats", "100000"), "error",
        ["n_beats", "--beats"], needs_run=True)  # fmt: skip
    cli("explain/out_not_png", ("explain", r, "--out", f["existing"]), "error",
        ["existing.txt", ".png"], needs_run=True)  # fmt: skip
    cli("explain/out_below_a_file", ("explain", r, "--beats", "2", "--out",
        f["existing"] + "/x.png"), "error", ["existing.txt", "x.png", "--out"],
        needs_run=True, timeout_s=90)  # fmt: skip
    return cases


def _starts_with(path: Path, text: str, _stdout: str) -> str | None:
    if not path.is_file():
        return f"{path} was not written"
    content = path.read_text(errors="replace")
    if not content.startswith(text) or len(content.splitlines()) < 2:
        return f"{path.name} does not hold the expected table"
    return None


def _detect_100_ok(stdout: str) -> str | None:
    rows = [line.split() for line in stdout.splitlines() if line.split()[:1] == ["100"]]
    if not rows or float(rows[0][-2]) < 99.0:
        return f"record 100 row missing or Se below 99 %: {rows}"
    return None
