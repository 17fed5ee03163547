"""The exceptions seqcast raises on bad input, drawn as a tree::

    SeqcastError                 base class: every message says what is wrong and how to fix it
    ├── DataError                the data cannot be used (file, column, values, dates, length)
    ├── ConfigError              an option or a config file is wrong
    ├── ModelFileError           a saved model directory is missing, corrupt or mismatched
    └── NotFittedError           predict/forecast/save called before fit

The CLI prints any SeqcastError as one line on stderr and exits with code 2.
Errors follow one template: what must hold, then what was received. DataError, ConfigError and
NotFittedError are also ValueErrors, ModelFileError an OSError, so code that catches those keeps working;
once sklearn is imported, a NotFittedError raised is sklearn.exceptions.NotFittedError too:

    >>> import seqcast
    >>> try:
    ...     seqcast.Forecaster(window=0)
    ... except seqcast.errors.ConfigError as e:
    ...     print(e)
    `window` must be an integer >= 1. Received: window=0
"""

from __future__ import annotations

import functools
import sys


class SeqcastError(Exception):
    """Base class of every error seqcast raises on user input."""


class DataError(SeqcastError, ValueError):
    """The data cannot be used as given."""


class ConfigError(SeqcastError, ValueError):
    """An option value or a config file is wrong."""


class ModelFileError(SeqcastError, OSError):
    """A saved model is missing, corrupt, or does not match its config."""


class NotFittedError(SeqcastError, ValueError, AttributeError):  # the bases of sklearn's NotFittedError
    """The estimator was used before `fit` (raised as `not_fitted` makes it)."""


def out_of_memory(e: BaseException) -> bool:
    """`e` says memory ran out: numpy's (and pyarrow's) MemoryError, or XLA's RESOURCE_EXHAUSTED (a RuntimeError),
    no fault of the input, so never worded as one."""
    return isinstance(e, MemoryError) or (isinstance(e, RuntimeError) and "RESOURCE_EXHAUSTED" in str(e))


@functools.cache
def _sklearn_not_fitted() -> type:
    from sklearn.exceptions import NotFittedError as SklearnNotFitted

    class SklearnNotFittedError(NotFittedError, SklearnNotFitted):
        """seqcast's NotFittedError that sklearn's `except NotFittedError` (a Pipeline, a user's code) catches too."""

    SklearnNotFittedError.__qualname__ = "SklearnNotFittedError"  # pickled as seqcast.errors.SklearnNotFittedError
    return SklearnNotFittedError


def __getattr__(name: str):
    if name == "SklearnNotFittedError":  # made on first use: seqcast does not import sklearn (1.6 s)
        return _sklearn_not_fitted()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def not_fitted(message: str) -> NotFittedError:
    """A NotFittedError, and sklearn's too when sklearn is imported (code that names sklearn's class has imported it)."""
    return (_sklearn_not_fitted() if "sklearn.exceptions" in sys.modules else NotFittedError)(message)


def did_you_mean(value, choices) -> str:
    """"; did you mean 'lstm'?" for a near miss of one of `choices` (a typo, another case), else ""."""
    import difflib

    text = str(value).strip().lower()
    close = difflib.get_close_matches(text, [str(c) for c in choices if c is not None], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


UNPARSABLE = (ValueError, RecursionError)  # what json.loads / tomllib.loads raise (their decode errors are ValueErrors)


def unparsable(e: BaseException) -> str:
    """Why json or tomllib could not read a text: their message, in words for nesting deeper than Python's recursion
    limit and for a number of more digits than int() reads (whose messages speak of Python: sys.set_int_max_str_digits)."""
    import sys

    if isinstance(e, RecursionError):
        return "nested too deeply"
    if "integer string conversion" in str(e):
        return f"a number with more than {sys.get_int_max_str_digits()} digits"
    return str(e)
