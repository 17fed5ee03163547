import numpy as np
import pytest

from seqcast.errors import ConfigError, DataError
from seqcast.windows import make_windows, seq2seq_targets, split_train_test, split_validation


def test_windows_on_arange():
    X, Y = make_windows(np.arange(6), 3)
    assert X.tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    assert Y.tolist() == [[3], [4], [5]]


def test_windows_horizon():
    X, Y = make_windows(np.arange(7), 3, horizon=2)
    assert X.tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]]
    assert Y.tolist() == [[3, 4], [4, 5], [5, 6]]


def test_windows_are_views_not_copies():
    v = np.arange(1000.0)
    X, _ = make_windows(v, 50)
    assert np.shares_memory(X, v)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_masked_values_are_missing_in_the_windows(dtype):
    # a masked array's mask was dropped: the value under it (3 here) went into the windows as if it were data, while
    # load_series, predict_windows and train.fit read masked values as missing; they are NaN in the windows now
    v = np.ma.masked_array(np.arange(8).astype(dtype), mask=[0, 0, 0, 1, 0, 0, 0, 0])
    X, Y = make_windows(v, 3)
    assert X.dtype.kind == "f" and np.isnan(X).sum(axis=1).tolist() == [0, 1, 1, 1, 0] and np.isnan(Y[0, 0])
    assert X[0].tolist() == [0, 1, 2] and X[4].tolist() == [4, 5, 6] and Y[1:, 0].tolist() == [4, 5, 6, 7]
    Xc, Yc = make_windows(np.ma.masked_array(v.data[:, None], mask=v.mask[:, None]), 3)  # one masked column
    np.testing.assert_array_equal(Xc, X)
    np.testing.assert_array_equal(Yc, Y)
    X0, _ = make_windows(np.ma.masked_array(np.arange(5).astype(dtype), mask=False), 3)  # nothing masked: the values
    assert X0.dtype == dtype and X0.tolist() == [[0, 1, 2], [1, 2, 3]]


def test_windows_of_masked_values_are_refused_by_train_fit():
    from seqcast import train
    from seqcast.models import rnn

    spec = rnn.ModelSpec(cell="linear", window=3)
    X, Y = make_windows(np.ma.masked_array(np.arange(8.0), mask=[0, 0, 0, 1, 0, 0, 0, 0]), 3)
    with pytest.raises(DataError, match=r"`X` contains NaN or inf; drop or fill those windows first"):
        train.fit(spec, rnn.init_params(spec, key=0), X, Y, train=train.TrainSpec(epochs=1))


def test_one_column_is_one_series():
    # the Keras tutorial windows s_data = MinMaxScaler().fit_transform(raw), shape (144, 1): it was refused with
    # "for a batch of series use seq2seq_targets"
    v = np.arange(144.0)
    X, Y = make_windows(v[:, None], 12)
    X1, Y1 = make_windows(v, 12)
    assert X.shape == (132, 12) and Y.shape == (132, 1)
    np.testing.assert_array_equal(X, X1)
    np.testing.assert_array_equal(Y, Y1)
    assert np.shares_memory(X, v)


def test_airline_split_is_the_tutorials():
    X, Y = make_windows(np.arange(144), 12)
    assert len(X) == 132
    n_train = split_train_test(len(X), 0.2)
    assert (n_train, len(X) - n_train) == (105, 27)
    assert Y[n_train - 1, 0] == 116 and Y[n_train, 0] == 117  # first test target is the 118th value


@pytest.mark.parametrize("window", [0, -1, 2.5, True])
def test_bad_window(window):
    with pytest.raises(ConfigError, match=r"`window` must be an integer >= 1. Received: window="):
        make_windows(np.arange(10), window)


def test_series_too_short_for_window():
    with pytest.raises(DataError, match="too short for the window: 5 values, but window=12"):
        make_windows(np.arange(5), 12)


def test_seq2seq_targets_hand_computed():
    s = np.arange(2 * 6).reshape(2, 6)  # n_steps 4, k 2
    Y = seq2seq_targets(s, 4, 2)
    assert Y.shape == (2, 4, 2)
    assert Y[0].tolist() == [[1, 2], [2, 3], [3, 4], [4, 5]]
    assert Y[1, -1].tolist() == [10, 11]


def test_validation_split():
    assert split_validation(105, 0.0) == 0
    assert split_validation(105, 0.1) == 10
    assert split_validation(4, 0.1) == 1  # at least one validation window when asked for
    with pytest.raises(DataError, match="leaves"):
        split_validation(1, 0.1)
    with pytest.raises(ConfigError):
        split_validation(105, 1.5)


def test_shapes_that_are_not_series_are_one_line_errors():
    import pytest

    from seqcast.errors import ConfigError, DataError
    from seqcast.windows import make_windows, seq2seq_targets

    with pytest.raises(DataError, match=r"`values` must be one series, a 1-D array or one column \(n, 1\)\. Received: shape \(3, 4\)"):
        make_windows(np.zeros((3, 4)), 2)
    with pytest.raises(ConfigError, match=r"`k` must be an integer >= 1\. Received: k=0"):
        seq2seq_targets(np.zeros((3, 8)), 3, 0)
    with pytest.raises(DataError, match=r"`series` must be a batch of series, shape \(B, T\) or \(B, T, 1\)\. Received: shape \(8,\)"):
        seq2seq_targets(np.zeros(8), 3, 2)


def test_split_inputs_targets_takes_long_format():
    # issue 4: a batch of series "as an array, or long format with unique_id" is training data in itself
    import pandas as pd

    from seqcast.windows import split_inputs_targets

    s = np.arange(12.0).reshape(2, 6)  # series "b" = 0..5, "a" = 6..11
    long = pd.DataFrame({"unique_id": np.repeat(["b", "a"], 6), "ds": pd.date_range("2000-01-01", periods=6).tolist() * 2,
                         "y": s.ravel()}).iloc[::-1]  # rows in any order: sorted by ds within each series
    X, Y = split_inputs_targets(long, 4, 2)
    Xa, Ya = split_inputs_targets(s[::-1], 4, 2)  # ids in order of first appearance: "a" first here
    np.testing.assert_array_equal(X, Xa)
    np.testing.assert_array_equal(Y, Ya)
    _, Ys = split_inputs_targets(long, 4, 2, seq2seq=True)
    assert Ys.shape == (2, 4, 2) and Ys[0, -1].tolist() == [10, 11]


def test_split_inputs_targets_still_takes_a_wide_dataframe():
    # taking long format broke a wide DataFrame (one row per series, one column per step), which is a (B, T) array:
    # "long-format data needs the columns unique_id, ds, y; missing: unique_id, ds, y"
    import pandas as pd

    from seqcast.windows import split_inputs_targets

    s = np.arange(12.0).reshape(2, 6)
    X, Y = split_inputs_targets(pd.DataFrame(s), 4, 2)
    np.testing.assert_array_equal(X[..., 0], s[:, :4])
    np.testing.assert_array_equal(Y, s[:, 4:])
    with pytest.raises(DataError, match=r"long-format data needs the columns unique_id, ds, y; missing: unique_id"):
        split_inputs_targets(pd.DataFrame({"ds": range(6), "y": range(6)}), 4, 2)  # long, without its id column


@pytest.mark.parametrize("split", [split_train_test, split_validation])
@pytest.mark.parametrize("size", ["0.2", True, None, [0.2]])
def test_a_fraction_that_is_not_a_number_is_a_config_error(split, size):
    with pytest.raises(ConfigError, match="must be a number in \\[0, 1\\)"):
        split(10, size)


@pytest.mark.parametrize("split", [split_train_test, split_validation])
@pytest.mark.parametrize("n", [3.5, "10", None, -1])
def test_a_window_count_that_is_not_an_integer_is_a_config_error(split, n):
    # 3.5 was silently used as 3.5 windows (int(3.5 * 0.8) = 2), "10" raised a bare TypeError
    with pytest.raises(ConfigError, match="must be an integer >= 0"):
        split(n, 0.2)


@pytest.mark.parametrize("col", ["id_col", "time_col", "value_col"])
@pytest.mark.parametrize("name", [3, None, ["unique_id"], ""])
def test_a_long_format_column_that_is_not_a_name_is_a_config_error(col, name):
    # 3 and None raised TypeError from ", ".join, a list "unhashable type: 'list'"
    import pandas as pd

    from seqcast.windows import long_to_array

    frame = pd.DataFrame({"unique_id": ["a", "a"], "ds": [1, 2], "y": [1.0, 2.0]})
    with pytest.raises(ConfigError, match=rf"^`{col}` must be a column name \(a non-empty str\)\. Received: {col}="):
        long_to_array(frame, **{col: name})


@pytest.mark.parametrize("series", ["abc", [["a", "b", "c"]]])
def test_series_that_are_not_numbers_are_a_data_error(series):
    from seqcast.windows import split_inputs_targets

    with pytest.raises(DataError, match=r"^`series` must be an array of numbers only\. Received: series="):
        split_inputs_targets(series, 2, 1)  # was a bare ValueError from numpy


def test_docstring_examples_hold():  # the `>>>` examples users read in help(seqcast.windows...)
    import doctest

    from seqcast import windows

    res = doctest.testmod(windows)
    assert res.attempted >= 4 and res.failed == 0


def test_the_shortest_series_gives_one_window_and_one_less_is_refused():
    # window 3 + horizon 2 need 5 values: 5 give one window, 4 give none (a DataError, not numpy's ValueError)
    X, Y = make_windows(np.arange(5), 3, horizon=2)
    assert X.tolist() == [[0, 1, 2]] and Y.tolist() == [[3, 4]]
    with pytest.raises(DataError, match="too short for the window: 4 values, but window=3 and horizon=2 need at least 5"):
        make_windows(np.arange(4), 3, horizon=2)


def test_seq2seq_targets_take_a_trailing_feature_axis():
    s = np.arange(2 * 6).reshape(2, 6)
    np.testing.assert_array_equal(seq2seq_targets(s[..., None], 4, 2), seq2seq_targets(s, 4, 2))


@pytest.mark.parametrize("split", [split_train_test, split_validation])
def test_a_fraction_of_one_is_a_config_error(split):
    with pytest.raises(ConfigError, match=r"must be a number in \[0, 1\)\. Received: .*=1\.0"):
        split(10, 1.0)


def test_split_boundaries():
    with pytest.raises(DataError, match=r"no training windows left: 1 windows with test_size=0.5; use more data or a smaller "
                                        r"`test_size` \(CLI --test-size\)$"):  # was --test-size alone, from Python too
        split_train_test(1, 0.5)  # int(1 * 0.5) = 0 training windows
    assert split_train_test(2, 0.5) == 1
    assert split_validation(18, 0.1) == 2  # 1.8 windows: the nearest whole number, not int()'s 1
    assert split_validation(0, 0.0) == 0  # none asked for, none taken


def test_unmasked_reads_masked_floats_as_nan_without_objects():
    # a masked array of floats became an object array (a Python object a value): load_series of 1,000,000 masked
    # floats took 0.8 s, 0.05 s now; NaN is missing as None is, so what the callers read is the same
    from seqcast.windows import unmasked

    m = np.ma.array(np.array([1.0, 135.0, 3.0], dtype=np.float32), mask=[0, 1, 0])
    out = unmasked(m)
    assert out.dtype.kind == "f" and np.isnan(out[1]) and out[[0, 2]].tolist() == [1.0, 3.0]
    same = np.asarray(np.where(np.ma.getmaskarray(m), None, np.ma.getdata(m).astype(object)), dtype=np.float64)
    np.testing.assert_array_equal(out.astype(np.float64), same)  # the object path's reading, NaN for NaN
    assert unmasked(np.ma.array([1, 2], mask=[0, 1])).tolist() == [1, None]  # others: None, as before
    plain = np.array([1.0, 2.0])
    assert unmasked(plain) is plain


def test_batches_of_the_wrong_shape_or_length_are_refused():
    """Refusals no test reached (coverage audit): too few values for seq-to-seq targets, a batch of 2 channels, no rows."""
    import re

    import pandas as pd

    from seqcast.windows import long_to_array, split_inputs_targets

    with pytest.raises(DataError, match=re.escape("series need n_steps + k = 5 values for seq-to-seq targets. Received: 3")):
        seq2seq_targets([[0, 1, 2]], 3, 2)
    with pytest.raises(DataError, match=re.escape("must have shape (n_series, n_values) or (n_series, n_values, 1). Received: (2, 3, 2)")):
        split_inputs_targets(np.zeros((2, 3, 2)), 2, 1)
    with pytest.raises(DataError, match="long-format data has no rows"):
        long_to_array(pd.DataFrame({"unique_id": [], "ds": [], "y": []}))
