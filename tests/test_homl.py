"""Hands-On ML ch. 15 suite: generator, many-series targets, metrics, a tiny run and the CLI command."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqcast import homl, metrics
from seqcast.cli import app
from seqcast.datasets import homl_split, synthetic
from seqcast.errors import ConfigError, DataError
from seqcast.windows import long_to_array, seq2seq_targets, split_inputs_targets


# ---- generator -------------------------------------------------------------------------------------


def test_synthetic_shape_dtype_and_determinism():
    s = synthetic(64, 51, seed=3)
    assert s.shape == (64, 51, 1) and s.dtype == np.float32
    np.testing.assert_array_equal(s, synthetic(64, 51, seed=3))
    assert not np.array_equal(s, synthetic(64, 51, seed=4))


def test_synthetic_is_the_seeds_formula():
    rng = np.random.default_rng(7)
    f1, f2, o1, o2 = rng.random((4, 5, 1))
    noise = rng.random((5, 9))
    t = np.linspace(0, 1, 9)
    want = 0.5 * np.sin((t - o1) * (f1 * 10 + 10)) + 0.2 * np.sin((t - o2) * (f2 * 20 + 20)) + 0.1 * (noise - 0.5)
    np.testing.assert_allclose(synthetic(5, 9, seed=7)[..., 0], want.astype(np.float32), rtol=1e-6)


def test_synthetic_statistics():
    s = synthetic(2000, 60, seed=0)
    assert np.abs(s).max() <= 0.75 + 1e-6  # 0.5 + 0.2 + 0.05
    assert abs(float(s.mean())) < 0.02
    assert 0.3 < float(s.std()) < 0.5  # sines of amplitude 0.5 and 0.2: sqrt(0.125 + 0.02) ~ 0.38


def test_homl_split_is_7000_2000_1000():
    s = np.arange(10_000)
    tr, va, te = homl_split(s)
    assert (len(tr), len(va), len(te)) == (7000, 2000, 1000)
    assert tr[-1] == 6999 and va[0] == 7000 and va[-1] == 8999 and te[0] == 9000
    with pytest.raises(DataError):
        homl_split(np.arange(3))


# ---- many series -> inputs and targets -----------------------------------------------------------------


def test_split_inputs_targets_next_and_next_k():
    s = np.arange(12.0).reshape(2, 6)
    X, Y = split_inputs_targets(s, 4, 1)
    assert X.shape == (2, 4, 1) and Y.tolist() == [[4], [10]]
    X, Y = split_inputs_targets(s[..., None], 3, 3)
    assert X[..., 0].tolist() == [[0, 1, 2], [6, 7, 8]] and Y.tolist() == [[3, 4, 5], [9, 10, 11]]
    with pytest.raises(DataError, match="n_steps \\+ k"):
        split_inputs_targets(s, 5, 2)


def test_seq2seq_targets_by_hand():
    s = np.array([[0.0, 1, 2, 3, 4, 5], [10, 11, 12, 13, 14, 15]])  # n_steps 4, k 2
    Y = seq2seq_targets(s, 4, 2)
    assert Y.shape == (2, 4, 2)
    assert Y[0].tolist() == [[1, 2], [2, 3], [3, 4], [4, 5]]  # at step t: s[t+1], s[t+2]
    assert Y[1, -1].tolist() == [14, 15]
    # as the seed builds it: Y[:, :, a - 1] = series[:, a : a + n_steps]
    series = synthetic(8, 60, seed=1)
    want = np.empty((8, 50, 10), np.float32)
    for a in range(1, 11):
        want[:, :, a - 1] = series[:, a : a + 50, 0]
    X, Y = split_inputs_targets(series, 50, 10, seq2seq=True)
    np.testing.assert_array_equal(Y, want)
    np.testing.assert_array_equal(Y[:, -1], series[:, -10:, 0])  # the last step's targets = seq2vec's


def test_last_time_step_mse():
    y = np.zeros((2, 3, 2))
    p = np.zeros((2, 3, 2))
    p[:, :-1] = 5.0  # errors before the last step do not count
    p[0, -1] = [1.0, 3.0]
    assert metrics.last_time_step_mse(y, p) == pytest.approx((1 + 9) / 4)


def test_long_to_array():
    df = pd.DataFrame({"unique_id": ["b", "b", "a", "a", "b", "a"], "ds": [2, 1, 1, 3, 3, 2], "y": [5, 4, 1, 3, 6, 2.0]})
    values, ids = long_to_array(df)
    assert ids.tolist() == ["b", "a"]
    assert values.dtype == np.float32 and values.tolist() == [[4, 5, 6], [1, 2, 3]]
    X, Y = split_inputs_targets(values, 2, 1)
    assert Y.tolist() == [[6], [3]]


@pytest.mark.parametrize(
    "frame,match",
    [
        (pd.DataFrame({"unique_id": ["a", "a", "b"], "ds": [1, 2, 1], "y": [1.0, 2, 3]}), "same length"),
        (pd.DataFrame({"unique_id": ["a", "a"], "ds": [1, 1], "y": [1.0, 2]}), "more than one row"),
        (pd.DataFrame({"unique_id": ["a", "a"], "ds": [1, 2], "y": [1.0, None]}), "missing values"),
        (pd.DataFrame({"id": ["a"], "ds": [1], "y": [1.0]}), "missing: unique_id"),
    ],
)
def test_long_to_array_errors(frame, match):
    with pytest.raises(DataError, match=match):
        long_to_array(frame)


# ---- the suite ---------------------------------------------------------------------------------------


def test_model_table_is_the_seeds():
    m = {x.name: x for x in homl.MODELS}
    assert list(m) == ["naive", "linear", "simple-rnn", "deep-rnn", "deep-rnn-dense", "seq2vec-10", "seq2seq-10"]
    assert m["deep-rnn"].train.batch_size == 128 and m["deep-rnn-dense"].train.batch_size == 128
    assert m["seq2vec-10"].train.batch_size == 32 and m["seq2seq-10"].train.learning_rate == 0.01
    assert all(x.train.epochs == 20 for x in homl.MODELS if x.train)
    assert m["seq2seq-10"].spec.seq2seq and m["seq2vec-10"].spec.n_outputs == 10
    with pytest.raises(ConfigError, match="`models` must be"):
        homl.get(["lstm"])


def test_run_smoke():
    rows = homl.run(models=["naive", "linear"], n_series=200, epochs=1, seed=0)
    assert [r["model"] for r in rows] == ["naive", "linear"]
    for r in rows:
        assert {"model", "seed_mse", "valid_mse", "test_mse", "fit_s"} <= set(r)
        assert np.isfinite(r["valid_mse"]) and np.isfinite(r["test_mse"])
    naive = rows[0]
    d = homl.make_data("next", 200, 0)
    Xva, Yva = d["valid"]
    assert naive["valid_mse"] == pytest.approx(float(np.mean((Xva[:, -1] - Yva) ** 2)))
    again = homl.run(models=["linear"], n_series=200, epochs=1, seed=0)
    assert again[0]["valid_mse"] == pytest.approx(rows[1]["valid_mse"])  # same seed, same result


def test_naive_forecast_by_hand():
    X = np.arange(6.0).reshape(2, 3)  # [[0, 1, 2], [3, 4, 5]]
    np.testing.assert_array_equal(homl.naive_forecast(X, np.zeros(2)), [2, 5])
    np.testing.assert_array_equal(homl.naive_forecast(X, np.zeros((2, 2))), [[2, 2], [5, 5]])
    s2s = homl.naive_forecast(X, np.zeros((2, 3, 2)))  # at step t: X[:, t] for both steps ahead
    np.testing.assert_array_equal(s2s[1], [[3, 3], [4, 4], [5, 5]])
    np.testing.assert_array_equal(homl.naive_forecast(X[..., None], np.zeros((2, 1))), [[2], [5]])  # (N, T, 1) inputs


def test_summarize_lists_the_seeds_that_did_not_beat_naive():
    def row(model, seed, valid, naive):
        return {"model": model, "seed_mse": 0.01, "valid_mse": valid, "test_mse": valid, "fit_s": 1.0, "seed": seed, "naive_valid_mse": naive}

    runs = [[row("naive", s, 0.02, 0.02), row("simple-rnn", s, v, 0.02)] for s, v in ((0, 0.011), (1, 0.14), (2, 0.012))]
    naive, rnn_row = homl.summarize(runs)
    assert naive["seeds_worse_than_naive"] == [] and rnn_row["seeds_worse_than_naive"] == [1]


def test_run_reports_the_naive_line_for_every_model():
    rows = homl.run(models=["naive", "linear"], n_series=200, epochs=1, seed=0)
    assert rows[0]["naive_valid_mse"] == pytest.approx(rows[0]["valid_mse"])
    assert rows[1]["naive_valid_mse"] == pytest.approx(rows[0]["valid_mse"])


def test_cli_json_and_table(tmp_path):
    runner = CliRunner()
    res = runner.invoke(app, ["reproduce", "homl-ch15", "--models", "naive,linear", "--n-series", "100", "--epochs", "1", "--seeds", "2", "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert [x["model"] for x in lines] == ["naive", "linear"]
    for x in lines:
        assert {"model", "seed_mse", "valid_mse", "test_mse", "fit_s"} <= set(x)
        assert len(x["valid_mse_per_seed"]) == 2 and x["valid_mse"] == pytest.approx(np.mean(x["valid_mse_per_seed"]))
    res = runner.invoke(app, ["reproduce", "homl-ch15", "--models", "naive", "--n-series", "100"])
    assert res.exit_code == 0 and "notebook's MSE" in res.output and "0.0201" in res.output
    # "seed's" (the project's word for the notebook) read as the random seed, beside "MSE (seed 0)" in the title
    assert "seed's" not in res.output and re.search(r"model +notebook +valid", res.stdout)
    assert "training" not in res.stderr  # it said "seed 0: training 0 models on 100 series..." for the naive forecast alone


def test_cli_first_seed_runs_other_seeds():
    # only seeds 0..N-1 could be run from the command line: a re-measure on seeds never seen needed Python
    runner = CliRunner()
    res = runner.invoke(app, ["reproduce", "homl-ch15", "--models", "naive,linear", "--n-series", "100", "--epochs", "1", "--seeds", "2",
                              "--first-seed", "5", "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert all(x["seeds"] == [5, 6] for x in lines)
    naive = [homl.run(["naive"], seed=s, n_series=100)[0]["valid_mse"] for s in (5, 6)]
    assert lines[0]["valid_mse_per_seed"] == naive and naive[0] != naive[1]
    res = runner.invoke(app, ["reproduce", "homl-ch15", "--models", "naive", "--n-series", "100", "--first-seed", "7"])
    assert res.exit_code == 0 and "(seed 7)" in res.stdout
    res = runner.invoke(app, ["reproduce", "homl-ch15", "--models", "naive", "--first-seed", "-1"])
    assert res.exit_code == 2 and "`first-seed` must be >= 0. Received: first-seed=-1" in res.output


def test_cli_errors():
    runner = CliRunner()
    res = runner.invoke(app, ["reproduce", "homl-ch15", "--models", "naive,nope"])
    assert res.exit_code == 2 and "`models` must be" in res.output
    res = runner.invoke(app, ["reproduce", "homl-ch15", "--models", "naive", "--plot", "x.png"])
    assert res.exit_code == 2 and "seq2seq-10" in res.output


def test_plot(tmp_path):
    from seqcast.report import plot_multistep_forecasts

    s = synthetic(5, 60, seed=0)
    X, Y = split_inputs_targets(s, 50, 10)
    plot_multistep_forecasts(X, Y, Y + 0.01, tmp_path / "f.png", n=3)
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_help():
    res = CliRunner().invoke(app, ["reproduce", "homl-ch15", "--help"])
    assert res.exit_code == 0 and "Example" in res.stdout and "--seeds" in res.stdout and "seed's" not in res.stdout
    assert "--n-series" not in res.stdout  # hidden: for tests and quick looks
    assert [m.name for m in homl.get("naive, linear")] == ["naive", "linear"]


@pytest.mark.parametrize("kw, needle", [({"epochs": 1.5}, "`epochs` must be an integer >= 1"), ({"epochs": "x"}, "`epochs`"),
                                        ({"seed": -1}, "`seed` must be an integer >= 0"), ({"data_seed": 1.0}, "`data_seed`")])
def test_run_refuses_bad_numbers(kw, needle):
    with pytest.raises(ConfigError, match=needle):
        homl.run(models=["naive"], n_series=20, **kw)
