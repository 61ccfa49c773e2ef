"""The ``translate-news`` command: parse, call the library, write.

To add a command: write a function with a docstring (its ``--help``) in
:mod:`.articles` (work on articles) or :mod:`.manage` (everything around it), name the
option groups it takes as parameters, and decorate it with ``@command(...)``.
"""

from translate_news.cli import articles, manage, serve  # noqa: F401 - each registers its commands
from translate_news.cli.shell import app

__all__ = ["app"]
