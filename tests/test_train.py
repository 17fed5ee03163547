"""Tests for seqcast.train: the compiled epoch, the kept partial batch, early stopping, options.

Models are tiny (a linear head, or an LSTM with 4 units) so each compile takes well under a second.
"""

from __future__ import annotations

import dataclasses
import re
import sys

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from seqcast import train
from seqcast.errors import ConfigError, DataError, SeqcastError
from seqcast.models import rnn

LINEAR = rnn.ModelSpec(cell="linear", window=3)


def params_for(spec, seed=0):
    return rnn.init_params(spec, key=jax.random.PRNGKey(seed))


def data(n=5, w=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, w)).astype(np.float32)
    Y = (X.sum(axis=1, keepdims=True) * 0.5 + 0.1).astype(np.float32)
    return X, Y


def assert_trees_close(a, b, **kw):
    la, lb = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), **kw)


# ---- the last partial batch ----------------------------------------------------------------------------


@pytest.mark.parametrize("pad_limit", [0.0, 1.0], ids=["own-step", "masked-padding"])
def test_last_partial_batch_is_kept(pad_limit, monkeypatch):
    """n=5, batch 2: one epoch = steps on rows [0,1], [2,3] and [4]; SGD, no shuffling. The last
    batch runs either as a step of its own shape or padded to 2 rows with the padding weighted 0."""
    monkeypatch.setattr(train, "PAD_LIMIT", pad_limit)
    train._COMPILED.clear()
    X, Y = data(5)
    p0 = params_for(LINEAR)
    lr = 0.1
    spec = train.TrainSpec(optimizer="sgd", learning_rate=lr, loss="mse", epochs=1, batch_size=2, shuffle=False)
    p1, hist = train.fit(LINEAR, p0, X, Y, train=spec, seed=0)

    def loss(p, xb, yb):
        return jnp.mean((rnn.apply(LINEAR, p, jnp.asarray(xb)) - jnp.asarray(yb)) ** 2)

    p, losses = p0, []
    for rows in ([0, 1], [2, 3], [4]):
        value, g = jax.value_and_grad(loss)(p, X[rows], Y[rows])
        losses.append((float(value), len(rows)))
        p = jax.tree_util.tree_map(lambda a, b: a - lr * b, p, g)
    assert_trees_close(p1, p, rtol=1e-5, atol=1e-6)
    # a model that ignored row 4 (2 steps only) ends elsewhere
    p2 = p0
    for rows in ([0, 1], [2, 3]):
        g = jax.grad(loss)(p2, X[rows], Y[rows])
        p2 = jax.tree_util.tree_map(lambda a, b: a - lr * b, p2, g)
    assert not np.allclose(np.asarray(p1["head"]["W"]), np.asarray(p2["head"]["W"]))
    # the epoch loss is the sample-weighted mean of the batch losses, as Keras reports it
    expected = sum(v * k for v, k in losses) / 5
    assert hist.loss[0] == pytest.approx(expected, rel=1e-5)


# ---- early stopping ------------------------------------------------------------------------------------


def test_early_stopping_restores_the_best_weights():
    """Validation targets are the negated training targets: the better the fit, the worse val."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(32, 3)).astype(np.float32)
    Y = X.sum(axis=1, keepdims=True).astype(np.float32)
    Xv = rng.normal(size=(8, 3)).astype(np.float32)
    Yv = -Xv.sum(axis=1, keepdims=True).astype(np.float32)
    p0 = params_for(LINEAR)
    spec = train.TrainSpec(optimizer="sgd", learning_rate=0.05, epochs=50, batch_size=8, shuffle=False, patience=3)
    p, hist = train.fit(LINEAR, p0, X, Y, train=spec, X_val=Xv, Y_val=Yv)
    assert len(hist.val_loss) == len(hist.loss) < 50  # stopped early
    best = int(np.argmin(hist.val_loss)) + 1
    assert hist.best_epoch == best
    assert len(hist.loss) == best + 3  # patience epochs without improvement, then stop
    # the returned weights are the best epoch's, not the last epoch's
    val = float(jnp.mean((rnn.apply(LINEAR, p, jnp.asarray(Xv)) - jnp.asarray(Yv)) ** 2))
    assert val == pytest.approx(hist.val_loss[best - 1], rel=1e-5)
    assert val < hist.val_loss[-1]
    # and equal to training for exactly `best` epochs
    p_best, _ = train.fit(LINEAR, p0, X, Y, train=train.TrainSpec(optimizer="sgd", learning_rate=0.05, epochs=best,
                                                                  batch_size=8, shuffle=False))
    assert_trees_close(p, p_best, rtol=1e-6, atol=1e-7)


# One TrainSpec and one data size (n=32) for the tests below, so they share one compiled epoch.
SPEC = train.TrainSpec(optimizer="adam", learning_rate=0.05, loss="mse", epochs=10, batch_size=8)


def test_validation_loss_is_recorded_without_patience():
    X, Y = data(32, seed=3)
    Xv, Yv = data(4, seed=2)
    _, hist = train.fit(LINEAR, params_for(LINEAR), X, Y, train=SPEC, X_val=Xv, Y_val=Yv)
    assert len(hist.loss) == len(hist.val_loss) == 10
    assert hist.best_epoch is None
    assert all(np.isfinite(hist.val_loss))


def test_patience_without_validation_is_refused():
    """It used to turn early stopping off without a word."""
    X, Y = data(16)
    spec = train.TrainSpec(optimizer="adam", epochs=4, batch_size=8, patience=1)
    with pytest.raises(ConfigError, match=r"early stopping needs validation data: pass X_val and Y_val, or patience=0"):
        train.fit(LINEAR, params_for(LINEAR), X, Y, train=spec)
    _, hist = train.fit(LINEAR, params_for(LINEAR), X, Y, train=dataclasses.replace(spec, patience=0))
    assert len(hist.loss) == 4 and hist.val_loss == [] and hist.best_epoch is None


# ---- shapes of X and Y ---------------------------------------------------------------------------------

RNN2 = rnn.ModelSpec(cell="rnn", units=(3,))


def test_a_flat_target_trains_as_a_column():
    """A (N,) target against (N, 1) outputs broadcast to (N, N): the model learned the mean (loss 0.15 where
    0.004 was reachable). It is now the same fit as with Y (N, 1)."""
    X, Y = data(24, seed=2)
    spec = train.TrainSpec(epochs=3, batch_size=8)
    _, h_col = train.fit(RNN2, params_for(RNN2), X, Y, train=spec)
    _, h_flat = train.fit(RNN2, params_for(RNN2), X, Y[:, 0], train=spec)
    _, h_3d = train.fit(RNN2, params_for(RNN2), X[..., None], Y[:, 0], train=spec)
    np.testing.assert_allclose(h_flat.loss, h_col.loss, rtol=1e-6)
    np.testing.assert_allclose(h_3d.loss, h_col.loss, rtol=1e-6)


@pytest.mark.parametrize("make, message", [
    (lambda X, Y: (X, np.repeat(Y, 10, axis=1)), r"`Y` must have shape \(N, K\) = \(24, 1\) for X.shape=\(24, 3\) and n_outputs=1\. Received: Y.shape=\(24, 10\)"),
    (lambda X, Y: (X, Y[:-2]), r"Received: Y.shape=\(22, 1\)"),
    (lambda X, Y: (X[:, :, None, None], Y), r"`X` must have shape \(N, T\) or \(N, T, 1\): N windows of T steps"),
    (lambda X, Y: (np.where(np.arange(3) == 1, np.nan, X), Y), r"`X` contains NaN or inf"),
    (lambda X, Y: (X, np.where(Y > 0, np.inf, Y)), r"`Y` contains NaN or inf"),
    (lambda X, Y: (X[:0], Y[:0]), r"`X` must hold at least one window to train on\. Received: 0 windows"),  # was ZeroDivisionError
])
def test_bad_shapes_and_values_are_data_errors(make, message):
    X, Y = make(*data(24, seed=2))
    with pytest.raises(DataError, match=message):
        train.fit(RNN2, params_for(RNN2), X, Y, train=train.TrainSpec(epochs=1))


def test_targets_of_the_other_layout_name_the_fix():
    # Hands-On ML's seq-to-seq Y (N, 50, 10) given to its seq-to-vector model, and its (N, 10) to the seq-to-seq one
    X, Y = np.zeros((4, 5, 1)), np.zeros((4, 5, 2))
    vec, seq = rnn.ModelSpec(cell="rnn", units=(3,), n_outputs=2), rnn.ModelSpec(cell="rnn", units=(3,), n_outputs=2, seq2seq=True)
    with pytest.raises(DataError, match=r"Received: Y\.shape=\(4, 5, 2\); targets at every step \(N, T, K\) need ModelSpec\(seq2seq=True\)$"):
        train.fit(vec, params_for(vec), X, Y, train=train.TrainSpec(epochs=1))
    with pytest.raises(DataError, match=r"Received: Y\.shape=\(4, 2\); a seq2seq model learns the next K values at every step: "
                                        r"split_inputs_targets\(series, T, K, seq2seq=True\)$"):
        train.fit(seq, params_for(seq), X, Y[:, -1], train=train.TrainSpec(epochs=1))


@pytest.mark.parametrize("kw, message", [
    (dict(X="abc"), r"`X` must be an array of numbers only\. Received: X='abc'"),  # was ValueError from numpy
    (dict(X={"a": 1}), r"`X` must be an array of numbers only\. Received: X=\{'a': 1\}"),
    (dict(Y={3}), r"`Y` must be an array of numbers only\. Received: Y=\{3\}"),
    (dict(Y=None), r"`Y` must be the targets of the windows: an array \(N, K\)\. Received: Y=None"),
    (dict(X_val=3.0, Y_val=np.ones((1, 1))), r"`X_val` must have shape"),  # was TypeError: object of type 'float' has no len()
    (dict(X_val="abc", Y_val=np.ones((1, 1))), r"`X_val` must be an array of numbers"),
    (dict(X_val=np.ones((2, 3))), r"`Y_val` must be the targets of the windows"),  # was jnp's 'None is not a valid value'
])
def test_arguments_of_the_wrong_kind_are_data_errors(kw, message):
    X, Y = data(8)
    args = {"X": X, "Y": Y, **kw}
    with pytest.raises(DataError, match=message):
        train.fit(LINEAR, params_for(LINEAR), args.pop("X"), args.pop("Y"), train=train.TrainSpec(epochs=1), **args)


@pytest.mark.parametrize("name, value, minimum", [
    ("seed", 3.5, 0), ("seed", "3", 0), ("seed", True, 0), ("seed", -1, 0), ("seed", float("nan"), 0),  # 3.5 trained as 3
    ("members", 0, 1), ("members", 2.0, 1), ("members", True, 1), ("members", None, 1),  # were jax / TypeErrors
])
def test_seed_and_members_must_be_integers(name, value, minimum):
    X, Y = data(8)
    with pytest.raises(ConfigError, match=rf"`{name}` must be an integer >= {minimum}\. Received: {name}="):
        train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=1), **{name: value})


def test_seq2seq_and_linear_shapes_are_checked():
    X, Y = data(8, w=5)
    s2s = rnn.ModelSpec(cell="rnn", units=(3,), n_outputs=2, seq2seq=True)
    with pytest.raises(DataError, match=r"`Y` must have shape \(N, T, K\) = \(8, 5, 2\)"):
        train.fit(s2s, params_for(s2s), X, np.zeros((8, 2)), train=train.TrainSpec(epochs=1))
    with pytest.raises(DataError, match=r"the linear model takes windows of window=3 steps; set ModelSpec\(window=5\)"):
        train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=1))
    with pytest.raises(DataError, match=r"`X_val` must have shape"):
        train.fit(RNN2, params_for(RNN2), X, Y, train=train.TrainSpec(epochs=1), X_val=X[:, :, None, None], Y_val=Y)


def test_predict_checks_params_and_windows():
    X, _ = data(4)
    with pytest.raises(ConfigError, match=r"`params` is None: pass the parameters that `fit` returned"):
        train.predict(RNN2, None, X)
    with pytest.raises(DataError, match=r"`X` must have shape \(N, T\) or \(N, T, 1\)"):
        train.predict(RNN2, params_for(RNN2), X[0])
    np.testing.assert_array_equal(train.predict(RNN2, params_for(RNN2), X[..., None]), train.predict(RNN2, params_for(RNN2), X))


@pytest.mark.parametrize("failure", [RuntimeError("Unable to initialize backend 'cuda': no such plugin (set JAX_PLATFORMS='' to "
                                                  "automatically choose an available backend)"), AssertionError()])
def test_a_jax_platform_this_machine_lacks_is_one_config_error(failure, monkeypatch):
    # JAX_PLATFORMS=cuda (no plugin) or =tpu: JAX's RuntimeError / bare AssertionError at the first array, a traceback
    X, Y = data(4)
    params = params_for(LINEAR)

    def devices(*a, **k):
        raise failure

    monkeypatch.setattr(jax, "devices", devices)
    monkeypatch.setenv("JAX_PLATFORMS", "cuda")
    with pytest.raises(ConfigError, match=r"^JAX cannot start on the platform\(s\) JAX_PLATFORMS='cuda' asks for \((Unable to initialize "
                                          r"backend 'cuda': no such plugin|no backend for it is installed)\); unset JAX_PLATFORMS"):
        train.fit(LINEAR, params, X, Y, train=train.TrainSpec(epochs=1))


def test_progress_prints_lines_where_no_bar_can_be_drawn(capsys):
    """progress=True in a pipe or a log file (and before, in Jupyter) showed nothing."""
    X, Y = data(16)
    train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=20, batch_size=8), progress=True)
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 10 and err[0].startswith("2/20 epochs: loss ") and err[-1].startswith("20/20 epochs: loss ")
    train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=20, batch_size=8))
    assert capsys.readouterr().err == ""
    # early stopping ends the fit between two lines: its last epoch is still said
    Xv, Yv = data(8, seed=5)
    _, hist = train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=500, batch_size=8, patience=1),
                        X_val=Xv, Y_val=Yv * 100, progress=True)
    err = capsys.readouterr().err.splitlines()
    assert len(hist.loss) < 500 and err[-1].startswith(f"{len(hist.loss)}/500 epochs: loss ")
    assert err[-1].endswith(" (stopped early)")


def test_progress_lines_say_early_stopping_on_an_epoch_just_printed(capsys):
    # stopping on an epoch whose line was printed (a tenth of the epochs) printed no "(stopped early)"
    p = train._progress(True, 20)
    with p as update:
        for ep in (1, 2):
            update(ep, train.History(loss=[0.5 / ep]))
    assert capsys.readouterr().err.splitlines() == ["2/20 epochs: loss 0.25", "stopped early after 2/20 epochs"]
    with train._progress(True, 20) as update:  # all epochs run: no mark
        for ep in range(1, 21):
            update(ep, train.History(loss=[0.1]))
    assert capsys.readouterr().err.splitlines()[-1] == "20/20 epochs: loss 0.1"



class _Notebook:
    """IPython.display as a Jupyter kernel has it: what each display and update showed (the test venv has no IPython)."""

    def __init__(self):
        self.shown = []  # one list of texts per display: the first, then each update
        notebook = self

        class Handle:
            def update(self, obj):
                notebook.shown[-1].append(obj.text)

        def display(obj, display_id=False):
            assert display_id is True
            self.shown.append([obj.text])
            return Handle()

        self.module = type(sys)("IPython.display")
        self.module.display, self.module.Pretty = display, type("Pretty", (), {"__init__": lambda s, text: setattr(s, "text", text)})


@pytest.fixture
def notebook(monkeypatch):
    nb = _Notebook()
    monkeypatch.setitem(sys.modules, "IPython", type(sys)("IPython"))
    monkeypatch.setitem(sys.modules, "IPython.display", nb.module)
    monkeypatch.setattr(train, "_in_jupyter", lambda: True)
    return nb


def test_progress_in_jupyter_is_one_line_redrawn(notebook, capsys, monkeypatch):
    """In Jupyter (without ipywidgets, which seqcast does not install) progress=True showed rich's warning 'install
    "ipywidgets" for Jupyter support' and an empty output, no bar: it is now one text line, redrawn in place."""
    X, Y = data(16)
    train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=20, batch_size=8), progress=True)
    assert capsys.readouterr().err == ""  # no stderr lines beside it
    [texts] = notebook.shown
    assert texts[0] == "training " + "░" * 24 + " 0/20 epochs"
    assert re.fullmatch(r"training █{24} 20/20 epochs: loss \S+", texts[-1]) and len(texts) <= 21
    # redrawn at most 4 times a second (the clock stopped: only the last epoch), and early stopping says so
    monkeypatch.setattr(train.time, "monotonic", lambda: 0.0)
    Xv, Yv = data(8, seed=5)
    _, hist = train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=500, batch_size=8, patience=1),
                        X_val=Xv, Y_val=Yv * 100, progress=True)
    assert len(hist.loss) < 500 and len(notebook.shown[-1]) == 2
    assert re.fullmatch(rf"training ░{{24}} {len(hist.loss)}/500 epochs: loss \S+ val \S+ \(stopped early\)", notebook.shown[-1][-1])


def test_progress_in_jupyter_says_where_ctrl_c_stopped_it(notebook, monkeypatch):
    monkeypatch.setattr(train.time, "monotonic", lambda: 0.0)
    hist = train.History(loss=[0.5])
    with pytest.raises(KeyboardInterrupt), train._progress(True, 10, members=2) as bar:
        bar(5, hist)
        raise KeyboardInterrupt
    assert notebook.shown == [["training " + "░" * 24 + " 0/10 epochs of 2 members",
                               "training " + "█" * 12 + "░" * 12 + " 5/10 epochs of 2 members: loss 0.5 (interrupted)"]]



def test_progress_in_jupyter_marks_the_end_after_slow_epochs_too(notebook, monkeypatch):
    # epochs 0.25 s apart or more (any larger model) redraw at each update: early stopping and Ctrl-C were then never
    # marked, as only an update not yet drawn got the mark
    clock = iter(range(10**6))
    monkeypatch.setattr(train.time, "monotonic", lambda: float(next(clock)))
    X, Y = data(16)
    Xv, Yv = data(8, seed=5)
    _, hist = train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=500, batch_size=8, patience=1),
                        X_val=Xv, Y_val=Yv * 100, progress=True)
    assert len(hist.loss) < 500 and len(notebook.shown[-1]) == len(hist.loss) + 2  # each epoch drawn, then the mark
    assert re.fullmatch(rf"training ░{{24}} {len(hist.loss)}/500 epochs: loss \S+ val \S+ \(stopped early\)", notebook.shown[-1][-1])
    with pytest.raises(KeyboardInterrupt), train._progress(True, 10) as bar:
        bar(5, train.History(loss=[0.5]))
        raise KeyboardInterrupt
    assert notebook.shown[-1][-1] == "training " + "█" * 12 + "░" * 12 + " 5/10 epochs: loss 0.5 (interrupted)"
    with train._progress(True, 10) as bar:  # all epochs run: nothing added
        bar(10, train.History(loss=[0.5]))
    assert notebook.shown[-1] == ["training " + "░" * 24 + " 0/10 epochs", "training " + "█" * 24 + " 10/10 epochs: loss 0.5"]

# ---- options -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [("epochs", 0), ("batch_size", 0)])
def test_zero_epochs_or_batch_size_is_a_config_error(field, value):
    X, Y = data(5)
    spec = train.TrainSpec(**{field: value})
    with pytest.raises(ConfigError, match=rf"`{field}` must be an integer >= 1\. Received: {field}=0"):
        train.fit(LINEAR, params_for(LINEAR), X, Y, train=spec)


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
def test_every_loss_trains(loss):
    X, Y = data(32, seed=3)
    p0 = params_for(LINEAR)
    p, hist = train.fit(LINEAR, p0, X, Y, train=dataclasses.replace(SPEC, loss=loss))
    assert len(hist.loss) == 10 and all(np.isfinite(hist.loss))
    assert hist.loss[-1] < hist.loss[0]
    assert hist.fit_s > 0


def test_unknown_optimizer_and_loss():
    with pytest.raises(ConfigError, match=r"`optimizer` must be one of adam, rmsprop, sgd\. Received: optimizer='foo'"):
        train.make_optimizer("foo")
    for bad in (0.0, float("inf"), float("nan")):
        with pytest.raises(ConfigError, match=r"`learning_rate` must be a finite number > 0"):
            train.make_optimizer("adam", bad)
    with pytest.raises(ConfigError, match=r"`loss` must be one of mse, mae, huber\. Received: loss='hinge'"):
        train.loss_value("hinge", jnp.zeros(2), jnp.zeros(2))


def test_losses_by_hand():
    p, y = jnp.asarray([0.0, 3.0]), jnp.asarray([1.0, 1.0])
    assert float(train.loss_value("mse", p, y)) == pytest.approx(2.5)
    assert float(train.loss_value("mae", p, y)) == pytest.approx(1.5)
    assert float(train.loss_value("huber", p, y)) == pytest.approx((0.5 + 1.5) / 2)


def test_same_seed_same_result_and_shuffle_depends_on_seed():
    X, Y = data(32, seed=5)
    spec = SPEC
    a, ha = train.fit(LINEAR, params_for(LINEAR), X, Y, train=spec, seed=7)
    b, hb = train.fit(LINEAR, params_for(LINEAR), X, Y, train=spec, seed=7)
    c, _ = train.fit(LINEAR, params_for(LINEAR), X, Y, train=spec, seed=8)
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    assert ha.loss == hb.loss
    assert not np.array_equal(np.asarray(a["head"]["W"]), np.asarray(c["head"]["W"]))


def test_shuffle_order_is_a_permutation_per_seed_stream_and_epoch():
    spec = train.TrainSpec(epochs=1, batch_size=4)
    o = train.shuffle_order(spec, 50, seed=3, stream=train.SHUFFLE_STREAM, ep=1)
    assert o.dtype == np.int32 and sorted(o.tolist()) == list(range(50))
    np.testing.assert_array_equal(o, train.shuffle_order(spec, 50, seed=3, stream=train.SHUFFLE_STREAM, ep=1))
    for other in ({"seed": 4, "stream": train.SHUFFLE_STREAM, "ep": 1}, {"seed": 3, "stream": train.SHUFFLE_STREAM + 1, "ep": 1},
                  {"seed": 3, "stream": train.SHUFFLE_STREAM, "ep": 2}):
        assert not np.array_equal(o, train.shuffle_order(spec, 50, **other))
    m = train.shuffle_order(spec, 50, seed=3, stream=train.SHUFFLE_STREAM, ep=1, members=3)  # member i: stream + i
    assert m.shape == (3, 50)
    np.testing.assert_array_equal(m[0], o)
    np.testing.assert_array_equal(m[2], train.shuffle_order(spec, 50, seed=3, stream=train.SHUFFLE_STREAM + 2, ep=1))
    fixed = dataclasses.replace(spec, shuffle=False)
    np.testing.assert_array_equal(train.shuffle_order(fixed, 5, seed=3, stream=0, ep=9), np.arange(5))


def test_predict_in_chunks_equals_one_call():
    X, _ = data(10)
    p = params_for(LINEAR)
    np.testing.assert_allclose(train.predict(LINEAR, p, X, batch_size=3), train.predict(LINEAR, p, X), rtol=1e-6)


def test_predict_compiles_a_few_row_counts_not_one_per_count():
    # a service forecasting a varying number of series (or windows) compiled one program per count: 80 counts
    # took 35 s and 360 MB that stayed; rows are padded to the next power of two, with the same rows' results; with
    # min_rows=MIN_ROWS (a many-series model's forecasts) to the bit (in batches of 1-32 rows XLA rounded them
    # otherwise: `predict --ids a` moved a's forecast)
    spec = rnn.ModelSpec(cell="gru", units=(4,))
    X, _ = data(20, w=6, seed=1)
    for members, p in ((1, params_for(spec)), (2, train.stack_members([params_for(spec, 1), params_for(spec, 2)]))):
        full = train.predict(spec, p, X, members=members)
        f = train.predict_fn(spec, members)
        before = f._cache_size()
        for n in range(1, 21):
            out = train.predict(spec, p, X[:n], members=members)
            assert out.shape == ((n, 1) if members == 1 else (2, n, 1))
            np.testing.assert_allclose(out, full[:n] if members == 1 else full[:, :n], rtol=1e-5, atol=1e-6)
        assert f._cache_size() - before <= 5  # 1, 2, 4, 8, 16 rows (32: the full call above)
        full = train.predict(spec, p, X, members=members, min_rows=train.MIN_ROWS)
        for n in range(1, 21):
            out = train.predict(spec, p, X[n - 1 : n], members=members, min_rows=train.MIN_ROWS)  # row n-1 alone
            np.testing.assert_array_equal(out, full[n - 1 : n] if members == 1 else full[:, n - 1 : n])
        assert f._cache_size() - before <= 6  # and 64


def test_compiled_functions_kept_are_bounded_least_recently_used_dropped(monkeypatch):
    # a loop fitting series of many lengths compiled an epoch per number of windows and kept every one (40 lengths of a
    # GRU(8): RSS +270 MB, never freed); at most COMPILED_MAX are kept, the least recently used dropped and freed
    import gc
    import weakref

    from conftest import compiled_names

    monkeypatch.setattr(train, "_COMPILED", {})
    monkeypatch.setattr(train, "COMPILED_MAX", 3)  # a fit's validation loss and two epochs
    spec = train.TrainSpec(optimizer="adam", epochs=1, batch_size=4, shuffle=False)
    Xv, Yv = data(2)
    fit = lambda n: train.fit(LINEAR, params_for(LINEAR), *data(n, seed=7), train=spec, X_val=Xv, Y_val=Yv)
    fit(11)
    first = weakref.ref(train.epoch_fn(LINEAR, spec, 11)[1])
    with compiled_names() as names:
        fit(11)  # a second identical fit compiles nothing
    assert names == []
    for n in range(12, 20):
        fit(n)
        assert len(train._COMPILED) == 3
    assert [k[3] if k[0] == "epoch" else k[0] for k in train._COMPILED] == [18, 19, "val"]  # least recently used first
    gc.collect()
    assert first() is None  # dropped with its XLA programs: nothing else holds it
    with compiled_names() as names:
        fit(18)  # kept ...
        fit(11)  # ... dropped: compiled again
    assert names == ["epoch"]


def test_stack_members_compiles_nothing():
    from conftest import compiles

    trees = [{"W": np.full((41, 3), i, np.float32), "b": [np.zeros(43, np.float32)]} for i in range(3)]
    with compiles() as c:
        out = train.stack_members(trees)
    assert c.n == 0
    assert out["W"].shape == (3, 41, 3) and isinstance(out["b"][0], jax.Array) and float(out["W"][2, 0, 0]) == 2.0


def test_predict_no_windows_gives_an_empty_array():
    p = params_for(LINEAR)
    out = train.predict(LINEAR, p, np.zeros((0, 3), np.float32))
    assert out.shape == (0, 1)


# ---- index windows -------------------------------------------------------------------------------------


def test_index_windows_match_copied_windows():
    from seqcast.windows import make_windows

    v = np.arange(20, dtype=np.float32)
    Xc, Yc = make_windows(v, 4, horizon=2)
    w = train.Windows.of(v, 4, 2)
    assert len(w) == len(Xc) == 15
    xb, yb = w.take(jnp.asarray([0, 7, 14]))
    np.testing.assert_array_equal(xb, Xc[[0, 7, 14]])
    np.testing.assert_array_equal(yb, Yc[[0, 7, 14]])
    tail = train.Windows.of(v, 4, 2, start=10)
    assert len(tail) == 5 and float(tail.take(jnp.asarray([0]))[0][0, 0]) == 10.0


def test_training_on_index_windows_equals_training_on_arrays():
    from seqcast.windows import make_windows

    v = np.sin(np.arange(60) / 3.0).astype(np.float32)
    X, Y = make_windows(v, 6)
    spec = rnn.ModelSpec(cell="gru", units=(4,))
    p0 = rnn.init_params(spec, key=jax.random.PRNGKey(0))
    ts = train.TrainSpec(epochs=3, batch_size=8)
    pa, ha = train.fit(spec, p0, np.array(X[:40]), np.array(Y[:40]), train=ts, seed=1, X_val=np.array(X[40:]), Y_val=np.array(Y[40:]))
    pw, hw = train.fit(spec, p0, train.Windows.of(v, 6, 1, 0, 40), None, train=ts, seed=1, X_val=train.Windows.of(v, 6, 1, 40))
    assert_trees_close(pa, pw, rtol=1e-6, atol=1e-7)
    assert ha.loss == pytest.approx(hw.loss, rel=1e-6) and ha.val_loss == pytest.approx(hw.val_loss, rel=1e-6)


def test_adam_follows_keras_update_rule():
    """Keras: m, v uncorrected; step lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v)+eps). Tiny gradients show it:
    optax.adam (eps on the corrected sqrt) would move such a weight ~4x further on the first step."""
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    grads = [np.array([1e-6, -0.5], np.float32), np.array([2e-6, 0.25], np.float32), np.array([-1e-6, 0.1], np.float32)]
    opt = train.make_optimizer("adam", lr)
    p = {"w": jnp.zeros(2, jnp.float32)}
    state = opt.init(p)
    m = v = w = np.zeros(2)
    for t, g in enumerate(grads, start=1):
        updates, state = opt.update({"w": jnp.asarray(g)}, state, p)
        p = optax.apply_updates(p, updates)
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        w = w - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
        np.testing.assert_allclose(np.asarray(p["w"]), w, rtol=1e-5)
        if t == 1:
            keras_first = w[0]
    plain = optax.adam(lr, eps=eps)
    optax_first = plain.update({"w": jnp.asarray(grads[0])}, plain.init(p))[0]["w"][0]
    assert abs(float(optax_first)) > 3 * abs(keras_first)


@pytest.mark.parametrize("patience", [0, 2])
def test_ensemble_in_threads_equals_vmap_and_member_0_is_the_single_model(patience, monkeypatch):
    """Member i shuffles with stream SHUFFLE_STREAM + i whichever way the members run: in threads
    (CPU with several cores) or vmapped; and member 0 is what a single fit from its weights gives."""
    spec = rnn.ModelSpec(cell="gru", units=(4,), window=3)
    X, Y = data(40)
    tspec = train.TrainSpec(optimizer="adam", learning_rate=0.01, epochs=6, batch_size=8, patience=patience)
    from seqcast.forecast import init_params

    p0 = init_params(spec, 0, 3)
    val = dict(X_val=X[:8], Y_val=Y[:8])
    monkeypatch.setattr(train, "member_threads", lambda m: 3)
    threaded, h_threads = train.fit(spec, p0, X, Y, train=tspec, seed=5, members=3, **val)
    monkeypatch.setattr(train, "vmap_members", lambda m: True)  # as on a GPU
    vmapped, h_vmap = train.fit(spec, p0, X, Y, train=tspec, seed=5, members=3, **val)
    assert_trees_close(threaded, vmapped, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(h_threads.loss, h_vmap.loss, rtol=1e-4)
    assert h_threads.best_epoch == h_vmap.best_epoch
    single, _ = train.fit(spec, jax.tree_util.tree_map(lambda a: a[0], p0), X, Y, train=tspec, seed=5, **val)
    assert_trees_close(jax.tree_util.tree_map(lambda a: a[0], threaded), single, rtol=1e-5, atol=1e-7)


def test_a_sweep_trains_each_run_as_fit_would_alone(monkeypatch):
    """Issue 5 item 3: models that differ in learning rate, optimizer or size train at once (threads, one per
    core); each equals its own fit, and results come back in the order of the runs."""
    from seqcast.forecast import init_params

    X, Y = data(40)
    small, wide = rnn.ModelSpec(cell="gru", units=(4,), window=3), rnn.ModelSpec(cell="gru", units=(6,), window=3)
    t = train.TrainSpec(optimizer="adam", epochs=4, batch_size=8)
    runs = [(small, init_params(small, 0, 1), t), (small, init_params(small, 0, 1), dataclasses.replace(t, learning_rate=0.03)),
            (wide, init_params(wide, 1, 1), dataclasses.replace(t, optimizer="rmsprop"))]
    monkeypatch.setattr(train, "member_threads", lambda m: min(m, 2))  # threads even on a 1-core runner
    swept = train.sweep(runs, X, Y, seed=3, X_val=X[:8], Y_val=Y[:8])
    assert len(swept) == 3
    for (spec, p, tspec), (params, hist) in zip(runs, swept):
        alone, h = train.fit(spec, p, X, Y, train=tspec, seed=3, X_val=X[:8], Y_val=Y[:8])
        assert_trees_close(params, alone, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(hist.val_loss, h.val_loss, rtol=1e-5)
    assert swept[0][1].loss != swept[1][1].loss  # the learning rate did differ
    # ... and is an argument of the compiled epoch, so both learning rates of `small` ran one compiled program
    assert train.epoch_fn(small, t, 40) is train.epoch_fn(small, dataclasses.replace(t, learning_rate=0.03), 40)
    # so do runs that differ in epochs, patience or shuffling, which the compiled epoch does not depend on (each compiled its own)
    assert train.epoch_fn(small, t, 40) is train.epoch_fn(small, dataclasses.replace(t, epochs=9, patience=2, shuffle=False), 40)
    assert train.epoch_fn(small, t, 40) is not train.epoch_fn(small, dataclasses.replace(t, batch_size=4), 40)
    with pytest.raises(ConfigError, match=r"^`runs` must be a non-empty list of \(spec, params, TrainSpec\)"):
        train.sweep([(small, runs[0][1])], X, Y)
    # checked before any run trains: a batch size of 0 or no windows raised ZeroDivisionError (epoch_fn's n % B)
    with pytest.raises(ConfigError, match=r"^`batch_size` must be an integer >= 1\. Received: batch_size=0$"):
        train.sweep([runs[0], (small, runs[0][1], dataclasses.replace(t, batch_size=0))], X, Y)
    with pytest.raises(DataError, match=r"^`X` must hold at least one window to train on\. Received: 0 windows$"):
        train.sweep(runs[:1], X[:0], Y[:0])


@pytest.mark.skipif(not hasattr(__import__("signal"), "pthread_kill"), reason="needs signal.pthread_kill (POSIX)")
@pytest.mark.parametrize("how", ["ensemble", "sweep"])
def test_ctrl_c_stops_the_threads_of_an_ensemble_or_a_sweep(how, monkeypatch):
    # Ctrl-C in a notebook or a script lands in the thread waiting for the members (or runs): the KeyboardInterrupt
    # came out only after every member had trained all its epochs in the background (a minute for an ensemble of GRU(64))
    import signal
    import threading

    from seqcast.forecast import init_params

    X, Y = data(40)
    tspec = train.TrainSpec(optimizer="adam", epochs=2000, batch_size=8)
    monkeypatch.setattr(train, "member_threads", lambda m: min(m, 2))  # threads even on a 1-core runner
    epochs, order, sent = [], train.shuffle_order, []
    both = threading.Barrier(2, timeout=60)  # each member's first epoch waits for the other's: on a busy machine one
    # member once trained all its 2000 epochs before the other began, and the Ctrl-C came after both had finished

    once = threading.Lock()  # both members leave the barrier together: without it both could see `sent` empty and send
    # a second Ctrl-C, which then landed in the pool's shutdown, leaving a member's thread alive (seen 3 times in a day)

    def counted(*a, **k):  # called by each member (run) before each of its epochs
        if threading.current_thread() not in epochs:
            both.wait()
        epochs.append(threading.current_thread())
        with once:
            if len(set(epochs)) == 2 and not sent:  # Ctrl-C, to the main thread, once both members train
                sent.append(signal.pthread_kill(threading.main_thread().ident, signal.SIGINT))
        if sent:  # train on only once the main thread took the Ctrl-C (its pool's stop event is set): under load (7-9
            # jobs on 2 cores) it took it only after both members had trained all their epochs, or inside the pool's
            # shutdown, which it then left with a member's thread alive (4 runs in 8 failed so)
            for e in getattr(train._STOPS, "events", ()):
                e.wait(timeout=60)
        return order(*a, **k)

    monkeypatch.setattr(train, "shuffle_order", counted)
    threads = set(threading.enumerate())
    before = signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job starts with SIGINT ignored
    try:
        with pytest.raises(KeyboardInterrupt):
            if how == "ensemble":
                train.fit(LINEAR, init_params(LINEAR, 0, 2), X, Y, train=tspec, members=2)
            else:
                train.sweep([(LINEAR, params_for(LINEAR), tspec), (LINEAR, params_for(LINEAR, 1), tspec)], X, Y)
    finally:
        signal.signal(signal.SIGINT, before)
    assert len(epochs) < 2 * tspec.epochs  # the members stopped at their next epoch, not after all 2 x 2000
    assert set(threading.enumerate()) <= threads  # none trains on


def test_compilation_cache_is_reused_by_a_second_process(tmp_path):
    """Issue 5: JAX's persistent compilation cache ($SEQCAST_CACHE_DIR) lets a second run of the same
    shapes skip compiling: the first process writes entries, the second one hits them; "off" disables it."""
    import os
    import subprocess
    import sys

    code = ("import collections, jax, jax.monitoring as mon\n"
            "ev = collections.Counter(); mon.register_event_listener(lambda name, **kw: ev.update([name]))\n"
            "import seqcast.train\n"
            "jax.config.update('jax_persistent_cache_min_compile_time_secs', 0)  # cache even this tiny function\n"
            "jax.jit(lambda x: (x @ x.T).sum())(jax.numpy.ones((7, 3))).block_until_ready()\n"
            "print(ev['/jax/compilation_cache/cache_hits'], ev['/jax/compilation_cache/cache_misses'])")

    def run(cache_dir):
        env = dict(os.environ, SEQCAST_CACHE_DIR=str(cache_dir))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        assert out.stderr == ""
        return [int(x) for x in out.stdout.split()]

    cache = tmp_path / "cache"
    hits, misses = run(cache)
    assert hits == 0 and misses >= 1 and any(cache.iterdir())
    hits, misses = run(cache)
    assert hits >= 1 and misses == 0
    assert run("off") == [0, 0]  # no cache consulted at all
    # entries damaged on disk (junk, cut short): compiled again, no "UserWarning: Error reading persistent
    # compilation cache entry ... incorrect header check" on stderr
    for i, entry in enumerate(p for p in cache.iterdir() if p.is_file()):
        entry.write_bytes(b"junk" if i % 2 else entry.read_bytes()[:20])
    hits, misses = run(cache)
    assert misses >= 1


def test_a_cache_folder_that_cannot_be_written_is_skipped(tmp_path, monkeypatch):
    # with a read-only home (or SEQCAST_CACHE_DIR on a file) JAX printed "UserWarning: Error reading persistent
    # compilation cache entry ... Read-only file system" at every compile
    blocker = tmp_path / "file"
    blocker.write_text("x")
    before = jax.config.jax_compilation_cache_dir
    try:
        jax.config.update("jax_compilation_cache_dir", None)
        monkeypatch.setenv("SEQCAST_CACHE_DIR", str(blocker / "jax"))
        train.enable_compilation_cache()
        assert jax.config.jax_compilation_cache_dir is None
        monkeypatch.setenv("SEQCAST_CACHE_DIR", str(tmp_path / "cache"))
        train.enable_compilation_cache()
        assert jax.config.jax_compilation_cache_dir == str(tmp_path / "cache") and (tmp_path / "cache").is_dir()
    finally:
        jax.config.update("jax_compilation_cache_dir", before)


def test_the_cache_folder_follows_xdg_cache_home(tmp_path, monkeypatch):
    # it was ~/.cache/seqcast/jax whatever XDG_CACHE_HOME said (a cache moved off a small home partition, say)
    before = jax.config.jax_compilation_cache_dir
    try:
        monkeypatch.delenv("SEQCAST_CACHE_DIR", raising=False)
        for xdg, home in ((str(tmp_path / "xdg"), tmp_path / "xdg"), ("relative/path", tmp_path / "home" / ".cache")):
            jax.config.update("jax_compilation_cache_dir", None)
            monkeypatch.setenv("XDG_CACHE_HOME", xdg)  # a relative one is ignored, as the XDG rule says
            monkeypatch.setenv("HOME", str(tmp_path / "home"))
            train.enable_compilation_cache()
            assert jax.config.jax_compilation_cache_dir == str(home / "seqcast" / "jax")
        jax.config.update("jax_compilation_cache_dir", None)
        monkeypatch.chdir(tmp_path / "home")
        monkeypatch.setenv("HOME", "rel")  # a relative home: no cache, not 'rel/.cache/seqcast/jax' in the current folder
        train.enable_compilation_cache()
        assert jax.config.jax_compilation_cache_dir is None and [p.name for p in (tmp_path / "home").iterdir()] == [".cache"]
        monkeypatch.setenv("SEQCAST_CACHE_DIR", "")  # empty: off, as before
        train.enable_compilation_cache()
        assert jax.config.jax_compilation_cache_dir is None
    finally:
        jax.config.update("jax_compilation_cache_dir", before)


def test_member_threads_count_the_cores_this_process_may_use(monkeypatch):
    # os.cpu_count() is the machine's: under `taskset -c 0` or a container's CPU set, 2+ threads shared one core
    import os

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert train.usable_cores() == 1 and train.member_threads(8) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert train.member_threads(8) == 3 and train.member_threads(2) == 2 and train.member_threads(1) == 1


def test_vmapped_members_stop_at_their_own_patience_as_in_threads(monkeypatch):
    """Vmapped (a GPU, one core), a member whose patience ran out trained on with the others and could
    still take a later best epoch (best [15, 5, 14] against [6, 5, 14] in threads: other weights, one
    more epoch); now it stops where it would alone, and the history averages the members still running."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    Y = (X.sum(axis=1, keepdims=True) + 0.5 * rng.normal(size=(40, 1))).astype(np.float32)
    Xv = rng.normal(size=(8, 3)).astype(np.float32)
    Yv = (Xv.sum(axis=1, keepdims=True) + rng.normal(size=(8, 1))).astype(np.float32)
    spec = rnn.ModelSpec(cell="gru", units=(4,), window=3)
    tspec = train.TrainSpec(optimizer="adam", learning_rate=0.05, epochs=60, batch_size=8, patience=2)
    from seqcast.forecast import init_params

    p0 = init_params(spec, 0, 3)
    fits = {}
    monkeypatch.setattr(train, "member_threads", lambda m: 3)
    fits["threads"] = train.fit(spec, p0, X, Y, train=tspec, seed=0, members=3, X_val=Xv, Y_val=Yv)
    monkeypatch.setattr(train, "vmap_members", lambda m: True)  # as on a GPU
    fits["vmap"] = train.fit(spec, p0, X, Y, train=tspec, seed=0, members=3, X_val=Xv, Y_val=Yv)
    (threaded, ht), (vmapped, hv) = fits["threads"], fits["vmap"]
    assert len(set(ht.best_epoch)) == 3  # the members stop apart
    assert hv.best_epoch == ht.best_epoch and len(hv.loss) == len(ht.loss) == max(ht.best_epoch) + 2
    assert_trees_close(vmapped, threaded, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hv.loss, ht.loss, rtol=1e-5)
    np.testing.assert_allclose(hv.val_loss, ht.val_loss, rtol=1e-5)


def test_a_vmapped_ensemble_keeps_its_best_epochs_without_compiling_op_by_op(monkeypatch):
    # as on a GPU, early stopping's per-member choice of the best weights ran jnp.where eagerly: a program per weight
    # shape and a copy of the mask (8 for a one-layer GRU), every time a fit began; now a numpy choice on the host.
    # Sizes no other test uses, so nothing is cached yet; members stop apart, so the choice mixes members
    from conftest import compiled_names

    from seqcast.forecast import init_params

    rng = np.random.default_rng(1)
    X, Xv = rng.normal(size=(47, 7)).astype(np.float32), rng.normal(size=(11, 7)).astype(np.float32)
    Y, Yv = X.sum(axis=1, keepdims=True) + rng.normal(size=(47, 1)), Xv.sum(axis=1, keepdims=True) + rng.normal(size=(11, 1))
    spec = rnn.ModelSpec(cell="lstm", units=(5, 3), window=7)
    tspec = train.TrainSpec(optimizer="adam", learning_rate=0.05, epochs=40, batch_size=9, patience=2)
    monkeypatch.setattr(train, "vmap_members", lambda m: True)
    with compiled_names() as names:
        params, hist = train.fit(spec, init_params(spec, 0, 3), X, Y, train=tspec, seed=0, members=3, X_val=Xv, Y_val=Yv)
    assert len(set(hist.best_epoch)) > 1  # a mixed choice happened
    assert names and set(names) <= {"epoch", "<lambda>"}, names
    assert all(isinstance(a, jax.Array) for a in jax.tree_util.tree_leaves(params))  # on the device, as without stopping


@pytest.mark.parametrize("field, value, message", [
    ("epochs", 3.5, r"`epochs` must be an integer >= 1\. Received: epochs=3\.5"),  # was an int() TypeError, '3' concatenated text
    ("epochs", "3", r"`epochs` must be an integer >= 1\. Received: epochs='3'"),
    ("epochs", True, r"`epochs` must be an integer >= 1\. Received: epochs=True"),  # trained 1 epoch
    ("epochs", None, r"`epochs` must be an integer >= 1\. Received: epochs=None"),
    ("epochs", 10**12, r"`epochs` must be at most 1,000,000: .*model\. Received: epochs=1000000000000; to train until .*"),  # ran on
    ("batch_size", 0, r"`batch_size` must be an integer >= 1\. Received: batch_size=0"),
    ("batch_size", None, r"`batch_size` must be an integer >= 1\. Received: batch_size=None"),
    ("batch_size", np.float64(2.0), r"`batch_size` must be an integer >= 1\. Received: batch_size=np\.float64\(2\.0\)"),  # trained
    ("optimizer", 3, r"`optimizer` must be one of adam, rmsprop, sgd\. Received: optimizer=3"),
    ("loss", None, r"`loss` must be one of mse, mae, huber\. Received: loss=None"),
    ("loss", ["mse"], r"`loss` must be one of mse, mae, huber\. Received: loss=\['mse'\]"),  # unhashable TypeError
    ("patience", -1, r"`patience` must be an integer >= 0\. Received: patience=-1"),  # stopped after 1 epoch
    ("patience", 3.5, r"`patience` must be an integer >= 0\. Received: patience=3\.5"),
    ("patience", "3", r"`patience` must be an integer >= 0\. Received: patience='3'"),
    ("shuffle", None, r"`shuffle` must be True or False\. Received: shuffle=None"),  # trained unshuffled
    ("learning_rate", "x", r"`learning_rate` must be a finite number > 0\. Received: learning_rate='x'"),
    ("learning_rate", "0.1", r"`learning_rate` must be a finite number > 0\. Received: learning_rate='0\.1'"),  # trained at 0.1
    ("learning_rate", True, r"`learning_rate` must be a finite number > 0\. Received: learning_rate=True"),  # trained at 1.0
    ("learning_rate", float("nan"), r"`learning_rate` must be a finite number > 0\. Received: learning_rate=nan"),
    ("learning_rate", 0, r"`learning_rate` must be a finite number > 0\. Received: learning_rate=0"),
    ("learning_rate", -1, r"`learning_rate` must be a finite number > 0\. Received: learning_rate=-1"),
])
def test_train_spec_fields_of_the_wrong_kind_are_one_config_error(field, value, message):
    X, Y = data(5)
    tspec = dataclasses.replace(train.TrainSpec(epochs=1), **{field: value})
    for call in (lambda: train.fit(LINEAR, params_for(LINEAR), X, Y, train=tspec, X_val=X, Y_val=Y),
                 lambda: train.sweep([(LINEAR, params_for(LINEAR), tspec)], X, Y, X_val=X, Y_val=Y)):
        with pytest.raises(ConfigError, match="^" + message + "$"):
            call()


@pytest.mark.parametrize("call, message", [
    (lambda X, Y, p: train.fit(LINEAR, p, X, Y, train={"epochs": 1}), r"^`train` must be a seqcast\.train\.TrainSpec"),
    (lambda X, Y, p: train.fit("linear", p, X, Y, train=train.TrainSpec(epochs=1)), r"^`spec` must be a seqcast\.models\.rnn\.ModelSpec"),
    (lambda X, Y, p: train.fit(LINEAR, None, X, Y, train=train.TrainSpec(epochs=1)), r"^`params` is None: pass rnn\.init_params"),
    (lambda X, Y, p: train.sweep(None, X, Y), r"^`runs` must be a non-empty list .*Received: runs=None$"),
    (lambda X, Y, p: train.sweep([(LINEAR, None, train.TrainSpec(epochs=1))], X, Y), r"^`params` is None"),
    (lambda X, Y, p: train.sweep([(LINEAR, p, train.TrainSpec(epochs=1))], None, Y), r"^`X` must have shape"),
    (lambda X, Y, p: train.predict(LINEAR, p, X, batch_size=0), r"^`batch_size` must be an integer >= 1\. Received: batch_size=0$"),
    (lambda X, Y, p: train.predict(LINEAR, p, X, batch_size=3.5), r"^`batch_size` must be an integer >= 1\. Received: batch_size=3\.5$"),
    (lambda X, Y, p: train.predict(LINEAR, p, X, batch_size=True), r"^`batch_size` must be an integer >= 1\. Received: batch_size=True$"),
    (lambda X, Y, p: train.predict(LINEAR, p, X, members=True), r"^`members` must be an integer >= 1\. Received: members=True$"),
    (lambda X, Y, p: train.predict(LINEAR, p, X, members=2), r"^`params` must be the parameters of `spec` stacked for members=2"),
    (lambda X, Y, p: train.predict(LINEAR, {}, X), r"^`params` must be the parameters of `spec`, shapes"),  # KeyError: 'layers'
])
def test_fit_sweep_and_predict_arguments_of_the_wrong_kind_are_one_seqcast_error(call, message):
    X, Y = data(5)
    with pytest.raises(SeqcastError, match=message):
        call(X, Y, params_for(LINEAR))


def test_a_fit_needing_more_memory_than_the_machine_is_refused_before_it_trains(monkeypatch):
    """GRU(256) weights, gradients and Adam moments are over 5 MB: on a 1 MiB machine, one line naming both, no training."""
    spec = rnn.ModelSpec(cell="gru", units=(256,), window=3)
    X, Y = data()
    monkeypatch.setattr(train, "machine_memory", lambda: 2**20)
    monkeypatch.setattr(train, "_fit", lambda *a: pytest.fail("trained"))
    with pytest.raises(ConfigError, match=r"needs at least 0.00\d+ GiB of memory, most of it for the parameters .* the 0.000977 GiB of memory and swap this machine \(or container\) allows; "
                                          r"use fewer `units` or a smaller `ensemble` \(CLI --units, --ensemble, or in a --config file\)"):
        train.fit(spec, params_for(spec), X, Y, train=train.TrainSpec(epochs=1))  # backtest has no --units: its config has


def test_fit_memory_names_validation_windows_run_at_once():
    """Every validation window goes through the network in one pass: T x N_val x (G + 1) x H floats and the windows."""
    spec = rnn.ModelSpec(cell="lstm", units=(8, 16), window=100)
    parts = train.fit_memory(spec, n_fit=10, n_val=1000, batch_size=32, members=1, optimizer="sgd")
    assert parts["validation"] == 4 * (100 * 1000 * 5 * 16 + 1000 * 100 + 1000)
    assert parts["training"] == 4 * 100 * 10 * (8 + 16 + 4 * 16)  # the batch is the 10 windows
    assert parts["parameters"] == 4 * rnn.n_values(spec) * 3  # weights, their updated copy, gradients
    assert parts["total"] == parts["parameters"] // 3 + parts["validation"]


def test_n_values_of_huge_layers_is_exact():
    """np.prod wrapped around int64: units in the trillions counted a wrong (possibly small) number of weights."""
    assert rnn.n_values(rnn.ModelSpec(cell="gru", units=(10**12,), window=6)) == 3 * 10**24 + 10**13 + 1


@pytest.mark.parametrize("sysconf", [None, lambda name: -1, lambda name: (_ for _ in ()).throw(ValueError(name))])
def test_no_memory_figure_from_the_os_skips_the_memory_check(monkeypatch, sysconf):
    """Windows has no os.sysconf, and sysconf says -1 for a value it cannot tell: no check then, where the product of
    two such -1s (1 byte) refused every fit ('needs at least 1.04e-07 GiB ... more than this machine's 9.31e-10 GiB')."""
    import os

    if sysconf is None:
        monkeypatch.delattr(os, "sysconf", raising=False)
    else:
        monkeypatch.setattr(os, "sysconf", sysconf)
    assert train.machine_memory() is None
    X, Y = data()
    params, hist = train.fit(LINEAR, params_for(LINEAR), X, Y, train=train.TrainSpec(epochs=1))
    assert len(hist.loss) == 1


def test_validation_windows_too_large_for_memory_are_refused_before_they_are_copied_out(monkeypatch):
    """Index windows are (N_val, T) floats once taken out for the all-at-once validation pass: that copy, the very
    thing that may not fit (XLA's check failure, exit 134), came before the memory check."""
    values = jnp.arange(400, dtype=jnp.float32)
    X, X_val = train.Windows(values, jnp.arange(5), 3), train.Windows(values, jnp.arange(390), 3)
    spec = rnn.ModelSpec(cell="gru", units=(256,), window=3)
    monkeypatch.setattr(train, "machine_memory", lambda: 2**20)
    monkeypatch.setattr(train.Windows, "take", lambda *a: pytest.fail("validation windows copied out"))
    with pytest.raises(ConfigError, match=r"needs at least .* 390 validation windows$"):
        train.fit(spec, params_for(spec), X, None, train=train.TrainSpec(epochs=1), X_val=X_val)


@pytest.mark.parametrize("spec, optimizer, members", [
    (rnn.ModelSpec(cell="lstm", units=(64,), window=20, n_outputs=4, seq2seq=True), "adam", 1),
    (rnn.ModelSpec(cell="gru", units=(4, 64), window=20, skip=True, n_outputs=3), "sgd", 1),
    (rnn.ModelSpec(cell="rnn", units=(32,), window=20, precision="bfloat16", norm="revin"), "rmsprop", 2),
    (rnn.ModelSpec(cell="linear", window=20), "adam", 2),
])
def test_fit_memory_is_a_lower_bound_of_what_xla_allocates(spec, optimizer, members):
    """The memory check must refuse no fit that fits: its estimate stays under the bytes XLA's compiled epoch and
    validation pass hold (arguments, outputs, temporaries; the training data, shared, left out), vmapped members too."""
    n_fit, n_val, batch = 300, 2000, 32
    lead = (members,) if members > 1 else ()
    params = jax.tree_util.tree_map(lambda s: jax.ShapeDtypeStruct(lead + s, jnp.float32), rnn.param_shapes(spec),
                                    is_leaf=lambda x: isinstance(x, tuple))
    init, epoch = train.epoch_fn(spec, train.TrainSpec(optimizer=optimizer, batch_size=batch), n_fit, members)
    state = jax.eval_shape(init, params)
    y = (lambda n: (n, spec.window, spec.n_outputs) if spec.seq2seq else (n, spec.n_outputs))
    f32 = lambda *shape: jax.ShapeDtypeStruct(shape, jnp.float32)  # noqa: E731

    if jax.default_backend() != "cpu":  # the check applies on a CPU only
        pytest.skip("the memory check applies on a CPU")

    def held(compiled):
        m = compiled.memory_analysis()
        if m is None:  # a JAX / XLA that does not report it
            pytest.skip("this XLA gives no memory analysis")
        return m.argument_size_in_bytes + m.output_size_in_bytes + m.temp_size_in_bytes - m.alias_size_in_bytes

    data = 4 * (n_fit * spec.window + np.prod(y(n_fit)))
    fit_bytes = held(epoch.lower(params, state, f32(n_fit, spec.window), f32(*y(n_fit)),
                                 jax.ShapeDtypeStruct(lead + (n_fit,), jnp.int32), jnp.float32(1e-3)).compile()) - data
    val_bytes = held(train.val_fn(spec, "mse", members).lower(params, f32(n_val, spec.window), f32(*y(n_val))).compile())
    moments = sum(4 * np.prod(a.shape) for a in jax.tree_util.tree_leaves(state))  # kept while the validation runs
    est = train.fit_memory(spec, n_fit, n_val, batch, members, optimizer)
    assert 0 < est["parameters"] + est["training"] <= fit_bytes
    assert est["parameters"] + est["training"] < est["total"] <= val_bytes + moments  # 2000 windows: the validation's


def test_the_memory_check_counts_swap(tmp_path):
    # a fit needing more than the RAM but less than RAM + swap ran (slowly) before the check, which counted RAM only
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24684084 kB\nSwapCached:            0 kB\nSwapTotal:       2097152 kB\n")
    assert train._swap_bytes(str(meminfo)) == 2 * 2**30
    assert train._swap_bytes(str(tmp_path / "none")) == 0  # no /proc (macOS): RAM only
    meminfo.write_text("MemTotal:       24684084 kB\n")  # no SwapTotal line (a kernel without swap support)
    assert train._swap_bytes(str(meminfo)) == 0


def test_machine_memory_is_ram_plus_swap(monkeypatch):
    # read from a fake sysconf: the real one is missing on Windows, where this test raised AttributeError
    import os

    monkeypatch.setattr(os, "sysconf", {"SC_PHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}.__getitem__, raising=False)
    monkeypatch.setattr(train, "_swap_bytes", lambda: 2**30)
    assert train.machine_memory() == 1000 * 4096 + 2**30


def _cgroup(tmp_path, proc: str, files: dict) -> tuple:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "proc").write_text(proc)
    return str(tmp_path), str(tmp_path / "proc")


@pytest.mark.parametrize("proc, files, swap, limit", [
    # cgroup v2 in a container (`docker run --memory 4g`): its own group at the top of the mount
    ("0::/\n", {"memory.max": "4294967296\n", "memory.swap.max": "0\n"}, 2**30, 4 * 2**30),
    ("0::/\n", {"memory.max": "4294967296\n", "memory.swap.max": "max\n"}, 2**30, 5 * 2**30),  # unlimited swap: the host's
    ("0::/user.slice/job\n", {"user.slice/job/memory.max": "1073741824\n"}, 0, 2**30),  # the process's own group
    ("0::/\n", {"memory.max": "max\n"}, 2**30, None),  # no limit
    # cgroup v1: memory and swap together, else memory + the host's swap; ~2**63 is v1's "no limit"
    ("4:memory:/docker/abc\n0::/\n", {"memory/memory.limit_in_bytes": "2147483648", "memory/memory.memsw.limit_in_bytes": "3221225472"},
     2**30, 3 * 2**30),
    ("4:memory:/docker/abc\n", {"memory/docker/abc/memory.limit_in_bytes": "2147483648"}, 2**30, 3 * 2**30),
    ("4:memory:/\n", {"memory/memory.limit_in_bytes": "9223372036854771712"}, 2**30, None),
    ("", {}, 0, None),  # no cgroups (macOS has no /proc at all: see below)
])
def test_the_memory_check_reads_a_containers_limit(tmp_path, proc, files, swap, limit):
    """In a container limited to 4 GiB on a 64 GiB host the check read the host's figures, let a 10 GiB fit start and
    the kernel killed it (exit 137, no message) minutes later."""
    root, proc_file = _cgroup(tmp_path, proc, files)
    assert train._cgroup_limit(swap, root=root, proc=proc_file) == limit


def test_a_containers_limit_lowers_the_machines_memory(monkeypatch):
    import os

    monkeypatch.setattr(os, "sysconf", {"SC_PHYS_PAGES": 2**20, "SC_PAGE_SIZE": 4096}.__getitem__, raising=False)
    monkeypatch.setattr(train, "_swap_bytes", lambda: 2**30)
    monkeypatch.setattr(train, "_cgroup_limit", lambda swap: 2**30 + swap)
    assert train.machine_memory() == 2 * 2**30
    monkeypatch.setattr(train, "_cgroup_limit", lambda swap: 100 * 2**30)  # a limit above the host's: the host's
    assert train.machine_memory() == 4 * 2**30 + 2**30
    monkeypatch.setattr(train, "_cgroup_limit", lambda swap: None)
    assert train.machine_memory() == 4 * 2**30 + 2**30
    monkeypatch.undo()
    assert train._cgroup_limit(0, proc="/nonexistent/cgroup") is None  # no /proc (macOS)


def test_the_compilation_cache_is_pruned_to_its_cap_oldest_use_first(tmp_path, monkeypatch):
    # the cache grew without bound (128 MB here after two weeks of development; JAX's own cap needs filelock
    # and fails on entries written without it)
    import os

    def key(i):  # JAX's names: the module's, then a sha256
        return f"jit_f-{i:064x}"

    for i in range(10):  # entry i last used at time 1000 + i, 100 bytes each, with JAX's -atime twin for some
        f = tmp_path / f"{key(i)}-cache"
        f.write_bytes(b"x" * 100)
        os.utime(f, (1000 + i, 1000 + i))
        if i % 2:
            (tmp_path / f"{key(i)}-atime").write_bytes(b"t")
    (tmp_path / "notes.txt").write_bytes(b"y" * 5000)  # not JAX's: never touched, not counted
    (tmp_path / "thumbnails-cache").write_bytes(b"y" * 5000)  # another program's (SEQCAST_CACHE_DIR=~/.cache): neither
    os.utime(tmp_path / "thumbnails-cache", (0, 0))
    assert train.prune_cache(str(tmp_path), cap=1000) == 0  # 1000 bytes of entries: within the cap
    (tmp_path / f"{key(10)}-cache").write_bytes(b"x" * 100)  # a new one (used now): 1100 bytes, over the cap
    assert train.prune_cache(str(tmp_path), cap=1000) == 4  # down to 3/4 of the cap: 700 bytes
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([f"{key(i)}-cache" for i in range(4, 11)] + [f"{key(i)}-atime" for i in (5, 7, 9)]
                          + ["notes.txt", "thumbnails-cache"])
    assert train.prune_cache(str(tmp_path / "missing"), cap=0) == 0  # no folder: nothing to do
    monkeypatch.setenv("SEQCAST_CACHE_MAX_MB", "0.5")
    assert train.cache_cap_bytes() == 2**19
    for bad in ("lots", "-1", "nan", "inf", "1e400"):
        monkeypatch.setenv("SEQCAST_CACHE_MAX_MB", bad)
        assert train.cache_cap_bytes() == train.CACHE_CAP_MB * 2**20


def test_a_cache_entry_deleted_during_the_scan_is_skipped_not_the_whole_prune(tmp_path, monkeypatch):
    # another process pruning the same folder deleted a file between listing and stat: the prune gave up (returned 0)
    import contextlib
    import os

    key = "jit_f-" + "0" * 64
    for i in range(3):
        f = tmp_path / f"jit_f-{i:064x}-cache"
        f.write_bytes(b"x" * 100)
        os.utime(f, (1000 + i, 1000 + i))
    real = list(os.scandir(tmp_path))

    class Gone:  # listed, then deleted before its stat
        name, path = key[:-1] + "9-cache", str(tmp_path / "gone")

        def is_file(self, follow_symlinks=True):
            return True

        def stat(self, follow_symlinks=True):
            raise FileNotFoundError(self.path)

    monkeypatch.setattr(train.os, "scandir", lambda p: contextlib.nullcontext([Gone(), *real]))
    assert train.prune_cache(str(tmp_path), cap=250) == 2  # 300 bytes over 250: down to 187, the two oldest


def test_an_ensemble_is_the_same_on_one_core_as_on_two(monkeypatch):
    # on one core (taskset, a 1-CPU container) the members were vmapped, on two trained in threads: the same seed
    # gave weights that differed in the last bits; now they train as single models either way
    from seqcast.forecast import init_params

    assert train.vmap_members(3) is (jax.default_backend() != "cpu") and train.vmap_members(1) is False
    spec = rnn.ModelSpec(cell="gru", units=(4,), window=3)
    X, Y = data(40)
    tspec = train.TrainSpec(optimizer="adam", learning_rate=0.01, epochs=4, batch_size=8)
    p0 = init_params(spec, 0, 3)
    fits = []
    for cores in (1, 2):
        monkeypatch.setattr(train, "usable_cores", lambda c=cores: c)
        fits.append(train.fit(spec, p0, X, Y, train=tspec, seed=5, members=3))
    (one, h1), (two, h2) = fits
    for a, b in zip(jax.tree_util.tree_leaves(one), jax.tree_util.tree_leaves(two)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(h1.loss, h2.loss)


def test_predict_pads_to_min_rows_only_where_the_pad_is_cheap():
    """The pad to MIN_ROWS rows (a row's bits alike in any batch) would hold 64 rows of activations: for a window of
    2000 steps of an LSTM(512) ensemble of 20, ~8 GB where one row takes 126 MB; such a model runs its rows as given
    (and slower forecasts: a 5-member LSTM(512)'s 24 steps took 5-8 s instead of 0.3-0.6 s)."""
    m = train.MIN_ROWS
    assert train._min_rows(rnn.ModelSpec(cell="gru", units=(32,), window=24), 5, m) == m
    assert train._min_rows(rnn.ModelSpec(cell="lstm", units=(300,), window=12), 1, m) == m
    assert train._min_rows(rnn.ModelSpec(cell="lstm", units=(512,), window=2000), 20, m) == 1
    assert train._min_rows(rnn.ModelSpec(cell="linear", units=(1,), window=12), 1, m) == m
    assert train._min_rows(rnn.ModelSpec(cell="gru", units=(32,), window=24), 5, 1) == 1  # not asked for


@pytest.mark.parametrize("optimizer", train.OPTIMIZERS)
@pytest.mark.parametrize("members", [1, 3])
def test_the_numpy_initial_state_is_each_optimizers_own(optimizer, members):
    # epoch_fn builds the optimizer's first state with numpy (no compilation); it must be what optax's init gives
    spec = rnn.ModelSpec(cell="lstm", units=(3,))
    params = rnn.init_params(spec, key=0)
    init = train._optimizer(optimizer, 0.01).init
    if members > 1:
        params = train.stack_members([rnn.init_params(spec, key=k) for k in range(members)])
        init = jax.vmap(init)
    ours, theirs = train.zero_state(init)(params), init(params)
    assert jax.tree_util.tree_structure(ours) == jax.tree_util.tree_structure(theirs)
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        assert isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_array_equal(a, np.asarray(b))
    zeros, _ = train.epoch_fn(spec, train.TrainSpec(optimizer=optimizer, epochs=1, batch_size=4), 8, members)
    assert jax.tree_util.tree_structure(zeros(params)) == jax.tree_util.tree_structure(theirs)
