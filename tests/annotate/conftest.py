import numpy as np
import pytest
import torch

from ecgkit.annotate import BeatRecipe, Predictor
from ecgkit.data import RELATIVE_RR_FEATURES, load_example
from ecgkit.data.records import Record
from ecgkit.models import create_model


def make_recipe(**changes) -> BeatRecipe:
    values = {
        "fs": 360.0,
        "before_s": 0.25,
        "after_s": 0.45,
        "leads": ("MLII",),
        "clean": True,
        "normalize": "zscore",
        "template": True,
        "rr_features": RELATIVE_RR_FEATURES,
        "classes": ("N", "S", "V", "F"),
        "class_priors": (0.9, 0.02, 0.07, 0.01),
        "prior_adjustment": 0.5,
    }
    values.update(changes)
    return BeatRecipe(**values)


@pytest.fixture(scope="session")
def recipe() -> BeatRecipe:
    return make_recipe()


@pytest.fixture(scope="session")
def predictor(recipe) -> Predictor:
    torch.manual_seed(0)
    models = [
        create_model("beat_rr_cnn", in_channels=2, num_classes=4, n_features=7).eval()
        for _ in range(2)
    ]
    return Predictor(models, recipe, name="random")


@pytest.fixture(scope="session")
def long_record() -> Record:
    """30 minutes of six bundled records joined (119 and 208: many ventricular beats)."""
    parts = [load_example(r)[0].signal for r in ("100", "119", "208", "105", "213", "232")]
    return Record(np.concatenate(parts), 360.0, ("MLII",), "joined")
