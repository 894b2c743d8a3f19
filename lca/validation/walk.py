"""Which files ``lca validate`` checks: the paths given, and every entry of the folders given.

A folder walk must not hide what a command would trip over. Every entry is classified with
``lstat``/``stat`` (never opened, so a FIFO cannot hang the run): a regular file (or a link to
one) with a data suffix is checked; a dangling link, a link loop or a FIFO/device named like a
data file is an error saying which; a folder named ``*.csv``/``*.toml`` (or a link to a folder
with such a name) is not a data file (an error unless ``--allow-unknown``); a link to a folder is
not followed, and listed as skipped. A folder counts as empty only if no entry is named like a
data file: a folder whose one study is a link loop reports the loop, not "empty folder".
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: suffixes of the files lca reads (a folder named ``*.parquet`` is a dataset of Parquet parts)
SUFFIXES = (".toml", ".csv", ".parquet")
#: suffixes a folder cannot carry and still be read as what its name says
FILE_ONLY = (".toml", ".csv")


def path_kind(path: Path) -> tuple[str, str | None]:
    """``(kind, detail)``: kind is file, dir, missing, dangling, loop or special; detail the link target."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        target = _target(path)
        if exc.errno == errno.ELOOP:
            return "loop", target
        if target is not None:
            return "dangling", target
        return "missing", None
    if stat.S_ISDIR(mode):
        return "dir", _target(path)
    if stat.S_ISREG(mode):
        return "file", _target(path)
    return "special", _target(path)


def _target(path: Path) -> str | None:
    try:
        return os.readlink(path) if path.is_symlink() else None
    except OSError:
        return None


def broken(path: Path, kind: str, target: str | None) -> tuple[str, str] | None:
    """``(reason, hint)`` when ``path`` cannot be read as a file at all; None for a file or folder."""
    if kind == "loop":
        return "symbolic link loop", "point the link at a real file, or remove it"
    if kind == "dangling":
        return (f"broken symbolic link: its target '{target}' does not exist",
                "point the link at a real file, or remove it")
    if kind == "missing":
        return "file not found", "check the path"
    if kind == "special":
        return "not a regular file (a FIFO, socket or device)", "name a regular file"
    return None


def walk(folder: Path) -> list[tuple[Path, str, str | None]]:
    """Every entry under ``folder`` (hidden ones excluded), sorted, with :func:`path_kind`.

    ``Path.rglob`` lists dangling links and loops and does not descend into linked folders.
    """
    out = []
    for f in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in f.relative_to(folder).parts):
            continue
        kind, target = path_kind(f)
        out.append((f, kind, target))
    return out
