"""The public API's docstrings: every name documented, and their `>>>` examples run (so that they cannot rot)."""

import doctest
import importlib
import inspect
import re
from pathlib import Path

import pytest

import seqcast

# modules whose docstrings hold examples of the public API (fast ones: a few epochs at most), with how many at least
EXAMPLES = {"seqcast": 5, "seqcast.forecast": 10, "seqcast.backtest": 3, "seqcast.config": 2, "seqcast.data": 2,
            "seqcast.datasets": 2, "seqcast.errors": 2, "seqcast.long": 4, "seqcast.metrics": 6, "seqcast.scaling": 2}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_docstring_examples_run(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted >= EXAMPLES[name]


def test_public_names_and_their_methods_have_docstrings():
    objects = [getattr(seqcast, n) for n in seqcast.__all__ if n != "__version__"]
    objects += [seqcast.backtest.backtest, seqcast.backtest.Result, seqcast.scaling.Scaler, seqcast.long.to_long]
    missing = [o.__name__ for o in objects if not inspect.getdoc(o)]
    for cls in (seqcast.Forecaster, seqcast.Holdout, seqcast.backtest.Result, seqcast.Config, seqcast.scaling.Scaler):
        missing += [f"{cls.__name__}.{k}" for k, v in vars(cls).items()
                    if not k.startswith("_") and callable(getattr(cls, k)) and not inspect.getdoc(getattr(cls, k))]
    for fn in ("mse", "rmse", "mae", "mape", "smape", "mase", "rmsse"):
        missing += [] if inspect.getdoc(getattr(seqcast.metrics, fn)) else [fn]
    assert missing == []


def _readme() -> str:
    """README.md as one line of text (its paragraphs wrap anywhere)."""
    path = Path(__file__).resolve().parents[1] / "README.md"
    return " ".join(path.read_text(encoding="utf-8").split())


def test_readme_limits_are_the_codes():
    # The README's "Limits" sentence lists refusals a user could not find before (this session's ±1e150, 99 levels, ...)
    from seqcast import data, intervals, panel
    from seqcast.config import LIMITS
    from seqcast.errors import ConfigError

    text = _readme()
    for claim in (f"values beyond ±{data.MAX_VALUE:.0e}".replace("e+", "e"), f"values beyond ±{panel.MAX_SCALED:.0e}".replace("e+", "e"),
                  f"`--epochs` up to {LIMITS['epochs'][0]:,};", f"`--ensemble` up to {LIMITS['ensemble'][0]:,} members",
                  f"`--levels` up to {intervals.MAX_LEVELS} levels", f"a recursive forecast up to {panel.MAX_STEPS:,} steps"):
        assert claim in text, claim
    example = re.search(r"\(`([\d.,]+)` is one level twice\)", text).group(1)
    with pytest.raises(ConfigError, match="must not repeat a level"):
        intervals.parse_levels(example)


def test_readme_names_the_lock_file_a_command_holds(tmp_path):
    from seqcast.io import holding

    assert "The lock is a file `.NAME.lock` beside the folder (`.m.lock` for `--out m`)" in _readme()
    with holding(tmp_path / "m", "seqcast fit airline --out m"):
        assert (tmp_path / ".m.lock").read_text().endswith(": seqcast fit airline --out m")
    assert list(tmp_path.iterdir()) == []  # deleted when the command ends
