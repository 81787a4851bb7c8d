"""The one EM loop and what it is built on: contracts, trees, constraints, the monitor."""
from .contracts import Backend, Component, EStep, LatentModel
from .data import Block, InMemory
from .em import FitResult, fit, run_em
from .monitor import History, IterationRecord
from .tree import Anchor, Params, Stats, Tree

__all__ = [
    "Anchor", "Backend", "Block", "Component", "EStep", "FitResult", "History", "InMemory",
    "IterationRecord", "LatentModel", "Params", "Stats", "Tree", "fit", "run_em",
]
