"""One global model over many series: per-series scaling, windows from every series, h-step forecasts.

    fitted = fit_panel([y1, y2, ...], config, horizon=24, season=12)   # training parts only
    fc = forecast_panel(fitted, [y1, y2, ...], 24)                      # (S, 24), after each series' end

Each series gets its own scaler, fitted on the values given (its training part). The scaled series
are laid end to end in one array; a training window never crosses from one series into the next:

    series i, scaled z_i (n_i values) at offset o_i:
        window starts o_i + s,  s = 0 .. n_i - window - H       (H = 1 recursive, h direct / seq2seq)

Strategies (config.strategy), all on the same recurrent cells:
    recursive  a one-step model; the h forecasts feed each prediction back as the newest input
    direct     a Dense(h) head: all h steps from the last hidden state at once ("MIMO")
    seq2seq    a Dense(h) head at every time step (targets: the next h values after each step);
               the forecast is the last step's output

Validation (early stopping) uses the last windows of each series; training windows end their targets
before the first validation target, so the stopping signal never scores values trained on.
Series shorter than window + H give no training windows; contexts shorter than the window are
left-padded with their first value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import Config, check_model_combination, check_norm_combination
from .errors import ConfigError, DataError
from .scaling import fit_scaler


@dataclass
class PanelFit:
    config: Config
    horizon: int  # H: steps the model outputs at once (1 for recursive)
    season: int
    spec: object  # models.rnn.ModelSpec
    params: object
    scalers: list  # one Scaler per series, in the order of the training series
    history: object  # train.History
    n_windows: tuple  # (training, validation)


def model_spec(cfg: Config, horizon: int, season: int | None):
    from .models import rnn

    H = 1 if cfg.strategy == "recursive" else int(horizon)
    norm = cfg.norm
    m = int(season or 1)
    if norm == "season" and (m < 2 or cfg.window < m):
        fix = (f"pass window={2 * season} (two seasons) or norm='last' (CLI --window {2 * season}, --norm last, or in a --config file)" if season and season >= 2
               else "pass season= (e.g. 12 for monthly data without dates) or norm='last' (CLI --season 12, --norm last, or in a --config file)")
        raise ConfigError(f"norm='season' needs a season >= 2 and window >= season; {fix}. Received: season={season}, window={cfg.window}")
    return rnn.ModelSpec(cell=cfg.model, units=cfg.units, n_outputs=H, output_activation=cfg.output_activation,
                         seq2seq=cfg.strategy == "seq2seq", window=cfg.window, norm=norm, season=m, skip=cfg.skip,
                         precision=cfg.precision)


def check_combination(cfg: Config) -> None:
    """Options no fit can train with (a model saved with them may still load), refused before any training."""
    check_model_combination(cfg.model, cfg.strategy, cfg.skip)
    check_norm_combination(cfg.strategy, cfg.norm)


def _values(y) -> np.ndarray:
    v = np.asarray(y, dtype=np.float64).ravel()
    if not np.isfinite(v).all():
        raise DataError("a series holds NaN or inf values; fill them first, e.g. load_series(..., fill='interpolate') (CLI --fill interpolate)")
    return v


def pad_left(v: np.ndarray, n: int) -> np.ndarray:
    """The last n values of v; shorter series are left-padded with their first value."""
    return v[-n:] if len(v) >= n else np.concatenate([np.full(n - len(v), v[0]), v])


def window_counts(n: int, cfg: Config, H: int) -> tuple[int, int]:
    """(training, validation) windows of one series of n values: the last windows validate (when early
    stopping is on), and training windows end their targets before the first validation target (a seq2seq
    window's first target is the value after its first input step: window - 1 more windows are left out)."""
    n_w = n - cfg.window - H + 1
    if n_w < 1:
        return 0, 0
    use_val = cfg.val_size > 0 and cfg.patience > 0
    n_val = min(max(1, round(n_w * cfg.val_size)), n_w - 1) if use_val and n_w >= 2 else 0
    gap = H - 1 + (cfg.window - 1 if cfg.strategy == "seq2seq" else 0)  # windows whose targets reach the first validation target
    return (max(0, n_w - n_val - gap) if n_val else n_w), n_val


def min_values(cfg: Config, H: int, above: int = 0) -> int:
    """The fewest values, more than `above`, that give a series a training window (window_counts(n)[0] >= 1).

    window + H values make one window, which trains (one window keeps no validation tail); from one value more,
    early stopping keeps a tail, and the windows whose targets reach it, out: none may be left until the series
    is longer (direct, window 24, h 12, val_size 0.1: 36 values train, 37..47 do not, 48 do). From there on the training
    windows never decrease with n, and with a tail of round(n_w * val_size) windows and a gap of g,
    n_w >= (g + 1.5) / (1 - val_size) windows leave one (val_size < 1 is validated)."""
    import bisect

    one = cfg.window + H
    if above < one:
        return one
    gap = H - 1 + cfg.window - 1
    lo, hi = above + 1, max(above + 1, one + int(np.ceil((gap + 1.5) / (1 - cfg.val_size))))
    return lo + bisect.bisect_left(range(lo, hi + 1), 1, key=lambda n: window_counts(n, cfg, H)[0])


def needs(cfg: Config, H: int, above: int = 0) -> str:  # "N values (what they hold)": the fewest above `above`
    n = min_values(cfg, H, above)
    n_val = window_counts(n, cfg, H)[1]
    gap = n - cfg.window - H + 1 - 1 - n_val  # windows left out between the training and the validation windows
    why = f"a window of {cfg.window} and {H} target(s)"
    if n_val:
        why += f", {n_val} validation window(s)" + (f" and the {gap} window(s) before them, whose targets would reach "
                                                   "theirs" if gap else "")
    return f"{n} values ({why})"


#: The largest scaled value the network trains on: float32's squares of it (the squared error) overflow beyond
#: sqrt(3.4e38) ~ 1.8e19. Below it a fit may still diverge on unscaled values (a linear model from ~3e9: Adam squares
#: gradients that grow as value**2), which `_check_finite` then says, naming the scaler.
MAX_SCALED = 1e19
_A_SCALER = "use a scaler that brings them near 1 (scaler='standard' or 'minmax'; CLI --scaler)"
_USE_A_SCALER = f"{_A_SCALER}, or log=True for data never negative (CLI --log)"
#: The largest |input| a tanh / sigmoid cell (rnn, gru, lstm) trains on without a warning: tanh(10) = 1 - 4e-9, so far
#: beyond it the cells saturate, their gradients vanish, and the forecasts go flat. Measured (GRU(32), holdout, scaler
#: 'none', norm 'none', seed 0, the airline times a factor): data up to 0.62 or 6.2 forecast 13-14% MAPE (naive 10%),
#: up to 62 33% (flat), up to 622 (as it is) 91% (flat), up to 6.2e11 100% (all 0).
SATURATES = 10.0


def _saturation_warning(as_is: list, cfg: Config, spec, top: float) -> None:
    """Warn (errors.warn) when a tanh / sigmoid network trained on values far beyond SATURATES, as they are (scaler 'none',
    alone or after log1p: scaler 'auto' picks it per series). Only where nothing carries the level past the cells: norm
    'none' and no linear skip. A window norm (last, mean, season) adds the network's output to a level of the window
    (the raw airline with norm last: 6.4% MAPE; x1e9: naive's 10.0%, never flat), revin divides by the window's spread,
    and a skip is linear. `as_is`: the series whose scaler is 'none'; `top`: the largest |z| of all series
    (_check_scaled's), so most fits cost nothing more."""
    if top <= SATURATES or spec.cell == "linear" or spec.norm != "none" or spec.skip:
        return
    top = max((float(np.max(np.abs(v), initial=0.0)) for v in as_is), default=0.0)
    if top <= SATURATES:  # the huge values were scaled ones (a standard scaler's outlier): not ours to judge
        return
    from .errors import warn

    # log1p alone helps up to e**10 (not norm='revin' either: it trains on the raw airline, diverges on it x1e9)
    fix = _USE_A_SCALER if not cfg.log and np.log1p(top) <= SATURATES else _A_SCALER
    warn(f"{spec.cell.upper()} inputs reach {top:.3g} on values as they are (scaler='none'{' after log1p' if cfg.log else ''}): "
         f"its tanh/sigmoid cells saturate beyond about {SATURATES:g}, and the forecasts go flat; {fix}",
         key=("saturates", spec.cell))


def _check_scaled(z: np.ndarray, cfg: Config, fitting: bool = True) -> float:
    """Refuse values that are still huge after scaling: training values (scaler 'none' on data in units of 1e30), or
    (`fitting` False) a window to forecast from, far beyond what the model's scalers were fitted on. Returns the largest |z|."""
    top = float(np.max(np.abs(z), initial=0.0))
    if top > MAX_SCALED:
        what = "the values the network trains on" if fitting else "the values to forecast from"
        fix = _USE_A_SCALER if fitting else "they lie far outside the values the model was fitted on: refit on data that holds such values"
        raise ConfigError(f"{what} reach {top:.3g} after scaler={cfg.scaler!r}{' and log1p' if cfg.log else ''}, beyond the "
                          f"±{MAX_SCALED:g} whose squares float32, the network's precision, holds; {fix}")
    return top


def check_trainable(lengths, cfg: Config, H: int) -> None:
    """DataError when no series of these lengths gives a training window, saying what one needs: said by `fit_panel`,
    and by `seqcast fit` as soon as a long file is read (1,000,000 series of 2 values said it after 9.5 minutes)."""
    lengths = set(lengths)  # not the longest alone: windows do not always grow with the length (`min_values`)
    if any(window_counts(n, cfg, H)[0] >= 1 for n in lengths):
        return
    longest = max(lengths)
    tail_blocks = cfg.patience and window_counts(longest, cfg.replace(patience=0), H)[0] >= 1  # trains without it
    raise DataError(f"no training windows: the longest series has {longest} values, and one needs {needs(cfg, H, longest)}; use a smaller "
                    f"`window` (CLI --window){' or patience=0 (CLI --patience 0: no validation tail)' if tail_blocks else ''}")


def _check_finite(params, hist, cfg: Config, top: float) -> None:
    """A fit that diverged (a learning rate too large for the data, or unscaled values: GDP in dollars with scaler 'none',
    whose squared gradients overflow float32 at any learning rate) is refused, not returned: its weights are NaN, or early
    stopping fell back to the untrained ones after a NaN / inf epoch. `top`: the largest |value| it trained on."""
    import jax

    from . import train

    finite = all(bool(np.isfinite(np.asarray(p)).all()) for p in jax.tree_util.tree_leaves(params))
    if not finite or not np.isfinite(np.asarray(hist.loss, dtype=np.float64)).all():
        lr = cfg.learning_rate if cfg.learning_rate is not None else train.DEFAULT_LR[cfg.optimizer]
        unscaled = cfg.scaler == "none" and not cfg.log  # (no learning rate helps there: 1e-7 diverged on 1e13)
        adam = cfg.optimizer != "adam"
        raise ConfigError("training diverged: the loss became NaN or inf"
                          + (f" on values as they are (scaler='none'), up to {top:.3g}; {_USE_A_SCALER}, or " if unscaled else "; ")
                          + f"lower `learning_rate` (try {lr / 10:g}){' or use optimizer adam' if adam else ''} (CLI --learning-rate, "
                          f"{'--optimizer, ' if adam else ''}or in a --config file). Received: learning_rate={lr:g}, optimizer={cfg.optimizer!r}"
                          + (", scaler='none'" if unscaled else ""))


def fit_panel(ys, config: Config, *, horizon: int | None = None, season: int | None = None, scalers: list | None = None,
              ids: list | None = None, progress: bool = False) -> PanelFit:
    """Fit one model on the windows of all series `ys` (each a 1-D array of training values).

    `scalers` (one per series) default to scalers fitted on each series' values. With `ids` (one per
    series) the series are laid end to end in the order of their ids, so the same series given in
    another order (a long file sorted by date instead of by id) train the same model; `scalers` stay
    in the order of `ys`."""
    from . import train
    from .forecast import init_params

    cfg = config
    h = int(horizon or cfg.horizon)
    check_combination(cfg)
    spec = model_spec(cfg, h, season)
    H, w = spec.n_outputs, cfg.window
    series = [_values(y) for y in ys]
    if not series:
        raise DataError("no series to fit")
    if scalers is None:
        scalers = [fit_scaler(v, cfg.scaler, log=cfg.log, feature_range=cfg.scaler_range) for v in series]
    elif len(scalers) != len(series):
        raise DataError(f"{len(series)} series given with {len(scalers)} scalers; pass one scaler per series")
    z = [s.transform(v) for s, v in zip(scalers, series)]
    as_is = [v for s, v in zip(scalers, z) if s.kind == "none"]  # the network sees these as they are (scaler 'none')
    if ids is not None:
        z = [z[i] for i in sorted(range(len(z)), key=lambda i: str(ids[i]))]
    offsets = np.concatenate([[0], np.cumsum([len(v) for v in z])[:-1]])
    fit_starts, val_starts = [], []
    for o, v in zip(offsets, z):
        n_fit, n_val = window_counts(len(v), cfg, H)
        fit_starts.append(o + np.arange(n_fit))
        val_starts.append(o + len(v) - w - H + 1 - n_val + np.arange(n_val))  # the series' last n_val windows
    fit_starts = np.concatenate(fit_starts) if fit_starts else np.zeros(0, int)
    val_starts = np.concatenate(val_starts) if val_starts else np.zeros(0, int)
    if len(fit_starts) == 0:
        check_trainable([len(v) for v in series], cfg, H)
    train.check_backend()
    values = np.concatenate(z)
    top = _check_scaled(values, cfg)
    values = train.to_device(values)
    seq = cfg.strategy == "seq2seq"
    fit_w = train.Windows(values, train.to_device(fit_starts, np.int32), w, H, seq)
    val_w = train.Windows(values, train.to_device(val_starts, np.int32), w, H, seq) if len(val_starts) else None
    tspec = train.TrainSpec(optimizer=cfg.optimizer, learning_rate=cfg.learning_rate, loss=cfg.loss, epochs=cfg.epochs,
                            batch_size=cfg.batch_size, shuffle=cfg.shuffle, patience=cfg.patience if val_w is not None else 0)
    train.check_memory(spec, len(fit_starts), len(val_starts), cfg.batch_size, cfg.ensemble, cfg.optimizer)  # before the members are drawn
    params = init_params(spec, cfg.seed, cfg.ensemble)
    params, hist = train.fit(spec, params, fit_w, None, train=tspec, seed=cfg.seed, X_val=val_w, progress=progress,
                             members=cfg.ensemble)
    _check_finite(params, hist, cfg, top)  # (a fit that diverged is refused, naming the scaler: no warning before it)
    _saturation_warning(as_is, cfg, spec, top)
    return PanelFit(cfg, H, int(season or 1), spec, params, scalers, hist, (len(fit_starts), len(val_starts)))


def _one_shot(fitted: PanelFit, Z: np.ndarray) -> np.ndarray:
    """Scaled windows (S, w) -> scaled forecasts (S, H); an ensemble's median."""
    from . import train

    cfg = fitted.config
    many = len(fitted.scalers) > 1  # a series' forecast the same bits whichever of the model's series come with it
    out = train.predict(fitted.spec, fitted.params, Z.astype(np.float32), members=cfg.ensemble,
                        min_rows=train.MIN_ROWS if many else 1)
    if cfg.ensemble > 1:
        out = np.median(out, axis=0)
    return out[:, -1, :] if fitted.spec.seq2seq else out  # seq2seq: the last step's h outputs


#: The most steps a recursive forecast takes: each is one forward pass fed back (0.47 ms for a GRU(64) on this 2-core
#: machine: 47 s for 100,000; a horizon of 10**9, past no date limit for data without dates, would have run for days).
MAX_STEPS = 100_000


def check_horizon(strategy: str, trained: int, h: int) -> None:
    """The steps a model forecasts: a direct / seq2seq one (all its steps at once) at most the horizon it was trained
    for, a recursive one at most MAX_STEPS."""
    if strategy != "recursive" and h > trained:
        raise ConfigError(f"`horizon` must be <= {trained}, the horizon this {strategy} model was trained for. Received: horizon={h}; "
                          f"refit with horizon={h} (CLI: seqcast fit --horizon {h}), or with strategy='recursive' (up to {MAX_STEPS:,} steps)")
    if strategy == "recursive" and h > MAX_STEPS:
        raise ConfigError(f"`horizon` must be <= {MAX_STEPS:,}: a recursive model feeds each step back, one forward pass a step "
                          "(about 0.5 ms each for a small GRU: most of a minute for 100,000), and that far ahead its forecasts rest on its own "
                          f"forecasts alone. Received: horizon={h}; to forecast further ahead, fit on coarser steps, e.g. means of "
                          "consecutive values (pandas: s.resample('D').mean() of hourly data)")


def forecast_panel(fitted: PanelFit, ys, h: int, scalers: list | None = None) -> np.ndarray:
    """The next h values after the end of each series in `ys` -> (S, h) in data units.

    `scalers` default to the fitted ones (series in the same order); pass others for new series."""
    scalers = fitted.scalers if scalers is None else scalers
    if len(scalers) != len(ys):
        raise DataError(f"{len(ys)} series given, the model was fitted on {len(scalers)}; pass `scalers` for other series")
    w = fitted.config.window
    check_horizon(fitted.config.strategy, fitted.horizon, h)  # (a direct / seq2seq model trained for 1 step too)
    Z = np.stack([s.transform(pad_left(_values(v), w)) for s, v in zip(scalers, ys)])  # (S, w)
    _check_scaled(Z, fitted.config, fitting=False)
    if fitted.horizon > 1 or h == 1 or fitted.config.strategy != "recursive":
        out = _one_shot(fitted, Z)[:, :h]
    else:
        steps = []
        for k in range(h):
            p = _one_shot(fitted, Z)[:, 0]  # (S,)
            if not np.isfinite(p).all():  # fed back, it would reach the model as an input window holding inf
                raise DataError(f"the recursive forecast is not finite from step {k + 1} of {h} on: fed back step by step, "
                                "this model's forecasts grow without bound; forecast fewer steps, or fit strategy='direct'")
            steps.append(p)
            Z = np.concatenate([Z[:, 1:], p[:, None]], axis=1)
        out = np.stack(steps, axis=1)
    return np.stack([s.inverse_transform(o) for s, o in zip(scalers, out)])
