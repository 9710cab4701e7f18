"""Patient-wise splits that refuse to leak a patient across train and test.

Beats of one patient look alike. A split that puts beats of the same patient on both sides
(a random beat-level, "intra-patient", split) lets a model recognise the patient instead of
the arrhythmia, and inflates accuracy on MIT-BIH from about 90 % to about 99 %. Every split
here is by patient, and :func:`check_patient_disjoint` raises when one is not.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ecgkit.data.mitdb import MITBIH_PATIENTS, PACED_RECORDS

__all__ = [
    "DS1_RECORDS",
    "DS2_RECORDS",
    "PatientKFold",
    "PatientLeakError",
    "RecordSplit",
    "check_patient_disjoint",
    "inter_patient_split",
    "intra_patient_split",
    "patient_train_val_split",
]

#: de Chazal et al. (2004) training set DS1: 22 MIT-BIH records.
DS1_RECORDS: tuple[str, ...] = (
    "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122",
    "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230",
)  # fmt: skip

#: de Chazal et al. (2004) test set DS2: 22 MIT-BIH records.
DS2_RECORDS: tuple[str, ...] = (
    "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210",
    "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234",
)  # fmt: skip


class PatientLeakError(ValueError):
    """A split puts at least one patient on both sides."""


def check_patient_disjoint(
    train_patients: ArrayLike,
    test_patients: ArrayLike,
    *,
    allow: Sequence[str] | frozenset[str] = (),
) -> None:
    """Raise when a patient appears on both sides of a split.

    Parameters
    ----------
    train_patients, test_patients : array_like of str
        Patient identifier of every item (beat or record) on each side.
    allow : collection of str
        Patients whose presence on both sides is known and accepted (the published DS1/DS2
        split must name patient ``"201"`` here). Anything else on both sides raises.

    Raises
    ------
    PatientLeakError
        Naming the patients found on both sides.
    """
    train = {str(p) for p in np.asarray(train_patients).ravel()}
    test = {str(p) for p in np.asarray(test_patients).ravel()}
    leaked = sorted((train & test) - {str(p) for p in allow})
    if leaked:
        shown = ", ".join(leaked[:10]) + (" ..." if len(leaked) > 10 else "")
        raise PatientLeakError(
            f"{len(leaked)} patient(s) on both sides of the split: {shown}. Beats of one "
            "patient on both sides inflate test scores; split by patient instead"
        )


@dataclass(frozen=True)
class RecordSplit:
    """A train/test split of records.

    Attributes
    ----------
    name : str
        ``"de Chazal DS1/DS2"`` or ``"de Chazal DS1/DS2 (strict)"``.
    train, test : tuple of str
        Record identifiers on each side.
    excluded : tuple of str
        Records on neither side (the paced records).
    shared_patients : frozenset of str
        Patients with records on both sides, accepted knowingly (empty for a strict split).
    note : str
        What a reader of results from this split must know.
    """

    name: str
    train: tuple[str, ...]
    test: tuple[str, ...]
    excluded: tuple[str, ...]
    shared_patients: frozenset[str]
    note: str

    def check(self, patients: Mapping[str, str] = MITBIH_PATIENTS) -> None:
        """Raise :class:`PatientLeakError` if a patient not in ``shared_patients`` leaks."""
        check_patient_disjoint(
            [patients[r] for r in self.train],
            [patients[r] for r in self.test],
            allow=self.shared_patients,
        )


def inter_patient_split(*, strict: bool = False) -> RecordSplit:
    """The de Chazal et al. (2004) inter-patient split of the MIT-BIH Arrhythmia Database.

    Parameters
    ----------
    strict : bool
        False (default): DS1 and DS2 exactly as published, so results compare with the
        literature. True: record 202 moves from DS2 to DS1, so that no patient is on both
        sides (23 train, 21 test records).

    Returns
    -------
    RecordSplit
        DS1 (train) and DS2 (test), 22 records each, with the four paced records
        (102, 104, 107, 217) excluded.

    Notes
    -----
    The published split has one known flaw: records 201 (DS1) and 202 (DS2) come from the
    same patient. The non-strict result says so in ``shared_patients == {"201"}`` and
    ``note``, and its :meth:`RecordSplit.check` passes only because that overlap is named.

    References
    ----------
    P. de Chazal, M. O'Dwyer, R. B. Reilly, "Automatic classification of heartbeats using
    ECG morphology and heartbeat interval features", IEEE Trans. Biomed. Eng. 51(7),
    1196-1206, 2004.

    Examples
    --------
    >>> split = inter_patient_split()
    >>> len(split.train), len(split.test), sorted(split.shared_patients)
    (22, 22, ['201'])
    """
    if strict:
        return RecordSplit(
            name="de Chazal DS1/DS2 (strict)",
            train=tuple(sorted((*DS1_RECORDS, "202"))),
            test=tuple(r for r in DS2_RECORDS if r != "202"),
            excluded=PACED_RECORDS,
            shared_patients=frozenset(),
            note="DS1/DS2 with record 202 moved to DS1: no patient on both sides; "
            "results are not directly comparable with the published DS2 numbers.",
        )
    return RecordSplit(
        name="de Chazal DS1/DS2",
        train=DS1_RECORDS,
        test=DS2_RECORDS,
        excluded=PACED_RECORDS,
        shared_patients=frozenset({"201"}),
        note="Published DS1/DS2 split. Records 201 (DS1) and 202 (DS2) come from the same "
        "patient, a known overlap kept for comparability; use strict=True to remove it.",
    )


def _as_groups(groups: ArrayLike, n: int, name: str = "groups") -> NDArray[np.str_]:
    array = np.asarray(groups).astype(str)
    if array.ndim != 1 or array.size != n:
        raise ValueError(
            f"{name} must be 1-D with one patient id per item ({n}), got shape {array.shape}"
        )
    return array


class PatientKFold:
    """K-fold cross-validation by patient, stratified by class where possible.

    A scikit-learn style splitter: :meth:`split` yields ``(train_index, test_index)`` and
    every patient's items are in exactly one test fold. With ``stratify=True`` (default)
    folds are built by :class:`sklearn.model_selection.StratifiedGroupKFold`, which keeps
    each fold's class proportions close to the whole's (as close as whole patients allow);
    otherwise by :class:`~sklearn.model_selection.GroupKFold`.

    Parameters
    ----------
    n_splits : int
        Number of folds, at least 2 and at most the number of patients.
    stratify : bool
        Balance class proportions across folds.
    shuffle : bool
        Shuffle patients before folding (stratified mode only).
    random_state : int, optional
        Seed for the shuffle.
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        stratify: bool = True,
        shuffle: bool = True,
        random_state: int | None = 0,
    ) -> None:
        if isinstance(n_splits, bool) or not isinstance(n_splits, int) or n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2, got {n_splits!r}")
        self.n_splits = n_splits
        self.stratify = stratify
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, x: object = None, y: object = None, groups: object = None) -> int:
        """Number of folds (the arguments are accepted for scikit-learn's protocol)."""
        return self.n_splits

    def split(
        self, x: ArrayLike, y: ArrayLike | None = None, groups: ArrayLike | None = None
    ) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
        """Yield train and test indices of each fold, scikit-learn's splitter protocol.

        Can be passed as ``cv=`` to :func:`sklearn.model_selection.cross_val_score` and
        friends, which call ``split(X, y, groups)``.

        Parameters
        ----------
        x : array_like, shape (n, ...)
            The items (only their number is used; scikit-learn passes its ``X``).
        y : array_like of int, shape (n,), optional
            Class of each item, for stratification; without it the folds are only
            patient-wise.
        groups : array_like of str, shape (n,)
            Patient of each item (required).

        Yields
        ------
        train_index, test_index : numpy.ndarray of int64
            Positions of the items on each side; no patient is on both.

        Notes
        -----
        The earlier form ``split(labels, groups)`` still works for one release, with a
        ``DeprecationWarning``.
        """
        if groups is None:
            if y is None:
                raise ValueError("groups (the patient of each item) is required")
            warnings.warn(
                "PatientKFold.split(labels, groups) is deprecated: call split(X, y, groups) "
                "(scikit-learn's protocol), e.g. split(labels, labels, groups)",
                DeprecationWarning,
                stacklevel=2,
            )
            x, y, groups = x, x, y
        n_items = len(np.asarray(x))
        labels = np.zeros(n_items, dtype=np.int64) if y is None else y
        yield from self._folds(labels, groups, stratify=self.stratify and y is not None)

    def _folds(
        self, labels: ArrayLike, groups: ArrayLike, *, stratify: bool
    ) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
        from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

        y = np.asarray(labels)
        if y.ndim != 1 or y.size == 0:
            raise ValueError(f"labels must be a non-empty 1-D array, got shape {y.shape}")
        patients = _as_groups(groups, y.size)
        n_patients = np.unique(patients).size
        if n_patients < self.n_splits:
            raise ValueError(
                f"n_splits={self.n_splits} needs at least as many patients, got {n_patients}"
            )
        if stratify:
            splitter: StratifiedGroupKFold | GroupKFold = StratifiedGroupKFold(
                self.n_splits,
                shuffle=self.shuffle,
                random_state=self.random_state if self.shuffle else None,
            )
        else:
            splitter = GroupKFold(self.n_splits)
        with warnings.catch_warnings():
            # a class with fewer items than folds cannot be in every fold: ECG classes are
            # that rare (DS1 holds 8 Q beats), and the folds still keep patients apart
            warnings.filterwarnings("ignore", "The least populated class", UserWarning)
            folds = list(splitter.split(np.zeros((y.size, 1)), y, patients))
        for train, test in folds:
            check_patient_disjoint(patients[train], patients[test])
            yield train.astype(np.int64), test.astype(np.int64)


def patient_train_val_split(
    labels: ArrayLike,
    groups: ArrayLike,
    *,
    val_fraction: float = 0.2,
    random_state: int | None = 0,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Split items into training and validation sets by patient, stratified by class.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Class of each item.
    groups : array_like of str, shape (n,)
        Patient of each item.
    val_fraction : float
        Share of patients (approximately, of items) held out, in (0, 0.5].
    random_state : int, optional
        Seed.

    Returns
    -------
    train_index, val_index : numpy.ndarray of int64
        Disjoint by patient.
    """
    if not 0.0 < val_fraction <= 0.5:
        raise ValueError(f"val_fraction must be in (0, 0.5], got {val_fraction!r}")
    n_splits = max(2, round(1.0 / val_fraction))
    folds = PatientKFold(n_splits, stratify=True, shuffle=True, random_state=random_state)
    return next(folds.split(labels, labels, groups))


def intra_patient_split(
    n_items: int,
    *,
    test_fraction: float = 0.2,
    random_state: int | None = 0,
    acknowledge_patient_leak: bool = False,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """A random item-level split that ignores patients. Results from it are not comparable.

    Beats of one patient land on both sides, so a model can learn each patient's beat shape
    and score near 99 % on MIT-BIH while failing on a new patient. This split exists to
    reproduce such published numbers, never to report a model's performance; it refuses to
    run unless ``acknowledge_patient_leak=True``.

    Parameters
    ----------
    n_items : int
        Number of items (beats).
    test_fraction : float
        Share of items in the test set, in (0, 1).
    random_state : int, optional
        Seed.
    acknowledge_patient_leak : bool
        Must be True.

    Returns
    -------
    train_index, test_index : numpy.ndarray of int64
    """
    if acknowledge_patient_leak is not True:
        raise PatientLeakError(
            "intra_patient_split puts beats of the same patient on both sides and inflates "
            "test scores; pass acknowledge_patient_leak=True to use it anyway, or use "
            "inter_patient_split / PatientKFold"
        )
    if isinstance(n_items, bool) or not isinstance(n_items, int) or n_items < 2:
        raise ValueError(f"n_items must be an integer >= 2, got {n_items!r}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    order = np.random.default_rng(random_state).permutation(n_items)
    n_test = min(max(1, round(n_items * test_fraction)), n_items - 1)
    return np.sort(order[n_test:]).astype(np.int64), np.sort(order[:n_test]).astype(np.int64)
