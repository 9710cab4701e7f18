"""ecgkit: from raw ECG recordings to a trained, evaluated and explained heartbeat classifier.

The package is layered; each layer is importable on its own:

- :mod:`ecgkit.signal`: filters, resampling, normalisation, R-peak detection and
  R-peak-aligned beat segmentation (numpy and scipy only).
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
