import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecgkit.metrics import bootstrap_macro_f1_difference, bootstrap_metrics, compute_metrics

CLASSES = ("N", "S", "V", "F")


@st.composite
def _beats(draw):
    """Labels, two predictions and groups of 2-6 groups with 1-30 beats each."""
    sizes = draw(st.lists(st.integers(1, 30), min_size=2, max_size=6))
    n = sum(sizes)
    labels = st.lists(st.integers(0, 3), min_size=n, max_size=n)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    return (np.asarray(draw(labels)), np.asarray(draw(labels)), np.asarray(draw(labels)), groups)


@settings(max_examples=60, deadline=None)
@given(beats=_beats(), seed=st.integers(0, 2**16))
def test_the_difference_is_compute_metrics_and_swapping_negates_every_resample(beats, seed):
    true, a, b, groups = beats
    forward = bootstrap_macro_f1_difference(true, a, b, groups, 4, n_resamples=50, seed=seed)
    backward = bootstrap_macro_f1_difference(true, b, a, groups, 4, n_resamples=50, seed=seed)
    expected = (
        compute_metrics(true, a, CLASSES).macro_f1 - compute_metrics(true, b, CLASSES).macro_f1
    )
    assert forward.difference == pytest.approx(expected, abs=1e-12)
    assert backward.difference == pytest.approx(-expected, abs=1e-12)
    # the same groups are drawn for both orders: the interval mirrors
    assert forward.interval[0] == pytest.approx(-backward.interval[1], abs=1e-12)
    assert forward.interval[1] == pytest.approx(-backward.interval[0], abs=1e-12)
    assert forward.standard_error == pytest.approx(backward.standard_error, abs=1e-12)
    assert forward.interval[0] <= forward.interval[1]
    assert 0.0 <= forward.probability_not_better <= 1.0


def test_every_resample_is_a_draw_of_whole_groups():
    # two groups: a resample holds group 7 twice, 9 twice, or one of each; a is right on
    # 7 and b on 9, so the differences can only be those of these three sets of beats
    true = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    a = np.array([0, 1, 2, 3, 0, 0, 0, 0])
    b = np.array([0, 0, 0, 0, 0, 1, 2, 3])
    groups = np.array([7, 7, 7, 7, 9, 9, 9, 9])

    def difference(rows):
        score = lambda pred: compute_metrics(true[rows], pred[rows], CLASSES).macro_f1  # noqa: E731
        return score(a) - score(b)

    first, second = np.arange(4), np.arange(4, 8)
    possible = [
        difference(np.r_[g, h]) for g, h in ((first, first), (first, second), (second, second))
    ]
    assert possible[0] > 0 > possible[2]
    result = bootstrap_macro_f1_difference(true, a, b, groups, 4, n_resamples=400, seed=1)
    assert result.difference == pytest.approx(possible[1], abs=1e-12)
    # 400 draws of two groups: all three outcomes occur, so the 90 % interval spans them
    assert result.interval[0] == pytest.approx(possible[2], abs=1e-12)
    assert result.interval[1] == pytest.approx(possible[0], abs=1e-12)
    assert result.n_groups == 2
    assert result.n_resamples == 400


def test_identical_predictions_differ_by_nothing_in_any_resample():
    rng = np.random.default_rng(0)
    true = rng.integers(0, 4, 200)
    pred = rng.integers(0, 4, 200)
    result = bootstrap_macro_f1_difference(true, pred, pred, rng.integers(0, 10, 200), 4)
    assert result.difference == 0.0
    assert result.interval == (0.0, 0.0)
    assert result.standard_error == 0.0
    assert result.probability_not_better == 1.0


def test_a_better_classifier_in_every_group_is_sure_and_the_seed_repeats_it():
    rng = np.random.default_rng(3)
    true = rng.integers(0, 4, 400)
    groups = np.repeat(np.arange(8), 50)
    worse = np.where(rng.random(400) < 0.5, true, (true + 1) % 4)
    result = bootstrap_macro_f1_difference(true, true, worse, groups, 4, seed=5)
    assert result.interval[0] > 0
    assert result.probability_not_better == 0.0
    assert result == bootstrap_macro_f1_difference(true, true, worse, groups, 4, seed=5)
    assert result.to_dict()["interval"] == list(result.interval)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"groups": np.zeros(4)}, ValueError, "at least two groups"),
        ({"pred_b": np.zeros(3, dtype=int)}, ValueError, "pred_b must have"),
        ({"pred_a": np.array([0, 1, 2, 4])}, ValueError, r"pred_a must hold class indices"),
        ({"pred_a": np.array([0.0, 1, 2, 3])}, TypeError, "integer class indices"),
        ({"n_resamples": 0}, ValueError, "n_resamples must be >= 1"),
        ({"confidence": 1.0}, ValueError, r"confidence must be in \(0, 1\)"),
        ({"y_true": np.zeros(0, dtype=int)}, ValueError, "non-empty"),
    ],
)
def test_bad_input_is_refused_by_name(kwargs, error, message):
    args = {
        "y_true": np.array([0, 1, 2, 3]),
        "pred_a": np.array([0, 1, 2, 3]),
        "pred_b": np.array([0, 0, 0, 0]),
        "groups": np.array([0, 0, 1, 1]),
    } | kwargs
    with pytest.raises(error, match=message):
        bootstrap_macro_f1_difference(
            args.pop("y_true"), args.pop("pred_a"), args.pop("pred_b"), args.pop("groups"), 4,
            **args,
        )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(beats=_beats(), seed=st.integers(0, 2**16))
def test_metric_values_are_compute_metrics_and_intervals_are_ordered_fractions(beats, seed):
    true, pred, _, groups = beats
    result = bootstrap_metrics(true, pred, groups, CLASSES, n_resamples=50, seed=seed)
    metrics = compute_metrics(true, pred, CLASSES)
    np.testing.assert_allclose(result.sensitivity, metrics.sensitivity, atol=1e-12)
    np.testing.assert_allclose(
        result.positive_predictivity, metrics.positive_predictivity, atol=1e-12
    )
    assert result.macro_f1 == pytest.approx(metrics.macro_f1, abs=1e-12)
    for interval in (result.sensitivity_interval, result.positive_predictivity_interval):
        defined = interval[~np.isnan(interval[:, 0])]
        assert np.all(defined[:, 0] <= defined[:, 1])
        assert np.all((defined >= 0) & (defined <= 1))
    # a class with no true beat anywhere has no Se in any resample
    absent = np.bincount(true, minlength=4) == 0
    assert np.isnan(result.sensitivity_interval[absent]).all()
    listed = result.to_dict()["per_class"]
    for name in np.asarray(CLASSES)[absent]:
        assert listed[name]["sensitivity_interval"] == [None, None]
    low, high = result.macro_f1_interval
    assert 0 <= low <= high <= 1


def test_metric_intervals_span_the_group_compositions():
    # group 7 all right, group 9 all called N: a resample is 7+7, 7+9 or 9+9
    true = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    pred = np.array([0, 1, 2, 3, 0, 0, 0, 0])
    groups = np.array([7, 7, 7, 7, 9, 9, 9, 9])
    rows = [
        np.r_[g, h]
        for g, h in ((np.arange(4),) * 2, (np.arange(4), np.arange(4, 8)), (np.arange(4, 8),) * 2)
    ]
    scores = [compute_metrics(true[r], pred[r], CLASSES) for r in rows]
    result = bootstrap_metrics(true, pred, groups, CLASSES, n_resamples=400, seed=2)
    se_s = [m.sensitivity[1] for m in scores]
    np.testing.assert_allclose(result.sensitivity_interval[1], [min(se_s), max(se_s)], atol=1e-12)
    f1 = [m.macro_f1 for m in scores]
    np.testing.assert_allclose(result.macro_f1_interval, [min(f1), max(f1)], atol=1e-12)
    # N's +P: 1 in 7+7, 2/5 in 7+9 and 1/4 in 9+9
    np.testing.assert_allclose(result.positive_predictivity_interval[0], [0.25, 1.0], atol=1e-12)
    assert result.to_dict()["per_class"]["S"]["sensitivity_interval"] == [0.0, 1.0]


def test_metrics_refuse_bad_input_by_name():
    with pytest.raises(ValueError, match="y_pred must have"):
        bootstrap_metrics(np.arange(4), np.arange(3), np.array([0, 0, 1, 1]), CLASSES)
    with pytest.raises(ValueError, match="at least two groups"):
        bootstrap_metrics(np.arange(4), np.arange(4), np.zeros(4), CLASSES)
