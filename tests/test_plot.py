import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ecgkit.data import BEAT_SYMBOLS, load_example
from ecgkit.plot import plot_attribution, plot_confusion_matrix, plot_ecg, plot_history


def _pixels(figure):
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _is_drawn(figure):
    image = _pixels(figure)
    return image.size > 0 and image[..., :3].std() > 5


def test_ecg_strip_on_standard_paper_is_25_mm_per_second(tmp_path):
    record, annotations = load_example("100")
    segment = record.signal[:1800, 0]
    peaks = annotations.select(BEAT_SYMBOLS).sample
    peaks = peaks[peaks < 1800]
    figure = plot_ecg(segment, 360, r_peaks=peaks, lead_names=["MLII"], path=tmp_path / "ecg.png")
    axes = figure.axes[0]
    width_mm = axes.get_position().width * figure.get_figwidth() * 25.4
    assert width_mm == pytest.approx(5 * 25, rel=1e-6)
    assert axes.get_xlabel() == "time (s)"
    assert "mV" in axes.get_ylabel()
    assert _is_drawn(figure)
    assert (tmp_path / "ecg.png").stat().st_size > 10_000


def test_attribution_overlay_has_one_panel_per_beat():
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(5, 1, 252))
    maps = rng.random((5, 252))
    figure = plot_attribution(
        windows, maps, 360, r_index=90, titles=[f"beat {i}" for i in range(5)]
    )
    panels = [a for a in figure.axes if a.get_title().startswith("beat")]
    assert len(panels) == 5
    assert panels[0].get_xlabel() == "time from R (ms)"
    assert panels[0].get_ylabel() == "mV"
    assert _is_drawn(figure)
    normalised = plot_attribution(windows, maps, 360, amplitude_label="zscore-normalised")
    assert normalised.axes[0].get_ylabel() == "zscore-normalised"
    with pytest.raises(ValueError, match="must match"):
        plot_attribution(windows, maps[:, :10], 360)


def test_confusion_matrix_labels_true_and_predicted():
    figure = plot_confusion_matrix(np.array([[50, 2], [3, 10]]), ["N", "V"])
    axes = figure.axes[0]
    assert axes.get_xlabel() == "predicted class"
    assert axes.get_ylabel() == "true class"
    assert [t.get_text() for t in axes.get_xticklabels()] == ["N", "V"]
    assert {t.get_text() for t in axes.texts} == {"50", "2", "3", "10"}
    assert _is_drawn(figure)
    with pytest.raises(ValueError, match="confusion"):
        plot_confusion_matrix(np.eye(3), ["N", "V"])


def test_history_curves(tmp_path):
    records = [
        {"epoch": e, "train_loss": 1 / e, "val_loss": 1.2 / e, "val_macro_f1": 0.5 + e / 10}
        for e in range(1, 4)
    ]
    figure = plot_history(records, path=tmp_path / "curves.png")
    assert [a.get_ylabel() for a in figure.axes] == ["loss", "validation score"]
    assert (tmp_path / "curves.png").is_file()
    with pytest.raises(ValueError, match="no epochs"):
        plot_history([])


def test_history_without_validation_is_one_panel_with_whole_epochs():
    records = [{"epoch": e, "train_loss": 1 / e} for e in range(1, 4)]
    figure = plot_history(records)
    assert [a.get_ylabel() for a in figure.axes] == ["loss"]
    figure.canvas.draw()
    ticks = [t for t in figure.axes[0].get_xticks() if 1 <= t <= 3]
    assert ticks
    assert all(float(t).is_integer() for t in ticks)


def test_bad_signals_are_rejected():
    with pytest.raises(ValueError, match="NaN"):
        plot_ecg([0.0, np.nan, 1.0], 360)
    with pytest.raises(ValueError, match="fs"):
        plot_ecg(np.zeros(100), 0)
    with pytest.raises(ValueError, match="r_peaks"):
        plot_ecg(np.zeros(100), 100, r_peaks=[200])


def test_axis_0_draws_a_samples_first_signal_like_its_transpose():
    first, annotations = load_example("100")
    second, _ = load_example("208")
    samples_first = np.column_stack([first.signal[:1800, 0], second.signal[:1800, 0]])
    peaks = annotations.select(BEAT_SYMBOLS).sample
    peaks = peaks[peaks < 1800]
    by_axis = plot_ecg(samples_first, 360, axis=0, r_peaks=peaks, lead_names=["MLII", "V1"])
    transposed = plot_ecg(samples_first.T, 360, r_peaks=peaks, lead_names=["MLII", "V1"])
    np.testing.assert_allclose(by_axis.get_size_inches(), transposed.get_size_inches())
    traces = [line.get_ydata() for line in by_axis.axes[0].lines if len(line.get_ydata()) == 1800]
    expected = [
        line.get_ydata() for line in transposed.axes[0].lines if len(line.get_ydata()) == 1800
    ]
    assert len(traces) == 2
    np.testing.assert_allclose(traces, expected)
    with pytest.raises(ValueError, match=r"looks samples-first .*pass axis=0"):
        plot_ecg(samples_first, 360)


@pytest.mark.parametrize(
    ("minutes", "axis", "fix"),
    [(10, 0, r"x\[:3600\]"), (30, 0, r"x\[:3600\]"), (30, -1, r"x\[\.\.\., :3600\]")],
)
def test_strips_too_wide_to_draw_are_refused_with_a_slice_to_plot(minutes, axis, fix):
    n = 360 * 60 * minutes
    signal = np.zeros((n, 2)) if axis == 0 else np.zeros((2, n))
    with pytest.raises(
        ValueError, match=rf"{60 * minutes} s long.*inches.*plot a slice, e\.g\. {fix}"
    ):
        plot_ecg(signal, 360, axis=axis)
