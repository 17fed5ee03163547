"""What a model is: `seqcast info MODEL` and `Forecaster.summary()`, Keras' `model.summary()` for seqcast.

Everything comes from model.json and the weights' shapes (and from run.json's holdout scores when `seqcast fit`
or `seqcast demo` wrote one beside the model): no JAX is imported, so `seqcast info` answers at once.

    facts(meta, shapes, run=None, files=None) -> dict   one JSON-able record: version, model, layers, data, ...
    text(facts) -> str                                  the same facts as lines and a table of the layers
    read(path) -> dict                                  facts of a model folder (fit --out, save) or a demo folder
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime
from pathlib import Path

from . import io
from .config import DEFAULT_LR, MODEL_NAMES, from_dict
from .errors import ModelFileError, out_of_memory
from .runs import REPORT_FILE, RUN_FILE, argument, shell_join
from .scaling import Scaler

SHOWN_IDS = 5  # series ids listed; --json's data.ids holds them all
WHAT = "a model folder written by `seqcast fit --out` or Forecaster.save, or a `seqcast demo` folder"


# ---- reading a folder ----------------------------------------------------------------------------------


def read(path) -> dict:
    """The facts of the model saved in `path` (its run.json's holdout scores and its files too), read without JAX.
    ModelFileError, in one line, for a folder that holds no model, a corrupt or mismatched model.json or weights."""
    p = io.model_path(path)
    # all from one save: a fit --out swapping its folder in meanwhile gave one model's facts, the next one's holdout
    # and files, or "cannot use 'm/report.html': No such file or directory"
    folder, meta, raw, run, files = io._read_whole(p, _read)
    io._check_options(meta, folder / io.META)  # an option of another seqcast version, said so
    try:
        told = facts(meta, _shapes(raw))
        text(told)  # a hand-edited value of another type (a null loss, a text fit_s) fails here, not in the CLI
    except ModelFileError as e:
        raise ModelFileError(f"'{folder}': {e}") from None
    except Exception as e:  # a hand-edited model.json: one line, as Forecaster.load says it
        if out_of_memory(e):  # not the model's fault: the CLI says "not enough memory"
            raise
        raise ModelFileError(f"'{folder}' is corrupt or inconsistent ({type(e).__name__}: {e}); re-save the model with `seqcast fit`") from None
    return {"path": str(p), **told, "holdout": run, "files": files}


def _read(p: Path) -> tuple:
    """The model folder in `p`, its model.json (format checked) and weights (matching its checksum), its run.json's
    holdout and the files under `p`."""
    folder, run_file = _locate(p)
    meta, raw = io._read_files(folder)
    return folder, meta, raw, _run(run_file), _files(p)


def _locate(p: Path) -> tuple[Path, Path | None]:
    """The model folder `p` names and the run.json scoring it (None: none): `p` itself (fit --out, save) or its
    model/ (a demo folder, whose run.json is beside model/). A run directory of backtest, benchmark or reproduce
    holds no model: refused, saying what MODEL must be. Any other folder: read_meta's errors."""
    if p.is_file() and p.name in (io.META, io.WEIGHTS, RUN_FILE):  # `seqcast info models/a/model.json`
        if not (p.parent / io.META).is_file() and not (p.parent / "model" / io.META).is_file():
            return _locate(p.parent)  # a run directory's run.json (or a model that lost model.json): its folder's error
        raise ModelFileError(f"'{p}' is a file of a seqcast model; pass its folder: seqcast info {shell_join([argument(p.parent)])}")
    if p.is_dir() and not (p / io.META).is_file():
        if (p / "model" / io.META).is_file():
            return p / "model", _file(p / RUN_FILE)
        if (p / RUN_FILE).is_file() and not (p / io.WEIGHTS).exists():  # with the weights: a model that lost model.json
            raise ModelFileError(f"'{p}' is a seqcast run directory (run.json), which holds no model; pass {WHAT} "
                                 f"(the run's results are in '{p / REPORT_FILE}')")
    return p, _file(p / RUN_FILE)


def _file(f: Path) -> Path | None:
    return f if f.is_file() else None


def _shapes(raw: bytes) -> dict:
    """{"layers.0.W": (M, F, G*H), ...}: each weight's shape in the safetensors bytes."""
    from safetensors.numpy import load

    try:
        return {k: tuple(int(n) for n in v.shape) for k, v in load(raw).items()}
    except Exception as e:  # SafetensorError and friends; the checksum matched, so model.json was edited
        if out_of_memory(e):  # weights too large for memory are no less a safetensors file
            raise
        raise ModelFileError(f"{io.WEIGHTS} is no safetensors file ({e}); re-save the model") from None


def _run(f: Path | None) -> dict | None:
    """run.json's holdout (fit and demo write one beside the model): its leaderboard, verdict and the warnings its fits
    said (none in a run.json older than them); a note when it cannot be read, which does not hide the model's own facts."""
    if f is None:
        return None
    try:
        run = json.loads(f.read_text(encoding="utf-8"))
        board, verdict, data, said = run["leaderboard"], run["verdict"], run.get("data") or {}, run.get("warnings", [])
        if not (isinstance(board, list) and all(isinstance(r, dict) and "model" in r for r in board)
                and all(isinstance(x, list) and all(isinstance(v, str) for v in x) for x in (verdict, said)) and isinstance(data, dict)):
            raise ValueError("leaderboard, verdict or warnings of another shape")
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as e:
        return {"file": str(f), "note": f"'{f}' could not be read ({type(e).__name__}); the facts above come from model.json"}
    return {"file": str(f), "command": run.get("command"), "created": run.get("created"),
            "training_windows": data.get("training windows", data.get("train")),
            "test_points": data.get("test points (one step ahead)", data.get("test")),
            "unscored": data.get("unscored", 0) if isinstance(data.get("unscored", 0), int) else 0,  # filled test values
            "leaderboard": board, "verdict": verdict, "warnings": said}


def _files(p: Path) -> list[dict]:
    """Every file under `p` (a demo folder's model/ too), with its size; hidden ones (a killed write's temp file) not."""
    return [{"name": q.relative_to(p).as_posix(), "bytes": q.stat().st_size} for q in sorted(p.rglob("*"))
            if q.is_file() and not any(part.startswith(".") for part in q.relative_to(p).parts)]


# ---- the facts -----------------------------------------------------------------------------------------


def facts(meta: dict, shapes: dict, run: dict | None = None, files: list | None = None) -> dict:
    """One JSON-able record of a model from its model.json content `meta` and its weights' `shapes`."""
    cfg = from_dict(meta["config"], source="model.json")
    series = meta["series"]
    layers = layer_rows(cfg, shapes)
    per_member = sum(r["params"] for r in layers)
    hist, iv = meta["history"], meta["intervals"]
    return {
        "seqcast_version": meta.get("seqcast_version"),
        "format_version": meta.get("format_version"),
        "model": {**cfg.to_dict(), "horizon": meta["horizon"], "season": meta["season"],
                  "fit_horizon": _fit_horizon(meta),  # fit's --horizon: predict's default for a recursive model
                  "learning_rate": DEFAULT_LR[cfg.optimizer] if cfg.learning_rate is None else cfg.learning_rate,
                  "learning_rate_default": cfg.learning_rate is None,
                  # what scaler auto chose, per series; each checked as Forecaster.load checks it (a field missing: refused)
                  "scalers": dict(Counter(Scaler.from_dict(s["scaler"]).kind for s in series))},
        "layers": layers,
        "params": per_member,  # one member's
        "params_total": per_member * cfg.ensemble,
        "data": _data(meta, series),
        "training": {"windows": meta["n_windows"][0], "validation_windows": meta["n_windows"][1], "epochs_run": len(hist["loss"]),
                     "best_epoch": hist["best_epoch"], "loss": hist["loss"][-1] if hist["loss"] else None,
                     "val_loss": hist["val_loss"][-1] if hist["val_loss"] else None, "fit_s": hist["fit_s"]},
        "intervals": None if iv is None else {"levels": iv["levels"], "horizon": iv["horizon"],
                                              "calibration_windows": iv["calibration_windows"],
                                              "calibration_series": iv.get("calibration_series", len(series)),
                                              "infinite": [q for q, row in zip(iv["levels"], iv.get("widths") or [])  # (null: inf)
                                                           if any(w is None for w in row)]},  # levels with too few residuals
        "holdout": run,
        "files": files,
    }


def _fit_horizon(meta: dict) -> int | None:
    """model.json's fit_horizon, checked as Forecaster.load checks it; None in files written before it was kept."""
    fh = meta.get("fit_horizon")
    return None if fh is None else io._int(fh, "fit_horizon")


def layer_rows(cfg, shapes: dict) -> list[dict]:
    """One row per layer of the weights `shapes` ({"layers.0.W": shape, ...}, an ensemble's with the members first):
    its name in the weights file ("layers.0"), its Keras-style name ("LSTM(64)"), one member's weight shapes and
    its parameter count, in the order the network runs them."""
    groups: dict = {}
    for key, shape in shapes.items():
        group, _, name = key.rpartition(".")
        if cfg.ensemble > 1:
            if not shape or shape[0] != cfg.ensemble:
                raise ModelFileError(f"weight '{key}' has shape {shape}, but ensemble={cfg.ensemble} in model.json needs one per "
                                     f"member, shape ({cfg.ensemble}, ...); re-save the model")
            shape = shape[1:]
        groups.setdefault(group, {})[name] = list(shape)
    groups = {g: dict(sorted(w.items(), key=lambda kv: ({"W": 0, "U": 1, "b": 2}.get(kv[0], 3), kv[0]))) for g, w in groups.items()}  # Keras' order
    return [{"name": g, "layer": _layer_name(g, groups[g], cfg), "weights": groups[g], "params": sum(math.prod(s) for s in groups[g].values())}
            for g in sorted(groups, key=_order)]


def _order(group: str):
    kind, _, i = group.partition(".")
    return ({"layers": 0, "head": 1, "skip": 2}.get(kind, 3), int(i) if i.isdigit() else 0, group)


def _layer_name(group: str, w: dict, cfg) -> str:
    """Keras' name of a layer: LSTM(64), GRU(32), SimpleRNN(20); Dense(1, sigmoid), TimeDistributed(Dense(10))."""
    out = (w.get("W") or [0])[-1]
    if group.startswith("layers.") and cfg.model in MODEL_NAMES and "U" in w:
        return f"{MODEL_NAMES[cfg.model]}({w['U'][0]})"
    if group == "head":
        dense = f"Dense({out}{', ' + cfg.output_activation if cfg.output_activation else ''})"
        if cfg.model == "linear":
            return f"{dense} on the window"  # Keras' Flatten + Dense
        return f"TimeDistributed({dense})" if cfg.strategy == "seq2seq" else dense
    if group == "skip":
        return "linear skip"  # W (window, outputs): the window straight to the output, beside the recurrent layers
    return group


def _data(meta: dict, series: list) -> dict:
    schemas = [s["schema"] for s in series]
    counts = [s.get("n_obs") for s in schemas]
    freqs = list(dict.fromkeys(s["freq"] for s in schemas))
    # {"id", "date", "value"} the data was read by (predict --data's defaults), checked as Forecaster.load checks them;
    # older files: null, and only a one-series model's value column, in its schema
    columns = None if meta.get("columns") is None else io._columns(meta["columns"], None)
    return {"n_series": len(series), "ids": [s["id"] for s in series], "long_format": meta["long_format"],
            "value_column": (columns or {}).get("value") or (None if meta["long_format"] else schemas[0]["name"]),
            "columns": columns,
            "encoding": io.saved_encoding(meta),  # fit --encoding's: predict --data's default; None: none kept
            "freq": freqs[0] if len(freqs) == 1 else freqs,
            "first": min((s["first"] for s in schemas), key=_instant), "last": max((s["last"] for s in schemas), key=_instant),
            "n_values": None if None in counts else sum(counts), "filled": sum(s.get("filled", 0) for s in schemas),
            "leaks": meta["leaks"]}


def _instant(x):
    return datetime.fromisoformat(x).timestamp() if isinstance(x, str) else x  # an offset counts; a positional index: an int


# ---- as text -------------------------------------------------------------------------------------------


def text(f: dict) -> str:
    """The facts as a few labelled lines, a table of the layers (Keras' summary), the holdout and the files."""
    head = (f"seqcast model '{f['path']}', written by seqcast {f['seqcast_version']} (model format {f['format_version']})"
            if f.get("path") else f"seqcast model (seqcast {f['seqcast_version']})")  # a Forecaster's, in memory
    rows = [("model", _model_line(f)), ("scaling", _scaling_line(f)), ("training", _training_line(f["model"])),
            ("", _run_line(f["training"])), ("data", _data_line(f["data"])), ("intervals", _intervals_line(f["intervals"]))]
    lines = [head, "", *(f"{k:<11}{v}" for k, v in rows), "", *_layer_table(f), *_holdout_lines(f["holdout"])]
    if f["files"]:
        width = max(len(x["name"]) for x in f["files"])
        lines += ["", "files"] + [f"  {x['name']:<{width}}  {_size(x['bytes']):>9}" for x in f["files"]]
    return "\n".join(lines)


def _model_line(f: dict) -> str:
    m = f["model"]
    net = " + ".join(r["layer"] for r in f["layers"])
    fh = f"; fit's horizon {m['fit_horizon']}: predict's default" if m["fit_horizon"] else ""
    steps = f"horizon {m['horizon']} ({m['strategy']})" if m["strategy"] != "recursive" else f"one step, fed back (recursive{fh})"
    ens = f", {m['ensemble']}-member ensemble (the median forecast)" if m["ensemble"] > 1 else ""
    return f"{net}, window {m['window']}, {steps}, norm {m['norm']}, season {m['season']}{ens}"


def _scaling_line(f: dict) -> str:
    m = f["model"]
    chosen = ", ".join(f"{k} for {n}" for k, n in m["scalers"].items())  # what scaler auto chose
    return (f"{'log1p, then ' if m['log'] else ''}scaler {m['scaler']}{f' ({chosen} series)' if m['scaler'] == 'auto' else ''}, "
            "one per series" + (", fitted on all the data (the test period leaked into it)" if f["data"]["leaks"] else ""))


def _training_line(m: dict) -> str:
    lr = f"learning rate {m['learning_rate']:g}{' (default)' if m['learning_rate_default'] else ''}"
    val = f"validation on the last {m['val_size']:.0%} of the windows" if m["val_size"] else "no validation"
    return (f"{m['optimizer']}, {lr}, {m['loss']} loss, up to {m['epochs']} epochs of batch {m['batch_size']}, {val}, "
            f"patience {m['patience']}{'' if m['patience'] else ' (off)'}, seed {m['seed']}, {m['precision']}")


def _run_line(t: dict) -> str:
    best = t["best_epoch"]
    best = "" if best is None else f", best epoch{'s' if isinstance(best, list) else ''} {_ints(best)} restored"
    loss = f", last loss {t['loss']:.4g}" if t["loss"] is not None else ""
    return (f"ran {t['epochs_run']} epochs on {t['windows']} training + {t['validation_windows']} validation windows "
            f"in {t['fit_s']:.1f} s{best}{loss}")


def _data_line(d: dict) -> str:
    ids = ", ".join(repr(k) for k in d["ids"][:SHOWN_IDS]) + (", ..." if d["n_series"] > SHOWN_IDS else "")
    value = f", value column {d['value_column']!r}" if d["value_column"] else ""
    value += f", read in {d['encoding']} (predict --data's default)" if d["encoding"] else ""
    what = f"{d['n_series']} series in long format ({ids}){value}" if d["long_format"] else f"1 series{value}"
    freq = d["freq"] if isinstance(d["freq"], str) or d["freq"] is None else ", ".join(map(str, d["freq"]))
    values = f"{d['n_values']} values" if d["n_values"] is not None else "values"
    filled = f" ({d['filled']} filled in)" if d["filled"] else ""
    return f"{what}; {values}{filled}, {_span(d['first'], d['last'])}, frequency {freq or 'none (positions)'}"


def _intervals_line(iv: dict | None) -> str:
    if iv is None:
        return "none"
    bad = iv.get("infinite") or []
    inf = (f"; {' and '.join(f'{q:g}%' for q in bad)} infinite at some or all steps (too few calibration residuals)"
           if bad else "")
    return (f"{', '.join(f'{q:g}%' for q in iv['levels'])}, calibrated for {iv['horizon']} steps on {iv['calibration_windows']} "
            f"origins of {iv['calibration_series']} series{inf}")


def _span(first, last) -> str:
    """'first .. last' as the forecast CSVs write dates: days when both are midnights, else both with their times."""
    days = all(isinstance(x, str) and x.endswith("T00:00:00") for x in (first, last))
    return " .. ".join(x[:-9] if days else str(x).replace("T", " ") for x in (first, last))


def _layer_table(f: dict) -> list[str]:
    """Keras' summary table: each layer, its weights' shapes, its parameters; the total."""
    rows = [(r["layer"], "  ".join(f"{k} {tuple(s)}" for k, s in r["weights"].items()), f"{r['params']:,}") for r in f["layers"]]
    head = ("Layer", "Weights (one member)" if f["model"]["ensemble"] > 1 else "Weights", "Params")
    w = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    rule = "-" * (w[0] + w[1] + w[2] + 4)
    out = [rule, f"{head[0]:<{w[0]}}  {head[1]:<{w[1]}}  {head[2]:>{w[2]}}", rule]
    out += [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:>{w[2]}}" for a, b, c in rows]
    members = f["model"]["ensemble"]
    total = f"Total params: {f['params']:,}" + (f" per member, {f['params_total']:,} in all {members}" if members > 1 else "")
    return out + [rule, f"{total} ({_size(4 * f['params_total'])} as float32)"]


def _holdout_lines(h: dict | None) -> list[str]:
    if h is None:
        return []
    if "note" in h:
        return ["", f"holdout: {h['note']}"]
    left = h.get("unscored") or 0  # the last test_points + left values, of which `left` were filled, not observed
    on = (f"{h['test_points']} of the last {h['test_points'] + left} points ({left} filled, not observed: not scored)"
          if left and isinstance(h["test_points"], int) else f"the last {h['test_points']} points")
    split = (f": fitted on {h['training_windows']} windows, scored one step ahead on {on}"
             if h["training_windows"] is not None and h["test_points"] is not None else "")
    out = ["", f"holdout test of these options (run.json{split})"]
    cols = [c for c in h["leaderboard"][0] if c != "model"] if h["leaderboard"] else []
    name_w = max([5, *(len(str(r["model"])) for r in h["leaderboard"])])
    out.append(f"  {'model':<{name_w}}" + "".join(f"  {c:>10}" for c in cols))
    out += [f"  {r['model']!s:<{name_w}}" + "".join(f"  {_num(r.get(c)):>10}" for c in cols) for r in h["leaderboard"]]
    out += h["verdict"] + [f"warning: {w}" for w in h.get("warnings", [])]  # why a network's forecasts went flat
    if h.get("command"):
        out.append(f"written by: {h['command']}")
    return out


def _ints(x) -> str:
    return ", ".join(map(str, x)) if isinstance(x, list) else str(x)


def _num(x) -> str:
    return f"{x:.4g}" if isinstance(x, (int, float)) and not isinstance(x, bool) else "n/a"


def _size(n: int) -> str:
    return f"{n} B" if n < 1024 else f"{n / 1024:.1f} KB" if n < 1024**2 else f"{n / 1024**2:.1f} MB"
