import json

import numpy as np
import pytest

from seqcast import metrics
from seqcast.errors import ConfigError, DataError

y = np.array([100.0, 200.0, 300.0])
p = np.array([110.0, 190.0, 330.0])  # errors 10, -10, 30


def test_hand_computed():
    assert metrics.mse(y, p) == pytest.approx((100 + 100 + 900) / 3)
    assert metrics.rmse(y, p) == pytest.approx(np.sqrt(1100 / 3))
    assert metrics.mae(y, p) == pytest.approx(50 / 3)
    assert metrics.mape(y, p) == pytest.approx(100 * (0.1 + 0.05 + 0.1) / 3)
    assert metrics.smape(y, p) == pytest.approx(100 * (20 / 210 + 20 / 390 + 60 / 630) / 3)


def test_mase_seasonal_scale():
    train = np.array([1.0, 2.0, 4.0, 7.0])  # season 1: diffs 1, 2, 3 -> scale 2; season 2: 3, 5 -> 4
    assert metrics.mase([10.0], [12.0], train, 1) == pytest.approx(1.0)
    assert metrics.mase([10.0], [12.0], train, 2) == pytest.approx(0.5)


def test_last_time_step_mse():
    Y = np.zeros((2, 3, 2))
    P = np.zeros((2, 3, 2))
    P[:, -1] = 1.0
    P[:, 0] = 5.0  # ignored: not the last step
    assert metrics.last_time_step_mse(Y, P) == pytest.approx(1.0)


def test_last_time_step_mse_refuses_seq2vec_arrays():
    """(B, k) targets gave the MSE of the k-th step alone, without a word."""
    with pytest.raises(DataError, match=r"last_time_step_mse needs seq2seq arrays of shape \(B, T, k\); use mse"):
        metrics.last_time_step_mse(np.zeros((4, 10)), np.ones((4, 10)))


def test_masked_values_are_missing_not_the_values_under_the_mask():
    # np.asarray dropped the mask: mae scored the value under it (1 here: mae 0.0) as if observed
    truth = np.ma.array([1.0, 1.0, 3.0], mask=[0, 1, 0])
    assert np.isnan(metrics.mae(truth, [1.0, 1.0, 3.0]))
    assert metrics.mae(truth.compressed(), [1.0, 3.0]) == 0.0


def test_shape_mismatch():
    with pytest.raises(DataError, match="same shape"):
        metrics.mse([1.0, 2.0], [1.0])


# ---- many series, many steps: rmsse, insample_scales, scores ----------------------------------------

TRAIN = np.array([1.0, 2.0, 4.0, 7.0])  # season 1: diffs 1, 2, 3; season 2: diffs 3, 5


def test_rmsse_hand_computed():
    # season 1: mse scale (1 + 4 + 9) / 3 = 14/3; error 2 -> sqrt(4 / (14/3))
    assert metrics.rmsse([10.0], [12.0], TRAIN, 1) == pytest.approx(np.sqrt(12 / 14))
    # season 2: scale (9 + 25) / 2 = 17; errors 1, 3 -> sqrt(5 / 17)
    assert metrics.rmsse([10.0, 20.0], [11.0, 17.0], TRAIN, 2) == pytest.approx(np.sqrt(5 / 17))
    assert np.isnan(metrics.rmsse([1.0], [2.0], [3.0, 3.0, 3.0]))
    with pytest.raises(DataError, match="longer than the season"):
        metrics.rmsse([1.0], [2.0], TRAIN, 4)


def test_insample_scales():
    assert metrics.insample_scales(TRAIN, 1) == pytest.approx((2.0, 14 / 3))
    assert metrics.insample_scales(TRAIN, 2) == pytest.approx((4.0, 17.0))
    assert metrics.insample_scales(TRAIN, 4) == pytest.approx((2.0, 14 / 3))  # len <= season: season 1
    assert metrics.insample_scales([5.0, 5.0, 5.0], 1) == (0.0, 0.0)
    assert all(np.isnan(metrics.insample_scales([5.0], 1)))
    with pytest.raises(ConfigError, match=r"`season` must be an integer >= 1. Received: season=0"):
        metrics.insample_scales(TRAIN, 0)


def test_season_note_names_the_training_parts_scaled_with_season_1():
    # insample_scales falls back to season 1 for len <= season: the scores' scale changed, so the user is told
    assert metrics.season_note([13, 24], 12) == ""
    assert metrics.season_note([12, 11, 40], 1) == ""  # season 1 is no fallback
    one = metrics.season_note([12], 12)
    assert "the training part (12 values) is not longer than the season 12" in one and one.startswith("note: MASE ")
    many = metrics.season_note([52, 56, 48, 60], 52, "MASE (and RMSSE)")
    assert "MASE (and RMSSE) is scaled" in many and "2 of 4 training parts (48-52 values) are not longer" in many


# Two forecasts of 3 steps: errors y - p = [0, -1, -2] and [0, 1, 2]
TRUTH = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
PRED = np.array([[1.0, 3.0, 5.0], [4.0, 4.0, 4.0]])
MAE_SCALE = np.array([1.0, 2.0])
MSE_SCALE = np.array([1.0, 4.0])


def test_scores_hand_computed_2x3():
    s = metrics.scores(TRUTH, PRED, MAE_SCALE, MSE_SCALE)
    o = s["overall"]
    assert list(o) == list(metrics.SCORE_METRICS)
    assert o["mae"] == pytest.approx(6 / 6)
    assert o["rmse"] == pytest.approx(np.sqrt(10 / 6))
    assert o["mape"] == pytest.approx(100 * (1 / 2 + 2 / 3 + 1 / 5 + 2 / 6) / 6)
    assert o["smape"] == pytest.approx(100 * (2 / 5 + 4 / 8 + 2 / 9 + 4 / 10) / 6)
    assert o["mase"] == pytest.approx((1 / 1 + 1 / 2) / 2)  # row MAEs 1 and 1, scales 1 and 2
    assert o["rmsse"] == pytest.approx((np.sqrt(5 / 3 / 1) + np.sqrt(5 / 3 / 4)) / 2)
    st = s["per_step"]
    assert st["mae"] == pytest.approx([0, 1, 2])
    assert st["rmse"] == pytest.approx([0, 1, 2])
    assert st["mape"] == pytest.approx([0, 100 * (1 / 2 + 1 / 5) / 2, 100 * (2 / 3 + 2 / 6) / 2])
    assert st["mase"] == pytest.approx([0, (1 + 1 / 2) / 2, (2 + 2 / 2) / 2])
    assert st["rmsse"] == pytest.approx([0, (1 / 1 + 1 / 2) / 2, (2 / 1 + 2 / 2) / 2])
    assert "per_series" not in s
    assert all(type(v) is float for v in o.values())
    assert all(type(v) is float for vs in st.values() for v in vs)


def test_scores_per_series_and_json():
    s = metrics.scores(np.vstack([TRUTH, TRUTH]), np.vstack([PRED, PRED]), np.tile(MAE_SCALE, 2),
                       np.tile(MSE_SCALE, 2), ids=np.array(["b", "a", "b", "a"]))
    assert list(s["per_series"]) == ["b", "a"]  # first appearance
    assert s["per_series"]["b"]["mase"] == pytest.approx(1.0)
    assert s["per_series"]["a"]["mase"] == pytest.approx(0.5)
    assert s["per_series"]["a"]["rmsse"] == pytest.approx(np.sqrt(5 / 12))
    assert s["overall"]["mase"] == pytest.approx(0.75)
    json.dumps(s)  # plain python only


def test_scores_per_step_mean_is_overall_mase():
    rng = np.random.default_rng(0)
    y, p = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    s = metrics.scores(y, p, rng.uniform(0.5, 2, 5), rng.uniform(0.5, 2, 5))
    assert np.mean(s["per_step"]["mase"]) == pytest.approx(s["overall"]["mase"])
    assert np.mean(s["per_step"]["mae"]) == pytest.approx(s["overall"]["mae"])


def test_scores_one_row_matches_single_series_metrics():
    train = np.array([3.0, 5.0, 4.0, 8.0, 6.0, 9.0])
    y, p = np.array([10.0, 7.0, 12.0]), np.array([9.0, 9.0, 10.0])
    scale = metrics.insample_scales(train, 2)
    s = metrics.scores(y[None], p[None], [scale[0]], [scale[1]])["overall"]
    assert s["rmsse"] == pytest.approx(metrics.rmsse(y, p, train, 2))
    assert s["mase"] == pytest.approx(metrics.mase(y, p, train, 2))
    assert s["smape"] == pytest.approx(metrics.smape(y, p))


def test_scores_leave_out_rows_without_scale():
    s = metrics.scores(TRUTH, PRED, [0.0, 2.0], [np.nan, 4.0])
    assert s["overall"]["mase"] == pytest.approx(0.5)  # row 0 left out
    assert s["overall"]["rmsse"] == pytest.approx(np.sqrt(5 / 12))
    assert s["overall"]["mae"] == pytest.approx(1.0)  # unscaled metrics keep every row
    s = metrics.scores(TRUTH, PRED, [0.0, 0.0], [0.0, np.inf])
    assert np.isnan(s["overall"]["mase"]) and np.isnan(s["overall"]["rmsse"])
    assert all(np.isnan(s["per_step"]["mase"]))


@pytest.mark.parametrize("train", [[1e300, -1e300, 1e300], [1.5e308, -1.5e308, 1.5e308], [3.0, 3.0, 3.0], [1.0, 4.0, 2.0]])
def test_mase_and_rmsse_follow_scores_rule_for_scales_that_cannot_divide(train):
    # rmsse of a training series whose steps' squares overflow (MSE scale inf) gave a finite ratio (5e-101) where scores'
    # row of the same series said nan, and steps beyond the largest float (scales inf) made mase and rmsse 0.0, a perfect
    # score: one rule now, scores' (a scale 0 or not finite leaves no figure: nan), without numpy warnings
    import warnings

    y, p = np.array([1e200, 2.0]), np.array([0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s1, s2 = metrics.insample_scales(train)
        table = metrics.scores(y[None], p[None], [s1], [s2], ids=["a"])
        single = {"mase": metrics.mase(y, p, train), "rmsse": metrics.rmsse(y, p, train)}
    for name, value in single.items():
        assert np.isnan(value) == np.isnan(table["overall"][name]) == np.isnan(table["per_series"]["a"][name]), name
        assert np.isnan(value) or value == pytest.approx(table["overall"][name], rel=1e-12), name
    assert np.isnan(single["rmsse"]) == (train[0] != 1.0) and np.isnan(single["mase"]) == (train[0] not in (1.0, 1e300))


def test_scores_overall_mase_weighs_rows_not_series():  # as documented: a series with fewer scored rows weighs less
    y, p = np.zeros((3, 2)), np.array([[1.0, 1.0], [3.0, 3.0], [5.0, 5.0]])  # rows' MAE 1, 3, 5
    s = metrics.scores(y, p, [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], ids=["a", "a", "b"])
    assert (s["per_series"]["a"]["mase"], s["per_series"]["b"]["mase"]) == (2.0, 5.0)
    assert s["overall"]["mase"] == pytest.approx(3.0)  # (1 + 3 + 5) / 3 rows, not (2 + 5) / 2 series
    s = metrics.scores(y, p, [0.0, 1.0, 1.0], [0.0, 1.0, 1.0], ids=["a", "a", "b"])  # a's first row: no scale
    assert s["overall"]["mase"] == pytest.approx(4.0)  # (3 + 5) / 2 scored rows


def test_scores_mape_skips_zeros():
    s = metrics.scores([[0.0, 2.0]], [[1.0, 1.0]], [1.0], [1.0])
    assert s["overall"]["mape"] == pytest.approx(50.0)
    assert np.isnan(s["per_step"]["mape"][0])



def test_smape_counts_an_exact_zero_as_zero_error():
    """The documented convention for 0 / 0: y == p == 0 is a perfect forecast, kept in the mean."""
    assert metrics.smape([0.0, 2.0], [0.0, 1.0]) == pytest.approx(100 * (0 + 2 / 3) / 2)
    assert metrics.scores([[0.0, 2.0]], [[0.0, 1.0]], [1.0], [1.0])["overall"]["smape"] == pytest.approx(100 / 3)

@pytest.mark.parametrize("args,match", [
    ((TRUTH[0], PRED[0], [1.0], [1.0]), r"`truth` must be 2-D \(rows, steps\)"),
    ((TRUTH, PRED[:, :2], MAE_SCALE, MSE_SCALE), r"`pred` must have shape \(2, 3\)"),
    ((TRUTH, PRED, [1.0], MSE_SCALE), r"`mae_scale` must have shape \(2,\)"),
    ((TRUTH, PRED, MAE_SCALE, [[1.0, 4.0]]), r"`mse_scale` must have shape \(2,\)"),
    ((np.zeros((0, 3)), np.zeros((0, 3)), [], []), "at least one row"),
    ((TRUTH, PRED * np.nan, MAE_SCALE, MSE_SCALE), r"`pred` holds 6 non-finite value\(s\), the first at row 0, step 0"),
])
def test_scores_bad_input(args, match):
    with pytest.raises(DataError, match=match):
        metrics.scores(*args)


def test_scores_bad_ids():
    with pytest.raises(DataError, match=r"`ids` must hold one id per row of truth \(2\)\. Received: 1 ids"):
        metrics.scores(TRUTH, PRED, MAE_SCALE, MSE_SCALE, ids=["a"])


@pytest.mark.parametrize("season", [0, -1, 1.5, True])
def test_mase_refuses_a_season_that_is_not_a_positive_integer(season):
    with pytest.raises(ConfigError, match="`season` must be"):
        metrics.mase([1.0], [1.0], [1.0, 2.0, 3.0], season)


def test_smape_of_a_nan_value_is_nan_like_the_other_metrics():
    """Bug: a NaN truth or forecast made |y| + |p| NaN, which the `den > 0` guard read as a 0/0 term, so the
    NaN point counted as a perfect forecast: smape([nan, 1], [1, 2]) was 33.3 while mae and mape gave nan."""
    assert np.isnan(metrics.smape([np.nan, 1.0], [1.0, 2.0]))
    assert np.isnan(metrics.smape([1.0, 2.0], [np.nan, 1.0]))
    assert np.isnan(metrics.mae([np.nan, 1.0], [1.0, 2.0])) and np.isnan(metrics.mape([np.nan, 1.0], [1.0, 2.0]))
    assert metrics.smape([0.0, 0.0], [0.0, 1.0]) == pytest.approx(100 * (0 + 2 / 1) / 2)  # 0/0 is still 0, 0 vs 1 is 200%


@pytest.mark.parametrize("fn", [metrics.mse, metrics.mae, metrics.smape, metrics.point_metrics])
@pytest.mark.parametrize("bad", ["abc", {1}, {"a": 1}])
def test_values_that_are_not_numbers_are_a_data_error(fn, bad):
    with pytest.raises(DataError, match="`y_pred` must be an array of numbers"):
        fn([1.0, 2.0], bad)


@pytest.mark.parametrize("fn", [metrics.mase, metrics.rmsse])
def test_scaled_metrics_check_the_training_series_and_the_season(fn):
    with pytest.raises(DataError, match="`y_train` must be an array of numbers"):
        fn([1.0], [2.0], "abc")
    with pytest.raises(DataError, match="training series longer than the season"):
        fn([1.0], [2.0], 5.0)  # a scalar is a series of one value, not len() of an unsized object
    with pytest.raises(ConfigError, match="`season` must be an integer >= 1"):
        fn([1.0], [2.0], [1.0, 2.0, 4.0], "3")


@pytest.mark.parametrize("ids, message", [
    (5, r"^`ids` must be a list or 1-D array of one id per row of truth \(2\)\. Received: ids=5"),  # 'int' not iterable
    (np.array(3), r"^`ids` must be a list or 1-D array"),  # iteration over a 0-d array
    ("ab", r"^`ids` must be a list or 1-D array"),  # was silently two ids, 'a' and 'b'
    ([1, 2, 3], r"^`ids` must hold one id per row of truth \(2\)\. Received: 3 ids"),
    (np.arange(4).reshape(2, 2), r"^`ids` must hold one id \(text or a number\) per row"),  # unhashable ndarray rows
    ([["a"], ["b"]], r"^`ids` must hold one id \(text or a number\) per row"),
])
def test_ids_that_are_not_one_per_row_are_a_data_error(ids, message):
    y, s = np.ones((2, 3)), np.ones(2)
    with pytest.raises(DataError, match=message):
        metrics.scores(y, y, s, s, ids=ids)


def test_percentage_metrics_of_negative_values():
    # |y - p| / |y|: -100 forecast as -90 is 10% off, not -10%; smape's denominator is |y| + |p|, not |y + p|
    assert metrics.mape([-100.0], [-90.0]) == pytest.approx(10.0)
    assert metrics.smape([-1.0, 2.0], [1.0, 2.0]) == pytest.approx(100 * (2 * 2 / 2 + 0) / 2)
    s = metrics.scores([[-100.0, -50.0]], [[-90.0, 50.0]], [1.0], [1.0])["overall"]
    assert s["mape"] == pytest.approx(100 * (10 / 100 + 100 / 50) / 2)
    assert s["smape"] == pytest.approx(100 * (2 * 10 / 190 + 2 * 100 / 100) / 2)


def test_mape_without_a_nonzero_truth_is_nan_and_mase_of_a_constant_training_series_is_nan():
    assert np.isnan(metrics.mape([0.0, 0.0], [1.0, 2.0]))  # every term skipped: no value, not a perfect 0
    assert np.isnan(metrics.mase([1.0], [2.0], [3.0, 3.0, 3.0]))
    assert metrics.point_metrics(y, p) == pytest.approx({"rmse": np.sqrt(1100 / 3), "mae": 50 / 3,
                                                         "mape": 100 * (0.1 + 0.05 + 0.1) / 3})


def test_insample_scales_of_one_value_is_nan_without_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not numpy's "Mean of empty slice"
        assert all(np.isnan(metrics.insample_scales([5.0], 1)))


def test_scores_pool_rmse_over_points_and_average_steps_over_rows():
    # errors y - p: [-1, -2], [0, 3], [0, 0] (not symmetric, unlike TRUTH / PRED)
    truth, pred = [[1.0, 2.0], [10.0, 20.0], [5.0, 5.0]], [[2.0, 4.0], [10.0, 17.0], [5.0, 5.0]]
    s = metrics.scores(truth, pred, [1.0] * 3, [1.0] * 3)
    assert s["overall"]["rmse"] == pytest.approx(np.sqrt((1 + 4 + 9) / 6))  # all 6 points, not a mean of row RMSEs
    assert s["per_step"]["rmse"] == pytest.approx([np.sqrt(1 / 3), np.sqrt((4 + 9) / 3)])
    assert s["per_step"]["smape"] == pytest.approx([100 * (2 / 3) / 3, 100 * (4 / 6 + 6 / 37) / 3])  # means, 0 rows count


def test_scores_leave_out_a_row_whose_own_scale_is_infinite_or_nan():
    s = metrics.scores(TRUTH, PRED, [np.inf, 2.0], [1.0, np.nan])["overall"]
    assert s["mase"] == pytest.approx(1 / 2)  # row 1 only: MAE 1, scale 2
    assert s["rmsse"] == pytest.approx(np.sqrt(5 / 3))  # row 0 only: mse 5/3, scale 1


def test_scores_per_series_numpy_int_ids_are_plain_ints():
    s = metrics.scores(TRUTH, PRED, MAE_SCALE, MSE_SCALE, ids=np.array([7, 8]))
    assert [type(k) for k in s["per_series"]] == [int, int]
    json.dumps(s)  # numpy int keys are refused by json


def test_ratio_interval_of_identical_errors_contains_one():
    a = np.random.default_rng(0).uniform(0.1, 3.0, 40)  # (R,) one model's errors
    lo, hi, n = metrics.ratio_interval(a, a.copy())
    assert (lo, hi, n) == (1.0, 1.0, 40)
    b = a * np.random.default_rng(1).choice([0.9, 1.1], 40)  # as good on average, row by row not
    lo, hi, _ = metrics.ratio_interval(b, a)
    assert lo < 1 < hi


def test_ratio_interval_of_a_model_twice_as_good_on_every_row_lies_well_below_one():
    rng = np.random.default_rng(2)
    b = rng.uniform(0.1, 3.0, 20)
    a = b / 2 * rng.uniform(0.8, 1.2, 20)  # about half, with noise
    lo, hi, n = metrics.ratio_interval(a, b)
    assert n == 20 and 0.4 < lo < a.sum() / b.sum() < hi < 0.6


def test_ratio_interval_is_seeded_and_draws_groups_whole():
    rng = np.random.default_rng(3)
    b = rng.uniform(0.1, 3.0, 30)
    a = b * rng.uniform(0.7, 1.3, 30)
    assert metrics.ratio_interval(a, b) == metrics.ratio_interval(a, b)  # the same seed, the same interval
    assert metrics.ratio_interval(a, b, seed=1) != metrics.ratio_interval(a, b)
    lo, hi, n = metrics.ratio_interval(a, b, groups=[i % 10 for i in range(30)])  # 10 series of 3 rows
    assert n == 10 and lo < a.sum() / b.sum() < hi
    same = metrics.ratio_interval(np.bincount(np.arange(30) % 10, a), np.bincount(np.arange(30) % 10, b))
    assert (lo, hi, n) == same  # a group is one unit: its rows' sums, drawn together


def test_ratio_interval_gives_none_from_too_few_units():
    lo, hi, n = metrics.ratio_interval([1.0] * 9, [2.0] * 9)
    assert np.isnan(lo) and np.isnan(hi) and n == metrics.MIN_UNITS - 1
    assert np.isnan(metrics.ratio_interval([1.0] * 30, [1.0] * 30, groups=["a", "b"] * 15)[0])  # 2 series: too few
    with pytest.raises(DataError, match="one error per row"):
        metrics.ratio_interval([1.0, 2.0], [1.0])


def test_ratio_interval_keeps_its_memory_small_on_a_large_panel():
    """Its draws were (250, U) at a time: 3 arrays of 250 x U int64 and floats, 600 MB for an M4-sized panel of 100_000 series."""
    import tracemalloc

    a = np.random.default_rng(0).uniform(1.0, 2.0, 20_000)
    tracemalloc.start()
    try:
        lo, hi, n = metrics.ratio_interval(a, a[::-1].copy(), n_boot=250)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 20_000 and lo < 1 < hi
    assert peak < 40e6  # one (250, 20_000) array of int64 alone is 40 MB


def _varied_panel_rows(seed: int = 0):
    """(truth, pred, mae_scale, mse_scale, ids) of series with 1 to 4 rows in mixed order, long and short horizons,
    zeros in the truth (mape, smape's 0 / 0), and rows without a scale (0, nan, inf)."""
    rng = np.random.default_rng(seed)
    out = []
    for h in (1, 7, 12, 48):  # 48 x 3 rows: over numpy's 128-value pairwise block
        sizes = rng.integers(1, 5, 40)
        ids = rng.permutation(np.repeat([f"s{i}" for i in range(40)], sizes)).tolist()
        R = len(ids)
        truth = rng.normal(0, 1, (R, h)) * 10.0 ** rng.integers(-3, 6, (R, 1))
        truth[rng.random((R, h)) < 0.05] = 0.0
        pred = truth + rng.normal(0, 1, (R, h)) * np.abs(truth).mean()
        pred[truth == 0] = np.where(rng.random((truth == 0).sum()) < 0.5, 0.0, 1.0)
        s1 = rng.uniform(0.1, 10, R)
        s1[:3] = (0.0, np.nan, np.inf)  # the series of these rows are scored one by one
        out.append((truth, pred, s1, s1 ** 2 * rng.uniform(0.5, 2, R), ids))
    return out


def test_per_series_scores_of_series_scored_together_equal_each_series_scored_alone_to_the_last_bit():
    for truth, pred, s1, s2, ids in _varied_panel_rows():
        got = metrics.scores(truth, pred, s1, s2, ids=ids)["per_series"]
        for key in dict.fromkeys(ids):
            m = [i for i, k in enumerate(ids) if k == key]
            alone = metrics.scores(truth[m], pred[m], s1[m], s2[m])["overall"]  # one block: _block itself
            assert list(got[key]) == list(alone) and np.array_equal(list(got[key].values()), list(alone.values()), equal_nan=True), key


def test_per_series_scores_of_a_panel_are_not_one_block_per_series(monkeypatch):
    calls = []
    real = metrics._block
    monkeypatch.setattr(metrics, "_block", lambda *a, **k: calls.append(1) or real(*a, **k))
    rng = np.random.default_rng(1)
    truth = rng.normal(100, 10, (600, 12))
    metrics.scores(truth, truth + 1.0, np.full(600, 2.0), np.full(600, 4.0), ids=[f"s{i % 300}" for i in range(600)])
    assert len(calls) == 1  # the overall and per-step block; the 300 series together, not 300 more blocks


def test_scores_leave_out_the_targets_not_scored():
    """Filled (made-up) test values are not scored: `scored` masks them out of every figure, overall, per step and per series."""
    rng = np.random.default_rng(0)
    y, p = rng.normal(10, 1, (3, 4)), rng.normal(10, 1, (3, 4))
    s1, s2 = np.array([1.0, 2.0, 0.5]), np.array([1.5, 3.0, 0.4])
    ok = np.ones((3, 4), bool)
    ok[0, 1] = ok[0, 2] = ok[1, 3] = False  # rows of 2 and 3 scored targets
    ok[2] = False  # a row with nothing observed
    truth = np.where(ok, y, np.nan)
    out = metrics.scores(truth, p, s1, s2, ids=["a", "a", "b"], scored=ok)
    e = np.abs(y - p)
    o = out["overall"]
    assert o["mae"] == pytest.approx(e[ok].mean()) and o["rmse"] == pytest.approx(np.sqrt((e[ok] ** 2).mean()))
    assert o["mase"] == pytest.approx(np.mean([(e[r] / s1[r])[ok[r]].mean() for r in (0, 1)]))  # rows averaged, not pooled
    assert o["rmsse"] == pytest.approx(np.mean([np.sqrt((e[r][ok[r]] ** 2).mean() / s2[r]) for r in (0, 1)]))
    assert o["mape"] == pytest.approx(100 * (e / y)[ok].mean()) and o["smape"] == pytest.approx(100 * (2 * e / (y + p))[ok].mean())
    assert out["per_step"]["mae"] == pytest.approx([e[:2, j][ok[:2, j]].mean() for j in range(4)])
    assert out["per_series"]["a"]["mae"] == pytest.approx(e[:2][ok[:2]].mean()) and np.isnan(out["per_series"]["b"]["mae"])
    assert metrics.scores(y, p, s1, s2, ids=[0, 1, 2], scored=np.ones((3, 4), bool)) == metrics.scores(y, p, s1, s2, ids=[0, 1, 2])
    with pytest.raises(DataError, match="`truth` holds 2 non-finite value.s., the first at row 0, step 1"):  # NaN: not scored only
        metrics.scores(truth, p, s1, s2, scored=ok | (np.arange(4) == 1))


def test_per_series_scores_with_targets_not_scored_by_hand():
    """Series a, b, c of 2 rows each are scored together, d (no scale) alone; NaN truth: filled, not scored."""
    nan = np.nan
    truth = [[10, nan], [4, 5], [nan, nan], [3, 0], [nan, nan], [nan, nan], [1, nan], [nan, 2]]
    pred = [[12, 9], [5, 5], [7, 7], [1, 0], [1, 1], [2, 2], [1, 2], [0, 4]]
    s1, s2 = [2, 1, 1, 4, 1, 1, 0, 0], [4, 1, 1, 16, 1, 1, 0, 0]
    per = metrics.scores(truth, pred, s1, s2, ids=list("aabbccdd"), scored=np.isfinite(truth))["per_series"]
    a, b, c, d = (per[k] for k in "abcd")  # a: errors 2, 1, 0 of 10, 4, 5; b: 2, 0 of 3, 0 (row 0 not scored)
    assert a == pytest.approx({"mae": 1.0, "rmse": np.sqrt(5 / 3), "mape": 100 * (0.2 + 0.25) / 3,
                               "smape": 100 * (4 / 22 + 2 / 9) / 3, "mase": (1 + 0.5) / 2, "rmsse": (1 + np.sqrt(0.5)) / 2})
    assert b == pytest.approx({"mae": 1.0, "rmse": np.sqrt(2), "mape": 100 * 2 / 3, "smape": 50.0, "mase": 0.25,
                               "rmsse": np.sqrt(4 / 2 / 16)})  # mape skips y == 0; mase, rmsse: row 1 only
    assert all(np.isnan(v) for v in c.values())  # nothing scored: no figure
    assert d["mae"] == 1.0 and np.isnan(d["mase"]) and np.isnan(d["rmsse"])


def test_masked_per_series_scores_scored_together_equal_each_series_scored_alone_to_the_last_bit(monkeypatch):
    """Scores with targets not scored took one `_block` per series: 10,000 series of 2 backtest origins (a few
    filled values) took 1.5-3.9 s a `Result.scores(model)`, three per `backtest --out`; 0.19-0.36 s now, the same bits."""
    rng = np.random.default_rng(3)
    for truth, pred, s1, s2, ids in _varied_panel_rows():
        ok = rng.random(truth.shape) >= 0.2
        ok[:6] = False  # rows with nothing scored (a series without a scored target, too)
        got = metrics.scores(np.where(ok, truth, np.nan), pred, s1, s2, ids=ids, scored=ok)["per_series"]
        for key in dict.fromkeys(ids):
            m = [i for i, k in enumerate(ids) if k == key]
            alone = metrics._block(np.where(ok, truth, np.nan)[m], pred[m], s1[m], s2[m], steps=False, mask=ok[m])[0]
            assert list(got[key]) == list(alone) and np.array_equal(list(got[key].values()), list(alone.values()), equal_nan=True), key
    calls = []
    real = metrics._block
    monkeypatch.setattr(metrics, "_block", lambda *a, **k: calls.append(1) or real(*a, **k))
    pred = rng.normal(100, 10, (600, 12))
    truth = pred - 1.0
    truth[::7, 3] = np.nan
    metrics.scores(truth, pred, np.full(600, 2.0), np.full(600, 4.0), ids=[f"s{i % 300}" for i in range(600)],
                   scored=np.isfinite(truth))
    assert len(calls) == 1  # the overall and per-step block; the 300 series together


def test_errors_whose_squares_overflow_give_the_right_finite_rmse_without_warnings():
    # a forecast of 1e200 (a model that diverged) made RMSE and RMSSE inf with numpy's 'overflow encountered in
    # square' on stderr; they are finite now, the figure of the same errors scaled down, and ordinary ones the same bits
    import warnings

    rng = np.random.default_rng(0)
    y, p = rng.normal(size=(6, 4)) * 1e180, rng.normal(size=(6, 4)) * 1e180
    want = float(np.sqrt(np.mean(((y - p) / 1e180) ** 2)) * 1e180)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert metrics.rmse(y, p) == pytest.approx(want, rel=1e-12)
        assert metrics.mse(y, p) == np.inf  # beyond the largest float: inf, said by rmse's finite figure
        sc = metrics.scores(y, p, np.ones(6), np.ones(6), ids=list("aabbcc"))
        assert sc["overall"]["rmse"] == pytest.approx(want, rel=1e-12) and np.isfinite(sc["overall"]["rmsse"])
        assert all(np.isfinite(sc["per_step"]["rmse"])) and all(np.isfinite(v["rmse"]) for v in sc["per_series"].values())
        assert sc["per_series"]["a"]["rmse"] == pytest.approx(metrics.rmse(y[:2], p[:2]), rel=1e-12)
        mask = np.ones(y.shape, bool)
        mask[0, 0] = False  # the masked path (targets not scored) too
        masked = metrics.scores(np.where(mask, y, np.nan), p, np.ones(6), np.ones(6), scored=mask)
        assert masked["overall"]["rmse"] == pytest.approx(np.sqrt(np.mean(((y - p)[mask] / 1e180) ** 2)) * 1e180, rel=1e-12)
        assert metrics.insample_scales([1e200, -1e200, 1e200]) == (2e200, np.inf)  # no usable RMSSE scale: see below
        (a, ka), (b, kb) = (metrics.scaled_squares(np.array(e)) for e in ([1e200, 3e200], [2.0, 1.0]))
        assert np.ldexp(np.sqrt(a.sum() / b.sum()), ka - kb) == pytest.approx(np.sqrt(10 / 5) * 1e200, rel=1e-12)
    e = rng.normal(size=(50, 3)) * 7.3  # ordinary errors: the same bits as before
    assert metrics.rmse(e, np.zeros_like(e)) == float(np.sqrt(np.mean(e**2)))
    assert metrics.root_mean_square(e, axis=0).tolist() == np.sqrt(np.mean(e**2, axis=0)).tolist()
    squares, k = metrics.scaled_squares(e)
    assert k == 0 and squares.tolist() == (e**2).tolist()
    assert metrics.root_mean_square(np.array([np.inf, 1.0])) == np.inf  # an infinite error stays infinite


def test_nanmean_and_masked_root_mean_square_are_numpys_bits():
    # scores with filled targets scored each series in its own block (now: series of as many rows together), ~10 calls
    # of _nanmean and 3 of root_mean_square each: 100,000 rows of 10,000 series took 0.3 s more after 533e29b and
    # a25f5ba; both now skip work (a second isnan, a second pass over the errors where nothing overflowed) and must give
    # the figures np.nansum / count gives
    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 7)) * 13.7
    x[rng.random(x.shape) < 0.2] = np.nan
    x[3] = np.nan  # a row with nothing to average: NaN
    for axis in (None, 0, 1):
        count = np.sum(~np.isnan(x), axis=axis)
        want = np.divide(np.nansum(x, axis=axis), count, out=np.full(np.shape(count), np.nan), where=count > 0)
        np.testing.assert_array_equal(metrics._nanmean(x, axis=axis), want)
        rms = metrics.root_mean_square(x, axis=axis, mean=metrics._nanmean)
        np.testing.assert_array_equal(rms, np.sqrt(metrics._nanmean(x**2, axis=axis)))


def test_ratio_interval_refuses_groups_of_another_length():
    """One label per row: two labels for three rows is refused (coverage audit: no test reached it)."""
    with pytest.raises(DataError, match=r"`groups` must hold one label per row \(3\)\. Received: 2 labels"):
        metrics.ratio_interval([1.0, 2, 3], [1.0, 2, 3], groups=["a", "b"])
