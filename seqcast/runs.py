"""Run directories: what `seqcast backtest|benchmark|reproduce ... --report` and `seqcast demo` write.

A run directory holds run.json (the record `report.write_html` documents), the PNG figures it names
and report.html (self-contained, made from run.json by `report.write_html`)::

    seqcast-out/backtest/
        run.json            title, command, cwd, seqcast_version, seed, environment, created, warnings (what the fits
                            warned of, [] for none), data (with a data file's bytes and sha256), leaderboard, verdict,
                            figures, predictions, coverage (with --levels), history, config
        errors_by_step.png  MASE by horizon step, one line per model
        series_grid.png     the first, the worst and the best series: history, truth, forecast (+ interval)
        report.html

How it is written, so that a failure leaves nothing half-written:

* `write_run_dir` (backtest, benchmark, reproduce): everything is built in a temp folder beside the
  target (figures, then report.html, then run.json), and only then swapped in with renames; an
  earlier run directory there is replaced, and restored if the swap fails. A target that is a file,
  or a non-empty folder holding no run.json, is refused before any work (`check_run_dir`).
* `write_in_place` (demo and fit, whose --out folder also holds the model and CSVs): called inside the
  temp folder that --out is built in (io.replace_dir), figures first, then report.html, run.json last;
  the whole folder is then swapped in, so a failure leaves the earlier one as it was.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shlex
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

RUN_FILE, REPORT_FILE = "run.json", "report.html"
GRID_FILE, STEPS_FILE = "series_grid.png", "errors_by_step.png"
FORECAST_FILE, PREDICTIONS_FILE = "forecast.png", "predictions.png"
PREDICTIONS_CSV, SCORES_CSV = "predictions.csv", "series_scores.csv"  # backtest and benchmark: every row, every series
TABLES = {"predictions": PREDICTIONS_CSV, "series_scores": SCORES_CSV}  # run.json's "tables": the CSVs beside it
RUN_FILES = frozenset({RUN_FILE, REPORT_FILE, GRID_FILE, STEPS_FILE, FORECAST_FILE, PREDICTIONS_FILE, PREDICTIONS_CSV,
                       SCORES_CSV})  # all a run directory holds
MAX_ROWS = 200  # prediction rows kept in run.json (the report shows the first 200; predictions.csv holds all)


# ---- small helpers ------------------------------------------------------------------------------------


def version() -> str:
    """The version of the seqcast that ran, as model.json records it: the imported package's own string (an installed
    distribution's metadata may be another copy's, when a checkout is imported through PYTHONPATH)."""
    from . import __version__

    return __version__


def level_key(level) -> str:
    """80.0 -> "80", 97.5 -> "97.5" (JSON keys coverage_80, rich columns "cov 80%")."""
    return f"{float(level):g}"


def clean(x):
    """A JSON-able copy: numpy scalars and arrays to Python, NaN / inf to None, tuples to lists."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, Path):
        return str(x)
    return x


WINDOWS = os.name == "nt"


def shell_join(parts) -> str:
    """Arguments as one line to paste into a shell: POSIX quoting ('a b'), on Windows that of cmd.exe and PowerShell
    ("C:\\My Data\\x.csv", and C:\\data\\x.csv as it is: shlex's 'C:\\data\\x.csv' keeps its quotes in cmd.exe)."""
    parts = [str(p) for p in parts]
    return " ".join(map(_windows_arg, parts)) if WINDOWS else shlex.join(parts)


_SHELL_SPECIAL = re.compile(r"[&|<>^()@,;'`{}]").search  # cmd.exe runs or redirects at & | < > ^, PowerShell also at ( ) @ , ; ' ` { }


def _windows_arg(p: str) -> str:
    """One argument as list2cmdline quotes it (blanks), in double quotes also where it holds a character cmd.exe or
    PowerShell act on unquoted: C:\\R&D\\x.csv pasted ran `D\\x.csv` as a command."""
    q = subprocess.list2cmdline([p])
    if q.startswith('"') or not _SHELL_SPECIAL(p):
        return q
    return '"' + re.sub(r"(\\+)$", r"\1\1", q) + '"'  # a trailing backslash doubled: C:\\R&D\\ is "C:\\R&D\\\\"


def argument(value) -> str:
    """A path as a command's positional argument: './-m' for '-m', which the command would read as an option."""
    text = str(value)
    return f"./{text}" if text.startswith("-") else text


def command_line(ctx) -> str:
    """The command as one shell line: arguments, and every option whose value differs from its default."""
    parts = ["seqcast", *ctx.command_path.split()[1:]]
    for p in ctx.command.params:
        if p.name not in ctx.params:
            continue
        v = ctx.params[p.name]
        if getattr(p, "param_type_name", "") == "argument":
            parts.append(argument(v))
            continue
        if v is None or v == p.default or (isinstance(v, Path) and str(v) == str(p.default)):
            continue
        longest = max(p.opts, key=len)
        if getattr(p, "is_flag", False):
            if v:
                parts.append(longest)
            elif p.secondary_opts:
                parts.append(max(p.secondary_opts, key=len))
            continue
        parts += [longest, str(v)]
    return shell_join(parts)


def history_dict(h, of: str | None = None, members: int = 1) -> dict | None:
    """A train.History as run.json's `history`, or None. `of`: which fit it is (a run may fit several:
    a holdout and a refit, origins, seeds); an ensemble's losses are the members' mean."""
    if h is None:
        return None
    d = {"loss": list(h.loss), "val_loss": list(h.val_loss), "best_epoch": h.best_epoch, "fit_s": round(float(h.fit_s), 3)}
    if of:
        d["of"] = of + (f"; losses are the mean of its {members} members" if members > 1 else "")
    return clean(d)


def file_facts(data, encoding: str | None = None) -> dict:
    """{bytes, sha256} of the data file a command read (run.json's `data`), so that a re-run of its command line can be
    checked against the same file (`sha256sum FILE`), and the `encoding` it was read in when --encoding gave one; {} for
    a built-in dataset's name."""
    from .datasets import _BUILTINS

    path = Path(str(data)).expanduser()
    if (isinstance(data, str) and data.strip().lower() in _BUILTINS) or not path.is_file():
        return {}
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return {"bytes": size, "sha256": digest.hexdigest(), **({"encoding": encoding} if encoding is not None else {})}


def environment() -> dict:
    """What besides seqcast's version moves a run's numbers in their last digits: the libraries that compute them (XLA
    comes with jaxlib), the backend (on a GPU an ensemble's members train at once, vmapped: train.vmap_members) and
    the cores it could use."""
    import platform
    import sys
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _v

    env = {"python": platform.python_version()}
    for name in ("numpy", "pandas", "jax", "jaxlib", "optax"):
        try:
            env[name] = _v(name)
        except PackageNotFoundError:
            pass
    if "jax" in sys.modules:  # the commands that write a run have trained, or fitted baselines only (no JAX)
        from .train import usable_cores

        try:
            env.update(backend=sys.modules["jax"].default_backend(), cores=usable_cores())
        except Exception:  # noqa: BLE001 - a record of the machine, never the reason a finished run is lost
            pass
    return env


def base_run(ctx, title: str, seed) -> dict:
    """The facts every run.json starts with; `warnings`: the SeqcastWarning texts the command said so far (its fits: a
    network whose cells saturate), each once, [] for none (cli._warnings keeps them in ctx.meta). Not the note that a plot's
    labels hold characters no installed font draws: no fit's, and another machine's fonts may draw them."""
    from .errors import WARNED
    from .report import GLYPHS_MISSING

    said = [text for key, text in ctx.meta.get(WARNED, {}).items() if key != GLYPHS_MISSING]
    return {"title": title, "command": command_line(ctx), "cwd": str(Path.cwd()), "seqcast_version": version(), "seed": seed,
            "environment": environment(),  # cwd: the command's paths are relative to it
            "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "warnings": said}


# ---- writing ------------------------------------------------------------------------------------------


def check_run_dir(out) -> Path:
    """Refuse --out when it is a file, or a non-empty folder that is not an earlier run directory (or is one that
    also holds other files, which replacing it would delete)."""
    from .errors import ConfigError
    from .io import META, MODEL_FILES, check_target

    target = check_target(out, RUN_FILE, f"run ({RUN_FILE})", RUN_FILES | MODEL_FILES)  # a model's: refused just below
    if (target / META).is_file():  # `fit` writes run.json beside its model: replacing the folder would delete it
        raise ConfigError(f"'{target}' holds a saved seqcast model; this command would replace the folder and the model with it. "
                          "Choose another directory for --out")
    return target


def _finish(folder: Path, run: dict) -> None:
    """report.html from the run, then run.json (last: its presence means the folder is complete)."""
    from .io import json_bytes, write_atomic
    from .report import write_html

    run = clean(run)
    write_html(run, folder / REPORT_FILE, base_dir=folder)
    write_atomic(folder / RUN_FILE, json_bytes(run, indent=1) + b"\n")


def write_run_dir(out, build) -> Path:
    """Build a run directory in a temp folder beside `out` with `build(tmp) -> run dict` (figures go in
    tmp), add report.html and run.json, then swap it in (io.replace_dir). On any failure `out` is left as it was."""
    from .io import replace_dir

    replace_dir(out, lambda tmp: _finish(tmp, build(tmp)), RUN_FILE, f"run ({RUN_FILE})", RUN_FILES)
    return Path(out)


def write_in_place(out, run: dict) -> Path:
    """Finish a run directory whose figures are already in `out` (demo's and fit's temp folder): report.html, then run.json."""
    out = Path(out)
    _finish(out, run)
    return out


# ---- what backtest and benchmark put in a run ---------------------------------------------------------


def leaderboard_rows(res, cover: dict | None, levels, counts: dict | None = None) -> list[dict]:
    """res.leaderboard() rows, with coverage_<level> per level asked (percent; NaN when unknown) and, given
    `counts`, coverage_n_<level>: how many test values that percentage rests on; with a baseline among the models,
    each row's MASE against the best baseline's (mase_vs): mase_ratio and its 95% bootstrap interval mase_ratio_lo,
    mase_ratio_hi (NaN from fewer than 10 series or rows: res.mase_ratio)."""
    rows = res.leaderboard()
    best = res.best_baseline()
    for r in rows if best is not None else ():
        q = res.mase_ratio(r["model"], best)
        r.update(mase_vs=best, mase_ratio=q["ratio"], mase_ratio_lo=q["lo"], mase_ratio_hi=q["hi"])
    if levels:
        for r in rows:
            c = (cover or {}).get(r["model"], {})
            for lv in levels:
                r[f"coverage_{level_key(lv)}"] = c.get(lv, float("nan"))
                if counts is not None:
                    r[f"coverage_n_{level_key(lv)}"] = (counts.get(r["model"]) or {}).get(lv, 0)
    return rows


def coverage_rows(cover: dict, levels) -> list[dict]:
    return [{"model": m, "level": level_key(lv), "nominal": float(lv), "empirical": c.get(lv, float("nan"))}
            for m, c in cover.items() for lv in levels]


def grid_model(res) -> str:
    """The model the series grid shows: the first neural model asked for, else the best by MASE."""
    from .backtest import NEURAL

    neural = [m for m in res.forecasts if m in NEURAL]
    return neural[0] if neural else res.leaderboard()[0]["model"]


def pick_series(res, model: str, ids: list) -> tuple[list, dict]:
    """([(label, id)], {id: MASE}): the first series, the worst and the best by that model's MASE, each once: a series
    that is two of them says both ("first, worst": of 3 series the first was the worst, and the grid was titled
    "First and best")."""
    per = res.scores(model)["per_series"]
    mase = {k: v["mase"] for k, v in per.items() if v.get("mase") is not None and np.isfinite(v["mase"])}
    picks = {ids[0]: ["first"]}
    if mase and len(ids) > 1:  # one series is neither the worst nor the best of anything
        worst, best = max(mase, key=mase.get), min(mase, key=mase.get)
        picks.setdefault(worst, []).append("worst")
        if best != worst:
            picks.setdefault(best, []).append("best")
    return [(", ".join(labels), k) for k, labels in picks.items()], mase


def steps_figure(res, folder: Path, what: str) -> dict:
    from .report import plot_errors_by_step

    per_step = {m: res.scores(m, per_series=False)["per_step"]["mase"] for m in res.forecasts}
    plot_errors_by_step(per_step, folder / STEPS_FILE, "MASE", title=f"MASE by horizon step ({what})")
    return {"title": "MASE by horizon step", "file": STEPS_FILE,
            "caption": f"mean over {what} of |error| / in-sample seasonal naive MAE, per horizon step"}


def grid_figure(items: list, folder: Path, title: str, caption: str, ranked_by: str) -> dict:
    """The grid of the picked series (items from *_grid_items, each with its "label"), titled and captioned
    by the panels it has: one series is "First series", with no worst or best to explain."""
    from .report import plot_series_grid

    plot_series_grid(items, folder / GRID_FILE, ncols=3, title=title)
    labels = [w for it in items for w in it["label"].split(", ")]  # "first, worst": both
    ranked = [x for x in labels if x != "first"]
    if ranked:
        caption += f"; {' and '.join(ranked)} by {ranked_by}"
    names = ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0]
    return {"title": f"{names.capitalize()} series", "file": GRID_FILE, "caption": caption}


def backtest_grid_items(res, series: dict, model: str, h: int, windows: int, step: int, levels) -> tuple[list, str]:
    """Grid panels at the last origin: history before it, truth, forecast and (with levels) the widest
    level's conformal interval, calibrated on the earlier origins' residuals only."""

    from . import intervals

    ids = list(series)
    S = len(ids)
    picks, mase = pick_series(res, model, ids)
    last = windows - 1
    rows = np.arange(last * S, (last + 1) * S)
    band, caption = None, "no interval (use --levels)"
    if levels and windows >= 2:
        widths = res.calibration_widths(model, last, levels)
        top = widest_finite(widths)
        if top is not None:
            band = (top, intervals.bands(res.forecasts[model][rows], {top: widths[top]}, scale=res.mae_scale[rows],
                                         floor=res.floor[rows])[top])
            caption = f"{level_key(top)}% conformal interval"
        else:
            caption = "no finite interval: too few earlier origins to calibrate one (add series or --windows)"
    items = []
    for label, k in picks:
        i = ids.index(k)
        y = series[k]
        cut = len(y) - h
        start = max(0, cut - _tail_len(res.season, h))
        item = {"title": _panel_title(k, label, mase), "label": label,
                "history": y.iloc[start:cut], "truth": res.truth[rows[i]], "forecast": res.forecasts[model][rows[i]]}
        if not _regular(y.index):  # integer steps (or irregular dates): positions
            item["history"] = _positions(y.to_numpy()[start:cut], start)
            item["dates"] = np.arange(cut, cut + h)
        if band is not None:
            item["lo"], item["hi"] = band[1][0][i], band[1][1][i]
            item["interval_label"] = f"{level_key(band[0])}% interval"
        items.append(item)
    return items, caption


def benchmark_grid_items(res, comp, model: str, levels) -> tuple[list, str]:
    """Grid panels on a competition's official test: the end of each picked series' training part,
    truth, forecast and (with levels) the widest level's interval from the benchmark's calibration."""
    from . import intervals

    ids = list(comp.train)
    picks, mase = pick_series(res, model, ids)
    widths = res.widths.get(model) if levels else None
    top = widest_finite(widths) if widths else None
    caption = (f"{level_key(top)}% conformal interval" if top is not None else
               "no finite interval: too few calibration residuals" if widths else "no interval (use --levels)")
    items = []
    for label, k in picks:
        i = ids.index(k)
        hist = np.asarray(comp.train[k])
        tail = hist[-_tail_len(comp.season, comp.horizon):]
        item = {"title": _panel_title(k, label, mase), "label": label, "history": _positions(tail, len(hist) - len(tail)),
                "dates": np.arange(len(hist), len(hist) + comp.horizon), "truth": res.truth[i], "forecast": res.forecasts[model][i]}
        if top is not None:
            lo, hi = intervals.bands(res.forecasts[model][i], {top: widths[top]}, scale=res.mae_scale[i], floor=res.floor[i])[top]
            item.update(lo=lo, hi=hi, interval_label=f"{level_key(top)}% interval")
        items.append(item)
    return items, caption


def widest_finite(widths: dict):
    """The widest level whose interval is finite at every step (too few residuals give inf), or None."""
    finite = [q for q, w in widths.items() if np.isfinite(np.asarray(w, dtype=float)).all()]
    return max(finite) if finite else None


def benchmark_predictions(res, ids: list, limit: int | None = MAX_ROWS) -> list[dict]:
    """The first `limit` rows (None: all) of (series, step) on the official test: truth and each model's forecast."""
    rows = []
    for i, k in enumerate(ids):
        for j in range(res.h):
            if limit is not None and len(rows) >= limit:
                return rows
            rows.append({"series": k, "step": j + 1, "truth": res.truth[i, j], **{m: f[i, j] for m, f in res.forecasts.items()}})
    return rows


def _tail_len(season: int, h: int) -> int:
    """How much history a grid panel shows before its forecast: 4 seasons, 3 horizons or 24 steps, the most."""
    return max(4 * max(season, 1), 3 * h, 24)


def _panel_title(k, label: str, mase: dict) -> str:
    from .report import fmt_score

    return f"{k} ({label}, MASE {fmt_score(mase[k], 2)})" if k in mase else f"{k} ({label})"


def _positions(values, start: int):
    import pandas as pd

    return pd.Series(values, index=np.arange(start, start + len(values)))


def _regular(index) -> bool:
    import pandas as pd

    from .data import _pd_infer  # pd.infer_freq, without pandas 3's warning that it will return an offset

    if isinstance(index, pd.DatetimeIndex):
        return len(index) >= 3 and (index.freq is not None or _pd_infer(index) is not None)
    return False


def backtest_prediction_frame(res):
    """predictions.csv: `res.frame()` without its cutoff, one row per (series, origin, step), series-major: series, origin,
    step, date (text, or an integer step), truth and each model's forecast; a panel has (series x origins x steps) rows,
    240k for 10k series, 2 origins and 12 steps. run.json keeps its first MAX_ROWS rows, predictions.csv all."""
    frame = res.frame().drop(columns="cutoff")
    frame["date"] = _date_texts(frame["date"], res.dates)
    return frame


def _date_texts(dates, indexes: list):
    """A frame's date column (series-major, as many rows for each series) as text, each series' dates written as
    `_days_only(its index)` says; positions (series without dates) stay integers. The texts are made once per
    distinct date of a kind (dtype with its zone, days only or not): a panel's series mostly share their dates."""
    import pandas as pd

    dated = [i for i, ix in enumerate(indexes) if isinstance(ix, pd.DatetimeIndex)]
    if not dated:
        return dates
    per = len(dates) // len(indexes)  # rows of each series
    out = dates.to_numpy(dtype=object) if len(dated) < len(indexes) else np.empty(len(dates), dtype=object)
    for dtype in dict.fromkeys(str(indexes[i].dtype) for i in dated):
        group = np.array([i for i in dated if str(indexes[i].dtype) == dtype])
        days = _days_each([indexes[i] for i in group])  # (G,)
        for d in (True, False):
            rows = (group[days == d][:, None] * per + np.arange(per)).ravel()
            if len(rows):
                codes, stamps = pd.factorize(pd.DatetimeIndex(dates.iloc[rows], dtype=dtype))  # one zone: one instant, one text
                out[rows] = np.array([_date_text(ts, d) for ts in stamps], dtype=object)[codes]
    return pd.Series(out, index=dates.index, name=dates.name)


def _days_each(indexes: list) -> np.ndarray:
    """(G,) `_days_only` of each of these DatetimeIndexes of one dtype, in one pass over them all (one by one, the
    2000 series of a panel took 1 s)."""
    if indexes[0].tz is not None:
        return np.zeros(len(indexes), dtype=bool)
    joined = indexes[0].append(indexes[1:])
    starts = np.cumsum([0] + [len(ix) for ix in indexes[:-1]])
    return np.logical_and.reduceat(np.asarray(joined == joined.normalize()), starts)


def write_tables(folder, predictions, res) -> None:
    """predictions.csv (every prediction row, as run.json's first MAX_ROWS: a list of dicts or a DataFrame) and series_scores.csv (each series' scores
    per model: mase, smape, rmse, mae, rmsse, mape over its origins and steps, best MASE first within a series)."""
    import pandas as pd

    from .io import write_atomic

    write_atomic(Path(folder) / PREDICTIONS_CSV, pd.DataFrame(predictions).to_csv(index=False))
    rows = [{"series": k, "model": m, **sc} for m in res.forecasts for k, sc in res.scores(m)["per_series"].items()]
    frame = pd.DataFrame(rows, columns=["series", "model", "mase", "smape", "rmse", "mae", "rmsse", "mape"])
    order = {k: i for i, k in enumerate(dict.fromkeys(res.ids))}  # the series in the order given
    frame = frame.sort_values(["series", "mase", "model"], key=lambda c: c.map(order) if c.name == "series" else c, na_position="last")
    write_atomic(Path(folder) / SCORES_CSV, frame.to_csv(index=False))


def first_history(res, of: str, members: int = 1) -> dict | None:
    """The first neural model's history (its last fit), `of` saying which fit that is."""
    if not res.histories:
        return None
    name, h = next(iter(res.histories.items()))
    return history_dict(h, f"{name}, {of}", members)


# ---- the airline runs (demo, reproduce airline-tutorial / airline-honest) ----------------------------------


def airline_figures(folder: Path, series, dates, truth, predictions: dict, main: str, what: str) -> list[dict]:
    """forecast.png (the series with the test predictions) and predictions.png (predictions vs truth)."""
    from types import SimpleNamespace

    import pandas as pd

    from .report import plot_forecast, predictions_vs_truth

    dates = pd.DatetimeIndex(pd.to_datetime(list(dates)))
    ho = SimpleNamespace(model_name=main, predictions=predictions, dates=dates)
    plot_forecast(series, folder / FORECAST_FILE, holdout=ho, title=f"airline passengers: {what}")
    frame = pd.DataFrame({"date": dates, "truth": np.asarray(truth, float), **{k: np.asarray(v, float) for k, v in predictions.items()}})
    predictions_vs_truth(frame, folder / PREDICTIONS_FILE, title=f"{what}: predictions vs truth")
    return [{"title": "Test predictions", "file": FORECAST_FILE, "caption": f"the 144 months and the test predictions ({what})"},
            {"title": "Predictions vs truth", "file": PREDICTIONS_FILE, "caption": f"{len(dates)} test months, one step ahead"}]


def _days_only(dates) -> bool:
    """Whether dates are all midnight without a zone: then written YYYY-MM-DD, else each with its time (and UTC offset),
    midnight too, so that a column of them reads in one format (hourly data's '2024-01-10' between '2024-01-09 23:00:00'
    and '2024-01-10 01:00:00' left pd.read_csv's parse_dates a column of text), as the forecast CSVs write them."""
    import pandas as pd

    dates = pd.DatetimeIndex(dates)
    return dates.tz is None and bool((dates == dates.normalize()).all())


def _date_text(ts, days: bool) -> str:
    """YYYY-MM-DD when `days` (`_days_only` of the dates it is written with), else with its time (and offset)."""
    return ts.strftime("%Y-%m-%d") if days else str(ts)


def prediction_rows(dates, truth, predictions: dict) -> list[dict]:
    """run.json's first MAX_ROWS predictions: dates as text, positions (data without dates) as integers, as a backtest's."""
    stamps = [d for d in dates if hasattr(d, "strftime")]
    days = bool(stamps) and _days_only(stamps)
    return [{"date": _date_text(d, days) if hasattr(d, "strftime") else int(d) if isinstance(d, (int, np.integer)) else str(d),
             "truth": t, **{k: v[i] for k, v in predictions.items()}}
            for i, (d, t) in enumerate(zip(dates, truth))][:MAX_ROWS]


def airline_data(leaks: bool, scaler: str, n_train: int, n_test: int, unit: str = "windows") -> dict:
    """`unit`: what n_train counts, "windows" (the training windows of a holdout) or "months"."""
    return {"name": "airline passengers (built-in)", "n_series": 1, "n_obs": 144, "freq": "MS", "first": "1949-01-01",
            "last": "1960-12-01", "filled": 0, "scaler": scaler, "leaks": leaks, **_split(n_train, n_test, unit)}


def _split(n_train: int, n_test: int, unit: str) -> dict:
    return {f"training {unit}": n_train, "test points (one step ahead)": n_test}


def series_data(series, name: str, leaks: bool, scaler: str, n_train: int, n_test: int) -> dict:
    """The data section for one loaded series (pd.Series with a DatetimeIndex or a RangeIndex)."""
    idx = series.index
    dated = hasattr(idx, "freqstr")
    days = dated and _days_only(idx)  # one format for both dates
    return {"name": name, "n_series": 1, "n_obs": len(series), "freq": idx.freqstr if dated else None,
            "first": _date_text(idx[0], days) if dated else int(idx[0]),
            "last": _date_text(idx[-1], days) if dated else int(idx[-1]),
            "filled": int(series.attrs.get("filled", 0)), "scaler": scaler, "leaks": leaks, **_split(n_train, n_test, "windows")}
