"""Save and load fitted models: weights in safetensors, everything else in JSON. Never pickle.

A model directory holds:
    weights.safetensors   parameters, flat keys "layers.0.W", "head.b", ...
    model.json            format version, config, the model's horizon and season, one entry per
                          series (id, scaler state, data schema, last input window), the interval
                          levels, widths and per-series scales (or null), training history,
                          sha256 of the weights

Format version 2 (seqcast with many-series models) replaced version 1's top-level scaler, schema
and context by the `series` list; other versions are refused with one line.

Every write is atomic: files are written to a temp name and renamed; a whole directory is built
beside its target and swapped in, so an interrupted save never damages what was there.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import UNPARSABLE, ConfigError, ModelFileError, SeqcastError, out_of_memory, unparsable
from .runs import PREDICTIONS_CSV, PREDICTIONS_FILE, REPORT_FILE, RUN_FILE, SCORES_CSV

if TYPE_CHECKING:
    from .forecast import Forecaster

FORMAT = "seqcast-model"
FORMAT_VERSION = 2
WEIGHTS, META = "weights.safetensors", "model.json"
# what seqcast writes in a model directory: the model, and from `seqcast fit` its test part's files and report
TEST_PREDICTIONS, TEST_PLOT = "test_predictions.csv", "test_plot.png"  # `seqcast fit`'s test part, beside the model
MODEL_FILES = frozenset({WEIGHTS, META, TEST_PREDICTIONS, TEST_PLOT, PREDICTIONS_FILE, REPORT_FILE, RUN_FILE})
OS_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # what a file browser leaves in a folder opened in it


# ---- atomic writes ---------------------------------------------------------------------------------

# Set by the CLI's Ctrl-C / SIGTERM handler. The KeyboardInterrupt it raises can be swallowed where it lands
# (in a gc callback such as JAX's, Python prints "Exception ignored" and goes on), so every rename checks it too.
INTERRUPTED = threading.Event()


#: What a CLI command has saved (final names): `cli._signals` sets a list while one runs, so that its Ctrl-C message
#: says what was written before it (fit swaps the new model in, then prints); None: not kept. A context variable: a
#: save in another thread (a notebook's, a service's) is not the command's.
SAVED: contextvars.ContextVar[list[Path] | None] = contextvars.ContextVar("seqcast_saved", default=None)


def _saved(path: Path) -> None:
    if (saved := SAVED.get()) is not None:
        saved.append(path)


def stop_if_interrupted() -> None:
    """KeyboardInterrupt when the CLI saw a Ctrl-C / SIGTERM: before every rename, and before every training epoch."""
    if INTERRUPTED.is_set():
        raise KeyboardInterrupt


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cut(name: str, room: int) -> str:
    """`name` cut to at most `room` bytes on disk: the start of a temp name beside it ('.NAME.xxxxxxxx.tmp'), which a
    name of 242-255 bytes (81 Korean letters) left too long for the file system's 255 (ENAMETOOLONG)."""
    while len(os.fsencode(name)) > room:
        name = name[:-1]
    return name


def _aside(name: str) -> str:
    """The start of the name a folder's earlier version is moved aside to, '.NAME.old-' (a pid and an id follow)."""
    return f".{_cut(name, 225)}.old-"


def json_bytes(obj: object, indent: int) -> bytes:
    """`obj` as JSON in UTF-8, its text as written ('항공승객.csv', not '\\ud56d\\uacf5...'). A lone surrogate, which
    UTF-8 cannot encode (a file name's byte that is no UTF-8, os.fsdecode's '\\udcc7'), is written as JSON's escape for
    it, which reads back as the same string."""
    return json.dumps(obj, indent=indent, ensure_ascii=False).encode("utf-8", "backslashreplace")


def write_atomic(path, data: bytes | str) -> None:
    """Write `data` to `path` via a temp file in the same directory and a rename. A symlink is written
    through (its target is replaced, the link stays); a device or pipe (/dev/stdout) is written directly."""
    path = Path(path).expanduser()
    stream = str(path).startswith(("/dev/std", "/dev/fd/", "/proc/"))  # /dev/stdout: a pipe, a terminal, a file under >>
    if stream or (path.exists() and not path.is_file() and not path.is_dir()):  # or a device, a FIFO: written in place
        with _naming(path), open(path, "ab" if stream else "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    with _naming(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{_cut(path.name, 240)}.", suffix=".tmp", dir=path.parent)
    try:
        # a full disk: its error names `path`, not the temp file (or nothing: a write's has no name); `fh` closes `fd`
        with _naming(path), os.fdopen(fd, "wb") as fh:  # whatever fails, the chmod too
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the mode open() would
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        stop_if_interrupted()
        _rename(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _saved(path)


@contextlib.contextmanager
def _naming(path, shown=None):
    """An OSError raised inside re-raised naming `shown` (default `path`): a write's or fsync's error (ENOSPC, EIO, EFBIG)
    names no file, mkstemp's the temp file. With `shown`, only an error naming a file under the folder `path` is renamed,
    to the same file under `shown` (a temp folder's file: its name in the folder it replaces)."""
    try:
        yield
    except OSError as e:
        if e.errno is None:  # not the system's error (a message only): as it is
            raise
        if shown is None:
            raise OSError(e.errno, e.strerror, str(path)) from None
        name = Path(os.fsdecode(e.filename)) if isinstance(e.filename, (str, bytes, os.PathLike)) else None
        if name is None or not name.is_relative_to(path):
            raise
        raise OSError(e.errno, e.strerror, str(Path(shown) / name.relative_to(path))) from None


def _rename(tmp, path) -> None:
    """os.replace, its error naming `path`, not the temp name the user never saw (Windows: the file is open in
    Excel, or a folder's file in a program; macOS: the file is locked in Finder)."""
    try:
        os.replace(tmp, path)
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from None


def path_arg(name: str, value, what: str = "a path (a str or pathlib.Path)", blank_ok: bool = False) -> Path:
    """A path argument from text or an os.PathLike; anything else (None, a number), or blank text, in one line."""
    if not isinstance(value, (str, os.PathLike)) or (not blank_ok and not str(value).strip()):
        raise ConfigError(f"`{name}` must be {what}. Received: {name}={value!r:.80}")
    return Path(value).expanduser()


def model_path(path) -> Path:
    """A model directory's path ('' goes on to check_target's "current directory" message)."""
    return path_arg("path", path, "a directory path (a str or pathlib.Path)", blank_ok=True)


# the files that hold a saved model's or run's data, by the file that marks the folder: `report RUN --out
# RUN/run.json` wrote the HTML over run.json, `predict --out RUN/predictions.csv` over a backtest's table
KEPT_FILES = {META: ("model", {META, WEIGHTS, RUN_FILE, TEST_PREDICTIONS}),
              RUN_FILE: ("run", {RUN_FILE, PREDICTIONS_CSV, SCORES_CSV, TEST_PREDICTIONS})}


def check_file_out(path) -> Path:
    """Refuse an output file that would overwrite a saved model's or run's data (model.json, weights,
    run.json, its prediction and score tables); its report and figures may be rewritten."""
    path = Path(path).expanduser()
    real = Path(os.path.realpath(path))  # a symlink to model.json would be written through
    for marker, (what, names) in KEPT_FILES.items():
        if _one_of(real, names) and (real.parent / marker).is_file():
            raise ConfigError(f"'{path}' is a file of the seqcast {what} in '{real.parent}'; writing there would destroy it. "
                              "Choose another output file")
    if real.is_dir():  # found after the work otherwise: "cannot use '.p.png.xxxx.tmp': Is a directory"
        raise ConfigError(f"'{path}' is a directory; give a file path such as '{path / ('out' + (path.suffix or '.txt'))}'")
    if real.exists() and not real.is_file():  # /dev/stdout, a FIFO: written in place
        return path
    above = next((p for p in real.parents if p.exists()), None)  # found after the work otherwise, naming the temp file
    if above is not None and not above.is_dir():
        raise ConfigError(f"'{above}' is a file, so '{path}' cannot be created; choose another output file")
    if above is not None and not os.access(above, os.W_OK | os.X_OK):
        raise ConfigError(f"'{above}' is not writable, so '{path}' cannot be written; choose a folder you can write to")
    return path


def _one_of(path: Path, names) -> bool:
    """`path` is a file named one of `names` in its folder: by its name, or by being the same file under another
    name (macOS' and Windows' file systems ignore case: 'MODEL.JSON' there is model.json; a hard link)."""
    if path.name in names:
        return True
    try:
        st = path.stat()
    except OSError:  # not there yet: no file of the folder's
        return False
    return any(os.path.samestat(st, (path.parent / n).stat()) for n in names if (path.parent / n).is_file())


def check_target(target, marker: str = META, what: str = "model", known=MODEL_FILES) -> Path:
    """Refuse a target that is a file, or a non-empty folder without `marker` (not an earlier seqcast
    model or run directory), or one with `marker` that also holds files seqcast did not write there (`known`:
    the user's data, config or notes, which replacing it would delete), or (being replaced as a whole) the
    current directory or one above it. Called by `replace_dir`, and by the CLI before work so a bad --out fails at once."""
    target = Path(target).expanduser()
    if _holds_cwd(target):  # `--out .`: a traceback after the training; swapped, the shell would sit in a deleted folder
        raise ConfigError(f"'{target}' (the path given to save, or --out) is the current directory or holds it, and the folder is replaced as a whole; "
                          "choose a folder below it such as models/m")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"'{target}' exists and is a file; choose a directory path (the path given to save, or --out)")
    real = Path(os.path.realpath(target)) if target.is_symlink() else target  # models/current -> /ro/v3: v3 is replaced
    if real.is_dir() and _mount_point(real):  # a volume mounted at --out (docker -v): renaming it failed after the training, 'busy'
        raise ConfigError(f"'{target}' is a mount point (a volume or share), which cannot be replaced as a whole; choose a folder "
                          f"inside it such as '{target / 'model'}' (the path given to save, or --out)")
    above = next((p for p in real.parents if p.exists()), None)
    if above is not None and not above.is_dir():  # fit --out data.csv/m: refused now, not after the training
        raise ConfigError(f"'{above}' is a file, so '{target}' cannot be created; choose a directory path (the path given to save, or --out)")
    if target.is_dir() and _foreign(target, marker):
        raise ConfigError(f"'{target}' exists, is not empty and holds no seqcast {what}; choose a new or empty directory (the path given to save, or --out)")
    others = _others(target, known) if target.is_dir() else []
    if others:  # `fit data.csv --config run.toml --out .` run from inside the model's folder deleted both
        shown = ", ".join(f"'{target / n}'" for n in others[:3]) + (", ..." if len(others) > 3 else "")
        raise ConfigError(f"'{target}' holds a seqcast {what} and also {shown}, which replacing the folder would delete; "
                          f"move {'it' if len(others) == 1 else 'them'} elsewhere or choose another directory (the path given to save, or --out)")
    if above is not None and not os.access(above, os.W_OK | os.X_OK):  # found after the training otherwise
        raise ConfigError(f"'{above}' is not writable, so '{target}' cannot be written; choose a directory you can write to (the path given to save, or --out)")
    refused = _no_folder_in(above) if above is not None else None
    if refused is not None:  # /proc (ENOENT), /sys (EPERM) as root, whom os.access lets: found after the training otherwise
        raise ConfigError(f"'{target}' cannot be created: a folder cannot be made in '{above}' ({refused}); choose a directory you "
                          "can write to (the path given to save, or --out)")
    locked = _locked(target) if target.is_dir() else None
    if locked is not None:  # `chmod -R a-w m` to keep a model: it was replaced all the same, and left as '.m.xxxxxxxx.tmp'
        writable = os.access(locked, os.W_OK)  # else not listable (mode 0300): u+w would not do
        raise ConfigError(f"'{locked}' is not {'readable' if writable else 'writable'}, so the seqcast {what} in '{target}' cannot "
                          f"be replaced; make it {'readable' if writable else 'writable'} (chmod -R {'u+rwX' if writable else 'u+w'}) "
                          "or choose another directory (the path given to save, or --out)")
    return target


def _no_folder_in(folder: Path) -> str | None:
    """Why a folder cannot be made in `folder` (the system's words), or None: an empty one is made there and removed at
    once, as the save's temp folder will be."""
    try:
        made = tempfile.mkdtemp(prefix=".seqcast-check.", suffix=".tmp", dir=folder)
    except OSError as e:
        return e.strerror or str(e)
    with contextlib.suppress(OSError):
        os.rmdir(made)
    return None


MOUNTINFO = "/proc/self/mountinfo"  # Linux: the mount points, spaces and the like written as octal escapes (\040)


def _mount_point(folder: Path) -> bool:
    """os.path.ismount, or a folder bind-mounted from the same file system (same device: ismount cannot tell)."""
    if os.path.ismount(folder):
        return True
    try:
        with open(MOUNTINFO, encoding="utf-8", errors="surrogateescape") as fh:
            points = {line.split()[4] for line in fh if len(line.split()) > 4}
    except OSError:  # not Linux
        return False
    real = os.path.realpath(folder)
    return any(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), p) == real for p in points)


def _locked(folder: Path) -> Path | None:
    """The first folder in `folder` (itself, or one inside it such as a demo's model/) that cannot be listed and written:
    replacing `folder` swapped the new one in, then could not delete the earlier one, which stayed beside it."""
    for root, subdirs, _ in os.walk(folder):
        for d in [root, *(os.path.join(root, s) for s in subdirs)]:
            if not os.access(d, os.R_OK | os.W_OK | os.X_OK):
                return Path(d)
    return None


def _foreign(folder: Path, marker: str) -> bool:
    """A non-empty folder without `marker`. A save swapping its folder in meanwhile (two fits with one --out) moves
    the folder away between the looks: then it held `marker`, not the user's files."""
    before = _identity(folder)
    try:
        foreign = any(folder.iterdir()) and not (folder / marker).is_file()
    except FileNotFoundError:
        return False
    return foreign and not _replaced(folder, before)


def _others(folder: Path, known) -> list[str]:
    """The entries of a folder that seqcast did not write there: not in `known`, a file browser's or a killed write's temp file."""
    try:
        names = [p.name for p in folder.iterdir()]
    except FileNotFoundError:  # moved aside by another save meanwhile
        return []
    ours = set(known) | OS_FILES
    return sorted(n for n in names if n not in ours
                  and not (n.endswith(".tmp") and any(n.startswith(f".{k}.") for k in known)))  # write_atomic's, left by kill -9


def _holds_cwd(target: Path) -> bool:
    try:
        here, there = Path.cwd().resolve(), target.resolve()
    except OSError:  # the current directory was deleted
        return False
    return there == here or there in here.parents


def replace_dir(target, build, marker: str = META, what: str = "model", known=MODEL_FILES) -> None:
    """Build a directory with `build(tmp_dir)` beside `target`, then swap it in.

    `target` may be absent, empty, or an earlier seqcast model directory holding only what seqcast writes there
    (`known`); anything else is refused so that a typo in --out never deletes a user's folder, nor a refit the
    files a user put beside the model. A symlink is followed (the link stays)."""
    target = check_target(target, marker, what, known)
    if target.is_symlink():  # models/current -> v3: v3 is replaced and the link stays, as write_atomic does with files
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    with _naming(target):
        tmp = Path(tempfile.mkdtemp(prefix=f".{_cut(target.name, 240)}.", suffix=".tmp", dir=target.parent))
    saved = SAVED.get()
    inside, ours = len(saved or []), _inode(tmp)  # what `build` writes in the temp folder: saved only as part of `target`
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the folder the mode mkdir would
        with _naming(tmp, target):  # 'm/weights.safetensors', not '.m.k2j3abcd.tmp/weights.safetensors'
            build(tmp)
        olds = _swap_in(tmp, target)
    except BaseException:
        del (saved or [])[inside:]
        if _inode(target) == ours:  # a Ctrl-C just after the swap: the new folder is in, the earlier one at `tmp`
            _saved(target)
        _remove([tmp])
        raise
    del (saved or [])[inside:]
    _saved(target)
    _remove(olds)


def _inode(p: Path):
    try:
        st = os.stat(p)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _remove(folders) -> None:
    """Delete `folders` (temp ones); a Ctrl-C or SIGTERM meanwhile lets the deletion finish first: it stopped
    rmtree half-way, leaving '.m.xxxxxxxx.tmp' (the earlier model, partly deleted) beside the new one."""
    try:
        for d in folders:
            shutil.rmtree(d, ignore_errors=True)
    except KeyboardInterrupt:
        for d in folders:
            shutil.rmtree(d, ignore_errors=True)
        raise


_RENAME_EXCHANGE, _AT_FDCWD = 2, -100  # linux/fs.h, fcntl.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders at `a` and `b` in one step (Linux renameat2 RENAME_EXCHANGE): a reader of `b` sees the old
    folder or the new one, never none. False where that cannot be done (another system, an old kernel or C library,
    a file system without it, or no `b` yet): the caller then renames in two steps."""
    import sys

    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc < 2.28, some musl)
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


def _swap_in(tmp: Path, target: Path) -> list[Path]:
    """Put `tmp` at `target`; returns the earlier folders, to delete. Where the system can, the two are exchanged in
    one step (`_exchange`: a `predict` reading the model meanwhile never finds it missing), and the earlier folder
    is then at `tmp`. Elsewhere the folder there is moved aside first, then `tmp` renamed.

    Another process may swap its own folder in at the same moment (two fits with one --out): the rename onto
    the folder it just put there fails (not empty), so that one is moved aside too and the rename tried again.
    The last rename wins, whole; each moved-aside folder has its own name, so none is left behind."""
    stop_if_interrupted()
    if target.is_dir() and not target.is_symlink() and _exchange(tmp, target):
        return [tmp]
    olds = []
    try:
        for _ in range(1000):
            stop_if_interrupted()
            old = target.with_name(f"{_aside(target.name)}{os.getpid()}-{uuid.uuid4().hex[:8]}")
            olds.append(old)  # before the move: a Ctrl-C landing just after it still puts the earlier folder back
            try:
                os.replace(target, old)
            except FileNotFoundError:
                olds.pop()
            try:
                _rename(tmp, target)
                return olds
            except OSError as e:
                if e.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        raise OSError(errno.EBUSY, "other processes kept replacing it; try again", str(target))
    except BaseException:
        try:
            if olds and not target.exists():
                os.replace(olds.pop(), target)  # put the earlier model back
        except OSError:
            pass
        for old in olds:
            shutil.rmtree(old, ignore_errors=True)
        raise


# ---- one command at a time per folder ---------------------------------------------------------------


#: The lock files held in this context (`holding`). A context variable: another thread's save is another writer.
_HOLDING: contextvars.ContextVar[frozenset[Path]] = contextvars.ContextVar("seqcast_holding", default=frozenset())


@contextlib.contextmanager
def holding(target, who: str = "", mine_ok: bool = False):
    """Hold the folder `target`, which a CLI command or `Forecaster.save` will replace, until the block ends. A second
    writer of the same folder (two terminals, `make -j`, a cron job, a script) is refused at once, naming the first
    (`who`): both swapped their folder in, the last one winning, and both said they had written it. The lock is a file
    '.NAME.lock' beside `target` (fcntl.flock: the system lets go of it when the process ends, even by kill -9), deleted
    after, with the folders made for it. Where there is no flock (Windows) or the file system refuses locks, nothing is
    held. `mine_ok`: a hold of this context's own is this writer's (the save inside `seqcast fit --out m`), not another's."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    real = Path(os.path.realpath(Path(target).expanduser()))  # m, ./m and a link to m: one folder, one lock
    lock, made, fd = real.parent / f".{_cut(real.name, 245)}.lock", [], None
    if mine_ok and lock in _HOLDING.get():
        yield
        return
    try:
        fd = _lock(lock, made, fcntl, target)
        if fd is not None:
            with contextlib.suppress(OSError):  # a lock file of another user's: held, read-only
                os.ftruncate(fd, 0)
                said = f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}: {who}"
                os.write(fd, said.encode("utf-8", "backslashreplace"))  # a file name's undecodable byte: '\udcc7'
        _HOLDING.set(_HOLDING.get() | {lock})
        try:
            yield
        finally:
            _HOLDING.set(_HOLDING.get() - {lock})
    finally:
        if fd is not None:
            if _inode(lock) == _fd_inode(fd):
                lock.unlink(missing_ok=True)  # before letting go: a command that opened it then finds it gone, and retries
            os.close(fd)
        for d in reversed(made):
            try:
                d.rmdir()
            except OSError:  # not empty: another command's, or the folder saved
                break


def _lock(lock: Path, made: list, fcntl, target) -> int | None:
    """A descriptor of the file `lock`, flock-ed; None where the file system refuses locks. ConfigError when another
    process holds it. The folders made for it are added to `made`."""
    missing = None  # why the file could not be made in its folder, there on the last try
    for _ in range(100):
        made += _make_parents(lock.parent)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except FileNotFoundError as e:  # its folder removed meanwhile, by the command that had made it; or there, and the
            missing = e.strerror if lock.parent.is_dir() else None  # file cannot be made: a link to nowhere, /proc
            continue
        except PermissionError:  # another user's lock file, in a shared folder: held read-only
            try:
                fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:  # none, in a folder this user cannot write to: the save says so
                return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            try:
                who = lock.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                who = ""
            raise ConfigError(f"'{target}' is being written by another seqcast command{f' ({who})' if who else ''}; "
                              "wait for it to end, or choose another directory (the path given to save, or --out)") from None
        except OSError:  # ENOLCK, EINVAL: a file system without locks (some network shares)
            os.close(fd)
            lock.unlink(missing_ok=True)
            return None
        if _inode(lock) == _fd_inode(fd):
            return fd
        os.close(fd)  # its holder deleted it as it let go: a new one
        missing = None
    if missing is not None:  # not replaced: "other seqcast commands keep writing that directory" was none of them
        link = f", a link to '{os.readlink(lock)}'," if lock.is_symlink() else ""
        raise ConfigError(f"'{target}' could not be held: its lock file '{lock}'{link} cannot be created ({missing}); "
                          f"{'delete the link or ' if link else ''}choose another directory (the path given to save, or --out)")
    raise ConfigError(f"'{target}' could not be held: its lock file '{lock}' was replaced 100 times while this command "
                      "took it (other seqcast commands keep writing that directory); wait for them to end, or choose "
                      "another directory (the path given to save, or --out)")


def _fd_inode(fd: int):
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


def _make_parents(folder: Path) -> list[Path]:
    """Make `folder` and the folders above it that are missing; returns those made, the top one first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    for p in missing:
        p.mkdir(exist_ok=True)
    return missing


# ---- parameters <-> flat arrays --------------------------------------------------------------------


def flatten(params: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in params.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, name + "."))
        elif isinstance(v, (list, tuple)):
            for i, item in enumerate(v):
                out.update(flatten(item, f"{name}.{i}."))
        else:
            out[name] = v  # an array, or a ShapeDtypeStruct from jax.eval_shape
    return out


def unflatten_like(template: dict, flat: dict, where: str) -> dict:
    """Rebuild `template`'s structure from `flat`, checking every name, shape and dtype."""
    want = flatten(template)
    missing, extra = sorted(set(want) - set(flat)), sorted(set(flat) - set(want))
    if missing or extra:
        raise ModelFileError(f"{where}: weights do not match the model in model.json (missing {missing[:3]}, unexpected {extra[:3]}); re-save the model")
    cast = {}
    for k, ref in want.items():
        if tuple(flat[k].shape) != tuple(ref.shape):
            raise ModelFileError(f"{where}: weight '{k}' has shape {flat[k].shape}, the model needs {ref.shape}; re-save the model")
        if not np.issubdtype(flat[k].dtype, np.floating):  # int, bool, complex: cast silently, they forecast nonsense
            raise ModelFileError(f"{where}: weight '{k}' has dtype {flat[k].dtype}, not floating point (seqcast writes float32); re-save the model")
        with np.errstate(over="ignore"):
            cast[k] = flat[k].astype(np.float32)
        if not np.isfinite(cast[k]).all():  # a fit that diverged is never saved: predict would write empty forecasts
            raise ModelFileError(f"{where}: weight '{k}' holds NaN or infinite values (as float32); the file is damaged, re-save the model")

    def build(node, prefix):
        if isinstance(node, dict):
            return {k: build(v, f"{prefix}{k}.") for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [build(v, f"{prefix}{i}.") for i, v in enumerate(node)]
        return cast[prefix[:-1]]

    return build(template, "")


# ---- save / load -----------------------------------------------------------------------------------


def _finite_or_none(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None  # JSON has no inf: an infinite width is written as null


def save_model(f, path, extra=None) -> None:
    """Save a fitted Forecaster to the directory `path` (atomically). `extra(folder)` may add files beside the
    model (fit's test predictions and report): they are written in the same temp folder and swapped in with it."""
    path = model_path(path)
    weights = _safetensors_bytes(flatten(f.params_))
    meta = {**model_meta(f), "weights_sha256": hashlib.sha256(weights).hexdigest()}

    def build(d: Path):
        write_atomic(d / WEIGHTS, weights)
        write_atomic(d / META, json_bytes(meta, indent=2))
        if extra is not None:
            extra(d)

    replace_dir(path, build)


def model_meta(f) -> dict:
    """model.json's content for a fitted Forecaster, but the weights' checksum (which save_model adds)."""
    from . import __version__

    h = f.history_
    intervals = None
    if f.levels_:
        intervals = {
            "levels": [float(q) for q in f.levels_],
            "horizon": int(f.interval_horizon_),
            "calibration_windows": int(f.calibration_windows_),
            "calibration_series": int(f.calibration_series_),  # how many series the widths come from
            "widths": [[_finite_or_none(x) for x in f.widths_[q]] for q in f.levels_],  # one row per level
            "scales": [float(x) for x in f.interval_scales_],  # per series, aligned with "series"
            "floors": _floors_json(f),  # as the top level's: where a seqcast before it read them
        }
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "seqcast_version": __version__,
        "config": f.config_.to_dict(),  # the options the model was fitted with
        "horizon": int(f.horizon_),
        "fit_horizon": f.fit_horizon_,  # the horizon fit was asked for (predict's default), or null
        "columns": f.columns_,  # the data's column names, where known: predict --data reads new data by them
        **({"encoding": f.encoding_} if f.encoding_ is not None else {}),  # fit --encoding's: predict --data's default
        "floors": _floors_json(f),  # per series: 0 (never negative: no forecast below it) or null
        "season": int(f.season_),
        "long_format": bool(f.long_format_),
        "leaks": bool(f.leaks_),
        "series": [{"id": k, "scaler": sc.to_dict(), "schema": sch, "context": [float(x) for x in ctx]}
                   for k, sc, sch, ctx in zip(f.series_ids_, f.scalers_, f.schemas_, f.contexts_)],
        "intervals": intervals,
        "n_windows": list(f.n_windows_),
        "history": {"loss": h.loss, "val_loss": h.val_loss, "best_epoch": h.best_epoch, "fit_s": h.fit_s},
    }


def read_meta(path) -> dict:
    p = model_path(path)
    if p.exists() and not p.is_dir():  # a file, or a pipe or device (/dev/null): not "not found"
        raise ModelFileError(f"'{p}' is a file, not a model directory; pass a directory written by `seqcast fit --out`")
    if not p.is_dir():
        aside = sorted(p.parent.glob(f"{glob_escape(_aside(p.name))}*/{META}"), key=lambda m: m.stat().st_mtime)
        if aside:  # a save killed between its two renames (kill -9, power loss) left the model moved aside
            raise ModelFileError(f"model directory '{p}' not found, but '{aside[-1].parent}' holds the model a save that was "
                                 f"killed moved aside; rename it to '{p}' (or refit)")
        raise ModelFileError(f"model directory '{p}' not found; pass a directory written by `seqcast fit --out`")
    mf = p / META
    if not mf.is_file():
        inside = [c.parent for c in sorted(p.glob(f"*/{META}"))]  # e.g. seqcast-out/model after `seqcast demo`
        there = f" (the model is in '{inside[0]}')" if len(inside) == 1 else ""
        raise ModelFileError(f"'{p}' holds no seqcast model ({META} missing){there}; pass a directory written by `seqcast fit --out`")
    try:
        meta = json.loads(mf.read_text(encoding="utf-8-sig"))  # a BOM from an editor is no corruption
    except UNPARSABLE as e:  # also nested too deeply, a number of 5000 digits
        raise ModelFileError(f"'{mf}' is corrupt (not valid JSON: {unparsable(e)}); re-save the model with `seqcast fit`") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"'{mf}' is not a seqcast model file; re-save the model with `seqcast fit`")
    v = meta.get("format_version")
    if v != FORMAT_VERSION:
        if isinstance(v, int) and not isinstance(v, bool) and v < FORMAT_VERSION:
            raise ModelFileError(f"'{mf}' has format version {v}, written by an older seqcast; this seqcast reads version "
                                 f"{FORMAT_VERSION}: refit and save the model again with `seqcast fit`")
        if isinstance(v, int) and not isinstance(v, bool):
            raise ModelFileError(f"'{mf}' has format version {v}, written by a newer seqcast; this seqcast reads version "
                                 f"{FORMAT_VERSION}: upgrade seqcast to load it")
        raise ModelFileError(f"'{mf}' has format version {v!r}, not a version number; this seqcast reads version {FORMAT_VERSION}")
    return meta


def load_model(path: str | Path) -> Forecaster:
    """Load a model directory (written by `Forecaster.save` or `seqcast fit --out`) into a fitted Forecaster,
    ready to `forecast`. Never unpickles anything.

    Raises:
        ModelFileError: the directory is missing, corrupt, of another format version, or holds options this seqcast does not know.
        ConfigError: `path` is not a path.
    """
    import jax

    from .config import from_dict
    from .forecast import Forecaster, init_params, series_ids
    from .panel import model_spec
    from .scaling import Scaler
    from .train import History, check_backend

    p = model_path(path)
    meta, raw = _read_whole(p)
    _check_options(meta, p / META)
    check_backend()  # a JAX_PLATFORMS this machine lacks is not a corrupt model
    try:
        from safetensors.numpy import load as st_load

        flat = st_load(raw)
        cfg = from_dict(meta["config"], source=f"'{p / META}'")
        f = Forecaster(cfg)
        f.config_ = cfg
        f.horizon_, f.season_ = _int(meta["horizon"], "horizon"), _int(meta["season"], "season")
        f.spec_ = model_spec(cfg, f.horizon_, f.season_)
        if f.spec_.n_outputs != f.horizon_:
            raise ValueError(f"horizon {f.horizon_} does not fit a {cfg.strategy} model")
        _check_size(f.spec_, cfg.ensemble, flat, str(p))  # before drawing a template model.json may have made huge
        template = init_params(f.spec_, cfg.seed, cfg.ensemble)  # numpy draws: cheap
        f.params_ = jax.device_put(unflatten_like(template, flat, str(p)))  # jnp.asarray compiled a copy per shape: 0.3 s
        f.long_format_ = meta["long_format"]
        f.leaks_ = meta["leaks"]
        series = meta["series"]
        if not isinstance(series, list) or not series:
            raise ValueError("series must be a non-empty list")
        ids = [s["id"] for s in series]
        if not all(isinstance(k, (str, int)) and not isinstance(k, bool) for k in ids):
            raise ValueError("series ids must be text or integers")
        f.series_ids_ = series_ids(ids)  # integers stay integers (files written before kept text)
        f.scalers_ = [Scaler.from_dict(s["scaler"]) for s in series]
        f.schemas_ = [dict(s["schema"]) for s in series]
        for sch in f.schemas_:  # the fitted range (predict --data's far note; older files: none) is two finite numbers
            rng = [sch[k] for k in ("min", "max") if k in sch]
            if rng and not (len(rng) == 2 and all(_finite_number(x) for x in rng)):
                raise ValueError(f"schema min and max must be finite numbers. Received: {rng!r:.80}")
        f.contexts_ = [np.asarray(s["context"], dtype=np.float64) for s in series]
        if len(series) == 1:
            f.scaler_, f.schema_, f.context_ = f.scalers_[0], f.schemas_[0], f.contexts_[0]
        fh = meta.get("fit_horizon")  # absent in older files: predict's default as before
        f.fit_horizon_ = None if fh is None else _int(fh, "fit_horizon")
        f.columns_ = _columns(meta.get("columns"), None if f.long_format_ else f.schemas_[0].get("name"))
        f.encoding_ = saved_encoding(meta)
        f.levels_, f.widths_, f.interval_scales_, f.interval_horizon_, f.calibration_windows_ = (), {}, None, None, 0
        f.calibration_series_ = 0
        floors = meta.get("floors")  # older files: only with intervals, in them
        iv = meta["intervals"]
        floors = iv.get("floors") if floors is None and iv is not None else floors
        f.floors_ = None if floors is None else np.array([np.nan if x is None else float(x) for x in floors])
        if iv is not None:
            f.levels_ = tuple(float(q) for q in iv["levels"])
            f.interval_horizon_ = _int(iv["horizon"], "intervals.horizon")
            f.calibration_windows_ = _int(iv["calibration_windows"], "intervals.calibration_windows")
            f.calibration_series_ = _int(iv.get("calibration_series", len(series)), "intervals.calibration_series")  # older: all
            if len(iv["widths"]) != len(f.levels_):
                raise ValueError(f"{len(iv['widths'])} rows of widths for {len(f.levels_)} levels")
            f.widths_ = {q: np.array([np.inf if x is None else float(x) for x in row]) for q, row in zip(f.levels_, iv["widths"])}
            f.interval_scales_ = np.asarray(iv["scales"], dtype=np.float64)
        f.n_windows_ = tuple(meta["n_windows"])
        hist = meta["history"]
        f.history_ = History(loss=hist["loss"], val_loss=hist["val_loss"], best_epoch=hist["best_epoch"], fit_s=hist["fit_s"])
        _check_state(f)
    except ModelFileError:
        raise
    except Exception as e:  # any other inconsistency in the files: one clear line, no traceback
        if out_of_memory(e):  # (a full GPU at device_put): the CLI says so, a refit would not help
            raise
        raise ModelFileError(f"'{p}' is corrupt or inconsistent ({type(e).__name__}: {e}); re-save the model with `seqcast fit`") from None
    for k, ctx in zip(f.series_ids_, f.contexts_):
        if len(ctx) != cfg.window and not (f.long_format_ and 1 <= len(ctx) < cfg.window):
            raise ModelFileError(f"'{p / META}': context of series {k!r} has {len(ctx)} values, window is {cfg.window}; re-save the model")
    return f


def _finite_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _columns(saved, value_name) -> dict:
    """model.json's column names {"id", "date", "value"} (text or null); an older file has only a one-series model's
    value column name, in its schema."""
    if saved is None:
        return {"id": None, "date": None, "value": value_name if isinstance(value_name, str) else None}
    if not isinstance(saved, dict) or set(saved) != {"id", "date", "value"} or \
            not all(v is None or isinstance(v, str) for v in saved.values()):
        raise ValueError(f"columns must be an object of id, date and value, each text or null. Received: {saved!r}")
    return dict(saved)


def saved_encoding(meta: dict) -> str | None:
    """model.json's "encoding" (fit --encoding's; absent: none given, or a file saved before it was kept), checked."""
    from .data import check_encoding

    enc = meta.get("encoding")
    if enc is not None and not isinstance(enc, str):  # a codec object codecs.lookup would take
        raise ValueError(f"encoding must be a codec's name. Received: {enc!r:.80}")
    check_encoding(enc)
    return enc


def _floors_json(f) -> list | None:
    return None if f.floors_ is None else [_finite_or_none(x) for x in f.floors_]


def _check_options(meta: dict, mf: Path) -> None:
    """An option this seqcast does not know, in a file another seqcast version wrote (same format version): said so,
    not "corrupt ... re-save the model" (a hand-edited option, with this version's number, still reads corrupt)."""
    import dataclasses

    from . import __version__
    from .config import Config

    cfg, v = meta.get("config"), meta.get("seqcast_version")
    if not isinstance(cfg, dict) or not isinstance(v, str) or v == __version__:
        return
    unknown = sorted(set(cfg) - {f.name for f in dataclasses.fields(Config)})
    if unknown:
        raise ModelFileError(f"'{mf}' was written by seqcast {v} with option {unknown[0]!r}, which this seqcast ({__version__}) "
                             f"does not know; load it with seqcast {v}, or refit it with this one")


def _read_files(p: Path) -> tuple[dict, bytes]:
    meta = read_meta(p)
    wf = p / WEIGHTS
    if not wf.is_file():
        raise ModelFileError(f"'{p}' has no {WEIGHTS}; re-save the model with `seqcast fit`")
    raw = wf.read_bytes()
    if hashlib.sha256(raw).hexdigest() != meta.get("weights_sha256"):
        raise ModelFileError(f"'{wf}' does not match {META} (checksum differs): the file is corrupt or from another model; re-save the model")
    return meta, raw


def _read_whole(p: Path, read=_read_files, tries: int = 50):
    """`read(p)` of one save of the folder `p` (default: its model.json and weights). A save running meanwhile (fit --out
    on this folder) swaps a new folder in between two reads, or the folder is briefly absent: a read that failed, or
    that the folder changed under, is done again."""
    for i in range(tries):
        before = _identity(p)
        try:
            got = read(p)
        except (SeqcastError, OSError):
            if i == tries - 1 or not _replaced(p, before):
                raise
            time.sleep(0.01)
            continue
        if _identity(p) == before:
            return got
    raise ModelFileError(f"'{p}' was replaced while it was read, {tries} times; try again when the save writing it has ended")


def _identity(p: Path):
    try:
        st = os.stat(p)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_ctime_ns  # an inode freed by one swap can come back in the next


def _replaced(p: Path, before) -> bool:
    """The folder changed since `before`, or a save is swapping one in (its earlier folder moved aside, see _swap_in)."""
    real = Path(os.path.realpath(p))
    return _identity(p) != before or any(real.parent.glob(f"{glob_escape(_aside(real.name))}*"))


def _check_size(spec, members: int, flat: dict, where: str) -> None:
    """Refuse a model.json whose config needs other weights than the file holds before building a template for it:
    a hand-edited `ensemble` of 300000 or `units` of [64000] would otherwise take minutes and gigabytes to refuse."""
    from .models.rnn import n_values

    have, need = sum(int(np.size(v)) for v in flat.values()), members * n_values(spec)  # counted, not drawn
    if need != have:
        raise ModelFileError(f"{where}: weights do not match the model in model.json (the config needs {need} numbers, "
                             f"{WEIGHTS} holds {have}); re-save the model")


def _int(v, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise ValueError(f"{name}={v!r} is not an integer >= 1")
    return v


def _check_state(f) -> None:
    """What forecast() reads from model.json, checked at load so a hand-edited file fails here.
    Raises ValueError/KeyError/TypeError, which load_model reports as one ModelFileError line."""
    import math

    from .forecast import _future_dates
    from .scaling import SCALERS

    for name in ("long_format", "leaks"):
        if not isinstance(getattr(f, name + "_"), bool):
            raise ValueError(f"{name}={getattr(f, name + '_')!r} is not true or false")
    if not f.long_format_ and len(f.series_ids_) != 1:
        raise ValueError(f"{len(f.series_ids_)} series in a one-series model")
    for s in f.scalers_:
        if s.kind not in SCALERS:
            raise ValueError(f"scaler kind {s.kind!r} is not one of {', '.join(SCALERS)}")
        for k in ("shift", "scale", "lo", "hi"):
            v = getattr(s, k)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ValueError(f"scaler {k}={v!r} is not a finite number")
        if not s.scale > 0 or not s.lo < s.hi:  # fit_scaler never writes these: forecasts would be inf or flat
            raise ValueError(f"scaler scale={s.scale!r} must be > 0 and lo={s.lo!r} < hi={s.hi!r}")
        if not isinstance(s.log, bool):
            raise ValueError(f"scaler log={s.log!r} is not true or false")
        if not isinstance(s.nonneg, bool):
            raise ValueError(f"scaler nonneg={s.nonneg!r} is not true or false")
    for ctx in f.contexts_:
        if ctx.ndim != 1 or not np.isfinite(ctx).all():
            raise ValueError("context must be a list of finite numbers")
    for schema in f.schemas_:
        _future_dates(schema, 1)  # schema: freq, last
    if f.floors_ is not None and (f.floors_.shape != (len(f.series_ids_),) or np.isinf(f.floors_).any()):
        raise ValueError(f"floors must be {len(f.series_ids_)} numbers or nulls, one per series")
    if f.levels_:
        if list(f.levels_) != sorted(set(f.levels_)) or not all(0 < q < 100 for q in f.levels_):
            raise ValueError(f"levels {list(f.levels_)} are not ascending percentages in (0, 100)")
        for q, w in f.widths_.items():
            if w.shape != (f.interval_horizon_,) or np.isnan(w).any() or (w < 0).any():
                raise ValueError(f"widths of level {q:g} must be {f.interval_horizon_} numbers >= 0")
        sc = f.interval_scales_
        if sc.shape != (len(f.series_ids_),) or not np.isfinite(sc).all() or (sc < 0).any():
            raise ValueError(f"interval scales must be {len(f.series_ids_)} finite numbers >= 0, one per series")


def _safetensors_bytes(flat: dict) -> bytes:
    from safetensors.numpy import save

    return save({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in flat.items()})
