"""Objects that remember the arguments they were built with, so model files can rebuild them."""
from __future__ import annotations

__all__ = ["RecordsArguments"]


class RecordsArguments:
    """Base of components and priors: ``instance.arguments`` is ``(args, kwargs)`` of its call.

    Recording happens in ``__new__``, so subclasses need do nothing; :mod:`emkit.persist`
    writes the arguments to JSON and calls the class again to rebuild the object.
    """

    def __new__(cls, *args, **kwargs):
        instance = super().__new__(cls)
        instance._arguments = (args, kwargs)
        return instance

    @property
    def arguments(self):
        """``(args, kwargs)`` the object was constructed with."""
        return self._arguments
