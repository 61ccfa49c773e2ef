"""The exceptions the library raises; the CLI turns each into one line on stderr.

Only these become one-line errors: any other exception is a bug and is shown as one.
"""

from __future__ import annotations


class TranslateNewsError(Exception):
    """Base class: something the user can act on, with a message that says what."""


class UsageError(TranslateNewsError, ValueError):
    """An option, or a combination of options, that cannot work; known before any work."""


class ModelNotFoundError(TranslateNewsError):
    """A model could not be loaded from the place it was asked for."""


class BackendUnavailable(TranslateNewsError):
    """A backend is installed but cannot run on the device asked for."""


class InputError(TranslateNewsError):
    """An input file is missing, unreadable or not an article."""


class OutputError(TranslateNewsError):
    """An output could not be written, or would overwrite something. ``errno`` is the
    system's error number when the system refused the write (a full disk, say)."""

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno


class FatalError(TranslateNewsError):
    """An error that would fail every following input too (a full disk, a read-only
    output folder, an unusable translation memory): a run stops at once."""


class MemoryUnusable(FatalError):
    """The translation memory cannot be opened, read or written where it is."""
