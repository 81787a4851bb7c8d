"""Small numerical constants and helpers shared by models and components."""
import numpy as np

__all__ = ["TINY_COUNT"]

#: Added to every component's expected count in an M-step (as scikit-learn does), so that a
#: component with no responsibility keeps finite parameters instead of 0 / 0.
TINY_COUNT = 10 * np.finfo(float).eps
