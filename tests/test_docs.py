"""The public API's docstrings: every name documented, and their `>>>` examples run (so that they cannot rot)."""

import ast
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


def test_readme_inputs_load_series_takes():
    # The README's Python section lists what load_series and fit read (this session added JAX, masked and pyarrow /
    # categorical dates): each gives the airline's values and dates, a masked value is missing, a Table is told its way.
    import jax.numpy as jnp
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from seqcast.errors import DataError

    assert ("load_series and fit also take a Series or DataFrame (a DatetimeIndex, or an index of pyarrow or categorical "
            "dates), a list, a numpy array") in _readme()
    y = seqcast.datasets.airline().astype(float)
    values = y.to_numpy()
    for dates in (pd.CategoricalIndex(y.index), pd.Index(pd.array(y.index.date, dtype="date32[pyarrow]"))):
        pd.testing.assert_series_equal(seqcast.load_series(pd.Series(values, index=dates)), y, check_names=False, check_freq=False)
    for array in (values.tolist(), np.ma.array(values), jnp.asarray(values)):
        np.testing.assert_allclose(seqcast.load_series(array).to_numpy(), values, rtol=1e-6)  # JAX: float32
    masked = np.ma.array(values, mask=np.arange(len(values)) == 5)
    with pytest.raises(DataError, match="row 5: the value is missing"):
        seqcast.load_series(masked)
    assert seqcast.load_series(masked, fill="interpolate").iloc[5] == (values[4] + values[6]) / 2
    with pytest.raises(DataError, match=r"a pyarrow Table converts with \.to_pandas\(\)$"):
        seqcast.load_series(pa.table({"y": values}))
    long = pd.DataFrame({"unique_id": ["a"] * 144 + ["b"] * 144, "ds": [*y.index] * 2, "y": [*values] * 2})
    assert sorted(seqcast.load_long(long.set_index(["unique_id", "ds"]))) == ["a", "b"]  # "one indexed by unique_id (and ds)"


def test_readme_not_fitted_error_is_sklearns_once_sklearn_is_imported(tmp_path):
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")

    assert "raise seqcast.errors.NotFittedError, also sklearn's once sklearn is imported" in _readme()
    for call in (lambda f: f.forecast(3), lambda f: f.save(tmp_path / "m")):
        with pytest.raises(sklearn_exceptions.NotFittedError) as caught:
            call(seqcast.Forecaster())
        assert isinstance(caught.value, seqcast.errors.NotFittedError)
    assert list(tmp_path.iterdir()) == []


def _readme_blocks(language: str) -> list[str]:
    path = Path(__file__).resolve().parents[1] / "README.md"
    return re.findall(rf"^```{language}\n(.*?)^```", path.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def test_readme_python_blocks_are_python_and_its_toml_a_valid_config(tmp_path):
    # the blocks are too slow to run (300-epoch fits), but an edit must leave them Python; the config file's example
    # holds options a TOML file takes, with values they accept
    from seqcast.config import load_toml

    blocks = _readme_blocks("python")
    assert len(blocks) >= 2
    for block in blocks:
        ast.parse(block)
    (toml,) = _readme_blocks("toml")
    (tmp_path / "run.toml").write_text(toml, encoding="utf-8")
    assert load_toml(tmp_path / "run.toml").epochs == 300
