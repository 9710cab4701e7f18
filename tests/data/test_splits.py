import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecgkit.data import (
    DS1_RECORDS,
    DS2_RECORDS,
    MITBIH_PATIENTS,
    MITBIH_RECORDS,
    PACED_RECORDS,
    PatientKFold,
    PatientLeakError,
    check_patient_disjoint,
    inter_patient_split,
    intra_patient_split,
    patient_train_val_split,
)


def test_ds1_ds2_are_the_published_lists():
    assert DS1_RECORDS == (
        "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122",
        "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230",
    )  # fmt: skip
    assert DS2_RECORDS == (
        "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210",
        "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234",
    )  # fmt: skip


@pytest.mark.parametrize("strict", [False, True])
def test_inter_patient_split_covers_every_record_exactly_once(strict):
    split = inter_patient_split(strict=strict)
    everything = [*split.train, *split.test, *split.excluded]
    assert sorted(everything) == sorted(MITBIH_RECORDS)
    assert len(set(everything)) == 48
    assert split.excluded == PACED_RECORDS == ("102", "104", "107", "217")


def test_published_split_passes_the_guard_only_with_the_overlap_named():
    split = inter_patient_split()
    assert split.shared_patients == frozenset({"201"})
    assert "201" in split.note
    assert "202" in split.note
    split.check()
    with pytest.raises(PatientLeakError, match="201"):
        check_patient_disjoint(
            [MITBIH_PATIENTS[r] for r in split.train], [MITBIH_PATIENTS[r] for r in split.test]
        )


def test_strict_split_keeps_the_201_202_patient_on_one_side():
    split = inter_patient_split(strict=True)
    assert split.shared_patients == frozenset()
    assert {"201", "202"} <= set(split.train)
    check_patient_disjoint(
        [MITBIH_PATIENTS[r] for r in split.train], [MITBIH_PATIENTS[r] for r in split.test]
    )


@st.composite
def grouped_labels(draw):
    n_patients = draw(st.integers(6, 25))
    sizes = draw(st.lists(st.integers(1, 30), min_size=n_patients, max_size=n_patients))
    n_classes = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"p{i}" for i in range(n_patients)], sizes)
    labels = rng.integers(0, n_classes, groups.size)
    return labels, groups


@given(grouped_labels(), st.integers(2, 6), st.booleans())
def test_patient_kfold_is_disjoint_by_patient_and_covers_every_item_once(data, k, stratify):
    labels, groups = data
    k = min(k, np.unique(groups).size)
    seen = np.zeros(labels.size, dtype=int)
    for train, test in PatientKFold(k, stratify=stratify).split(labels, labels, groups):
        assert not set(groups[train]) & set(groups[test])
        assert np.union1d(train, test).size == labels.size
        seen[test] += 1
    assert (seen == 1).all()


@given(st.integers(0, 2**16))
def test_stratified_folds_keep_class_proportions_within_ten_points(seed):
    # 60 patients of 20-40 beats, 3 classes with patient-specific mixes: each fold's share of
    # every class stays within 0.10 of the overall share
    rng = np.random.default_rng(seed)
    sizes = rng.integers(20, 41, 60)
    groups = np.repeat(np.arange(60).astype(str), sizes)
    mixes = rng.dirichlet([2.0, 1.0, 1.0], 60)
    labels = np.concatenate([rng.choice(3, s, p=m) for s, m in zip(sizes, mixes, strict=True)])
    overall = np.bincount(labels, minlength=3) / labels.size
    for _, test in PatientKFold(5, random_state=seed).split(labels, labels, groups):
        share = np.bincount(labels[test], minlength=3) / test.size
        assert np.abs(share - overall).max() <= 0.10


def test_patient_kfold_rejects_bad_arguments():
    with pytest.raises(ValueError, match="n_splits"):
        PatientKFold(1)
    with pytest.raises(ValueError, match="patients"):
        next(PatientKFold(3).split([0, 1, 0], [0, 1, 0], ["a", "a", "b"]))
    with pytest.raises(ValueError, match="groups"):
        next(PatientKFold(2).split([0, 1, 0], [0, 1, 0], ["a", "b"]))


@given(grouped_labels(), st.sampled_from([0.1, 0.2, 0.25, 0.5]))
def test_patient_train_val_split_is_disjoint(data, fraction):
    labels, groups = data
    if np.unique(groups).size < max(2, round(1 / fraction)):
        return
    train, val = patient_train_val_split(labels, groups, val_fraction=fraction)
    assert not set(groups[train]) & set(groups[val])
    assert sorted(np.concatenate([train, val])) == list(range(labels.size))


def test_intra_patient_split_needs_an_explicit_acknowledgement():
    with pytest.raises(PatientLeakError, match="acknowledge_patient_leak"):
        intra_patient_split(100)
    train, test = intra_patient_split(100, test_fraction=0.3, acknowledge_patient_leak=True)
    assert test.size == 30
    assert np.union1d(train, test).size == 100


def test_patient_kfold_is_a_scikit_learn_splitter():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    rng = np.random.default_rng(0)
    groups = np.repeat([f"p{i}" for i in range(10)], 20)
    y = rng.integers(0, 2, groups.size)
    x = y[:, None] + rng.normal(0, 0.5, (groups.size, 3))
    folds = PatientKFold(5)
    scores = cross_val_score(LogisticRegression(), x, y, groups=groups, cv=folds)
    assert scores.shape == (5,)
    assert folds.get_n_splits(x, y, groups) == 5
    for train, test in folds.split(x, y, groups):
        assert not set(groups[train]) & set(groups[test])


def test_the_old_split_form_still_works_with_a_deprecation_warning():
    labels, groups = [0, 1, 0, 1], ["a", "a", "b", "b"]
    with pytest.warns(DeprecationWarning, match=r"split\(X, y, groups\)"):
        old = list(PatientKFold(2).split(labels, groups))
    new = list(PatientKFold(2).split(labels, labels, groups))
    assert [(a.tolist(), b.tolist()) for a, b in old] == [(a.tolist(), b.tolist()) for a, b in new]
