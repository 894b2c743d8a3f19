"""Writing outputs safely: never over an input, atomically, with a located message when the OS refuses.

Three guarantees, shared by every command that writes a file or a folder:

* :func:`guard_outputs` refuses an output path that *is* one of the command's inputs (compared by
  device and inode, so symbolic links, hard links, ``./x`` vs ``x`` and case-insensitive file
  systems are all caught), lies inside an input folder, or is a folder holding an input; and two
  outputs of one command that name the same file.
* :func:`check_output_path` / :func:`ensure_folder` say where a path cannot be written (a folder
  where a file is expected, a file where a folder is expected, a symbolic link loop, a missing
  parent folder) before any work is done.
* :func:`write_atomic` writes through a temporary sibling and ``os.replace``: a reader never sees a
  half-written file, and a failed or interrupted run leaves neither a partial file nor a temporary one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from lca.errors import OutputError

#: (what it is, path): ``("study file", Path("s.toml"))``, ``("-o/--output", Path("r.html"))``
Named = tuple[str, "Path | str"]


def write_atomic(path: Path | str, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    check_output_path(path)
    folder = _folder_of(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {os_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        # mkstemp creates 0600; give the file the permissions a plain open() would have
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        discard(tmp)
        raise OutputError(f"cannot write {path}: {os_reason(exc)}") from None
    except BaseException:
        discard(tmp)
        raise
    return path


def discard(tmp: Path | str) -> None:
    """Remove a temporary file if it is there (cleanup never hides the original error)."""
    try:
        os.unlink(tmp)
    except OSError:
        pass



# ----------------------------------------------------------------------------- path checks

def check_output_path(path: Path | str, option: str | None = None, *, folder: bool = False) -> None:
    """Raise :class:`OutputError` if ``path`` cannot be written as a file (``folder=True``: as a folder
    that replaces whatever folder is there): a folder where a file is expected or the reverse, a
    symbolic link loop, or a parent folder that is missing or is a file. ``option`` names the
    command-line option in the message."""
    path = Path(path)
    who = f"{path} ({option})" if option else str(path)
    _no_loop(path, who)
    if not folder and path.is_dir():
        raise OutputError(f"cannot write {who}: it is a folder (give a file name)")
    if folder and path.exists() and not path.is_dir():
        raise OutputError(f"cannot write {who}: it is a file, not a folder (give a folder name)")
    if not folder:
        _regular_or_absent(path, who)
    _parent_is_folder(path, who)


def ensure_folder(path: Path | str, option: str | None = None) -> Path:
    """Create the output folder ``path`` (and its parents) or say exactly why it cannot be one."""
    path = Path(path)
    who = f"{path} ({option})" if option else str(path)
    _no_loop(path, who)
    if path.exists() and not path.is_dir():
        raise OutputError(f"cannot write into {who}: it is a file, not a folder (give a folder name)")
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"cannot create {who}: {parent} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {who}: {os_reason(exc)}") from None
    return path


def _folder_of(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _no_loop(path: Path, who: str) -> None:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"cannot write {who}: it is a symbolic link loop (remove the link or give "
                              f"another path)") from None


def _regular_or_absent(path: Path, who: str) -> None:
    """An output replaces what is at ``path`` (atomically, by rename): only a regular file may be
    replaced. A device (``/dev/full``), a FIFO, a socket — or a link to one (``/dev/stdout``) — would
    be destroyed, and the data never reach the reader the user meant."""
    import stat

    try:
        mode = os.stat(path).st_mode  # follows links: what the path names
    except OSError:
        return  # absent (or a dangling link, which the rename replaces harmlessly)
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        kind = ("a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a FIFO (named pipe)"
                if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise OutputError(f"cannot write {who}: it is {kind}, not a regular file (give a file name; a command "
                          "that can print to the terminal does so without -o)")


def _parent_is_folder(path: Path, who: str) -> None:
    folder = _folder_of(path)
    if folder.is_dir():
        return
    for parent in reversed([folder, *folder.parents]):
        if parent.exists() and not parent.is_dir():
            raise OutputError(f"cannot write {who}: {parent} is a file, not a folder")
    raise OutputError(f"cannot write {who}: folder {folder} does not exist")


def os_reason(exc: OSError) -> str:
    """The OS's words for an error, with what to do about the common ones."""
    text = exc.strerror or str(exc)
    hints = {errno.EACCES: "check the permissions of the file and its folders",
             errno.EPERM: "the file or folder is protected (read-only or immutable)",
             errno.EROFS: "the file system is read-only",
             errno.ENOSPC: "the disk is full",
             errno.ELOOP: "a symbolic link loop: remove the link or give another path"}
    hint = hints.get(exc.errno)
    return f"{text} ({hint})" if hint else text


# ------------------------------------------------------------------------- never over an input

def guard_outputs(outputs: Iterable[Named], inputs: Iterable[Named]) -> None:
    """Refuse to write over an input: raise :class:`OutputError` naming the output option and the input.

    ``outputs`` are ``(option, path)`` pairs, ``inputs`` ``(what, path)`` pairs (files or folders
    the command reads). An output is refused when it is the same file as an input (same device and
    inode when both exist, else the same normalised real path), lies inside an input folder, or is
    an existing folder that holds an input (a folder output is replaced as a whole); two outputs
    naming the same file are refused too. Nothing is read or written.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()); (d / "s.toml").write_text("x")
    1
    >>> guard_outputs([("-o", d / "s.toml")], [("study file", d / "s.toml")])
    Traceback (most recent call last):
    ...
    lca.errors.OutputError: refusing to write ... (-o): it is the study file ..., an input of this command; ...
    """
    outs = [(o, Path(p)) for o, p in outputs if p is not None]
    ins = [(w, Path(p)) for w, p in inputs if p is not None]
    for option, out in outs:
        _no_loop(out, f"{out} ({option})")
        for what, inp in ins:
            why = _clash(out, inp)
            if why:
                raise OutputError(f"refusing to write {out} ({option}): {why.format(what=what, inp=inp)}, an input "
                                  f"of this command; choose another output path (the input was not touched)")
    for i, (o1, p1) in enumerate(outs):
        for o2, p2 in outs[i + 1:]:
            if _same(p1, p2):
                raise OutputError(f"{o1} {p1} and {o2} {p2} name the same file; give them different paths")


def _clash(out: Path, inp: Path) -> str | None:
    if _same(out, inp):
        return "it is the {what} {inp}"
    if inp.is_dir() and _within(out, inp):
        return "it is inside the {what} folder {inp}"
    if out.is_dir() and _within(inp, out):
        return "it is a folder holding the {what} {inp} (writing it would replace that)"
    return None


def _ident(path: Path | str) -> tuple[int, int] | None:
    """(device, inode) of what ``path`` points to, or None if it does not exist (or cannot be reached)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _key(path: Path | str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _same(a: Path, b: Path) -> bool:
    ia, ib = _ident(a), _ident(b)
    if ia is not None and ib is not None:
        return ia == ib
    return _key(a) == _key(b)


def _within(path: Path, folder: Path) -> bool:
    """``path`` (existing or not) lies below ``folder``: an ancestor of its real path is that folder."""
    target = _ident(folder)
    ancestors: Sequence[Path] = Path(os.path.realpath(path)).parents
    if target is not None:
        return any(_ident(a) == target for a in ancestors)
    key = _key(folder)
    return any(_key(a) == key for a in ancestors)
