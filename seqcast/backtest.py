"""Rolling-origin backtests: neural models and baselines forecast the same h steps from the same origins.

For each series (n values) and window k = 0 .. n_windows-1, the origin (cut) is

    cut_k = n - h - step * (n_windows - 1 - k)        train = y[:cut_k]     truth = y[cut_k : cut_k + h]

so the last window ends at the last value. At each origin every model, and every scaler inside it,
sees only y[:cut_k] (with refit=False the neural model is fitted once, at the first origin, and later
origins only give it their newer inputs). Rows of the result are (origin, series) pairs. Values `fill` made up
(a loaded series marks them: `seqcast.gaps`) are refilled in each training part from its own values, and are NaN
in `truth`: not scored.

    res = backtest({"a": y1, "b": y2}, ["gru", "snaive"], h=12, n_windows=3, season=12)
    res.leaderboard()      # rows ranked by MASE: model, mase, smape, rmse, mae, rmsse, mape, fit_s
    res.verdicts()         # each neural model vs the best baseline, with res.mase_ratio's 95% bootstrap interval
    res.frame()            # every prediction, a DataFrame: series, origin, cutoff, step, date, truth, each model
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import gaps, metrics
from .config import Config, check_config
from .data import _one_line, array_like, check_magnitude, season_length, to_pandas_hint
from .errors import ConfigError, DataError, did_you_mean, said_once
from .windows import check_positive

__all__ = ["NEURAL", "STATS", "Result", "backtest", "baseline_names", "evaluate"]  # what help(seqcast.backtest) shows

NEURAL = ("lstm", "gru", "rnn", "linear")
STATS = ("autoets", "autotheta", "autoarima")
LABELS = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN", "linear": "Linear"}


def baseline_names() -> tuple:
    from .models import baselines

    return tuple(baselines.BASELINES)


def check_models(models) -> list[str]:
    items = models.split(",") if isinstance(models, str) else list(models) if isinstance(models, (list, tuple, set, np.ndarray)) else None
    if items is None or not all(isinstance(m, str) for m in items):
        raise ConfigError(f"`models` must be model names, a list such as ['lstm', 'naive'] or text such as 'lstm,naive'. "
                          f"Received: models={models!r}")
    names = [m.strip().lower() for m in items if m.strip()]
    known = NEURAL + baseline_names() + STATS
    for m in names:
        if m not in known:
            raise ConfigError(f"`models` must be names from {', '.join(known)}. Received: {m!r}{did_you_mean(m, known)}")
    if not names:
        raise ConfigError(f"`models` must name at least one model, e.g. 'gru,naive'. Received: models={models!r}")
    return list(dict.fromkeys(names))


def nonneg_floor(trains) -> np.ndarray:
    """(R,) interval floors: 0 for a training part with no negative value, else NaN (no floor)."""
    return np.array([0.0 if np.all(np.asarray(t) >= 0) else np.nan for t in trains])


def floored(point: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """(R, h) forecasts raised to their row's floor (`nonneg_floor`: 0, or NaN for none), as Forecaster.forecast
    gives them: a never-negative series gets no forecast below 0."""
    fl = np.asarray(floor, dtype=np.float64)[:, None]  # (R, 1)
    return np.where(np.isnan(fl), point, np.maximum(point, np.nan_to_num(fl)))


def cuts(n: int, h: int, n_windows: int, step: int) -> list[int]:
    """Origins of the rolling windows for a series of n values: cut_k = n - h - step*(n_windows-1-k)."""
    return [n - h - step * (n_windows - 1 - k) for k in range(n_windows)]


@dataclass
class Result:
    """Forecasts of every model on the same rows, with what is needed to score them: `leaderboard()`, `verdicts()`,
    `scores(model)`, `mase_ratio(model)`, `coverage(model, levels)`; `frame()` is every prediction with its dates. Rows are
    (origin, series) pairs: R of them."""

    h: int
    season: int
    ids: list  # (R,) series id of each row
    origins: list  # (R,) window index k of each row
    truth: np.ndarray  # (R, h); NaN where the value was filled, not observed: not scored
    forecasts: dict  # model -> (R, h)
    mae_scale: np.ndarray  # (R,) in-sample seasonal naive MAE of each row's training part
    mse_scale: np.ndarray
    floor: np.ndarray = None  # (R,) 0 where the row's training part is never negative, else NaN: interval floors
    fit_s: dict = field(default_factory=dict)  # model -> seconds (fits and forecasts, all origins)
    histories: dict = field(default_factory=dict)  # neural model -> History of its last fit
    widths: dict = field(default_factory=dict)  # model -> {level: (h,) interval half-widths in mae_scale units}, when calibrated
    step: int | None = None  # values between consecutive origins; None: h (no origin's truth reaches the next origin)
    dates: list | None = None  # (S,) each series' index as given (its dates; positions 0..n-1 for bare values): frame()'s dates

    def frame(self):
        """Every prediction as a DataFrame, one row per (series, origin, step), series-major: series, origin (its index
        k), cutoff (the origin's last training date), step (1..h), date (the date predicted), truth (NaN where the value
        was filled, not observed: not scored) and each model's forecast; cutoff and date are positions (int) for series
        given without dates. Nixtla's cross_validation calls them unique_id, cutoff, ds, y."""
        import pandas as pd

        if self.dates is None:
            raise ConfigError("`frame()` needs each series' dates, which `backtest()` keeps; this Result was built without "
                              "them (by `evaluate`): use res.truth and res.forecasts[model], rows (origin, series)")
        S, W, h = len(self.dates), len(self.origins) // len(self.dates), self.h
        o, j = np.repeat(np.arange(W), h), np.tile(np.arange(h), W)  # (n,) each series' origins and steps, n = W * h
        t = -h - (self.step or h) * (W - 1 - o) + j  # (n,) positions from each series' end, as `cuts`: cut_o - len + j
        ends = np.cumsum([len(ix) for ix in self.dates])  # (S,) where each series ends in all the indexes joined
        at = (ends[:, None] + t[None, :]).ravel()  # (S * n,) positions of the predicted values in the joined indexes
        joined = self.dates[0].append(self.dates[1:])  # one take for all: a 10k-series panel needs no loop over rows
        r = (o[None, :] * S + np.arange(S)[:, None]).ravel()  # (S * n,) rows of truth and forecasts, series-major
        jj = np.tile(j, S)
        return pd.DataFrame({"series": [k for k in self.ids[:S] for _ in range(len(o))], "origin": np.tile(o, S),
                             "cutoff": joined.take(at - jj - 1), "step": jj + 1, "date": joined.take(at),
                             "truth": self.truth[r, jj], **{m: f[r, jj] for m, f in self.forecasts.items()}})

    def _check_model(self, model: str) -> None:
        if model not in self.forecasts:
            raise ConfigError(f"`model` must be one of the models this backtest ran ({', '.join(self.forecasts)}). "
                              f"Received: model={model!r}")

    def scores(self, model: str, per_series: bool = True) -> dict:
        """metrics.scores of the model's rows, summed in (origin, id as text) order, so that the same series
        given in another order score to the last bit the same; per_series keeps the order given
        (`per_series=False`: overall and per_step only, without scoring every series)."""
        self._check_model(model)
        rows = sorted(range(len(self.ids)), key=lambda r: (self.origins[r], str(self.ids[r])))
        out = metrics.scores(self.truth[rows], self.forecasts[model][rows], self.mae_scale[rows], self.mse_scale[rows],
                             ids=[self.ids[r] for r in rows] if per_series else None,
                             scored=np.isfinite(self.truth[rows]) if self.unscored else None)
        if per_series:
            out["per_series"] = {k: out["per_series"][k] for k in dict.fromkeys(self.ids)}
        return out

    @property
    def unscored(self) -> int:
        """How many test values were filled, not observed, and so are left out of every score and of the coverage."""
        return int(np.isnan(self.truth).sum())

    def leaderboard(self) -> list[dict]:
        """One dict per model (model, mase, smape, rmse, mae, rmsse, mape, fit_s), best MASE first; a list, not a
        DataFrame: `pd.DataFrame(res.leaderboard())` makes one."""
        rows = []
        for m in self.forecasts:
            o = self.scores(m, per_series=False)["overall"]
            rows.append({"model": m, **{k: o[k] for k in ("mase", "smape", "rmse", "mae", "rmsse", "mape")},
                         "fit_s": round(self.fit_s.get(m, 0.0), 3)})
        return sorted(rows, key=lambda r: (np.nan_to_num(r["mase"], nan=np.inf), r["model"]))

    def __repr__(self) -> str:  # a notebook cell's output: what ran, not every (R, h) array
        return (f"Result(models={list(self.forecasts)}, series={len(dict.fromkeys(self.ids))}, "
                f"origins={len(set(self.origins))}, h={self.h}, season={self.season})")

    def _repr_html_(self) -> str:  # display(res) in Jupyter: the leaderboard as the report's table, and the verdicts
        import html

        from .report import _table

        lines = "".join(f"<p>{html.escape(v)}</p>" for v in self.verdicts())
        return _table(self.leaderboard()) + lines

    def scaled_residuals(self, model: str) -> np.ndarray:
        """(R, h) residuals truth - forecast divided by each row's in-sample MAE scale (comparable across series)."""
        self._check_model(model)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (self.truth - self.forecasts[model]) / self.mae_scale[:, None]
        return np.where(np.isfinite(r), r, np.nan)

    def coverage(self, model: str, levels) -> dict:
        """Empirical coverage (%) of conformal intervals, origin by origin: the rows of origin k get
        widths calibrated on the residuals of origins 0..k-1 only, on their steps whose target came before
        origin k (`calibration_widths`). Needs n_windows >= 2. Rows whose training part is constant (no scale,
        so a band of width 0) are left out, as MASE leaves them out. An origin whose widths are infinite at a
        level (too few residuals: fewer than 19 for 95%) is not counted at that level, and a level with
        no finite origin gives NaN, not a vacuous 100%. `levels`: anything `intervals.parse_levels` takes
        ("80,95", (80, 95), 90); the keys are those levels as floats, ascending."""
        return self.coverage_with_counts(model, levels)[0]

    def coverage_with_counts(self, model: str, levels) -> tuple[dict, dict]:
        """`coverage`, and how many test values each level's figure rests on (0 where it is NaN)."""
        inside = self._inside(model, levels)
        return ({lv: (100.0 * float(np.concatenate(v).mean()) if v else float("nan")) for lv, v in inside.items()},
                {lv: int(sum(len(x) for x in v)) for lv, v in inside.items()})

    def calibration_widths(self, model: str, k: int, levels) -> dict:
        """{level: (h,) widths} for the rows of origin k, from the residuals of origins 0..k-1 whose target
        came before origin k (with step < h an earlier origin's last steps lie after it: those are left out)."""
        return self._widths_before(self.scaled_residuals(model), k, levels)

    def _widths_before(self, res: np.ndarray, k: int, levels) -> dict:
        """`calibration_widths` from the model's scaled residuals `res` (R, h), computed once for all origins."""
        from . import intervals

        origins = np.asarray(self.origins)
        earlier = origins < k
        step = self.h if self.step is None else self.step
        known = np.arange(self.h)[None, :] < step * (k - origins[earlier])[:, None]  # target before origin k's cut
        return intervals.conformal_widths(np.where(known, res[earlier], np.nan), levels)

    def _inside(self, model: str, levels) -> dict:
        """{level: [bool arrays, one per origin counted]}: whether each finite test value fell inside."""
        from . import intervals

        levels = intervals.parse_levels(levels)  # "80,95" or 90, as conformal_widths takes them
        origins = np.asarray(self.origins)
        res = self.scaled_residuals(model)
        inside = {lv: [] for lv in levels}
        for k in range(1, origins.max() + 1):
            widths = self._widths_before(res, k, levels)
            rows = (origins == k) & (self.mae_scale > 0)  # a constant training part has no scale, so no band (as no MASE)
            b = intervals.bands(self.forecasts[model][rows], widths, scale=self.mae_scale[rows], floor=self.floor[rows])
            for lv, (lo, hi) in b.items():
                if not np.isfinite(widths[lv]).all():
                    continue
                inside[lv].append(((self.truth[rows] >= lo) & (self.truth[rows] <= hi))[np.isfinite(self.truth[rows])])
        return inside

    def row_mase(self, model: str) -> np.ndarray:
        """(R,) each row's MASE (mean_j |e_rj| / mae_scale_r); NaN where the row has no usable scale (as `scores` leaves it out)."""
        self._check_model(model)
        ok = np.isfinite(self.mae_scale) & (self.mae_scale > 0)
        err = np.abs(self.truth - self.forecasts[model])  # (R, h): NaN where the value was filled, not scored
        mean = metrics._nanmean(err, axis=1) if self.unscored else np.mean(err, axis=1)
        return np.where(ok, mean / np.where(ok, self.mae_scale, 1.0), np.nan)

    def best_baseline(self) -> str | None:
        """The baseline (not a neural model) with the lowest MASE, as `verdicts` compares with; None without baselines."""
        base = [r for r in self.leaderboard() if r["model"] not in NEURAL]
        return min(base, key=lambda r: np.nan_to_num(r["mase"], nan=np.inf))["model"] if base else None

    def mase_ratio(self, model: str, base: str | None = None, level: float = 95.0) -> dict:
        """How far `model`'s MASE is from `base`'s (default: the best baseline) beyond the noise of which rows were drawn.

        A paired bootstrap (`metrics.ratio_interval`, seed 0: the same rows, the same interval) of the ratio
        MASE(model) / MASE(base) over the rows with a MASE scale. With at least `metrics.MIN_UNITS` series, whole
        series are drawn (their origins together: errors of one series at nearby origins move together); with fewer,
        the (series, origin) rows are drawn as if independent, which they are not quite, so the interval is then a
        little narrow; with step < h, a series' origins whose test steps overlap are drawn in blocks of ceil(h / step)
        consecutive ones (as rows, 30 origins one step apart with h = 12 read as 30 independent ones). Fewer units
        than that give no interval (lo, hi NaN). Rows are taken in (origin, id as text) order, so the series given in
        another order give the same interval.

        Returns {"vs": base, "ratio", "lo", "hi": floats, "n": units drawn, "unit": "series", "origins" (of one
        series), "series x origin rows" or "blocks of k overlapping origins"}.
        """
        base = self.best_baseline() if base is None else base
        self._check_model(model)
        self._check_model(base)
        rows = sorted(range(len(self.ids)), key=lambda r: (self.origins[r], str(self.ids[r])))
        a, b = self.row_mase(model)[rows], self.row_mase(base)[rows]
        ok = np.isfinite(self.mae_scale[rows]) & (self.mae_scale[rows] > 0)  # MASE's rows (with a value observed)
        ok &= np.isfinite(self.truth[rows]).any(axis=1)
        kept = [r for r, keep in zip(rows, ok) if keep]
        ids = [self.ids[r] for r in kept]
        n_series = len(dict.fromkeys(ids))
        by_series = n_series >= metrics.MIN_UNITS
        span = -(-self.h // (self.step or self.h))  # consecutive origins whose test steps overlap (step < h): drawn together
        blocks = [(self.ids[r], self.origins[r] // span) for r in kept]
        lo, hi, n = metrics.ratio_interval(a[ok], b[ok], ids if by_series else blocks if span > 1 else None, level=level)
        ratio = float(a[ok].sum() / b[ok].sum()) if ok.any() and b[ok].sum() > 0 else float("nan")
        size = min(span, len({self.origins[r] for r in kept}))
        unit = ("series" if by_series or len(ids) == n_series else
                f"block{'s' * (n != 1)} of {size} overlapping origins{' of a series' * (n_series > 1)}" if span > 1 else
                "origins" if n_series == 1 else "series x origin rows")
        return {"vs": base, "ratio": ratio, "lo": lo, "hi": hi, "n": n, "unit": unit}

    def verdicts(self) -> list[str]:
        """One line per neural model: whether its MASE beats the best baseline's, by how much, and whether that is more
        than noise (`mase_ratio`'s 95% interval: "clearly" when it lies wholly on one side of 1); none without baselines."""
        from .report import fmt_pct, fmt_score

        rows = self.leaderboard()
        base = [r for r in rows if r["model"] not in NEURAL]
        out = []
        if not base:
            return out
        best = min(base, key=lambda r: np.nan_to_num(r["mase"], nan=np.inf))
        for r in rows:
            if r["model"] not in NEURAL:
                continue
            ratio = r["mase"] / best["mase"] if best["mase"] > 0 else float("nan")
            if not (np.isfinite(r["mase"]) and np.isfinite(best["mase"])):  # e.g. constant training parts: no MASE scale
                out.append(f"verdict: none for {r['model']}: MASE is undefined here (MASE {fmt_score(r['mase'])} vs {fmt_score(best['mase'])} for "
                           f"{best['model']}; a series whose training part does not change has no scale); compare RMSE or MAE.")
            elif best["mase"] == 0:  # the baseline is exact on every row (a constant stretch): no ratio
                out.append(f"verdict: {r['model']} " + ("ties with" if r["mase"] == 0 else "is WORSE than") +
                           f" the {best['model']} baseline, which forecasts every test value exactly here (MASE {fmt_score(r['mase'])} vs 0).")
            elif ratio == 1:
                out.append(f"verdict: {r['model']} ties with the best baseline {best['model']} (MASE {fmt_score(r['mase'])} for both).")
            elif ratio < 1:
                out.append(f"verdict: {r['model']} beats the best baseline {best['model']} (MASE {fmt_score(r['mase'])} vs {fmt_score(best['mase'])}, "
                           f"{fmt_pct(1 - ratio)} lower{self._noise(r['model'], best['model'], 'better')}).")
            else:
                out.append(f"verdict: {r['model']} is WORSE than the {best['model']} baseline (MASE {fmt_score(r['mase'])} vs {fmt_score(best['mase'])}, "
                           f"{fmt_pct(ratio - 1)} higher{self._noise(r['model'], best['model'], 'worse')}).")
        return out

    def _noise(self, model: str, base: str, word: str) -> str:
        """The verdict's clause on noise: the 95% interval of the MASE ratio and whether it excludes 1, or too few units."""
        q = self.mase_ratio(model, base)
        if not np.isfinite(q["lo"]):
            return (f"; only {q['n']} {q['unit']}: too few (under {metrics.MIN_UNITS}) to tell a difference from noise")
        from .report import ratio_clause

        return ratio_clause("MASE", q["lo"], q["hi"], f"{q['n']} {q['unit']}", word)


def min_length(h: int, n_windows: int, step: int) -> int:
    """The fewest values a series needs for a backtest: every origin keeps 2 training values."""
    return h + step * (n_windows - 1) + 2


def too_short(k, n: int, h: int, n_windows: int, step: int) -> DataError:
    return DataError(f"series {k!r} has {n} values; a backtest with horizon={h}, windows={n_windows}, step={step} "
                     f"needs at least {min_length(h, n_windows, step)}; use fewer `n_windows`, a smaller `h` or a smaller `step` "
                     "(CLI --windows, --horizon, --step)")


def backtest(series, models, *, h: int, n_windows: int = 1, step: int | None = None, refit: bool = True,
             config: Config | None = None, season: int | None = None, progress: bool = False) -> Result:
    """Rolling-origin evaluation of `models` on `series`: a dict {id: series or 1-D values}, a list of
    1-D values, one pd.Series, or a long DataFrame / CSV / Parquet path (unique_id, ds, y). The season
    defaults to `config.season`, else the one the series' dates imply (12 for monthly), else 1.

    models: names from `NEURAL` (trained with `config`, default `Config()`), the baselines (naive, snaive, drift,
    window_average, linear_ar) and `STATS` (statsforecast's), as a list or "gru,snaive". h: steps forecast from each
    of `n_windows` origins, `step` values apart (default h). refit=False fits a neural model at the first origin only.
    Returns a `Result`. Raises DataError (a series too short: h + step * (n_windows - 1) + 2 values) and ConfigError.

    >>> import seqcast
    >>> res = backtest(seqcast.datasets.airline(), ["snaive", "naive"], h=12, n_windows=3)   # season 12 from the dates
    >>> res
    Result(models=['snaive', 'naive'], series=1, origins=3, h=12, season=12)
    >>> [(r["model"], round(r["mase"], 3)) for r in res.leaderboard()]
    [('snaive', 1.213), ('naive', 2.468)]
    """
    import pandas as pd

    from .forecast import text_ids

    check_positive("horizon", h)
    check_positive("windows", n_windows)
    step = h if step is None else step
    check_positive("step", step)
    if season is not None:
        check_positive("season", season)
    check_config(config)
    cfg = config or Config()
    names = check_models(models)
    dated = isinstance(series, dict) and any(isinstance(getattr(v, "index", None), pd.DatetimeIndex) for v in series.values())
    if dated or isinstance(series, (pd.Series, pd.DataFrame, str)) or hasattr(series, "__fspath__"):
        from .forecast import _as_panel  # one series, long data, or a dict of dated series: their dates are checked

        ids_, loaded, _ = _as_panel(series, cfg.fill)  # (gaps, duplicates, order, one frequency) as fit checks them
        series = dict(zip(list(series) if dated else ids_, loaded))  # a dict keeps its own keys (tuples, ints beside text)
    array = isinstance(series, np.ndarray) or array_like(series)  # (a JAX array too)
    if array and np.ndim(series) == 1:  # one series as bare values would read as n one-value series
        series, array = {"y": np.asanyarray(series)}, False  # (a masked one kept)
    hint = to_pandas_hint(series)  # a pyarrow array would read as n one-value series, as a 1-D numpy one did
    if hint or not isinstance(series, Iterable) or (array and np.ndim(series) == 0):  # (a JAX scalar is iterable by type)
        got = f"a {type(series).__name__}{hint}" if hint else f"series={_one_line(repr(series), 80)}"
        raise DataError("`series` must be a dict {id: values}, a list of 1-D values, a pd.Series, or a long DataFrame / "
                        f"CSV / Parquet path (unique_id, ds, y). Received: {got}")
    items = list(series.items()) if isinstance(series, dict) else list(enumerate(series))
    if not items:
        raise DataError("`series` holds no series; give at least one")
    ids = [k for k, _ in items]
    text_ids(ids)  # models order the series by their ids as text (panel.fit_panel): 1 and "1" must not meet
    ys = [metrics._numbers(f"series[{k!r}]", v) for k, v in items]
    for k, y in zip(ids, ys):  # a column (n, 1) is its values; rows of many series are not one series
        if sum(d > 1 for d in y.shape) > 1:
            raise DataError(f"series {k!r} has shape {y.shape}; each series must be 1-D values, e.g. pass a 2-D array's rows as "
                            "series: list(arr)")
    ys = [y.ravel() for y in ys]
    marks = [(gaps.filled(v, len(y)), gaps.method(v)) for (_, v), y in zip(items, ys)]  # (S,) filled values, fill method
    indexes = [getattr(v, "index", None) for _, v in items]  # (S,) the series' own (no copy), else positions
    indexes = [ix if isinstance(ix, pd.Index) and len(ix) == len(y) else pd.RangeIndex(len(y)) for ix, y in zip(indexes, ys)]
    dated = [getattr(getattr(v, "index", None), "freqstr", None) for _, v in items[:1]]
    m = int(season or cfg.season or (season_length(dated[0]) if dated and dated[0] else None) or 1)
    need = min_length(h, n_windows, step)
    for k, y in zip(ids, ys):
        if len(y) < need:
            raise too_short(k, len(y), h, n_windows, step)
        if not np.isfinite(y).all():
            raise DataError(f"series {k!r} holds NaN or inf values; fill them first, e.g. load_series(..., fill='interpolate') "
                            "(CLI --fill interpolate)")
        check_magnitude(y, lambda i: f"series {k!r}: value {y[i]:.4g} at position {i}")  # noqa: B023 (called at once)
    plan = [cuts(len(y), h, n_windows, step) for y in ys]  # (S, W)
    trains, truth = [], []
    for k in range(n_windows):  # rows: origin-major, then series; filled values refilled from each part's own values,
        trains += [gaps.refill(y[: c[k]], f[: c[k]], how) for y, c, (f, how) in zip(ys, plan, marks)]
        truth += [gaps.observed(y[c[k] : c[k] + h], f[c[k] : c[k] + h]) for y, c, (f, _) in zip(ys, plan, marks)]  # and unscored
    res = evaluate(trains, truth, ids * n_windows, names, h=h, season=m, config=cfg, n_origins=n_windows,
                   refit=refit, progress=progress)
    res.step, res.dates = step, indexes
    return res


@said_once  # a warning of its fits once, not at every origin
def evaluate(trains, truth, ids, models, *, h: int, season: int, config: Config, n_origins: int = 1, refit: bool = True,
             progress: bool = False) -> Result:
    """Every model forecasts h steps after each training part; rows are origin-major (n_origins blocks of
    the same series). A competition's official split is one origin: trains = training parts, truth = tests."""
    names = check_models(models)
    m = int(season)
    scales = np.array([metrics.insample_scales(t, m) for t in trains], dtype=np.float64)  # (R, 2)
    res = Result(h=h, season=m, ids=list(ids), origins=[k for k in range(n_origins) for _ in range(len(trains) // n_origins)],
                 truth=np.stack([np.asarray(t, dtype=np.float64) for t in truth]), forecasts={},
                 mae_scale=scales[:, 0], mse_scale=scales[:, 1], floor=nonneg_floor(trains))
    S = len(trains) // n_origins
    for name in names:  # before any model runs: a neural model that cannot train at the first origin is named now
        if name in NEURAL:
            _check_trainable(name, trains[:S], h, config)
    say = _Status(progress, sum(n_origins if (n in NEURAL and refit) else 1 for n in names))
    for name in names:
        t0 = time.perf_counter()
        if name in NEURAL:
            point, res.histories[name] = _neural(name, trains, res.ids[:S], S, n_origins, h, m, config, refit, progress, say)
            res.forecasts[name] = floored(point, res.floor)  # scored as the fitted model forecasts them
        elif name in STATS:
            from .models import baselines

            res.forecasts[name] = baselines.statsforecast_forecast([name], trains, h, m)[name]
        else:
            from .models import baselines

            res.forecasts[name] = baselines.forecast_many(name, trains, h, season=m, window=baselines.beside(name, config.window))
        res.fit_s[name] = time.perf_counter() - t0
        if name not in NEURAL or not refit:
            say(f"{name}: {len(trains)} forecasts of {h} steps")
    return res


class _Status:
    """One line per finished task on stderr (fits and forecasts), with the time left estimated from
    the tasks done so far; nothing unless asked and stderr is a terminal (training bars stay transient)."""

    def __init__(self, enabled: bool, total: int):
        import sys

        self.enabled, self.total, self.done, self.t0 = enabled and sys.stderr.isatty(), total, 0, time.perf_counter()

    def __call__(self, what: str):
        self.done += 1
        if not self.enabled:
            return
        from rich.console import Console

        el = time.perf_counter() - self.t0
        eta = el / self.done * (self.total - self.done)
        Console(stderr=True, highlight=False).print(f"[{self.done}/{self.total}] {what}  ({el:.0f}s elapsed, ~{eta:.0f}s left)")


def _check_trainable(name: str, first: list, h: int, cfg: Config) -> None:
    """ConfigError for options `name` cannot train with (before any model of the backtest trains: not after the one
    before it), and DataError unless some series has a training window at the first origin (the shortest training parts)."""
    from .panel import check_combination, needs, window_counts

    check_combination(_model_config(name, cfg))
    H = 1 if cfg.strategy == "recursive" else h
    if not any(window_counts(len(t), cfg, H)[0] for t in first):
        longest = max(len(t) for t in first)
        raise DataError(f"{name} cannot train at the first origin: the longest training part there has {longest} values, and one "
                        f"training window needs {needs(cfg, H, longest)}; use fewer windows or a smaller horizon (CLI --windows, --horizon), a smaller `window` in "
                        f"the config (CLI: in a --config file, with --no-auto), or leave {name} out of the models")


def _model_config(name: str, cfg: Config) -> Config:
    """The config neural model `name` trains with: a linear model has no skip path."""
    return cfg.replace(model=name, skip=False if name == "linear" else None)


def _neural(name, trains, ids, S, n_windows, h, m, cfg, refit, progress, say=lambda what: None):
    """Forecasts (R, h) of one neural model over the backtest rows (origin-major, S series each)."""
    from .panel import fit_panel, forecast_panel

    ncfg = _model_config(name, cfg)
    out, fitted = [], None
    for k in range(n_windows):
        part = trains[k * S : (k + 1) * S]
        if fitted is None or refit:
            fitted = fit_panel(part, ncfg, horizon=h, season=m, ids=ids, progress=progress)
            out.append(forecast_panel(fitted, part, h))
            if refit:
                say(f"{name}: origin {k + 1}/{n_windows} fitted ({fitted.history.fit_s:.1f}s, {cfg.ensemble} member(s))")
        else:  # the first origin's model and scalers; only the inputs are newer
            out.append(forecast_panel(fitted, part, h, scalers=fitted.scalers))
    return np.concatenate(out), fitted.history
