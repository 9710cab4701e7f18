"""Torch datasets of ECG windows (the only module of :mod:`ecgkit.data` that imports torch).

Items are tuples whose last element is the label and whose other elements are the model's
inputs: ``(signal, label)``, or ``(signal, features, label)`` when features are on, with
``signal`` a float32 tensor ``[n_leads, n_samples]``, ``features`` float32 ``[n_features]``
and ``label`` an int64 scalar tensor. :class:`ecgkit.train.Trainer` calls
``model(*item[:-1])``.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from torch.utils.data import Dataset

from ecgkit._files import atomic_write
from ecgkit.data.beats import BeatSet

__all__ = ["ArrayDataset", "BeatDataset"]


def _finite_float32(values: ArrayLike, name: str) -> NDArray[np.float32]:
    array = np.asarray(values)
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must be numeric, got dtype {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


class ArrayDataset(Dataset[tuple[torch.Tensor, ...]]):
    """A dataset of fixed-length ECG windows held in memory, from any source.

    Parameters
    ----------
    signals : array_like, shape (n, n_leads, n_samples) or (n, n_samples)
        Windows (mV or normalised); a 2-D array is one lead.
    labels : array_like of int, shape (n,)
        Class index of each window, ``0 <= label < len(classes)``.
    patient : array_like of str, shape (n,), optional
        Patient of each window, needed for patient-wise splits (the ``groups`` of
        :class:`~ecgkit.data.PatientKFold`).
    features : array_like, shape (n, n_features), optional
        Extra per-window inputs (e.g. RR features); when given, items are
        ``(signal, features, label)``.
    classes : tuple of str, optional
        Class names; defaults to ``("0", "1", ...)``.
    patients : array_like of str, optional
        Deprecated name of ``patient`` (one name for patient ids across ecgkit); works,
        with a ``DeprecationWarning``, for one release.

    Examples
    --------
    >>> import numpy as np
    >>> ds = ArrayDataset(np.zeros((4, 1, 100)), [0, 1, 0, 1], patient=["a", "a", "b", "b"])
    >>> x, y = ds[1]
    >>> tuple(x.shape), int(y)
    ((1, 100), 1)
    """

    def __init__(
        self,
        signals: ArrayLike,
        labels: ArrayLike,
        patient: ArrayLike | None = None,
        features: ArrayLike | None = None,
        *,
        classes: tuple[str, ...] | None = None,
        patients: ArrayLike | None = None,
    ) -> None:
        if patients is not None:
            warnings.warn(
                "ArrayDataset(patients=) is deprecated; use patient=",
                DeprecationWarning,
                stacklevel=2,
            )
            if patient is None:
                patient = patients
        x = _finite_float32(signals, "signals")
        if x.ndim == 2:
            x = x[:, None, :]
        if x.ndim != 3 or x.shape[0] == 0 or x.shape[2] == 0:
            raise ValueError(
                f"signals must be [n, n_leads, n_samples] (or [n, n_samples]) and non-empty, "
                f"got shape {x.shape}"
            )
        n = x.shape[0]
        y = np.asarray(labels)
        if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"labels must be {n} integers, got shape {y.shape} dtype {y.dtype}")
        n_classes = int(y.max()) + 1 if classes is None else len(classes)
        if y.min() < 0 or y.max() >= n_classes:
            raise ValueError(f"labels must be in [0, {n_classes}), got {y.min()}..{y.max()}")
        self.classes: tuple[str, ...] = (
            tuple(str(c) for c in range(n_classes)) if classes is None else tuple(classes)
        )
        self.patient: NDArray[np.str_] | None = None
        if patient is not None:
            groups = np.asarray(patient).astype(str)
            if groups.shape != (n,):
                raise ValueError(f"patient must have shape ({n},), got {groups.shape}")
            self.patient = groups
        self.features: NDArray[np.float32] | None = None
        if features is not None:
            f = _finite_float32(features, "features")
            if f.ndim != 2 or f.shape[0] != n:
                raise ValueError(f"features must have shape ({n}, n_features), got {f.shape}")
            self.features = f
        self.signals: NDArray[np.float32] = x
        self.labels: NDArray[np.int64] = y.astype(np.int64)
        # tensors share memory with the arrays; the Trainer batches them without a Python loop
        tensors = [torch.from_numpy(x)]
        if self.features is not None:
            tensors.append(torch.from_numpy(self.features))
        tensors.append(torch.from_numpy(self.labels))
        self.tensors: tuple[torch.Tensor, ...] = tuple(tensors)

    def __len__(self) -> int:
        return int(self.labels.size)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    @property
    def n_leads(self) -> int:
        """Channels per window."""
        return int(self.signals.shape[1])

    @property
    def n_samples(self) -> int:
        """Samples per window."""
        return int(self.signals.shape[2])

    @property
    def n_features(self) -> int:
        """Extra features per window (0 without features)."""
        return 0 if self.features is None else int(self.features.shape[1])

    def class_counts(self) -> NDArray[np.int64]:
        """Number of windows per class, shape ``(len(classes),)``."""
        return np.bincount(self.labels, minlength=len(self.classes)).astype(np.int64)

    @property
    def patients(self) -> NDArray[np.str_] | None:
        """Deprecated name of :attr:`patient`."""
        warnings.warn(
            "ArrayDataset.patients is deprecated; use .patient", DeprecationWarning, stacklevel=2
        )
        return self.patient

    def subset(self, index: ArrayLike) -> ArrayDataset:
        """A new dataset with the windows at ``index`` (positions or a boolean mask)."""
        idx = np.asarray(index)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        return ArrayDataset(
            self.signals[idx],
            self.labels[idx],
            None if self.patient is None else self.patient[idx],
            None if self.features is None else self.features[idx],
            classes=self.classes,
        )

    @classmethod
    def from_npz(cls, path: str | Path) -> ArrayDataset:
        """Load ``signals``, ``labels`` and optional ``patient``, ``features``, ``classes``.

        Files written before the rename keep patients under ``patients``; both are read.

        Parameters
        ----------
        path : str or pathlib.Path
            An ``.npz`` written by :meth:`save_npz` or by hand with those keys.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"dataset file not found: {path}")
        try:
            with np.load(path, allow_pickle=False) as npz:
                data = {key: npz[key] for key in npz.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"cannot read {path} as an .npz archive: {error}") from error
        missing = {"signals", "labels"} - set(data)
        if missing:
            raise ValueError(f"{path} lacks the arrays {sorted(missing)}")
        classes = tuple(str(c) for c in data["classes"]) if "classes" in data else None
        return cls(
            data["signals"],
            data["labels"],
            data.get("patient", data.get("patients")),
            data.get("features"),
            classes=classes,
        )

    def save_npz(self, path: str | Path) -> None:
        """Write the dataset to ``path`` atomically (readable by :meth:`from_npz`)."""
        path = Path(path)
        arrays: dict[str, NDArray[np.generic]] = {
            "signals": self.signals,
            "labels": self.labels,
            "classes": np.array(self.classes, dtype=str),
        }
        if self.patient is not None:
            arrays["patient"] = self.patient
        if self.features is not None:
            arrays["features"] = self.features
        with atomic_write(path) as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]


class BeatDataset(ArrayDataset):
    """The beats of a :class:`~ecgkit.data.BeatSet` as a torch dataset.

    Parameters
    ----------
    beats : BeatSet
        From :func:`~ecgkit.data.build_beats`.
    features : bool or sequence of str
        Also yield RR features: True for every column of :data:`~ecgkit.data.RR_FEATURES`,
        or the names of the columns to keep (e.g. :data:`~ecgkit.data.RELATIVE_RR_FEATURES`);
        items become ``(signal, rr, label)``.

    Attributes
    ----------
    beats : BeatSet
        The source, for records, symbols and R positions of each item.
    """

    def __init__(self, beats: BeatSet, *, features: bool | Sequence[str] = False) -> None:
        if len(beats) == 0:
            raise ValueError("beats is empty: no labelled beat to train or test on")
        if isinstance(features, str):
            raise TypeError(f"features must be a bool or a sequence of names, got {features!r}")
        if isinstance(features, bool):
            rr = beats.rr if features else None
        else:
            rr = beats.rr_columns(features)
        super().__init__(
            beats.windows,
            beats.labels,
            beats.patient,
            rr,
            classes=beats.classes,
        )
        self.beats = beats
