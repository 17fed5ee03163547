import numpy as np
import pytest

from seqcast.errors import ConfigError, DataError
from seqcast.scaling import SCALERS, Scaler, fit_scaler

x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])


def test_minmax_hand_computed():
    s = fit_scaler(x, "minmax")
    np.testing.assert_allclose(s.transform(x), [0, 1 / 9, 2 / 9, 3 / 9, 1])
    s = fit_scaler(x, "minmax", feature_range=(-1, 1))
    np.testing.assert_allclose(s.transform([1.0, 10.0]), [-1, 1])


def test_standard_and_robust():
    s = fit_scaler(x, "standard")
    np.testing.assert_allclose(s.transform(x).mean(), 0, atol=1e-12)
    np.testing.assert_allclose(s.transform(x).std(), 1)
    r = fit_scaler(x, "robust")  # median 3, IQR 4 - 2 = 2
    np.testing.assert_allclose(r.transform([3.0, 5.0]), [0.0, 1.0])
    r = fit_scaler([1.0, 2.0, 3.0, 4.0], "robust")  # quartiles interpolated: 1.75, 2.5, 3.25 (positions 0.75, 1.5, 2.25)
    assert (r.shift, r.scale) == pytest.approx((2.5, 1.5))


def test_none_leaves_the_values_as_they_are():
    np.testing.assert_array_equal(fit_scaler(x, "none").transform(x), x)
    np.testing.assert_allclose(fit_scaler(x, "none", log=True).transform(x), np.log1p(x))


def test_a_2d_training_array_is_fitted_on_all_its_values():
    s = fit_scaler([[1.0, 2.0], [3.0, 10.0]], "minmax")
    assert (s.shift, s.scale) == (1.0, 9.0)


@pytest.mark.parametrize("kind", SCALERS)
@pytest.mark.parametrize("log", [False, True])
def test_inverse_round_trip(kind, log):
    s = fit_scaler(x, kind, log=log)
    np.testing.assert_allclose(s.inverse_transform(s.transform(x)), x)
    assert Scaler.from_dict(s.to_dict()) == s
    s = fit_scaler(x, kind, log=log, feature_range=(-1, 1))  # a range other than (0, 1): only minmax uses it
    np.testing.assert_allclose(s.inverse_transform(s.transform(x)), x)


def test_from_dict_refuses_a_missing_or_unknown_field_but_reads_a_file_without_nonneg():
    """Bug: a saved scaler missing its shift (or scale, kind, ...) took the default and forecast wrong silently.
    `nonneg` is absent in files saved before it existed: False, as those models forecast."""
    d = fit_scaler(x, "minmax").to_dict()
    assert Scaler.from_dict({k: v for k, v in d.items() if k != "nonneg"}).nonneg is False
    for k in ("kind", "log", "shift", "scale", "lo", "hi"):
        with pytest.raises(ValueError, match=f"scaler has no '{k}'"):
            Scaler.from_dict({n: v for n, v in d.items() if n != k})
    with pytest.raises(ValueError, match="scaler has unknown field 'note'"):
        Scaler.from_dict(d | {"note": "x"})


def test_minmax_inverse_of_a_range_hand_computed():
    s = fit_scaler(x, "minmax", feature_range=(-1, 1))  # 1..10 onto -1..1
    np.testing.assert_allclose(s.inverse_transform([-1.0, 0.0, 1.0]), [1.0, 5.5, 10.0])


def test_fitted_on_train_only_values_beyond_range_extrapolate():
    s = fit_scaler(x[:4], "minmax")  # test value 10 is outside the training range
    assert s.transform([10.0])[0] == pytest.approx(3.0)


def test_constant_training_data_does_not_divide_by_zero():
    s = fit_scaler(np.ones(5), "standard")
    assert np.isfinite(s.transform([2.0])).all()


@pytest.mark.parametrize("kind", SCALERS)
@pytest.mark.parametrize("log", [False, True])
def test_constant_training_data_is_a_pure_shift_even_where_its_std_is_rounding(kind, log):
    """115 values 0.3 have a float std of 1.1e-16 (5.6e-17 after log1p): the standard scaler divided by it,
    so the training values became -1 and a value 1% higher 2.7e13, an input no network has seen."""
    s = fit_scaler(np.full(115, 0.3), kind, log=log)
    z_same, z_up = s.transform([0.3, 0.303])
    assert s.scale == 1.0 and 0 < z_up - z_same < 0.01
    if kind != "none":
        assert abs(z_same - s.lo * (kind == "minmax")) < 1e-12  # the training values sit at the shift


def test_bad_options():
    with pytest.raises(ConfigError, match="`scaler` must be one of"):
        fit_scaler(x, "zscore")
    with pytest.raises(ConfigError, match="scaler_range"):
        fit_scaler(x, "minmax", feature_range=(1, 0))
    with pytest.raises(DataError, match="log"):
        fit_scaler(np.array([-5.0, 1.0]), "minmax", log=True)


def test_log_of_values_at_or_below_minus_one_is_refused_not_nan():
    s = fit_scaler(x, "standard", log=True)  # fitted on positive training values
    with pytest.raises(DataError, match="log.*-3.*--no-log"):
        s.transform(np.array([2.0, -3.0]))
    with pytest.raises(DataError, match="log.*-1.*--no-log"):
        s.transform(np.array([-1.0]))  # log1p(-1) = -inf


def test_log_fitted_on_non_negative_values_never_inverts_below_zero():
    s = fit_scaler(np.array([0.0, 1.0, 3.0]), "none", log=True)
    assert s.nonneg
    np.testing.assert_allclose(s.inverse_transform(np.array([-0.5, np.log1p(2.0)])), [0.0, 2.0], rtol=1e-12)
    neg = fit_scaler(np.array([-0.5, 1.0]), "none", log=True)  # log allows values > -1: no clipping then
    assert not neg.nonneg and neg.inverse_transform(np.array([-0.5]))[0] < 0
    assert not fit_scaler(x, "minmax").nonneg


def test_auto_decides_per_series():
    assert fit_scaler([20.0, 25.0, 30.0], "auto", log=True).kind == "none"
    small = fit_scaler([0.001, 0.002, 0.003], "auto", log=True)
    assert small.kind == "standard" and small.log
    np.testing.assert_allclose(small.inverse_transform(small.transform([0.002])), [0.002])
    assert fit_scaler([20.0, 25.0, 30.0], "auto", log=False).kind == "standard"  # raw values are never left unscaled
    assert fit_scaler([0.5, 1.5], "auto", log=True).kind == "none"  # mean |x| = 1: units of 1 or more
    assert fit_scaler([-0.9, -0.9, 3.0], "auto", log=True).kind == "none"  # mean |x| = 1.6 (the mean itself is 0.4)


def test_a_scaler_refuses_no_values_and_nan():
    import pytest

    from seqcast.errors import DataError

    with pytest.raises(DataError, match=r"needs finite values to fit on\. Received: 0 values"):
        fit_scaler([])
    with pytest.raises(DataError, match=r"Received: 3 values, 1 of them NaN or inf"):
        fit_scaler([1.0, np.nan, 3.0])


@pytest.mark.parametrize("rng", [5, None, (0.0,), (0, 1, 2), ("a", "b"), (0.0, float("inf")), (True, 2)])
def test_a_feature_range_that_is_not_two_finite_numbers_is_a_config_error(rng):
    # 5 and None raised TypeError, ("a", "b") ValueError; (0, inf) scaled every value to nan
    with pytest.raises(ConfigError, match="`scaler_range` must be"):
        fit_scaler(np.arange(5.0), "minmax", feature_range=rng)


@pytest.mark.parametrize("kind, log, message", [
    (np.array(["minmax"]), False, r"^`scaler` must be one of minmax, standard, robust, none, auto\. Received"),  # was kept
    (np.array(["minmax", "none"]), False, r"^`scaler` must be one of"),  # truth value ... ambiguous
    ("minmax", np.array([True, False]), r"^`log` must be true or false\. Received: log="),
    ("minmax", "yes", r"^`log` must be true or false"),
])
def test_a_kind_or_log_of_the_wrong_type_is_a_config_error(kind, log, message):
    with pytest.raises(ConfigError, match=message):
        fit_scaler(x, kind, log=log)


def test_a_numpy_bool_log_is_stored_as_a_bool():
    assert type(fit_scaler(x, "none", log=np.bool_(True)).log) is bool  # the scaler saves to JSON


@pytest.mark.parametrize("values", ["abc", ["1", "a"], {1.0, 2.0}])
def test_values_that_are_not_numbers_are_a_data_error(values):
    with pytest.raises(DataError, match=r"^`x` must be an array of numbers only\. Received: x="):
        fit_scaler(values)  # was a bare ValueError / TypeError
