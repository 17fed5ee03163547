"""Plots (matplotlib, headless), terminal tables, and a self-contained HTML report of a run.

Plots: every `plot_*` function writes PNG, SVG or PDF (any format matplotlib writes, chosen by the path's
suffix; PNG without one) atomically, and returns the matplotlib Figure; with no path it writes nothing
(a notebook shows the returned figure: `report.plot_forecast(series, forecast=f.forecast(12))`).
    plot_forecast          the series, test predictions, the forecast with shaded interval bands
    plot_loss              training / validation loss by epoch, best epoch marked
    plot_errors_by_step    an error metric per horizon step, one line per model
    plot_series_grid       small multiples: history, truth, forecast and interval of many series
    predictions_vs_truth   test predictions vs truth over time and as a scatter
    plot_multistep_forecasts  a few series' inputs, true next values and k-step forecasts

HTML: `write_html(run, path)` turns a run record (the JSON-able dict documented there, stored as
RUN_DIR/run.json) into ONE file that needs nothing else: figures inlined as data: URIs, CSS in a
<style> tag, no script, no font, no URL that would make a request; `write_report(run_dir)` does it
for a run directory (`seqcast report RUN_DIR`).
"""

from __future__ import annotations

import functools
import re
from io import BytesIO
from pathlib import Path

from .errors import UNPARSABLE, ConfigError, DataError, ModelFileError, unparsable


def _drawn(fn):
    """Run a function that draws with the two settings `_plain` relies on, whatever the user's matplotlibrc or
    rcParams say: text.usetex off (on, every figure needed a LaTeX install, and ids with _ or % broke it) and
    text.parse_math on (off, an escaped "\\$" was drawn with its backslash); and the user's font.family followed by the
    CJK fonts installed (`_families`). Styles stay the user's. One thread at a time (data's lock, which drawing takes
    anyway): rc_context saves and restores the process-wide rcParams, and two threads in it at once left seqcast's
    settings in place of the user's for good."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import matplotlib

        from .data import _QUIET_LOCK

        with _QUIET_LOCK, matplotlib.rc_context({"text.usetex": False, "text.parse_math": True, "font.family": _families()}):
            return fn(*args, **kwargs)

    return wrapper


# Fonts with Hangul, kana and Han characters, as their families are named on Linux (fonts-noto-cjk's first face is
# "Noto Sans CJK JP"; fonts-nanum; fonts-wqy-zenhei), macOS and Windows; Korean first (seqcast's users began there)
_CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans KR", "Noto Sans JP",
              "Noto Sans SC", "Source Han Sans K", "Source Han Sans KR", "Source Han Sans", "Source Han Sans JP",
              "Source Han Sans SC", "NanumGothic", "NanumBarunGothic", "Malgun Gothic", "Apple SD Gothic Neo",
              "AppleGothic", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", "MS Gothic",
              "Microsoft YaHei", "SimHei", "PingFang SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback")


def _families() -> list[str]:
    """The figures' font.family: the user's (so Latin text is drawn as before, byte for byte), then the CJK fonts of
    `_CJK_FONTS` that are installed, from which matplotlib (>= 3.6) draws each character the first font lacks; without
    them Korean, Japanese or Chinese labels were empty boxes. Only installed ones: an absent family is a "findfont:
    Font family ... not found" line per text drawn."""
    import matplotlib
    from matplotlib import font_manager

    own = list(matplotlib.rcParams["font.family"])
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return own + [f for f in _CJK_FONTS if f in installed and f not in own]


@functools.cache
def _figure_class():
    """matplotlib's Figure with the PNG that IPython displays (`_repr_png_`): Jupyter shows a figure pyplot does not
    know only once pyplot has loaded its inline backend (matplotlib_inline registers its Figure formatter then), so
    `report.plot_loss(h)` in a fresh notebook showed '<Figure size 880x396 with 1 Axes>'."""
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        def _repr_png_(self) -> bytes:
            return _fig_bytes(self)

    ShownFigure.__qualname__ = "ShownFigure"  # pickled as seqcast.report.ShownFigure (module __getattr__)
    return ShownFigure


def __getattr__(name: str):
    if name == "ShownFigure":  # made on first use: the module does not import matplotlib
        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _subplots(*args, figsize, dpi=110, **kw):
    """(fig, axes) of a new figure that pyplot does not know: nothing to close, no display needed, and the
    caller's own matplotlib backend and open figures are left alone. Arguments as `Figure.subplots`."""
    fig = _figure_class()(figsize=figsize, dpi=dpi)
    return fig, fig.subplots(*args, **kw)


def _unicode(text: str) -> str:
    """Text without surrogates, which matplotlib refuses (a TypeError) and UTF-8 cannot encode: a file name whose bytes
    are no UTF-8 (Latin-1 'Z\\xfcrich.csv' on Linux) reaches Python as 'Z\\udcfcrich.csv', and any non-ASCII name
    does under LC_ALL=C PYTHONUTF8=0 ('Z\\udcc3\\udcbcrich.csv'). Their bytes are decoded as UTF-8 ('Zürich.csv'),
    else each is U+FFFD; a lone surrogate that stands for no byte ("\\ud800" in a hand-edited run.json) is '?'."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def _plain(text, width: int | None = None) -> str:
    """User text (a series id, a column name, a model name) as a figure shows it: literally, never as
    mathtext ("$x$", an unknown "$\\foo$" would fail the whole plot), and at most `width` characters,
    shortened in the middle so that its end (say "(worst, MASE 1.20)") stays visible."""
    t = _unicode(str(text))
    if width is not None and len(t) > width:
        t = t[: (width - 1) // 2] + "…" + t[len(t) - width // 2:]
    return t.replace("$", r"\$")  # an escaped $ is drawn as $ (matplotlib's is_math_text / _preprocess_math)


GLYPHS_MISSING = "glyphs-missing"  # the note's `warn` key: the CLI says it once per command, run.json does not keep it
# "missing from font(s) DejaVu Sans." (matplotlib >= 3.9), "missing from current font." (3.8)
_GLYPH_MISSING = r"Glyph (\d+) .*missing from (current )?font"
_CJK = re.compile(r"[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _glyphs_noted(fig, draw) -> None:
    """`draw()` (lay out or render `fig`): a character that no font of the figure's font.family has (Korean where no CJK
    font is installed, an emoji) is drawn as an empty box; matplotlib's warning per glyph and per call (dozens of lines
    on the terminal) is replaced by one SeqcastWarning naming the text and the font to install (the CLI says it once per
    command). matplotlib's own warning, not a look at the fonts' character maps, decides: it is said where a glyph
    could not be drawn, with whatever fonts, fallbacks and mathtext the text was drawn. One thread at a time, as
    data._quiet: catch_warnings saves and restores the process-wide filters and showwarning. (A function, not a context
    manager: `warn` points at the user's line past seqcast's frames, and contextlib's would stop it.)"""
    from .data import _QUIET_LOCK
    from .errors import routed, warn

    missing: dict[str, None] = {}  # in the order met

    def take(message):  # each glyph's warning, every time it is warned
        missing[chr(int(re.match(_GLYPH_MISSING, str(message))[1]))] = None

    with _QUIET_LOCK, routed(UserWarning, take, _GLYPH_MISSING):
        draw()
    if missing:
        warn(_glyph_note(fig, "".join(missing)), key=GLYPHS_MISSING)


def _glyph_note(fig, missing: str) -> str:
    """One line: which of the figure's texts hold characters no installed font draws, and how to get them drawn."""
    from matplotlib import get_cachedir
    from matplotlib.text import Text

    run = re.compile(f"[{re.escape(missing)}](?:[ {re.escape(missing)}]*[{re.escape(missing)}])?")  # '한국어 서울', not a char
    words = list(dict.fromkeys(w for t in fig.findobj(Text) for w in run.findall(t.get_text()))) or list(missing)
    shown = ", ".join(f"'{_plain(w, 30)}'" for w in words[:3]) + (", ..." if len(words) > 3 else "")
    fix = ("install a CJK font (Debian/Ubuntu: apt-get install fonts-noto-cjk, or fonts-nanum)" if _CJK.search(missing)
           else "install a font that has them and add its family to matplotlib's rcParams['font.family']")
    cache = Path(get_cachedir()) / "fontlist-*.json"  # matplotlib finds a font installed after it wrote this list only without it
    return (f"the plot's labels hold characters no installed font draws ({shown}), drawn as empty boxes; {fix}, "
            f"then delete {cache} for matplotlib to see it")


def _fig_bytes(fig, fmt: str = "png") -> bytes:
    """Lay out and render a figure; fmt png or svg (or any format matplotlib knows). A character no font has: one note
    (`_glyphs_noted`); the report's tables show the text."""
    buf = BytesIO()

    def draw():
        fig.tight_layout()
        fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)  # same figure, same bytes

    _glyphs_noted(fig, draw)
    return buf.getvalue()


def _save(fig, path):
    """Write a figure to `path` atomically, PNG or SVG by suffix (png when there is none); path None: only
    lay it out. Returns the figure (a notebook shows it)."""
    from .io import write_atomic

    if path is None:
        _glyphs_noted(fig, fig.tight_layout)
        return fig
    write_atomic(path, _fig_bytes(fig, Path(path).suffix.lstrip(".").lower() or "png"))
    return fig


def _plot_path(path) -> Path | None:
    """A plot's output file, checked before any drawing: None (no file: the figure is only returned), or a path
    (not a number) whose suffix is a format matplotlib writes (png when there is none), not a directory nor under
    a file (`io.check_file_out`)."""
    from matplotlib.backend_bases import FigureCanvasBase

    from .io import check_file_out, path_arg

    if path is None:
        return None

    path_arg("path", path, "a file path such as 'plot.png' or 'plot.svg'")
    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt and fmt not in FigureCanvasBase.get_supported_filetypes():
        raise ConfigError(f"`path` must end in .png, .svg or .pdf (the figure's format). Received: path='{path}'")
    return check_file_out(path)


def _text(name: str, value) -> None:
    """A title or metric name: text or None, not an array (whose truth value raised inside matplotlib's code)."""
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"`{name}` must be text (a str) or None. Received: {name}={value!r:.80}")


def _of_type(name: str, value, kind, what: str) -> None:
    if not isinstance(value, kind):
        raise DataError(f"`{name}` must be {what}. Received: {name}={value!r:.80} ({type(value).__name__})")


def _level_styles(levels) -> list[tuple[float, float]]:
    """(level, alpha) widest first, so the narrower bands are drawn on top, darker."""
    lv = sorted(levels, reverse=True)
    return [(q, 0.12 + 0.16 * i / max(1, len(lv) - 1)) if len(lv) > 1 else (q, 0.2) for i, q in enumerate(lv)]


#: One colour per model, in the order the models come (the same in every figure of a run); red is left to
#: the forecast and its intervals, black to the data.
MODEL_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan", "tab:gray")


def model_colors(names) -> dict:
    return {n: MODEL_COLORS[i % len(MODEL_COLORS)] for i, n in enumerate(names)}


def _date_ticks(ax, maxticks: int = 9) -> None:
    """Short date tick labels ("1959", "Apr", "Jul", ...; "12:00", "Jan 12"; the rest once in the corner), at
    most `maxticks` of them, so that they do not run into each other in a narrow panel nor need rotating. An
    x axis of positions (not dates) is left alone. Ticks and labels are in the dates' time zone, as matplotlib's own."""
    import datetime

    import matplotlib.dates as mdates

    if not isinstance(ax.xaxis.get_major_formatter(), mdates.AutoDateFormatter):  # what matplotlib gives a date axis
        return
    tz = ax.xaxis.get_units()  # the zone of tz-aware dates (else None: naive dates), which UTC labels shifted by its offset
    tz = tz if isinstance(tz, datetime.tzinfo) else None
    loc = mdates.AutoDateLocator(minticks=3, maxticks=maxticks, tz=tz)
    for unit, whole in ((mdates.MONTHLY, 12), (mdates.HOURLY, 24), (mdates.MINUTELY, 60), (mdates.SECONDLY, 60)):
        loc.intervald[unit] = [*loc.intervald[unit], whole]  # a year / day / hour apart too: no range left without a step
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc, tz=tz))


def _legend_outside(ax, **kw) -> None:
    """The legend to the right of the axes, where it cannot hide a line (the layout makes room for it)."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kw)


@_drawn
def plot_forecast(series, path=None, *, holdout=None, forecast=None, title: str | None = None, bands: dict | None = None):
    """The series, the model's and baselines' test predictions, and the future forecast; PNG or SVG by suffix.

    bands: optional {level: (lo, hi)} prediction intervals aligned with forecast["date"] (e.g. from
    `intervals.bands`), drawn as shaded areas labelled "80% interval", the wider level lighter.
    """
    import numpy as np
    import pandas as pd

    from .windows import is_real

    path = _plot_path(path)
    _text("title", title)
    _of_type("series", series, pd.Series, "a pandas Series (the data, indexed by date)")
    if holdout is not None and not all(hasattr(holdout, a) for a in ("predictions", "dates", "model_name")):
        raise DataError(f"`holdout` must be a seqcast Holdout (predictions, dates, model_name) or None. Received: holdout={holdout!r:.80}")
    if forecast is not None:
        _of_type("forecast", forecast, pd.DataFrame, "a DataFrame with columns date and forecast, or None")
    if bands is not None:
        _of_type("bands", bands, dict, "a dict {level: (lo, hi)} or None")
    if bands:
        if forecast is None:
            raise DataError("`bands` are drawn around the forecast: pass `forecast` too (a frame with date and forecast)")
        for q, b in bands.items():
            if not is_real(q) or not isinstance(b, (tuple, list)) or len(b) != 2:
                raise DataError(f"`bands` must map a level (a number such as 80) to a (lo, hi) pair. Received: {q!r}: {b!r:.60}")
            lo, hi = b
            if np.shape(lo) != (len(forecast),) or np.shape(hi) != (len(forecast),):
                raise DataError(f"`bands` for level {q} must have one lower and one upper value per forecast date ({len(forecast)}). "
                                f"Received: shapes {np.shape(lo)}, {np.shape(hi)}")
    fig, ax = _subplots(figsize=(10, 4.5), dpi=110)
    ax.plot(series.index, series.to_numpy(), color="black", lw=1.4, label="data", zorder=3)  # above the test predictions
    if series.name is not None:  # the value column: what the numbers are (passengers, units sold)
        ax.set_ylabel(_plain(series.name, 40))
    if holdout is not None:
        colors = model_colors(holdout.predictions)
        for name, pred in holdout.predictions.items():
            st = {"lw": 2.0} if name == holdout.model_name else {"lw": 1.0, "ls": "--", "alpha": 0.8}
            ax.plot(holdout.dates, pred, label=_plain(f"{name} (test)"), color=colors[name], **st)
        ax.axvline(holdout.dates[0], color="grey", lw=0.8, ls=":", label="test period starts")  # explained in the legend
    if forecast is not None:
        one = len(forecast) == 1  # one date: an area and a line of no width are invisible: a bar and a dot
        styles = _level_styles(bands or {})
        named = {q for i, (q, _) in enumerate(styles) if len(styles) <= 4 or i in (0, len(styles) - 1)}  # 49 levels: the
        for q, alpha in styles:  # widest and the narrowest (a legend of 49 ran off the figure, 'Tight layout not applied')
            lo, hi = bands[q]
            label = f"{q:g}% interval" if q in named else None
            if one:  # a bar, its ends marked by points: the legend's "best" place avoids points, not bars
                ax.vlines(forecast["date"], np.asarray(lo, float), np.asarray(hi, float), color="tab:red", alpha=alpha, lw=8,
                          label=label)
                ax.scatter(np.repeat(forecast["date"].to_numpy(), 2), [*lo, *hi], color="tab:red", alpha=alpha, marker="_", s=60)
            else:
                ax.fill_between(forecast["date"], np.asarray(lo, float), np.asarray(hi, float), color="tab:red", alpha=alpha,
                                lw=0, label=label)
        if one:  # a dot (a scatter, which the legend avoids: a line of one point it does not)
            ax.scatter(forecast["date"], forecast["forecast"], color="tab:red", s=30, zorder=3, label="forecast (1 ahead)")
        else:
            ax.plot(forecast["date"], forecast["forecast"], color="tab:red", lw=2.0, label=f"forecast ({len(forecast)} ahead)")
    ax.set_title(_plain(title or f"{series.name or 'series'}", 100))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)  # where it hides the fewest points (upper left covers a falling series' start)
    _date_ticks(ax)
    return _save(fig, path)


def leaderboard_table(holdout, title: str = "test leaderboard (one step ahead, data units)"):
    """A rich Table of the holdout's rows, best RMSE first."""
    from rich.table import Table

    t = Table(title=title)
    for col in ("model", "RMSE", "MAE", "MAPE %", "MASE"):
        t.add_column(col, justify="left" if col == "model" else "right")
    for r in holdout.table:
        style = "bold" if r["model"] == holdout.model_name else None
        t.add_row(r["model"], fmt_num(r["rmse"]), fmt_num(r["mae"]), fmt_score(r["mape"], 2), fmt_score(r["mase"]), style=style)
    return t


@_drawn
def plot_multistep_forecasts(inputs, truth, forecasts, path=None, *, n: int = 4, title: str | None = None):
    """A few series: their inputs, the true next values and a model's forecasts of them; PNG or SVG by suffix.

    inputs (B, T) or (B, T, 1); truth and forecasts (B, k): the k values after the inputs ((B,): one value each).
    Seq-to-seq outputs (B, T, k) forecast from every step: pass their last step, ``Y[:, -1]``.
    """
    import numpy as np

    from .metrics import _numbers
    from .windows import check_positive

    path = _plot_path(path)
    _text("title", title)
    n = check_positive("n", n)
    x = _numbers("inputs", inputs)
    x = x[..., 0] if x.ndim == 3 and x.shape[2] == 1 else x
    y0, p0 = _numbers("truth", truth), _numbers("forecasts", forecasts)
    y, p = (a[:, None] if a.ndim == 1 else a for a in (y0, p0))  # (B,): one value each
    if x.ndim != 2 or len(x) == 0 or y.ndim != 2 or y.shape[0] != len(x) or p.shape != y.shape:
        seq = "; seq-to-seq outputs (B, T, k): pass their last step, Y[:, -1]" if 3 in (y.ndim, p.ndim) else ""
        raise DataError(f"`inputs` must be (B, T) or (B, T, 1), `truth` and `forecasts` (B, k), with B >= 1. "
                        f"Received: shapes {x.shape}, {y0.shape}, {p0.shape}{seq}")
    n = min(n, len(x))
    T, k = x.shape[1], y.shape[1]
    fig, axes = _subplots(n, 1, figsize=(9, 2.1 * n), dpi=110, sharex=True, squeeze=False)
    for i, ax in enumerate(axes[:, 0]):
        ax.plot(np.arange(T), x[i], ".-", color="black", lw=1.0, ms=3, label="inputs")
        ax.plot(np.arange(T, T + k), y[i], "o-", color="tab:green", lw=1.2, ms=3, label="truth")
        ax.plot(np.arange(T, T + k), p[i], "x--", color="tab:red", lw=1.5, ms=4, label="forecast")
        ax.axvline(T - 0.5, color="grey", lw=0.8, ls=":")
        ax.grid(alpha=0.3)
        ax.set_ylabel(f"series {i}", fontsize=8)
    _legend_outside(axes[0, 0], fontsize=8)
    axes[0, 0].set_title(_plain(title or f"{k}-step forecasts", 90))
    axes[-1, 0].set_xlabel("time step")
    return _save(fig, path)


# ---- more plots ------------------------------------------------------------------------------------


def _history_parts(history):
    """(loss, val_loss, best_epochs) from a train.History or a mapping such as run.json's "history"."""
    from .windows import is_real

    get = history.get if isinstance(history, dict) else (lambda k, d=None: getattr(history, k, d))
    loss, val = _losses(get, "loss"), _losses(get, "val_loss")
    best = get("best_epoch", None)
    best = [] if best is None else ([best] if is_real(best) else best)
    if not isinstance(best, (list, tuple)) or not all(b is None or (is_real(b) and float(b).is_integer()) for b in best):
        raise DataError(f"`best_epoch` must be an epoch number (from 1), a list of them (one per member), or None. "
                        f"Received: best_epoch={get('best_epoch', None)!r:.80}")
    return loss, val, sorted({int(b) for b in best if b})


def _losses(get, name: str) -> list:
    """A history's `name` ("loss", "val_loss") as a list of floats (a hand-edited run.json's text or number refused)."""
    import numpy as np

    from .windows import is_real

    v = get(name, None)
    v = [] if v is None else v
    if not isinstance(v, (list, tuple, np.ndarray)) or not all(x is None or is_real(x) for x in v):
        raise DataError(f"`{name}` must be a list of numbers, one per epoch. Received: {name}={v!r:.80}")
    return [np.nan if x is None else float(x) for x in v]


def _loss_figure(history, title: str | None = None):
    import numpy as np

    loss, val, best = _history_parts(history)
    if not loss:
        raise DataError("the training history has no losses to plot; fit the model for at least one epoch")
    fig, ax = _subplots(figsize=(8, 3.6), dpi=110)
    ax.plot(np.arange(1, len(loss) + 1), loss, color="tab:blue", lw=1.6, label="training loss")
    if val:
        ax.plot(np.arange(1, len(val) + 1), val, color="tab:orange", lw=1.6, label="validation loss")
    for i, b in enumerate(best):
        ax.axvline(b, color="tab:green", lw=1.0, ls="--", label=(f"best epoch {b}" if len(best) == 1 else "best epochs (members)") if i == 0 else None)
    values = np.asarray(loss + val, dtype=float)
    if np.isfinite(values).any() and (values[np.isfinite(values)] > 0).all():
        ax.set_yscale("log")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (scaled units)")
    ax.set_title(_plain(title or "training history", 80))
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="upper right", fontsize=8)
    return fig


@_drawn
def _loss_png(history) -> bytes:
    """The report's loss plot, PNG bytes. The only figure a page draws: a page without one imports no matplotlib."""
    return _fig_bytes(_loss_figure(history), "png")


@_drawn
def plot_loss(history, path=None, *, title: str | None = None):
    """Training and validation loss by epoch, the best (restored) epoch marked; PNG or SVG by suffix.

    history: a `train.History` or a mapping with "loss", "val_loss" (lists, may be empty) and
    "best_epoch" (1-based int, one per ensemble member as a list, or None). Log y axis when every
    loss is positive."""
    path = _plot_path(path)
    _text("title", title)
    return _save(_loss_figure(history, title), path)


@_drawn
def plot_errors_by_step(per_step: dict, path=None, metric: str = "MASE", *, title: str | None = None):
    """An error metric by horizon step 1..h, one line per model; PNG or SVG by suffix.

    per_step: {model: [error at step 1, step 2, ...]}. For MASE a dotted line marks 1 (the mean error of
    the in-sample seasonal naive forecast y_{t-m}, MASE's scale; the naive forecast's for season 1)."""
    import numpy as np

    from .metrics import _numbers

    path = _plot_path(path)
    _text("title", title)
    if not isinstance(metric, str):
        raise ConfigError(f"`metric` must be text such as 'MASE'. Received: metric={metric!r:.80}")
    _of_type("per_step", per_step, dict, "a dict {model: [error per horizon step]}")
    if not per_step:
        raise DataError("`per_step` is empty: pass {model: [error per horizon step]} for at least one model")
    fig, ax = _subplots(figsize=(8, 3.6), dpi=110)
    colors = model_colors(per_step)
    for name, errs in per_step.items():
        e = _numbers(f"per_step[{name!r}]", errs).reshape(-1)
        ax.plot(np.arange(1, len(e) + 1), e, "o-", lw=1.5, ms=3.5, label=_plain(name, 40), color=colors[name])
    if metric.upper() == "MASE":
        ax.axhline(1.0, color="grey", lw=0.9, ls=":", label="MASE 1")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("horizon step")
    ax.set_ylabel(metric)
    ax.set_title(_plain(title or f"{metric} by horizon step", 80))
    ax.grid(alpha=0.3)
    _legend_outside(ax, fontsize=8)
    return _save(fig, path)


def _future_x(history, n: int, dates=None):
    """x values for the history and for the n values after it: given dates, continued dates, or positions."""
    import numpy as np
    import pandas as pd

    from .data import _pd_infer  # pd.infer_freq, without pandas 3's warning that it will return an offset

    if isinstance(history, pd.Series):
        hx = history.index
        if dates is not None:
            return hx, pd.Index(dates)
        if isinstance(hx, pd.DatetimeIndex) and len(hx) >= 3 and (freq := hx.freq or _pd_infer(hx)) is not None:
            return hx, pd.date_range(hx[-1], periods=n + 1, freq=freq)[1:]
        if isinstance(hx, pd.DatetimeIndex):
            raise DataError("a grid item's history has dates without a regular frequency: add a `dates` list for its forecast")
        hx = np.asarray(hx)
        return hx, (np.asarray(dates) if dates is not None else np.arange(len(hx), len(hx) + n) + (hx[-1] - len(hx) + 1 if len(hx) else 0))
    t = len(np.asarray(history).reshape(-1))
    return np.arange(t), (np.asarray(dates) if dates is not None else np.arange(t, t + n))


@_drawn
def plot_series_grid(items: list, path=None, ncols: int = 3, *, title: str | None = None):
    """Small multiples, one panel per series; PNG or SVG by suffix.

    items: dicts {"title": str, "history": pd.Series or array, "forecast": (h,), "truth": (h,) or None,
    "lo": (h,), "hi": (h,) (optional interval), "dates": (h,) (optional x values of the forecast;
    by default the history's dates continued at its frequency, or positions)}. The caller picks which
    series to show (say the first, the worst and the best by MASE)."""
    import numpy as np

    path = _plot_path(path)
    _text("title", title)
    _of_type("items", items, (list, tuple), "a list of dicts {title, history, forecast, ...}")
    if not items:
        raise DataError("`items` is empty: pass at least one series to plot")
    for k, it in enumerate(items):
        if not isinstance(it, dict) or "history" not in it or "forecast" not in it:
            raise DataError(f"`items[{k}]` must be a dict with at least history and forecast. Received: {it!r:.80}")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise DataError(f"`ncols` must be an integer >= 1. Received: ncols={ncols!r}")
    ncols = min(ncols, len(items))
    nrows = -(-len(items) // ncols)
    fig, axes = _subplots(nrows, ncols, figsize=(3.6 * ncols, 2.5 * nrows), dpi=110, squeeze=False)
    for k, ax in enumerate(axes.flat):
        if k >= len(items):
            ax.set_visible(False)
            continue
        it = items[k]
        fc = np.asarray(it["forecast"], dtype=float).reshape(-1)
        hx, fx = _future_x(it["history"], len(fc), it.get("dates"))
        if len(fx) != len(fc):
            raise DataError(f"grid item {k} ({it.get('title', '')!r}): `dates` has {len(fx)} values, `forecast` {len(fc)}")
        hist = it["history"].to_numpy() if hasattr(it["history"], "to_numpy") else np.asarray(it["history"]).reshape(-1)
        ax.plot(hx, hist, color="black", lw=1.0, label="history")
        if it.get("lo") is not None and it.get("hi") is not None:
            ax.fill_between(fx, np.asarray(it["lo"], float), np.asarray(it["hi"], float), color="tab:red", alpha=0.2, lw=0,
                            label=it.get("interval_label", "interval"))
        if it.get("truth") is not None:
            # dots: truth and forecast differ by more than green and red (alike to a colour-blind reader, and in grey)
            ax.plot(fx, np.asarray(it["truth"], float), color="tab:green", lw=1.2, marker="o", ms=2.5, label="truth")
        ax.plot(fx, fc, color="tab:red", lw=1.5, label="forecast")
        ax.set_title(_plain(it.get("title", f"series {k}"), 50), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        _date_ticks(ax, maxticks=5)
        if k == 0:
            ax.legend(loc="best", fontsize=6)
    if title:
        fig.suptitle(_plain(title, 30 * ncols))
    return _save(fig, path)


def _as_dates(x):
    """A column of ISO date texts (test_predictions.csv read back with pd.read_csv) as dates, so that the axis
    gets date ticks, not one category label per row; any other column as it is."""
    import pandas as pd

    if x.dtype == object or pd.api.types.is_string_dtype(x):
        try:
            return pd.to_datetime(x, format="ISO8601")
        except (ValueError, TypeError):
            pass  # labels that are not dates: drawn as they are
    return x


@_drawn
def predictions_vs_truth(frame, path=None, *, title: str | None = None):
    """Test predictions against the truth: over time (left) and as a scatter with the y = x line (right).

    frame: columns `date`, `truth` and one column per model (what `Holdout.frame()` returns and
    test_predictions.csv holds). PNG or SVG by suffix."""
    import numpy as np
    import pandas as pd

    path = _plot_path(path)
    _text("title", title)
    _of_type("frame", frame, pd.DataFrame, "a DataFrame with columns date, truth and one per model")
    missing = [c for c in ("date", "truth") if c not in frame.columns]
    models = [c for c in frame.columns if c not in ("date", "truth")]
    if missing or not models:
        raise DataError(f"the predictions need columns date, truth and one per model. Received: columns {list(frame.columns)}")
    fig, (a1, a2) = _subplots(1, 2, figsize=(11, 4), dpi=110, gridspec_kw={"width_ratios": [1.8, 1]})
    y = frame["truth"].to_numpy(dtype=float)
    x = _as_dates(frame["date"])
    a1.plot(x, y, color="black", lw=1.6, label="truth", zorder=3)  # above the models, as plot_forecast draws its data
    colors = model_colors(models)
    for m in models:
        p = frame[m].to_numpy(dtype=float)
        a1.plot(x, p, lw=1.2, label=_plain(m, 40), color=colors[m])
        a2.scatter(y, p, s=12, alpha=0.75, label=_plain(m, 40), color=colors[m])
    lo, hi = np.nanmin(frame[["truth", *models]].to_numpy(float)), np.nanmax(frame[["truth", *models]].to_numpy(float))
    a2.plot([lo, hi], [lo, hi], color="grey", lw=0.9, ls=":", label="y = x")
    a1.set_title("test predictions and truth", fontsize=10)
    a2.set_title("prediction vs truth", fontsize=10)
    a2.set_xlabel("truth")
    a2.set_ylabel("prediction")
    for a in (a1, a2):
        a.grid(alpha=0.3)
        a.legend(loc="best", fontsize=7)  # where it hides the fewest points (upper left covers a falling series' start)
    _date_ticks(a1, maxticks=7)
    if title:
        fig.suptitle(_plain(title, 110))
    return _save(fig, path)


# ---- the HTML report -------------------------------------------------------------------------------

RUN_FILE, REPORT_FILE = "run.json", "report.html"
MAX_PREDICTION_ROWS = 200
SECTIONS = ("data", "leaderboard", "forecast", "predictions", "coverage", "training", "config", "reproduce")
_DATA_LABELS = {"name": "series", "n_obs": "observations", "length_min": "shortest series (values)", "length_max": "longest series (values)",
                "freq": "frequency", "first": "first date", "last": "last date", "filled": "values filled",
                "unscored": "test values filled, not scored", "n_series": "number of series",
                "scaler": "scaler", "leaks": "scaler saw the test period", "horizon": "horizon (steps)", "windows": "origins (--windows)",
                "step": "steps between origins", "season": "season length", "test": "test",
                "bytes": "file size (bytes)", "sha256": "file SHA-256 (sha256sum)"}  # backtest's and benchmark's too
#: Table headers for run.json's metric keys, as the terminal tables name them (other keys are shown as they are).
_COLUMN_LABELS = {"mase": "MASE", "smape": "sMAPE %", "rmse": "RMSE", "mae": "MAE", "rmsse": "RMSSE", "mape": "MAPE %", "fit_s": "fit s",
                  "mase_vs": "vs", "mase_ratio": "MASE ratio", "mase_ratio_lo": "ratio 95% lo", "mase_ratio_hi": "ratio 95% hi"}
_IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}

_CSS = """
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #dde2ea; --accent: #2f5fa7; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: #f6f7f9; overflow-wrap: break-word; }
header, main { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 28px; }
h1 { font-size: 26px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
nav { display: flex; flex-wrap: wrap; gap: 6px 14px; padding: 10px 0 4px; border-bottom: 1px solid var(--line); }
nav a { color: var(--accent); text-decoration: none; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 8px 22px 18px; margin: 18px 0; }
h2 { font-size: 19px; margin: 14px 0 10px; }
table { border-collapse: collapse; margin: 6px 0; font-size: 14px; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #eef1f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { font-weight: 600; }
tr.under td { color: #a3261b; }
.scroll { max-height: 480px; overflow: auto; }
.wide { max-width: 100%; overflow-x: auto; }
.wide td, .wide th { white-space: nowrap; }
.kv th { width: 16em; background: none; }
.kv td { overflow-wrap: anywhere; }
.warning { background: #fff4e5; border: 1px solid #f0a23b; border-left: 6px solid #e07b00; border-radius: 6px;
           padding: 10px 14px; margin: 10px 0; }
.warning p { margin: 4px 0; }
.verdict { font-size: 16px; margin: 10px 0 4px; }
.note, figcaption { color: var(--muted); font-size: 13px; }
figure { margin: 14px 0 22px; }
figure h3 { font-size: 15px; margin: 0 0 6px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); }
pre { background: #eef1f6; padding: 10px 12px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
footer { max-width: 1100px; margin: 0 auto; padding: 8px 24px 30px; color: var(--muted); font-size: 12px; }
@media (max-width: 600px) {
  header, main, footer { padding-left: 10px; padding-right: 10px; }
  section { padding: 6px 12px 14px; }
  th, td { padding: 4px 8px; }
  .kv th { width: auto; }
}
"""


def _freq_text(freq):
    """A pandas frequency with what it means: "MS (monthly)", "QS-JAN (quarterly)", "W-SUN (weekly)"; a multiple
    ("2D", "15min"), one not known, or None: as it is."""
    import re

    exact = {"min": "every minute", "T": "every minute", "s": "every second", "S": "every second", "ms": "milliseconds",
             "L": "milliseconds", "us": "microseconds", "U": "microseconds", "ns": "nanoseconds", "N": "nanoseconds",
             "bh": "business hours", "BH": "business hours", "C": "custom business days"}
    if not isinstance(freq, str):
        return freq
    if freq in exact:
        return f"{freq} ({exact[freq]})"
    if re.fullmatch(r"SM[SE]?(-\d{1,2})?", freq):  # SMS-15: the 1st and 15th
        return f"{freq} (semi-monthly)"
    m = re.fullmatch(r"(B?)([DBWMQYAHh])[SE]?(-[A-Z]{3})?", freq)  # BQS-JAN: quarterly, on business days
    words = {"D": "daily", "B": "business days", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly", "A": "yearly",
             "H": "hourly"}
    if not m or (m[1] and m[2] not in "MQYA"):
        return freq
    return f"{freq} ({words[m[2].upper()]}{', business days' if m[1] else ''})"


def _esc(x) -> str:
    import html

    return html.escape(str(x), quote=True)


def _column_label(key) -> str:
    """"mase" -> "MASE", "coverage_80" -> "cov 80%", "coverage_n_80" -> "n at 80%"; any other key as it is."""
    import re

    k = str(key)
    if m := re.fullmatch(r"coverage_(n_)?(\d+(?:\.\d+)?)", k):
        return f"{'n at' if m[1] else 'cov'} {m[2]}%"
    return _COLUMN_LABELS.get(k, k)


def fmt_cell(v) -> str:
    """A cell: numbers to 4 significant digits (thousands with one decimal: 17,396.3, not 1.74e+04; from 1e15 up,
    where a float's 16 digits hold no decimal, 4 significant digits again: 8.242e+101, not 102 digits), booleans
    yes/no, None a dash, NaN "n/a" (as the terminal tables show an unknown coverage). The report's cells and
    the terminal tables' RMSE and MAE."""
    import json
    import math
    import numbers

    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        v = float(v)
        if not math.isfinite(v):
            return "n/a" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return f"{v:,.1f}" if 1000 <= abs(v) < 1e15 else f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(fmt_cell(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, default=str, ensure_ascii=False)  # {"서울": ...}, not {"\uc11c\uc6b8": ...}
    return str(v)


def fmt_pct(x: float) -> str:
    """A relative difference (0.25: 25%) as the verdicts write it, never "0%" for a difference ("0% lower" after
    "beats"): whole numbers from 1%, one decimal below, "<0.1%" below that, ">1000%" above 1000% (against a
    baseline exact to rounding, "1326131869% higher" told nothing the two scores beside it do not)."""
    pct = 100 * abs(x)
    if pct > 1000:
        return ">1000%"
    return f"{pct:.0f}%" if pct >= 0.995 else f"{pct:.1f}%" if pct >= 0.05 else "<0.1%"


def fmt_score(v, decimals: int = 3) -> str:
    """A score in a terminal table or verdict (MASE, RMSSE to 3 decimals; MAPE, sMAPE % to 2), with 3 significant
    digits instead where the decimals would show a nonzero value as 0 (a MASE of 1.5e-05, its scale inflated by an
    outlier in the training part, is not "0.000") or from 1e6 up (3.71e+14, not 371309001925058.375)."""
    v = float(v)
    if v != 0 and (abs(v) < 0.5 * 10.0**-decimals or 1e6 <= abs(v) < float("inf")):
        return f"{v:#.3g}"
    return f"{v:.{decimals}f}"


def ratio_clause(metric: str, lo: float, hi: float, over: str, word: str) -> str:
    """A verdict's clause on noise: "; 95% interval of the MASE ratio 0.812-0.968 over 24 origins: clearly better",
    clearly when the whole interval lies on `word`'s side of 1 ("better": below, "worse": above)."""
    clear = hi < 1 if word == "better" else lo > 1  # against a baseline exact to rounding: 7.33e+13, not 73320174480199.781
    return (f"; 95% interval of the {metric} ratio {fmt_score(lo)}-{fmt_score(hi)} over {over}: "
            f"{'clearly' if clear else 'not clearly'} {word}")


def fmt_num(v) -> str:
    """A number in a terminal table's column: fmt_cell's 4 significant digits with their trailing zeros kept, so
    the column's decimals line up (27.20 beside 31.48, not 27.2)."""
    import math
    import numbers

    text = fmt_cell(v)
    if isinstance(v, numbers.Real) and not isinstance(v, (bool, numbers.Integral)) and math.isfinite(v) and (
            abs(v) < 1000 and "e" not in text or abs(v) >= 1e15):  # 1.280e+148 beside 1.693e+148, not 1.28e+148
        return f"{float(v):#.4g}".rstrip(".")
    return text


#: Decimals of the scores in a table, as the terminal tables and the verdicts write them (fmt_score); percentages
#: (coverage, nominal, empirical) and fit seconds get one.
_SCORE_DECIMALS = {"mase": 3, "rmsse": 3, "mase_ratio": 3, "mase_ratio_lo": 3, "mase_ratio_hi": 3, "smape": 2, "mape": 2}


def fmt_column(key, v) -> str:
    """A number in a report table's column `key` as the terminal shows it: MASE 0.978 (the verdict's "MASE 0.978 vs
    1.025", not 0.9781), MAPE % 2.01, cov 80% 81.2, fit s 0.0, any other column fmt_num's 4 significant digits with
    their trailing zeros (12.00 beside 2.756, not 12), so that its decimals line up. Integers, NaN and inf: fmt_cell."""
    import math
    import numbers

    k = str(key)
    if not _is_num(v) or isinstance(v, numbers.Integral) or not math.isfinite(v):
        return fmt_cell(v)
    if k in _SCORE_DECIMALS:
        return fmt_score(v, _SCORE_DECIMALS[k])
    if k in ("fit_s", "nominal", "empirical") or (k.startswith("coverage_") and not k.startswith("coverage_n_")):
        return f"{float(v):,.1f}"
    return fmt_num(v)


def _is_num(v) -> bool:
    import numbers

    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _rows(run: dict, key: str) -> list[dict]:
    rows = run.get(key)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DataError(f"run `{key}` must be a list of objects (one per row). Received: {type(rows).__name__}; "
                        f"fix run.json or re-run the command that wrote it")
    return rows


def _table(rows: list[dict], columns=None, row_class=None, box: str = "wide") -> str:
    import math

    cols = [c for c in (columns or []) if any(c in r for r in rows)]
    for r in rows:
        cols += [c for c in r if c not in cols]
    numeric = {c for c in cols if all(r.get(c) is None or _is_num(r.get(c)) for r in rows)}  # all null: numbers, none known
    head = "".join(f'<th{" class=num" if c in numeric else ""}>{_esc(_column_label(c))}</th>' for c in cols)

    def cell(c, v) -> str:
        if c in numeric:  # a number missing (null in run.json, say a coverage without a finite interval): unknown, "n/a"
            return f"<td class=num>{_esc(fmt_column(c, math.nan if v is None else v))}</td>"
        return f"<td>{_esc(fmt_cell(v))}</td>"

    body = []
    for i, r in enumerate(rows):
        cls = row_class(i, r) if row_class else None
        cells = "".join(cell(c, r.get(c)) for c in cols)
        attr = f' class="{cls}"' if cls else ""
        body.append(f"<tr{attr}>{cells}</tr>")
    # in a box that scrolls sideways (`box` "scroll wide": and down): a table wider than a phone must not widen the page
    return f'<div class="{box}"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _kv_table(pairs) -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(fmt_cell(v))}</td></tr>" for k, v in pairs)
    return f'<table class="kv"><tbody>{body}</tbody></table>'


def _img(data: bytes, mime: str, alt: str) -> str:
    """An <img> with the image inlined as a data: URI. SVG goes in an <img> too, not inline: there a
    file cannot run script or fetch anything, and two matplotlib SVGs cannot clash over element ids."""
    import base64

    return f'<img src="data:{mime};base64,{base64.b64encode(data).decode("ascii")}" alt="{_esc(alt)}">'


def _figure_html(fig: dict, base: Path, i: int) -> str:
    if not isinstance(fig, dict) or not isinstance(fig.get("file"), str):
        raise DataError(f"run `figures[{i}]` must be an object with a `file` (a PNG or SVG beside run.json). Received: {fig!r}")
    title, caption, name = fig.get("title") or Path(fig["file"]).stem, fig.get("caption"), fig["file"]
    f = base / name
    mime = _IMAGE_TYPES.get(f.suffix.lower())
    if not f.resolve().is_relative_to(base.resolve()):  # a hand-edited run.json must not pull in any image on disk
        body = f'<p class="note">figure file {_esc(name)} is not inside the run folder; it is not shown.</p>'
    elif mime is None:
        body = f'<p class="note">figure file {_esc(name)} is not a PNG or SVG; it is not shown.</p>'
    elif not f.is_file():
        body = f'<p class="note">figure file {_esc(name)} is missing beside run.json; re-run the command that wrote it.</p>'
    else:
        body = _img(f.read_bytes(), mime, title)
    cap = f"<figcaption>{_esc(caption)}</figcaption>" if caption else ""
    return f'<figure id="figure-{i + 1}"><h3>{_esc(title)}</h3>{body}{cap}</figure>'


def _section(sid: str, title: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{_esc(title)}</h2>\n{body}\n</section>'


def _warnings_box(run: dict) -> str:
    """run.json's `warnings` (what the command's fits warned of, as it printed them: 'warning: ...') as a box above the
    sections, one paragraph each; "" for none."""
    said = run.get("warnings") or []
    if not isinstance(said, list) or not all(isinstance(w, str) for w in said):
        raise DataError(f"run `warnings` must be a list of texts. Received: {type(said).__name__} {said!r:.80}; "
                        "fix run.json or re-run the command that wrote it")
    paragraphs = "".join(f"<p><strong>Warning:</strong> {_esc(w)}</p>" for w in said)
    return f'<div class="warning" id="fit-warnings" role="alert">{paragraphs}</div>\n' if said else ""


def _html_sections(run: dict, base: Path) -> list[tuple[str, str, str]]:
    """(id, title, html) of each section the run has data for, in report order."""
    import math

    out = []
    data = run.get("data")
    if data is not None:
        if not isinstance(data, dict):
            raise DataError(f"run `data` must be an object (name, n_obs, freq, ...). Received: {type(data).__name__}")
        body = ""
        if data.get("leaks"):
            body += ('<div class="warning" id="leak-warning" role="alert"><strong>Warning: the scaler leaks.</strong> It was fitted on '
                     "all the data, test period included, so the test scores below are optimistic. Fit it on the training part "
                     "only (scaler_fit = \"train\", the default) for honest scores.</div>")
        known = [(_DATA_LABELS[k], _freq_text(data[k]) if k == "freq" else data[k]) for k in _DATA_LABELS if k in data]
        extra = [(k, v) for k, v in data.items() if k not in _DATA_LABELS]
        out.append(("data", "Data", body + _kv_table(known + extra)))
    if "leaderboard" in run or "verdict" in run:
        body = ""
        if "leaderboard" in run:
            rows = _rows(run, "leaderboard")
            body += _table(rows, ["model"], row_class=lambda i, r: "best" if i == 0 else None)
            cov = ("" if not any(str(k).startswith("coverage_") for r in rows for k in r) else
                   " cov N%: percent of the test values inside the N% conformal interval; n at N%: how many test values that rests on;"
                   " n/a: too few calibration residuals for a finite interval.")
            ratio = ("" if not any("mase_ratio_lo" in r for r in rows) else
                     " MASE ratio: the MASE over the best baseline's (vs); ratio 95% lo, hi: its 95% bootstrap interval over the"
                     " series (or rows), n/a from fewer than 10; wholly below 1: better beyond that noise, wholly above: worse.")
            body += ('<p class="note">Best first. MASE: mean absolute error divided by the in-sample MAE of the seasonal naive forecast '
                     f"(naive when there is no season).{cov}{ratio}</p>")
        verdict = run.get("verdict")
        if not (verdict is None or isinstance(verdict, (str, list))):
            raise DataError(f"run `verdict` must be a text or a list of texts. Received: {type(verdict).__name__}")
        for line in [verdict] if isinstance(verdict, str) else (verdict or []):
            body += f'<p class="verdict">{_esc(line)}</p>'
        out.append(("leaderboard", "Leaderboard", body))
    if run.get("figures"):
        figs = run["figures"]
        if not isinstance(figs, list):
            raise DataError(f"run `figures` must be a list of {{title, file, caption}} objects. Received: {type(figs).__name__}")
        out.append(("forecast", "Forecast and figures", "\n".join(_figure_html(f, base, i) for i, f in enumerate(figs))))
    if "predictions" in run:
        rows = _rows(run, "predictions")
        total = run.get("predictions_total", len(rows))  # run.json may keep only the first rows
        total = total if isinstance(total, int) and total >= len(rows) else len(rows)
        shown = min(len(rows), MAX_PREDICTION_ROWS)
        files = run.get("tables") if isinstance(run.get("tables"), dict) else {}
        beside = ("; every row is in " + " and each series' scores in ".join(_esc(files[k]) for k in ("predictions", "series_scores")
                                                                              if isinstance(files.get(k), str)) + ", beside this report"
                  if isinstance(files.get("predictions"), str) else "")
        note = (f'<p class="note">Showing the first {shown} of {total} rows{beside}.</p>'
                if total > shown else f'<p class="note">{total} rows{beside}.</p>')
        out.append(("predictions", "Test predictions", note + _table(rows[:MAX_PREDICTION_ROWS], ["series", "origin", "step", "date", "truth"], box="scroll wide")))
    if "coverage" in run:
        rows = _rows(run, "coverage")

        def under(i, r):
            n, e = r.get("nominal"), r.get("empirical")
            return "under" if _is_num(n) and _is_num(e) and e < n - 5 else None

        note = ('<p class="note">Empirical: percent of test values inside the interval. '
                "Rows in red cover 5 or more points less than promised. n/a: too few calibration residuals for a finite interval.</p>")
        out.append(("coverage", "Interval coverage", _table(rows, ["model", "level", "nominal", "empirical"], under) + note))
    hist = run.get("history")
    if hist:
        if not isinstance(hist, dict):
            raise DataError(f"run `history` must be an object with loss and val_loss lists. Received: {type(hist).__name__}")
        loss, val, best = _history_parts(hist)
        facts = ([("fit", str(hist["of"]))] if hist.get("of") else []) + [("epochs", len(loss))]
        if loss:
            facts.append(("final training loss", loss[-1]))
        if val:
            facts.append(("best validation loss", min((v for v in val if not math.isnan(v)), default=math.nan)))
        if best:
            facts.append(("best epoch (weights restored)", best if len(best) > 1 else best[0]))
        if "fit_s" in hist:
            facts.append(("fit seconds", hist["fit_s"]))
        body = _kv_table(facts)
        if loss:
            body += f'<figure id="loss-figure">{_img(_loss_png(hist), "image/png", "training and validation loss")}</figure>'
        out.append(("training", "Training", body))
    cfg = run.get("config")
    if cfg:
        if not isinstance(cfg, dict):
            raise DataError(f"run `config` must be an object of option: value. Received: {type(cfg).__name__}")
        out.append(("config", "Configuration", _kv_table(cfg.items())))
    facts = [(label, run[k]) for k, label in (("cwd", "run in folder"), ("seqcast_version", "seqcast version"), ("seed", "seed"),
                                              ("environment", "environment"), ("created", "created")) if k in run]
    facts = [(k, ", ".join(f"{n} {x}" for n, x in v.items()) if isinstance(v, dict) else v) for k, v in facts]  # python 3.11.9, jax ...
    if "command" in run or facts:
        body = ""
        if run.get("command"):
            body += f'<p>Run this to make the same run again:</p><pre><code>{_esc(run["command"])}</code></pre>'
        out.append(("reproduce", "Reproduce", body + _kv_table(facts)))
    return out


def write_html(run: dict, path, *, base_dir=None) -> Path:
    """Write `run` as ONE self-contained HTML file at `path` (atomically) and return the path.

    The file needs nothing else: figures inlined as base64 data: URIs, CSS in a <style> tag, no
    script, font, stylesheet or URL that makes a request (a Content-Security-Policy forbids any), all
    text HTML-escaped. Figure files are read from `base_dir` (default: the folder of `path`).

    `run` is a JSON-able dict (what RUN_DIR/run.json holds); every key is optional and a section
    appears only when its key is there, in this order (element ids in brackets):

        title            str, the page title (default "seqcast report")
        command          str, the command line that produced the run     [reproduce]
        cwd              str, the folder it ran in (its relative paths)  [reproduce]
        seqcast_version  str                                              [reproduce]
        seed             int                                              [reproduce]
        environment      {python, numpy, pandas, jax, jaxlib, optax: version, backend, cores}  [reproduce]
        created          str, ISO time                                    [reproduce, header]
        warnings         [str], what the command's fits warned of (a network whose cells saturate on
                         values far beyond 1), each once: a warning box above the sections  [fit-warnings]
        data             {name, n_obs, freq, first, last, filled, unscored, n_series, scaler, leaks, bytes, sha256 (of
                         a data file), ...}: a table, extra keys shown as they are; leaks true adds a warning box  [data]
        leaderboard      [{model, mase, rmse, ...}], best first, the first row bold       [leaderboard]
        verdict          str or [str], shown under the leaderboard                        [leaderboard]
        figures          [{title, file, caption}]: file a .png/.svg path relative to
                         base_dir; a missing file gives a note, not an error               [forecast]
        predictions      [{date, truth, <model>: value, ...}], first 200 rows shown        [predictions]
        predictions_total  int: rows in all, when run.json keeps only the first 200      [predictions]
        tables           {predictions: file, series_scores: file}: the CSVs beside run.json
                         holding every prediction row and each series' scores (named)     [predictions]
        coverage         [{model, level, nominal, empirical}] percent; rows 5+ points
                         under nominal in red                                             [coverage]
        history          {loss: [..], val_loss: [..], best_epoch: int | [int] | null, fit_s, of}:
                         a summary and the loss plot                                      [training]
        config           {option: value}, the effective configuration                     [config]

    Raises DataError (one line) when a key has the wrong type (say `leaderboard` not a list).
    """
    from .io import check_file_out, path_arg, write_atomic

    if not isinstance(run, dict):
        raise DataError(f"a run must be a JSON object (a dict) of title, data, leaderboard, ... Received: {type(run).__name__}")
    path = check_file_out(path_arg("path", path))
    base = path_arg("base_dir", base_dir) if base_dir is not None else path.parent
    write_atomic(path, _page(run, base))
    return path


def _page(run: dict, base: Path) -> bytes:
    """write_html's page: `run` as HTML, its figures read from the folder `base`."""
    from . import __version__

    title = str(run.get("title") or "seqcast report")
    box, sections = _warnings_box(run), _html_sections(run, base)
    meta = " · ".join(_esc(x) for x in (run.get("command") and f"$ {run['command']}", run.get("created"),
                                         run.get("seqcast_version") and f"seqcast {run['seqcast_version']}") if x)
    nav = " ".join(f'<a href="#{sid}">{_esc(t)}</a>' for sid, t, _ in sections)
    body = box + ("\n".join(_section(*s) for s in sections) or '<p class="note">This run has nothing to show yet.</p>')
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="generator" content="seqcast {_esc(__version__)}">
<title>{_esc(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_esc(title)}</h1>
<p class="meta">{meta}</p>
<nav>{nav}</nav>
</header>
<main>
{body}
</main>
<footer>Written by seqcast {_esc(__version__)}. This file is self-contained: it loads nothing from anywhere.</footer>
</body>
</html>
"""
    return _unicode(page).encode("utf-8")


_TRIES = 50  # reads and writes of a report whose run folder is replaced meanwhile


def write_report(run_dir, out=None) -> Path:
    """Read RUN_DIR/run.json (and the figure files beside it) and write RUN_DIR/report.html, or `out`. A run folder
    replaced meanwhile (a `backtest --out RUN` swapping its folder in) is read, and its report written, again;
    ModelFileError when it is replaced every time, _TRIES times."""
    from .io import _inode, _read_whole, path_arg, write_atomic

    d = path_arg("run_dir", run_dir)
    out = path_arg("out", out) if out is not None else None
    for _ in range(_TRIES):
        seen, where, page = _read_whole(d, lambda d: (_inode(d), *_report_page(d, out)))  # run.json and figures of one run
        try:
            write_atomic(where, page)
        except OSError:  # FileNotFoundError: its temp file was made in the folder a swap has since moved away
            if _inode(d) == seen:
                raise
            continue
        if _inode(d) == seen:  # else the folder swapped in since may hold this page of the earlier run: again, from its files
            return where
    raise ModelFileError(f"'{d}' was replaced while its report was written, {_TRIES} times (another command keeps saving a run "
                         f"into it; the {where.name} there may be an earlier run's); try again when that command has ended")


def _report_page(d: Path, out: Path | None) -> tuple[Path, bytes]:
    """Where write_report writes, and the page of the run in `d`."""
    import json

    from .errors import ConfigError

    hint = ("make one with `seqcast fit DATA --out DIR` (one series with a test part), `seqcast backtest ... --report` or "
            "`seqcast benchmark ... --report`")
    if not d.is_dir():
        what = "it is a file" if d.exists() else "no such directory"
        raise DataError(f"'{d}' is not a seqcast run directory ({what}); {hint}")
    f = d / RUN_FILE
    if not f.is_file():
        raise DataError(f"'{d}' is not a seqcast run directory: {RUN_FILE} missing; {hint}")
    try:
        run = json.loads(f.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DataError(f"'{f}' is not valid JSON ({e.msg} at line {e.lineno} column {e.colno}); re-run the command that wrote it") from None
    except UnicodeDecodeError:
        raise DataError(f"'{f}' is not UTF-8 text; re-run the command that wrote it") from None
    except UNPARSABLE as e:  # nested too deeply, a number of 5000 digits
        raise DataError(f"'{f}' is not valid JSON ({unparsable(e)}); re-run the command that wrote it") from None
    if not isinstance(run, dict):
        raise DataError(f"'{f}' must hold a JSON object (title, data, leaderboard, ...), not a {type(run).__name__}; re-run the command that wrote it")
    if out is None and (d / REPORT_FILE).is_symlink() and not (d / REPORT_FILE).resolve().is_relative_to(d.resolve()):
        # a run folder from someone else: written through, its report.html -> ~/.bashrc would get the page's lines
        raise ConfigError(f"'{d / REPORT_FILE}' is a link to '{(d / REPORT_FILE).resolve()}', outside the run folder; "
                          "remove the link, or name the report's file with --out")
    out = out if out is not None else d / REPORT_FILE
    if out.is_dir():
        raise ConfigError(f"--out '{out}' is a directory; give a file path such as {out / REPORT_FILE}")
    from .io import check_file_out

    check_file_out(out)  # not over a saved model's model.json or weights
    try:
        return out, _page(run, d)
    except DataError as e:
        raise DataError(f"'{f}': {e}") from None
