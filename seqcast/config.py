"""The run configuration: one flat dataclass, saved with the model as JSON.

Every option can come from a TOML file (flat keys, the names below); command-line flags override it.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from .errors import UNPARSABLE, ConfigError, did_you_mean, unparsable
from .windows import check_fraction


def split_list(text: str) -> list[str]:
    """A list option's items: "20,20", "20, 20" or "20 20" -> ["20", "20"] (--units, --levels); [] when an item is
    empty ("", "20,", "80,,95"), which the caller refuses."""
    parts = [p.split() for p in text.split(",")]
    return [x for p in parts for x in p] if all(parts) else []


@dataclass(frozen=True)
class Config:
    """Every option of a model and its training, flat; the keywords of `Forecaster(...)`, the keys of a TOML
    file and (with dashes) `seqcast fit`'s flags (skip, scaler_range, scaler_fit and shuffle: in a TOML file
    only). Saved with the model as JSON. Keras' names in brackets.

    Model
        model        lstm | gru | rnn (Keras SimpleRNN) | linear (Flatten + Dense on the window) | auto: seqcast's
                     choice for the training data at fit time (seqcast.honest.auto_config: GRU(32) + skip,
                     window 2 seasons, log, residual over seasonal naive, 5 members, ...), the options you
                     set winning (Forecaster's keywords; of a Config, the fields that differ from the defaults)
        units        stacked recurrent layer sizes, e.g. (64,) or (20, 20); a Dense head follows them
        output_activation  None (linear) | sigmoid | tanh | relu, on the head (the airline tutorial: sigmoid)
        strategy     multi-step forecasts: recursive (a one-step model fed back) | direct (a Dense(horizon)
                     head: Hands-On ML's sequence-to-vector) | seq2seq (the next `horizon` values at every
                     input step, Keras' return_sequences + TimeDistributed(Dense))
        horizon      steps a direct / seq2seq model is trained for: the most it forecasts
        skip         a linear path from the window to the output beside the recurrent layers
        norm         per-window normalisation: none | last | mean | revin | season (the network predicts the
                     residual over the seasonal naive forecast); strategy seq2seq takes none or mean
    Data and windows
        window       past values per input window (the tutorial: 12)
        test_size    fraction of windows held out at the end, chronologically, by `holdout()` and the CLI's
                     `fit`; `Forecaster.fit` trains on all the data it is given (0 = no test part)
        val_size     fraction of the training windows kept at their end for validation and early stopping
                     (Keras' validation_split, but the last windows, not random ones; 0 = none)
        fill         none | ffill | interpolate, for gaps and missing values (none: refused, with where)
        season       season length for seasonal naive and norm='season'; None: from the dates' frequency
    Scaling (fitted on the training part only, except scaler_fit='all')
        scaler       minmax | standard | robust | none | auto (per series: none after log where mean |y| >= 1,
                     else standard)
        scaler_range minmax's target range, (0, 1)
        log          log1p before scaling (series never negative)
        scaler_fit   train | all: what `holdout()` fits the scaler on; "all" leaks the test period into
                     training, as the airline tutorial does (only to reproduce it)
    Training
        optimizer    adam | rmsprop | sgd, with Keras' defaults and update rules
        learning_rate  None: Keras' default for the optimizer (adam, rmsprop 1e-3; sgd 1e-2)
        loss         mse | mae | huber
        epochs, batch_size, shuffle   as in Keras' fit
        patience     early stopping on the validation windows, best weights restored (Keras' EarlyStopping
                     with restore_best_weights); 0 = off, and off when there are no validation windows
        seed         initial weights and shuffling; the same seed gives the same model on a CPU
        ensemble     members trained at once, each with its own initial weights and shuffling drawn from
                     `seed`; forecasts are their median (recursive: that median is fed back as the next input)
        precision    float32 | bfloat16 (mixed-precision recurrent matmuls: pays on large layers, AMX or GPU)

    `seqcast.config.TUTORIAL` is the airline tutorial's recipe; `Forecaster()` without options uses these
    defaults (an LSTM), while `seqcast fit` without --model (or --config) uses `auto`, as `Forecaster(model="auto")` does.
    """

    model: str = "lstm"
    units: tuple = (64,)
    output_activation: str | None = None
    strategy: str = "recursive"
    horizon: int = 1
    skip: bool = False
    norm: str = "none"
    window: int = 12
    test_size: float = 0.2
    val_size: float = 0.1
    fill: str = "none"
    season: int | None = None
    scaler: str = "minmax"
    scaler_range: tuple = (0.0, 1.0)
    log: bool = False
    scaler_fit: str = "train"
    optimizer: str = "adam"
    learning_rate: float | None = None
    loss: str = "mse"
    epochs: int = 300
    batch_size: int = 32
    shuffle: bool = True
    patience: int = 20
    seed: int = 0
    ensemble: int = 1
    precision: str = "float32"

    def replace(self, **changes) -> Config:
        """A validated copy with `changes`; a change to None leaves that option as it is (a CLI flag not given).
        To set an option to None, pass it to Forecaster: ``Forecaster(cfg, output_activation=None)``.

        >>> cfg = TUTORIAL.replace(epochs=50, output_activation=None)
        >>> cfg.epochs, cfg.output_activation                  # None left the tutorial's sigmoid in place
        (50, 'sigmoid')
        """
        return validate(dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None}))

    def to_dict(self) -> dict:
        """The options as a JSON-ready dict (tuples as lists): what model.json holds, what `from_dict` reads back."""
        d = dataclasses.asdict(self)
        d["units"], d["scaler_range"] = list(self.units), list(self.scaler_range)
        return d


CHOICES = {
    "model": ("lstm", "gru", "rnn", "linear", "auto"),
    "output_activation": (None, "sigmoid", "tanh", "relu", "linear"),
    "strategy": ("recursive", "direct", "seq2seq"),
    "norm": ("none", "last", "mean", "revin", "season"),
    "fill": ("none", "ffill", "interpolate"),
    "scaler": ("minmax", "standard", "robust", "none", "auto"),  # auto: none after log for a series with mean |y| >= 1, else standard
    "scaler_fit": ("train", "all"),
    "optimizer": ("adam", "rmsprop", "sgd"),
    "loss": ("mse", "mae", "huber"),
    "precision": ("float32", "bfloat16"),
}
POSITIVE_INTS = ("window", "horizon", "epochs", "batch_size", "ensemble")
#: The most epochs and ensemble members, and why: past them a fit computes for hours whatever the model (epochs=10**12
#: ran on; ensemble=10**6 drew members for minutes, and would have trained them for days). An epoch costs at least
#: ~0.5 ms of host work (one compiled call, the shuffle, early stopping's bookkeeping) however small the model and data.
LIMITS = {"epochs": (1_000_000, "a million epochs take minutes even for the smallest model",
                     ("; to train until the validation loss stops improving, use early stopping (patience > 0; CLI --patience) "
                      "with epochs=1000000 (CLI --epochs 1000000)")),
          "ensemble": (1000, ("each member is a model of its own, drawn and trained one after another on each core "
                              "(auto trains 5)"), "")}


def check_limit(name: str, value: int) -> None:
    """Refuse a value of `name` above LIMITS[name], saying why that is enough (and how to do what it was meant for)."""
    top, why, fix = LIMITS[name]
    if value > top:
        raise ConfigError(f"`{name}` must be at most {top:,}: {why}. Received: {name}={value!r}{fix}")


DEFAULT_LR = {"adam": 1e-3, "rmsprop": 1e-3, "sgd": 1e-2}  # Keras' default learning rates (learning_rate=None)
MODEL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "SimpleRNN", "linear": "Linear"}  # Keras' layer names


def _plain(v):
    """NumPy scalars (np.int64(6), np.float32(0.1), np.bool_) as the Python numbers they hold."""
    if type(v).__module__ == "numpy" and hasattr(v, "item") and getattr(v, "ndim", None) == 0:
        return v.item()
    if isinstance(v, (list, tuple)):
        items = [_plain(x) for x in v]
        return v if all(a is b for a, b in zip(items, v)) else type(v)(items)  # unchanged: the same object (sklearn's clone)
    return v


def check_config(config, name: str = "config") -> None:
    """`config` must be a Config or None; a Forecaster given instead is told to pass its options, `f.config`."""
    if config is not None and not isinstance(config, Config):
        mine = isinstance(getattr(config, "config", None), Config)  # a Forecaster (holdout(y, f) in a notebook)
        raise ConfigError(f"`{name}` must be a seqcast.Config or None. Received: {name}={config!r}"
                          + (f"; a Forecaster's options are its `config`: pass {name}=f.config" if mine else ""))


def is_auto(model) -> bool:
    """Whether a `model` option asks for auto, in any case ('AUTO'), as `validate` reads every choice."""
    return isinstance(model, str) and model.strip().lower() == "auto"


def check_model_combination(model: str, strategy: str | None, skip: bool) -> None:
    """The model options that cannot go together (checked when a Forecaster is built, and by the model
    itself); `strategy` None: a one-shot model (recursive or direct)."""
    if strategy == "seq2seq" and model == "linear":
        raise ConfigError("strategy='seq2seq' needs an output at every step, which model='linear' has not; use lstm, gru "
                          "or rnn, or strategy='direct' with linear. Received: model='linear', strategy='seq2seq'")
    if skip and (strategy == "seq2seq" or model == "linear"):
        raise ConfigError("`skip` needs a recurrent one-shot model (strategy recursive or direct, model lstm/gru/rnn). "
                          f"Received: skip=True, model={model!r}" + (", strategy='seq2seq'" if strategy == "seq2seq" else ""))


def check_norm_combination(strategy: str, norm: str, *, fitting: bool = True) -> None:
    """The window norms a strategy cannot have: seq2seq (an output at every step) has no one window to normalise
    by (revin, season), and its causal 'last' (each step minus its own value) gives the network an input of zeros:
    its forecast would be the last value plus fixed offsets, whatever the window held. `fitting` False (a model
    being built or loaded): 'last' passes, so that a model saved with it still loads."""
    if strategy != "seq2seq" or norm in ("none", "mean") or (norm == "last" and not fitting):
        return
    why = (" (with norm='last' each step's input is its value minus itself, 0: the network would see nothing of the "
           "window)" if norm == "last" else " (an output at every step)")
    raise ConfigError(f"`norm` must be none or mean with strategy='seq2seq'{why}; or use strategy='direct' with norm={norm!r}. "
                      f"Received: norm={norm!r}")


def validate(cfg: Config) -> Config:
    """Check every value; raise ConfigError in the template "`x` must be ... Received: x=...".

    Names of choices are read in any case ('GRU', ' Adam'), as backtest's --models are; kept in lower case."""
    cfg = dataclasses.replace(cfg, **{f.name: _plain(getattr(cfg, f.name)) for f in fields(cfg)})
    if isinstance(cfg.output_activation, str) and cfg.output_activation.strip().lower() == "none":  # None as its help and
        cfg = dataclasses.replace(cfg, output_activation=None)  # errors spell it (--output-activation none was refused)
    folded = {name: getattr(cfg, name).strip().lower() for name in CHOICES if isinstance(getattr(cfg, name), str)}
    cfg = dataclasses.replace(cfg, **{k: v for k, v in folded.items() if v in CHOICES[k] and v != getattr(cfg, k)})  # same object if unchanged (sklearn's clone)
    for name, allowed in CHOICES.items():
        v = getattr(cfg, name)
        if not (v is None or isinstance(v, str)) or v not in allowed:  # an array would compare element-wise
            shown = ", ".join("none" if a is None else a for a in allowed)
            also = ("; auto is seqcast's choice for the data (what `seqcast fit` uses without --model, benchmark always "
                    "and backtest unless --no-auto)") if name == "model" else ""
            raise ConfigError(f"`{name}` must be one of {shown}{also}. Received: {name}={v!r}{did_you_mean(v, allowed)}")
    for name in POSITIVE_INTS:
        v = getattr(cfg, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(f"`{name}` must be an integer >= 1. Received: {name}={v!r}")
        if name in LIMITS:
            check_limit(name, v)
    for name in ("patience", "seed"):
        v = getattr(cfg, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ConfigError(f"`{name}` must be an integer >= 0. Received: {name}={v!r}")
    if cfg.season is not None and (isinstance(cfg.season, bool) or not isinstance(cfg.season, int) or cfg.season < 1):
        raise ConfigError(f"`season` must be an integer >= 1. Received: season={cfg.season!r}")
    for name in ("test_size", "val_size"):
        check_fraction(name, getattr(cfg, name))
    units = cfg.units
    if isinstance(units, int):
        units = (units,)
    if not isinstance(units, (list, tuple)) or not units or any(isinstance(u, bool) or not isinstance(u, int) or u < 1 for u in units):
        raise ConfigError(f"`units` must be a list of layer sizes >= 1, e.g. [64] or [20, 20]. Received: units={cfg.units!r}")
    rng = cfg.scaler_range
    if not isinstance(rng, (list, tuple)) or len(rng) != 2 or not all(isinstance(v, (int, float)) for v in rng) or not rng[0] < rng[1]:
        raise ConfigError(f"`scaler_range` must be [low, high] with low < high. Received: scaler_range={rng!r}")
    lr = cfg.learning_rate
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < float("inf")):
        raise ConfigError(f"`learning_rate` must be a finite number > 0. Received: learning_rate={lr!r}")
    for name in ("log", "shuffle", "skip"):
        if not isinstance(getattr(cfg, name), bool):
            raise ConfigError(f"`{name}` must be true or false. Received: {name}={getattr(cfg, name)!r}")
    out_act = None if cfg.output_activation == "linear" else cfg.output_activation
    floats = tuple(float(v) for v in rng)
    rng = rng if isinstance(rng, tuple) and all(type(v) is float for v in rng) else floats  # kept as given when it is already
    return dataclasses.replace(cfg, units=tuple(units), scaler_range=rng, output_activation=out_act)


def unknown_option(options, where: str = "") -> None:
    """Refuse the first of `options` (names) that Config lacks, with the option it may be a typo of and the known ones:
    "unknown option 'modle' (did you mean 'model'?); known options: ..." (a fit's keywords, a config file's keys)."""
    known = sorted(f.name for f in fields(Config))
    unknown = sorted(str(k) for k in set(options) - set(known))
    if unknown:
        near = did_you_mean(unknown[0], known).removeprefix("; ")
        raise ConfigError(f"unknown option {unknown[0]!r}{where}{f' ({near})' if near else ''}; known options: {', '.join(known)}")


def from_dict(d: dict, *, source: str = "config") -> Config:
    unknown_option(d, f" in {source}")
    d = dict(d)
    for k in ("output_activation", "season", "learning_rate"):
        if d.get(k) in ("none", "None", "null"):
            d[k] = None
    try:
        return validate(Config(**d))
    except ConfigError as e:  # say where the bad value came from: the file, not a flag
        if source == "config":
            raise
        raise ConfigError(f"{e} (in {source})") from None


def load_toml(path) -> Config:
    """Read a flat TOML file of options (a `[seqcast]` table is also accepted)."""
    return from_dict(read_toml(path), source=f"config file '{Path(path)}'")


def read_toml(path) -> dict:
    """The options of a TOML file as written, before validation (`load_toml` validates them)."""
    p = Path(path)
    if p.is_dir():
        raise ConfigError(f"config file '{p}' is a directory; give the path of a TOML file to --config")
    if not p.exists():
        raise ConfigError(f"config file '{p}' not found; check the path given to --config")
    if not p.is_file():  # a pipe (bash's <(...)) or a device
        raise ConfigError(f"config file '{p}' is not a regular file (a pipe or a device); save the options to a TOML file "
                          "and pass its path to --config")
    try:
        d = tomllib.loads(p.read_text(encoding="utf-8-sig"))  # a BOM (Notepad) is not TOML syntax
    except UnicodeDecodeError as e:  # e.object: the file's bytes
        line = e.object.count(b"\n", 0, e.start) + 1
        raise ConfigError(f"config file '{p}' is not UTF-8 text (line {line} holds the byte 0x{e.object[e.start]:02x}); "
                          "save it as UTF-8, as TOML requires") from None
    except UNPARSABLE as e:  # TOMLDecodeError, UnicodeDecodeError; also nested too deeply, a number of 5000 digits
        raise ConfigError(f"config file '{p}' is not valid TOML ({unparsable(e)}); fix the syntax") from None
    if set(d) == {"seqcast"} and isinstance(d["seqcast"], dict):
        d = d["seqcast"]
    return d


# The Keras airline tutorial's recipe (seeds/000): scaler fitted on all data, LSTM(300) + Dense(1, sigmoid).
TUTORIAL = Config(model="lstm", units=(300,), output_activation="sigmoid", window=12, test_size=0.2, val_size=0.0, patience=0,
                  scaler="minmax", scaler_fit="all", optimizer="rmsprop", loss="mse", epochs=300, batch_size=64)
