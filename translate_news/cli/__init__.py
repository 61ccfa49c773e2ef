"""The ``translate-news`` command: parse, call the library, write.

To add a command: write a function with a docstring (its ``--help``) in
:mod:`.articles` (work on articles) or :mod:`.manage` (everything around it), name the
option groups it takes as parameters, and decorate it with ``@command(...)``.
"""

from . import articles, manage, serve  # noqa: F401 - each module registers its commands
from .shell import app

__all__ = ["app"]
