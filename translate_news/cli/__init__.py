"""The ``translate-news`` command: parse, call the library, write.

To add a command: write a function with a docstring (its ``--help``) and its own
``@click.option``s in :mod:`.articles` (work on articles), :mod:`.sources` (from feeds)
or :mod:`.manage` (everything around it), and decorate it with ``@command(...)``,
naming the option groups it takes (``options=TRANSLATION``, ...) by the parameter that
receives each built object.
"""

from translate_news.cli import articles, manage, serve, sources  # noqa: F401 - each registers
from translate_news.cli.shell import app

__all__ = ["app"]
