"""A small synthetic run directory (run.json + real matplotlib figures) for the report tests.

No model is trained: the "LSTM" predictions are the truth plus noise, so the files take well under
a second to make. Used by test_report.py and test_report_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import monthly

from seqcast.intervals import bands, conformal_widths, coverage
from seqcast.report import plot_errors_by_step, plot_forecast, predictions_vs_truth

SECTION_IDS = ["data", "leaderboard", "forecast", "predictions", "coverage", "training", "config", "reproduce"]
FIGURES = ["forecast.png", "errors_by_step.svg", "predictions.png"]


def make_run(folder: Path, *, leaks: bool = True, title: str = "y <monthly> & co") -> dict:
    """Write figures into `folder` and return the run dict (also written as folder/run.json)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    series = monthly(60)
    test = series.iloc[-12:]
    truth = test.to_numpy()
    preds = {"LSTM": truth + rng.normal(0, 2.0, len(truth)), "naive": series.iloc[-13:-1].to_numpy()}

    # a 6-step forecast past the end, with conformal bands from made-up backtest residuals
    h = 6
    residuals = rng.normal(0, 1.0 + 0.3 * np.arange(h), size=(200, h))
    widths = conformal_widths(residuals, (80, 95))
    point = series.iloc[-1] + 2 * np.arange(1, h + 1)
    b = bands(point, widths)
    fc = pd.DataFrame({"date": pd.date_range(series.index[-1], periods=h + 1, freq="MS")[1:], "forecast": point})
    plot_forecast(series, folder / FIGURES[0], forecast=fc, bands=b, title="y: forecast with 80% and 95% intervals")
    plot_errors_by_step({"LSTM": [0.6, 0.8, 0.95, 1.1, 1.2, 1.3], "naive": [1.0, 1.3, 1.5, 1.6, 1.8, 1.9]}, folder / FIGURES[1])
    frame = pd.DataFrame({"date": test.index, "truth": truth, **preds})
    predictions_vs_truth(frame, folder / FIGURES[2])

    later = rng.normal(0, 1.0 + 0.3 * np.arange(h), size=(300, h))  # "test" residuals for the coverage table
    cov = [{"model": "LSTM", "level": q, "nominal": q, "empirical": coverage(later, -widths[q], widths[q])} for q in (80.0, 95.0)]
    run = {
        "title": title,
        "command": "seqcast fit airline --model lstm --epochs 3 --seed 7 --out 'runs/a b'",
        "seqcast_version": "0.1.0",
        "seed": 7,
        "created": "2024-05-01T12:00:00+00:00",
        "warnings": ["GRU inputs reach 5.05e+11 on values as they are (scaler='none'): its cells <saturate> & the forecasts go flat"],
        "data": {"name": "y", "n_obs": 60, "freq": "MS", "first": "2000-01-01", "last": "2004-12-01", "filled": 0,
                 "n_series": 1, "scaler": "minmax", "leaks": leaks, "source": "<script>alert(1)</script>"},
        "leaderboard": [{"model": "LSTM", "mase": 0.61, "rmse": 2.05, "mae": 1.7},
                        {"model": "naive", "mase": 1.02, "rmse": 5.9, "mae": 4.8}],
        "verdict": ["verdict: LSTM beats every baseline on the 12 test points (RMSE 2.1 vs 5.9 for naive, 65% lower)."],
        "figures": [
            {"title": "Forecast", "file": FIGURES[0], "caption": "the last 60 months, 6 months ahead, 80% and 95% intervals"},
            {"title": "MASE by horizon step", "file": FIGURES[1], "caption": "rolling-origin backtest"},
            {"title": "Predictions vs truth", "file": FIGURES[2], "caption": "test period, one step ahead"},
        ],
        "predictions": [{"date": f"{d:%Y-%m-%d}", "truth": float(t), **{k: float(v[i]) for k, v in preds.items()}}
                        for i, (d, t) in enumerate(zip(test.index, truth))],
        "coverage": cov,
        "history": {"loss": [0.5 / (e + 1) for e in range(20)], "val_loss": [0.6 / (e + 1) + 0.002 * e for e in range(20)],
                    "best_epoch": 12, "fit_s": 1.5},
        "config": {"model": "lstm", "units": [4], "window": 6, "epochs": 20, "scaler": "minmax", "seed": 7},
    }
    (folder / "run.json").write_text(json.dumps(run, indent=2))
    return run
