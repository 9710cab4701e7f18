import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ecgkit.metrics import Prediction, adjust_for_priors, class_priors, weigh_decisions

_probabilities = (
    st.integers(1, 20)
    .flatmap(lambda n: arrays(np.float64, (n, 4), elements=st.floats(0.01, 1.0)))
    .map(lambda p: p / p.sum(axis=1, keepdims=True))
)
_priors = arrays(np.float64, 4, elements=st.floats(0.01, 1.0))


@given(p=_probabilities, priors=_priors, strength=st.floats(0, 1), scale=st.floats(0.1, 10))
def test_adjusted_rows_sum_to_one_and_only_the_priors_ratios_matter(p, priors, strength, scale):
    adjusted = adjust_for_priors(p, priors, strength)
    np.testing.assert_allclose(adjusted.sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_allclose(adjust_for_priors(p, scale * priors, strength), adjusted, rtol=1e-9)


@given(p=_probabilities, priors=_priors)
def test_strength_zero_changes_nothing_and_equal_priors_change_nothing(p, priors):
    np.testing.assert_allclose(adjust_for_priors(p, priors, 0.0), p, rtol=1e-12)
    np.testing.assert_allclose(adjust_for_priors(p, np.full(4, 0.25), 1.0), p, rtol=1e-12)


def test_full_strength_calls_a_rare_class_once_it_beats_its_prior():
    priors = np.array([0.9, 0.1])
    p = np.array([[0.85, 0.15], [0.95, 0.05]])  # 1.5x and 0.5x the rare class's prior
    np.testing.assert_array_equal(adjust_for_priors(p, priors, 1.0).argmax(axis=1), [1, 0])
    np.testing.assert_array_equal(adjust_for_priors(p, priors, 0.0).argmax(axis=1), [0, 0])


def test_prediction_adjusted_keeps_labels_and_moves_the_decision():
    prediction = Prediction(
        np.array([[0.85, 0.15], [0.95, 0.05]], dtype=np.float32),
        np.array([0, 0]),
        np.array([1, 0]),
    )
    adjusted = prediction.adjusted([0.9, 0.1], 1.0)
    np.testing.assert_array_equal(adjusted.predicted, [1, 0])
    np.testing.assert_array_equal(adjusted.labels, prediction.labels)
    assert adjusted.metrics(["N", "S"]).accuracy == 1.0


def test_class_priors_are_frequencies_and_a_missing_class_is_an_error():
    np.testing.assert_allclose(class_priors([0, 0, 0, 1], 2), [0.75, 0.25])
    with pytest.raises(ValueError, match="no item of class"):
        class_priors([0, 0, 1], 3)
    with pytest.raises(ValueError, match="labels"):
        class_priors([], 2)
    with pytest.raises(ValueError, match="labels must be in"):
        class_priors([0, 2], 2)


@pytest.mark.parametrize(
    ("probabilities", "priors", "strength", "match"),
    [
        (np.ones(3), [1, 1, 1], 1.0, "probabilities"),
        ([[0.5, np.nan]], [0.5, 0.5], 1.0, "finite"),
        ([[0.5, 0.5]], [0.5, 0.3, 0.2], 1.0, "priors must have shape"),
        ([[0.5, 0.5]], [1.0, 0.0], 1.0, "priors must be finite and > 0"),
        ([[0.5, 0.5]], [0.5, 0.5], -1.0, "strength"),
    ],
)
def test_bad_input_is_rejected_by_name(probabilities, priors, strength, match):
    with pytest.raises(ValueError, match=match):
        adjust_for_priors(probabilities, priors, strength)


def test_the_old_ecgkit_train_names_still_work_with_a_deprecation_warning():
    import ecgkit.metrics
    import ecgkit.train

    for name in ("compute_metrics", "Prediction", "adjust_for_priors", "class_priors"):
        with pytest.warns(DeprecationWarning, match=f"ecgkit.metrics.{name}"):
            assert getattr(ecgkit.train, name) is getattr(ecgkit.metrics, name)


_weights = arrays(np.float64, 4, elements=st.floats(0.05, 20.0))


@given(p=_probabilities, weights=_weights, scale=st.floats(0.1, 10))
def test_weighed_rows_sum_to_one_and_only_the_weights_ratios_matter(p, weights, scale):
    weighed = weigh_decisions(p, weights)
    np.testing.assert_allclose(weighed.sum(axis=1), 1.0, rtol=1e-9)
    np.testing.assert_allclose(weigh_decisions(p, scale * weights), weighed, rtol=1e-9)
    np.testing.assert_allclose(weigh_decisions(p, np.full(4, scale)), p, rtol=1e-12)


@given(p=_probabilities, weights=_weights)
def test_a_class_weighed_up_is_decided_at_least_as_often(p, weights):
    decided = weigh_decisions(p, weights).argmax(axis=1)
    up = weights.copy()
    up[2] *= 2.0
    more = weigh_decisions(p, up).argmax(axis=1)
    # a beat called V stays V; a beat leaves another class only for V
    assert (more[decided == 2] == 2).all()
    assert ((more == decided) | (more == 2)).all()


def test_a_weight_below_one_hands_a_close_call_to_the_other_class():
    p = np.array([[0.45, 0.55], [0.2, 0.8]])
    np.testing.assert_array_equal(weigh_decisions(p, [1.0, 0.5]).argmax(axis=1), [0, 1])
    np.testing.assert_array_equal(weigh_decisions(p, [1.0, 1.0]).argmax(axis=1), [1, 1])


@pytest.mark.parametrize(
    ("probabilities", "weights", "match"),
    [
        (np.ones(3), [1, 1, 1], "probabilities"),
        ([[0.5, np.nan]], [1, 1], "finite"),
        ([[0.5, 0.5]], [1, 1, 1], "weights must have shape"),
        ([[0.5, 0.5]], [1.0, 0.0], "weights must be finite and > 0"),
        ([[0.5, 0.5]], [1.0, np.inf], "weights must be finite and > 0"),
    ],
)
def test_bad_weights_or_probabilities_are_rejected_by_name(probabilities, weights, match):
    with pytest.raises(ValueError, match=match):
        weigh_decisions(probabilities, weights)
