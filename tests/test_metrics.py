import numpy as np
import pytest

from seqcast import metrics
from seqcast.errors import DataError

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


def test_shape_mismatch():
    with pytest.raises(DataError, match="same shape"):
        metrics.mse([1.0, 2.0], [1.0])
