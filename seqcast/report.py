"""Plots (matplotlib, headless) and terminal tables."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path


def plot_forecast(series, path, *, holdout=None, forecast=None, title: str | None = None) -> None:
    """The series, the model's and baselines' test predictions, and the future forecast; PNG or SVG by suffix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .io import write_atomic

    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=110)
    ax.plot(series.index, series.to_numpy(), color="black", lw=1.4, label="data")
    if holdout is not None:
        styles = {holdout.model_name: dict(color="tab:blue", lw=2.0)}
        for name, pred in holdout.predictions.items():
            st = styles.get(name, dict(lw=1.0, ls="--", alpha=0.8))
            ax.plot(holdout.dates, pred, label=f"{name} (test)", **st)
        ax.axvline(holdout.dates[0], color="grey", lw=0.8, ls=":")
    if forecast is not None:
        ax.plot(forecast["date"], forecast["forecast"], color="tab:red", lw=2.0, label=f"forecast ({len(forecast)} ahead)")
    ax.set_title(title or f"{series.name or 'series'}")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    buf = BytesIO()
    fig.savefig(buf, format=Path(path).suffix.lstrip(".") or "png")
    plt.close(fig)
    write_atomic(path, buf.getvalue())


def leaderboard_table(holdout, title: str = "test leaderboard (one step ahead, data units)"):
    """A rich Table of the holdout's rows, best RMSE first."""
    from rich.table import Table

    t = Table(title=title)
    for col in ("model", "RMSE", "MAE", "MAPE %", "MASE"):
        t.add_column(col, justify="left" if col == "model" else "right")
    for r in holdout.table:
        style = "bold" if r["model"] == holdout.model_name else None
        t.add_row(r["model"], f"{r['rmse']:.2f}", f"{r['mae']:.2f}", f"{r['mape']:.2f}", f"{r['mase']:.3f}", style=style)
    return t
