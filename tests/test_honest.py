"""Tests for honest.auto_config: the default configuration follows the data's shape, sign and scale."""

from __future__ import annotations

import numpy as np

from seqcast.honest import auto_config

Y = 20 + 5 * np.sin(2 * np.pi * np.arange(60) / 12)  # positive, values ~20


def test_log_without_scaler_for_positive_series():
    cfg = auto_config([Y], h=1, season=12)
    assert cfg.log and cfg.scaler == "none" and cfg.window == 24 and cfg.norm == "season"


def test_negative_values_give_a_standard_scaler_and_no_log():
    cfg = auto_config([Y - 22], h=1, season=12)
    assert not cfg.log and cfg.scaler == "standard"


def test_sign_of_the_whole_series_wins_over_the_training_part():
    # training part never negative, later values are (a log model could not read them)
    assert auto_config([Y], h=1, season=12).log
    cfg = auto_config([Y], h=1, season=12, nonneg=False)
    assert not cfg.log and cfg.scaler == "standard"


def test_small_values_are_scaled_so_the_choice_does_not_depend_on_units():
    # log1p(y) ~ y for tiny y: without a scaler the network would see values ~1e-9
    tiny = auto_config([Y * 1e-9], h=1, season=12)
    assert tiny.log and tiny.scaler == "standard"
    mid = auto_config([Y * 1e-3], h=1, season=12)
    assert (mid.log, mid.scaler) == (tiny.log, tiny.scaler)
    assert auto_config([Y * 1e-9, Y * 1e-3], h=1, season=12).scaler == "standard"  # a panel in small units
    assert auto_config([Y, Y * 1e-9], h=1, season=12).scaler == "none"  # mostly normal series: log values as they are


def test_explicit_options_win():
    cfg = auto_config([Y], h=1, season=12, overrides={"log": False, "scaler": "minmax"})
    assert not cfg.log and cfg.scaler == "minmax"


def test_bad_calls_are_one_line_errors():
    import pytest

    from seqcast.errors import ConfigError, DataError

    with pytest.raises(DataError, match="at least one training series"):
        auto_config([], h=1, season=12)
    with pytest.raises(ConfigError, match="unknown option 'epochz' in overrides"):
        auto_config([Y], h=1, season=12, overrides={"epochz": 3})


def test_auto_config_keeps_the_season_it_chose_its_norm_for():
    """norm='season' chosen for season 12 must fit plain arrays (no dates to imply the season)."""
    from seqcast.forecast import Forecaster
    from seqcast.honest import auto_config

    y = np.tile(np.arange(12.0), 8)
    cfg = auto_config([y], h=3, season=12, ensemble=1, overrides=dict(epochs=1))
    assert cfg.norm == "season" and cfg.season == 12
    assert Forecaster(cfg).fit(y).season_ == 12
    assert auto_config([y], h=3, season=1).season is None
