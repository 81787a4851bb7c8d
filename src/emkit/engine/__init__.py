"""The engine: the contracts, the one EM step and its drivers, trees, geometry, the monitor.

Layers, bottom up: parameters and statistics are :class:`Tree` objects; data arrive as
:class:`Block` objects from a :class:`Source`; a :class:`Backend` maps work over the blocks;
a :class:`LatentModel` (often built from :class:`Component` objects) does the E- and M-steps;
:func:`em_step` is one EM step of an :class:`EMProblem`, and a :class:`Driver` runs steps while
a :class:`Run` records and checks the anatomy; :func:`fit` is the entry point.
"""
from .contracts import Backend, Component, Densities, EStep, LatentModel
from .data import Block, InMemory, Source
from .drivers import Driver, PlainEM, Run
from .em import FitResult, fit
from .geometry import Geometry
from .moments import Moments, recentre
from .monitor import History, IterationRecord
from .objective import Evidence, LogPosterior, Objective
from .posterior import DiscretePosterior, GaussianPosterior, Posterior, SequencePosterior
from .step import EMProblem, Evaluation, Step, em_step
from .online import IncrementalEM, OnlineEM
from .squarem import SQUAREM
from .stopping import AitkenChange, AllOf, ObjectiveChange, ParameterChange, StoppingRule
from .tree import Params, Stats, Tree

__all__ = [
    "AitkenChange", "AllOf", "Backend", "Block", "Component", "Densities", "DiscretePosterior", "Driver", "EMProblem",
    "EStep", "Evaluation", "Evidence", "FitResult", "GaussianPosterior", "Geometry", "History",
    "IncrementalEM", "InMemory", "IterationRecord", "LatentModel", "LogPosterior", "Moments", "Objective",
    "ObjectiveChange", "OnlineEM", "Params", "ParameterChange", "PlainEM", "Posterior", "Run", "SQUAREM",
    "SequencePosterior", "Source", "Stats", "Step", "StoppingRule", "Tree", "em_step", "fit",
    "recentre",
]
