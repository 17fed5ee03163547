"""Tests for seqcast.config: defaults, validation messages, TOML files, flags over the file."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from seqcast.config import TUTORIAL, Config, from_dict, load_toml, validate
from seqcast.errors import ConfigError, SeqcastError

# "`x` must be ... Received: x=..." (one line)
TEMPLATE = re.compile(r"^`(\w+)` must be [^\n]+\. Received: \1=[^\n]+$")


def bad(**changes) -> str:
    """The message validate() gives for a Config with `changes` (bypassing replace)."""
    with pytest.raises(ConfigError) as info:
        validate(dataclasses.replace(Config(), **changes))
    return str(info.value)


def test_defaults_are_valid():
    cfg = validate(Config())
    assert cfg == Config()
    assert cfg.model == "lstm" and cfg.units == (64,) and cfg.window == 12
    assert validate(TUTORIAL).units == (300,)
    assert TUTORIAL.scaler_fit == "all"


@pytest.mark.parametrize(
    "name, value",
    [
        ("model", "transformer"),
        ("optimizer", "foo"),
        ("scaler", "zz"),
        ("fill", "zz"),
        ("loss", "hinge"),
        ("scaler_fit", "test"),
        ("output_activation", "softmax"),
        ("window", 0),
        ("window", 2.5),
        ("window", True),
        ("epochs", 0),
        ("epochs", "ten"),
        ("batch_size", -1),
        ("patience", -1),
        ("seed", -3),
        ("season", 0),
        ("test_size", 1.0),
        ("test_size", -0.1),
        ("val_size", "half"),
        ("units", ()),
        ("units", (0,)),
        ("units", "ten"),
        ("units", (4.5,)),
        ("scaler_range", (1.0, 0.0)),
        ("scaler_range", (0.0,)),
        ("learning_rate", 0.0),
        ("learning_rate", "fast"),
        ("log", "yes"),
        ("shuffle", 1),
    ],
)
def test_validation_message_follows_the_template(name, value):
    msg = bad(**{name: value})
    m = TEMPLATE.match(msg)
    assert m, msg
    assert m.group(1) == name
    assert f"Received: {name}={value!r}" in msg


def test_choice_message_lists_the_choices():
    msg = bad(model="transformer")
    assert msg == "`model` must be one of lstm, gru, rnn, linear, auto; auto is seqcast's choice for the data (what `seqcast fit` uses without --model, benchmark always and backtest unless --no-auto). Received: model='transformer'"
    assert "adam, rmsprop, sgd" in bad(optimizer="foo")


def test_choices_are_read_in_any_case():
    # backtest's --models took 'GRU' while fit refused it; every choice is now read as its lower-case name
    cfg = validate(dataclasses.replace(Config(), model="GRU", optimizer=" Adam", strategy="Direct", precision="BFloat16"))
    assert (cfg.model, cfg.optimizer, cfg.strategy, cfg.precision) == ("gru", "adam", "direct", "bfloat16")
    assert "Received: model='GRUU'" in bad(model="GRUU")  # an unknown name is still shown as given


def test_config_error_is_a_seqcast_error_and_value_error():
    with pytest.raises(SeqcastError):
        validate(dataclasses.replace(Config(), window=0))
    with pytest.raises(ValueError):
        validate(dataclasses.replace(Config(), window=0))


def test_validate_normalises():
    cfg = validate(dataclasses.replace(Config(), units=[8, 4], scaler_range=[0, 1], output_activation="linear"))
    assert cfg.units == (8, 4)
    assert cfg.scaler_range == (0.0, 1.0)
    assert cfg.output_activation is None
    assert validate(dataclasses.replace(Config(), units=16)).units == (16,)


def test_replace_overrides_and_ignores_none():
    base = Config(epochs=300, units=(64,))
    cfg = base.replace(epochs=5, units=(4,), model=None, seed=None)
    assert cfg.epochs == 5 and cfg.units == (4,)
    assert cfg.model == base.model and cfg.seed == base.seed
    assert base.epochs == 300  # frozen: the original is unchanged
    with pytest.raises(ConfigError, match=r"`epochs` must be an integer >= 1\. Received: epochs=0"):
        base.replace(epochs=0)


def test_epochs_and_ensemble_have_an_upper_bound_that_says_why():
    # epochs=10**12 without early stopping computed on for good; ensemble=10**6 spent minutes drawing members (5.5 GB)
    assert Config(epochs=1_000_000, ensemble=1000).replace().epochs == 1_000_000  # the limits themselves pass
    with pytest.raises(ConfigError, match=r"^`epochs` must be at most 1,000,000: a million epochs take minutes even for the smallest "
                                          r"model\. Received: epochs=1000000000000; to train until the validation loss stops improving, use "
                                          r"early stopping \(patience > 0; CLI --patience\) with epochs=1000000 \(CLI --epochs 1000000\)$"):
        Config().replace(epochs=10**12)
    with pytest.raises(ConfigError, match=r"^`ensemble` must be at most 1,000: .*\(auto trains 5\)\. Received: ensemble=1001$"):
        Config().replace(ensemble=1001)


def test_to_dict_round_trips_through_from_dict():
    cfg = Config(model="gru", units=(8, 4), window=6, learning_rate=0.01, season=12, output_activation="sigmoid")
    d = cfg.to_dict()
    assert d["units"] == [8, 4] and d["scaler_range"] == [0.0, 1.0]
    assert from_dict(d) == cfg


def test_from_dict_accepts_none_spellings():
    cfg = from_dict({"output_activation": "none", "season": "null", "learning_rate": "None"})
    assert cfg.output_activation is None and cfg.season is None and cfg.learning_rate is None


def test_from_dict_unknown_key():
    with pytest.raises(ConfigError, match=r"unknown option 'epoch' in config \(did you mean 'epochs'\?\); known options: .*epochs"):
        from_dict({"epoch": 3})
    with pytest.raises(ConfigError, match=r"unknown option 'zzz' in config; known options: batch_size, "):
        from_dict({"zzz": 3})


# ---- TOML files ----------------------------------------------------------------------------------------


def test_load_toml_flat(tmp_path):
    p = tmp_path / "run.toml"
    p.write_text('model = "gru"\nunits = [8, 4]\nepochs = 3\nlearning_rate = 0.01\nlog = true\nscaler = "standard"\n')
    cfg = load_toml(p)
    assert cfg == Config(model="gru", units=(8, 4), epochs=3, learning_rate=0.01, log=True, scaler="standard")


def test_load_toml_seqcast_table(tmp_path):
    p = tmp_path / "pyproject-like.toml"
    p.write_text('[seqcast]\nwindow = 6\noutput_activation = "none"\nscaler_range = [-1, 1]\n')
    cfg = load_toml(p)
    assert cfg.window == 6 and cfg.output_activation is None and cfg.scaler_range == (-1.0, 1.0)


def test_flags_override_the_file(tmp_path):
    p = tmp_path / "run.toml"
    p.write_text("epochs = 3\nwindow = 6\nbatch_size = 8\n")
    cfg = load_toml(p).replace(epochs=7, window=None)
    assert cfg.epochs == 7 and cfg.window == 6 and cfg.batch_size == 8


def test_toml_syntax_error(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("epochs = = 3\n")
    with pytest.raises(ConfigError, match=r"is not valid TOML .*line 1.*; fix the syntax"):
        load_toml(p)


def test_toml_not_utf8(tmp_path):
    # was "is not valid TOML ('utf-8' codec can't decode byte 0xfc in position 18: invalid start byte); fix the syntax":
    # no syntax to fix, and Python's words for where
    p = tmp_path / "bin.toml"
    p.write_bytes(b"\xff\xfe\x00epochs")
    with pytest.raises(ConfigError, match=r"^config file '.*bin.toml' is not UTF-8 text \(line 1 holds the byte 0xff\); save it as UTF-8"):
        load_toml(p)
    p.write_bytes("epochs = 3\nmodel = 'gr\xfc'\n".encode("latin-1"))  # a Latin-1 editor
    with pytest.raises(ConfigError, match=r"is not UTF-8 text \(line 2 holds the byte 0xfc\); save it as UTF-8, as TOML requires$"):
        load_toml(p)


@pytest.mark.parametrize("text, why", [("x = " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
                                       ("epochs = " + "9" * 5000, "a number with more than 4300 digits")])
def test_toml_too_deep_or_with_a_huge_number_is_one_config_error(tmp_path, text, why):
    # was a RecursionError / ValueError traceback from --config
    p = tmp_path / "odd.toml"
    p.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(f"is not valid TOML ({why}); fix the syntax")):
        load_toml(p)


def test_toml_unknown_key_names_the_file(tmp_path):
    p = tmp_path / "typo.toml"
    p.write_text("epoch = 3\n")
    with pytest.raises(ConfigError) as info:
        load_toml(p)
    msg = str(info.value)
    assert "unknown option 'epoch'" in msg and "typo.toml" in msg and "epochs" in msg


def test_toml_other_table_is_unknown(tmp_path):
    p = tmp_path / "t.toml"
    p.write_text("[training]\nepochs = 3\n")
    with pytest.raises(ConfigError, match="unknown option 'training'"):
        load_toml(p)


@pytest.mark.parametrize(
    "text, name",
    [
        ('epochs = "ten"\n', "epochs"),
        ('units = "ten"\n', "units"),
        ("window = 1.5\n", "window"),
        ('scaler_range = [0, "a"]\n', "scaler_range"),
        ("model = 3\n", "model"),
        ('shuffle = "no"\n', "shuffle"),
        ("test_size = 2\n", "test_size"),
    ],
)
def test_toml_bad_value_type(tmp_path, text, name):
    p = tmp_path / "t.toml"
    p.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_toml(p)
    assert TEMPLATE.match(str(info.value)), str(info.value)
    assert str(info.value).startswith(f"`{name}`")
    assert "config file" in str(info.value) and "t.toml" in str(info.value)  # says where the value came from


def test_toml_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found; check the path given to --config"):
        load_toml(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a directory; give the path of a TOML file to --config"):
        load_toml(tmp_path)  # a directory is not a config file


def test_toml_with_a_byte_order_mark(tmp_path):
    p = tmp_path / "run.toml"
    p.write_bytes(b"\xef\xbb\xbfepochs = 7\n")  # Notepad's UTF-8
    assert load_toml(p).epochs == 7


def test_the_package_asks_for_the_python_that_has_tomllib():
    """config.py reads TOML files with the standard library's tomllib, new in Python 3.11: pip must not install
    seqcast on 3.10 (where `import seqcast.config` would fail), and the README's demo says Python 3.11."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"


@pytest.mark.parametrize("name", ["model", "strategy", "fill", "optimizer", "precision"])
@pytest.mark.parametrize("value", [np.array([]), np.array(["lstm", "gru"]), pd.Series(["lstm"])])
def test_a_choice_given_as_an_array_is_a_config_error(name, value):
    # an array compared with `in` raised numpy's / pandas' "truth value ... is ambiguous" ValueError
    with pytest.raises(ConfigError, match=f"`{name}` must be one of"):
        validate(Config(**{name: value}))


def test_output_activation_none_as_text_is_none():
    # --output-activation none (as its help, the error and the bounded-head note spell it) was refused:
    # "`output_activation` must be one of none, sigmoid, ... Received: output_activation='none'"
    for text in ("none", "None", " NONE "):
        assert Config().replace(output_activation=text).output_activation is None
    assert Config(output_activation="sigmoid").replace(output_activation="none").output_activation is None


def test_toml_from_a_pipe_is_not_called_missing(tmp_path):
    """`--config <(printf 'epochs=5')` said "config file '/dev/fd/63' not found": it exists, as a pipe."""
    import os

    fifo = tmp_path / "run.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"is not a regular file \(a pipe or a device\); save the options to a TOML file and pass "
                                          r"its path to --config$"):
        load_toml(fifo)
