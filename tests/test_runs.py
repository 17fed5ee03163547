"""Tests for seqcast.runs' helpers that the run directory tests (test_cli, test_cli_eval) do not reach."""

from __future__ import annotations

import json
import shlex

from typer.testing import CliRunner

from seqcast import runs
from seqcast.cli import app

WIN_PARTS = ["seqcast", "fit", r"C:\data\sales.csv", "--out", r"C:\My Models\a"]


def test_shell_join_quotes_for_the_platforms_shell(monkeypatch):
    # run.json's command and the CLI's next-step hints used POSIX quoting on Windows too: 'C:\data\sales.csv',
    # whose single quotes cmd.exe passes on as part of the path
    monkeypatch.setattr(runs, "WINDOWS", True)
    assert runs.shell_join(WIN_PARTS) == r'seqcast fit C:\data\sales.csv --out "C:\My Models\a"'
    monkeypatch.setattr(runs, "WINDOWS", False)
    assert runs.shell_join(WIN_PARTS) == shlex.join(WIN_PARTS)
    assert shlex.split(runs.shell_join(["seqcast", "fit", "my data.csv", "it's"])) == ["seqcast", "fit", "my data.csv", "it's"]


def test_shell_join_on_windows_quotes_what_cmd_and_powershell_act_on(monkeypatch):
    # list2cmdline quotes blanks only: C:\R&D\sales.csv pasted into cmd.exe ran `D\sales.csv` as a command, and
    # PowerShell refuses a bare & and reads 80,95 as an array
    monkeypatch.setattr(runs, "WINDOWS", True)
    assert runs.shell_join(["seqcast", "fit", r"C:\R&D\sales.csv", "--levels", "80,95", "--out", "C:\\R&D\\m\\"]) == \
        r'seqcast fit "C:\R&D\sales.csv" --levels "80,95" --out "C:\R&D\m\\"'  # a backslash before the closing quote doubled
    assert runs.shell_join([r"C:\data\x.csv", ""]) == r'C:\data\x.csv ""'


def test_run_json_command_on_windows(monkeypatch, tmp_path):
    monkeypatch.setattr(runs, "WINDOWS", True)
    out = tmp_path / "my run"
    r = CliRunner().invoke(app, ["backtest", "airline", "--models", "naive,snaive", "--horizon", "3", "--windows", "2", "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    command = json.loads((out / "run.json").read_text(encoding="utf-8"))["command"]
    assert command.startswith("seqcast backtest airline ") and f'--out "{out}"' in command


def test_file_facts_tell_whether_the_data_file_changed_since(tmp_path):
    # run.json named the data file and its dates, nothing of its content: a re-run of the recorded command on a
    # revised file (a value corrected, same dates) gave other numbers, and nothing could tell why
    import hashlib

    f = tmp_path / "sales.csv"
    f.write_text("date,y\n2020-01-01,1\n2020-02-01,2\n")
    facts = runs.file_facts(str(f))
    assert facts == {"bytes": f.stat().st_size, "sha256": hashlib.sha256(f.read_bytes()).hexdigest()}
    f.write_text("date,y\n2020-01-01,1\n2020-02-01,3\n")  # one value revised: same size, same dates
    assert runs.file_facts(f)["sha256"] != facts["sha256"]
    assert runs.file_facts("airline") == {} and runs.file_facts(tmp_path / "absent.csv") == {}  # a built-in dataset: no file
    (tmp_path / "airline").write_text("x")  # the built-in name wins over a file of that name (datasets.load reads it)
    assert runs.file_facts("airline") == {}


def test_run_json_records_the_libraries_and_the_machine_that_computed_it(tmp_path):
    # run.json held seqcast's version only: a re-run after `pip install -U jax` (another XLA), or on one core (an
    # ensemble's members vmapped, not in threads), differed in the last digits, and nothing said what had changed
    from importlib.metadata import version as _v

    import jax

    from seqcast.train import usable_cores

    env = runs.environment()
    assert {k: env[k] for k in ("numpy", "jax", "jaxlib")} == {k: _v(k) for k in ("numpy", "jax", "jaxlib")}
    assert env["backend"] == jax.default_backend() and env["cores"] == usable_cores() and env["python"].count(".") == 2
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["backtest", "airline", "--models", "naive,snaive", "--horizon", "3", "--windows", "2", "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["environment"]["jax"] == _v("jax")
    assert f"jax {_v('jax')}, jaxlib {_v('jaxlib')}" in (out / "report.html").read_text(encoding="utf-8")  # under Reproduce


def _backtest_of(index_of: dict, h: int = 3, windows: int = 2, step: int = 2):
    """(result, series) of naive / snaive backtests on series of the given indexes (their own lengths)."""
    import numpy as np
    import pandas as pd

    from seqcast.backtest import backtest

    rng = np.random.default_rng(0)
    series = {k: pd.Series(rng.normal(10, 2, len(ix)), index=ix) for k, ix in index_of.items()}
    res = backtest({k: s.to_numpy() for k, s in series.items()}, ["naive", "snaive"], h=h, n_windows=windows, step=step, season=2)
    res.dates = [s.index for s in series.values()]  # as the CLI gives them (its values go bare, their dates checked at loading)
    return res, series


def _prediction_rows(res, series: dict, h: int, windows: int, step: int) -> list[dict]:
    """The rows the frame must hold, one by one (what runs.backtest_predictions built before the frame)."""
    import pandas as pd

    from seqcast.backtest import cuts

    out, S = [], len(series)
    for i, (k, y) in enumerate(series.items()):  # series-major, so one series' origins come together
        plan = cuts(len(y), h, windows, step)
        for o in range(windows):
            r = o * S + i
            for j in range(h):
                when = y.index[plan[o] + j]
                row = {"series": k, "origin": o, "step": j + 1,
                       "date": runs._date_text(when, runs._days_only(y.index)) if isinstance(when, pd.Timestamp) else int(when),
                       "truth": res.truth[r, j]}
                out.append({**row, **{m: f[r, j] for m, f in res.forecasts.items()}})
    return out


def test_the_backtest_prediction_frame_is_the_prediction_rows_built_by_columns():
    import pandas as pd

    days = pd.date_range("2021-01-01", periods=12, freq="D", name="ds")
    cases = [  # a panel on shared dates (one of other lengths), hourly local times, midnight UTC, integer steps, int ids
        {"a": days, "b": days, "c": days[:9], "d": pd.date_range("2020-12-30", periods=14, freq="D")},
        {"x": pd.date_range("2024-10-26 22:00", periods=10, freq="h", tz="Europe/Paris"), "y": days.tz_localize("UTC")},
        {1: pd.RangeIndex(5, 17), 2: pd.RangeIndex(0, 10)},
        {"noon": days[:1].append(pd.DatetimeIndex(["2021-01-02 12:00"])).append(days[2:]), "days": days},  # per series
    ]
    for index_of in cases:
        res, series = _backtest_of(index_of)
        rows = _prediction_rows(res, series, 3, 2, 2)
        frame = runs.backtest_prediction_frame(res)
        pd.testing.assert_frame_equal(frame, pd.DataFrame(rows), check_exact=True)
        assert frame.to_csv(index=False) == pd.DataFrame(rows).to_csv(index=False)
        assert frame.head(5).to_dict("records") == rows[:5]  # run.json's first rows


def test_a_series_that_is_first_and_worst_says_both(tmp_path, monkeypatch):
    # of 3 series the first was also the worst: its panel read "(first, MASE 1.85)" and the grid was titled "First and
    # best series", as if the worst were not shown
    from types import SimpleNamespace

    def res(mase: dict):
        return SimpleNamespace(scores=lambda model: {"per_series": {k: {"mase": v} for k, v in mase.items()}})

    three = res({"a": 1.85, "b": 0.71, "c": 1.2})
    assert runs.pick_series(three, "gru", ["a", "b", "c"])[0] == [("first, worst", "a"), ("best", "b")]
    assert runs.pick_series(res({"a": 1.0, "b": 1.1, "c": 0.9}), "gru", ["a", "b", "c"])[0] == \
        [("first", "a"), ("worst", "b"), ("best", "c")]  # three apart, as before
    assert runs.pick_series(res({"a": 0.9, "b": 1.1}), "gru", ["a", "b"])[0] == [("first, best", "a"), ("worst", "b")]
    assert runs.pick_series(res({"a": 0.9}), "gru", ["a"])[0] == [("first", "a")]  # one series: neither worst nor best
    monkeypatch.setattr("seqcast.report.plot_series_grid", lambda *a, **k: None)
    items = [{"label": "first, worst"}, {"label": "best"}]
    fig = runs.grid_figure(items, tmp_path, "gru: last origin", "history", "gru's MASE")
    assert fig["title"] == "First, worst and best series" and fig["caption"] == "history; worst and best by gru's MASE"


def test_prediction_rows_keep_positions_as_integers():
    # fit on data without dates wrote run.json's predictions with "date": "49" (text), while a backtest's run.json and
    # fit's own data first / last hold the positions as numbers
    import numpy as np
    import pandas as pd

    rows = runs.prediction_rows(pd.RangeIndex(49, 51), np.array([1.0, 2.0]), {"naive": np.array([0.0, 1.0])})
    assert [r["date"] for r in runs.clean(rows)] == [49, 50]


def test_fit_run_json_writes_a_series_dates_in_one_format():
    # hourly data from midnight: run.json's data said first '2024-10-01', last '2024-10-26 23:00:00+02:00', and its
    # predictions '2024-10-22' (no offset: 2 hours off as read) between '... 01:00:00+02:00' rows
    import numpy as np
    import pandas as pd

    idx = pd.date_range("2024-10-01", "2024-10-26 23:00", freq="h", tz="Europe/Paris")
    data = runs.series_data(pd.Series(np.ones(len(idx)), index=idx), "p", False, "none", 1, 1)
    assert (data["first"], data["last"]) == ("2024-10-01 00:00:00+02:00", "2024-10-26 23:00:00+02:00")
    rows = runs.prediction_rows(idx[-25:-23], np.array([1.0, 2.0]), {"naive": np.array([0.0, 1.0])})
    assert [r["date"] for r in rows] == ["2024-10-25 23:00:00+02:00", "2024-10-26 00:00:00+02:00"]
    days = pd.date_range("2024-01-01", periods=3, freq="D")  # all midnight, no zone: dates alone, as before
    assert runs.series_data(pd.Series(np.ones(3), index=days), "d", False, "none", 1, 1)["last"] == "2024-01-03"


def test_run_json_records_the_version_of_the_seqcast_that_ran(tmp_path, monkeypatch):
    # run.json's seqcast_version was the installed distribution's (importlib.metadata), model.json's the imported
    # package's: a checkout run through PYTHONPATH beside another installed seqcast recorded that other one's version
    import importlib.metadata

    import seqcast

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.9.9" if name == "seqcast" else real(name))
    out = tmp_path / "run"
    r = CliRunner().invoke(app, ["backtest", "airline", "--models", "naive", "--horizon", "3", "--windows", "2", "--out", str(out), "-q"])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["seqcast_version"] == seqcast.__version__ != "9.9.9"


def test_days_each_is_days_only_of_each_index_in_one_pass():
    # the CLI's backtest ran _days_only series by series (0.56 s for 2000 series); _days_each tells the same in one pass
    import pandas as pd

    days = pd.date_range("2021-01-01", periods=6, freq="D")
    noon = days[:2].append(pd.DatetimeIndex(["2021-01-03 12:00"]))
    hours = pd.date_range("2021-01-01", periods=30, freq="h")
    for group in ([days, noon, hours, days[2:]], [days.tz_localize("UTC"), hours.tz_localize("UTC")], [days]):
        assert runs._days_each(group).tolist() == [runs._days_only(ix) for ix in group]


def test_run_json_writes_korean_text_as_text(tmp_path):
    """run.json wrote a Korean file name, folder and command as \\ud56d\\uacf5... escapes: as the text, in UTF-8; a lone
    surrogate (an undecodable byte of a file name) as JSON's escape, which reads back the same."""
    out = runs.write_in_place(tmp_path, {"title": "seqcast fit: 항공승객.csv", "cwd": "/home/시계열", "name": "x\udcc7.csv"})
    text = (out / "run.json").read_bytes().decode("utf-8")
    assert '"seqcast fit: 항공승객.csv"' in text and '"/home/시계열"' in text and "\\ud56d" not in text
    assert json.loads(text)["name"] == "x\udcc7.csv"
