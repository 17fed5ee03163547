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


def plot_multistep_forecasts(inputs, truth, forecasts, path, *, n: int = 4, title: str | None = None) -> None:
    """A few series: their inputs, the true next values and a model's forecasts of them; PNG or SVG by suffix.

    inputs (B, T) or (B, T, 1); truth and forecasts (B, k): the k values after the inputs.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from .io import write_atomic

    x = np.asarray(inputs)
    x = x[..., 0] if x.ndim == 3 else x
    y, p = np.asarray(truth), np.asarray(forecasts)
    n = max(1, min(n, len(x)))
    T, k = x.shape[1], y.shape[1]
    fig, axes = plt.subplots(n, 1, figsize=(9, 2.1 * n), dpi=110, sharex=True, squeeze=False)
    for i, ax in enumerate(axes[:, 0]):
        ax.plot(np.arange(T), x[i], ".-", color="black", lw=1.0, ms=3, label="inputs")
        ax.plot(np.arange(T, T + k), y[i], "o-", color="tab:green", lw=1.2, ms=3, label="truth")
        ax.plot(np.arange(T, T + k), p[i], "x--", color="tab:red", lw=1.5, ms=4, label="forecast")
        ax.axvline(T - 0.5, color="grey", lw=0.8, ls=":")
        ax.grid(alpha=0.3)
        ax.set_ylabel(f"series {i}", fontsize=8)
    axes[0, 0].legend(loc="upper left", fontsize=8, ncol=3)
    axes[0, 0].set_title(title or f"{k}-step forecasts")
    axes[-1, 0].set_xlabel("time step")
    fig.tight_layout()
    buf = BytesIO()
    fig.savefig(buf, format=Path(path).suffix.lstrip(".") or "png")
    plt.close(fig)
    write_atomic(path, buf.getvalue())
