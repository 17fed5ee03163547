"""Tests for the `seqcast` command: round trip, one-line errors (exit 2, no traceback), nothing damaged.

Models are tiny (LSTM(4), window 6, 2 epochs, batch 16) on a 60-month synthetic series, and share
one compiled epoch with test_forecast and test_io.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqcast.cli import app
from seqcast.forecast import Forecaster

FAST = ["--units", "4", "--window", "6", "--epochs", "2", "--batch-size", "16", "-q"]
#: read_csv's options to read floats exactly: pandas 3 does by default (and warns that float_precision goes)
EXACT = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
from conftest import FAST as FAST_KW
from conftest import monthly

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output


def assert_error(result, *needles):
    """Exit code 2, exactly one line on stderr starting with `error:`, nothing on stdout, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- data ----------------------------------------------------------------------------------------------

DATES = pd.date_range("2000-01-01", periods=60, freq="MS")
VALUES = 100 + 2 * np.arange(60) + 10 * np.sin(2 * np.pi * np.arange(60) / 12)
LINES = ["date,y"] + [f"{d:%Y-%m-%d},{v:.4f}" for d, v in zip(DATES, VALUES)]  # LINES[i] is CSV line i+1


def write_csv(folder: Path, name: str, lines: list[str]) -> Path:
    p = folder / name
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def data_csv(work):
    return write_csv(work, "data.csv", LINES)


@pytest.fixture(scope="module")
def model_dir(work, data_csv):
    d = work / "model"
    assert_ok(invoke("fit", data_csv, "--out", d, *FAST))
    return d


# ---- round trip ----------------------------------------------------------------------------------------


def test_fit_then_predict_round_trip(model_dir, data_csv, work):
    assert (model_dir / "model.json").is_file() and (model_dir / "weights.safetensors").is_file()
    run = json.loads((model_dir / "run.json").read_text())  # fit writes its run record and report beside the model
    assert run["leaderboard"][0]["model"] and run["data"]["leaks"] is False and run["config"]["epochs"] == 2
    assert 'id="leaderboard"' in (model_dir / "report.html").read_text()
    import hashlib  # the data file as it was read, to check a re-run against (`sha256sum data.csv`)

    sha = hashlib.sha256(data_csv.read_bytes()).hexdigest()
    assert (run["data"]["sha256"], run["data"]["bytes"]) == (sha, data_csv.stat().st_size)
    assert sha in (model_dir / "report.html").read_text()
    tp = pd.read_csv(model_dir / "test_predictions.csv")
    assert list(tp.columns) == ["date", "truth", "GRU", "naive", "snaive", "linear_ar"]  # the default (auto) model
    assert len(tp) == 11  # 54 windows: 43 train, 11 test

    out = work / "f.csv"
    r = invoke("predict", model_dir, "--horizon", 5, "--out", out, "-q")
    assert_ok(r)
    text = out.read_text()
    assert text.splitlines()[0] == "date,forecast"
    fc = pd.read_csv(out, **EXACT)
    assert len(fc) == 5
    assert list(fc["date"]) == [f"{d:%Y-%m-%d}" for d in pd.date_range("2005-01-01", periods=5, freq="MS")]

    # the saved model, loaded in Python, forecasts exactly what the CSV says
    loaded = Forecaster.load(model_dir).forecast(5)
    np.testing.assert_array_equal(fc["forecast"].to_numpy(), loaded["forecast"].to_numpy())
    # and exactly what the same fit in Python gives (the CLI refits on all data, same seed), with the
    # default (auto) configuration chosen on the training part (the first 80% of the values) and the flags winning
    from seqcast import datasets
    from seqcast.config import Config
    from seqcast.honest import auto_for

    series = datasets.load(str(data_csv))
    cfg = auto_for([series.iloc[: len(series) - round(len(series) * 0.2)]], Config(), dict(FAST_KW))
    mine = Forecaster(cfg).fit(series).forecast(5)
    np.testing.assert_array_equal(loaded["forecast"].to_numpy(), mine["forecast"].to_numpy())


def test_fit_on_data_without_dates_writes_positions_as_numbers(work):
    # run.json's predictions held the positions as text ("date": "49") while its data first / last, and a backtest's
    # run.json, hold them as numbers: a script reading both met two types for one thing
    csv = write_csv(work, "positions.csv", ["y"] + [f"{v:.4f}" for v in VALUES])
    assert_ok(invoke("fit", csv, "--out", work / "m-positions", "--model", "gru", "--no-refit", *FAST))
    run = json.loads((work / "m-positions" / "run.json").read_text())
    assert [r["date"] for r in run["predictions"]] == list(range(49, 60)) and (run["data"]["first"], run["data"]["last"]) == (0, 59)


def test_predict_to_stdout_and_plot(model_dir, work):
    r = invoke("predict", model_dir, "--horizon", 3, "--plot", work / "p.png")
    assert_ok(r)
    lines = r.stdout.splitlines()
    assert lines[0] == "date,forecast" and len(lines) == 4 and lines[1].startswith("2005-01-01,")
    assert (work / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_predict_plot_of_a_model_fitted_without_dates_draws_its_last_window_at_its_positions(tmp_path, monkeypatch):
    # coverage: _context_index's steps (a model of undated data) were never run; the window ends one step before the forecast
    import seqcast.report

    drawn = {}
    monkeypatch.setattr(seqcast.report, "plot_forecast", lambda ctx, path, forecast, **kw: drawn.update(ctx=ctx, fc=forecast))
    csv = write_csv(tmp_path, "steps.csv", ["y"] + [f"{v:.4f}" for v in VALUES])
    assert_ok(invoke("fit", csv, "--out", tmp_path / "m", "--model", "gru", "--no-refit", *FAST))
    assert_ok(invoke("predict", tmp_path / "m", "--horizon", 3, "--plot", tmp_path / "p.png"))
    window = json.loads((tmp_path / "m" / "model.json").read_text())["config"]["window"]
    assert list(drawn["ctx"].index) == list(range(len(VALUES) - window, len(VALUES))) and list(drawn["fc"]["date"]) == [60, 61, 62]
    np.testing.assert_allclose(drawn["ctx"].to_numpy(), np.round(VALUES[-window:], 4))


def test_predict_plot_dates_the_last_window_in_the_data_time_zone():
    # predict --plot dated a Paris model's last window at the last date's offset (+02:00) all along: local midnights before
    # the end of summer time fell on 23:00 of the day before, and the axis took +02:00 for the forecast's winter hours too
    from seqcast import cli

    schema = {"freq": "D", "last": "2024-10-29T00:00:00+01:00", "tz": "Europe/Paris"}
    idx = cli._context_index(schema, np.zeros(5))
    assert str(idx.tz) == "Europe/Paris" and list(idx.strftime("%m-%d %H:%M")) == [f"10-{d} 00:00" for d in range(25, 30)]


# ---- predict --data: forecasting new data with a saved model -------------------------------------------

NEW_DATES = pd.date_range("2010-01-01", periods=30, freq="MS")  # any series of the kind: it need not continue the fitted one
NEW_LINES = ["price,y,date"] + [f"{3 * i},{110 + 3 * i + 5 * np.cos(i):.4f},{d:%Y-%m-%d}" for i, d in enumerate(NEW_DATES)]


def test_predict_data_forecasts_after_the_new_data(model_dir, tmp_path):
    from seqcast.data import load_series

    new = write_csv(tmp_path, "this_month.csv", NEW_LINES)  # columns reordered, one more numeric column: read by the fitted
    r = invoke("predict", model_dir, "--data", new, "--horizon", 4, "--out", tmp_path / "fc.csv",  # data's column names
               "--plot", tmp_path / "p.png")
    assert_ok(r)
    assert "wrote 4 forecasts after the end of" in r.stderr and "this_month.csv" in r.stderr
    fc = pd.read_csv(tmp_path / "fc.csv", **EXACT)
    assert list(fc["date"]) == [f"{d:%Y-%m-%d}" for d in pd.date_range("2012-07-01", periods=4, freq="MS")]
    mine = Forecaster.load(model_dir).forecast(4, y=load_series(new, column="y"))
    np.testing.assert_array_equal(fc["forecast"].to_numpy(), mine["forecast"].to_numpy())
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = invoke("predict", model_dir, "--data", new, "--horizon", 4, "--column", "price")  # a flag wins over the saved name
    assert_ok(r)
    other = Forecaster.load(model_dir).forecast(4, y=load_series(new, column="price"))
    np.testing.assert_allclose(pd.read_csv(io.StringIO(r.stdout))["forecast"], other["forecast"], rtol=1e-12)


def test_fit_draws_the_forecast_beside_the_test_predictions(tmp_path, data_csv, monkeypatch):
    """fit's test plot (and its report) showed the test part only: the forecast of the future, with the intervals fit
    calibrated, was nowhere to be seen until `predict --plot`. It is drawn as predict gives it; infinite levels are not."""
    import seqcast.report as report

    drawn = []
    real = report.plot_forecast
    monkeypatch.setattr(report, "plot_forecast", lambda *a, **kw: drawn.append(kw) or real(*a, **kw))
    d = tmp_path / "m"
    assert_ok(invoke("fit", data_csv, "--out", d, *FAST, "--levels", "80,99.9", "--horizon", 3))
    (kw,) = drawn
    fc = Forecaster.load(d).forecast(3)
    np.testing.assert_array_equal(kw["forecast"]["forecast"], fc["forecast"])
    assert list(kw["bands"]) == [80.0]  # 99.9% is infinite with so few calibration errors: not drawn
    np.testing.assert_array_equal(kw["bands"][80.0][0], fc["lo_80"])
    assert kw["title"] == "y: test predictions and forecast with 80% intervals"
    fig = json.loads((d / "run.json").read_text())["figures"][0]
    assert fig["title"] == "Test predictions and forecast" and fig["caption"].endswith(
        "one step ahead; then 3 steps forecast by the model refitted on all data with 80% intervals")


def test_info_and_predict_read_a_model_saved_by_the_first_format_2_seqcast(tmp_path):
    """A model folder seqcast at 19ad129 saved (tests/data, see test_io): info, predict and predict --data on the data
    it was fitted on give what that seqcast forecast, intervals included."""
    old = Path(__file__).parent / "data" / "model_v2_19ad129"
    want = pd.read_csv(f"{old}_forecast.csv")
    r = invoke("info", old)
    assert_ok(r)
    assert "2 series in long format" in r.output and "intervals  80%, calibrated for 3 steps" in r.output
    t = np.arange(48)  # the data the model was fitted on (tests/data's model_v2_19ad129)
    data = pd.concat([pd.DataFrame({"unique_id": k, "ds": pd.date_range("2000-01-01", periods=48, freq="MS"), "y": v})
                      for k, v in {"a": 100 + 2 * t + 10 * np.sin(2 * np.pi * t / 12),
                                   "b": 50 + t + 5 * np.cos(2 * np.pi * t / 12)}.items()])
    data.to_csv(tmp_path / "long.csv", index=False)
    for extra in ([], ["--data", tmp_path / "long.csv"]):
        assert_ok(invoke("predict", old, "--horizon", 3, *extra, "--out", tmp_path / "f.csv", "-q"))
        got = pd.read_csv(tmp_path / "f.csv")
        assert list(got.columns) == list(want.columns) and got[["unique_id", "ds"]].equals(want[["unique_id", "ds"]])
        np.testing.assert_allclose(got[["forecast", "lo_80", "hi_80"]], want[["forecast", "lo_80", "hi_80"]], rtol=1e-6, atol=1e-4)


def test_predict_data_beyond_a_bounded_heads_range_is_said(work, tmp_path):
    """A sigmoid head on minmax values (the Keras tutorial's) cannot forecast past its training range: new data at
    twice the level got forecasts pinned inside it, without a word."""
    d = tmp_path / "m"
    assert_ok(invoke("fit", write_csv(tmp_path, "train.csv", LINES), "--out", d, *FAST, "--model", "lstm",
                     "--output-activation", "sigmoid", "--norm", "none", "--scaler", "minmax"))
    same = invoke("predict", d, "--data", tmp_path / "train.csv", "--horizon", 2)
    assert_ok(same)
    assert "note:" not in same.stderr
    doubled = write_csv(tmp_path, "double.csv", LINES[:1] + [f"{ln.split(',')[0]},{2 * float(ln.split(',')[1])}" for ln in LINES[1:]])
    r = invoke("predict", d, "--data", doubled, "--horizon", 2)
    assert_ok(r)
    lo, hi = Forecaster.load(d).scaler_.inverse_transform(np.array([0.0, 1.0]))
    note = [ln for ln in r.stderr.splitlines() if ln.startswith("note:")]
    assert note == [f"note: --data leaves the range this model's sigmoid output can forecast: its values run "
                    f"{2 * VALUES.min():.4g}..{2 * VALUES.max():.4g}, its forecasts stay within [{lo:.4g}, {hi:.4g}]; refit on data "
                    "that holds such values, or with --output-activation none"]  # a sigmoid with --norm last: rises only
    fc = pd.read_csv(io.StringIO(r.stdout))["forecast"]
    assert ((lo - 1e-6 <= fc) & (fc <= hi + 1e-6)).all()  # what the note says
    assert "note:" not in invoke("predict", d, "--data", doubled, "--horizon", 2, "-q").stderr


def test_notes_on_a_seq2seq_model_advise_a_norm_its_refit_takes(work, tmp_path):
    """A seq2seq model's notes advised '--norm last', which a seq2seq fit refuses (its input would be zeros): 'mean'."""
    d = tmp_path / "m"
    assert_ok(invoke("fit", write_csv(tmp_path, "train.csv", LINES), "--out", d, *FAST, "--model", "gru", "--norm", "none",
                     "--scaler", "standard", "--strategy", "seq2seq", "--horizon", 2))
    tripled = write_csv(tmp_path, "x3.csv", LINES[:1] + [f"{ln.split(',')[0]},{3 * float(ln.split(',')[1])}" for ln in LINES[1:]])
    r = invoke("predict", d, "--data", tripled, "--horizon", 2)
    assert_ok(r)
    assert r.stderr.rstrip().endswith("a network without window norm extrapolates poorly that far: refit on data that holds such "
                                      "values, or with --norm mean")
    assert_ok(invoke("fit", write_csv(tmp_path, "train.csv", LINES), "--out", tmp_path / "m2", *FAST, "--model", "gru",
                     "--norm", "mean", "--strategy", "seq2seq", "--horizon", 2))  # what it advises: a seq2seq fit takes it


def test_predict_data_far_outside_the_fitted_values_is_said(work, tmp_path):
    """A model without window norm sees levels; new data at three times the fitted level was forecast without a word,
    although an RNN extrapolates poorly there (a bounded head had its own note; an unbounded one had none)."""
    d = tmp_path / "m"
    assert_ok(invoke("fit", write_csv(tmp_path, "train.csv", LINES), "--out", d, *FAST, "--model", "gru", "--norm", "none",
                     "--scaler", "standard"))
    scaled = {k: write_csv(tmp_path, f"x{k}.csv", LINES[:1] + [f"{ln.split(',')[0]},{k * float(ln.split(',')[1])}" for ln in LINES[1:]])
              for k in (1.5, 3)}
    for data in (tmp_path / "train.csv", scaled[1.5]):  # the last window within one fitted range of the fitted values
        r = invoke("predict", d, "--data", data, "--horizon", 2)
        assert_ok(r)
        assert "note:" not in r.stderr
    r = invoke("predict", d, "--data", scaled[3], "--horizon", 2)
    assert_ok(r)
    last = 3 * np.round(VALUES[-6:], 4)
    note = [ln for ln in r.stderr.splitlines() if ln.startswith("note:")]
    assert note == [f"note: --data lies far outside the values this model was fitted on: the last 6 values run {last.min():.4g}.."
                    f"{last.max():.4g}, the fitted ones {VALUES.min():.4g}..{VALUES.max():.4g}; a network without window norm "
                    "extrapolates poorly that far: refit on data that holds such values, or with --norm last"]
    assert "note:" not in invoke("predict", d, "--data", scaled[3], "--horizon", 2, "-q").stderr
    meta = json.loads((d / "model.json").read_text())  # a model file written before the fitted range was kept: no note
    for s in meta["series"]:
        del s["schema"]["min"], s["schema"]["max"]
    (d / "model.json").write_text(json.dumps(meta))
    r = invoke("predict", d, "--data", scaled[3], "--horizon", 2)
    assert_ok(r)
    assert "note:" not in r.stderr
    e = tmp_path / "e"  # window norm: levels are taken out, so no note
    assert_ok(invoke("fit", tmp_path / "train.csv", "--out", e, *FAST, "--model", "gru", "--norm", "last"))
    assert "note:" not in invoke("predict", e, "--data", scaled[3], "--horizon", 2).stderr


def test_predict_data_far_note_speaks_of_the_series_forecast(tmp_path):
    """A many-series model without window norm: --ids a was told that series 'b' (not forecast) lies far out, and a
    series constant in the fit (a span of 0) was 'far' at any other value, though the global model saw such levels."""
    lines = ["unique_id,ds,y"] + [f"{k},{d:%Y-%m-%d},{v:.4f}" for k, vals in
                                  (("a", VALUES[:40]), ("b", VALUES[:40] + 50), ("z", np.zeros(40)))
                                  for d, v in zip(DATES, vals)]
    d = tmp_path / "m"
    assert_ok(invoke("fit", write_csv(tmp_path, "train.csv", lines), "--out", d, *FAST, "--model", "gru", "--norm", "none",
                     "--scaler", "minmax"))
    new = [ln.replace(f",{ln.split(',')[2]}", f",{5 * float(ln.split(',')[2]):.4f}") if ln.startswith("b,") else
           ln.replace(",0.0000", ",0.5000") if ln.startswith("z,") else ln for ln in lines]  # b at 5x; z half its others' scale
    data = write_csv(tmp_path, "new.csv", new)
    r = invoke("predict", d, "--data", data, "--horizon", 2)
    assert_ok(r)
    assert [ln.split(" run ")[0] for ln in r.stderr.splitlines() if ln.startswith("note:")] == \
        ["note: --data lies far outside the values this model was fitted on: the last 6 values of series 'b'"]
    assert "more series" not in r.stderr  # b only, not z
    for ids in ("a", "z", "a,z"):
        r = invoke("predict", d, "--data", data, "--horizon", 2, "--ids", ids)
        assert_ok(r)
        assert "note:" not in r.stderr


def test_predict_to_a_terminal_escapes_control_characters_in_ids(tmp_path, monkeypatch):
    # an id holding an escape sequence set the terminal's title (or rewrote the screen) when the CSV went to the
    # terminal; a pipe or --out still gets the data exactly
    import seqcast.cli as cli

    evil = "a\x1b]0;pwned\x07"
    lines = long_lines({evil: (40, 10.0, "2000-01-01"), "b": (40, 20.0, "2000-01-01")})
    d = tmp_path / "m"
    assert_ok(invoke("fit", write_csv(tmp_path, "l.csv", lines), "--out", d, *FAST))
    piped = invoke("predict", d, "--horizon", 1)
    assert_ok(piped)
    assert evil in piped.stdout
    monkeypatch.setattr(cli, "_stdout_is_terminal", lambda: True)
    shown = invoke("predict", d, "--horizon", 1)
    assert_ok(shown)
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout and "a\\x1b]0;pwned\\x07," in shown.stdout
    assert shown.stdout.replace("\\x1b", "\x1b").replace("\\x07", "\x07") == piped.stdout


def test_ids_that_spreadsheets_read_as_formulas_are_written_exactly_and_read_back(tmp_path):
    """CSV formula injection, a judgement: the CSVs keep ids as they are (no OWASP quote prefix), so that predict's
    output read back by seqcast (predict --data, load_long) names the fitted series, and '-3.5' stays '-3.5'."""
    ids = ['=HYPERLINK("http://x","y")', "-3.5", "+cmd|' /C calc'!A0", "@SUM(1+1)"]
    data, d, fc = tmp_path / "l.csv", tmp_path / "m", tmp_path / "fc.csv"
    pd.DataFrame([row.split(",") for row in long_lines({f"s{i}": (40, 10.0 * (i + 1), "2000-01-01") for i in range(4)})[1:]],
                 columns=["unique_id", "ds", "y"]).replace({"unique_id": {f"s{i}": k for i, k in enumerate(ids)}}).to_csv(data, index=False)
    assert_ok(invoke("fit", data, "--out", d, *FAST))
    assert_ok(invoke("predict", d, "--horizon", 6, "--out", fc))
    written = pd.read_csv(fc, dtype={"unique_id": str}, keep_default_na=False)
    assert sorted(set(written["unique_id"])) == sorted(ids)
    again = invoke("predict", d, "--data", fc, "--value-column", "forecast", "--horizon", 2)  # the forecast as new data
    assert_ok(again)
    assert sorted(set(pd.read_csv(io.StringIO(again.stdout), dtype={"unique_id": str})["unique_id"])) == sorted(ids)


def test_printable_escapes_c1_controls_too():
    # U+009B is CSI in UTF-8 terminals built on VTE (GNOME Terminal): an id "a\u009b2J" cleared the screen as "\x1b[2J"
    import seqcast.cli as cli

    assert cli._printable("a\u009b2J\u0085b\u00a0é\tc\n") == "a\\x9b2J\\x85b\u00a0é\tc\n"  # NBSP and é are text


@pytest.mark.parametrize("act, norm, says", [("sigmoid", "last", "never below the last value: the network's output, 0..1, is "
                                                                 "added to it, so each forecast is at or above the one before"),
                                              ("relu", "mean", "never below the window's mean: the network's output, >= 0, is "
                                                               "added to it, so no forecast falls below it"), ("tanh", "last", None),
                                              ("sigmoid", "none", None)])
def test_fit_says_when_the_head_over_a_window_norm_can_only_rise(data_csv, tmp_path, act, norm, says):
    # a sigmoid over norm last adds 0..1 to the last value: all 27 airline test predictions rose, recursive forecasts
    # climbed every step, without a word
    r = invoke("fit", data_csv, "--out", tmp_path / "m", *FAST[:-1], "--epochs", 1, "--model", "gru", "--output-activation", act,
               "--norm", norm, "--no-report")
    assert_ok(r)
    notes = [ln for ln in r.stdout.splitlines() if "unless the series can only rise" in ln]
    if says is None:
        assert notes == []
    else:
        assert len(notes) == 1 and says in notes[0] and "--output-activation none" in notes[0]


def test_predict_says_one_forecast_in_the_singular(model_dir, tmp_path):
    r = invoke("predict", model_dir, "--horizon", 1, "--out", tmp_path / "one.csv")
    assert_ok(r)
    assert "wrote 1 forecast to" in r.stderr


def test_predict_data_errors_are_one_line(model_dir, long_model, tmp_path):
    daily = write_csv(tmp_path, "daily.csv", ["date,y"] + [f"{d:%Y-%m-%d},{i}" for i, d in
                                                            enumerate(pd.date_range("2020-01-01", periods=30, freq="D"))])
    assert_error(invoke("predict", model_dir, "--data", daily), "`y` (CLI --data) has frequency D, and the model was fitted on MS")
    short = write_csv(tmp_path, "short.csv", NEW_LINES[:5])
    assert_error(invoke("predict", model_dir, "--data", short), "needs at least window=6 values; `y` (CLI --data) has 4")
    gaps = write_csv(tmp_path, "gaps.csv", NEW_LINES[:10] + NEW_LINES[11:])
    assert_error(invoke("predict", model_dir, "--data", gaps), "missing", "--fill")
    r = invoke("predict", model_dir, "--data", gaps, "--fill", "interpolate", "--horizon", 2)
    assert_ok(r)
    assert "note: --fill interpolate filled 1 missing value(s)" in r.stderr and r.stdout.startswith("date,forecast\n")
    assert_error(invoke("predict", model_dir, "--data", tmp_path / "nope.csv"), "no file or built-in dataset named")
    assert_error(invoke("predict", model_dir, "--column", "y"), "--column tells how to read --data", "--data NEW.csv")
    assert_error(invoke("predict", model_dir, "--data", long_model.parent / "long.csv"), "fitted on one series",
                 "holds 3 in long format")
    assert_error(invoke("predict", long_model, "--data", tmp_path / "daily.csv"), "forecasts 3 series in long format",
                 "has no id column 'unique_id'", "--id-column")
    # flags for long format on a file without that id column: not "use --column and --date-column for one series"
    assert_error(invoke("predict", long_model, "--data", daily, "--value-column", "y"), "forecasts 3 series in long format",
                 "has no id column 'unique_id'", "--id-column")
    assert_error(invoke("predict", long_model, "--data", long_model.parent / "long.csv", "--id-column", "store"),
                 "forecasts 3 series in long format", "has no id column 'store'")
    # a built-in dataset (one series) or no file at all as the long model's new data (coverage: never run)
    assert_error(invoke("predict", long_model, "--data", "airline"), "forecasts 3 series in long format",
                 "--data 'airline' has no id column 'unique_id'")
    assert_error(invoke("predict", long_model, "--data", tmp_path / "absent.csv"), "no file or built-in dataset named")
    assert list(tmp_path.glob("*.csv")) and not list(tmp_path.glob("*.png"))  # nothing written


@pytest.mark.parametrize("edit", [{"config.model": "A" * 100_000}, {"seqcast_version": "V" * 100_000, "config.dropout": 0.1},
                                  {"series.0.schema.freq": "F" * 100_000}])
def test_an_error_quoting_a_huge_value_is_one_readable_line(model_dir, tmp_path, edit):
    """Bug: a model.json with a 100,000-character value (a forged or damaged file) printed it whole, in errors of
    100-300 KB; the line keeps its start and its advice, the value's middle cut."""
    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    meta = json.loads((d / "model.json").read_text())
    for k, v in edit.items():
        *path, last = [int(p) if p.isdigit() else p for p in k.split(".")]
        node = meta
        for p in path:
            node = node[p]
        node[last] = v
    (d / "model.json").write_text(json.dumps(meta))
    line = assert_error(invoke("predict", d), f"error: '{d}", " ... ")
    assert len(line) <= 1000 and line.endswith("`seqcast fit`" if "seqcast_version" not in edit else "or refit it with this one")


def test_predict_out_over_its_own_data_file_is_refused(model_dir, tmp_path):
    """Bug: `predict MODEL --data new.csv --out new.csv` (a cron line's typo) replaced the new data by its forecast, exit 0."""
    new = write_csv(tmp_path, "new.csv", NEW_LINES)
    (tmp_path / "link.csv").symlink_to(new)
    before = new.read_bytes()
    for out in (new, tmp_path / "link.csv", tmp_path / "." / "new.csv"):
        assert_error(invoke("predict", model_dir, "--data", new, "--out", out),
                     f"'{out}' is the file --data reads; writing there would destroy it. Choose another output file")
    assert new.read_bytes() == before
    assert_ok(invoke("predict", model_dir, "--data", new, "--out", tmp_path / "fc.csv"))


def test_fit_horizon_is_predicts_default(data_csv, tmp_path):
    """`fit --horizon 5` on a recursive model, then `predict` forecast 12 steps (and the hint said --horizon 12)."""
    d = tmp_path / "m"
    r = invoke("fit", data_csv, "--out", d, *FAST[:-1], "--model", "gru", "--horizon", 5, "--test-size", 0)
    assert_ok(r)
    assert f"forecast with: seqcast predict {d} --horizon 5" in r.stdout
    assert len(invoke("predict", d).stdout.splitlines()) == 1 + 5
    meta = json.loads((d / "model.json").read_text())
    del meta["fit_horizon"]  # a model saved before fit's horizon was kept: 12, as then
    (d / "model.json").write_text(json.dumps(meta))
    assert len(invoke("predict", d).stdout.splitlines()) == 1 + 12


def test_python_fit_save_load_is_exact(data_csv, tmp_path):
    f = Forecaster(**FAST_KW).fit(str(data_csv))
    f.save(tmp_path / "m")
    g = Forecaster.load(tmp_path / "m")
    pd.testing.assert_frame_equal(g.forecast(5), f.forecast(5))


def test_gaps_fail_then_fill_interpolate_works(work, tmp_path):
    gap = write_csv(work, "gap.csv", LINES[:5] + LINES[6:])  # 2000-05-01 missing
    assert_error(invoke("fit", gap, "--out", tmp_path / "m", *FAST), "2000-05-01", "--fill")
    assert not (tmp_path / "m").exists()
    r = invoke("fit", gap, "--out", tmp_path / "m", "--fill", "interpolate", *FAST[:-1])
    assert_ok(r)
    assert "note: --fill interpolate filled 1 missing value(s)\n" in r.stdout  # fit used to be silent about it
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    schema = meta["series"][0]["schema"]
    assert schema["filled"] == 1 and schema["n_obs"] == 60


def test_fill_drops_empty_rows_after_the_last_value_and_says_so(work, tmp_path):
    # a sheet with the months still to come listed: --fill ffill carried the last value over them and
    # dated the forecasts from the last empty row
    path = write_csv(work, "ahead.csv", LINES + ["2005-01-01,", "2005-02-01,"])
    r = invoke("fit", path, "--out", tmp_path / "m", "--fill", "ffill", *FAST[:-1])
    assert_ok(r)
    assert "note: --fill ffill dropped 2 empty row(s) before a first or after a last value\n" in r.stdout
    assert "filled" not in r.stdout
    r = invoke("predict", tmp_path / "m", "--horizon", "1")
    assert_ok(r)
    assert r.stdout.splitlines()[1].startswith("2005-01-01,")


def test_config_file_and_flags_override_it(data_csv, tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text("units = [4]\nwindow = 6\nepochs = 2\nbatch_size = 16\nseed = 1\ntest_size = 0\n")
    assert_ok(invoke("fit", data_csv, "--out", tmp_path / "m", "--config", cfg, "--seed", 3, "-q"))
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["config"]["seed"] == 3 and meta["config"]["epochs"] == 2 and meta["config"]["units"] == [4]
    assert not (tmp_path / "m" / "test_predictions.csv").exists()  # test_size = 0: no holdout


def test_hourly_dates_keep_their_time_in_every_csv(work):
    hours = pd.date_range("2023-01-01", periods=60, freq="h")
    p = write_csv(work, "hourly.csv", ["ts,load"] + [f"{d:%Y-%m-%d %H:%M},{v:.4f}" for d, v in zip(hours, VALUES)])
    assert_ok(invoke("fit", p, "--out", work / "hourly", *FAST))
    r = invoke("predict", work / "hourly", "--horizon", 3)
    assert_ok(r)
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == ["2023-01-03 12:00:00", "2023-01-03 13:00:00",
                                                                          "2023-01-03 14:00:00"]
    tp = pd.read_csv(work / "hourly" / "test_predictions.csv")
    assert list(tp["date"]) == [f"{d:%Y-%m-%d %H:%M:%S}" for d in hours[-len(tp):]]


def test_fit_levels_then_predict_with_the_defaults(data_csv, tmp_path):
    # a recursive model's intervals are calibrated for 12 steps, predict's default horizon
    r = invoke("fit", data_csv, "--out", tmp_path / "m", *FAST[:-1], "--levels", "80", "--model", "gru", "--ensemble", 1)
    assert_ok(r)
    assert r.stdout.strip().splitlines()[-1].endswith("--horizon 12")
    # run.json's options, the report's Configuration, held the model's but not its intervals' (the forecast drawn with them)
    config = json.loads((tmp_path / "m" / "run.json").read_text())["config"]
    assert config["levels"] == [80.0] and config["refit"] is True
    r = invoke("predict", tmp_path / "m")
    assert_ok(r)
    lines = r.stdout.splitlines()
    assert lines[0] == "date,forecast,lo_80,hi_80" and len(lines) == 13


def test_no_refit_model_forecasts_after_the_last_value(data_csv, tmp_path):
    assert_ok(invoke("fit", data_csv, "--out", tmp_path / "m", *FAST, "--no-refit"))
    config = json.loads((tmp_path / "m" / "run.json").read_text())["config"]
    assert config["refit"] is False and config["levels"] == []  # the saved model is the holdout's, without intervals
    r = invoke("predict", tmp_path / "m", "--horizon", 2)
    assert_ok(r)
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == ["2005-01-01", "2005-02-01"]  # data ends 2004-12


def test_auto_does_not_take_logs_of_a_series_that_turns_negative_late(work, tmp_path):
    v = VALUES.copy()
    v[-4:] = [-3.0, -8.0, 1.0, -2.0]  # the training part (first 80%) is never negative
    p = write_csv(work, "late-negative.csv", ["date,y"] + [f"{d:%Y-%m-%d},{x:.4f}" for d, x in zip(DATES, v)])
    r = invoke("fit", p, "--out", tmp_path / "m", *FAST[:-1])
    assert_ok(r)
    assert "nan" not in r.stdout.lower() and "verdict: " in r.stdout
    assert json.loads((tmp_path / "m" / "run.json").read_text())["config"]["log"] is False


def test_fit_says_when_an_interval_level_is_infinite(work, tmp_path):
    """A 36-month series (shampoo) got 0 / inf bounds in every forecast row without a word at fit time."""
    p = write_csv(work, "short36.csv", LINES[:37])
    r = invoke("fit", p, "--out", tmp_path / "m", *FAST[:-1], "--levels", "80,95", "--test-size", "0", "--model", "gru",
               "--ensemble", 1)
    assert_ok(r)
    note = next(line for line in r.stdout.splitlines() if line.startswith("note: the 95%"))
    few = next(line for line in r.stdout.splitlines() if line.startswith("note: the GRU trained on only"))
    assert few.endswith("so compare it with the baselines first: seqcast backtest")  # no leaderboard was shown (no test part)
    m = Forecaster.load(tmp_path / "m")
    n = m.calibration_windows_ * m.calibration_series_
    assert n < 19 and not np.isfinite(m.widths_[95.0]).all()
    assert note.startswith("note: the 95% interval is infinite at some or all steps") and "95% needs 19" in note
    assert "80%" not in note.split(":")[1]  # 80% had enough residuals
    # predict wrote 0 / inf bounds without a word (a forecast CSV read months later, far from fit's output)
    r = invoke("predict", tmp_path / "m", "--horizon", 2)
    assert_ok(r)
    assert [ln for ln in r.stderr.splitlines() if ln.startswith("note:")] == [
        note.replace("fit on more data or ask for lower --levels", "refit on more data or with lower --levels")]
    assert r.stdout.splitlines()[1].endswith(",inf")  # the CSV itself is unchanged
    assert "note:" not in invoke("predict", tmp_path / "m", "--horizon", 2, "--levels", "80").stderr  # 95% not written
    assert "note:" not in invoke("predict", tmp_path / "m", "--horizon", 2, "-q").stderr


def test_fit_says_what_mape_leaves_out_when_test_values_are_0(work, tmp_path):
    lines = ["date,y"] + [f"{2000 + i // 12}-{i % 12 + 1:02d}-01,{[0, 0, 3, 0, 5, 0, 0, 2][i % 8]}" for i in range(64)]
    r = invoke("fit", write_csv(work, "intermittent.csv", lines), "--out", tmp_path / "m", "--model", "linear", "--window", 8, "--epochs", 1)
    assert_ok(r)
    note = "note: MAPE leaves out the 7 test values that are 0 (it divides by them): it rests on the other 5"
    assert note in r.stdout and any(v.startswith(note) for v in json.loads((tmp_path / "m" / "run.json").read_text())["verdict"])


def test_auto_leaves_room_for_the_interval_calibration(work, tmp_path):
    """`fit shampoo.csv --levels 80,95` (36 months) was refused: auto's window 24 and the intervals' 12 steps need 37."""
    p = write_csv(work, "short36b.csv", LINES[:37])
    r = invoke("fit", p, "--out", tmp_path / "m", "--levels", "80,95", "--epochs", 2, "--ensemble", 1)
    assert_ok(r)
    m = Forecaster.load(tmp_path / "m")
    # room for 4 origins (a finite 80% band) of 12 steps, 2 windows at the first: window 36 - 12 - 3 - 1 - 1
    assert m.config_.window == 19 and m.config_.norm == "season" and m.interval_horizon_ == 12
    assert np.isfinite(m.widths_[80.0]).all() and not np.isfinite(m.widths_[95.0]).all()
    # the holdout's model: 17 windows of 19 values, 13 of them to train on, and fit says how few that is
    assert "note: the GRU trained on only 13 windows; a neural network learns little from so few" in r.stdout
    r = invoke("fit", p, "--out", tmp_path / "m2", "--levels", "80,95", "--epochs", 2, "--ensemble", 1, "--window", 24)
    assert_error(r, "too short to calibrate intervals over horizon=12", "window=24 needs 37")  # an explicit window wins


def test_fit_refuses_intervals_the_data_is_too_short_for_before_training(data_csv, tmp_path):
    r = invoke("fit", data_csv, "--out", tmp_path / "m", *FAST, "--levels", "80", "--strategy", "direct", "--horizon", 40)
    assert_error(r, "too short to calibrate intervals over horizon=40", "longest has 60 values")
    assert not (tmp_path / "m").exists()


# ---- bad inputs: one line, exit code 2 -----------------------------------------------------------------


def _replace(i, text):
    return LINES[:i] + [text] + LINES[i + 1 :]


BAD_DATA = {
    "text": (_replace(5, "2000-05-01,abc"), ["line 6", "'abc'", "not a number"]),
    "empty": (_replace(5, "2000-05-01,"), ["line 6", "missing", "--fill"]),
    "nan": (_replace(5, "2000-05-01,NaN"), ["line 6", "missing"]),
    "inf": (_replace(5, "2000-05-01,inf"), ["line 6", "infinite"]),
    # 1e300 gave RMSE inf and numpy's overflow warnings (squares, linear AR's standard deviation), 1e200 a verdict that
    # the model 'gave non-finite predictions'
    "huge": (_replace(5, "2000-05-01,1.5e300"), ["line 6: value 1.5e+300", "beyond ±1e+150", "divide the values by a power of ten"]),
    "duplicated": (LINES[:6] + [LINES[5]] + LINES[6:], ["duplicated", "keep one row per date"]),
    "unsorted": (LINES[:5] + [LINES[6], LINES[5]] + LINES[7:], ["earlier than the date before it", "sort the rows"]),
    "gap": (LINES[:5] + LINES[6:], ["missing at frequency 'MS'", "--fill"]),
    "short": (LINES[:7], ["too short for the window", "smaller `window` (CLI --window)"]),
    "empty file": ([], ["empty"]),
}


@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_data(case, work, tmp_path):
    lines, needles = BAD_DATA[case]
    p = write_csv(work, f"bad-{case.replace(' ', '-')}.csv", lines)
    assert_error(invoke("fit", p, "--out", tmp_path / "m", *FAST), *needles)
    assert not (tmp_path / "m").exists()


def test_missing_file(tmp_path):
    assert_error(invoke("fit", tmp_path / "nope.csv", "--out", tmp_path / "m", *FAST), "nope.csv")


@pytest.mark.parametrize("command", [["fit", "-", "--out", "m"], ["backtest", "-", "--models", "naive"]], ids=lambda c: c[0])
def test_stdin_as_data_says_it_is_not_supported(command, tmp_path, monkeypatch):
    # "no file or built-in dataset named '-'", while predict --out - writes to stdout
    monkeypatch.chdir(tmp_path)
    assert_error(invoke(*command), "stdin ('-') is not supported", "CSV file")
    assert list(tmp_path.iterdir()) == []


def test_unknown_column(data_csv, tmp_path):
    assert_error(invoke("fit", data_csv, "--column", "sales", "--out", tmp_path / "m", *FAST),
                 "no column named 'sales'", "--column")


@pytest.mark.parametrize(
    "option, value, needle",
    [
        ("--model", "transformer", "`model` must be one of lstm, gru, rnn, linear, auto; auto is seqcast's choice for the data (what `seqcast fit` uses without --model, benchmark always and backtest unless --no-auto). Received: model='transformer'"),
        ("--optimizer", "foo", "`optimizer` must be one of adam, rmsprop, sgd. Received: optimizer='foo'"),
        ("--scaler", "zz", "`scaler` must be one of minmax, standard, robust, none, auto. Received: scaler='zz'"),
        ("--fill", "zz", "`fill` must be one of none, ffill, interpolate. Received: fill='zz'"),
        ("--loss", "hinge", "`loss` must be one of mse, mae, huber"),
        ("--output-activation", "softmax", "`output_activation` must be one of"),
        ("--units", "a,b", "`units` must be comma-separated layer sizes"),
        ("--units", "0", "`units` must be a list of layer sizes >= 1"),
        ("--window", "0", "`window` must be an integer >= 1. Received: window=0"),
        ("--epochs", "0", "`epochs` must be an integer >= 1. Received: epochs=0"),
        ("--test-size", "1.5", "`test_size` must be a number in [0, 1)"),
        ("--learning-rate", "-1", "`learning_rate` must be a finite number > 0"),
        ("--freq", "zz", "`freq` must be a pandas frequency alias"),
        ("--strategy", "mimo", "`strategy` must be one of recursive, direct, seq2seq. Received: strategy='mimo'"),
        ("--norm", "zz", "`norm` must be one of none, last, mean, revin, season"),
        ("--precision", "bf16", "`precision` must be one of float32, bfloat16. Received: precision='bf16'"),
        ("--horizon", "0", "`horizon` must be an integer >= 1. Received: horizon=0"),
        # auto's fit ran on with 10**12 epochs (no early stopping), and drew members for minutes with 10**6 (5.5 GB)
        ("--epochs", "1000000000000", "`epochs` must be at most 1,000,000: a million epochs take minutes even for the smallest model"),
        ("--ensemble", "1000000", "`ensemble` must be at most 1,000: each member is a model of its own"),
        ("--levels", "120", "`levels` must be in [1, 100)"),
        ("--levels", "a,b", "`levels` must be numbers in [1, 100)"),
        ("--id-column", "series", "--id-column and --value-column apply to long format"),
    ],
)
def test_bad_option_values(data_csv, tmp_path, option, value, needle):
    args = ["fit", data_csv, "--out", tmp_path / "m", *FAST, option, value]
    assert_error(invoke(*args), needle)
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(
    "text, needle",
    [
        ("epochs = = 3\n", "is not valid TOML"),
        ("epoch = 3\n", "unknown option 'epoch'"),
        ('epochs = "ten"\n', "`epochs` must be an integer >= 1. Received: epochs='ten'"),
        ('units = "big"\n', "`units` must be a list of layer sizes"),
        ("[training]\nepochs = 3\n", "unknown option 'training'"),
    ],
)
def test_bad_config_file(data_csv, tmp_path, text, needle):
    cfg = tmp_path / "run.toml"
    cfg.write_text(text)
    assert_error(invoke("fit", data_csv, "--out", tmp_path / "m", "--config", cfg), needle, "run.toml")


def test_missing_config_file(data_csv, tmp_path):
    assert_error(invoke("fit", data_csv, "--out", tmp_path / "m", "--config", tmp_path / "nope.toml"),
                 "not found", "--config")


# ---- many series in long format -------------------------------------------------------------------------

LONG_IDS = {"a": (48, 100.0, "2000-01-01"), "b": (40, 500.0, "2001-01-01"), "c": (36, 20.0, "2000-01-01")}


def long_lines(ids=LONG_IDS):
    lines = ["unique_id,ds,y"]
    for k, (n, level, start) in ids.items():
        t = np.arange(n)
        v = level + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12)
        lines += [f"{k},{d:%Y-%m-%d},{x:.4f}" for d, x in zip(pd.date_range(start, periods=n, freq="MS"), v)]
    return lines


@pytest.fixture(scope="module")
def long_csv(work):
    return write_csv(work, "long.csv", long_lines())


@pytest.fixture(scope="module")
def long_model(work, long_csv):
    d = work / "long-model"
    r = invoke("fit", long_csv, "--out", d, *FAST[:-1], "--strategy", "direct", "--horizon", 3, "--levels", "50,80",
               "--patience", 0)
    assert_ok(r)
    assert "3 series in long format" in r.stdout and "no holdout" in r.stdout and "seqcast backtest" in r.stdout
    assert not (d / "test_predictions.csv").exists()
    return d


def test_fit_predict_long_csv(long_model, work):
    out = work / "long-f.csv"
    assert_ok(invoke("predict", long_model, "--horizon", 3, "--out", out, "-q"))
    fc = pd.read_csv(out)
    assert list(fc.columns) == ["unique_id", "ds", "forecast", "lo_50", "hi_50", "lo_80", "hi_80"]
    assert list(fc["unique_id"]) == ["a"] * 3 + ["b"] * 3 + ["c"] * 3
    assert list(fc["ds"][:3]) == ["2004-01-01", "2004-02-01", "2004-03-01"]  # after each series' own last date
    assert list(fc["ds"][3:6]) == ["2004-05-01", "2004-06-01", "2004-07-01"]
    assert ((fc["lo_80"] <= fc["forecast"]) & (fc["forecast"] <= fc["hi_80"])).all()
    loaded = Forecaster.load(long_model).forecast(3)
    np.testing.assert_allclose(fc["forecast"].to_numpy(), loaded["forecast"].to_numpy(), rtol=1e-6)
    r = invoke("predict", long_model, "--horizon", 2, "--levels", "none")
    assert_ok(r)
    assert r.stdout.splitlines()[0] == "unique_id,ds,forecast" and len(r.stdout.splitlines()) == 7
    r = invoke("predict", long_model, "--horizon", 2, "--levels", "80")
    assert r.stdout.splitlines()[0] == "unique_id,ds,forecast,lo_80,hi_80"


def test_predict_long_errors(long_model, work):
    assert_error(invoke("predict", long_model, "--horizon", 4), "`horizon` must be <= 3", "direct model")
    assert_error(invoke("predict", long_model, "--horizon", 2, "--levels", "95"), "calibrated levels 50, 80")
    assert_error(invoke("predict", long_model, "--plot", work / "p.png"), "--plot draws one series", "pick one with --ids (e.g. --ids a)")
    # the ids already picked: keep one of those, not "pick one with --ids" (realdata3: --ids Q1,Q2 was told to pick)
    assert_error(invoke("predict", long_model, "--ids", "b,a", "--plot", work / "p.png"), "--plot draws one series",
                 "--ids picks 2 of them; keep one of those (e.g. --ids b)")


def test_predict_plots_the_one_series_ids_picks_from_a_long_model(long_model, tmp_path):
    # --ids b --plot p.png was refused ("--plot draws one series, and this model forecasts 3"), one series picked
    r = invoke("predict", long_model, "--horizon", 3, "--ids", "b", "--plot", tmp_path / "b.png", "--out", tmp_path / "b.csv")
    assert_ok(r)
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert_ok(invoke("predict", long_model, "--horizon", 3, "--ids", "b", "--plot", tmp_path / "b.svg", "-q"))
    svg = (tmp_path / "b.svg").read_text()  # the y axis was labelled "b", the series id, as if its values were b's
    assert "<!-- b: forecast -->" in svg and "<!-- b -->" not in svg
    assert "wrote 3 forecasts for series b to" in r.stderr  # not "for each of 1 series"
    assert set(pd.read_csv(tmp_path / "b.csv")["unique_id"]) == {"b"}


def test_fit_long_with_other_column_names(work, tmp_path):
    lines = [line.replace("unique_id,ds,y", "store,month,sales") for line in long_lines()]
    p = write_csv(work, "long-named.csv", lines)
    assert_ok(invoke("fit", p, "--out", tmp_path / "m", *FAST, "--id-column", "store", "--date-column", "month",
                     "--value-column", "sales"))
    assert json.loads((tmp_path / "m" / "model.json").read_text())["long_format"] is True
    assert_error(invoke("fit", p, "--out", tmp_path / "m2", *FAST, "--id-column", "store"), "no column 'ds'", "--date-column")


def test_a_long_models_forecast_plot_names_its_value_column(work, tmp_path, monkeypatch):
    """A many-series model's plot had no y label: the value column's name was not saved (model.json keeps it now)."""
    from seqcast import report

    lines = [line.replace("unique_id,ds,y", "store,month,sales") for line in long_lines()]
    d = tmp_path / "m"
    assert_ok(invoke("fit", write_csv(tmp_path, "train.csv", lines), "--out", d, *FAST, "--id-column", "store",
                     "--date-column", "month", "--value-column", "sales"))
    seen = []
    monkeypatch.setattr(report, "plot_forecast", lambda series, path, **kw: seen.append((series.name, kw["title"])))
    assert_ok(invoke("predict", d, "--ids", "a", "--plot", tmp_path / "a.png"))
    assert seen == [("sales", "a: forecast")]


def test_predict_data_of_a_long_model_reads_its_column_names(work, tmp_path):
    lines = [line.replace("unique_id,ds,y", "store,month,sales") for line in long_lines()]
    d = tmp_path / "m"
    assert_ok(invoke("fit", write_csv(tmp_path, "train.csv", lines), "--out", d, *FAST, "--id-column", "store",
                     "--date-column", "month", "--value-column", "sales", "--levels", "80", "--horizon", 2, "--strategy", "direct",
                     "--patience", 0))
    newer = {"a": (30, 150.0, "2004-01-01"), "b": (24, 400.0, "2003-01-01"), "c": (12, 25.0, "2010-01-01")}
    new = write_csv(tmp_path, "this_month.csv", [ln.replace("unique_id,ds,y", "store,month,sales") for ln in long_lines(newer)])
    r = invoke("predict", d, "--data", new, "--out", tmp_path / "fc.csv")  # --data alone: the fitted file's column names
    assert_ok(r)
    assert "wrote 2 forecasts for each of 3 series after the end of" in r.stderr
    # a cron job's file where two stores have not reported their newest months: each is forecast from its own end
    assert "note: the series in --data end on different dates: 1 of 3 at 2010-12-01, 2 earlier ('a' at 2006-06-01, 'b' at " \
           "2004-12-01); each is forecast from its own last date" in r.stderr.splitlines()
    fc = pd.read_csv(tmp_path / "fc.csv", **EXACT)
    assert list(fc.columns) == ["unique_id", "ds", "forecast", "lo_80", "hi_80"]
    assert list(fc["ds"][::2]) == ["2006-07-01", "2005-01-01", "2011-01-01"]  # after each new series' last date
    from seqcast.long import load_long

    y = load_long(new, id_column="store", date_column="month", value_column="sales")
    mine = Forecaster.load(d).forecast(2, y=y)
    for col in ("forecast", "lo_80", "hi_80"):
        np.testing.assert_array_equal(fc[col].to_numpy(), mine[col].to_numpy())
    r = invoke("predict", d, "--data", new, "--ids", "c", "--levels", "none", "--plot", tmp_path / "c.png")
    assert_ok(r)
    assert "end on different dates" not in r.stderr  # one series picked
    assert r.stdout.splitlines() == ["unique_id,ds,forecast"] + [f"c,{x:%Y-%m-%d},{v!r}" for x, v in
                                                               zip(mine["ds"][4:], mine["forecast"][4:])]
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    only_a = write_csv(tmp_path, "a.csv", [ln for ln in new.read_text().splitlines() if not ln.startswith(("b,", "c,"))])
    assert_error(invoke("predict", d, "--data", only_a, "--ids", "a,b"), "`ids` must name series present in `y` (CLI --data)",
                 "Received: 'b'")
    r = invoke("predict", d, "--data", only_a)  # a cron job's file lacking two stores: their rows vanished without a word
    assert_ok(r)
    assert "note: --data holds 1 of the model's 3 series; no forecast for the 2 it lacks ('b', 'c')" in r.stderr
    assert set(pd.read_csv(io.StringIO(r.stdout))["unique_id"]) == {"a"}
    assert "note" not in invoke("predict", d, "--data", only_a, "--ids", "a").stderr  # picked: nothing missing
    unknown = write_csv(tmp_path, "z.csv", [ln.replace("b,", "zz,") for ln in new.read_text().splitlines()])
    assert_error(invoke("predict", d, "--data", unknown), "series 'zz' in `y` (CLI --data) was not in the fitted data")
    assert_ok(invoke("predict", d, "--data", unknown, "--ids", "a,c"))  # a series it leaves out need not be known
    assert_error(invoke("predict", d, "--data", new, "--horizon", 3), "`horizon` must be <= 2")


def test_a_parquet_file_with_its_ids_and_dates_in_the_index_fits_and_predicts(work, tmp_path):
    """df.set_index(['store', 'month']).to_parquet(...): pandas stores the index, and reads it back as one; fit and
    predict --data said "has no column 'store', 'month'; its columns are 'sales'", which no flag could fix."""
    frame = pd.read_csv(io.StringIO("\n".join(long_lines())), dtype={"unique_id": str}).rename(
        columns={"unique_id": "store", "ds": "month", "y": "sales"})
    frame.set_index(["store", "month"]).to_parquet(tmp_path / "indexed.parquet")
    frame.to_csv(tmp_path / "plain.csv", index=False)
    d = tmp_path / "m"
    assert_ok(invoke("fit", tmp_path / "indexed.parquet", "--out", d, *FAST, "--id-column", "store", "--date-column", "month",
                     "--value-column", "sales", "--strategy", "direct", "--horizon", 2, "--patience", 0))
    r = invoke("predict", d, "--data", tmp_path / "indexed.parquet")  # the fitted column names, found in the index
    assert_ok(r)
    assert r.stdout == invoke("predict", d, "--data", tmp_path / "plain.csv").stdout
    assert r.stdout.splitlines()[0] == "unique_id,ds,forecast" and r.stdout.splitlines()[1].startswith("a,2004-01-01,")


def test_fit_long_says_which_one_series_flags_it_leaves_idle(work, tmp_path):
    # --no-refit and --no-report did nothing on a long file, without a word (only --test-size was named)
    p = write_csv(work, "long-idle.csv", long_lines())
    r = invoke("fit", p, "--out", tmp_path / "m", *FAST[:-1], "--no-refit", "--no-report")
    assert_ok(r)
    assert "no holdout test (--test-size, --no-refit, --no-report apply to a one-series file)" in r.stdout
    r = invoke("fit", p, "--out", tmp_path / "m2", *FAST[:-1])
    assert "no holdout test (--test-size applies to a one-series file)" in r.stdout


def test_fit_longs_backtest_hint_works_when_pasted(work, tmp_path):
    # "evaluate it with: seqcast backtest long-named.csv" dropped --id-column and the others: pasted, it failed
    # ("2 columns could hold the values")
    p = write_csv(work, "long-hint.csv", [line.replace("unique_id,ds,y", "store,month,sales") for line in long_lines()])
    r = invoke("fit", p, "--out", tmp_path / "m", *FAST[:-1], "--id-column", "store", "--date-column", "month",
               "--value-column", "sales", "--horizon", 3)
    assert_ok(r)
    hint = re.search(r"evaluate it with: seqcast (backtest .*)", r.output).group(1).split()
    assert hint[hint.index("--horizon") + 1] == "3"
    assert_ok(invoke(*hint, "--models", "naive", "--windows", 2))
    toml = tmp_path / "opts.toml"  # the options fitted with: backtest reads a --config file as fit does
    toml.write_text("window = 6\n")
    r = invoke("fit", p, "--out", tmp_path / "m2", *FAST[:-1], "--id-column", "store", "--date-column", "month",
               "--value-column", "sales", "--config", toml)
    assert_ok(r)
    hint = re.search(r"evaluate it with: seqcast (backtest .*)", r.output).group(1).split()
    assert hint[hint.index("--config") + 1] == str(toml)


def test_fit_of_a_long_file_of_text_ids_names_the_flags_to_paste(work, tmp_path):
    # 지역,날짜,값 (서울, 부산: 36 months each) said "2 columns could hold the values", counting the ids' column; the
    # one line names the three flags, and those flags pasted fit the two series
    lines = ["지역,날짜,값"] + [f"{i},{d:%Y-%m-%d},{100 + k + 10 * s}" for s, i in enumerate(("서울", "부산"))
                                for k, d in enumerate(pd.date_range("2015-01-01", periods=36, freq="MS"))]
    p = write_csv(work, "kl.csv", lines)
    line = assert_error(invoke("fit", p, "--out", tmp_path / "m", *FAST),
                        "many series in long format; read them with --id-column 지역 --date-column 날짜 --value-column 값")
    flags = line.split("read them with ")[1].split(" (Python")[0].split()
    assert not (tmp_path / "m").exists()
    r = invoke("fit", p, "--out", tmp_path / "m", *FAST[:-1], *flags)
    assert_ok(r)
    assert r.stdout.startswith("2 series in long format")


BAD_LONG = {
    "duplicated": (lambda lines: lines[:3] + [lines[2]] + lines[3:], ["twice", "keep one row per (unique_id, ds) pair"]),
    "text": (lambda lines: lines[:3] + ["a,2000-03-01,abc"] + lines[4:], ["line 4", "'abc'"]),
    "empty id": (lambda lines: lines[:3] + [",2000-03-01,1.0"] + lines[4:], ["line 4", "id", "empty"]),
    "no value column": (lambda lines: [lines[0].replace(",y", ",v")] + lines[1:], ["no column 'y'", "--value-column"]),
    "gap": (lambda lines: lines[:3] + lines[4:], ["series 'a'", "--fill"]),
}


@pytest.mark.parametrize("case", list(BAD_LONG))
def test_bad_long_csv(case, work, tmp_path):
    damage, needles = BAD_LONG[case]
    p = write_csv(work, f"bad-long-{case.replace(' ', '-')}.csv", damage(long_lines()))
    assert_error(invoke("fit", p, "--out", tmp_path / "m", *FAST), *needles)
    assert not (tmp_path / "m").exists()


def test_fit_one_series_with_levels(data_csv, tmp_path):
    assert_error(invoke("fit", data_csv, "--out", tmp_path / "m", *FAST, "--levels", "50", "--no-refit"), "--levels", "--refit")
    assert_ok(invoke("fit", data_csv, "--out", tmp_path / "m", *FAST, "--levels", "50", "--horizon", 2, "--test-size", 0,
                      "--strategy", "recursive"))
    r = invoke("predict", tmp_path / "m", "--horizon", 2)
    assert_ok(r)
    assert r.stdout.splitlines()[0] == "date,forecast,lo_50,hi_50"
    assert_error(invoke("predict", tmp_path / "m", "--horizon", 3), "calibrated for", "--levels none",
                 "refit with horizon=3 (CLI: seqcast fit --horizon 3)")  # the command, not only the Python argument
    assert_ok(invoke("predict", tmp_path / "m", "--horizon", 3, "--levels", "none"))


# ---- corrupt models for predict ------------------------------------------------------------------------


def _garbage_json(d):
    (d / "model.json").write_text("{not json")


def _truncated_weights(d):
    w = d / "weights.safetensors"
    w.write_bytes(w.read_bytes()[:40])


def _garbage_weights(d):
    (d / "weights.safetensors").write_bytes(b"\x00garbage")


def _no_weights(d):
    (d / "weights.safetensors").unlink()


def _edited_schema(d):
    meta = json.loads((d / "model.json").read_text())
    del meta["series"][0]["schema"]["freq"]
    (d / "model.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "damage, needle",
    [
        (_garbage_json, "not valid JSON"),
        (_truncated_weights, "checksum differs"),
        (_garbage_weights, "checksum differs"),
        (_no_weights, "has no weights.safetensors"),
        (_edited_schema, "corrupt or inconsistent"),
    ],
    ids=lambda x: getattr(x, "__name__", None) if callable(x) else None,
)
def test_predict_corrupt_model(model_dir, tmp_path, damage, needle):
    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    damage(d)
    out = tmp_path / "f.csv"
    out.write_text("earlier forecast\n")
    assert_error(invoke("predict", d, "--horizon", 3, "--out", out), needle, "re-save")
    assert out.read_text() == "earlier forecast\n"  # a failed predict leaves --out alone


def test_predict_weights_from_another_model(model_dir, data_csv, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    Forecaster(**FAST_KW, seed=5).fit(str(data_csv)).save(tmp_path / "other")
    shutil.copy(tmp_path / "other" / "weights.safetensors", d / "weights.safetensors")
    assert_error(invoke("predict", d), "checksum differs", "from another model")


def test_predict_missing_dir(tmp_path):
    assert_error(invoke("predict", tmp_path / "nope"), "not found", "seqcast fit --out")


def test_predict_folder_that_is_not_a_model(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    assert_error(invoke("predict", tmp_path), "model.json missing")


def test_predict_bad_horizon_and_outputs(model_dir, tmp_path):
    assert_error(invoke("predict", model_dir, "--horizon", 0), "`horizon` must be an integer >= 1. Received: horizon=0")
    assert_error(invoke("predict", model_dir, "--out", tmp_path), "is a directory", "--out")
    assert_error(invoke("predict", model_dir, "--plot", tmp_path / "p.xyz"), "--plot must end in .png, .svg or .pdf")
    assert_error(invoke("predict", model_dir, "--levels", "80"), "needs a model fitted with levels",  # it named only Python's fit
                 "(CLI: seqcast fit --levels 80,95)")
    assert list(tmp_path.iterdir()) == []


# ---- info: what a saved model is ------------------------------------------------------------------------


def test_info_shows_the_model_its_layers_data_and_holdout(model_dir):
    from safetensors.numpy import load_file

    r = invoke("info", model_dir)
    assert_ok(r)
    run = json.loads((model_dir / "run.json").read_text())
    n = sum(a.size for a in load_file(model_dir / "weights.safetensors").values())  # counted from the file's arrays
    members = json.loads((model_dir / "model.json").read_text())["config"]["ensemble"]
    total = f"Total params: {n // members:,}" + (f" per member, {n:,} in all {members}" if members > 1 else "")
    assert total in r.stdout and "GRU(4)" in r.stdout  # fit's default (auto): a GRU with the --units given
    assert "1 series, value column 'y'; 60 values, 2000-01-01 .. 2004-12-01, frequency MS" in r.stdout
    assert all(line in r.stdout.splitlines() for line in run["verdict"]) and f"written by: {run['command']}" in r.stdout
    assert all(row["model"] in r.stdout for row in run["leaderboard"])
    assert "  model.json " in r.stdout and "  run.json " in r.stdout


def test_info_json_holds_the_same_facts(model_dir):
    from safetensors.numpy import load_file

    from seqcast.config import DEFAULT_LR

    r = invoke("info", model_dir, "--json")
    assert_ok(r)
    facts = json.loads(r.stdout)
    assert list(facts) == ["path", "seqcast_version", "format_version", "model", "layers", "params", "params_total", "data",
                           "training", "intervals", "holdout", "files"]
    assert facts["params_total"] == sum(a.size for a in load_file(model_dir / "weights.safetensors").values())
    meta = json.loads((model_dir / "model.json").read_text())
    given = {**meta["config"], "season": meta["season"], "horizon": meta["horizon"]}  # auto's choices, as saved
    assert {k: facts["model"][k] for k in given if k != "learning_rate"} == {k: v for k, v in given.items() if k != "learning_rate"}
    assert given["learning_rate"] is None and facts["model"]["learning_rate_default"]  # Keras' default, shown as the number
    assert facts["model"]["learning_rate"] == DEFAULT_LR[given["optimizer"]]
    assert facts["holdout"]["leaderboard"] == json.loads((model_dir / "run.json").read_text())["leaderboard"]
    assert {f["name"]: f["bytes"] for f in facts["files"]} == {p.name: p.stat().st_size for p in model_dir.iterdir()}


def test_info_imports_no_jax(model_dir):
    """`seqcast info` answers at once: model.json and the weights' shapes, no model built."""
    import subprocess
    import sys

    code = ("import sys; from seqcast.cli import main; sys.argv = ['seqcast', 'info', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('jax' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, str(model_dir)], capture_output=True, text=True, check=True)
    assert "Total params" in out.stdout and out.stderr.strip().splitlines()[-1] == "False"


def test_predict_imports_no_optax(model_dir):
    """`seqcast predict` runs the saved network forward: the optimizers are not imported (optax was 0.1 s of its start-up)."""
    import subprocess
    import sys

    code = ("import sys; from seqcast.cli import main; sys.argv = ['seqcast', 'predict', sys.argv[1], '--horizon', '3']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('jax' in sys.modules, 'optax' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, str(model_dir)], capture_output=True, text=True, check=True)
    assert len(out.stdout.splitlines()) == 4 and out.stderr.strip().splitlines()[-1] == "True False"


@pytest.mark.parametrize("damage, needle", [
    (_garbage_json, "not valid JSON"),
    (_truncated_weights, "checksum differs"),
    (_no_weights, "has no weights.safetensors"),
    (lambda d: (d / "model.json").unlink(), "model.json missing"),
    (_edited_schema, "corrupt or inconsistent"),
], ids=["json", "weights", "no-weights", "no-meta", "schema"])
def test_info_on_a_corrupt_model_is_one_line(model_dir, tmp_path, damage, needle):
    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    damage(d)
    before = snapshot(d)
    assert_error(invoke("info", d), needle)
    assert_error(invoke("info", d, "--json"), needle)
    assert snapshot(d) == before


def test_a_model_fitted_without_encoding_keeps_none(model_dir):
    assert "encoding" not in json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    assert Forecaster.load(model_dir).encoding_ is None


def test_info_refuses_a_scaler_missing_a_field_in_predicts_line(model_dir, tmp_path):
    # info exited 0 on a scaler without its shift, which predict refuses (a default shift would forecast wrong)
    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    meta = json.loads((d / "model.json").read_text())
    del meta["series"][0]["scaler"]["shift"]
    (d / "model.json").write_text(json.dumps(meta))
    said = assert_error(invoke("predict", d), "scaler has no 'shift'")
    assert assert_error(invoke("info", d)) == said
    assert assert_error(invoke("info", d, "--json")) == said


def test_info_refuses_what_is_no_model_saying_what_model_must_be(model_dir, data_csv, tmp_path):
    assert_error(invoke("info", tmp_path / "nope"), "not found", "seqcast fit --out")
    assert_error(invoke("info", data_csv), "is a file, not a model directory")
    assert_error(invoke("info", model_dir / "model.json"), f"is a file of a seqcast model; pass its folder: seqcast info {model_dir}")
    run_dir = tmp_path / "run"  # what backtest / benchmark --report write: no model in it
    run_dir.mkdir()
    (run_dir / "run.json").write_text("{}")
    assert_error(invoke("info", run_dir), "is a seqcast run directory (run.json), which holds no model; pass a model folder "
                 "written by `seqcast fit --out` or Forecaster.save, or a `seqcast demo` folder")


# ---- nothing already saved is damaged ------------------------------------------------------------------


def test_out_folder_that_is_not_a_model_is_refused(data_csv, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    (mine / "sub").mkdir()
    (mine / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = snapshot(mine)
    line = assert_error(invoke("fit", data_csv, "--out", mine, *FAST), "is not empty and holds no seqcast model", "--out")
    assert "mine" in line
    assert snapshot(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no temp folders beside it


def test_refit_into_the_folder_that_holds_its_data_and_config_is_refused_before_training(model_dir, data_csv, tmp_path,
                                                                                          monkeypatch):
    # `seqcast fit m/data.csv --config m/run.toml --out m` deleted data.csv and run.toml: the folder is replaced as a whole
    import seqcast.forecast

    out = tmp_path / "m"
    shutil.copytree(model_dir, out)
    shutil.copy(data_csv, out / "data.csv")
    (out / "run.toml").write_text("epochs = 2\n")
    before = snapshot(out)
    monkeypatch.setattr(seqcast.forecast, "holdout", lambda *a, **k: pytest.fail("trained before checking --out"))
    assert_error(invoke("fit", out / "data.csv", "--config", out / "run.toml", "--out", out, *FAST),
                 f"'{out}' holds a seqcast model and also '{out / 'data.csv'}', '{out / 'run.toml'}', which replacing the folder "
                 "would delete; move them elsewhere")
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


@pytest.mark.parametrize("command, target", [
    (["fit", "DATA", "--out", "m", *FAST], "m"),
    (["demo", "--epochs", "1", "--out", "m", "-q"], "m"),
    (["backtest", "DATA", "--models", "gru,naive", "--report", "--epochs", "2", "-q"], "seqcast-out/backtest"),  # the default run folder
], ids=["fit", "demo", "backtest"])
def test_a_folder_another_command_is_writing_is_refused_before_training(command, target, data_csv, tmp_path, monkeypatch):
    # two at once (two terminals, make -j, a cron job) both trained, both swapped their folder in and both said they had
    # saved it: the last one won, and the other run was lost without a word
    import seqcast.backtest
    import seqcast.forecast
    from seqcast import io as sio

    monkeypatch.chdir(tmp_path)
    for module, name in ((seqcast.forecast, "holdout"), (seqcast.backtest, "backtest")):
        monkeypatch.setattr(module, name, lambda *a, **k: pytest.fail("trained while another command held the folder"))
    args = [data_csv if a == "DATA" else a for a in command]
    with sio.holding(target, "seqcast fit other.csv --out m"):
        assert_error(invoke(*args), f"'{target}' is being written by another seqcast command (pid ",
                     ": seqcast fit other.csv --out m); wait for it to end, or choose another directory "
                     "(the path given to save, or --out)")
    assert list(tmp_path.iterdir()) == []  # neither command left a lock file or a folder
    assert_error(invoke("backtest", tmp_path / "nope.csv", "--report"), "nope.csv")  # failing after it held seqcast-out/backtest
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_refused(data_csv, tmp_path):
    f = tmp_path / "model"
    f.write_text("not a folder")
    assert_error(invoke("fit", data_csv, "--out", f, *FAST), "exists and is a file")
    assert f.read_text() == "not a folder"


def test_failing_fit_leaves_the_earlier_model_byte_identical(model_dir, work, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    before = snapshot(d)
    bad = write_csv(work, "bad-for-overwrite.csv", _replace(5, "2000-05-01,oops"))
    assert_error(invoke("fit", bad, "--out", d, *FAST), "not a number")
    assert_error(invoke("fit", bad, "--out", d, *FAST, "--model", "transformer"), "`model`")
    assert snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_failure_during_save_keeps_the_earlier_model(model_dir, data_csv, tmp_path, monkeypatch):
    import seqcast.io

    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    before = snapshot(d)
    real = seqcast.io.write_atomic
    calls = {"n": 0}

    def flaky(path, data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(seqcast.io, "write_atomic", flaky)
    r = invoke("fit", data_csv, "--out", d, *FAST, "--seed", 9)
    assert_error(r, "No space left on device")
    assert calls["n"] == 2
    assert snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temp dirs or files left behind


def test_refit_over_an_earlier_model_replaces_it(model_dir, data_csv, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    assert_ok(invoke("fit", data_csv, "--out", d, *FAST, "--seed", 4))
    assert json.loads((d / "model.json").read_text())["config"]["seed"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_fit_reads_one_series_from_parquet(tmp_path):  # fit's --help names Parquet for one series too, not only long
    p = tmp_path / "one.parquet"
    pd.DataFrame({"date": DATES, "y": VALUES}).to_parquet(p)
    d = tmp_path / "m"
    assert_ok(invoke("fit", p, "--out", d, *FAST))
    meta = json.loads((d / "model.json").read_text())
    assert not meta["long_format"] and meta["series"][0]["schema"]["n_obs"] == len(VALUES)


# ---- help ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [[], ["fit"], ["predict"], ["info"], ["demo"], ["reproduce"], ["reproduce", "airline-tutorial"]],
    ids=lambda a: " ".join(a) or "seqcast",
)
def test_help_has_an_example(args):
    r = invoke(*args, "--help")
    assert r.exit_code == 0, r.output
    assert "Example" in r.stdout


def _example(*command) -> list[str]:
    """The arguments of the first `Example: seqcast ...` line of a command's --help."""
    import shlex

    text = " ".join(invoke(*command, "--help").stdout.split())
    return shlex.split(text.split("Example: seqcast ")[1].split(" Example:")[0].split(" Arguments:")[0].split(" Options:")[0])


def test_predict_example_runs_on_the_model_of_fit_example(tmp_path, monkeypatch):
    # fit's example (--levels 80,95: intervals calibrated for 12 steps) then predict's (--horizon 24): 'error: `horizon`
    # must be <= 12, the horizon the intervals were calibrated for'; both verbatim but fit's size (units, epochs, ensemble)
    monkeypatch.chdir(tmp_path)
    fit = _example("fit")
    assert fit[0] == "fit" and "--levels" in fit
    fit[fit.index("--epochs") + 1] = "2"
    fit[fit.index("--units") + 1] = "4"
    assert_ok(invoke(*fit, "--ensemble", "1", "--no-report", "-q"))
    predict = _example("predict")
    assert predict[:2] == ["predict", "models/airline"], predict
    assert_ok(invoke(*predict))
    assert len(pd.read_csv(tmp_path / "forecast.csv")) == int(predict[predict.index("--horizon") + 1])


def test_help_paragraphs_wrap_to_the_terminal_not_to_the_source_lines():
    # the docstrings' line breaks were kept, so an 80-column terminal showed "compares one step" alone on a line,
    # then "ahead with naive, ..." on the next; a wider terminal gets lines up to cli.HELP_WIDTH (a subprocess: CliRunner
    # makes click's help 80 columns wide)
    import os
    import subprocess
    import sys

    from seqcast.cli import HELP_WIDTH

    for width in (80, 110, 200):
        p = subprocess.run([sys.executable, "-m", "seqcast", "demo", "--help"], capture_output=True, text=True,
                           env={**os.environ, "COLUMNS": str(width)}, check=False)
        assert (p.returncode, p.stderr) == (0, "")
        lines = [line.strip() for line in p.stdout.splitlines()]
        start = next(i for i, line in enumerate(lines) if line.startswith("Fits on the first 80%"))
        paragraph = lines[start: lines.index("", start)]
        assert all(min(width, HELP_WIDTH) - 20 < len(line) <= min(width, HELP_WIDTH) for line in paragraph[:-1]), paragraph
    assert "compares one step ahead with naive" in " ".join(paragraph)


ALL_HELP = [[], ["demo"], ["fit"], ["predict"], ["info"], ["backtest"], ["benchmark"], ["report"], ["reproduce"],
            ["reproduce", "airline-tutorial"], ["reproduce", "airline-honest"], ["reproduce", "homl-ch15"]]


@pytest.mark.parametrize("command", ALL_HELP, ids=lambda a: " ".join(a) or "seqcast")
def test_help_fits_80_columns_with_room_for_the_descriptions(command):
    # rich's option table at 80 columns squeezed fit's descriptions into 17 columns (222 lines, '--precision' alone took
    # 14) and cut '--output-activation' to '--output-activat…'; click's plain help: one description column, names whole
    r = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(map(len, lines)) <= 80 and "…" not in r.stdout and "\\[" not in r.stdout  # no rich markup escapes left
    starts = {len(m.group(1)) for line in lines if (m := re.match(r"(  -.*?  +)\S", line))}  # where descriptions start
    assert len(starts) <= 1 and all(s <= 32 for s in starts), starts  # one column, at least 46 wide
    if command == ["fit"]:
        assert "--output-activation <str>" in r.stdout and len(lines) < 120


def _option_help(command: list, option: str) -> str:
    """The description of `option` in a command's --help, its lines joined."""
    text = invoke(*command, "--help").stdout
    m = re.search(rf"^  {option} [^ ]*\s+(.*?)(?=^  -|\Z)", text, re.MULTILINE | re.DOTALL)
    assert m, (option, text)
    return " ".join(m.group(1).split())


@pytest.mark.parametrize("command", [["demo"], ["fit"], ["backtest"], ["benchmark"], ["reproduce", "airline-tutorial"]],
                         ids=" ".join)
def test_seed_is_described_alike_in_every_command(command):
    # demo's --seed said 'Random seed.'; the other commands say what it seeds
    assert _option_help(command, "--seed").startswith("Seed of the initial weights and the shuffling"), _option_help(command, "--seed")


def test_command_lists_show_each_commands_first_paragraph_whole():
    # click cut it at its first period or at the terminal's width: 'Reproduce the Keras airline tutorial and the
    # Hands-On ML ch.', 'Airline passengers end to end: the default model (a GRU...'
    for command, expected in ((["--help"], "and the Hands-On ML ch. 15 notebook, and compare with their printed results."),
                              (["reproduce", "--help"], "Hands-On ML ch. 15: seven sequence models vs. the notebook's validation MSEs.")):
        r = runner.invoke(app, command, env={"COLUMNS": "80"})
        listing = r.stdout.split("\nCommands:\n")[1]
        assert r.exit_code == 0 and "..." not in listing, r.output
        assert expected in " ".join(listing.split())


@pytest.mark.parametrize("command", [[], ["fit"], ["reproduce"], ["reproduce", "homl-ch15"]], ids=" ".join)
def test_help_command_is_the_commands_help(command):
    # `seqcast help` said "error: No such command 'help'"; `seqcast help fit` is `seqcast fit --help`
    r = invoke("help", *command)
    assert r.exit_code == 0 and r.stdout == invoke(*command, "--help").stdout and r.stderr == "", r.output
    assert f"Usage: seqcast {' '.join(command)}".rstrip() in r.stdout


def test_help_command_of_an_unknown_command_is_one_line():
    assert assert_error(invoke("help", "fitt")) == "error: No such command 'fitt' (did you mean 'fit'?); see 'seqcast --help'"


def test_no_arguments_shows_help():
    r = invoke()
    assert "Usage" in r.output and "Traceback" not in r.output


def test_a_jax_platform_this_machine_lacks_is_one_line(model_dir, data_csv, tmp_path):
    # JAX_PLATFORMS=bogus: fit was JAX's traceback (exit 1), predict called the model corrupt and asked to re-save it
    import os
    import subprocess
    import sys

    env = {**os.environ, "JAX_PLATFORMS": "bogus"}
    for args in (["predict", model_dir, "--horizon", "2"], ["fit", data_csv, "--out", tmp_path / "m", *FAST]):
        p = subprocess.run([sys.executable, "-m", "seqcast", *map(str, args)], capture_output=True, text=True, env=env)
        assert (p.returncode, p.stdout) == (2, ""), p.stderr
        assert re.fullmatch(r"error: JAX cannot start on the platform\(s\) JAX_PLATFORMS='bogus' asks for \(.*bogus.*\); unset "
                            r"JAX_PLATFORMS, or set it to one this machine has, such as 'cpu'\n", p.stderr), p.stderr
    assert not (tmp_path / "m").exists()


def test_quiet_silences_matplotlibs_cache_warning_where_home_is_not_writable(model_dir, tmp_path):
    # -q printed "mkdir -p failed for path ..." and "Matplotlib created a temporary cache directory ..." (a container's HOME)
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MPLCONFIGDIR"}
    env.update(HOME="/proc/none", XDG_CONFIG_HOME="/proc/none", XDG_CACHE_HOME="/proc/none", SEQCAST_CACHE_DIR=str(tmp_path / "c"))
    args = [sys.executable, "-m", "seqcast", "predict", str(model_dir), "--horizon", "2", "--plot", str(tmp_path / "p.png")]
    quiet = subprocess.run([*args, "-q", "--out", str(tmp_path / "fc.csv")], capture_output=True, text=True, env=env)
    assert (quiet.returncode, quiet.stderr) == (0, "") and (tmp_path / "p.png").is_file()
    loud = subprocess.run(args, capture_output=True, text=True, env=env)  # without -q matplotlib's advice stays
    assert loud.returncode == 0 and "MPLCONFIGDIR" in loud.stderr


def test_stdout_closed_by_the_reader_ends_quietly(model_dir, tmp_path):
    # `seqcast ... | head -1`, head gone: "error: cannot use: Broken pipe; check the path and its permissions", exit 2
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-m", "seqcast", "report", str(model_dir), "--out", str(tmp_path / "r.html")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.close()  # the reader is gone before the command prints its one line
    assert (p.wait(), p.stderr.read()) == (1, "")  # as `seqcast --help | true` (typer's own handling), no traceback
    assert (tmp_path / "r.html").is_file()


@pytest.mark.parametrize("args, fix", [(["predict", "m", "--horizon", "2"], "pass --out FILE"), (["info", "m", "--json"], "redirect"),
                                       (["backtest", "airline", "--models", "naive", "--json"], "redirect")])
def test_a_closed_stdout_is_refused_before_any_work(args, fix):
    # `seqcast predict m >&-` (a job that closed stdout) was an AttributeError traceback (exit 1), and --json output
    # was lost with exit 0: Python has no sys.stdout then
    import subprocess
    import sys

    p = subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "seqcast", *args], stderr=subprocess.PIPE, text=True)
    assert p.returncode == 2 and p.stderr.startswith("error: stdout is closed, so the output has nowhere to go; ")
    assert p.stderr.count("\n") == 1 and fix in p.stderr


def test_predict_to_stdout_is_utf8_whatever_the_locale(tmp_path):
    # LC_ALL=de_DE.ISO-8859-1 (or cp1252 on Windows, redirected): `predict m > fc.csv` was a UnicodeEncodeError traceback
    # for the id '東京', and for 'séoul' a Latin-1 file that --out (UTF-8) and seqcast's own readers disagree with
    from conftest import monthly

    d = tmp_path / "m"
    Forecaster(**FAST_KW, seed=0).fit({"東京": monthly(), "séoul": 2 * monthly()}).save(d)
    assert_ok(invoke("predict", d, "--horizon", 2, "--out", tmp_path / "fc.csv", "-q"))
    r = CliRunner(charset="latin-1").invoke(app, ["predict", str(d), "--horizon", "2"])
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes == (tmp_path / "fc.csv").read_bytes() and "東京".encode() in r.stdout_bytes


def test_stdout_that_cannot_encode_a_path_escapes_it(model_dir, tmp_path):
    # Windows (cp1252) or a Latin-1 locale, stdout redirected: `report m --out 東京.html > log.txt` wrote the file, then
    # ended in a UnicodeEncodeError traceback (exit 1) printing its path; stdout escapes it now, as Python's stderr does
    out = tmp_path / "東京.html"
    r = CliRunner(charset="latin-1").invoke(app, ["report", str(model_dir), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == str(out).encode("latin-1", "backslashreplace").decode("latin-1") and out.is_file()


def test_version_and_python_dash_m(tmp_path, monkeypatch):
    # `seqcast --version` was "No such option" and `python -m seqcast` "No module named seqcast.__main__"
    import os
    import subprocess
    import sys

    import seqcast

    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout == f"seqcast {seqcast.__version__}\n"
    monkeypatch.chdir(tmp_path)  # a regression that fits writes ./m here, not in the repository
    root = str(Path(seqcast.__file__).resolve().parents[1])  # this seqcast, imported from any directory
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    p = subprocess.run([sys.executable, "-m", "seqcast", "fit", "airline", "--out", "m", "--window", "0"], capture_output=True, text=True,
                       env=env)
    assert (p.returncode, p.stdout, p.stderr) == (2, "", "error: `window` must be an integer >= 1. Received: window=0\n")
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_end_in_one_full_stop():
    # "error: Missing argument 'data'.; see 'seqcast fit --help'"
    assert assert_error(invoke("fit")) == "error: Missing argument 'DATA'; see 'seqcast fit --help'"
    assert assert_error(invoke("reproduce", "nope")) == "error: No such command 'nope'; see 'seqcast reproduce --help'"
    # "error: No such command 'fitt'. Did you mean 'fit'?; see 'seqcast --help'": the suggestion in brackets, as an option's
    assert assert_error(invoke("fitt")) == "error: No such command 'fitt' (did you mean 'fit'?); see 'seqcast --help'"
    assert (assert_error(invoke("reproduce", "homl")) ==
            "error: No such command 'homl' (did you mean 'homl-ch15'?); see 'seqcast reproduce --help'")
    assert (assert_error(invoke("fit", "airline", "--epoch", "2")) ==
            "error: No such option: --epoch (Possible options: --epochs, --report); see 'seqcast fit --help'")
    # an option without its value: "error: Option '--out' requires an argument." (click's parser gives no command to
    # point to), nested commands too
    assert assert_error(invoke("fit", "airline", "--out")) == "error: Option '--out' requires an argument; see 'seqcast fit --help'"
    assert (assert_error(invoke("reproduce", "airline-tutorial", "--epochs")) ==
            "error: Option '--epochs' requires an argument; see 'seqcast reproduce airline-tutorial --help'")


@pytest.mark.parametrize("command, name", [("fit", "DATA"), ("backtest", "DATA"), ("predict", "MODEL"), ("info", "MODEL"),
                                           ("benchmark", "NAME"), ("report", "RUN_DIR")])
def test_arguments_are_named_alike_in_every_command(command, name):
    # predict's model folder was 'model_dir', info's 'MODEL' (the README's name for both), fit's 'data': in the usage line
    # ({model_dir} beside {MODEL}) and in 'Missing argument ...'; report --out's help names RUN_DIR
    r = invoke(command, "--help")
    assert r.exit_code == 0 and f"Usage: seqcast {command} [OPTIONS] {{{name}}}" in r.stdout, r.output
    assert assert_error(invoke(command)) == f"error: Missing argument '{name}'; see 'seqcast {command} --help'"


# ---- reproduce and demo (the slow ones: LSTM(300) and LSTM(64), 2 epochs) ------------------------------


def test_reproduce_airline_tutorial_json(tmp_path):
    r = invoke("reproduce", "airline-tutorial", "--epochs", 2, "--json", "--out", tmp_path / "run")
    assert_ok(r)
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["data"]["leaks"] is True and len(run["leaderboard"]) == 5 and len(run["predictions"]) == 27
    assert {"forecast.png", "predictions.png", "report.html"} <= {p.name for p in (tmp_path / "run").iterdir()}
    assert 'id="leak-warning"' in (tmp_path / "run" / "report.html").read_text()
    bound = [v for v in run["verdict"] if v.startswith("note: the sigmoid output keeps every forecast")]
    assert len(bound) == 1 and "[104, 505]" in bound[0] and "6 of the 27 test values lie outside it" in bound[0]
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    res = json.loads(lines[0])
    assert res["n_train"] == 105 and res["n_test"] == 27
    for k in ("test_mse_scaled", "rmse", "mape", "fit_s"):
        assert np.isfinite(res[k]), k
    assert set(res["leak_free"]) >= {"rmse", "mape"}
    assert set(res["baselines"]) == {"naive", "snaive", "linear_ar"}
    for b in res["baselines"].values():
        assert set(b) >= {"rmse", "mape"}
    assert res["config"]["epochs"] == 2 and res["config"]["units"] == [300] and res["config"]["scaler_fit"] == "all"

    # the baselines, by hand from the airline CSV shipped with seqcast
    import importlib.resources

    raw = pd.read_csv(importlib.resources.files("seqcast") / "_data" / "airline.csv", header=None)
    v = raw.iloc[:, 1].to_numpy(dtype=float)
    assert len(v) == 144
    t = np.arange(117, 144)
    naive = np.sqrt(np.mean((v[t] - v[t - 1]) ** 2))
    seasonal = np.sqrt(np.mean((v[t] - v[t - 12]) ** 2))
    assert res["baselines"]["naive"]["rmse"] == pytest.approx(naive, rel=1e-9)
    assert res["baselines"]["snaive"]["rmse"] == pytest.approx(seasonal, rel=1e-9)
    assert naive == pytest.approx(50.7, abs=0.05) and seasonal == pytest.approx(47.2, abs=0.05)
    assert res["baselines"]["naive"]["mape"] == pytest.approx(100 * np.mean(np.abs(v[t] - v[t - 1]) / v[t]))


def test_reproduce_airline_tutorial_in_bfloat16_says_so():
    r = invoke("reproduce", "airline-tutorial", "--epochs", 2, "--precision", "bfloat16")
    assert_ok(r)
    assert "one step ahead, bfloat16 matmuls" in r.stdout
    assert "6 of the 27 test values lie outside it" in " ".join(r.stdout.split())  # the leak-free row's bound, said
    # the table's RMSE as the verdict under it writes it (the table said 167.64, the verdict 167.6)
    rmse = re.search(r"verdict \(leak-free\): .* \(RMSE (\S+) vs", r.stdout).group(1)
    assert re.search(rf"seqcast, same model leak-free +│ +\S+ +│ +{re.escape(rmse)} +│", r.stdout), r.stdout
    r = invoke("reproduce", "airline-tutorial", "--epochs", 2, "--precision", "bfloat16", "--json")
    res = json.loads(r.stdout)
    assert res["config"]["precision"] == "bfloat16" and np.isfinite(res["rmse"])


def test_demo_writes_its_outputs(tmp_path):
    out = tmp_path / "demo"
    assert_ok(invoke("demo", "--epochs", 2, "--out", out, "-q"))
    fc = pd.read_csv(out / "forecast.csv", **EXACT)
    assert list(fc.columns) == ["date", "forecast", "lo_80", "hi_80", "lo_95", "hi_95"] and len(fc) == 24
    assert (fc["lo_95"] <= fc["lo_80"]).all() and (fc["lo_80"] <= fc["forecast"]).all() and (fc["forecast"] <= fc["hi_80"]).all()
    assert fc["date"].iloc[0] == "1961-01-01" and fc["date"].iloc[-1] == "1962-12-01"
    assert (out / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tp = pd.read_csv(out / "test_predictions.csv")
    # the default (auto) model's window is 24 months: 120 windows, the last 20% (24) for the test
    assert len(tp) == 24 and {"date", "truth", "GRU", "naive", "snaive"} <= set(tp.columns)
    g = Forecaster.load(out / "model")
    assert g.config.epochs == 2
    np.testing.assert_array_equal(g.forecast(24)["forecast"].to_numpy(), fc["forecast"].to_numpy())
    # the run record and its self-contained report, written by default
    run = json.loads((out / "run.json").read_text())
    assert [r["model"] for r in run["leaderboard"]] == sorted(tp.columns[2:], key=lambda m: np.sqrt(np.mean((tp[m] - tp["truth"]) ** 2)))
    assert len(run["predictions"]) == 24 and run["history"]["loss"] and run["config"]["epochs"] == 2 and run["data"]["leaks"] is False
    assert run["config"]["levels"] == [80.0, 95.0] and "sha256" not in run["data"]  # the built-in airline: no file
    assert [f["file"] for f in run["figures"]] == ["plot.png", "predictions.png"] and (out / "predictions.png").is_file()
    assert run["command"] == f"seqcast demo --out {out} --epochs 2 --quiet"
    html = (out / "report.html").read_text()
    assert 'id="leaderboard"' in html and 'id="training"' in html and html.count("data:image/png;base64,") == 3
    # again without a report: the earlier report would describe other results, so it goes
    assert_ok(invoke("demo", "--epochs", 1, "--out", out, "--no-report", "-q"))
    assert not any((out / n).exists() for n in ("run.json", "report.html", "predictions.png"))
    assert Forecaster.load(out / "model").config.epochs == 1


def test_an_interrupted_demo_leaves_the_earlier_one_whole(tmp_path, monkeypatch):
    """demo wrote model/, forecast.csv, ... into --out one by one: a Ctrl-C between them left a new model beside
    the earlier demo's forecast and report, and said "nothing was saved". It now builds a temp folder and swaps it in."""
    import seqcast.report

    out = tmp_path / "demo"
    assert_ok(invoke("demo", "--epochs", 1, "--out", out, "-q"))
    before = snapshot(out)

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(seqcast.report, "plot_forecast", interrupted)  # after the model is saved in the new folder
    r = invoke("demo", "--epochs", 1, "--seed", 1, "--out", out, "-q")
    assert r.exit_code == 130 and r.stderr.strip() == "interrupted; nothing was saved"
    assert snapshot(out) == before and [p.name for p in tmp_path.iterdir()] == ["demo"]  # no temp folder left


def test_demo_refuses_a_file_as_out(tmp_path):
    f = tmp_path / "out"
    f.write_text("x")
    assert_error(invoke("demo", "--epochs", 1, "--out", f, "-q"), "exists and is a file")
    assert f.read_text() == "x"


def test_demo_keeps_a_run_directory_written_inside_its_folder(tmp_path, monkeypatch):
    """`seqcast demo`, then `seqcast backtest airline --report` (run directory seqcast-out/backtest, inside the demo's
    default --out), then `seqcast demo` again: the second demo replaced seqcast-out as a whole, deleting the backtest's run."""
    import seqcast.forecast

    out = tmp_path / "seqcast-out"
    (out / "model").mkdir(parents=True)
    (out / "model" / "model.json").write_text("{}")  # an earlier demo's marker
    (out / "backtest").mkdir()
    (out / "backtest" / "run.json").write_text("{}")
    before = snapshot(out)
    monkeypatch.setattr(seqcast.forecast, "holdout", lambda *a, **k: pytest.fail("trained before checking --out"))
    assert_error(invoke("demo", "--epochs", 1, "--out", out, "-q"), f"holds a seqcast demo output (model/model.json) and also "
                 f"'{out / 'backtest'}'", "or --out")
    assert snapshot(out) == before
    import typer.main

    demo_out = next(p.default for p in typer.main.get_command(app).commands["demo"].params if p.name == "out")
    assert Path(demo_out) == Path("seqcast-out", "demo")  # by default beside seqcast-out/backtest, not around it


def test_demo_replaces_its_folder_with_the_file_browsers_files_in_it(tmp_path):
    # report.html opened from the macOS Finder (or Windows Explorer) leaves .DS_Store (Thumbs.db, desktop.ini) there:
    # the next `seqcast demo` was refused ("holds an earlier demo and also '.../.DS_Store'")
    from seqcast.cli import DEMO_FILES, DEMO_MARKER, DEMO_WHAT
    from seqcast.errors import ConfigError
    from seqcast.io import check_target

    out = tmp_path / "demo"
    (out / "model").mkdir(parents=True)
    (out / "model" / "model.json").write_text("{}")
    for name in (".DS_Store", "Thumbs.db", "desktop.ini", "report.html"):
        (out / name).write_text("")
    check_target(out, DEMO_MARKER, DEMO_WHAT, DEMO_FILES)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match=r"notes\.txt'"):
        check_target(out, DEMO_MARKER, DEMO_WHAT, DEMO_FILES)


def test_demo_refuses_a_bad_horizon_before_training(tmp_path, monkeypatch):
    # it trained the holdout (and printed its leaderboard on stdout) before the refit refused --horizon 0
    import seqcast.forecast

    monkeypatch.setattr(seqcast.forecast, "holdout", lambda *a, **k: pytest.fail("trained before checking --horizon"))
    assert_error(invoke("demo", "--horizon", 0, "--out", tmp_path / "d"), "`horizon` must be an integer >= 1")
    assert list(tmp_path.iterdir()) == []


def test_fit_refuses_the_current_directory_as_out_before_training(data_csv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import seqcast.forecast

    monkeypatch.setattr(seqcast.forecast, "holdout", lambda *a, **k: pytest.fail("trained before checking --out"))
    for where in (".", ""):
        assert_error(invoke("fit", data_csv, "--out", where, *FAST), "is the current directory")
    assert list(tmp_path.iterdir()) == []


def test_unwritable_out_path_is_one_line(model_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_error(invoke("predict", model_dir, "--out", blocker / "f.csv"), "is a file, so")
    assert blocker.read_text() == "x"


def test_an_unexpected_exception_is_not_hidden_by_the_error_handler(monkeypatch):
    """Bug: `_OneLineErrors` caught click's `Abort`, which typer's vendored click lacks, so any
    unexpected exception surfaced as an AttributeError about `Abort` instead of itself."""
    import seqcast.honest

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(seqcast.honest, "airline_honest", boom)
    r = invoke("reproduce", "airline-honest", "--seeds", 1, "--json")
    assert isinstance(r.exception, RuntimeError) and "boom" in str(r.exception)


def test_run_outputs_never_replace_a_saved_model(model_dir, data_csv, tmp_path):
    """`fit` writes run.json beside its model: a run command's --out, or a file output, must not replace it."""
    import shutil

    m = tmp_path / "m"
    shutil.copytree(model_dir, m)
    before = snapshot(m)
    assert_error(invoke("backtest", data_csv, "--models", "naive,snaive", "--horizon", 3, "--windows", 2, "--out", m, "-q"),
                 "holds a saved seqcast model", "--out")
    assert_error(invoke("report", m, "--out", m / "model.json"), "is a file of the seqcast model")
    assert_error(invoke("predict", m, "--out", m / "weights.safetensors"), "is a file of the seqcast model")
    assert snapshot(m) == before


def test_file_outputs_never_overwrite_a_runs_data(model_dir, data_csv, tmp_path):
    """`report RUN --out RUN/run.json` wrote the HTML over run.json (exit 0; the run could not be reported
    again), and `predict --out RUN/predictions.csv` over a backtest's table; a model's run.json alike."""
    import shutil

    run = tmp_path / "run"
    assert_ok(invoke("backtest", data_csv, "--models", "naive,snaive", "--horizon", 3, "--windows", 2, "--out", run, "-q"))
    m = tmp_path / "m"
    shutil.copytree(model_dir, m)
    before, before_m = snapshot(run), snapshot(m)
    assert_error(invoke("report", run, "--out", run / "run.json"), "is a file of the seqcast run", "would destroy it")
    for name in ("predictions.csv", "series_scores.csv"):
        assert_error(invoke("predict", m, "--out", run / name), "is a file of the seqcast run")
    assert_error(invoke("report", m, "--out", m / "run.json"), "is a file of the seqcast model")
    assert snapshot(run) == before and snapshot(m) == before_m
    assert_ok(invoke("report", run, "--out", run / "report.html"))  # the report itself is rewritten, as by default
    assert_ok(invoke("predict", m, "--horizon", 2, "--out", run / "forecast.csv", "-q"))  # any other name: written


def test_predict_writes_through_a_symlink_and_dash_is_stdout(model_dir, tmp_path):
    real = tmp_path / "shared" / "fc.csv"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "fc.csv"
    link.symlink_to(real)
    assert_ok(invoke("predict", model_dir, "--horizon", 2, "--out", link, "-q"))
    assert link.is_symlink() and real.read_text().splitlines()[0] == "date,forecast"
    r = invoke("predict", model_dir, "--horizon", 2, "--out", "-", "-q")
    assert_ok(r)
    assert r.stdout.splitlines()[0] == "date,forecast" and not (Path.cwd() / "-").exists()


def test_direct_model_without_horizon_forecasts_its_one_step(data_csv, tmp_path):
    d = tmp_path / "direct"
    assert_ok(invoke("fit", data_csv, "--strategy", "direct", "--model", "gru", "--out", d, *FAST))
    r = invoke("predict", d, "-q")  # the default horizon is the one it was trained for: 1
    assert_ok(r)
    assert len(r.stdout.splitlines()) == 2
    assert_error(invoke("predict", d, "--horizon", 3), "`horizon` must be <= 1, the horizon this direct model was trained for",
                 "refit with horizon=3 (CLI: seqcast fit --horizon 3)")


def test_predict_past_the_last_date_pandas_holds(model_dir):
    assert_error(invoke("predict", model_dir, "--horizon", 100000, "--levels", "none"),
                 "`horizon` reaches past 2262-04-11", "Received: horizon=100000")


def test_a_diverging_fit_is_refused_and_keeps_the_earlier_model(model_dir, data_csv, tmp_path):
    import shutil

    m = tmp_path / "m"
    shutil.copytree(model_dir, m)
    before = snapshot(m)
    assert_error(invoke("fit", data_csv, "--model", "gru", "--optimizer", "sgd", "--learning-rate", "1e6", "--out", m, *FAST),
                 "training diverged", "lower `learning_rate`")
    assert_error(invoke("fit", data_csv, "--learning-rate", "inf", "--out", m, *FAST), "`learning_rate` must be a finite number > 0")
    assert snapshot(m) == before


def test_a_model_too_large_for_memory_is_one_line(data_csv, tmp_path):
    assert_error(invoke("fit", data_csv, "--model", "gru", "--units", "1000000000000", "--out", tmp_path / "m", *FAST[2:]),  # fails at once
                 "of memory", "--units")
    assert not (tmp_path / "m").exists()


def test_a_fit_larger_than_the_machine_is_refused_before_any_work(data_csv, model_dir, tmp_path, monkeypatch):
    """GRU(256)'s weights, gradients and Adam moments (5 MB) on a 1 MiB machine: one line naming both, no training, the
    earlier model kept (on a real machine: --units 20000 was minutes of drawing weights, then an out-of-memory kill)."""
    from seqcast import train

    m = tmp_path / "m"
    shutil.copytree(model_dir, m)
    before = snapshot(m)
    monkeypatch.setattr(train, "machine_memory", lambda: 2**20)
    monkeypatch.setattr(train, "_fit", lambda *a: pytest.fail("trained"))
    assert_error(invoke("fit", data_csv, "--model", "gru", "--units", "256", "--window", "6", "--epochs", "2", "--out", m, "-q"),
                 "this fit needs at least", "most of it for the parameters", "the 0.000977 GiB of memory and swap this machine (or container) allows", "--units, --ensemble",
                 "units=[256]")
    assert snapshot(m) == before


def test_a_test_size_holding_out_every_value_is_one_line_in_the_users_terms(data_csv, tmp_path):
    # auto chose on no values: "`auto_config` needs at least one training series with values. Received: none"
    assert_error(invoke("fit", data_csv, "--test-size", "0.999", "--out", tmp_path / "m", *FAST),
                 "no training values left: test_size=0.999 holds out all 60 values; use a smaller `test_size` (CLI --test-size)")
    assert not (tmp_path / "m").exists()


def test_out_of_memory_names_a_config_file_for_commands_without_the_flags(data_csv, monkeypatch):
    """backtest has no --units or --batch-size: "use fewer --units, a smaller --batch-size" named flags it refuses."""
    import seqcast.backtest

    def oom(*args, **kwargs):
        raise MemoryError("Unable to allocate 9.1 TiB")

    monkeypatch.setattr(seqcast.backtest, "backtest", oom)
    assert_error(invoke("backtest", data_csv, "--models", "naive", "--horizon", 3, "--windows", 1, "-q"),
                 "not enough memory (Unable to allocate 9.1 TiB); use fewer --units, a smaller --batch-size or --horizon "
                 "(in a --config file where the command lacks those flags), or less data")


def test_out_of_memory_while_loading_a_model_says_so_not_corrupt(model_dir, monkeypatch):
    # a GPU too full for the weights was "'m' is corrupt or inconsistent (XlaRuntimeError: RESOURCE_EXHAUSTED ...);
    # re-save the model with `seqcast fit`"
    import jax

    def full(*args, **kwargs):
        raise RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 2.0GiB")

    monkeypatch.setattr(jax, "device_put", full)
    msg = assert_error(invoke("predict", model_dir, "--horizon", 2, "-q"),
                       "not enough memory (RESOURCE_EXHAUSTED: Out of memory while trying to allocate 2.0GiB); "
                       "use a smaller --horizon, fewer --ids or --levels, or a machine with more memory")
    assert "corrupt" not in msg


def test_out_of_memory_in_info_does_not_advise_training_smaller(model_dir, monkeypatch):
    # `seqcast info m` out of memory said "use fewer --units, a smaller --batch-size ...": flags it does not have
    import safetensors.numpy

    def oom(*args, **kwargs):
        raise MemoryError("Unable to allocate 9.1 TiB")

    monkeypatch.setattr(safetensors.numpy, "load", oom)
    assert_error(invoke("info", model_dir), "not enough memory (Unable to allocate 9.1 TiB); close other programs, "
                                            "or run it on a machine with more memory")


def test_predict_ids_picks_series(long_model):
    r = invoke("predict", long_model, "--horizon", 2, "--ids", "c,a", "-q")
    assert_ok(r)
    fc = pd.read_csv(io.StringIO(r.stdout))
    assert list(fc["unique_id"]) == ["c", "c", "a", "a"]
    assert_error(invoke("predict", long_model, "--ids", "zz"), "`ids` must be ids of the fitted series", "Received: 'zz'")


def test_backtest_on_long_data_says_what_fill_made_up(work):
    lines = long_lines()
    gap = write_csv(work, "long-gap.csv", lines[:10] + lines[11:])  # one month missing in the first series
    r = invoke("backtest", gap, "--models", "naive", "--horizon", 2, "--fill", "interpolate")
    assert_ok(r)
    assert "note: --fill interpolate filled 1 missing value(s) in 1 of 3 series" in r.stderr


def test_scores_on_filled_data_leave_filled_test_values_unscored(work, tmp_path):
    """--fill filled the whole series before the split: a gap ending at a backtest origin (or a holdout test value) was
    interpolated towards that value, which the forecasts from it then held, and filled test values were scored as if
    observed; a note only said so. Now each training part and input window is filled from its own values, filled test
    values are left unscored, and the note says how many."""
    gap = write_csv(work, "gap-origin.csv", LINES[:57] + LINES[58:])  # value 56 missing: the last before origin 57, a target of 54
    r = invoke("backtest", gap, "--models", "naive", "--horizon", 3, "--windows", 2, "--fill", "interpolate")
    assert_ok(r)
    assert "note: 1 of the 6 test values was filled, not observed: left unscored (every model and baseline is scored on the " \
           "other 5); each training part and input window was interpolated from the values up to its own end" in r.stderr
    r = invoke("backtest", gap, "--models", "naive", "--horizon", 3, "--windows", 2, "--fill", "ffill")
    assert "1 of the 6 test values was filled" in r.stderr and "interpolated from" not in r.stderr
    r = invoke("backtest", gap, "--models", "naive", "--horizon", 3, "--windows", 1, "--fill", "interpolate")
    assert "no test value was filled: all 3 are scored; each training part" in r.stderr  # origin 57 only: its part has the gap
    r = invoke("fit", gap, "--out", tmp_path / "m", "--fill", "interpolate", *FAST[:-1])  # the holdout is scored too
    assert_ok(r)
    assert "1 of the 11 test values was filled" in r.stdout
    assert json.loads((tmp_path / "m" / "run.json").read_text())["data"]["unscored"] == 1
    r = invoke("fit", gap, "--out", tmp_path / "m0", "--fill", "interpolate", "--test-size", 0, *FAST[:-1])  # nothing scored
    assert_ok(r)
    assert "test values" not in r.stdout


def test_fit_keeps_a_filled_test_date_in_test_predictions_with_an_empty_truth_as_backtest_does(work, tmp_path):
    """fit's test_predictions.csv left out the test dates whose value --fill made up, while backtest's predictions.csv
    keeps them with an empty truth. Both keep them now: forecast, not scored; the note and the scores are the observed
    rows'."""
    gap = write_csv(work, "gap-test.csv", LINES[:57] + LINES[58:])  # value 56 missing: a test value of fit and backtest
    r = invoke("fit", gap, "--out", tmp_path / "m", "--fill", "interpolate", *FAST[:-1])
    assert_ok(r)
    assert "1 of the 11 test values was filled" in r.stdout
    tp = pd.read_csv(tmp_path / "m" / "test_predictions.csv", **EXACT)
    assert list(tp["date"]) == [f"{d:%Y-%m-%d}" for d in DATES[-11:]]  # every test date
    filled = tp["date"] == f"{DATES[56]:%Y-%m-%d}"
    assert tp.loc[filled, "truth"].isna().all() and tp.loc[~filled, "truth"].notna().all()
    assert tp.drop(columns="truth").notna().all(axis=None)  # each model forecast the filled date too
    run = json.loads((tmp_path / "m" / "run.json").read_text())
    assert run["data"]["unscored"] == 1 and run["predictions_total"] == 11
    assert [row["truth"] is None for row in run["predictions"]] == list(filled)
    scored = tp[~filled]
    for row in run["leaderboard"]:  # the scores: of the observed rows only
        assert row["rmse"] == pytest.approx(np.sqrt(np.mean((scored["truth"] - scored[row["model"]]) ** 2)), rel=1e-9)
    report = (tmp_path / "m" / "report.html").read_text()
    assert "11 rows." in report and "the 1 filled one forecast too" in report
    assert "on the last 11 points, one step ahead (1 filled, not scored);" in report  # the plotted test span (said 10)
    assert_ok(invoke("backtest", gap, "--models", "naive", "--horizon", 3, "--windows", 2, "--fill", "interpolate",
                     "--out", tmp_path / "b", "-q"))
    bt = pd.read_csv(tmp_path / "b" / "predictions.csv")
    assert bt.loc[bt["date"] == f"{DATES[56]:%Y-%m-%d}", "truth"].isna().all()  # the same row there


def test_infinite_interval_note_counts_the_filled_targets_left_out_of_calibration(work, tmp_path):
    # '24 calibration origin(s) on 1 series gave too few residuals per step (95% needs 19)' read as a contradiction:
    # the filled targets among them were left out of the residuals
    gappy = write_csv(work, "gap-calibration.csv", [line for i, line in enumerate(LINES) if i not in range(40, 58, 2)])
    r = invoke("fit", gappy, "--out", tmp_path / "m", "--fill", "interpolate", "--test-size", 0, "--levels", 95,
               "--horizon", 2, *FAST[:-1])
    assert_ok(r)
    assert "infinite at some or all steps: 24 calibration origin(s) on 1 series, less the 18 filled target values left out, " \
           "gave too few residuals per step (95% needs 19)" in r.stdout


def test_backtest_json_keeps_the_notes_that_qualify_its_scores_on_stderr(work):
    # with --json the notes on interpolated test values, series ending apart and MASE's season were dropped (stdout holds
    # only the JSON either way), while the note on series left out was printed: a script's log lost why scores were optimistic
    gap = write_csv(work, "gap-origin-json.csv", LINES[:57] + LINES[58:])
    args = ("backtest", gap, "--models", "naive", "--horizon", 3, "--windows", 2, "--fill", "interpolate", "--season", 60, "--json")
    r = invoke(*args)
    assert_ok(r)
    assert json.loads(r.stdout)[0]["model"] == "naive"
    assert "note: 1 of the 6 test values was filled" in r.stderr and "season 60" in r.stderr
    p = write_csv(work, "long-ends-json.csv", long_lines())
    r = invoke("backtest", p, "--horizon", 2, "--windows", 2, "--models", "linear", "--epochs", 1, "--ensemble", 1, "--json")
    assert_ok(r)
    assert "note: the series end on different dates" in r.stderr and json.loads(r.stdout)
    assert invoke(*args, "-q").stderr == ""


def test_backtest_says_when_a_global_model_trains_past_another_series_origin(work):
    """Origins are counted from each series' own end: with series ending on different dates, the one global model at an
    origin also trains on values of the later-ending series dated after the earlier one's origin. The run said nothing."""
    p = write_csv(work, "long-ends.csv", long_lines())  # a ends 2003-12, b 2004-04, c 2002-12
    args = ("backtest", p, "--horizon", 2, "--windows", 2)
    r = invoke(*args, "--models", "linear,naive", "--epochs", 1, "--ensemble", 1)
    assert_ok(r)
    assert "note: the series end on different dates ('c' at 2002-12-01, 'b' at 2004-04-01)" in r.stderr
    assert "linear also trains on other series' values dated after that series' origin" in r.stderr
    assert "end on different dates" not in invoke(*args, "--models", "naive").stderr  # a baseline sees one series
    r = invoke(*args, "--models", "linear", "--epochs", 1, "--ensemble", 1, "--out", work / "bt-ends")  # the report says it too
    assert_ok(r)
    assert any("end on different dates" in v for v in json.loads((work / "bt-ends" / "run.json").read_text())["verdict"])
    same = write_csv(work, "long-same-ends.csv", long_lines({"a": (40, 100.0, "2000-01-01"), "b": (30, 5.0, "2000-11-01")}))
    r = invoke("backtest", same, "--horizon", 2, "--windows", 2, "--models", "linear", "--epochs", 1, "--ensemble", 1)
    assert_ok(r)
    assert "end on different dates" not in r.stderr


def test_backtest_leaves_out_a_series_too_short_for_it(work):
    """One 7-value series refused the whole panel (fit pads such a series); now it is left out, with a note."""
    p = write_csv(work, "long-tiny.csv", long_lines({**LONG_IDS, "tiny": (7, 10.0, "2000-01-01")}))
    r = invoke("backtest", p, "--models", "naive,snaive", "--horizon", 3, "--windows", 3, "--json")
    assert_ok(r)
    assert "note: left out 1 of 4 series with fewer than 11 values, too short for 3 origin(s) 3 step(s) apart with horizon 3: tiny" in r.stderr
    r = invoke("backtest", p, "--models", "naive", "--horizon", 3, "--windows", 3, "--out", work / "bt-tiny", "-q")
    assert_ok(r)  # the report said 3 series, and not why the file's fourth was missing
    run = json.loads((work / "bt-tiny" / "run.json").read_text())
    assert run["data"]["n_series"] == 3 and any(v.startswith("note: left out 1 of 4 series") for v in run["verdict"])
    assert "note: left out 1 of 4 series" in (work / "bt-tiny" / "report.html").read_text()
    assert_error(invoke("backtest", p, "--ids", "tiny", "--models", "naive", "--horizon", 3, "--windows", 3),
                 "series 'tiny' has 7 values", "needs at least 11")  # nothing left: refused as before


def test_an_os_error_naming_a_strange_path_is_one_escaped_line(model_dir, monkeypatch):
    # the OSError line printed the file name raw: a newline in it made two lines, an ESC [31m recoloured the terminal
    import seqcast.forecast

    def refused(*a, **k):
        raise PermissionError(13, "Permission denied", "m\x1b[31m\nodd")

    monkeypatch.setattr(seqcast.forecast.Forecaster, "load", refused)
    line = assert_error(invoke("predict", model_dir), "cannot use 'm\\x1b[31m odd': Permission denied")
    assert "\x1b" not in line


def test_fit_says_when_intervals_were_calibrated_on_some_of_the_series(work, tmp_path):
    """A series too short for the calibration origins gets the others' widths at its own scale: only the README's
    Python section said so; fit now notes it."""
    p = write_csv(work, "long-short.csv", long_lines({**LONG_IDS, "tiny": (14, 10.0, "2000-01-01")}))
    r = invoke("fit", p, "--model", "linear", "--window", 6, "--epochs", 2, "--levels", 80, "--out", tmp_path / "m")
    assert_ok(r)
    m = Forecaster.load(tmp_path / "m")
    assert m.calibration_series_ == 3
    assert (f"note: the intervals were calibrated on 3 of 4 series ({m.calibration_windows_} origins one step apart); the 1 "
            "series too short for them get those widths at their own scale") in " ".join(r.stdout.split())


def test_ids_with_terminal_escape_codes_are_printed_escaped(work):
    """A series id holding ESC [31m went raw to the terminal in notes and errors (recolouring it)."""
    red = "t\x1b[31miny"
    p = write_csv(work, "long-esc.csv", long_lines({**LONG_IDS, red: (7, 10.0, "2000-01-01")}))
    r = invoke("backtest", p, "--models", "naive", "--horizon", 3, "--windows", 3, "--json")
    assert_ok(r)
    assert "\x1b" not in r.stderr and "too short for 3 origin(s) 3 step(s) apart with horizon 3: t\\x1b[31miny" in r.stderr
    r = invoke("backtest", p, "--ids", red, "--models", "naive", "--horizon", 3, "--windows", 3)
    assert_error(r, "series 't\\x1b[31miny' has 7 values")
    assert "\x1b" not in r.stderr


def test_predict_ids_to_a_file_counts_the_series_it_wrote(long_model, tmp_path):
    """'wrote 10 forecasts for each of 100 series' when --ids picked 2."""
    r = invoke("predict", long_model, "--horizon", 2, "--ids", "c,a", "--out", tmp_path / "fc.csv")
    assert_ok(r)
    assert "wrote 2 forecasts for each of 2 series" in r.stderr


def test_fit_says_which_model_it_trains_and_what_the_calibration_took(long_csv, tmp_path):
    """fit never said what auto chose (only model.json did), and its seconds left out the calibration fit."""
    r = invoke("fit", long_csv, "--out", tmp_path / "m", "--epochs", 2, "--ensemble", 1, "--strategy", "direct",
               "--horizon", 3, "--levels", "50")
    assert_ok(r)
    first = r.stdout.splitlines()[1]
    assert first.startswith("fitting auto: GRU[32] + linear skip, window ") and "strategy direct (horizon 3)" in first
    assert first.endswith("; then one more fit to calibrate the 50% intervals")
    assert re.search(r"saved the model \(3 series, [0-9.]+s \+ [0-9.]+s calibrating the intervals\)", r.stdout)


def test_out_below_a_file_is_refused_before_training(data_csv):
    assert_error(invoke("fit", data_csv, "--out", data_csv / "m", *FAST), "is a file, so", "cannot be created")


def test_an_unwritable_out_is_refused_before_training(data_csv, tmp_path, monkeypatch):
    # it was found only when the trained model was saved (this machine runs as root: os.access is what says no)
    import os

    import seqcast.train

    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == locked and mode & os.W_OK else real(p, mode, **k))
    monkeypatch.setattr(seqcast.train, "fit", lambda *a, **k: pytest.fail("trained before refusing --out"))
    assert_error(invoke("fit", data_csv, "--out", locked / "m", *FAST), f"'{locked}' is not writable", "choose a directory you can write to")
    monkeypatch.undo()
    assert_ok(invoke("fit", data_csv, "--out", locked / "m", *FAST, "-q"))  # writable as it really is: fine


def test_an_out_where_no_folder_can_be_made_is_refused_before_training(data_csv, tmp_path, monkeypatch):
    # a share whose permissions os.access cannot see, or /sys as root (whom os.access lets write anywhere): fit trained,
    # printed its leaderboard, then said "cannot use '/sys/x': Operation not permitted"
    import errno
    import tempfile

    import seqcast.train

    share = tmp_path / "share"
    share.mkdir()
    real = tempfile.mkdtemp

    def mkdtemp(*a, dir=None, **k):
        if dir is not None and Path(dir) == share:
            raise PermissionError(errno.EPERM, "Operation not permitted", str(Path(dir) / "x"))
        return real(*a, dir=dir, **k)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setattr(seqcast.train, "fit", lambda *a, **k: pytest.fail("trained before refusing --out"))
    for out in (share / "m", share / "new" / "m"):
        assert_error(invoke("fit", data_csv, "--out", out, *FAST),
                     f"'{out}' cannot be created: a folder cannot be made in '{share}' (Operation not permitted); choose a directory")
    assert_error(invoke("backtest", data_csv, "--models", "naive", "--windows", 1, "--report", "--out", share / "run", "-q"),
                 "cannot be created")
    assert list(share.iterdir()) == []
    monkeypatch.undo()
    assert_ok(invoke("fit", data_csv, "--out", share / "m", *FAST))  # it can: saved, and the check left nothing beside it
    assert [p.name for p in share.iterdir()] == ["m"]


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux's /proc")
def test_fit_out_in_proc_is_refused_at_once(data_csv):
    # "error: '/proc/x' could not be held: its lock file '/proc/.x.lock' was replaced 100 times while this command took it
    # (other seqcast commands keep writing that directory)", none of which was so
    assert_error(invoke("fit", data_csv, "--out", "/proc/x", *FAST),
                 "'/proc/x' cannot be created: a folder cannot be made in '/proc' (No such file or directory)")


def test_a_write_protected_out_folder_is_refused_before_training(model_dir, data_csv, tmp_path, monkeypatch):
    # `chmod -R a-w m`: fit replaced m (exit 0) and left the earlier model, undeletable, as '.m.xxxxxxxx.tmp' beside it
    import os

    import seqcast.train

    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    before = snapshot(d)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == d and mode & os.W_OK else real(p, mode, **k))
    monkeypatch.setattr(seqcast.train, "fit", lambda *a, **k: pytest.fail("trained before refusing --out"))
    assert_error(invoke("fit", data_csv, "--out", d, *FAST), f"'{d}' is not writable, so the seqcast model in '{d}' cannot be replaced")
    assert snapshot(d) == before and [p.name for p in tmp_path.iterdir()] == ["m"]


def test_predict_refuses_an_unwritable_out_or_plot_before_printing_anything(model_dir, tmp_path, monkeypatch):
    # the forecast went to stdout (or --out was written), then the plot failed naming its temp file:
    # "cannot use '/ro/.p.png.2h0r6ey7.tmp': Read-only file system"
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == locked and mode & os.W_OK else real(p, mode, **k))
    for flag in ("--out", "--plot"):
        assert_error(invoke("predict", model_dir, flag, locked / "sub" / "f.png"), f"'{locked}' is not writable")
    assert_error(invoke("predict", model_dir, "--out", tmp_path / "f.csv", "--plot", locked / "p.png"), "is not writable")
    assert_error(invoke("reproduce", "homl-ch15", "--plot", locked / "p.png"), "is not writable")  # before its training
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked"] and list(locked.iterdir()) == []


@pytest.mark.parametrize("code, said", [("ENOSPC", "free some space on its disk"), ("EFBIG", "file size limit (ulimit -f)"),
                                         ("EIO", "the disk or network share failed")])
def test_a_full_or_failing_disk_names_the_file_and_the_fix(model_dir, tmp_path, monkeypatch, code, said):
    """`predict --out fc.csv` on a full disk said 'error: cannot use: No space left on device; check the path and its
    permissions': no file (a write's error names none), and a fix that is not one."""
    import errno
    import os

    out = tmp_path / "fc.csv"
    out.write_text("earlier forecast")
    n = getattr(errno, code)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(n, os.strerror(n))))
    assert_error(invoke("predict", model_dir, "--out", out), f"'{out}': {os.strerror(n)}; ", said)
    assert out.read_text() == "earlier forecast" and [p.name for p in tmp_path.iterdir()] == ["fc.csv"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="Linux's always-full device")
def test_predict_out_dev_full_names_it(model_dir):
    assert_error(invoke("predict", model_dir, "--out", "/dev/full"), "cannot write '/dev/full': No space left on device; free some space")
    import subprocess
    import sys

    with open("/dev/full", "w") as full:  # `seqcast info m > /dev/full`: the error names no file
        r = subprocess.run([sys.executable, "-m", "seqcast", "info", str(model_dir)], stdout=full, stderr=subprocess.PIPE, text=True)
    assert (r.returncode, r.stderr) == (2, "error: cannot write the output (stdout): No space left on device; free some space "
                                           "on its disk (or write elsewhere) and run the command again\n")


def test_a_full_disk_during_fit_names_the_model_file_not_the_temp_folder(model_dir, data_csv, tmp_path, monkeypatch):
    import errno
    import os

    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    before = snapshot(d)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))))
    assert_error(invoke("fit", data_csv, "--out", d, *FAST), f"cannot write '{d / 'weights.safetensors'}': No space left on device")
    assert snapshot(d) == before and [p.name for p in tmp_path.iterdir()] == ["m"]


def test_a_folder_as_an_output_file_is_refused_before_the_work(model_dir, tmp_path):
    # reproduce homl-ch15 --plot p.png, p.png a folder: it trained, then "cannot use '.p.png.jpaqi_y5.tmp': Is a directory"
    d = tmp_path / "p.png"
    d.mkdir()
    line = assert_error(invoke("reproduce", "homl-ch15", "--models", "seq2seq-10", "--n-series", 100, "--epochs", 1, "--plot", d), f"'{d}' is a directory")
    assert ".tmp" not in line
    assert_error(invoke("predict", model_dir, "--plot", d), f"'{d}' is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png"] and list(d.iterdir()) == []


def test_reproduce_homl_says_the_plot_path_as_it_is(tmp_path):
    # rich read the path's brackets as markup: "wrote plots//p.png" for plots/[draft]/p.png, and a MarkupError
    # traceback (exit 1) after the training for '[/z].png'
    plot = tmp_path / "[draft]" / "[" / "z].png"  # holds "[draft]" and "[/z]"
    r = invoke("reproduce", "homl-ch15", "--models", "seq2seq-10", "--n-series", 100, "--epochs", 1, "--plot", plot)
    assert_ok(r)
    assert f"wrote {plot}" in " ".join(r.stdout.split()) and plot.is_file()


@pytest.mark.parametrize("plot", ["p.txt", "p"])
def test_plot_format_is_checked_alike_and_before_the_work(model_dir, tmp_path, plot):
    # reproduce homl-ch15 --plot p.txt trained all seven models on 10,000 series, then refused "`path` must end in ..."
    # (an option it has no flag for); predict refused it at once as --plot
    for args in (("reproduce", "homl-ch15"), ("predict", model_dir)):
        assert_error(invoke(*args, "--plot", tmp_path / plot), "--plot must end in .png, .svg or .pdf")
    assert list(tmp_path.iterdir()) == []


def test_toml_model_auto_is_the_auto_choice_with_the_files_options_winning(data_csv, tmp_path):
    toml = tmp_path / "auto.toml"
    toml.write_text('model = "auto"\nepochs = 2\nensemble = 1\nunits = [4]\n')
    assert_ok(invoke("fit", data_csv, "--config", toml, "--out", tmp_path / "a", "-q"))
    assert_ok(invoke("fit", data_csv, "--model", "auto", "--epochs", 2, "--ensemble", 1, "--units", 4, "--out", tmp_path / "b", "-q"))
    a, b = (json.loads((tmp_path / d / "model.json").read_text())["config"] for d in "ab")
    assert a == b and a["model"] == "gru" and a["epochs"] == 2 and a["units"] == [4]
    # backtest --no-auto takes the file's options for the models named in --models (its `model` key names none of them)
    r = invoke("backtest", data_csv, "--no-auto", "--config", toml, "--models", "gru,lstm", "--windows", 1)
    assert_ok(r)
    assert "neural: GRU/LSTM[4], window 12, norm none" in r.stderr


def test_fit_model_auto_in_any_case_is_the_auto_choice(data_csv, tmp_path):
    # --model AUTO (and model = "Auto" in --config) printed 'fitting AUTO[64], window 12, norm none, scaler minmax' and
    # skipped fit's auto steps (the interval window cap), while every other choice is read in any case
    toml = tmp_path / "auto.toml"
    toml.write_text('model = "Auto"\nepochs = 2\nensemble = 1\nunits = [4]\n')
    for args in (["--model", "AUTO", "--epochs", 2, "--ensemble", 1, "--units", 4], ["--config", toml]):
        r = invoke("fit", data_csv, *args, "--out", tmp_path / "m", "--no-report")
        assert_ok(r)
        assert r.stdout.startswith("fitting auto: GRU[4] + linear skip, window 24, norm season"), r.stdout


def test_backtest_config_options_win_over_auto_as_in_fit(data_csv, tmp_path):
    # auto (the default) replaced the file's window, units and epochs without a word
    toml = tmp_path / "run.toml"
    toml.write_text('model = "lstm"\nwindow = 6\nepochs = 2\nunits = [4]\n')
    r = invoke("backtest", data_csv, "--config", toml, "--models", "gru,naive", "--windows", 1, "--ensemble", 1)
    assert_ok(r)
    assert "neural: GRU[4] + linear skip, window 6," in r.stderr and "2 epochs" in r.stderr


@pytest.mark.parametrize("auto", ["--auto", "--no-auto"])
def test_backtest_says_the_horizon_its_models_train_for(data_csv, tmp_path, auto):
    # a --config file's `horizon = 6` beside --horizon 3: 'strategy direct (horizon 6)' on stderr and in run.json, while
    # the models trained and forecast for 3 (under auto since the file's options win over auto's)
    toml = tmp_path / "run.toml"
    toml.write_text('strategy = "direct"\nhorizon = 6\nunits = [4]\nepochs = 1\nensemble = 1\n')
    r = invoke("backtest", data_csv, "--models", "gru,naive", "--horizon", 3, "--windows", 1, auto, "--config", toml,
               "--out", tmp_path / "run")
    assert_ok(r)
    assert "strategy direct (horizon 3)" in r.stderr, r.stderr
    assert json.loads((tmp_path / "run" / "run.json").read_text())["config"]["horizon"] == 3


def _untimed(r) -> list:
    """A backtest's --json rows without fit_s (seconds: two runs differ)."""
    return [{k: v for k, v in row.items() if k != "fit_s"} for row in json.loads(r.stdout)]


@pytest.mark.parametrize("auto", ["--auto", "--no-auto"])
def test_backtest_reads_the_config_files_season(data_csv, tmp_path, auto):
    # `season = 6` in --config was ignored: "season 12", snaive and MASE at 12 (the neural model too), while fit and
    # seqcast.backtest.backtest(config=Config(season=6)) use 6
    toml = tmp_path / "run.toml"
    toml.write_text("season = 6\n")
    args = ("backtest", data_csv, "--models", "snaive", "--horizon", 3, "--windows", 2, auto)
    r = invoke(*args, "--config", toml)
    assert_ok(r)
    assert "season 6" in r.stderr
    assert _untimed(invoke(*args, "--config", toml, "--json")) == _untimed(invoke(*args, "--season", 6, "--json"))
    assert "season 4" in invoke(*args, "--config", toml, "--season", 4).stderr  # the flag wins


def test_backtest_reads_the_config_files_fill(work, tmp_path):
    # `fill = "interpolate"` in --config was ignored (--fill defaulted to none): the file fit reads a gap with was
    # refused by backtest --config with "pass fill='ffill' or fill='interpolate' (CLI --fill)"
    gap = write_csv(work, "gap-bt.csv", LINES[:5] + LINES[6:])  # 2000-05-01 missing
    toml = tmp_path / "run.toml"
    toml.write_text('fill = "interpolate"\n')
    args = ("backtest", gap, "--models", "naive", "--horizon", 3, "--windows", 2)
    r = invoke(*args, "--config", toml)
    assert_ok(r)
    assert "note: --fill interpolate filled 1 missing value(s)" in r.stderr
    assert _untimed(invoke(*args, "--config", toml, "--json")) == _untimed(invoke(*args, "--fill", "interpolate", "--json"))
    assert_error(invoke(*args, "--config", toml, "--fill", "none"), "2000-05-01")  # the flag wins


@pytest.mark.parametrize("auto", ["--auto", "--no-auto"])
def test_backtest_reads_the_config_files_horizon(data_csv, tmp_path, auto):
    # `horizon = 6` in --config was replaced by --horizon's default 12: the direct model fit trained for 6 steps (and its
    # hint 'evaluate it with: seqcast backtest DATA --config FILE') was backtested as another one, trained for 12
    toml = tmp_path / "run.toml"
    toml.write_text('strategy = "direct"\nhorizon = 6\nunits = [4]\nwindow = 6\nepochs = 1\nensemble = 1\n')
    r = invoke("backtest", data_csv, "--models", "gru,naive", "--windows", 1, auto, "--config", toml, "--out", tmp_path / "run")
    assert_ok(r)
    assert "horizon 6, 1 origin(s)" in r.stderr and "strategy direct (horizon 6)" in r.stderr, r.stderr
    assert json.loads((tmp_path / "run" / "run.json").read_text())["data"]["horizon"] == 6
    assert "horizon 12, 1 origin(s)" in invoke("backtest", data_csv, "--models", "naive", "--windows", 1).stderr  # no file: 12


def test_levels_none_means_no_intervals_in_every_command_and_run_json_names_the_models_trained(data_csv, tmp_path):
    # --levels none (as predict reads it) was refused by fit and backtest: "`levels` must be numbers in [1, 100)"
    assert_ok(invoke("fit", data_csv, "--out", tmp_path / "m", *FAST, "--levels", "none"))
    assert json.loads((tmp_path / "m" / "model.json").read_text())["intervals"] is None
    r = invoke("backtest", data_csv, "--models", "lstm,naive", "--horizon", 3, "--windows", 2, "--levels", "None", "--epochs", 1,
               "--ensemble", 1, "--out", tmp_path / "run", "-q")
    assert_ok(r)
    config = json.loads((tmp_path / "run" / "run.json").read_text())["config"]
    assert config["levels"] == [] and config["model"] == "lstm"  # it read auto's "gru" while an LSTM trained


def test_fit_long_names_series_too_short_to_train_on(work, tmp_path):
    p = write_csv(work, "long-short.csv", long_lines({**LONG_IDS, "tiny": (5, 10.0, "2000-01-01")}))
    r = invoke("fit", p, "--out", tmp_path / "m", *FAST[:-1], "--model", "gru")
    assert_ok(r)
    assert "note: 1 series too short for window 6, horizon 1 and the validation tail gave no training windows: tiny" in r.stdout
    fc = pd.read_csv(io.StringIO(invoke("predict", tmp_path / "m", "--horizon", 2, "--ids", "tiny", "-q").stdout))
    assert len(fc) == 2 and np.isfinite(fc["forecast"]).all()


def test_fit_long_of_series_too_short_for_any_window_says_so_before_checking_each_again(work, tmp_path, monkeypatch):
    # 1,000,000 series of 2 values each said 'no training windows' after 9.5 minutes and 7.3 GB (100,000: 51 s), most of
    # them spent checking every series once more and scaling it; now as soon as the file is read (100,000: 10.5 s)
    p = write_csv(work, "long-twos.csv", long_lines({f"s{i}": (2, 10.0 + i, "2000-01-01") for i in range(50)}))
    monkeypatch.setattr(Forecaster, "fit", lambda *a, **k: pytest.fail("fitted"))
    for model in (["--model", "gru"], []):  # and auto
        assert_error(invoke("fit", p, "--out", tmp_path / "m", "--freq", "MS", *FAST, *model),
                     "no training windows: the longest series has 2 values, and one needs 7 values (a window of 6 and 1 target(s))")
    assert not (tmp_path / "m").exists()


def test_predict_plot_draws_the_intervals_of_the_csv(data_csv, tmp_path):
    m = tmp_path / "m"
    assert_ok(invoke("fit", data_csv, "--model", "gru", "--levels", "80", "--test-size", 0, "--out", m, *FAST))
    r = invoke("predict", m, "--horizon", 3, "--plot", tmp_path / "p.svg", "--out", tmp_path / "f.csv")
    assert_ok(r)
    assert "lo_80" in (tmp_path / "f.csv").read_text().splitlines()[0]
    svg = (tmp_path / "p.svg").read_text()
    assert "80% interval" in svg and "forecast (3 ahead)" in svg
    assert f"wrote {tmp_path / 'p.svg'}" in r.stderr


def test_a_symlink_to_a_models_file_is_refused_and_dev_stdout_is_written_in_place(model_dir, tmp_path):
    import shutil

    m = tmp_path / "m"
    shutil.copytree(model_dir, m)
    before = snapshot(m)
    link = tmp_path / "fc.csv"
    link.symlink_to(m / "model.json")
    assert_error(invoke("predict", m, "--horizon", 2, "--out", link), "is a file of the seqcast model")
    assert snapshot(m) == before


def test_predict_plot_leaves_out_an_infinite_band(tmp_path):
    """20 values give too few calibration residuals for finite bounds: the CSV holds inf, and the plot
    must not name a band it cannot draw."""
    p = write_csv(tmp_path, "short.csv", LINES[:21])
    m = tmp_path / "m"
    assert_ok(invoke("fit", p, "--model", "gru", "--levels", "80,95", "--horizon", 12, "--test-size", 0, "--patience", 0,
                     "--out", m, *FAST))
    assert_ok(invoke("predict", m, "--horizon", 3, "--plot", tmp_path / "p.svg", "--out", tmp_path / "f.csv", "-q"))
    assert "inf" in (tmp_path / "f.csv").read_text()
    svg = (tmp_path / "p.svg").read_text()
    assert "% interval" not in svg and "forecast (3 ahead)" in svg



def test_the_too_short_note_counts_the_validation_tail(work, tmp_path):
    """25 values, window 12, a direct horizon of 12: one window, and validation takes it."""
    p = write_csv(work, "long-val.csv", long_lines({"a": (80, 100.0, "2000-01-01"), "tiny": (25, 10.0, "2000-01-01")}))
    r = invoke("fit", p, "--out", tmp_path / "m", "--model", "gru", "--units", 4, "--epochs", 1, "--window", 12,
               "--strategy", "direct", "--horizon", 12)
    assert_ok(r)
    assert "gave no training windows: tiny" in r.stdout


# ---- what fit and demo write into --out -------------------------------------------------------------------


def test_demo_refuses_a_folder_that_is_not_an_earlier_demo_output(model_dir, tmp_path):
    """Bug: demo checked only --out/model, then wrote forecast.csv, plot.png, report.html, run.json into any
    folder (overwriting the user's files of those names), and with --no-report deleted the user's run.json,
    report.html and predictions.png there. A fit model directory got its run.json and report replaced."""
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in ("forecast.csv", "report.html", "run.json", "predictions.png", "notes.txt"):
        (mine / name).write_text(f"the user's {name}")
    fitted = tmp_path / "fitted"
    shutil.copytree(model_dir, fitted)
    for folder in (mine, fitted):
        before = snapshot(folder)
        for flag in ("--report", "--no-report"):
            assert_error(invoke("demo", "--epochs", 1, "--out", folder, flag, "-q"), "is not empty", "--out")
            assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fitted", "mine"]



def test_fit_failing_after_the_model_is_written_keeps_the_earlier_model_and_report(model_dir, data_csv, tmp_path, monkeypatch):
    """Bug: fit swapped the new model in first and wrote test_predictions.csv, the plots and the report into the
    folder afterwards: a failure (or Ctrl-C, which says "nothing was saved") there left the new model beside the
    earlier run's report, or none, and the command failed with the earlier model already gone."""
    import seqcast.report

    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    before = snapshot(d)

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(seqcast.report, "predictions_vs_truth", full)
    assert_error(invoke("fit", data_csv, "--out", d, *FAST, "--seed", 9), "No space left on device")
    assert snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_every_json_output_is_strict(capsys):
    # the reproduce commands wrote json.dumps' NaN (not JSON) where a metric was not finite; backtest wrote null
    from seqcast import cli

    cli._echo_json({"rmse": float("nan"), "fit_s": np.float32(1.5), "per_seed": (np.inf, 2), "n": np.int64(3)})
    line = capsys.readouterr().out
    assert json.loads(line, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}")) == {
        "rmse": None, "fit_s": 1.5, "per_seed": [None, 2], "n": 3}


def test_tables_in_a_narrow_terminal_keep_their_numbers(monkeypatch):
    from rich.table import Table

    from seqcast.cli import _console

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setattr("sys.stdout", Terminal())
    t = Table(title="backtest")
    for c in ("model", "MASE", "sMAPE %", "RMSE", "MAE", "RMSSE", "cov 80%", "cov 95%", "fit s"):
        t.add_column(c)
    t.add_row("window_average", "1.340", "2.69", "3.672", "2.79", "1.288", "81.2", "n/a", "0.0")
    con = _console()
    con.print(t)
    out = con.file.getvalue()
    assert "window_average" in out and "1.340" in out and "3.672" in out and "…" not in out  # the terminal wraps; rich cuts nothing


@pytest.mark.parametrize("no_color", ["", "1"])
def test_no_color_leaves_a_terminal_without_escape_codes(monkeypatch, no_color):
    # NO_COLOR=1 on a terminal: the leaderboard's header was still bold and its title italic (ESC[1m, ESC[3m: rich's
    # no_color drops colours only); without it the terminal gets them
    from rich.table import Table

    from seqcast.cli import _console

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr("sys.stdout", Terminal())
    t = Table(title="backtest")
    t.add_column("model")
    t.add_row("[red]gru[/]")
    con = _console()
    con.print(t)
    out = con.file.getvalue()
    assert "gru" in out and ("\x1b" in out) == (no_color == "")


@pytest.mark.parametrize("argv", [["--help"], ["fit", "--help"], ["info", "--help"], ["reproduce", "homl-ch15", "--help"]])
def test_help_does_not_import_jax(argv):
    """Issue 5, start-up: `seqcast --help` answers without importing JAX (it is imported only when needed)."""
    import subprocess
    import sys

    code = ("import sys; from seqcast.cli import main; sys.argv = ['seqcast'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('jax' in sys.modules, 'optax' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=True)
    assert "Usage" in out.stdout and out.stderr.strip().splitlines()[-1] == "False False"


def _signal_during_report(monkeypatch, signum, swallow: bool = False):
    """Deliver `signum` to this process while fit writes its report into the temp folder; `swallow`: the way
    JAX's gc callback does (Python prints "Exception ignored" there and goes on)."""
    import os

    import seqcast.report

    real = seqcast.report.predictions_vs_truth

    def signalled(*a, **k):
        try:
            os.kill(os.getpid(), signum)
            sum(range(1000))  # a few bytecodes: the Python handler runs here
        except KeyboardInterrupt:
            if not swallow:
                raise
        return real(*a, **k)

    monkeypatch.setattr(seqcast.report, "predictions_vs_truth", signalled)


@pytest.mark.parametrize("sig, code, word", [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated")])
def test_a_signal_while_the_command_line_is_parsed_is_one_line(tmp_path, sig, code, word):
    # Ctrl-C in the ~0.3 s between the imports and the command's own handlers: exit 130 without a word (typer's
    # KeyboardInterrupt -> Exit(130)); SIGTERM there killed the process (-15). The signal is sent from the parser
    import subprocess
    import sys

    script = ("import os, signal, sys\n"
              "import typer.core\n"
              "from seqcast import cli\n"
              "parse = typer.core.TyperGroup.parse_args\n"
              "def parse_args(self, ctx, args):\n"
              f"    os.kill(os.getpid(), signal.{sig})\n"
              "    return parse(self, ctx, args)\n"
              "typer.core.TyperGroup.parse_args = parse_args\n"
              "sys.argv = ['seqcast', 'fit', 'airline', '--out', 'm']\n"
              "cli.main()\n")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert (p.returncode, p.stdout, p.stderr) == (code, "", f"{word}; nothing was saved\n")
    assert list(tmp_path.iterdir()) == []


def test_sigterm_during_the_save_keeps_the_earlier_model_and_leaves_no_temp_folder(model_dir, data_csv, tmp_path, monkeypatch):
    """Bug: SIGTERM (a `timeout`, a job scheduler, `kill`) killed fit at once: '.m.xxxx.tmp' folders were left beside
    the model, with no message. It now unwinds like Ctrl-C: one line, exit 143, no leftovers."""
    import signal

    def unhandled(signum, frame):  # without the CLI's own handler this test must fail, not kill pytest
        raise RuntimeError("SIGTERM reached the default handler")

    earlier = signal.signal(signal.SIGTERM, unhandled)
    try:
        d = tmp_path / "m"
        shutil.copytree(model_dir, d)
        before = snapshot(d)
        _signal_during_report(monkeypatch, signal.SIGTERM)
        r = invoke("fit", data_csv, "--out", d, *FAST, "--seed", 9)
        assert r.exit_code == 143, (r.exit_code, r.output, r.exception)
        assert r.stderr.strip() == "terminated; nothing was saved"
        assert snapshot(d) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
        assert signal.getsignal(signal.SIGTERM) is unhandled  # put back after the command
    finally:
        signal.signal(signal.SIGTERM, earlier)


def test_sigterm_after_the_swap_says_the_model_was_saved_and_leaves_no_half_deleted_folder(model_dir, data_csv, tmp_path, monkeypatch):
    """Bug: a SIGTERM landing while fit deleted the earlier folder it had just swapped out said 'terminated; nothing was
    saved', the new model being in place, and left '.m.xxxxxxxx.tmp' (the earlier model, partly deleted) beside it."""
    import os
    import signal

    def unhandled(signum, frame):
        raise RuntimeError("SIGTERM reached the default handler")

    real, calls = shutil.rmtree, []

    def signalled(*a, **k):  # the first rmtree of the command: the earlier folder, after the swap
        calls.append(a[0])
        if len(calls) == 1:
            os.kill(os.getpid(), signal.SIGTERM)
            sum(range(1000))  # a few bytecodes: the Python handler runs here
        return real(*a, **k)

    earlier = signal.signal(signal.SIGTERM, unhandled)
    try:
        d = tmp_path / "m"
        shutil.copytree(model_dir, d)
        before = snapshot(d)
        monkeypatch.setattr(shutil, "rmtree", signalled)
        r = invoke("fit", data_csv, "--out", d, *FAST, "--seed", 9)
    finally:
        signal.signal(signal.SIGTERM, earlier)
    assert r.exit_code == 143, (r.exit_code, r.output, r.exception)
    assert r.stderr.strip() == f"terminated; saved before it: '{d}'"
    assert snapshot(d) != before and Forecaster.load(d).config_.seed == 9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


@pytest.mark.parametrize("name, code, said", [("SIGINT", 130, "interrupted"), ("SIGTERM", 143, "terminated")])
def test_a_swallowed_signal_still_stops_the_save(model_dir, data_csv, tmp_path, monkeypatch, name, code, said):
    """Bug: a Ctrl-C landing in a gc callback (JAX's _xla_gc_callback) was printed as 'Exception ignored ...
    KeyboardInterrupt' with a traceback, and fit went on to replace the earlier model and exit 0."""
    import signal

    d = tmp_path / "m"
    shutil.copytree(model_dir, d)
    before = snapshot(d)
    _signal_during_report(monkeypatch, getattr(signal, name), swallow=True)
    r = invoke("fit", data_csv, "--out", d, *FAST, "--seed", 9)
    assert r.exit_code == code, (r.exit_code, r.output, r.exception)
    assert r.stderr.strip() == f"{said}; nothing was saved"
    assert snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    # the command is over: the flag does not stay set for the library calls that follow in this process (tests run
    # commands in-process; a later Forecaster.fit or save raised KeyboardInterrupt at once)
    from seqcast import io

    assert not io.INTERRUPTED.is_set()


def commands(cmd=None, path: str = "seqcast"):
    """(path, click command) of `seqcast` and of each of its commands and groups, nested ones too."""
    import typer.main

    cmd = typer.main.get_command(app) if cmd is None else cmd
    yield path, cmd
    for name, sub in getattr(cmd, "commands", {}).items():
        yield from commands(sub, f"{path} {name}")


def test_every_option_of_every_command_says_what_it_does():
    # backtest's and benchmark's --epochs and --seed, and reproduce airline-tutorial's --seed, had no help text
    bare = [f"{path} {p.opts[0]}" for path, cmd in commands()
            for p in cmd.params if p.param_type_name == "option" and not p.hidden and not (p.help or "").strip()]
    assert bare == []


def test_every_command_takes_quiet(model_dir, tmp_path):
    # `seqcast report RUN -q` and `seqcast info MODEL -q` were "No such option: -q" (exit 2), every other command taking it
    lacking = [path for path, cmd in commands() if not hasattr(cmd, "commands") and not any("-q" in p.opts for p in cmd.params)]
    assert lacking == []
    html = tmp_path / "r.html"
    r = invoke("report", model_dir, "--out", html, "-q")
    assert_ok(r)
    assert r.stdout == r.stderr == "" and "<html" in html.read_text(encoding="utf-8")  # written, its path not printed
    assert invoke("report", model_dir, "--out", html).stdout.strip() == str(html)  # without -q: printed as before
    shown = invoke("info", model_dir)
    assert shown.exit_code == 0 and invoke("info", model_dir, "-q").stdout == shown.stdout  # the facts are what was asked for


def test_epochs_and_ensemble_help_names_the_config_files_value_which_wins_over_auto(data_csv, tmp_path):
    # backtest --ensemble said "default: 5; with --no-auto the config's", fit --epochs "the automatic choice; without
    # auto, the --config file's": under auto (the default) a --config file's epochs and ensemble win too
    import typer.main

    cmds = typer.main.get_command(app).commands
    for cmd in ("fit", "backtest"):
        helps = {p.name: p.help for p in cmds[cmd].params}
        assert "default: the --config file's, else" in helps["epochs"] and "default: the --config file's, else" in helps["ensemble"]
    toml = tmp_path / "run.toml"
    toml.write_text("units = [4]\nwindow = 6\nepochs = 1\nensemble = 2\n")
    r = invoke("backtest", data_csv, "--config", toml, "--models", "gru", "--horizon", 3, "--windows", 1)
    assert_ok(r)
    assert "1 epochs, 2-member ensemble" in r.stderr, r.stderr


@pytest.mark.parametrize("command", [[], ["fit"], ["predict"], ["info"], ["backtest"], ["benchmark"], ["report"], ["demo"],
                                     ["reproduce"], ["reproduce", "homl-ch15"]])
def test_dash_h_is_help_in_every_command(command):
    # `seqcast -h` was "No such option: -h", and `seqcast backtest -h` "Option '-h' requires an argument" (--horizon)
    r = invoke(*command, "-h")
    assert r.exit_code == 0 and "Usage: seqcast" in r.stdout and r.stdout == invoke(*command, "--help").stdout


@pytest.mark.parametrize("command", [[], ["reproduce"]], ids=["seqcast", "reproduce"])
def test_no_arguments_prints_the_help_once(command):
    # `seqcast` and `seqcast reproduce` alone printed the whole help twice: typer's rich help prints as it is formatted
    r = invoke(*command)
    assert r.exit_code == 0 and r.stdout.count("Usage: seqcast") == 1 and r.stdout == invoke(*command, "--help").stdout


@pytest.mark.parametrize("args, hint", [
    (["fit", "airline", "--out", "m", "--model", "lsmt"], "Received: model='lsmt'; did you mean 'lstm'?"),
    (["fit", "airline", "--out", "m", "--loss", "maee"], "Received: loss='maee'; did you mean 'mae'?"),
    (["backtest", "airline", "--models", "gru,snaiv"], "Received: 'snaiv'; did you mean 'snaive'?"),
    (["benchmark", "turism-monthly"], "Received: name='turism-monthly'; did you mean 'tourism-monthly'?"),
    (["reproduce", "homl-ch15", "--models", "seq2seq10"], "did you mean 'seq2seq-10'?"),
], ids=["fit", "typo", "backtest", "benchmark", "homl"])
def test_a_near_miss_of_a_name_gets_a_did_you_mean(args, hint, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = assert_error(invoke(*args), hint)
    assert line.endswith(hint)
    assert list(tmp_path.iterdir()) == []


def test_no_did_you_mean_without_a_near_miss(tmp_path):
    assert "did you mean" not in assert_error(invoke("fit", "airline", "--out", tmp_path / "m", "--model", "transformer"))


def test_fit_reads_units_and_output_activation_as_their_help_spells_them(data_csv, tmp_path):
    # --units "4 4" was one layer of 44 units (the spaces dropped); --output-activation none was refused
    r = invoke("fit", data_csv, "--out", tmp_path / "m", *FAST[2:], "--units", "4 4", "--output-activation", "none",
               "--test-size", 0)
    assert_ok(r)
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    assert meta["config"]["units"] == [4, 4] and meta["config"]["output_activation"] is None
    assert_error(invoke("fit", data_csv, "--out", tmp_path / "m2", *FAST[2:], "--units", "4,"), "`units` must be comma-separated")


def test_the_ends_note_names_the_series_behind_and_where_most_end(capsys):
    from seqcast import cli

    def s(end: str, n: int = 3):
        return pd.Series(1.0, index=pd.date_range(end=end, periods=n, freq="MS"))

    cli._ends_note({"a": s("2006-06-01"), "b": s("2006-06-01"), "c": s("2010-12-01")}, quiet=False)
    assert capsys.readouterr().err.splitlines() == [
        "note: the series in --data end on different dates: 1 of 3 at 2010-12-01, 2 earlier ('a' at 2006-06-01, 'b' at "
        "2006-06-01) (most end at 2006-06-01: 2 series); each is forecast from its own last date"]
    cli._ends_note({"a": s("2006-06-01"), "b": s("2006-06-01")}, quiet=False)  # together: nothing to say
    cli._ends_note({"a": s("2006-06-01"), "c": s("2010-12-01")}, quiet=True)
    assert capsys.readouterr().err == ""


def test_help_on_a_stdout_that_cannot_encode_its_ellipsis(tmp_path):
    # PYTHONIOENCODING=ascii or a Latin-1 locale (LC_ALL=C PYTHONUTF8=0 too), 80 columns: `seqcast fit --help` was a
    # UnicodeEncodeError traceback (exit 1): rich cuts '--output-activation' to '--output-activat…' and U+2026 has no byte
    import os
    import subprocess
    import sys

    r = CliRunner(charset="latin-1").invoke(app, ["fit", "--help"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, (r.output, r.exception)
    assert "--output-activat" in r.stdout and "--out" in r.stdout
    env = {**os.environ, "COLUMNS": "80", "LC_ALL": "C", "PYTHONUTF8": "0"}  # stdout: ASCII, errors="surrogateescape"
    env.pop("PYTHONIOENCODING", None)
    p = subprocess.run([sys.executable, "-m", "seqcast", "fit", "--help"], capture_output=True, text=True, env=env)
    assert (p.returncode, p.stderr) == (0, "") and "--output-activat" in p.stdout


def test_commands_it_prints_for_a_name_with_a_leading_dash_run(tmp_path, monkeypatch):
    # `seqcast fit --out -m -- -d.csv` said "forecast with: seqcast predict -m" and run.json's (the report's Reproduce)
    # "seqcast fit -d.csv ...": both "error: No such option: -m" / "-d"; now ./-m and ./-d.csv
    import shlex

    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path, "-d.csv", LINES)
    r = invoke("fit", "--out", "-m", "--model", "gru", *FAST[:-1], "--", "-d.csv")
    assert_ok(r)
    hint = r.stdout.strip().split("forecast with: ")[1]
    assert hint.startswith("seqcast predict ./-m ")
    assert_ok(invoke(*shlex.split(hint)[1:]))
    command = json.loads((tmp_path / "-m" / "run.json").read_text(encoding="utf-8"))["command"]
    assert shlex.split(command)[:5] == ["seqcast", "fit", "./-d.csv", "--out", "-m"]


def test_empty_models_and_a_seed_count_below_one_are_one_line_refusals():
    """Coverage audit: `reproduce homl-ch15 --seeds 0` and `backtest --models ' , '` had no test."""
    assert_error(invoke("reproduce", "homl-ch15", "--seeds", 0), "`seeds` must be >= 1. Received: seeds=0")
    assert_error(invoke("backtest", "airline", "--models", " , "), "`models` must name at least one model, e.g. 'gru,naive'. Received: models=' , '")


def test_fit_on_values_far_beyond_1_with_scaler_none_warns_once_in_one_line(tmp_path):
    """`seqcast fit big.csv --model gru --scaler none` (the airline x1e9) exited 0 with GRU forecasts all 0 and no word but
    'GRU is WORSE'; now one 'warning: ...' line (the holdout's fit and the refit: once), none with -q; still exit 0."""
    from seqcast import datasets

    path = tmp_path / "big.csv"
    (datasets.airline() * 1e9).to_frame("y").to_csv(path)
    args = ["fit", str(path), "--model", "gru", "--scaler", "none", "--units", "4", "--epochs", "2", "--out"]
    r = runner.invoke(app, args + [str(tmp_path / "m1")])
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if "saturate" in line]
    assert lines == [("warning: GRU inputs reach 5.05e+11 on values as they are (scaler='none'): its tanh/sigmoid cells saturate beyond "
                      "about 10, and the forecasts go flat; use a scaler that brings them near 1 (scaler='standard' or 'minmax'; CLI --scaler)")]
    assert "SeqcastWarning" not in r.output
    r = runner.invoke(app, args + [str(tmp_path / "m2"), "-q"])
    assert r.exit_code == 0 and "warning" not in r.output, r.output
    r = runner.invoke(app, [a if a != "none" else "minmax" for a in args] + [str(tmp_path / "m3")])
    assert r.exit_code == 0 and "warning" not in r.output, r.output
    # run.json and report.html record it too (-q: not printed, still recorded); none for minmax
    for m, said in (("m1", [lines[0].removeprefix("warning: ")]), ("m2", [lines[0].removeprefix("warning: ")]), ("m3", [])):
        assert json.loads((tmp_path / m / "run.json").read_text())["warnings"] == said, m
        assert ('id="fit-warnings" role="alert"' in (tmp_path / m / "report.html").read_text(encoding="utf-8")) == bool(said), m


def test_backtest_run_records_the_saturation_warning_once(tmp_path):
    """`backtest --report` of a GRU with scaler 'none' on the airline x1e9: said once for its fits at 2 origins, and now
    recorded once in run.json's warnings and report.html's box, which the printed line alone did not leave behind."""
    from seqcast import datasets

    (datasets.airline() * 1e9).to_frame("y").to_csv(tmp_path / "big.csv")
    (tmp_path / "none.toml").write_text('model = "gru"\nscaler = "none"\nunits = [4]\n')
    r = runner.invoke(app, ["backtest", str(tmp_path / "big.csv"), "--models", "gru,naive", "--config", str(tmp_path / "none.toml"),
                            "--no-auto", "--epochs", "2", "--horizon", "6", "--windows", "2", "--report", "--out", str(tmp_path / "bt")])
    assert r.exit_code == 0, r.output
    said = json.loads((tmp_path / "bt" / "run.json").read_text())["warnings"]
    assert len(said) == 1 and said[0].startswith("GRU inputs reach 5.59e+11 on values as they are (scaler='none')"), said
    assert [line for line in r.output.splitlines() if "saturate" in line] == [f"warning: {said[0]}"]
    assert (tmp_path / "bt" / "report.html").read_text(encoding="utf-8").count('id="fit-warnings"') == 1


def test_encoding_reads_a_korean_excel_csv_in_fit_predict_and_backtest(tmp_path):
    """Korean Excel's 'CSV' (cp949) was refused with no way but re-saving it: --encoding cp949 reads it in fit, predict
    --data and backtest (long format too); run.json records it, and its command line re-runs with it."""
    kr = tmp_path / "kr.csv"
    kr.write_bytes("\r\n".join(["월,승객수"] + [f"{d:%Y-%m},{v:.2f}" for d, v in monthly(48).items()]).encode("cp949"))
    assert_error(invoke("fit", kr, "--out", tmp_path / "m0", *FAST), "is not UTF-8 text: line 1",
                 "it reads as cp949 (Korean): pass encoding='cp949' (CLI --encoding cp949)")
    assert_error(invoke("fit", kr, "--out", tmp_path / "m0", "--encoding", "kr", *FAST),
                 "`encoding` must be a codec Python knows, such as utf-8, cp949, cp1252, latin-1. Received: encoding='kr'")
    assert not (tmp_path / "m0").exists()
    d = tmp_path / "m"
    assert_ok(invoke("fit", kr, "--out", d, "--encoding", "cp949", "--model", "gru", *FAST))
    run = json.loads((d / "run.json").read_text())
    assert run["data"]["encoding"] == "cp949" and " --encoding cp949 " in run["command"]
    assert Forecaster.load(d).columns_["value"] == "승객수"
    r = invoke("predict", d, "--data", kr, "--encoding", "cp949", "--horizon", 3)
    assert_ok(r)
    from seqcast.data import load_series

    want = Forecaster.load(d).forecast(3, y=load_series(kr, encoding="cp949"))
    np.testing.assert_array_equal(pd.read_csv(io.StringIO(r.stdout))["forecast"].to_numpy(), want["forecast"].to_numpy())
    # the model keeps the fit's encoding: the nightly predict --data of the same export needs no --encoding (it had to
    # pass it again, or was refused); Python's forecast(h, y=path) reads the path in it too; --encoding given wins
    assert json.loads((d / "model.json").read_text(encoding="utf-8"))["encoding"] == "cp949"
    assert invoke("predict", d, "--data", kr, "--horizon", 3).stdout == r.stdout
    assert Forecaster.load(d).forecast(3, y=kr).equals(want)
    assert_error(invoke("predict", d, "--data", kr, "--encoding", "utf-8"), "is not utf-8 text")
    # the same data saved as UTF-8 since (with or without Excel's BOM), given without --encoding: the model's cp949 read it
    # and refused it, "is not cp949 text ... save it as UTF-8"; a file in UTF-8 already is read as UTF-8
    for name, bom in (("utf8.csv", b""), ("utf8_bom.csv", b"\xef\xbb\xbf")):
        utf8 = tmp_path / name
        utf8.write_bytes(bom + kr.read_bytes().decode("cp949").encode("utf-8"))
        assert invoke("predict", d, "--data", utf8, "--horizon", 3).stdout == r.stdout
        assert Forecaster.load(d).forecast(3, y=utf8).equals(want)
    assert "read in cp949 (predict --data's default)" in invoke("info", d).stdout
    assert json.loads(invoke("info", d, "--json").stdout)["data"]["encoding"] == "cp949"
    old = tmp_path / "old"  # a model saved before the encoding was kept (or fitted without --encoding): as before
    shutil.copytree(d, old)
    meta = json.loads((old / "model.json").read_text(encoding="utf-8"))
    del meta["encoding"]
    (old / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    assert_error(invoke("predict", old, "--data", kr), "is not UTF-8 text", "--encoding cp949")
    assert invoke("predict", old, "--data", kr, "--encoding", "cp949", "--horizon", 3).stdout == r.stdout
    assert "read in" not in invoke("info", old).stdout and json.loads(invoke("info", old, "--json").stdout)["data"]["encoding"] is None
    long_kr = tmp_path / "long_kr.csv"
    rows = [f"{k},{d:%Y-%m-%d},{v:.2f}" for k, s in (("서울", monthly(48)), ("부산", 2 * monthly(48))) for d, v in s.items()]
    long_kr.write_bytes("\n".join(["지점,ds,y", *rows]).encode("cp949"))
    r = invoke("backtest", long_kr, "--id-column", "지점", "--encoding", "cp949", "--models", "naive,snaive", "--json", "-q")
    assert_ok(r)
    assert {row["model"] for row in json.loads(r.stdout)} == {"naive", "snaive"}


def test_hangul_column_without_a_cjk_font_is_said_once(tmp_path, monkeypatch):
    """`seqcast fit 한글.csv` (a column named 승객수) drew its title and y label as empty boxes and said nothing; now one
    'warning: ...' line with the font to install (fit draws two plots: said once), the plots still written; backtest
    --json says it on stderr, stdout stays JSON; an ASCII column: none."""
    from seqcast import report

    monkeypatch.setattr(report, "_CJK_FONTS", ())  # as where no CJK font is installed (CI machines)
    data = write_csv(tmp_path, "한글.csv", ["월,승객수"] + LINES[1:])
    r = runner.invoke(app, ["fit", str(data), "--out", str(tmp_path / "모델"), *FAST[:-1]])
    assert_ok(r)
    said = [line for line in r.output.splitlines() if "no installed font draws" in line]
    assert len(said) == 1 and said[0].startswith("warning: the plot's labels hold characters no installed font draws ('승객수')"), r.output
    assert "fonts-noto-cjk" in said[0] and "Glyph" not in r.output
    assert (tmp_path / "모델" / "test_plot.png").stat().st_size > 0
    assert json.loads((tmp_path / "모델" / "run.json").read_text())["warnings"] == []  # no fit's warning (nor `info`'s)
    r = runner.invoke(app, ["backtest", str(data), "--models", "naive", "--horizon", "6", "--windows", "2", "--json",
                            "--report", "--out", str(tmp_path / "bt")])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["model"] == "naive"
    assert [line for line in r.stderr.splitlines() if "no installed font draws" in line] == [said[0]]
    r = runner.invoke(app, ["fit", str(write_csv(tmp_path, "a.csv", LINES)), "--out", str(tmp_path / "m"), *FAST[:-1]])
    assert_ok(r)
    assert "font" not in r.output


def test_fit_reads_a_file_of_dollar_amounts(tmp_path):
    """A sales export with Excel's currency format ('$112,000.50' on every value) was refused ("not a number"): fit
    reads it (exit 0) and forecasts in dollars, as from the same file written plainly."""
    values = [112000 + 1500 * i + (i % 12) * 900.5 for i in range(48)]
    dates = pd.date_range("2019-01-01", periods=48, freq="MS").strftime("%Y-%m-%d")
    forecasts = []
    for name, cell in (("sales.csv", '"${:,.2f}"'), ("plain.csv", "{!r}")):
        path = tmp_path / name
        path.write_text("month,sales\n" + "".join(f"{d},{cell.format(v)}\n" for d, v in zip(dates, values)))
        assert_ok(invoke("fit", path, "--out", tmp_path / name[:-4], *FAST, "--test-size", 0))
        forecasts.append(invoke("predict", tmp_path / name[:-4], "--horizon", 3).stdout)
    assert forecasts[0] == forecasts[1] and len(forecasts[0].splitlines()) == 1 + 3  # the same model, in dollars
    assert_error(invoke("fit", write_csv(tmp_path, "mixed.csv", ["month,sales", "2019-01-01,$5", "2019-02-01,7"]),
                        "--out", tmp_path / "m2", *FAST), "line 3's value '7' has none")
