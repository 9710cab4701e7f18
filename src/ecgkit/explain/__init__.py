"""Explanations for 1-D models: Grad-CAM, Grad-CAM++ and saliency, aligned to the signal.

Every method is an object bound to a model (and a layer) whose ``attribute(x, target)``
returns maps ``[B, L]`` aligned to the input samples; no hook, gradient or mode change
outlives the call.
"""

import ecgkit._torch  # noqa: F401  (one clear line when torch is missing)
from ecgkit.explain.gradcam import GradCAM, GradCAMPlusPlus, Saliency, default_layer

__all__ = ["GradCAM", "GradCAMPlusPlus", "Saliency", "default_layer"]
