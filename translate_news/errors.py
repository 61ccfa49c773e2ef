"""The exceptions the library raises; the CLI turns each into one line on stderr."""

from __future__ import annotations


class TranslateNewsError(Exception):
    """Base class: something the user can act on, with a message that says what."""


class ModelNotFoundError(TranslateNewsError):
    """A model could not be loaded from the place it was asked for."""


class InputError(TranslateNewsError):
    """An input file is missing, unreadable or not an article."""


class OutputError(TranslateNewsError):
    """An output could not be written, or would overwrite something."""
