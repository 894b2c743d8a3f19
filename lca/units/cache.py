"""A crash- and race-safe folder for pint's parsed-definition cache (``LCA_PINT_CACHE``).

How pint 0.25 caches: ``UnitRegistry(cache_folder=...)`` hands the folder to a flexcache
``DiskCache``, which pickles each parsed definition file and the registry's unit cache to
``<sha1>.pickle`` (plus a ``.json`` header). The names hash the pint version, the Python
implementation and version, the OS and the definition files' content; a file is trusted as soon as
it *exists* (``InvalidateByExist``) and is written in place, not atomically. So a reader racing a
writer, or a file truncated by a crash or a full disk, makes ``pickle.load`` raise — ``EOFError``,
which click reports as "Aborted.".

Here pint never sees a folder that has not been verified:

* the cache of one pint/Python build lives in its own subfolder (named from the same fields as
  pint's file names, so pint never has to write into a finished folder);
* a cold start builds into a private temporary folder, writes ``MANIFEST.json`` (SHA-256 of every
  file) last, and renames the folder into place — atomic; of racing starts the first wins and the
  others discard theirs;
* a warm start checks every digest before pint reads the folder; a missing or wrong manifest, or
  any exception while pint loads it, means: build without the cache (the run goes on) and replace
  the bad folder.

The cache only saves start-up time (~0.5 s); results never depend on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
import uuid
from pathlib import Path

MANIFEST = "MANIFEST.json"


def cache_key() -> str:
    """Subfolder name for this pint/Python build, e.g. ``pint-0.25.3-CPython-3.11.7-Linux``."""
    import pint

    raw = f"pint-{pint.__version__}-{platform.python_implementation()}-{platform.python_version()}-{platform.system()}"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", raw)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and p.name != MANIFEST}


def verified(folder: Path) -> bool:
    """Whether ``folder`` holds exactly the files its manifest lists, byte for byte."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return isinstance(manifest, dict) and bool(manifest) and manifest == _digests(folder)
    except (OSError, ValueError):
        return False


def _install(tmp: Path, final: Path) -> None:
    """Move a sealed ``tmp`` to ``final``; keep a good ``final`` that a racing start installed first."""
    try:
        os.rename(tmp, final)
        return
    except OSError:
        if verified(final):
            return
    trash = final.with_name(f".old-{uuid.uuid4().hex}")
    try:  # a damaged final: move it aside (atomic), then retry once
        os.rename(final, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)
    try:
        os.rename(tmp, final)
    except OSError:
        pass


def build_registry(folder: str | Path | None):
    """A pint ``UnitRegistry``, using the cache under ``folder`` when it is sound; never fails for it."""
    import pint

    if not folder:
        return pint.UnitRegistry()
    root = Path(folder)
    final = root / cache_key()
    if verified(final):
        try:
            return pint.UnitRegistry(cache_folder=final)
        except Exception:  # noqa: BLE001 - any damage pint trips over: rebuild below
            pass
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    except OSError:
        return pint.UnitRegistry()
    ureg = None
    try:
        ureg = pint.UnitRegistry(cache_folder=tmp)
        (tmp / MANIFEST).write_text(json.dumps(_digests(tmp), sort_keys=True), encoding="utf-8")
        _install(tmp, final)
    except Exception:  # noqa: BLE001 - an unwritable or full cache folder only costs start-up time
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already if it was installed
    return ureg if ureg is not None else pint.UnitRegistry()
