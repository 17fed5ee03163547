"""Tests for the evaluation commands: `seqcast backtest`, `seqcast benchmark`, `seqcast reproduce airline-honest`,
their --levels and their run directories (--report / --out), and one-line errors (exit 2, no traceback).

Neural models are tiny (2 epochs, one ensemble member) on 3 short monthly series; the baselines' scores
are checked against numbers recomputed here from the data, never against stored outputs.
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_cli import assert_error, assert_ok, invoke  # the shared CLI test helpers

KEYS = {"model", "mase", "smape", "rmse", "mae", "fit_s"}
N, H, W, M = 40, 3, 2, 12  # values per series, horizon, origins, season (monthly)


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.found.append(dict(attrs).get("id"))


def sections(html: str) -> list:
    """The report's section ids, in order."""
    p = _Sections()
    p.feed(html)
    return p.found


# ---- data ----------------------------------------------------------------------------------------------

DATES = pd.date_range("2000-01-01", periods=N, freq="MS")


def panel() -> dict:
    t = np.arange(N)
    return {u: 50 + 10 * i + (1 + 0.3 * i) * t + (5 + i) * np.sin(2 * np.pi * (t + i) / 12) for i, u in enumerate(["a", "b", "c"])}


def long_frame() -> pd.DataFrame:
    return pd.DataFrame([(u, f"{d:%Y-%m-%d}", v) for u, y in panel().items() for d, v in zip(DATES, y)], columns=["unique_id", "ds", "y"])


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("eval")


@pytest.fixture(scope="module")
def long_csv(work):
    p = work / "long.csv"
    long_frame().to_csv(p, index=False)
    return p


@pytest.fixture(scope="module")
def backtest_run(work, long_csv):
    """One backtest with a neural model, --levels and a run directory; shared by the tests below."""
    out = work / "bt-run"
    r = invoke("backtest", long_csv, "--models", "gru,naive,snaive", "--horizon", H, "--windows", W, "--epochs", 2, "--ensemble", 1,
               "--json", "--levels", 80, "--out", out)
    assert_ok(r)
    return json.loads(r.stdout), out


# ---- backtest ------------------------------------------------------------------------------------------


def test_backtest_long_csv_json_with_levels(backtest_run):
    rows, _ = backtest_run
    assert [r["model"] for r in rows] and {r["model"] for r in rows} == {"gru", "naive", "snaive"}
    for r in rows:
        assert KEYS | {"coverage_80"} <= set(r), r
        assert "coverage_95" not in r
        assert np.isfinite(r["mase"]) and r["mase"] > 0
        # 3 series, 2 origins: 3 residuals per step before the last origin, too few for a finite 80%
        # interval (ceil(4 * 0.8) = 4 > 3), so no coverage is measured: null, not a vacuous 100
        assert r["coverage_80"] is None and r["coverage_n_80"] == 0  # and it rests on no test value
    assert [r["mase"] for r in rows] == sorted(r["mase"] for r in rows)  # ranked by MASE

    # naive's MASE by hand: each row is (series, origin); scale = in-sample seasonal naive MAE of its training part
    per_row = []
    for y in panel().values():
        for k in range(W):
            cut = N - H - H * (W - 1 - k)
            train, truth = y[:cut], y[cut : cut + H]
            scale = np.mean(np.abs(train[M:] - train[:-M]))
            per_row.append(np.mean(np.abs(truth - train[-1])) / scale)
    naive = next(r for r in rows if r["model"] == "naive")
    assert naive["mase"] == pytest.approx(np.mean(per_row), rel=1e-9)


def test_backtest_json_and_run_json_give_the_mase_ratio_to_the_best_baseline_with_its_interval(backtest_run, tmp_path):
    """The verdict and the JSON said gru beats snaive by so much, never whether that was more than noise."""
    rows, out = backtest_run
    best = min((r for r in rows if r["model"] != "gru"), key=lambda r: r["mase"])
    gru = next(r for r in rows if r["model"] == "gru")
    assert gru["mase_vs"] == best["model"] and gru["mase_ratio"] == pytest.approx(gru["mase"] / best["mase"])
    assert gru["mase_ratio_lo"] is None and gru["mase_ratio_hi"] is None  # 3 series x 2 origins: 6 rows, too few
    run = json.loads((out / "run.json").read_text())
    assert [{k: r[k] for k in ("mase_vs", "mase_ratio")} for r in run["leaderboard"]] == \
        [{k: r[k] for k in ("mase_vs", "mase_ratio")} for r in rows]
    assert "only 6 series x origin rows: too few (under 10) to tell a difference from noise" in run["verdict"][0]
    p = tmp_path / "twelve.csv"  # 12 series: whole series are drawn, and the interval is finite
    t = np.arange(N)
    pd.DataFrame([(f"s{i}", f"{d:%Y-%m-%d}", v) for i in range(12) for d, v in zip(DATES, 50 + i + t + (3 + i) * np.sin(t + i))],
                 columns=["unique_id", "ds", "y"]).to_csv(p, index=False)
    r = invoke("backtest", p, "--models", "naive,drift,snaive", "--horizon", H, "--windows", W, "--json")
    assert_ok(r)
    rows = json.loads(r.stdout)
    assert rows[0]["mase_ratio"] == rows[0]["mase_ratio_lo"] == rows[0]["mase_ratio_hi"] == 1.0  # the best baseline itself
    assert all(r["mase_vs"] == rows[0]["model"] and r["mase_ratio_lo"] <= r["mase_ratio"] <= r["mase_ratio_hi"] for r in rows)


def test_backtest_single_series_csv(tmp_path):
    p = tmp_path / "one.csv"
    y = panel()["b"]
    pd.DataFrame({"date": [f"{d:%Y-%m-%d}" for d in DATES], "y": y}).to_csv(p, index=False)
    r = invoke("backtest", p, "--models", "naive,snaive,drift", "--horizon", 4, "--windows", 2, "--json")
    assert_ok(r)
    rows = json.loads(r.stdout)
    assert {r["model"] for r in rows} == {"naive", "snaive", "drift"}
    assert all(KEYS <= set(r) and np.isfinite(r["mase"]) for r in rows)
    assert not any(k.startswith("coverage_") for r in rows for k in r)  # no --levels, no coverage
    snaive = next(r for r in rows if r["model"] == "snaive")
    errs = []
    for k in range(2):
        cut = N - 4 - 4 * (1 - k)
        train = y[:cut]
        errs.append(np.mean(np.abs(y[cut : cut + 4] - train[cut - M : cut - M + 4])) / np.mean(np.abs(train[M:] - train[:-M])))
    assert snaive["mase"] == pytest.approx(np.mean(errs), rel=1e-9)


def test_backtest_writes_hourly_dates_in_one_format(tmp_path):
    # hourly data's midnight rows were written '2024-01-10' between '2024-01-09 23:00:00' and '2024-01-10 01:00:00'
    # (predictions.csv, run.json): pd.read_csv(..., parse_dates=["date"]) then left the column as text; data first too
    p = tmp_path / "hourly.csv"
    idx = pd.date_range("2024-01-01", "2024-01-10 02:00", freq="h")
    pd.DataFrame({"time": idx.strftime("%Y-%m-%d %H:%M"), "y": np.sin(np.arange(len(idx)) / 4) + 2}).to_csv(p, index=False)
    assert_ok(invoke("backtest", p, "--models", "naive", "--horizon", 6, "--windows", 2, "--out", tmp_path / "run"))
    every = pd.read_csv(tmp_path / "run" / "predictions.csv", parse_dates=["date"])
    assert list(every["date"]) == list(idx[-12:])
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert [r["date"] for r in run["predictions"]][9] == "2024-01-10 00:00:00"
    assert (run["data"]["first"], run["data"]["last"]) == ("2024-01-01 00:00:00", "2024-01-10 02:00:00")


def test_backtest_notes_mase_scaled_with_season_1(tmp_path):
    # 60 weekly values, horizon 4, 2 origins: training parts of 52 and 56 values against a season of 52;
    # the 52-value part has no seasonal naive error, and its MASE is scaled by naive's (said in a note)
    p = tmp_path / "weekly.csv"
    pd.DataFrame({"date": pd.date_range("2024-01-07", periods=60, freq="W").strftime("%Y-%m-%d"),
                  "y": np.arange(60.0) + np.sin(np.arange(60))}).to_csv(p, index=False)
    r = invoke("backtest", p, "--models", "naive", "--horizon", 4, "--windows", 2, "--out", tmp_path / "run")
    assert_ok(r)
    assert "1 of 2 training parts (52 values) are not longer than the season 52" in r.stderr
    run = json.loads((tmp_path / "run" / "run.json").read_text())  # and in the report, as fit's note is
    assert any("1 of 2 training parts (52 values)" in v for v in run["verdict"])
    r = invoke("backtest", p, "--models", "naive", "--horizon", 4, "--windows", 2, "--season", 4)
    assert_ok(r)
    assert "season 1" not in r.stderr


def test_backtest_reads_the_columns_fit_reads(tmp_path):
    p = tmp_path / "two.csv"
    y = panel()["b"]
    pd.DataFrame({"year": np.arange(1900, 1900 + N), "y": y, "other": y * 2}).to_csv(p, index=False)
    r = invoke("backtest", p, "--column", "y", "--models", "naive,drift", "--horizon", 4, "--windows", 2, "--json")
    assert_ok(r)
    by_col = {row["model"]: row["mase"] for row in json.loads(r.stdout)}
    r = invoke("backtest", p, "--column", "other", "--models", "naive,drift", "--horizon", 4, "--windows", 2, "--json")
    assert_ok(r)
    assert {row["model"]: row["mase"] for row in json.loads(r.stdout)} == pytest.approx(by_col)  # MASE is scale-free
    assert "neural" not in r.stderr  # no neural model asked for: no neural configuration printed


def test_backtest_help_example_measures_its_levels(tmp_path):
    """The --help example's --levels gives a finite coverage on its one series (with --windows 3 it could only
    print n/a: an 80% band needs 5 origins); run with the baselines only, to stay fast."""
    r = invoke("backtest", "--help")
    assert_ok(r)
    lines = r.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if "Example:" in line)
    end = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
    example = " ".join(lines[first:end]).split("seqcast backtest", 1)[1].split()  # wrapped at the terminal's width
    example[example.index("--models") + 1] = "snaive"
    args = [a for a in example if a != "--report"]
    r = invoke("backtest", *args, "--json")
    assert_ok(r)
    row = json.loads(r.stdout)[0]
    levels = [k for k in row if k.startswith("coverage_") and not k.startswith("coverage_n_")]
    assert levels and all(row[k] is not None for k in levels), row


def test_backtest_table_shows_coverage_columns(long_csv):
    r = invoke("backtest", long_csv, "--models", "naive,snaive", "--horizon", H, "--windows", 3, "--levels", "80,95")
    assert_ok(r)
    assert "cov 80%" in r.stdout and "cov 95%" in r.stdout
    assert "(80% needs 4, 95% needs 19)" in " ".join(r.stdout.split())


def test_backtest_coverage_note_names_the_levels_asked_for(long_csv):  # it said "80% needs 4 ..., 95% needs 19" for any levels
    r = invoke("backtest", long_csv, "--models", "naive", "--horizon", H, "--windows", 3, "--levels", "50,90")
    assert_ok(r)
    assert "(50% needs 1, 90% needs 9)" in " ".join(r.stdout.split()) and "95%" not in r.stdout


def test_backtest_coverage_note_explains_n_a_only_when_the_table_shows_it():
    # every coverage finite, and the note still explained "n/a: too few calibration residuals ..."
    r = invoke("backtest", "airline", "--models", "snaive", "--windows", 5, "--levels", 80)
    assert_ok(r)
    note = " ".join(r.stdout.split()).split("cov N%:")[1]
    assert "n/a" not in r.stdout and "percent of the test values inside the N% conformal interval" in note


def test_backtest_run_dates_span_every_series(tmp_path):  # run.json showed the first series' dates only
    spans = {"a": ("2001-01-01", 30), "b": ("2000-03-01", 40), "c": ("2002-01-01", 28)}  # b starts first, c ends last
    rows = [(u, f"{d:%Y-%m-%d}", float(i % 7)) for u, (start, n) in spans.items()
            for i, d in enumerate(pd.date_range(start, periods=n, freq="MS"))]
    p = tmp_path / "spans.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).to_csv(p, index=False)
    r = invoke("backtest", p, "--models", "naive", "--horizon", 3, "--windows", 2, "--out", tmp_path / "run", "-q")
    assert_ok(r)
    data = json.loads((tmp_path / "run" / "run.json").read_text())["data"]
    assert (data["first"], data["last"]) == ("2000-03-01", "2004-04-01")
    assert (data["length_min"], data["length_max"]) == (28, 40)


def test_backtest_run_directory(backtest_run, long_csv):
    rows, out = backtest_run
    assert {p.name for p in out.iterdir()} == {"run.json", "report.html", "errors_by_step.png", "series_grid.png",
                                               "predictions.csv", "series_scores.csv"}
    run = json.loads((out / "run.json").read_text())
    # run.json keeps 200 rows; the CLI wrote no file with all of them, nor any per-series score
    every = pd.read_csv(out / "predictions.csv")
    assert len(every) == run["predictions_total"] == 3 * int(W) * int(H)
    pd.testing.assert_frame_equal(every.head(len(run["predictions"])), pd.DataFrame(run["predictions"]), check_dtype=False)
    scores = pd.read_csv(out / "series_scores.csv")
    assert list(scores.columns) == ["series", "model", "mase", "smape", "rmse", "mae", "rmsse", "mape"] and len(scores) == 3 * 3
    for r in run["leaderboard"]:  # every series has W origins: the mean of the series' MASE is the pooled MASE
        assert np.isclose(scores.loc[scores.model == r["model"], "mase"].mean(), r["mase"], rtol=1e-9)
    rmse = np.sqrt(((every["truth"] - every["naive"]) ** 2).groupby(every["series"]).mean())  # by hand, from the rows
    np.testing.assert_allclose(scores[scores.model == "naive"].set_index("series")["rmse"].loc[rmse.index], rmse.to_numpy())
    assert "every row is in predictions.csv and each series' scores in series_scores.csv" in (out / "report.html").read_text()
    assert run["command"].startswith("seqcast backtest ") and "--levels 80" in run["command"]
    assert run["seqcast_version"] and run["seed"] == 0
    assert run["cwd"] == str(Path.cwd())  # the command's relative paths are relative to it
    from html import escape

    assert escape(run["cwd"]) in (out / "report.html").read_text()  # shown under Reproduce
    assert run["data"]["n_series"] == 3 and run["data"]["freq"] == "MS" and run["data"]["leaks"] is False
    import hashlib  # the data file as it was read, to check a re-run against

    assert run["data"]["sha256"] == hashlib.sha256(Path(long_csv).read_bytes()).hexdigest()
    assert [r["model"] for r in run["leaderboard"]] == [r["model"] for r in rows]
    assert {(c["model"], c["level"]) for c in run["coverage"]} == {(m, "80") for m in ("gru", "naive", "snaive")}
    assert [f["file"] for f in run["figures"]] == ["errors_by_step.png", "series_grid.png"]
    for f in run["figures"]:
        assert (out / f["file"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run["predictions"][0].keys() >= {"series", "origin", "step", "date", "truth", "gru", "naive", "snaive"}
    assert run["history"]["loss"] and run["config"]["epochs"] == 2 and run["config"]["ensemble"] == 1
    assert run["config"]["window"] >= 2  # the auto-config choices are recorded
    html = (out / "report.html").read_text()
    assert sections(html)[:2] == ["data", "leaderboard"] and "coverage" in sections(html)
    assert not list(out.parent.glob(".bt-run.*"))  # no temp folder left


def test_seqcast_report_on_a_backtest_run(backtest_run, tmp_path):
    _, out = backtest_run
    r = invoke("report", out, "--out", tmp_path / "r.html")
    assert_ok(r)
    html = (tmp_path / "r.html").read_text()
    assert 'id="leaderboard"' in html and "gru" in html and "data:image/png;base64," in html


def test_backtest_report_replaces_an_earlier_run_and_survives_a_failure(long_csv, tmp_path, monkeypatch):
    out = tmp_path / "run"
    args = ["backtest", long_csv, "--models", "naive,snaive", "--horizon", H, "--windows", W, "-q"]
    assert_ok(invoke(*args, "--out", out))
    first = snapshot(out)
    assert_ok(invoke(*args, "--levels", 80, "--out", out))  # an earlier run directory is replaced
    assert "coverage" in json.loads((out / "run.json").read_text())
    second = snapshot(out)
    assert second != first

    import seqcast.report

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(seqcast.report, "plot_series_grid", boom)
    assert_error(invoke(*args, "--out", out), "No space left")
    assert snapshot(out) == second  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temp folder left behind


def test_backtest_out_refused_before_any_work(long_csv, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    assert_error(invoke("backtest", long_csv, "--models", "naive", "--horizon", H, "--out", f), "exists and is a file")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    assert_error(invoke("backtest", long_csv, "--models", "naive", "--horizon", H, "--out", tmp_path / "mine"), "holds no seqcast run")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep" and f.read_text() == "x"


def test_backtest_keeps_files_a_user_put_in_its_run_directory(long_csv, tmp_path):
    # a run directory is replaced as a whole: a re-run deleted the notes (or a nested run, --out run/sub) put in it
    out = tmp_path / "run"
    args = ["backtest", long_csv, "--models", "naive", "--horizon", H, "--windows", W, "-q", "--out"]
    assert_ok(invoke(*args, out))
    (out / "notes.md").write_text("why this run")
    assert_ok(invoke(*args, out / "sub"))
    before = snapshot(out)
    assert_error(invoke(*args, out), f"'{out}' holds a seqcast run (run.json) and also '{out / 'notes.md'}', '{out / 'sub'}'",
                 "move them elsewhere")
    assert snapshot(out) == before
    (out / "notes.md").unlink()
    shutil.rmtree(out / "sub")
    (out / ".DS_Store").write_text("")  # a file browser's: replaced with the folder
    assert_ok(invoke(*args, out))
    assert sorted(p.name for p in out.iterdir()) == ["errors_by_step.png", "predictions.csv", "report.html", "run.json",
                                                     "series_grid.png", "series_scores.csv"]


# ---- errors --------------------------------------------------------------------------------------------


def _bad_long(tmp_path, kind: str) -> Path:
    df = long_frame()
    if kind == "duplicate":
        df = pd.concat([df, df.iloc[[5]]])
    elif kind == "text":
        df["y"] = df["y"].astype(object)
        df.loc[7, "y"] = "n/a?"
    elif kind == "no-y":
        df = df[["unique_id", "ds"]]
    p = tmp_path / f"{kind}.csv"
    df.to_csv(p, index=False)
    return p


@pytest.mark.parametrize(
    "kind, extra, needles",
    [
        ("missing", [], ["no file or built-in dataset"]),
        ("ok", ["--models", "gru,prophet"], ["`models` must be", "prophet"]),
        ("ok", ["--horizon", 0], ["`horizon` must be", "horizon=0"]),
        ("ok", ["--horizon", 12, "--windows", 4], ["has 40 values", "needs at least"]),
        ("duplicate", [], ["twice"]),
        ("text", [], ["n/a?", "not a number"]),
        ("no-y", [], ["no column 'y'"]),
        ("ok", ["--levels", 120], ["`levels` must be in [1, 100)"]),
        ("ok", ["--levels", 80, "--windows", 1], ["--windows >= 2", "windows=1"]),
        ("ok", ["--levels", "80,eighty"], ["`levels` must be numbers"]),
    ],
)
def test_backtest_errors(kind, extra, needles, long_csv, tmp_path):
    data = {"missing": tmp_path / "nope.csv", "ok": long_csv}.get(kind) or _bad_long(tmp_path, kind)
    args = ["backtest", data, "--models", "naive,snaive", "--horizon", H, "--windows", 2, "--json", *extra]
    assert_error(invoke(*args), *needles)


def test_benchmark_errors():
    assert_error(invoke("benchmark", "tourism-weekly", "--models", "naive"), "tourism-weekly")
    assert_error(invoke("benchmark", "tourism-quarterly", "--models", "naive,nope"), "`models` must be")
    assert_error(invoke("benchmark", "tourism-quarterly", "--models", "naive", "--levels", 120), "`levels` must be in [1, 100)")


# ---- benchmark -----------------------------------------------------------------------------------------


def test_benchmark_tourism_quarterly(tmp_path):
    from seqcast import datasets

    comp = datasets.competition("tourism-quarterly")
    assert len(comp.train) == 427
    out = tmp_path / "bm"
    r = invoke("benchmark", "tourism-quarterly", "--models", "snaive,naive", "--json", "--levels", 80, "--out", out)
    assert_ok(r)
    rows = {row["model"]: row for row in json.loads(r.stdout)}
    assert set(rows) == {"snaive", "naive"}
    for row in rows.values():
        assert KEYS | {"coverage_80"} <= set(row) and np.isfinite(row["mase"]) and row["mase"] > 0
        assert 0 <= row["coverage_80"] <= 100
    # snaive's MASE by hand over all 427 series: mean of per-series MAE / in-sample seasonal naive MAE
    h, m, per = comp.horizon, comp.season, []
    for k, train in comp.train.items():
        fc = np.array([train[len(train) - m + j % m] for j in range(h)])
        scale = np.mean(np.abs(train[m:] - train[:-m]))
        if scale > 0:
            per.append(np.mean(np.abs(comp.test[k] - fc)) / scale)
    assert rows["snaive"]["mase"] == pytest.approx(np.mean(per), rel=1e-9)
    run = json.loads((out / "run.json").read_text())
    assert run["data"]["n_series"] == 427 and run["data"]["name"] == "tourism-quarterly"
    assert {f["file"] for f in run["figures"]} == {"errors_by_step.png", "series_grid.png"}
    assert len(run["predictions"]) == 200 and "coverage" in sections((out / "report.html").read_text())


# ---- reproduce airline-honest --------------------------------------------------------------------------


def test_reproduce_airline_honest_json_and_report(tmp_path):
    out = tmp_path / "ah"
    r = invoke("reproduce", "airline-honest", "--seeds", 1, "--epochs", 2, "--json", "--out", out)
    assert_ok(r)
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    res = json.loads(lines[0])
    assert {"rmse_per_seed", "rmse_mean", "mape_mean", "config", "baselines"} <= set(res)
    assert "predictions" not in res and "history" not in res
    assert len(res["rmse_per_seed"]) == 1 and res["rmse_mean"] == res["rmse_per_seed"][0] and np.isfinite(res["rmse_mean"])
    assert res["config"]["epochs"] == 2 and res["config"]["model"] == "gru"
    assert {"naive", "snaive"} <= set(res["baselines"])
    run = json.loads((out / "run.json").read_text())
    assert len(run["predictions"]) == 27 and run["history"]["loss"] and run["data"]["leaks"] is False
    assert run["command"] == f"seqcast reproduce airline-honest --seeds 1 --epochs 2 --out {out} --json"
    assert sections((out / "report.html").read_text())[:3] == ["data", "leaderboard", "forecast"]


def test_reproduce_airline_honest_quiet_prints_nothing():
    # --quiet printed the whole table, the per-seed line and the verdict (--json returned before them, -q did not)
    r = invoke("reproduce", "airline-honest", "--seeds", 1, "--epochs", 1, "-q")
    assert_ok(r)
    assert r.output == ""


def test_column_digits_name_a_column_before_they_index_one(tmp_path):
    def mae(path, column):
        r = invoke("backtest", path, "--column", column, "--models", "naive", "--horizon", 3, "--windows", 2, "--json")
        assert_ok(r)
        return json.loads(r.stdout)[0]["mae"]

    p = tmp_path / "named.csv"  # column '2' (position 1) steps by 1 a year, column '1' (position 2) by 10
    p.write_text("date,2,1\n" + "".join(f"{1900 + i}-01-01,{i},{10 * i}\n" for i in range(N)))
    assert mae(p, "1") == pytest.approx(10 * mae(p, "2"))  # the column named '1', not position 1
    p2 = tmp_path / "plain.csv"  # no column named '2': position 2
    p2.write_text("date,a,b\n" + "".join(f"{1900 + i}-01-01,{i},{10 * i}\n" for i in range(N)))
    assert mae(p2, "2") == pytest.approx(10 * mae(p2, "1"))


def test_backtest_ids_picks_series(long_csv):
    r = invoke("backtest", long_csv, "--models", "naive", "--horizon", H, "--windows", 2, "--ids", "c,a")
    assert_ok(r)
    assert r.stderr.startswith("2 series, horizon")
    assert_error(invoke("backtest", long_csv, "--models", "naive", "--ids", "a,zz"), "`ids` must be ids of series in the data",
                 "Received: 'zz'")
    assert_error(invoke("backtest", long_csv, "--models", "naive", "--ids", "a,,b"), "`ids` must be comma-separated series ids")


def test_backtest_grid_draws_the_widest_finite_interval(tmp_path):
    """One series: the 95% width stays infinite below 20 origins, so the grid draws the 80% band, and says
    so; with too few origins for any finite band it says that instead of naming a band it cannot draw."""
    for windows, needle in ((8, "; 80% conformal interval"), (3, "; no finite interval: too few earlier origins")):
        out = tmp_path / f"bt{windows}"
        assert_ok(invoke("backtest", "airline", "--models", "naive,snaive", "--horizon", 6, "--windows", windows, "--step", 3,
                         "--levels", "80,95", "--out", out, "-q"))
        fig = json.loads((out / "run.json").read_text())["figures"][1]
        grid = fig["caption"]
        assert needle in grid, grid
        # one series: the report titled it "First, worst and best series", the caption "worst and best by ..."
        assert fig["title"] == "First series" and "worst" not in grid and "best" not in grid


def test_widest_finite_level_and_model_colours():
    from seqcast.report import model_colors
    from seqcast.runs import widest_finite

    assert widest_finite({80: [1.0, 2.0], 95: [1.0, np.inf]}) == 80 and widest_finite({95: [np.inf]}) is None
    colors = model_colors(["GRU", "naive", "snaive", "linear_ar"])
    assert len(set(colors.values())) == 4 and "tab:red" not in colors.values() and colors["GRU"] == "tab:blue"


def test_a_report_says_when_run_json_kept_only_the_first_predictions(tmp_path):
    out = tmp_path / "bt"
    assert_ok(invoke("backtest", "airline", "--models", "naive", "--horizon", 12, "--windows", 20, "--step", 3, "--out", out, "-q"))
    run = json.loads((out / "run.json").read_text())
    assert len(run["predictions"]) == 200 and run["predictions_total"] == 240 == len(pd.read_csv(out / "predictions.csv"))
    assert "Showing the first 200 of 240 rows; every row is in predictions.csv" in (out / "report.html").read_text()


def test_a_reports_training_section_says_which_fit_it_shows(tmp_path):
    out = tmp_path / "bt"
    assert_ok(invoke("backtest", "airline", "--models", "gru,naive", "--horizon", 6, "--windows", 2, "--epochs", 2, "--ensemble", 2,
                     "--out", out, "-q"))
    of = json.loads((out / "run.json").read_text())["history"]["of"]
    assert of == "gru, its fit at the last origin; losses are the mean of its 2 members"
    assert f"<th>fit</th><td>{of}" in (out / "report.html").read_text()


def test_a_backtest_run_directory_reuses_the_printed_leaderboard_and_verdicts(long_csv, tmp_path, monkeypatch):
    # each MASE ratio is a 2000-draw bootstrap (0.4 s on 10k series): the run directory took them again
    from seqcast.backtest import Result

    calls = []
    real = Result.mase_ratio
    monkeypatch.setattr(Result, "mase_ratio", lambda self, *a, **k: calls.append(a) or real(self, *a, **k))
    out = tmp_path / "run"
    r = invoke("backtest", long_csv, "--models", "linear,naive,snaive", "--horizon", H, "--windows", W, "--epochs", 1,
               "--ensemble", 1, "--out", out)
    assert_ok(r)
    assert len(calls) == 3 + 1  # one per leaderboard row, one for the neural model's verdict
    run = json.loads((out / "run.json").read_text())
    assert [v for v in run["verdict"] if v.startswith("verdict:")] == [line for line in r.stdout.splitlines() if line.startswith("verdict:")]
    assert [row["model"] for row in run["leaderboard"]] == [line.split()[1] for line in r.stdout.splitlines() if line.startswith("│")]


def test_backtest_says_when_snaive_is_the_naive_forecast(tmp_path):
    # BJsales (150 values, no dates): its snaive row was naive's to the last digit, without a word (fit's holdout says why)
    y = 200 + np.cumsum(np.sin(np.arange(40.0)))
    (tmp_path / "undated.csv").write_text("sales\n" + "".join(f"{v}\n" for v in y))
    (tmp_path / "yearly.csv").write_text("year,sales\n" + "".join(f"{1950 + i},{v}\n" for i, v in enumerate(y)))
    # yearly data's example was "--season 12 for monthly values" (sunspots' cycle is ~11 years): a cycle in its steps
    for name, why, example in (("undated.csv", "the data has no dates to imply one", "e.g. --season 12 for monthly values"),
                               ("yearly.csv", "the frequency 'YS-JAN' implies none", "the length of a cycle in steps of the data")):
        r = invoke("backtest", tmp_path / name, "--models", "naive,snaive", "--horizon", 4, "--windows", 2, "--json",
                   "--out", tmp_path / name.replace(".csv", ""))
        assert_ok(r)
        rows = {row["model"]: row for row in json.loads(r.stdout)}
        assert rows["snaive"]["mase"] == rows["naive"]["mase"]
        note = f"note: snaive is the naive forecast here: season 1 ({why}); pass --season ({example})"
        assert note in r.stderr
        run = json.loads((tmp_path / name.replace(".csv", "") / "run.json").read_text())
        assert note in run["verdict"]  # in the report too
    for extra in (["--season", 4], ["--season", 1], []):  # a season, one asked for, or no snaive: nothing to say
        models = "naive,snaive" if extra else "naive,drift"
        r = invoke("backtest", tmp_path / "undated.csv", "--models", models, "--horizon", 4, "--windows", 2, *extra)
        assert_ok(r)
        assert "snaive is the naive" not in r.stderr


def test_sub_daily_data_spanning_weeks_says_a_weekly_season_may_matter(tmp_path):
    # half-hourly electricity demand: the daily season (48) made seasonal naive and MASE daily, and the verdict "beats
    # the best baseline" held only against daily baselines (weekly seasonal naive: RMSE 489 against 3144 a day ahead)
    idx = pd.date_range("2000-06-05", periods=700, freq="30min")
    t = np.arange(700)
    path = tmp_path / "hh.csv"
    pd.DataFrame({"date": idx, "y": 1000 + 100 * np.sin(2 * np.pi * t / 48) + 50 * (idx.dayofweek >= 5)}).to_csv(path, index=False)
    note = ("note: the season is a day (48 steps of 30min); the data also spans weeks, whose season (336 steps) may matter "
            "more: pass --season 336 to compare with weekly seasonal naive and MASE")
    r = invoke("backtest", path, "--models", "snaive,naive", "--windows", 2, "--out", tmp_path / "run")
    assert r.exit_code == 0, r.output
    assert note in r.stderr and note in json.loads((tmp_path / "run" / "run.json").read_text())["verdict"]
    for args in (["--season", 336], ["--season", 48]):  # asked for: nothing to say
        r = invoke("backtest", path, "--models", "snaive,naive", "--windows", 2, *args)
        assert r.exit_code == 0 and "weeks" not in r.stderr
    r = invoke("fit", path, "--out", tmp_path / "m", "--epochs", 1, "--units", 4, "--ensemble", 1, "--no-report")  # fit's holdout too
    assert r.exit_code == 0 and note in r.stdout
    short = tmp_path / "short.csv"  # under two weeks: a weekly season could not be learned or scored
    pd.read_csv(path).head(600).to_csv(short, index=False)
    assert "weeks" not in invoke("backtest", short, "--models", "snaive,naive", "--windows", 2).stderr


def test_business_hours_spanning_weeks_say_a_weekly_season_may_matter_too(tmp_path):
    # Bug: business-hour data got a day's season (8 of 09:00-17:00) but not the README's note for sub-daily data spanning
    # weeks: a business hour has no fixed length (pd.Timedelta('bh') fails), so the note gave up; a week is 5 such days
    idx = pd.date_range("2024-01-01 09:00", periods=240, freq="bh")  # 6 weeks
    path = tmp_path / "bh.csv"
    pd.DataFrame({"t": idx.strftime("%Y-%m-%d %H:%M"), "y": 10 + np.sin(np.arange(240) * np.pi / 4)}).to_csv(path, index=False)
    r = invoke("backtest", path, "--models", "snaive,naive", "--horizon", 8, "--windows", 2)
    assert r.exit_code == 0, r.output
    assert ("note: the season is a day (8 steps of bh); the data also spans weeks, whose season (40 steps) may matter "
            "more: pass --season 40") in r.stderr
    pd.read_csv(path).head(79).to_csv(path, index=False)  # under two weeks of 5 business days
    r = invoke("backtest", path, "--models", "snaive,naive", "--horizon", 8, "--windows", 2)
    assert r.exit_code == 0 and "weeks" not in r.stderr
