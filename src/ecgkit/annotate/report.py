"""Files ``ecgkit annotate`` writes: beats.csv, WFDB annotations, summary.json, a figure.

The figure shows the non-N beats on ECG paper with their Grad-CAM maps.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np

from ecgkit.annotate.predictor import BeatAnnotations, Predictor
from ecgkit.annotate.prepare import PreparedBeats, held
from ecgkit.data.records import Record
from ecgkit.signal import clean

__all__ = ["pick_beats_to_show", "write_report"]

_STRIP_S = 2.4
_CONTEXT_S = 4.0


def pick_beats_to_show(annotations: BeatAnnotations, n_beats: int = 8) -> np.ndarray:
    """Classified non-N beats, spread over the classes, most confident first.

    With no non-N beat, the most confident N beats; an empty array when nothing was
    classified.
    """
    queues = []
    for c, name in enumerate(annotations.classes):
        if name == "N":
            continue
        index = np.flatnonzero(annotations.label == c)
        confidence = annotations.probabilities[index, c]
        queues.append(index[np.argsort(-confidence, kind="stable")].tolist())
    chosen: list[int] = []
    while len(chosen) < n_beats and any(queues):
        for queue in queues:  # one of each class in turn, so every class is shown
            if queue and len(chosen) < n_beats:
                chosen.append(queue.pop(0))
    if not chosen:
        normal = np.flatnonzero(annotations.label >= 0)
        confidence = annotations.probabilities[normal].max(axis=1) if normal.size else normal
        chosen = normal[np.argsort(-confidence, kind="stable")][: min(4, n_beats)].tolist()
    return np.array(sorted(chosen[:n_beats]), dtype=np.int64)


def _strips(record: Record, channel: int, samples: np.ndarray) -> np.ndarray:
    """Cleaned stretches of one lead (mV) of ``_STRIP_S`` around each sample."""
    fs = record.fs
    half, context = round(_STRIP_S * fs / 2), round(_CONTEXT_S * fs)
    out = np.zeros((samples.size, 2 * half))
    for row, sample in enumerate(samples):
        lo, hi = max(sample - context, 0), min(sample + context, record.n_samples)
        # missing samples (a gap near the beat) drawn flat, held at a neighbour
        piece = clean(held(np.asarray(record.signal[lo:hi, channel], dtype=np.float64)), fs)
        index = np.clip(np.arange(sample - half, sample + half) - lo, 0, piece.size - 1)
        out[row] = piece[index]
    return out


def write_report(
    annotations: BeatAnnotations,
    beats: PreparedBeats,
    predictor: Predictor,
    out_dir: str | Path,
    *,
    record: Record | None = None,
    figure: bool = True,
    n_beats: int = 8,
) -> dict[str, Path]:
    """Write the annotation files of one recording into ``out_dir``.

    Parameters
    ----------
    annotations : BeatAnnotations
        From :meth:`Predictor.annotations_of`.
    beats : PreparedBeats
        The beats they were made from (for the Grad-CAM maps).
    predictor : Predictor
        The model.
    out_dir : str or pathlib.Path
        Output folder (created).
    record : Record, optional
        The recording, for the ECG strips of the figure (needed when ``figure``).
    figure : bool
        Draw ``beats.png`` (needs matplotlib).
    n_beats : int
        Beats shown in the figure.

    Returns
    -------
    dict of str to pathlib.Path
        ``beats``, ``wfdb``, ``summary`` and, when drawn, ``figure``. Every file is
        written atomically.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"--out {out} exists and is not a folder")
    files = {
        "beats": annotations.to_csv(out / "beats.csv"),
        "wfdb": annotations.to_wfdb(out),
        "summary": annotations.write_summary(out / "summary.json"),
    }
    if not figure:
        return files
    if record is None:
        raise ValueError("record is needed to draw the figure (or pass figure=False)")
    shown = pick_beats_to_show(annotations, n_beats)
    if shown.size == 0:
        return files
    if importlib.util.find_spec("matplotlib") is None:
        warnings.warn(
            'figure skipped: matplotlib is missing (pip install "ecgkit-ml[plot]")',
            UserWarning,
            stacklevel=2,
        )
        return files
    from ecgkit.plot import plot_beat_strips

    maps = predictor.explain(beats, shown, annotations.label[shown])
    channel = record.lead_names.index(annotations.lead_names[0])
    strips = _strips(record, channel, annotations.sample[shown])
    titles = [
        f"{annotations.time_s[i]:.2f} s: {annotations.classes[annotations.label[i]]} "
        f"({annotations.probabilities[i, annotations.label[i]]:.2f})"
        for i in shown
    ]
    files["figure"] = out / "beats.png"
    plot_beat_strips(
        strips,
        record.fs,
        maps,
        beats.window_fs,
        beat_index=strips.shape[1] // 2,
        map_r_index=beats.r_index,
        titles=titles,
        path=files["figure"],
    )
    return files
