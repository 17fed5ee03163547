"""Tests for seqcast.summary: what a saved model is (`seqcast info`), read from its files without JAX."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from seqcast import summary
from seqcast.errors import ModelFileError
from seqcast.forecast import Forecaster

from conftest import FAST, copy_model, monthly


@pytest.fixture(scope="module")
def fitted():
    return Forecaster(**FAST, seed=0).fit(monthly(), levels=(80,), horizon=3)


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    d = tmp_path_factory.mktemp("summary") / "model"
    fitted.save(d)
    return d


def test_read_gives_the_saved_models_facts(fitted, saved):
    facts = summary.read(saved)
    weights = load_file(saved / "weights.safetensors")
    assert facts["params"] == facts["params_total"] == sum(a.size for a in weights.values())  # counted from the file's arrays
    assert {r["name"] for r in facts["layers"]} == {k.rpartition(".")[0] for k in weights}
    s = monthly()
    assert facts["data"] | {"ids": None} == {"n_series": 1, "ids": None, "long_format": False, "value_column": "y", "freq": "MS",
                                             "first": s.index[0].isoformat(), "last": s.index[-1].isoformat(), "n_values": len(s),
                                             "filled": 0, "leaks": False, "columns": fitted.columns_, "encoding": None}
    assert facts["intervals"] == {"levels": [80.0], "horizon": 3, "calibration_windows": fitted.calibration_windows_,
                                  "calibration_series": 1, "infinite": []}
    assert facts["training"]["epochs_run"] == len(fitted.history_.loss) and facts["model"]["units"] == [4]
    assert facts["files"] == [{"name": p.name, "bytes": p.stat().st_size} for p in sorted(saved.iterdir())]
    assert facts["holdout"] is None  # saved from Python: no run.json


def test_the_saved_models_text_is_the_fitted_ones(fitted, saved):
    """`seqcast info` on the folder and Forecaster.summary() on the model in memory tell the same facts."""
    in_memory = fitted.summary(print_fn=None).splitlines()
    on_disk = summary.text(summary.read(saved)).splitlines()
    assert on_disk[1:len(in_memory)] == in_memory[1:] and on_disk[len(in_memory):][:2] == ["", "files"]


def test_an_infinite_level_is_said(saved, tmp_path):
    # info said "intervals  80%, 99%, calibrated ..." while predict wrote 0 / inf bounds for the 99% band
    d = copy_model(saved, tmp_path)
    meta = json.loads((d / "model.json").read_text())
    meta["intervals"]["widths"][0][-1] = None  # (an infinite width, as model.json writes it)
    (d / "model.json").write_text(json.dumps(meta))
    facts = summary.read(d)
    assert facts["intervals"]["infinite"] == [80.0]
    assert ("intervals  80%, calibrated for 3 steps on " in summary.text(facts)
            and "series; 80% infinite at some or all steps (too few calibration residuals)" in summary.text(facts))


def test_a_demo_folder_reads_its_model_and_run_json(saved, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(saved, demo / "model")
    board = [{"model": "LSTM", "rmse": 1.5, "mae": None}, {"model": "naive", "rmse": 2.0, "mae": 1.0}]
    run = {"command": "seqcast demo", "data": {"training windows": 43, "test points (one step ahead)": 11},
           "leaderboard": board, "verdict": ["verdict: LSTM beats every baseline"]}
    (demo / "run.json").write_text(json.dumps(run))
    facts = summary.read(demo)
    assert facts["holdout"]["leaderboard"] == board and facts["holdout"]["test_points"] == 11
    assert [f["name"] for f in facts["files"]] == ["model/model.json", "model/weights.safetensors", "run.json"]
    text = summary.text(facts)
    assert "on the last 11 points" in text and "verdict: LSTM beats every baseline" in text and "n/a" in text


def test_a_holdout_with_filled_test_values_says_they_were_not_scored(saved, tmp_path):
    # weekly CO2 with --fill interpolate: info said 'scored one step ahead on the last 263 points', where the last 268
    # were tested and 5 of them, filled, left unscored (run.json's data.unscored)
    folder = tmp_path / "m"
    shutil.copytree(saved, folder)
    data = {"training windows": 1068, "test points (one step ahead)": 263, "unscored": 5}
    (folder / "run.json").write_text(json.dumps({"data": data, "leaderboard": [{"model": "GRU", "rmse": 1.0}], "verdict": []}))
    facts = summary.read(folder)
    assert facts["holdout"]["unscored"] == 5
    assert ("holdout test of these options (run.json: fitted on 1068 windows, scored one step ahead on 263 of the last 268 "
            "points (5 filled, not observed: not scored))") in summary.text(facts)


def test_an_unreadable_run_json_is_a_note_not_an_error(saved, tmp_path):
    d = copy_model(saved, tmp_path)
    (d / "run.json").write_text("{not json")
    facts = summary.read(d)
    assert "could not be read (JSONDecodeError)" in facts["holdout"]["note"] and facts["params"] > 0


def test_a_run_json_nested_too_deeply_is_a_note_not_an_error(saved, tmp_path):
    # was a RecursionError traceback from `seqcast info`
    d = copy_model(saved, tmp_path)
    (d / "run.json").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    facts = summary.read(d)
    assert "could not be read (RecursionError)" in facts["holdout"]["note"] and facts["params"] > 0


def test_a_run_directory_is_refused_saying_what_model_must_be(tmp_path):
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(ModelFileError, match=r"is a seqcast run directory \(run.json\), which holds no model; pass a model "
                                             r"folder written by `seqcast fit --out`"):
        summary.read(tmp_path)


def test_a_run_directorys_run_json_is_refused_as_its_folder_is(saved, tmp_path):
    # `seqcast info runs/bt/run.json` said "is a file of a seqcast model; pass its folder: seqcast info runs/bt",
    # and that folder was then refused as a run directory
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(ModelFileError, match=r"is a seqcast run directory \(run.json\), which holds no model"):
        summary.read(tmp_path / "run.json")
    d = copy_model(saved, tmp_path / "m")
    (d / "run.json").write_text("{}")
    with pytest.raises(ModelFileError, match=r"is a file of a seqcast model; pass its folder"):  # a model's run.json: as before
        summary.read(d / "run.json")


def _edit(d: Path, **changes):
    meta = json.loads((d / "model.json").read_text())
    meta.update(changes)
    (d / "model.json").write_text(json.dumps(meta))


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "model.json").write_text("{garbage"), "is corrupt (not valid JSON"),
    (lambda d: (d / "weights.safetensors").write_bytes(b"not a safetensors file"), "checksum differs"),
    (lambda d: (d / "weights.safetensors").unlink(), "has no weights.safetensors"),
    (lambda d: (d / "model.json").unlink(), "holds no seqcast model (model.json missing)"),
    (lambda d: _edit(d, format_version=99), "written by a newer seqcast"),
    (lambda d: _edit(d, config={"epoch": 1}), "unknown option 'epoch'"),
    (lambda d: _edit(d, series=[{"id": "y"}]), "corrupt or inconsistent (KeyError: "),
    (lambda d: _edit(d, history=None), "corrupt or inconsistent"),
    (lambda d: _edit(d, history={**json.loads((d / "model.json").read_text())["history"], "fit_s": None}),
     "corrupt or inconsistent (TypeError: "),
    (lambda d: _edit(d, history={**json.loads((d / "model.json").read_text())["history"], "loss": ["x"]}),
     "corrupt or inconsistent (ValueError: "),
    (lambda d: _edit(d, fit_horizon="6"), "fit_horizon='6' is not an integer >= 1"),
    (lambda d: _edit(d, columns={"id": None, "date": None, "value": 3}), "columns must be an object of id, date and value"),
    (lambda d: _edit(d, config={**json.loads((d / "model.json").read_text())["config"], "ensemble": 3}),
     "but ensemble=3 in model.json needs one per member, shape (3, ...); re-save the model"),
], ids=["json", "weights", "no-weights", "no-meta", "version", "option", "series", "history", "fit_s", "loss",
        "fit_horizon", "columns", "ensemble"])
def test_a_corrupt_model_is_one_model_file_error(saved, tmp_path, damage, message):
    d = copy_model(saved, tmp_path)
    damage(d)
    with pytest.raises(ModelFileError) as info:
        summary.read(d)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_read_imports_no_jax(saved):
    """`seqcast info` answers at once: the facts come from the files, no model is built."""
    code = f"import sys; from seqcast import summary; summary.text(summary.read({str(saved)!r})); print('jax' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_an_ensembles_member_shapes_and_totals(tmp_path):
    f = Forecaster(**{**FAST, "epochs": 1}, model="gru", ensemble=2).fit(monthly())
    f.save(tmp_path / "m")
    facts = summary.read(tmp_path / "m")
    weights = load_file(tmp_path / "m" / "weights.safetensors")
    assert facts["params_total"] == sum(a.size for a in weights.values()) == 2 * facts["params"]
    gru = facts["layers"][0]
    assert gru["weights"] == {k[len("layers.0."):]: list(np.shape(a)[1:]) for k, a in sorted(weights.items()) if k.startswith("layers.0.")}
    assert "per member" in summary.text(facts)


def test_a_long_models_value_column_and_fit_horizon_are_shown(tmp_path):
    """A long file's value column was 'not saved' (info said nothing of it); since model.json keeps the columns
    (predict --data reads by them), info names it, and fit's --horizon (predict's default)."""
    import pandas as pd

    from seqcast.long import load_long

    rows = [(k, d, float(v)) for k, base in (("a", 10), ("b", 50)) for v, d in
            zip(base + np.arange(30) % 12, pd.date_range("2000-01-01", periods=30, freq="MS"))]
    path = tmp_path / "sales.csv"
    pd.DataFrame(rows, columns=["store", "month", "sales"]).to_csv(path, index=False)
    y = load_long(path, id_column="store", date_column="month", value_column="sales")
    f = Forecaster(**FAST, seed=0).fit(y, horizon=5)
    f.save(tmp_path / "m")
    facts = summary.read(tmp_path / "m")
    assert facts["data"]["columns"] == {"id": "store", "date": "month", "value": "sales"}
    assert facts["model"]["fit_horizon"] == 5
    assert "2 series in long format ('a', 'b'), value column 'sales'" in summary.text(facts)
    assert "one step, fed back (recursive; fit's horizon 5: predict's default)" in summary.text(facts)  # not in --json only


def test_sub_daily_dates_show_their_times_at_both_ends(saved, tmp_path):
    # taylor (half-hourly): "2000-06-05 .. 2000-08-27T23:30:00", a day beside an ISO 'T' time; daily and coarser keep days
    import pandas as pd

    y = pd.Series(20000 + 100 * np.sin(np.arange(60) / 4), index=pd.date_range("2000-06-05", periods=60, freq="30min"))
    Forecaster(**{**FAST, "epochs": 1}).fit(y).save(tmp_path / "m")
    assert "60 values, 2000-06-05 00:00:00 .. 2000-06-06 05:30:00, frequency 30min" in summary.text(summary.read(tmp_path / "m"))
    assert "60 values, 2000-01-01 .. 2004-12-01, frequency MS" in summary.text(summary.read(saved))  # monthly: days


def test_a_model_replaced_while_it_is_read_is_read_from_one_save(fitted, tmp_path, monkeypatch):
    # `seqcast info m` while a `fit --out m` swapped its folder in (2 saving processes, 1 reading: 1.5% of 12,000 reads)
    # told one model's options beside the next one's holdout (run.json) and files, or ended in "cannot use
    # 'm/report.html': No such file or directory"
    from seqcast import io

    other = Forecaster(**FAST, seed=1).fit(monthly())

    def save(f, seed: int, beside: str):
        def extra(d):
            io.write_atomic(d / "run.json", json.dumps({"command": f"seqcast fit --seed {seed}", "leaderboard": [], "verdict": []}))
            io.write_atomic(d / beside, "x")
        io.save_model(f, tmp_path / "m", extra=extra)

    save(fitted, 0, "report.html")
    real, calls = summary._run, []

    def run(f):  # the other fit's save lands after this one's model files were read, before its run.json
        calls.append(f)
        if len(calls) == 1:
            save(other, 1, "test_plot.png")
        return real(f)

    monkeypatch.setattr(summary, "_run", run)
    facts = summary.read(tmp_path / "m")
    assert len(calls) == 2  # read again, whole
    assert facts["model"]["seed"] == 1 and facts["holdout"]["command"] == "seqcast fit --seed 1"
    assert [f["name"] for f in facts["files"]] == ["model.json", "run.json", "test_plot.png", "weights.safetensors"]


@pytest.mark.parametrize("where", ["safetensors.numpy.load", "seqcast.summary.facts"])
def test_out_of_memory_is_not_called_a_corrupt_model(saved, monkeypatch, where):
    # weights too large for memory (a MemoryError reading them, or describing them) were "'model': weights.safetensors is
    # no safetensors file (...); re-save the model" or "'model' is corrupt or inconsistent (MemoryError: ...)"
    def full(*args, **kwargs):
        raise MemoryError("Unable to allocate 9.1 TiB")

    monkeypatch.setattr(where, full)
    with pytest.raises(MemoryError, match="9.1 TiB") as e:
        summary.read(saved)
    assert not isinstance(e.value, ModelFileError)


def test_info_shows_the_warnings_its_fit_said_from_run_json(saved, tmp_path):
    """A model fitted with scaler 'none' on values far beyond 1 (its GRU's cells saturate, forecasts flat): the fit printed
    a warning once, and `seqcast info` of the saved model said nothing of it; now the warnings run.json records, after
    the verdict. A run.json older than them (no key) shows none; one of another shape is a note."""
    d = copy_model(saved, tmp_path)
    text = "GRU inputs reach 5.05e+11 on values as they are (scaler='none'): its tanh/sigmoid cells saturate beyond about 10"
    run = {"leaderboard": [{"model": "GRU", "rmse": 1.0}], "verdict": ["verdict: GRU is WORSE"], "warnings": [text]}
    (d / "run.json").write_text(json.dumps(run))
    facts = summary.read(d)
    assert facts["holdout"]["warnings"] == [text]
    assert f"verdict: GRU is WORSE\nwarning: {text}" in summary.text(facts)
    del run["warnings"]
    (d / "run.json").write_text(json.dumps(run))
    assert summary.read(d)["holdout"]["warnings"] == [] and "warning:" not in summary.text(summary.read(d))
    (d / "run.json").write_text(json.dumps({**run, "warnings": "saturate"}))
    assert "could not be read (ValueError)" in summary.read(d)["holdout"]["note"]
