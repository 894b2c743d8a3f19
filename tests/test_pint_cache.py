"""The pint definition cache (LCA_PINT_CACHE) never fails a run: damaged caches are rebuilt,
racing cold starts all succeed (lca/units/cache.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lca.units.cache import MANIFEST, build_registry, cache_key, verified

RUN = [sys.executable, "-c", "from lca.cli import main; main()", "run", "--format", "csv"]


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LCA_NO_CACHE"}
    env["LCA_PINT_CACHE"] = str(cache)
    return env


def _run(cache: Path) -> subprocess.CompletedProcess:
    return subprocess.run(RUN, env=_env(cache), capture_output=True, text=True, timeout=300)


def _jp_total(stdout: str) -> float:
    rows = [line.split(",") for line in stdout.splitlines()[1:] if line.startswith("jp-import,")]
    return sum(float(r[2]) for r in rows)


def _damage(folder: Path) -> None:
    """One cache file emptied, one truncated, one overwritten with garbage of the same length."""
    pickles = sorted(folder.glob("*.pickle"))
    assert len(pickles) == 3
    empty, truncated, garbage = pickles
    empty.write_bytes(b"")
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    garbage.write_bytes(b"\x80\x05garbage" + b"\0" * (garbage.stat().st_size - 9))


def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path):
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    folder = tmp_path / cache_key()
    assert verified(folder)
    _damage(folder)
    for _ in range(2):  # the damaged run rebuilds; the next one uses the rebuilt cache
        again = _run(tmp_path)
        assert again.returncode == 0 and "Aborted" not in again.stderr, again.stderr
        assert _jp_total(again.stdout) == pytest.approx(_jp_total(first.stdout), rel=1e-15)
    assert verified(folder)


def test_four_parallel_cold_starts_all_succeed(tmp_path):
    procs = [subprocess.Popen(RUN, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err for _, err in outs]
    assert len({_jp_total(out) for out, _ in outs}) == 1
    assert verified(tmp_path / cache_key())
    assert [p.name for p in tmp_path.iterdir()] == [cache_key()]  # no temporary folder left behind


def test_an_unwritable_or_odd_cache_location_only_costs_time(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    assert build_registry(not_a_folder).Quantity(1, "kWh").to("MJ").magnitude == pytest.approx(3.6)
    assert build_registry(None).Quantity(1, "kWh").to("MJ").magnitude == pytest.approx(3.6)


@pytest.mark.parametrize("damage", ["no manifest", "bad json", "extra file", "missing file"])
def test_a_folder_is_only_trusted_with_its_manifest(tmp_path, damage):
    build_registry(tmp_path)
    folder = tmp_path / cache_key()
    assert verified(folder)
    if damage == "no manifest":
        (folder / MANIFEST).unlink()
    elif damage == "bad json":
        (folder / MANIFEST).write_text("{", encoding="utf-8")
    elif damage == "extra file":
        (folder / "extra.pickle").write_bytes(b"x")
    else:
        next(folder.glob("*.pickle")).unlink()
    assert not verified(folder)
    ureg = build_registry(tmp_path)  # rebuilt in place
    assert ureg.Quantity(1e6, "Btu_it").to("MJ").magnitude == pytest.approx(1055.05585262)
    assert verified(folder)
