"""Tests for seqcast.io: save/load round trip, no pickle, corrupt files, atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
from pathlib import Path

import jax
import numpy as np
import pandas as pd
import pytest
from conftest import FAST, copy_model, monthly

import seqcast
from seqcast import io
from seqcast.errors import ConfigError, ModelFileError, SeqcastError
from seqcast.forecast import Forecaster
from seqcast.models import rnn


@pytest.fixture(scope="module")
def fitted():
    return Forecaster(**FAST, seed=0).fit(monthly())


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    d = tmp_path_factory.mktemp("io") / "model"
    fitted.save(d)
    return d


def snapshot(folder: Path) -> dict:
    """Every file under `folder` (hidden ones included) -> its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leaves(tree):
    return [np.asarray(x) for x in jax.tree_util.tree_leaves(tree)]


# ---- round trip ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [None, 3, 3.5, True, ["m"]])
def test_a_path_that_is_no_path_is_one_config_error(fitted, path):  # was TypeError from pathlib
    for call in (fitted.save, Forecaster.load, io.read_meta):
        with pytest.raises(ConfigError, match=r"`path` must be a directory path \(a str or pathlib.Path\)\. Received: path="):
            call(path)


def test_save_writes_two_files(saved):
    assert sorted(p.name for p in saved.iterdir()) == ["model.json", "weights.safetensors"]
    meta = json.loads((saved / "model.json").read_text())
    assert meta["format"] == "seqcast-model" and meta["format_version"] == io.FORMAT_VERSION == 2
    assert meta["weights_sha256"] == hashlib.sha256((saved / "weights.safetensors").read_bytes()).hexdigest()
    assert meta["config"]["units"] == [4] and meta["config"]["window"] == 6
    assert meta["long_format"] is False and meta["intervals"] is None and meta["horizon"] == 1 and meta["season"] == 12
    [one] = meta["series"]
    assert one["id"] == "y" and one["schema"]["freq"] == "MS" and len(one["context"]) == 6


def test_load_gives_identical_predictions(fitted, saved):
    g = Forecaster.load(saved)
    for a, b in zip(leaves(fitted.params_), leaves(g.params_)):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)
    pd.testing.assert_frame_equal(g.forecast(5), fitted.forecast(5))
    X = np.lib.stride_tricks.sliding_window_view(monthly().to_numpy(), 6)
    np.testing.assert_array_equal(g.predict_windows(X), fitted.predict_windows(X))
    assert g.config == fitted.config
    assert g.scaler_ == fitted.scaler_
    assert g.schema_ == fitted.schema_
    np.testing.assert_array_equal(g.context_, fitted.context_)
    assert g.history_.loss == fitted.history_.loss
    assert g.n_windows_ == fitted.n_windows_ and g.leaks_ == fitted.leaks_
    assert seqcast.load_model(saved).config == fitted.config


def test_fit_horizon_and_column_names_round_trip_and_older_files_load_without_them(tmp_path):
    f = Forecaster(**FAST).fit(monthly().rename("units").rename_axis("day"), horizon=5)
    f.save(tmp_path / "m")
    g = Forecaster.load(tmp_path / "m")
    assert g.fit_horizon_ == 5 and g.columns_ == {"id": None, "date": "day", "value": "units"}
    meta = json.loads((tmp_path / "m" / "model.json").read_text())
    del meta["fit_horizon"], meta["columns"]  # a file saved before seqcast kept them
    (tmp_path / "m" / "model.json").write_text(json.dumps(meta))
    old = Forecaster.load(tmp_path / "m")
    assert old.fit_horizon_ is None  # predict's default as before: 12 for a recursive model
    assert old.columns_ == {"id": None, "date": None, "value": "units"}  # the value column, from its schema
    pd.testing.assert_frame_equal(old.forecast(3), f.forecast(3))


OLDEST = Path(__file__).parent / "data" / "model_v2_19ad129"  # saved by seqcast at commit 19ad129, format 2's first writer


def test_a_model_saved_by_the_first_format_2_seqcast_forecasts_what_it_forecast_then():
    """Users keep model folders across upgrades. This one (2 series, minmax, 80% intervals over 3 steps) was saved with
    its forecast by seqcast at 19ad129, before nonneg scalers, floors, fit_horizon and columns were written."""
    want = pd.read_csv(f"{OLDEST}_forecast.csv", parse_dates=["ds"])
    f = Forecaster.load(OLDEST)
    assert f.levels_ == (80.0,) and f.floors_ is None and f.fit_horizon_ is None  # intervals kept; no floor added
    got = f.forecast(3)
    assert list(got.columns) == list(want.columns) and (got["unique_id"] == want["unique_id"]).all()
    assert (got["ds"] == want["ds"]).all()
    num = ["forecast", "lo_80", "hi_80"]  # float32 weights: equal to a few float32 ulps of the values (about 100)
    np.testing.assert_allclose(got[num].to_numpy(), want[num].to_numpy(), rtol=1e-6, atol=1e-4)


def test_saving_again_replaces_the_model(fitted, saved, tmp_path):
    d = copy_model(saved, tmp_path)
    other = Forecaster(**FAST, seed=1).fit(monthly())
    other.save(d)
    assert Forecaster.load(d).config.seed == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # no temp or old folders left


def test_ensemble_round_trip(tmp_path):
    f = Forecaster(model="linear", window=6, epochs=2, batch_size=16, ensemble=2).fit(monthly())
    f.save(tmp_path / "m")
    g = Forecaster.load(tmp_path / "m")
    assert leaves(g.params_)[0].shape[0] == 2
    pd.testing.assert_frame_equal(g.forecast(4), f.forecast(4))


def test_load_compiles_nothing(tmp_path):
    # jnp.asarray on each weight compiled a copy per shape: 0.3 s of a cold `seqcast predict` (2.3 s in all)
    from conftest import compiles

    Forecaster(model="linear", window=31, epochs=1, batch_size=16, ensemble=2).fit(monthly()).save(tmp_path / "m")
    with compiles() as c:
        g = Forecaster.load(tmp_path / "m")
    assert c.n == 0
    assert [x.shape for x in leaves(g.params_)] == [(2, 31, 1), (2, 1)]


def test_precision_is_saved_and_a_file_without_it_loads_as_float32(tmp_path):
    f = Forecaster(model="gru", units=(8,), window=6, epochs=2, batch_size=16, precision="bfloat16").fit(monthly())
    f.save(tmp_path / "m")
    g = Forecaster.load(tmp_path / "m")
    assert g.config.precision == "bfloat16" and g.spec_.precision == "bfloat16"
    pd.testing.assert_frame_equal(g.forecast(4), f.forecast(4))
    meta_file = tmp_path / "m" / "model.json"
    meta = json.loads(meta_file.read_text())
    del meta["config"]["precision"]  # a model saved before the option existed
    meta_file.write_text(json.dumps(meta))
    assert Forecaster.load(tmp_path / "m").spec_.precision == "float32"


def test_set_params_after_fit_changes_neither_the_forecasts_nor_what_is_saved(tmp_path):
    f = Forecaster(model="rnn", units=(4,), window=6, epochs=2, batch_size=16, precision="bfloat16").fit(monthly())
    before = f.forecast(4)
    f.set_params(precision="float32", window=12, units=(8,), ensemble=3, strategy="direct")  # for the next fit
    assert f.config.window == 12 and f.config_.window == 6
    pd.testing.assert_frame_equal(f.forecast(4), before)
    f.save(tmp_path / "m")
    g = Forecaster.load(tmp_path / "m")
    assert g.config == g.config_ and g.config.precision == "bfloat16" and g.config.window == 6
    pd.testing.assert_frame_equal(g.forecast(4), before)


# ---- never pickle --------------------------------------------------------------------------------------


def test_load_never_unpickles(saved, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("pickle used while loading a model")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    real_np_load = np.load

    def np_load(*args, allow_pickle=False, **kwargs):
        if allow_pickle:
            raise AssertionError("numpy.load(allow_pickle=True) used while loading a model")
        return real_np_load(*args, allow_pickle=False, **kwargs)

    monkeypatch.setattr(np, "load", np_load)
    g = Forecaster.load(saved)
    assert len(g.forecast(2)) == 2


def test_source_has_no_pickle():
    root = Path(seqcast.__file__).parent
    files = sorted(root.rglob("*.py"))
    assert files
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import|from)\s+(c?pickle|dill|joblib|cloudpickle)\b", text, re.MULTILINE), p
        assert "allow_pickle=True" not in text, p


# ---- parameters <-> flat arrays ------------------------------------------------------------------------


def test_flatten_unflatten_round_trip():
    spec = rnn.ModelSpec(cell="gru", units=(3, 2), window=4)
    params = rnn.init_params(spec, key=jax.random.PRNGKey(0))
    flat = io.flatten(params)
    assert sorted(flat) == sorted(["layers.0.W", "layers.0.U", "layers.0.b", "layers.1.W", "layers.1.U", "layers.1.b",
                                   "head.W", "head.b"])
    flat_np = {k: np.asarray(v) for k, v in flat.items()}
    back = io.unflatten_like(params, flat_np, "test")
    assert jax.tree_util.tree_structure(back) == jax.tree_util.tree_structure(params)
    for a, b in zip(leaves(params), leaves(back)):
        np.testing.assert_array_equal(a, b)
    # through safetensors bytes too
    from safetensors.numpy import load as st_load

    again = io.unflatten_like(params, st_load(io._safetensors_bytes(flat)), "test")
    for a, b in zip(leaves(params), leaves(again)):
        np.testing.assert_array_equal(a, b)


def test_unflatten_detects_shape_mismatch_and_missing_names():
    spec = rnn.ModelSpec(cell="lstm", units=(4,), window=6)
    params = rnn.init_params(spec, key=jax.random.PRNGKey(0))
    flat = {k: np.asarray(v) for k, v in io.flatten(params).items()}
    wrong = dict(flat, **{"head.W": np.zeros((5, 1), np.float32)})
    with pytest.raises(ModelFileError, match=r"weight 'head.W' has shape \(5, 1\), the model needs \(4, 1\)"):
        io.unflatten_like(params, wrong, "m")
    missing = {k: v for k, v in flat.items() if k != "head.b"}
    with pytest.raises(ModelFileError, match=r"missing \['head.b'\]"):
        io.unflatten_like(params, missing, "m")
    extra = dict(flat, extra=np.zeros(1, np.float32))
    with pytest.raises(ModelFileError, match=r"unexpected \['extra'\]"):
        io.unflatten_like(params, extra, "m")


def test_load_detects_weights_that_do_not_fit_the_config(saved, tmp_path):
    d = copy_model(saved, tmp_path)
    meta = json.loads((d / "model.json").read_text())
    meta["config"]["units"] = [5]  # the weights (checksum intact) are for 4 units
    (d / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="weights do not match the model in model.json .the config needs 146 numbers, "
                                             "weights.safetensors holds 101."):
        Forecaster.load(d)


def _rewrite_weights(d, change):
    """Replace the weights by `change(flat)` and update model.json's checksum, as someone editing both files would."""
    from safetensors.numpy import load, save

    raw = save(change(load((d / "weights.safetensors").read_bytes())))
    (d / "weights.safetensors").write_bytes(raw)
    meta = json.loads((d / "model.json").read_text())
    meta["weights_sha256"] = hashlib.sha256(raw).hexdigest()
    (d / "model.json").write_text(json.dumps(meta))


def _one_value(v):
    return lambda flat: {**flat, "head.b": np.full_like(flat["head.b"], v)}


@pytest.mark.parametrize("change, message", [
    (_one_value(np.nan), "weight 'head.b' holds NaN or infinite values"),
    (_one_value(np.inf), "weight 'head.b' holds NaN or infinite values"),
    (lambda flat: {k: v.astype(np.float64) * 1e300 for k, v in flat.items()}, "holds NaN or infinite values"),  # inf as float32
    (lambda flat: {k: v.astype(np.int32) for k, v in flat.items()}, "has dtype int32, not floating point"),
    (lambda flat: {k: v.astype(bool) for k, v in flat.items()}, "has dtype bool, not floating point"),
    (lambda flat: {k: v.astype(np.complex64) for k, v in flat.items()}, "has dtype complex64, not floating point"),
])
def test_weights_that_no_fit_writes_are_refused(saved, tmp_path, change, message):
    """Bug: weights edited with their checksum (NaN, inf, integers, booleans) loaded; predict wrote an empty
    forecast (NaN) with exit 0, or blamed the model ("forecasts grow without bound"), or forecast from truncated
    integer weights. A fit that diverges is never saved, so such weights are a damaged or forged file."""
    d = copy_model(saved, tmp_path)
    _rewrite_weights(d, change)
    with pytest.raises(ModelFileError, match=re.escape(message)):
        Forecaster.load(d)


def test_float64_weights_load_as_float32(fitted, saved, tmp_path):
    d = copy_model(saved, tmp_path)
    _rewrite_weights(d, lambda flat: {k: v.astype(np.float64) for k, v in flat.items()})
    pd.testing.assert_frame_equal(Forecaster.load(d).forecast(3), fitted.forecast(3))


# ensemble 1000: the most a Config takes (the 300,000 of the bug is now refused as beyond it)
@pytest.mark.parametrize("edit", [{"ensemble": 1000}, {"units": [64_000]}, {"window": 10**9, "model": "linear"}])
def test_a_config_needing_huge_weights_is_refused_before_building_them(saved, tmp_path, edit, monkeypatch):
    """Bug: load drew a full set of initial weights for model.json's config before comparing them with the file,
    so a typo such as ensemble 300000 took minutes and gigabytes (units [64000]: 49 GB) before the error."""
    d = copy_model(saved, tmp_path)
    meta = json.loads((d / "model.json").read_text())
    meta["config"].update(edit)
    (d / "model.json").write_text(json.dumps(meta))
    monkeypatch.setattr("seqcast.forecast.init_params", lambda *a, **k: pytest.fail("built a template"))
    with pytest.raises(ModelFileError, match="weights do not match the model in model.json .the config needs"):
        Forecaster.load(d)


# ---- corrupt or missing files --------------------------------------------------------------------------


def _garbage_json(d):
    (d / "model.json").write_text("{garbage")


def _truncated_weights(d):
    w = d / "weights.safetensors"
    w.write_bytes(w.read_bytes()[:50])


def _garbage_weights(d):
    (d / "weights.safetensors").write_bytes(b"not a safetensors file")


def _no_weights(d):
    (d / "weights.safetensors").unlink()


def _no_meta(d):
    (d / "model.json").unlink()


def _edit(**changes):
    def edit(d):
        meta = json.loads((d / "model.json").read_text())
        for k, v in changes.items():  # "a.b.c" edits meta["a"]["b"]["c"]; a number is a list position
            *path, last = [int(p) if p.isdigit() else p for p in k.split(".")]
            node = meta
            for p in path:
                node = node[p]
            node[last] = v
        (d / "model.json").write_text(json.dumps(meta))

    return edit


_IV = {"levels": [80.0], "horizon": 1, "calibration_windows": 3, "widths": [[1.0]], "scales": [1.0]}  # one series' intervals


@pytest.mark.parametrize(
    "damage, message",
    [
        (_garbage_json, "is corrupt (not valid JSON"),
        (_truncated_weights, "checksum differs"),
        (_garbage_weights, "checksum differs"),
        (_no_weights, "has no weights.safetensors"),
        (_no_meta, "holds no seqcast model (model.json missing)"),
        (_edit(format="other"), "is not a seqcast model file"),
        (_edit(format_version=99), "has format version 99, written by a newer seqcast"),
        (_edit(format_version=1), "has format version 1, written by an older seqcast"),
        (_edit(format_version="2"), "has format version '2', not a version number"),
        (_edit(config={"epoch": 1}), "unknown option 'epoch'"),
        # a newer seqcast's option (same format version) was "corrupt or inconsistent ...; re-save the model"
        (_edit(seqcast_version="9.0.0", **{"config.dropout": 0.1}), "model.json' was written by seqcast 9.0.0 with option 'dropout', "
         f"which this seqcast ({seqcast.__version__}) does not know; load it with seqcast 9.0.0, or refit it with this one"),
        (_edit(**{"config.model": "transformer"}), "`model` must be one of"),
        (_edit(**{"series.0.schema": {}}), "corrupt or inconsistent"),
        (_edit(**{"series.0.schema.freq": "zz"}), "corrupt or inconsistent"),
        (_edit(**{"series.0.schema.last": "not a date"}), "corrupt or inconsistent"),
        (_edit(**{"series.0.schema.min": "abc"}), "schema min and max must be finite numbers"),  # predict --data: a traceback
        (_edit(**{"series.0.schema.max": None}), "schema min and max must be finite numbers"),
        (_edit(**{"series.0.scaler.scale": "x"}), "corrupt or inconsistent"),
        (_edit(**{"series.0.scaler.kind": "zz"}), "corrupt or inconsistent"),
        (_edit(**{"series.0.context": [1, 2, 3, 4, 5, None]}), "corrupt or inconsistent"),
        (_edit(**{"series.0.context": [1, 2, 3]}), "context of series 'y' has 3 values, window is 6"),
        (_edit(**{"series.0.context": 5}), "corrupt or inconsistent"),
        (_edit(**{"series.0.id": 1.5}), "series ids must be text or integers"),
        (_edit(**{"series.0.id": [1]}), "series ids must be text or integers"),
        (_edit(series=[]), "corrupt or inconsistent"),
        (_edit(series=None), "corrupt or inconsistent"),
        (_edit(horizon=3), "corrupt or inconsistent"),
        (_edit(horizon=0), "corrupt or inconsistent"),
        (_edit(long_format="yes"), "corrupt or inconsistent"),
        (_edit(intervals={"levels": [80]}), "corrupt or inconsistent"),
        (_edit(intervals={"levels": [80.0], "horizon": 1, "calibration_windows": 3, "widths": [[1.0]], "scales": [1.0],
                          "floors": [0.0, 0.0]}, floors=None), "corrupt or inconsistent"),  # an older file: two floors for one series
        (_edit(floors=[0.0, 0.0]), "corrupt or inconsistent"),
        (_edit(floors=5), "corrupt or inconsistent"),
        (_edit(history=None), "corrupt or inconsistent"),
        (_edit(fit_horizon=0), "fit_horizon=0 is not an integer >= 1"),
        (_edit(columns={"id": None, "date": 3, "value": "y"}), "columns must be an object of id, date and value"),
        (_edit(columns="y"), "columns must be an object of id, date and value"),
        (_edit(encoding="kr"), "`encoding` must be a codec Python knows"),  # fit --encoding's, hand-edited
        (_edit(encoding=5), "encoding must be a codec's name. Received: 5"),
        (_edit(**{"series.0.scaler.scale": 0.0}), "scaler scale=0.0 must be > 0"),
        (_edit(**{"series.0.scaler.scale": -2.0}), "scaler scale=-2.0 must be > 0"),
        # _check_state's other refusals of a hand-edited file (coverage showed them untested)
        (_edit(**{"series.0.scaler.log": "no"}), "scaler log='no' is not true or false"),
        (_edit(**{"series.0.scaler.nonneg": 1}), "scaler nonneg=1 is not true or false"),
        # a scaler without its shift loaded with shift 0 and forecast wrong, exit 0; an unknown field read as a TypeError
        (_edit(**{"series.0.scaler": {"kind": "minmax", "log": False, "scale": 2.0, "lo": 0.0, "hi": 1.0}}),
         "scaler has no 'shift'; it holds kind, log, shift, scale, lo, hi, nonneg"),
        (_edit(**{"series.0.scaler.note": "x"}), "scaler has unknown field 'note'"),
        (_edit(**{"series.0.scaler": [1, 2]}), "scaler must be an object of kind, log, shift"),
        (lambda d: _edit(series=[s := json.loads((d / "model.json").read_text())["series"][0], s | {"id": "z"}])(d),
         "2 series in a one-series model"),
        (_edit(intervals=_IV | {"widths": [[1.0], [2.0]]}), "2 rows of widths for 1 levels"),
        (_edit(intervals=_IV | {"levels": [95.0, 80.0], "widths": [[2.0], [1.0]]}), "levels [95.0, 80.0] are not ascending percentages"),
        (_edit(intervals=_IV | {"levels": [100.0]}), "levels [100.0] are not ascending percentages in (0, 100)"),
        (_edit(intervals=_IV | {"widths": [[-1.0]]}), "widths of level 80 must be 1 numbers >= 0"),
        (_edit(intervals=_IV | {"widths": [[1.0, 1.0]]}), "widths of level 80 must be 1 numbers >= 0"),
        (_edit(intervals=_IV | {"scales": [-1.0]}), "interval scales must be 1 finite numbers >= 0, one per series"),
        (_edit(intervals=_IV | {"scales": [1.0, 1.0]}), "interval scales must be 1 finite numbers >= 0, one per series"),
    ],
    ids=lambda x: getattr(x, "__name__", None) if callable(x) else None,
)
def test_corrupt_model_is_one_model_file_error(saved, tmp_path, damage, message):
    d = copy_model(saved, tmp_path)
    damage(d)
    with pytest.raises(ModelFileError) as info:
        Forecaster.load(d)
    msg = str(info.value)
    assert message in msg
    assert "\n" not in msg
    assert isinstance(info.value, SeqcastError) and isinstance(info.value, OSError)


DEEP = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"  # deeper than Python's recursion limit
LONG = '{"a": ' + "9" * 5000 + "}"  # more digits than int() reads


@pytest.mark.parametrize("text, why", [(DEEP, "nested too deeply"), (LONG, "a number with more than 4300 digits")])
def test_a_model_json_too_deep_or_with_a_huge_number_is_one_line(saved, tmp_path, text, why):
    """Bug: a model.json nested deeper than the recursion limit, or with a 5000-digit number, was a RecursionError /
    ValueError traceback (exit 1) from load, predict and info, not "is corrupt (not valid JSON ...)"."""
    d = copy_model(saved, tmp_path)
    (d / "model.json").write_text(text)
    with pytest.raises(ModelFileError, match=re.escape(f"is corrupt (not valid JSON: {why}); re-save the model")) as info:
        Forecaster.load(d)
    assert "\n" not in str(info.value) and "sys." not in str(info.value)


def test_weights_from_another_model(saved, tmp_path):
    a = copy_model(saved, tmp_path)
    b = tmp_path / "other"
    Forecaster(**FAST, seed=1).fit(monthly()).save(b)
    shutil.copy(b / "weights.safetensors", a / "weights.safetensors")
    with pytest.raises(ModelFileError, match="checksum differs.*from another model"):
        Forecaster.load(a)


def test_a_folder_holding_the_model_one_level_down_says_where(saved, tmp_path):
    outer = tmp_path / "seqcast-out"  # what `seqcast demo` writes: forecast.csv, ..., model/
    shutil.copytree(saved, outer / "model")
    (outer / "forecast.csv").write_text("date,forecast\n")
    with pytest.raises(ModelFileError, match=r"model.json missing\) \(the model is in '.*seqcast-out/model'\)"):
        Forecaster.load(outer)
    assert Forecaster.load(outer / "model").series_ids_ == Forecaster.load(saved).series_ids_


def test_missing_model_dir(tmp_path):
    with pytest.raises(ModelFileError, match="model directory '.*nope' not found"):
        Forecaster.load(tmp_path / "nope")
    (tmp_path / "sales.csv").write_text("x")  # `seqcast predict sales.csv`: the path exists, it is no directory
    with pytest.raises(ModelFileError, match=r"^'.*sales.csv' is a file, not a model directory; pass a directory written by"):
        Forecaster.load(tmp_path / "sales.csv")


def test_a_model_moved_aside_by_a_killed_save_is_named(fitted, tmp_path):
    # kill -9 between save's two renames left the model only as .m.old-<pid>-<hex>: "model directory 'm' not found"
    fitted.save(tmp_path / "m")
    (tmp_path / "m").rename(tmp_path / ".m.old-123-abcd1234")
    with pytest.raises(ModelFileError, match=r"^model directory '.*m' not found, but '.*/\.m\.old-123-abcd1234' holds the model a save "
                                             r"that was killed moved aside; rename it to '.*m' \(or refit\)$"):
        Forecaster.load(tmp_path / "m")
    (tmp_path / ".m.old-123-abcd1234").rename(tmp_path / "m")
    assert Forecaster.load(tmp_path / "m").series_ids_ == fitted.series_ids_


# ---- atomic writes: nothing saved is damaged ------------------------------------------------------------


def _fail_on_call(monkeypatch, n: int):
    real = io.write_atomic
    calls = {"n": 0}

    def flaky(path, data):
        calls["n"] += 1
        if calls["n"] == n:
            raise OSError(28, "No space left on device (simulated)")
        return real(path, data)

    monkeypatch.setattr(io, "write_atomic", flaky)
    return calls


@pytest.mark.parametrize("fail_on", [1, 2])
def test_failed_save_keeps_the_earlier_model(fitted, saved, tmp_path, monkeypatch, fail_on):
    d = copy_model(saved, tmp_path)
    before = snapshot(d)
    other = Forecaster(**FAST, seed=1).fit(monthly())
    calls = _fail_on_call(monkeypatch, fail_on)
    with pytest.raises(OSError, match="simulated"):
        other.save(d)
    assert calls["n"] == fail_on
    assert snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # no temp dirs or files left behind
    monkeypatch.undo()
    pd.testing.assert_frame_equal(Forecaster.load(d).forecast(3), fitted.forecast(3))


def test_failed_first_save_leaves_nothing(fitted, tmp_path, monkeypatch):
    _fail_on_call(monkeypatch, 2)
    with pytest.raises(OSError):
        fitted.save(tmp_path / "new")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.csv"
    target.write_text("old")

    def broken_fsync(fd):
        raise OSError(5, "I/O error (simulated)")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="simulated"):
        io.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]
    monkeypatch.undo()
    io.write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_write_atomic_that_cannot_set_the_mode_closes_its_temp_file(tmp_path, monkeypatch):
    """Review: a chmod refused (EPERM: some network shares) before the temp file was opened as a Python file left its
    descriptor open (one leaked per save: a service saving forecasts ran out of them) and the temp file's name taken."""
    target = tmp_path / "f.csv"
    target.write_text("old")

    def refused(path, mode):
        raise PermissionError(1, "Operation not permitted", str(path))

    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "chmod", refused)
    for _ in range(3):
        with pytest.raises(PermissionError):
            io.write_atomic(target, "new")
    assert len(os.listdir("/proc/self/fd")) == before
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["f.csv"]


def test_a_failed_write_names_the_file_the_user_asked_for(fitted, tmp_path, monkeypatch):
    """A full disk's error named no file (a write's or fsync's has none) or a temp name the user never saw (mkstemp's
    '.f.csv.k2j3abcd.tmp'; in a model's temp folder '.m.k2j3abcd.tmp/weights.safetensors'); the CLI said 'cannot use: ...'."""
    import errno
    import tempfile

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def full_at_tmp(*a, dir=None, **k):  # what the system raises: naming the temp file it could not create
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(Path(dir) / ".f.csv.k2j3abcd.tmp"))

    for name, fn, broken in [("fsync", os, full), ("mkstemp", tempfile, full_at_tmp)]:
        with monkeypatch.context() as m:
            m.setattr(fn, name, broken)
            with pytest.raises(OSError) as e:
                io.write_atomic(tmp_path / "f.csv", "new")
            assert (e.value.errno, e.value.filename) == (errno.ENOSPC, str(tmp_path / "f.csv")), name
            with pytest.raises(OSError) as e:
                fitted.save(tmp_path / "m")
            assert e.value.filename == str(tmp_path / "m" / io.WEIGHTS), name  # not '.m.xxxxxxxx.tmp/weights.safetensors'
    assert list(tmp_path.iterdir()) == []
    with monkeypatch.context() as m:  # an error of the folder's own making is left as it was
        m.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError("not the system's")))
        with pytest.raises(OSError, match="^not the system's$"):
            io.write_atomic(tmp_path / "f.csv", "new")


def test_an_interrupt_just_after_the_swap_counts_the_folder_as_saved(fitted, saved, tmp_path, monkeypatch):
    # a Ctrl-C landing as the exchange returned: the new folder is in, the earlier one at the temp name (deleted);
    # the CLI said 'nothing was saved'
    d = copy_model(saved, tmp_path)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    real = io._exchange

    def exchanged_then_interrupted(a, b):
        assert real(a, b)
        raise KeyboardInterrupt

    monkeypatch.setattr(io, "_exchange", exchanged_then_interrupted)
    saved: list = []
    token = io.SAVED.set(saved)
    other = Forecaster(**{**FAST, "seed": 5}).fit(monthly())
    try:
        with pytest.raises(KeyboardInterrupt):
            other.save(d)
    finally:
        io.SAVED.reset(token)
    assert saved == [d]
    assert {p.name: p.read_bytes() for p in d.iterdir()} != before and Forecaster.load(d).config_.seed == 5
    assert [p.name for p in tmp_path.iterdir()] == ["copy"]


def test_an_interrupt_just_after_the_move_aside_puts_the_earlier_model_back(fitted, saved, tmp_path, monkeypatch):
    # where folders cannot be exchanged in one step (macOS, Windows, some file systems), the earlier folder is moved
    # aside first: a Ctrl-C landing as that rename returned left no folder at the model's name, only '.copy.old-PID-ID'
    d = copy_model(saved, tmp_path)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    real = os.replace

    def moved_then_interrupted(src, dst):
        real(src, dst)
        if Path(src) == d:
            raise KeyboardInterrupt

    monkeypatch.setattr(io, "_exchange", lambda a, b: False)
    monkeypatch.setattr(os, "replace", moved_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        Forecaster(**{**FAST, "seed": 5}).fit(monthly()).save(d)
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["copy"]


@pytest.mark.parametrize("oom", [MemoryError("Unable to allocate 2.0 GiB"),
                                 RuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 2.0GiB")])
def test_out_of_memory_while_loading_is_not_called_a_corrupt_model(saved, monkeypatch, oom):
    # load_model's catch-all made a full GPU (XLA's RESOURCE_EXHAUSTED at device_put) or RAM (numpy's MemoryError)
    # "'m' is corrupt or inconsistent (...); re-save the model with `seqcast fit`": a refit would not help
    def full(*args, **kwargs):
        raise oom

    monkeypatch.setattr(jax, "device_put", full)
    with pytest.raises(type(oom)) as e:
        io.load_model(saved)
    assert e.value is oom and not isinstance(e.value, ModelFileError)


def test_a_write_protected_model_folder_is_refused_not_replaced(fitted, saved, tmp_path, monkeypatch):
    # `chmod -R a-w m` to keep a model: a save replaced it all the same, then could not delete the earlier folder, left
    # beside it as '.m.xxxxxxxx.tmp' (this machine runs as root: os.access is what says no)
    d = copy_model(saved, tmp_path)
    (d / "sub").mkdir()  # a folder inside it (a demo's model/): deleting the earlier one needs it writable too
    before = {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}
    real = os.access
    for locked in (d, d / "sub"):
        with monkeypatch.context() as m:
            m.setattr(os, "access", lambda p, mode, **k: False if Path(p) == locked and mode & os.W_OK else real(p, mode, **k))
            with pytest.raises(ConfigError, match=f"^'{re.escape(str(locked))}' is not writable, so the seqcast model in .*\\(chmod -R u\\+w\\)"):
                io.check_target(d, known=io.MODEL_FILES | {"sub"})
    assert {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()} == before
    (d / "sub").rmdir()
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == d and mode & os.W_OK else real(p, mode, **k))
    with pytest.raises(ConfigError, match="is not writable"):
        fitted.save(d)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]


def test_a_model_folder_that_cannot_be_listed_is_not_called_unwritable(saved, tmp_path, monkeypatch):
    # a demo's model/ at mode 0300 (writable, not readable): 'is not writable ... (chmod -R u+w)', a fix that fixes nothing
    d = copy_model(saved, tmp_path)
    (d / "sub").mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == d / "sub" and mode & os.R_OK else real(p, mode, **k))
    with pytest.raises(ConfigError, match=f"^'{re.escape(str(d / 'sub'))}' is not readable, so the seqcast model in .*\\(chmod -R u\\+rwX\\)"):
        io.check_target(d, known=io.MODEL_FILES | {"sub"})


def test_a_mount_point_is_refused_before_the_work(saved, tmp_path, monkeypatch):
    # a volume mounted at --out (docker run -v ./models:/app/model): fit trained, then 'cannot use '/app/model': Device
    # or resource busy; check the path and its permissions' (a mount point cannot be renamed, nor replaced by a rename)
    d = copy_model(saved, tmp_path)
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == d or real(p))
    with pytest.raises(ConfigError, match=f"^'{re.escape(str(d))}' is a mount point .* such as '{re.escape(str(d / 'model'))}'"):
        io.check_target(d)
    link = tmp_path / "link"
    link.symlink_to(d)
    with pytest.raises(ConfigError, match="is a mount point"):
        io.check_target(link)
    monkeypatch.undo()
    # a folder bind-mounted from the same file system (mount --bind): ismount cannot tell, /proc/self/mountinfo does
    e = tmp_path / "my models"
    shutil.copytree(d, e)
    info = tmp_path / "mountinfo"
    info.write_text(f"36 35 98:0 / /mnt/a rw - ext4 /dev/x rw\n37 35 98:0 /x {str(e).replace(' ', chr(92) + '040')} rw - ext4 /dev/x rw\n")
    monkeypatch.setattr(io, "MOUNTINFO", str(info))
    with pytest.raises(ConfigError, match="is a mount point"):
        io.check_target(e)
    assert io.check_target(d) == d  # not mounted: replaced as before


def test_a_symlinked_target_whose_folder_cannot_be_written_is_refused_before_the_work(saved, tmp_path, monkeypatch):
    # models/current -> /ro/v3: the save replaces v3, in /ro; check_target looked at models/ (writable), so fit trained
    # and then said "cannot use '/ro/v3': Permission denied"
    ro = tmp_path / "ro"
    ro.mkdir()
    v3 = copy_model(saved, ro)
    (tmp_path / "models").mkdir()
    link = tmp_path / "models" / "current"
    link.symlink_to(v3)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == ro and mode & os.W_OK else real(p, mode, **k))
    with pytest.raises(ConfigError, match=f"^'{re.escape(str(ro))}' is not writable, so '{re.escape(str(link))}' cannot be written"):
        io.check_target(link)


def test_a_save_in_another_thread_is_not_counted_as_the_commands(fitted, tmp_path):
    # io.SAVED was one list for the process: a save in a worker thread (a notebook's, a service's) was listed in the
    # Ctrl-C message of the command running in the main thread ('saved before it: ...'), and could drop its entries
    import threading

    from seqcast import cli

    saved: list = []
    with cli._signals(saved):  # what a CLI command runs under
        t = threading.Thread(target=fitted.save, args=(tmp_path / "other",))
        t.start()
        t.join()
        io.write_atomic(tmp_path / "f.csv", "x")
    assert (tmp_path / "other" / io.META).is_file() and saved == [tmp_path / "f.csv"]
    io.write_atomic(tmp_path / "g.csv", "x")  # after the command: kept nowhere
    assert saved == [tmp_path / "f.csv"]


def test_saved_files_get_the_usual_modes(fitted, tmp_path):
    old = os.umask(0o022)
    try:
        fitted.save(tmp_path / "m")
        io.write_atomic(tmp_path / "f.csv", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "m" / "model.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "m" / "weights.safetensors").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "f.csv").stat().st_mode & 0o777 == 0o644


def test_refuses_a_folder_that_is_not_a_model(fitted, tmp_path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "notes.txt").write_text("precious")
    with pytest.raises(ConfigError, match=r"exists, is not empty and holds no seqcast model; choose a new or empty directory "
                                          r"\(the path given to save, or --out\)"):  # not only the CLI's --out, from Python
        fitted.save(d)
    assert snapshot(d) == {"notes.txt": b"precious"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(ConfigError, match="exists and is a file"):
        fitted.save(f)
    assert f.read_text() == "x"


def test_refuses_to_replace_a_model_folder_that_also_holds_the_users_files(fitted, saved, tmp_path):
    # a model folder is replaced as a whole: a refit over it deleted the data and config kept beside the model
    # (`seqcast fit m/data.csv --config m/run.toml --out m`) without a word
    d = copy_model(saved, tmp_path)
    (d / "data.csv").write_text("date,y")
    (d / "run.toml").write_text("epochs = 2")
    before = snapshot(d)
    with pytest.raises(ConfigError, match=r"^'.*copy' holds a seqcast model and also '.*data\.csv', '.*run\.toml', which replacing the "
                                          r"folder would delete; move them elsewhere or choose another directory"):
        fitted.save(d)
    assert snapshot(d) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # no temp folder left beside it
    for name in ("data.csv", "run.toml"):
        (d / name).unlink()
    for name in ("run.json", "report.html", "test_plot.png", ".DS_Store", ".report.html.x1y2.tmp"):  # fit's, a file browser's,
        (d / name).write_text("")  # and a temp file of a write killed with -9: seqcast's own, replaced with the folder
    fitted.save(d)
    assert sorted(p.name for p in d.iterdir()) == ["model.json", "weights.safetensors"]


def test_saves_into_an_empty_folder(fitted, tmp_path):
    d = tmp_path / "empty"
    d.mkdir()
    fitted.save(d)
    assert (d / "model.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_a_home_relative_path_is_expanded(fitted, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    fitted.save("~/models/m")
    assert (tmp_path / "models" / "m" / "model.json").is_file()
    assert Forecaster.load("~/models/m").series_ids_ == fitted.series_ids_


def test_a_model_json_saved_with_a_byte_order_mark_loads(saved, tmp_path):
    d = copy_model(saved, tmp_path)
    (d / "model.json").write_bytes(b"\xef\xbb\xbf" + (d / "model.json").read_bytes())  # an editor's UTF-8 BOM
    pd.testing.assert_frame_equal(Forecaster.load(d).forecast(3), Forecaster.load(saved).forecast(3))


def test_write_atomic_that_cannot_rename_names_the_file_not_its_temp(tmp_path, monkeypatch):
    # Windows: forecast.csv open in Excel (a sharing violation); macOS: locked in Finder. The error, and the CLI's
    # one line from it, named '.forecast.csv.k2j3abcd.tmp', a file the user never made and that is gone
    target = tmp_path / "forecast.csv"
    target.write_text("old")

    def in_use(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process", src, None, dst)

    monkeypatch.setattr(os, "replace", in_use)
    with pytest.raises(PermissionError, match="being used by another process") as e:
        io.write_atomic(target, "new")
    assert e.value.filename == str(target)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["forecast.csv"]


def test_check_file_out_knows_a_models_file_by_another_name(tmp_path):
    # macOS' and Windows' file systems ignore case: `predict m --out m/MODEL.JSON` wrote the CSV over model.json
    m = tmp_path / "m"
    m.mkdir()
    (m / "model.json").write_text("{}")
    os.link(m / "model.json", m / "MODEL.JSON")  # what such a file system shows: one file under both names
    with pytest.raises(ConfigError, match="is a file of the seqcast model"):
        io.check_file_out(m / "MODEL.JSON")
    assert io.check_file_out(m / "Forecast.csv") == m / "Forecast.csv"  # a new file beside the model is fine


def test_write_atomic_writes_devices_in_place_and_other_paths_by_rename(tmp_path):
    import os

    from seqcast.io import write_atomic

    write_atomic("/dev/null", "x\n")  # a device: written, not replaced
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    import threading

    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_atomic(fifo, "through a pipe\n")
    reader.join(5)
    assert got == ["through a pipe\n"] and not fifo.is_file()


def test_a_jax_platform_this_machine_lacks_does_not_make_the_model_corrupt(saved, monkeypatch):
    # JAX_PLATFORMS=cuda without the plugin: load said "'m' is corrupt or inconsistent (AssertionError: ); re-save the model"
    def devices(*a, **k):
        raise AssertionError()

    monkeypatch.setattr(jax, "devices", devices)
    monkeypatch.setenv("JAX_PLATFORMS", "cuda")
    with pytest.raises(ConfigError, match=r"^JAX cannot start on the platform\(s\) JAX_PLATFORMS='cuda' asks for") as e:
        Forecaster.load(saved)
    assert not isinstance(e.value, ModelFileError)


def test_a_model_file_whose_series_ids_repeat_is_corrupt(tmp_path):
    d = tmp_path / "m"
    Forecaster(**FAST, seed=0).fit({"a": monthly(), "b": monthly() * 2}).save(d)
    meta = json.loads((d / "model.json").read_text())
    meta["series"][1]["id"] = "a"
    (d / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match=r"corrupt or inconsistent .*two series have the id 'a'"):
        Forecaster.load(d)


def test_a_pending_interrupt_stops_every_rename(fitted, saved, tmp_path):
    # the CLI sets INTERRUPTED on Ctrl-C / SIGTERM: should the KeyboardInterrupt be swallowed where it lands, no
    # model or file is swapped in afterwards
    d = copy_model(saved, tmp_path)
    before = snapshot(d)
    (tmp_path / "f.csv").write_text("old")
    f = Forecaster(**FAST, seed=1).fit(monthly())
    io.INTERRUPTED.set()
    try:
        with pytest.raises(KeyboardInterrupt):
            f.save(d)
        with pytest.raises(KeyboardInterrupt):  # and training stops at the next epoch, not at the end
            Forecaster(**FAST, seed=1).fit(monthly())
        with pytest.raises(KeyboardInterrupt):
            io.write_atomic(tmp_path / "f.csv", "new")
    finally:
        io.INTERRUPTED.clear()
    assert snapshot(d) == before and (tmp_path / "f.csv").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy", "f.csv"]


@pytest.mark.parametrize("where", [".", "", ".."])
def test_the_current_directory_is_refused_as_a_target(fitted, tmp_path, monkeypatch, where):
    # saving to '.' trained, then failed with "ValueError: PosixPath('.') has an empty name"; swapped, the folder
    # the shell sits in would have been deleted under it
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    with pytest.raises(ConfigError, match=r"\(the path given to save, or --out\) is the current directory or holds it"):
        fitted.save(where)  # a Python user has no --out
    assert list(tmp_path.iterdir()) == [tmp_path / "here"] and list((tmp_path / "here").iterdir()) == []
    fitted.save("m")  # a folder below it is fine
    assert (tmp_path / "here" / "m" / "model.json").is_file()


def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(fitted, saved, tmp_path):
    # models/current -> v1: the link was renamed to '.current.old-PID' (and left there: rmtree refuses links) and
    # replaced by a real folder, v1 kept the old model
    v1 = copy_model(saved, tmp_path)
    (tmp_path / "current").symlink_to(v1.name)
    other = Forecaster(**FAST, seed=1).fit(monthly())
    other.save(tmp_path / "current")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["current", v1.name])
    assert (tmp_path / "current").is_symlink() and os.readlink(tmp_path / "current") == v1.name
    pd.testing.assert_frame_equal(Forecaster.load(v1).forecast(3), other.forecast(3))


# ---- two processes at once: fit --out on one folder, predict while it is replaced ----------------------


@pytest.fixture(scope="module")
def second(fitted):
    return Forecaster(**FAST, seed=1).fit(monthly())


def _once(action):
    """A hook that runs `action` the first time it is called (another process acting at that moment)."""
    state = {"done": False}

    def hook():
        if not state["done"]:
            state["done"] = True
            action()
    return hook


def test_two_saves_to_one_folder_at_once_leave_one_whole_model(fitted, second, saved, tmp_path, monkeypatch):
    # another process's save landed between this one's two renames: the rename onto its folder failed
    # ("[Errno 39] Directory not empty: '.copy.x.tmp' -> 'copy'") and '.copy.old-PID' was left behind
    d = copy_model(saved, tmp_path)
    real = os.replace
    other = _once(lambda: second.save(d))

    def replace(src, dst):
        if Path(src).name.endswith(".tmp") and Path(dst) == d:
            other()
        return real(src, dst)

    monkeypatch.setattr(io.os, "replace", replace)
    fitted.save(d)  # the last rename wins, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]
    monkeypatch.undo()
    pd.testing.assert_frame_equal(Forecaster.load(d).forecast(3), fitted.forecast(3))


def test_a_model_replaced_while_it_is_loaded_is_read_whole(fitted, second, saved, tmp_path, monkeypatch):
    # fit --out replaced the folder between predict's reads of model.json and of the weights:
    # "weights.safetensors does not match model.json (checksum differs): the file is corrupt"
    d = copy_model(saved, tmp_path)
    real = io.read_meta
    other = _once(lambda: second.save(d))

    def read_meta(p):
        meta = real(p)
        other()
        return meta

    monkeypatch.setattr(io, "read_meta", read_meta)
    pd.testing.assert_frame_equal(io.load_model(d).forecast(3), second.forecast(3))


def test_a_model_folder_moved_aside_by_another_save_is_not_called_foreign(saved, tmp_path, monkeypatch):
    # another fit moved the folder aside between check_target's looks (it listed files, then found no model.json):
    # "'copy' exists, is not empty and holds no seqcast model" although it held one
    d = copy_model(saved, tmp_path)
    real = Path.is_file
    aside = _once(lambda: os.replace(d, tmp_path / ".copy.old-1-x"))

    def is_file(p):
        if p == d / io.META:
            aside()
        return real(p)

    monkeypatch.setattr(Path, "is_file", is_file)
    assert io.check_target(d) == d


def test_loading_a_pipe_or_device_is_not_called_missing(tmp_path):
    """`seqcast info /dev/null` said "model directory '/dev/null' not found"."""
    fifo = tmp_path / "m"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match=r"is a file, not a model directory"):
        Forecaster.load(fifo)


def test_a_model_folder_is_swapped_in_one_step_where_the_system_can(tmp_path, monkeypatch):
    # the earlier folder was moved aside, then the new one renamed in: a `predict` reading it in between (a cron job
    # while a refit saves) found no model (1 of 40 concurrent predicts said "model directory not found")
    import os
    import sys

    from seqcast import io as sio

    target, new = tmp_path / "m", tmp_path / ".m.new.tmp"
    target.mkdir()
    (target / "old.txt").write_text("old")
    new.mkdir()
    (new / "new.txt").write_text("new")
    if not (sys.platform.startswith("linux") and sio._exchange(new, target)):
        pytest.skip("no RENAME_EXCHANGE here (another system or file system): the two-step swap is used")
    sio._exchange(new, target)  # back as they were (the probe above swapped them)
    moved = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: moved.append((a, b)) or real_replace(a, b))
    assert sio._swap_in(new, target) == [new]
    assert (target / "new.txt").read_text() == "new" and (new / "old.txt").read_text() == "old"  # the earlier one: to delete
    assert moved == []  # never moved aside: no moment without a folder at `target`
    monkeypatch.setattr(sio, "_exchange", lambda a, b: False)  # elsewhere: the two renames, as before
    other = tmp_path / ".m.other.tmp"
    other.mkdir()
    (other / "x.txt").write_text("x")
    olds = sio._swap_in(other, target)
    assert (target / "x.txt").read_text() == "x" and len(olds) == 1 and (olds[0] / "new.txt").read_text() == "new"


def test_a_long_name_the_file_system_takes_is_written(tmp_path, monkeypatch):
    # a name of 242-255 bytes (81 Korean or 121 accented letters) is a valid file name, but its temp name beside it
    # ('.NAME.xxxxxxxx.tmp') was not: "cannot use '.../.üü...ü.csv.71sftgtv.tmp': File name too long; check the path
    # and its permissions", naming a file the user never saw
    from seqcast import io as sio

    name = "ü" * 125  # 250 bytes
    try:
        (tmp_path / name).touch()
        (tmp_path / name).unlink()
    except OSError:
        pytest.skip("this file system takes no 250-byte names")
    io.write_atomic(tmp_path / f"{name[:-2]}.csv", "a,b\n")
    assert (tmp_path / f"{name[:-2]}.csv").read_text() == "a,b\n"
    monkeypatch.setattr(sio, "_exchange", lambda a, b: False)  # the two-step swap moves the earlier folder aside too
    for text in ("1", "2"):  # a new folder, then one replacing it
        io.replace_dir(tmp_path / name, lambda d: (d / "model.json").write_text(text))
        assert (tmp_path / name / "model.json").read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, f"{name[:-2]}.csv"])


# ---- one command at a time per folder ------------------------------------------------------------------


def test_a_folder_held_by_one_command_is_refused_to_another(tmp_path):
    # two `fit --out m` (or two `backtest --report`, seqcast-out/backtest) at once both trained, both swapped their folder
    # in and both said they had saved it: the last one won, the other run was lost without a word
    m = tmp_path / "m"
    (tmp_path / "link").symlink_to(m, target_is_directory=True)
    with io.holding(m, "seqcast fit a.csv --out m"):
        for other in (m, tmp_path / "." / "m", tmp_path / "link"):  # one folder, whatever its name
            message = (rf"^'{re.escape(str(other))}' is being written by another seqcast command \(pid {os.getpid()}, "
                       r"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: seqcast fit a.csv --out m\); wait for it to end, or choose another directory "
                       r"\(the path given to save, or --out\)$")
            with pytest.raises(ConfigError, match=message), io.holding(other, "seqcast fit b.csv --out m"):
                pytest.fail("held twice")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link"]  # the lock file is gone
    with io.holding(m):  # free again
        pass


def test_a_held_folder_is_let_go_when_its_command_is_killed(tmp_path):
    import subprocess
    import sys

    m = tmp_path / "m"
    code = f"import time; from seqcast import io\nwith io.holding({str(m)!r}, 'seqcast fit'):\n    print('held', flush=True); time.sleep(60)"
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        with pytest.raises(ConfigError, match=r"is being written by another seqcast command \(pid \d+, since .*: seqcast fit\)"), \
                io.holding(m):
            pass
    finally:
        p.kill()  # kill -9: no cleanup; the system lets go of the lock, its file stays
        p.wait()
    with io.holding(m):
        pass
    assert list(tmp_path.iterdir()) == []


def test_the_folders_made_for_a_lock_are_removed(tmp_path):
    m = tmp_path / "out" / "runs" / "m"  # seqcast-out/backtest, before seqcast-out exists
    with io.holding(m):
        assert (tmp_path / "out" / "runs" / ".m.lock").is_file()
        with pytest.raises(ConfigError, match="is being written by another seqcast command"), io.holding(m):
            pass
    assert list(tmp_path.iterdir()) == []  # nothing saved: nothing left
    with io.holding(m):
        m.mkdir()  # saved: its folders stay
    assert [p.relative_to(tmp_path).as_posix() for p in sorted(tmp_path.rglob("*"))] == ["out", "out/runs", "out/runs/m"]


def test_a_file_system_without_locks_holds_nothing(tmp_path, monkeypatch):
    import errno
    import fcntl

    def flock(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", flock)
    with io.holding(tmp_path / "m"), io.holding(tmp_path / "m"):  # as before: the last swap wins, whole
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_lock_file_replaced_on_every_try_is_one_config_error(tmp_path, monkeypatch):
    # it saved without any lock, silently, after 100 tries that each found the lock file replaced
    calls = []
    monkeypatch.setattr(io, "_inode", lambda path: calls.append(path) or ("other", len(calls)))
    with pytest.raises(ConfigError, match=r"^'.*m' could not be held: its lock file .* was replaced 100 times") as e:
        with io.holding(tmp_path / "m"):
            pass
    assert "\n" not in str(e.value) and len(calls) == 100 and not (tmp_path / "m").exists()


def test_a_folder_a_python_save_is_writing_is_refused_to_another_save_and_to_commands(fitted, saved, tmp_path):
    # Forecaster.save took no lock: two scripts (or a script and `seqcast fit --out m`) saving one folder at once both
    # swapped it in, the last one winning, and neither said a word
    import subprocess
    import sys

    d = copy_model(saved, tmp_path)
    before = snapshot(d)
    code = (f"import time\nfrom seqcast import Forecaster, io\nf = Forecaster.load({str(d)!r})\n"
            f"io.save_model = lambda f, path: (print('saving', flush=True), time.sleep(60))\nf.save({str(d)!r})")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "saving"
        message = (rf"^'{re.escape(str(d))}' is being written by another seqcast command \(pid {p.pid}, since \d{{4}}-\d\d-\d\d "
                   r"\d\d:\d\d:\d\d: Forecaster.save in Python: python\S* -c\); wait for it to end, or choose another "
                   r"directory \(the path given to save, or --out\)$")
        with pytest.raises(ConfigError, match=message):
            fitted.save(d)
        with pytest.raises(ConfigError, match=message), io.holding(d, "seqcast fit a.csv --out copy"):  # the CLI's hold
            pytest.fail("held twice")
        assert snapshot(d) == before
    finally:
        p.kill()
        p.wait()
    fitted.save(d)  # let go when its process ended
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # the lock file is gone


def test_a_save_inside_the_command_holding_its_folder_is_that_commands_own(fitted, tmp_path):
    # `seqcast fit --out m` on many series holds m, then saves with Forecaster.save: its own hold is no other writer's,
    # while a save from another thread meanwhile is
    import threading

    m = tmp_path / "m"
    errors = []

    def save():
        try:
            fitted.save(m)
        except ConfigError as e:
            errors.append(str(e))

    with io.holding(m, "seqcast fit a.csv --out m"):
        t = threading.Thread(target=save)
        t.start()
        t.join()
        fitted.save(m)
        assert (m / "model.json").is_file() and (tmp_path / ".m.lock").is_file()  # saved, and still held
    assert len(errors) == 1 and errors[0].startswith(f"'{m}' is being written by another seqcast command (pid {os.getpid()}, ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_a_lock_file_that_cannot_be_made_in_its_folder_is_not_called_replaced(tmp_path, monkeypatch):
    # a '.m.lock' linking to a missing folder (or a lock in /proc) was retried 100 times as "replaced", then said
    # "other seqcast commands keep writing that directory", none of which was so
    lock = tmp_path / ".m.lock"
    lock.symlink_to(tmp_path / "gone" / "x")
    with pytest.raises(ConfigError) as e, io.holding(tmp_path / "m"):
        pytest.fail("held")
    assert str(e.value) == (f"'{tmp_path / 'm'}' could not be held: its lock file '{lock}', a link to '{tmp_path / 'gone' / 'x'}', "
                            "cannot be created (No such file or directory); delete the link or choose another directory "
                            "(the path given to save, or --out)")
    assert [p.name for p in tmp_path.iterdir()] == [".m.lock"] and lock.is_symlink()  # the user's link, as it was
    if Path("/proc/self").is_dir():  # Linux: reachable by io.holding alone (check_target refuses /proc/x first)
        with pytest.raises(ConfigError, match=r"^'/proc/x' could not be held: its lock file '/proc/.x.lock' cannot be created "
                                              r"\(No such file or directory\); choose another directory"), io.holding("/proc/x"):
            pytest.fail("held")
    # its folder removed by the command that made it, between making it and the lock file: still tried again
    lock.unlink()
    real, calls = os.open, []

    def open_(path, *a, **k):
        if Path(path) == tmp_path / "new" / ".m.lock" and not calls:
            calls.append(path)
            os.rmdir(tmp_path / "new")
        return real(path, *a, **k)

    monkeypatch.setattr(os, "open", open_)
    with io.holding(tmp_path / "new" / "m"):
        assert (tmp_path / "new" / ".m.lock").is_file() and len(calls) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_model_file_without_floors_forecasts_unfloored(saved, tmp_path):
    # files written before floors (no "floors", no intervals) load with floors_ None: forecast skips the floor
    # (coverage: forecast._floors' None path was never run)
    d = copy_model(saved, tmp_path)
    meta = json.loads((d / "model.json").read_text())
    assert meta.pop("floors") == [0.0] and meta["intervals"] is None
    (d / "model.json").write_text(json.dumps(meta))
    old = Forecaster.load(d)
    assert old.floors_ is None
    pd.testing.assert_frame_equal(old.forecast(3), Forecaster.load(saved).forecast(3))  # positive data: no floor reached


def test_model_json_writes_korean_names_as_text_and_an_undecodable_name_round_trips(tmp_path):
    """model.json wrote a Korean column as "\\uc2b9\\uac1d \\uc218" (valid JSON, unreadable in an editor): as '승객 수'.
    A lone surrogate (a file name's byte that is no UTF-8, as os.fsdecode reads it) cannot be UTF-8: JSON's escape for
    it, and the model loads with the same name."""
    for name in ("승객 수", "매출\udcc7"):
        d = tmp_path / f"m{len(name)}"
        Forecaster(**FAST, seed=0).fit(monthly().rename(name)).save(d)
        text = (d / io.META).read_bytes().decode("utf-8")  # UTF-8, strict
        assert ('"승객 수"' in text and "\\uc2b9" not in text) if name == "승객 수" else '"매출\\udcc7"' in text
        assert Forecaster.load(d).series_ids_ == [name]


def test_a_command_line_holding_an_undecodable_file_name_takes_the_lock(tmp_path):
    """`seqcast fit` of a cp949-named file on a UTF-8 system (its name read as '\\udcb8\\udcc5...') stopped with a
    UnicodeEncodeError traceback: the lock file could not write the command line. It writes the byte as '\\udcb8', and
    a second command is refused naming the first, as for any name."""
    m = tmp_path / "m"
    who = "seqcast fit '\udcb8\udcc5.csv' --out m"
    message = r"is being written by another seqcast command \(pid \d+, since .*: seqcast fit '\\udcb8\\udcc5.csv' --out m\)"
    with io.holding(m, who), pytest.raises(ConfigError, match=message), io.holding(m, "seqcast fit b.csv"):
        pytest.fail("held twice")
    assert list(tmp_path.iterdir()) == []
