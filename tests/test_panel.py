"""Global models over many series (seqcast.panel) and the per-window normalisation of models.rnn."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from seqcast import train
from seqcast.config import Config
from seqcast.errors import ConfigError, DataError
from seqcast.models import rnn
from seqcast.panel import fit_panel, forecast_panel, min_values, needs, pad_left, window_counts

TINY = Config().replace(units=(4,), window=8, epochs=2, batch_size=16, patience=0)


def seasonal(n, level=10.0, phase=0):
    t = np.arange(n)
    return level + 0.1 * t + np.sin(2 * np.pi * (t + phase) / 4)


def zero_net(fitted):
    """Parameters with a zero head: the network outputs 0, so forecasts are the normalisation's base."""
    p = fitted.params
    p["head"] = jax.tree_util.tree_map(jnp.zeros_like, p["head"])
    return fitted


@pytest.mark.parametrize("strategy, norm", [("recursive", "mean"), ("direct", "none"), ("seq2seq", "none"), ("seq2seq", "mean")])
def test_every_strategy_and_norm_forecasts_h_steps_per_series(strategy, norm):
    ys = [seasonal(40), seasonal(30, 50.0, 1), seasonal(25, 5.0, 2)]
    f = fit_panel(ys, TINY.replace(strategy=strategy, norm=norm), horizon=5, season=4)
    fc = forecast_panel(f, ys, 5)
    assert fc.shape == (3, 5) and np.isfinite(fc).all()
    assert f.horizon == (1 if strategy == "recursive" else 5)


def test_norm_season_with_a_silent_network_is_the_seasonal_naive_forecast():
    ys = [seasonal(40), seasonal(33, 50.0, 1)]
    f = zero_net(fit_panel(ys, TINY.replace(norm="season", strategy="direct", log=True, scaler="standard"), horizon=6, season=4))
    fc = forecast_panel(f, ys, 6)
    for y, row in zip(ys, fc):
        np.testing.assert_allclose(row, np.tile(y[-4:], 2)[:6], rtol=1e-5)


def test_seq2seq_with_norm_last_is_refused_before_training_its_network_would_see_zeros():
    """seq2seq's causal 'last' subtracts every step's own value from it: the network's input was all zeros, and its
    forecast the last value plus fixed offsets, equal for any two windows ending alike (auto chose it for seq2seq)."""
    x = np.stack([np.arange(8.0), np.r_[np.arange(7.0)[::-1] * 3, 7.0]])  # (2, 8): one last value, histories apart
    spec = rnn.ModelSpec(cell="gru", units=(4,), n_outputs=3, seq2seq=True, window=8, norm="last")
    out = np.asarray(rnn.apply(spec, rnn.init_params(spec, key=0), x))  # (2, 8, 3)
    np.testing.assert_array_equal(out[0, -1], out[1, -1])  # why: the window does not reach the forecast
    with pytest.raises(ConfigError, match=r"^`norm` must be none or mean with strategy='seq2seq' \(with norm='last' each step's "
                                          r"input is its value minus itself, 0.*Received: norm='last'$"):
        fit_panel([seasonal(40)], TINY.replace(strategy="seq2seq", norm="last"), horizon=3)


def test_norm_last_with_a_silent_network_is_the_naive_forecast_also_recursively():
    ys = [seasonal(40), seasonal(33, 50.0, 1)]
    for strategy in ("direct", "recursive"):
        f = zero_net(fit_panel(ys, TINY.replace(norm="last", strategy=strategy), horizon=3, season=4))
        np.testing.assert_allclose(forecast_panel(f, ys, 3), np.stack([np.full(3, y[-1]) for y in ys]), rtol=1e-5)


def test_each_series_is_scaled_on_its_own_values():
    ys = [np.arange(20.0), 1000 + 10 * np.arange(30.0)]
    f = fit_panel(ys, TINY.replace(scaler="minmax"), horizon=1)
    for s, y in zip(f.scalers, ys):
        np.testing.assert_allclose(s.transform(y)[[0, -1]], [0.0, 1.0])


@pytest.mark.filterwarnings("ignore::seqcast.errors.SeqcastWarning")  # values up to 114 as they are, on purpose (positions)
def test_windows_never_cross_from_one_series_into_the_next():
    ys = [np.arange(12.0), 100 + np.arange(15.0)]  # scaler none: values are positions
    f = fit_panel(ys, TINY.replace(scaler="none", window=4, strategy="direct", val_size=0.0), horizon=3)
    assert f.n_windows == (12 - 4 - 3 + 1 + 15 - 4 - 3 + 1, 0)


def test_validation_windows_start_after_every_training_target():
    y = np.arange(40.0)
    f = fit_panel([y], TINY.replace(window=4, strategy="direct", val_size=0.2, patience=2), horizon=5)
    n_w = 40 - 4 - 5 + 1  # 32 windows: 6 for validation, and the 4 before them would share targets with them
    assert f.n_windows == (n_w - 6 - 4, 6)


def test_seq2seq_validation_scores_no_value_a_training_window_targets():
    """A seq2seq window targets the values after every input step, so its first targets lie inside its
    input: the 3 training windows before the validation tail shared targets with it (found by listing both
    target sets). Training targets must end before the first validation target, as for direct models."""
    y = np.arange(40.0)
    w, h = 4, 3
    n_fit, n_val = fit_panel([y], TINY.replace(window=w, strategy="seq2seq", norm="mean", val_size=0.2, patience=2),
                             horizon=h).n_windows
    n_w = 40 - w - h + 1

    def targets(starts):
        return train.Windows(jnp.asarray(y), jnp.asarray(starts, jnp.int32), w, h, seq2seq=True).take(jnp.arange(len(starts)))[1]

    assert float(targets(np.arange(n_fit)).max()) < float(targets(np.arange(n_w - n_val, n_w)).min())


def test_seq2seq_windows_hold_the_next_h_values_after_every_step():
    w = train.Windows(jnp.arange(20.0), jnp.array([0, 5], jnp.int32), 4, 3, seq2seq=True)
    X, Y = w.take(jnp.arange(2))
    np.testing.assert_array_equal(X[1], [5, 6, 7, 8])
    np.testing.assert_array_equal(Y[1], [[6, 7, 8], [7, 8, 9], [8, 9, 10], [9, 10, 11]])
    assert Y.shape == (2, 4, 3)


def test_short_contexts_are_left_padded_and_short_series_give_no_windows():
    np.testing.assert_array_equal(pad_left(np.array([3.0, 4.0]), 4), [3, 3, 3, 4])
    with pytest.raises(DataError, match="no training windows"):
        fit_panel([np.arange(5.0)], TINY, horizon=1)


def test_no_training_windows_says_how_many_values_one_needs():
    """seq2seq with a validation tail leaves window - 1 windows out before it: the message said "a window of 4 plus
    3 target(s) needs 7" for a series of 12 values."""
    cfg = TINY.replace(window=4, strategy="seq2seq", val_size=0.1, patience=3)
    assert window_counts(12, cfg, 3)[0] == 0 and window_counts(13, cfg, 3)[0] == 1
    # 7 values make one window and no validation tail; 8..12 keep a tail and leave none (not monotone)
    assert [window_counts(n, cfg, 3)[0] for n in range(6, 14)] == [0, 1, 0, 0, 0, 0, 0, 1]
    assert min_values(cfg, 3) == 7 and min_values(cfg, 3, above=7) == 13 and min_values(cfg, 3, above=12) == 13
    assert min_values(cfg, 3, above=20) == 21  # any longer series trains
    direct = TINY.replace(window=24, strategy="direct", val_size=0.1, patience=3)  # a 30-value series was told 48, though 36 train
    assert min_values(direct, 12, above=30) == 36 and window_counts(36, direct, 12)[0] == 1
    n = min_values(direct, 12, above=40)
    assert window_counts(n, direct, 12)[0] >= 1 and not any(window_counts(k, direct, 12)[0] for k in range(41, n))
    with pytest.raises(DataError, match=r"the longest series has 12 values, and one needs 13 values \(a window of 4 and 3 target\(s\), "
                                        r"1 validation window\(s\) and the 5 window\(s\) before them, whose targets would reach theirs\); "
                                        r"use a smaller `window` \(CLI --window\) or patience=0 \(CLI --patience 0"):
        fit_panel([np.arange(12.0)], cfg, horizon=3)
    fit_panel([np.arange(13.0)], cfg.replace(epochs=1), horizon=3)  # one more value trains
    plain = cfg.replace(strategy="direct", patience=0)
    assert min_values(plain, 3) == 7 and needs(plain, 3) == "7 values (a window of 4 and 3 target(s))"


def test_a_direct_model_cannot_forecast_past_its_horizon():
    ys = [seasonal(30)]
    f = fit_panel(ys, TINY.replace(strategy="direct"), horizon=3)
    with pytest.raises(ConfigError, match="horizon"):
        forecast_panel(f, ys, 4)


@pytest.mark.parametrize("strategy", ["direct", "seq2seq"])
def test_a_one_step_direct_model_refuses_more_steps_instead_of_returning_one(strategy):
    """A direct / seq2seq model trained for horizon 1, asked for 3 steps, returned an (S, 1) array: one column
    where the caller asked for three, without a word."""
    ys = [seasonal(30)]
    f = fit_panel(ys, TINY.replace(strategy=strategy, norm="mean"), horizon=1)
    assert forecast_panel(f, ys, 1).shape == (1, 1)
    with pytest.raises(ConfigError, match="horizon` must be <= 1"):
        forecast_panel(f, ys, 3)


def test_a_recursive_forecast_that_overflows_says_so():
    """A recursive model whose feedback grows (here each step doubles the last value) overflowed float32 after
    ~130 steps, and forecast(h) then blamed its input: "`X` contains NaN or inf; drop or fill those windows first"."""
    f = fit_panel([np.arange(1.0, 41.0)], TINY.replace(model="linear", window=4, scaler="none"), horizon=1, season=1)
    f.params["head"] = {"W": jnp.array([[0.0], [0.0], [0.0], [2.0]]), "b": jnp.zeros(1)}
    np.testing.assert_allclose(forecast_panel(f, [np.arange(1.0, 41.0)], 3), [[80.0, 160.0, 320.0]])
    with pytest.raises(DataError, match=r"^the recursive forecast is not finite from step 123 of 200 on: fed back step by step, "
                                        r"this model's forecasts grow without bound; forecast fewer steps, or fit strategy='direct'$"):
        forecast_panel(f, [np.arange(1.0, 41.0)], 200)


def test_norm_season_needs_a_window_holding_a_season():
    with pytest.raises(ConfigError, match="season"):
        rnn.ModelSpec(norm="season", window=3, season=4)
    with pytest.raises(ConfigError, match="norm"):
        rnn.ModelSpec(norm="weekly")
    with pytest.raises(ConfigError, match="strategy"):
        Config().replace(strategy="sideways")


def test_nan_in_a_series_is_refused():
    with pytest.raises(DataError, match=r"^a series holds NaN or inf values; fill them first, e.g. load_series\(\.\.\., "
                                        r"fill='interpolate'\) \(CLI --fill interpolate\)$"):  # was "--fill ffill|interpolate" only
        fit_panel([np.array([1.0, np.nan] * 20)], TINY)


def test_a_diverged_fit_says_where_to_lower_the_learning_rate():
    """backtest has no --learning-rate: its options come from a --config file, which the message now names."""
    with pytest.raises(ConfigError, match=r"lower `learning_rate` \(try 100000\) or use optimizer adam \(CLI --learning-rate, "
                                          r"--optimizer, or in a --config file\)\. Received: learning_rate=1e\+06, optimizer='sgd'$"):
        fit_panel([seasonal(40)], TINY.replace(optimizer="sgd", learning_rate=1e6))


def test_values_too_large_for_float32_after_scaling_are_refused_in_one_line():
    """scaler='none' on data in units of 1e30 ended 'training diverged: ... lower `learning_rate`' (its squares overflow
    float32), and 1e38 'X_val contains NaN or inf' after numpy's 'overflow encountered in cast'; new data far beyond a
    model's scaler (predict --data of 1e100 for a model fitted on 100s) said 'X contains NaN or inf' after the same warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for exponent in (30, 40):
            with pytest.raises(ConfigError, match=rf"^the values the network trains on reach 1\.\d+e\+{exponent + 1} after scaler='none', "
                                                  r"beyond the ±1e\+19 whose squares float32, the network's precision, holds; use a "
                                                  r"scaler that brings them near 1 \(scaler='standard' or 'minmax'; CLI --scaler\)"):
                fit_panel([seasonal(40) * 10.0**exponent], TINY.replace(scaler="none"))
        f = fit_panel([seasonal(40)], TINY)  # minmax fitted on values near 10: the same times 1e100 scale to ~3e100
        with pytest.raises(ConfigError, match=r"^the values to forecast from reach 2\.72e\+100 after scaler='minmax', beyond the ±1e\+19 "
                                              r".*: refit on data that holds such values$"):
            forecast_panel(f, [seasonal(40) * 1e100], 2)
    from seqcast.errors import SeqcastWarning

    with pytest.warns(SeqcastWarning, match="cells saturate"):  # 1e9 trains, with a warning
        assert np.isfinite(fit_panel([seasonal(40) * 1e9], TINY.replace(scaler="none")).params["head"]["W"]).all()


def test_a_fit_that_diverges_on_unscaled_values_says_to_use_a_scaler():
    """A linear model with scaler='none' on data of 1e10 to 1e19 (GDP in dollars, 2e13: below the ±1e19 refused before
    training) said 'lower `learning_rate` (try 0.0001) or use optimizer adam ... optimizer='adam'': adam already, and no
    learning rate helps (1e-7 diverged too: Adam's squared gradients, ~value**4, overflow float32 from ~4e9)."""
    cfg = TINY.replace(model="linear", scaler="none", epochs=20)
    for lr in (None, 1e-7):
        with pytest.raises(ConfigError, match=r"^training diverged: the loss became NaN or inf on values as they are \(scaler='none'\), up to "
                                              r"1\.\d+e\+13; use a scaler that brings them near 1 \(scaler='standard' or 'minmax'; CLI --scaler\), "
                                              r"or log=True for data never negative \(CLI --log\), or lower `learning_rate` \(try \d.*\) \(CLI "
                                              r"--learning-rate, or in a --config file\)\. Received: learning_rate=[0-9.e-]+, "
                                              r"optimizer='adam', scaler='none'$"):
            fit_panel([seasonal(40) * 1e12], cfg.replace(learning_rate=lr))
    assert np.isfinite(fit_panel([seasonal(40) * 1e12], cfg.replace(scaler="standard")).params["head"]["W"]).all()


def test_norm_season_without_room_names_the_cli_flags_and_the_config_file():
    with pytest.raises(ConfigError, match=r"pass window=8 \(two seasons\) or norm='last' \(CLI --window 8, --norm last, or in a "
                                          r"--config file\)\. Received: season=4, window=3$"):
        fit_panel([seasonal(40)], TINY.replace(norm="season", window=3), season=4)


def test_skip_adds_a_linear_path_that_starts_at_zero_and_learns():
    ys = [seasonal(40), seasonal(33, 50.0, 1)]
    cfg = TINY.replace(norm="season", strategy="direct", skip=True, log=True, scaler="none", epochs=3)
    f = fit_panel(ys, cfg, horizon=4, season=4)
    assert f.params["skip"]["W"].shape == (8, 4)
    assert float(jnp.abs(f.params["skip"]["W"]).sum()) > 0  # trained away from its zero start
    f = zero_net(f)
    f.params["skip"] = jax.tree_util.tree_map(jnp.zeros_like, f.params["skip"])
    for y, row in zip(ys, forecast_panel(f, ys, 4)):
        np.testing.assert_allclose(row, y[-4:], rtol=1e-5)  # silent network and path: seasonal naive
    with pytest.raises(ConfigError, match="skip"):
        rnn.ModelSpec(cell="linear", skip=True)


def member(fitted, i):
    """Member i of an ensemble's fit, as a one-model fit."""
    import dataclasses

    return dataclasses.replace(fitted, params=jax.tree_util.tree_map(lambda a: a[i], fitted.params),
                               config=fitted.config.replace(ensemble=1))


@pytest.mark.parametrize("strategy", ["direct", "seq2seq", "recursive"])
def test_an_ensemble_forecasts_the_median_of_its_members(strategy):
    """Issue 5: `--ensemble N` gives the median forecast. A recursive ensemble feeds that median back as
    its next input, so from step 2 on it is the median of the members' next steps from the median path."""
    ys = [seasonal(40), seasonal(30, 50.0, 1)]
    f = fit_panel(ys, TINY.replace(strategy=strategy, ensemble=3, seed=1), horizon=4, season=4)
    fc = forecast_panel(f, ys, 4)  # (2, 4)
    if strategy != "recursive":
        members = np.stack([forecast_panel(member(f, i), ys, 4) for i in range(3)])  # (3, 2, 4)
        assert np.ptp(members, axis=0).min() > 1e-3  # the members differ
        np.testing.assert_allclose(fc, np.median(members, axis=0), rtol=1e-5)
        return
    path = [np.asarray(y, float) for y in ys]
    for k in range(4):  # step k: the median of the members' one-step forecasts after the median path so far
        step = np.median([forecast_panel(member(f, i), path, 1)[:, 0] for i in range(3)], axis=0)  # (2,)
        np.testing.assert_allclose(fc[:, k], step, rtol=1e-5)
        path = [np.append(p, s) for p, s in zip(path, step)]


@pytest.mark.parametrize("strategy", ["recursive", "seq2seq"])
def test_a_fit_compiles_its_programs_and_nothing_op_by_op(strategy):
    # jnp.asarray of host data, device slices and eager gathers each compiled a program per shape (a demo compiled
    # 19, a recursive LSTM fit with validation ~45); lengths no other test uses, so nothing is cached yet
    from conftest import compiled_names

    ys = [seasonal(87), seasonal(61, 50.0, 1)]
    with compiled_names() as names:
        f = fit_panel(ys, TINY.replace(strategy=strategy, ensemble=2, patience=1, batch_size=13), horizon=3, season=4)
        forecast_panel(f, ys, 3)
    assert names and set(names) <= {"epoch", "<lambda>"}, names


def test_tanh_cells_fitted_on_values_far_beyond_1_warn_once_naming_the_scaler():
    """A GRU with scaler='none' on the airline x1e9 forecast all 0 (100% MAPE, naive 10%) with no word; it still trains
    (a warning, not a refusal), and says once per fit, at the user's line, that its cells saturate."""
    import warnings

    from seqcast.errors import SeqcastWarning
    from seqcast.forecast import Forecaster

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        fit_panel([seasonal(40) * 1e9], TINY.replace(scaler="none"))
        Forecaster(TINY.replace(scaler="none")).fit(seasonal(60) * 1e9, levels=(80,))  # its calibration fit: not again
    assert [w.category for w in said] == [SeqcastWarning, SeqcastWarning]
    assert str(said[0].message).startswith("LSTM inputs reach 1.47e+10 on values as they are (scaler='none'): its tanh/sigmoid cells "
                                           "saturate beyond about 10, and the forecasts go flat; use a scaler that brings them near 1 "
                                           "(scaler='standard' or 'minmax'; CLI --scaler)")
    assert all(w.filename == __file__ for w in said)  # the user's line, not seqcast's
    with pytest.warns(SeqcastWarning, match=r"^LSTM inputs reach 23 .*after log1p\): .*; use a scaler .*CLI --scaler\)$"):
        fit_panel([np.full(40, 1e10)], TINY.replace(model="lstm", scaler="none", log=True))  # log1p: 23 > 10


def test_inputs_near_1_a_level_carried_past_the_cells_or_a_linear_model_do_not_warn():
    """Silent where the forecasts do not go flat: values up to 10 (the Hands-On ML series, ~±1), a scaler, norm last / mean /
    revin / season (the level added back; the raw airline with norm last: 6.4% MAPE), a linear skip, a linear model, auto."""
    import warnings

    from seqcast import datasets
    from seqcast.forecast import Forecaster

    homl = datasets.synthetic(4, 40)[..., 0]
    big = seasonal(40) * 100  # up to ~1500
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_panel(list(homl), TINY.replace(scaler="none"))
        fit_panel([big], TINY.replace(scaler="minmax"))
        for norm in ("last", "mean", "revin"):
            fit_panel([big], TINY.replace(scaler="none", norm=norm))
        fit_panel([big], TINY.replace(scaler="none", norm="season"), season=4)
        fit_panel([big], TINY.replace(scaler="none", skip=True))
        fit_panel([big], TINY.replace(scaler="none", model="linear"))
        Forecaster(model="auto", epochs=2, ensemble=1, units=(4,)).fit(datasets.airline())
