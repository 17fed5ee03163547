"""The exceptions seqcast raises on bad input, drawn as a tree::

    SeqcastError                 base class: every message says what is wrong and how to fix it
    ├── DataError                the data cannot be used (file, column, values, dates, length)
    ├── ConfigError              an option or a config file is wrong
    ├── ModelFileError           a saved model directory is missing, corrupt or mismatched
    └── NotFittedError           predict/forecast/save called before fit

    SeqcastWarning (a UserWarning)  a fit that runs but will likely forecast poorly, and how to fix it (`warn`)

The CLI prints any SeqcastError as one line on stderr and exits with code 2, and a SeqcastWarning as one
'warning: ...' line.
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

import contextlib
import contextvars
import functools
import os
import re
import sys
import warnings


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


class SeqcastWarning(UserWarning):
    """A fit that runs but will likely forecast poorly (the data, not a bug): what, and how to fix it."""


_SAID: contextvars.ContextVar = contextvars.ContextVar("seqcast_said", default=None)  # the keys `warn` said in this call
_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep  # seqcast's own files: `warn` points past them
WARNED = "seqcast.warned"  # the CLI keeps a command's SeqcastWarning texts in its click context's meta under this key (run.json)


def said_once(fn):
    """`fn` (one user call, such as Forecaster.fit with its calibration fit, or a backtest's fits at every origin) says
    each warning of one key once, however many fits inside it would."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _SAID.get() is not None:  # inside an outer call already
            return fn(*args, **kwargs)
        token = _SAID.set(set())
        try:
            return fn(*args, **kwargs)
        finally:
            _SAID.reset(token)

    return wrapper


def warn(message: str, key) -> None:
    """A SeqcastWarning pointing at the user's line that called seqcast (the first frame outside the package), said
    once per `key` inside a `said_once` call; the CLI prints it as one 'warning: ...' line (`key`: its `key`)."""
    said = _SAID.get()
    if said is not None:
        if key in said:
            return
        said.add(key)
    level, frame = 2, sys._getframe(1)  # stacklevel 2: warn's caller
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(_HERE):
        level, frame = level + 1, frame.f_back
    w = SeqcastWarning(message)
    w.key = key
    warnings.warn(w, stacklevel=level)


@contextlib.contextmanager
def routed(category: type[Warning], take, message: str = ""):
    """Inside: each warning of `category` whose text matches `message` (a regex, at the text's start) is handed to
    `take(warning)` in place of being shown, every time (not once per process); other warnings are shown as before.
    catch_warnings saves and restores the process-wide filters and showwarning: callers in threads hold data._QUIET_LOCK."""
    with warnings.catch_warnings():
        warnings.filterwarnings("always", message, category)
        show = warnings.showwarning

        def showwarning(warning, cat, *args, **kwargs):
            if issubclass(cat, category) and re.match(message, str(warning)):
                return take(warning)
            return show(warning, cat, *args, **kwargs)

        warnings.showwarning = showwarning
        yield


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
