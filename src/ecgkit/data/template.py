"""Per-record beat templates: each beat seen against its own patient's normal beat.

Between patients, the shape of a normal beat differs more than a ventricular beat differs
from a normal one in the same patient. Subtracting each record's own template (the median
of its least premature beats, computed without labels) leaves what is unusual about a beat
*for that patient*, which carries across patients the way the patient-normalised RR
features do.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ecgkit.data.beats import BeatSet
from ecgkit.signal import RR_FEATURES

__all__ = ["record_templates", "template_beat", "with_template_residual"]

_PRE_RR = RR_FEATURES.index("pre_rr_s")


def _check_quantile(quantile: float) -> float:
    if not 0.0 <= quantile < 1.0:
        raise ValueError(f"quantile must be in [0, 1), got {quantile!r}")
    return float(quantile)


def template_beat(
    windows: NDArray[np.floating[Any]],
    pre_rr_s: NDArray[np.floating[Any]],
    *,
    quantile: float = 0.75,
    min_beats: int = 5,
) -> NDArray[np.float32]:
    """The template beat of one recording: the median of its least premature beats.

    Parameters
    ----------
    windows : numpy.ndarray, shape (n_beats, n_leads, n_samples)
        The recording's beat windows.
    pre_rr_s : numpy.ndarray, shape (n_beats,)
        RR interval to the previous beat of each, in seconds.
    quantile : float
        Beats whose RR interval to the previous beat is at or above this quantile of the
        recording's are averaged (0.75: the quarter with the longest preceding interval,
        which in a record dominated by premature beats are its sinus beats); 0 takes every
        beat.
    min_beats : int
        Fewer selected beats than this (or no interval to measure), and every beat is used.

    Returns
    -------
    numpy.ndarray of float32, shape (n_leads, n_samples)
        The template. No label is used.
    """
    quantile = _check_quantile(quantile)
    if min_beats < 1:
        raise ValueError(f"min_beats must be >= 1, got {min_beats!r}")
    chosen = pre_rr_s >= np.quantile(pre_rr_s, quantile)
    selected = windows[chosen] if np.count_nonzero(chosen) >= min_beats else windows
    return np.asarray(np.median(selected, axis=0), dtype=np.float32)


def record_templates(
    beats: BeatSet, *, quantile: float = 0.75, min_beats: int = 5
) -> dict[str, NDArray[np.float32]]:
    """The template beat of every record (:func:`template_beat` of each record's beats).

    Parameters
    ----------
    beats : BeatSet
        Beats of one or more records, windows ``[n_beats, n_leads, n_samples]``.
    quantile, min_beats
        As in :func:`template_beat`.

    Returns
    -------
    dict of str to numpy.ndarray of float32, shape (n_leads, n_samples)
        Template of each record, by record name. No label is used.
    """
    if len(beats) == 0:
        raise ValueError("beats is empty: no record to make a template of")
    templates: dict[str, NDArray[np.float32]] = {}
    for record in np.unique(beats.record):
        index = np.flatnonzero(beats.record == record)
        templates[str(record)] = template_beat(
            beats.windows[index], beats.rr[index, _PRE_RR], quantile=quantile,
            min_beats=min_beats,
        )  # fmt: skip
    return templates


def with_template_residual(
    beats: BeatSet, *, quantile: float = 0.75, min_beats: int = 5
) -> BeatSet:
    """The beats with one more channel per lead: the beat minus its record's template.

    Parameters
    ----------
    beats : BeatSet
        Beats of one or more records; each record's template comes from its own beats
        (:func:`record_templates`), so call this on whole records, before any split into
        training and validation beats.
    quantile, min_beats
        As in :func:`record_templates`.

    Returns
    -------
    BeatSet
        Windows ``[n_beats, 2 * n_leads, n_samples]``: the original leads, then each lead
        minus the template, named ``"<lead>-template"``. Everything else is unchanged.
    """
    templates = record_templates(beats, quantile=quantile, min_beats=min_beats)
    stacked = np.stack([templates[str(r)] for r in np.unique(beats.record)])
    position = np.searchsorted(np.unique(beats.record), beats.record)
    residual = beats.windows - stacked[position]
    windows = np.concatenate([beats.windows, residual], axis=1).astype(np.float32, copy=False)
    names = beats.lead_names + tuple(f"{lead}-template" for lead in beats.lead_names)
    return dataclasses.replace(beats, windows=windows, lead_names=names)
