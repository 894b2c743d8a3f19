"""No command writes over one of its inputs; OS errors on outputs are one located message; no traceback.

Every case checks the same contract: exit code, a message naming the path (and option), inputs
byte-identical afterwards, and no output or temporary file left behind by a failed run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

TINY = Path(__file__).parent / "data" / "tiny"
TS = "2026-01-01T00:00:00Z"
LOTS = "lot_id,date,quantity,unit,scenario,destination_plant\nA,2025-03-01,3,m^2,one-site,plant\n"
PLANT = "plant,period,carrier,energy,output\n"


@pytest.fixture()
def study(tmp_path) -> Path:
    """The tiny study with a sites table file, its factor file, shipments and an extra factor layer."""
    text = (TINY / "study.toml").read_text(encoding="utf-8")
    text = text.replace("[factors]", '[tables]\nsites = "sites.csv"\n\n[factors]', 1)
    text = text.replace('[[site]]\nid = "mill2"\nname = "Second mill"\ncountry = "ZZ"\ngrid = "ZZ-SOUTH"\n', "", 1)
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    (tmp_path / "sites.csv").write_text("id,name,country,grid\nmill2,Second mill,ZZ,ZZ-SOUTH\n", encoding="utf-8")
    (tmp_path / "factors.csv").write_bytes((TINY / "factors.csv").read_bytes())
    (tmp_path / "extra.csv").write_bytes((TINY / "factors.csv").read_bytes())
    (tmp_path / "lots.csv").write_text(LOTS, encoding="utf-8")
    return tmp_path / "study.toml"


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _clean_failure(r, folder: Path, before: dict[str, str], *words: str) -> None:
    out = r.stdout + r.stderr
    assert r.exit_code == 1, out
    assert "Traceback" not in out
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    for w in words:
        assert w in r.stderr, (w, r.stderr)
    assert _hashes(folder) == before, "an input changed"
    assert not [p for p in folder.rglob("*") if p.name.endswith(".tmp")], "a temporary file was left"


# --------------------------------------------------------------------------------- never over an input

CASES = {  # command line (after the command), the input named in the message
    "report over the study": (["report", "{d}/study.toml", "-o", "{d}/study.toml"], "study file"),
    "report over a table file": (["report", "{d}/study.toml", "-o", "{d}/sites.csv"], "table file"),
    "report over the study's factor file": (["report", "{d}/study.toml", "-o", "{d}/factors.csv"], "factor file"),
    "report over --factors": (["report", "{d}/study.toml", "--factors", "{d}/extra.csv", "-o", "{d}/extra.csv"],
                              "--factors"),
    "report, other spelling": (["report", "{d}/study.toml", "-o", "{d}/../{n}/./study.toml"], "study file"),
    "report --pdf over the study": (["report", "{d}/study.toml", "--pdf", "-o", "{d}/study.html"], "study file"),
    "export over the study": (["export", "{d}/study.toml", "--format", "csv", "-o", "{d}/study.toml"], "study file"),
    "export json over a table": (["export", "{d}/study.toml", "--format", "json", "-o", "{d}/sites.csv"],
                                 "table file"),
    "export pact over factors": (["export", "{d}/study.toml", "-o", "{d}/factors.csv", "--created", TS],
                                 "factor file"),
    "ledger over the shipments": (["ledger", "{d}/lots.csv", "-s", "{d}/study.toml", "-o", "{d}/lots.csv"],
                                  "shipments"),
    "ledger rejects over the study": (["ledger", "{d}/lots.csv", "-s", "{d}/study.toml", "-o", "{d}/o.parquet",
                                       "--rejects", "{d}/study.toml"], "study file"),
    "ledger rejects over plant data": (["ledger", "{d}/lots.csv", "-s", "{d}/study.toml", "--plant-data",
                                        "{d}/plant.csv", "-o", "{d}/o.parquet", "--rejects", "{d}/plant.csv"],
                                       "plant data"),
    "ledger default rejects over the shipments": (["ledger", "{d}/o.rejects.parquet", "-s", "{d}/study.toml",
                                                   "-o", "{d}/o.parquet"], "shipments"),
    "ledger partitions replacing the input folder": (["ledger", "{d}/lots.csv", "-s", "{d}/study.toml", "-o", "{d}",
                                                      "--partition-by", "period"], "shipments"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_command_writes_over_an_input(case, study, cli):
    d = study.parent
    (d / "plant.csv").write_text(PLANT, encoding="utf-8")
    (d / "o.rejects.parquet").write_text(LOTS, encoding="utf-8")  # an input only in its own case
    (d / "study.html").unlink(missing_ok=True)
    args, what = CASES[case]
    if case == "report --pdf over the study":  # the PDF path (study.html → study.pdf) is fine: use a link
        os.symlink(d / "study.toml", d / "study.pdf")
    before = _hashes(d)
    r = cli(*[a.format(d=d, n=d.name) for a in args])
    _clean_failure(r, d, before, "refusing to write", what)


def test_through_a_symbolic_link_and_a_hard_link(study, cli):
    d = study.parent
    os.symlink(d / "study.toml", d / "soft.html")
    os.link(d / "factors.csv", d / "hard.html")
    before = _hashes(d)
    for target, what in (("soft.html", "study file"), ("hard.html", "factor file")):
        r = cli("report", study, "-o", d / target, "--timestamp", TS)
        _clean_failure(r, d, before, "refusing to write", what, target)
    assert (d / "soft.html").is_symlink()


def test_output_inside_an_input_folder(tmp_path, study, cli):
    d = study.parent
    lots = tmp_path / "lots"
    lots.mkdir()
    import polars as pl

    pl.read_csv(d / "lots.csv", try_parse_dates=True).write_parquet(lots / "part-1.parquet")
    before = _hashes(lots)
    r = cli("ledger", lots, "-s", study, "-o", lots / "priced.parquet")
    _clean_failure(r, lots, before, "refusing to write", "inside the shipments folder")


def test_two_outputs_naming_one_file(study, cli):
    d = study.parent
    before = _hashes(d)
    r = cli("ledger", d / "lots.csv", "-s", study, "-o", d / "o.parquet", "--rejects", d / "o.parquet")
    _clean_failure(r, d, before, "name the same file")


def test_guard_unit():
    from lca.errors import OutputError
    from lca.outputs import guard_outputs
    from lca.resources import factors_dir

    lib = factors_dir()
    with pytest.raises(OutputError, match="inside the shipped factor library folder"):
        guard_outputs([("-o", lib / "new.csv")], [("shipped factor library", lib)])
    guard_outputs([("-o", lib.parent / "elsewhere.csv")], [("shipped factor library", lib)])  # a sibling is fine
    guard_outputs([("-o", None)], [("study", None)])  # nothing to compare


def _fake_chromium(tmp_path: Path) -> Path:
    """A stand-in browser: 'prints' the page it is given by copying it after a PDF header."""
    exe = tmp_path / "fake-chromium"
    exe.write_text('#!/bin/sh\nfor a in "$@"; do case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; '
                   'file://*) src="${a#file://}";; esac; done\n{ printf "%%PDF-1.4 fake\\n"; cat "$src"; } > "$out"\n',
                   encoding="utf-8")
    exe.chmod(0o755)
    return exe


def test_pdf_named_pdf_is_printed_from_the_html_beside_it(tmp_path, cli, monkeypatch):
    """``-o r.pdf --pdf`` used to write the HTML to r.pdf and print r.pdf over itself."""
    monkeypatch.setenv("LCA_CHROMIUM", str(_fake_chromium(tmp_path)))
    r = cli("report", "-o", tmp_path / "r.pdf", "--pdf", "--timestamp", TS)
    assert r.exit_code == 0, r.stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    pdf = (tmp_path / "r.pdf").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert pdf == "%PDF-1.4 fake\n" + html
    assert not list(tmp_path.glob(".*.tmp"))


def test_interrupted_pdf_leaves_no_temporary_file(tmp_path, cli, monkeypatch):
    import subprocess

    monkeypatch.setenv("LCA_CHROMIUM", str(_fake_chromium(tmp_path)))

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, "run", interrupted)
    r = cli("report", "-o", tmp_path / "r.html", "--pdf", "--timestamp", TS)
    assert r.exit_code == 130 and "interrupted" in r.stderr
    assert not (tmp_path / "r.pdf").exists() and not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------------------ OS errors, outputs

def test_schema_export_into_a_file(tmp_path, cli):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    for target in (tmp_path / "f", tmp_path / "f" / "sub"):
        r = cli("schema", "export", "-o", target)
        assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.exception
        assert "is a file, not a folder" in r.stderr and str(tmp_path / "f") in r.stderr
    assert (tmp_path / "f").read_text(encoding="utf-8") == "x"


def test_schema_export_into_a_folder_the_os_refuses(tmp_path, cli, monkeypatch):
    """A read-only or immutable folder (simulated: the tests may run as root, who may write anywhere)."""
    import errno

    def refuse(self, *a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    r = cli("schema", "export", "-o", tmp_path / "ro" / "schemas")
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.exception
    assert "Permission denied" in r.stderr and "ro/schemas" in r.stderr and "Traceback" not in r.stderr


def _without_root_override(args: list[str]):
    """Run the CLI as root without the capabilities that let root write into a read-only folder
    (``setpriv`` of util-linux drops them from the bounding set): CI runs as root and must still
    check the refusal, not skip it."""
    import subprocess
    import sys
    from types import SimpleNamespace

    p = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--",
                        sys.executable, "-m", "lca.cli", *args], capture_output=True, text=True, timeout=300)
    return SimpleNamespace(exit_code=p.returncode, stderr=p.stderr, exception=SystemExit(p.returncode))


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions only")
@pytest.mark.skipif(ROOT and shutil.which("setpriv") is None, reason="root without setpriv (util-linux) may write anywhere")
@pytest.mark.parametrize("args", [("schema", "export", "-o", "{ro}/s"), ("report", "-o", "{ro}/r.html"),
                                  ("export", "--format", "csv", "-o", "{ro}/r.csv")])
def test_read_only_folder(args, tmp_path, cli):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        argv = [a.format(ro=ro) for a in args]
        r = _without_root_override(argv) if ROOT else cli(*argv)
        assert r.exit_code == 1 and isinstance(r.exception, SystemExit), (r.exception, r.stderr)
        assert str(ro) in r.stderr and "Permission denied" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("args", [("report", "-o", "{o}"), ("export", "--format", "csv", "-o", "{o}"),
                                  ("ledger", "{lots}", "-o", "{o}")])
def test_symbolic_link_loop_as_output(args, study, cli):
    d = study.parent
    os.symlink(d / "loop", d / "loop")
    r = cli(*[a.format(o=d / "loop", lots=d / "lots.csv") for a in args])
    assert r.exit_code == 1 and "symbolic link loop" in r.stderr, r.stderr
    assert (d / "loop").is_symlink()


@pytest.mark.parametrize("args", [("report", "-o", "{f}/r.html"), ("export", "--format", "csv", "-o", "{f}/r.csv"),
                                  ("ledger", "{lots}", "-o", "{f}/x.parquet"),
                                  ("ledger", "{lots}", "-o", "{f}", "--partition-by", "period")])
def test_a_file_where_a_folder_is_expected(args, study, cli):
    d = study.parent
    (d / "afile").write_text("keep", encoding="utf-8")
    r = cli(*[a.format(f=d / "afile", lots=d / "lots.csv") for a in args])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), (r.stderr, r.exception)
    assert "afile" in r.stderr and "is a file, not a folder" in r.stderr, r.stderr
    assert (d / "afile").read_text(encoding="utf-8") == "keep"


# --------------------------------------------------------------------------- one error handling for all

def test_check_of_a_folder(tmp_path, cli):
    r = cli("check", tmp_path)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit) and "is a folder" in r.stderr


def test_an_internal_error_is_one_line_unless_debug(cli, monkeypatch):
    import lca.results

    def broken(*a, **k):
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(lca.results, "compute", broken)
    r = cli("run")
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.exception
    assert r.stderr.count("\n") == 1 and "internal error" in r.stderr and "ValueError: boom" in r.stderr
    assert "--debug" in r.stderr and "LCA_DEBUG" in r.stderr
    d = cli("--debug", "run")
    assert d.exit_code == 1 and isinstance(d.exception, ValueError)  # the traceback is shown
    monkeypatch.setenv("LCA_DEBUG", "1")
    assert isinstance(cli("run").exception, ValueError)


def test_os_error_while_reading_is_located(cli, monkeypatch, tmp_path):
    import errno

    import lca.study

    def refuse(path, *a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(lca.study, "load_study", refuse)
    r = cli("run", tmp_path / "s.toml")
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit)
    assert r.stderr.strip() == f"error: {tmp_path / 's.toml'}: Permission denied (check the permissions of the " \
                               f"file and its folders)"


def test_every_command_goes_through_the_error_handler():
    from lca.cli import app

    def commands(typer_app, prefix=""):
        for info in typer_app.registered_commands:
            yield f"{prefix}{info.name or info.callback.__name__}", info.callback
        for group in typer_app.registered_groups:
            yield from commands(group.typer_instance, f"{prefix}{group.name} ")

    found = dict(commands(app))
    assert {"run", "report", "export", "check", "validate", "schema export", "ledger", "uncertainty",
            "factors list", "factors show", "factors search", "factors validate"} <= set(found)
    for name, callback in found.items():
        assert getattr(callback, "__wrapped__", None) is not None, f"lca {name} lacks @handle_errors"


def test_doctests_of_the_output_and_cli_helpers():
    import doctest

    import lca.cli.common
    import lca.cli.console
    import lca.outputs
    import lca.report.charts

    for mod in (lca.outputs, lca.cli.common, lca.cli.console, lca.report.charts):
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert res.failed == 0 and res.attempted > 0, mod.__name__


@pytest.mark.parametrize("code", ["EACCES", "EPERM", "EROFS", "ENOSPC"])
def test_os_refusing_the_write_is_located_and_leaves_nothing(code, tmp_path, cli, monkeypatch):
    """Read-only, immutable or full targets (simulated at os.replace: root ignores permissions)."""
    import errno

    real = os.replace

    def refuse(src, dst, *a, **k):
        if str(dst).endswith("r.html"):
            raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)), str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", refuse)
    r = cli("report", "-o", tmp_path / "r.html", "--timestamp", TS)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.exception
    assert f"cannot write {tmp_path / 'r.html'}: {os.strerror(getattr(errno, code))}" in r.stderr
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------ property

SPELLINGS = ["plain", "absolute", "dot", "parent", "symlink", "symlinked folder", "hard link"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    (root / "d").mkdir()
    for name in ("a.toml", "b.csv"):
        (root / "d" / name).write_text(name, encoding="utf-8")
    os.symlink(root / "d", root / "alias")
    return root


def _spell(root: Path, name: str, how: str, k: int) -> Path:
    """One of many ways to name root/d/name (fresh links are numbered by k)."""
    target = root / "d" / name
    if how == "absolute":
        return target.resolve()
    if how == "dot":
        return Path(os.path.relpath(target)).parent / "." / name
    if how == "parent":
        return root / "d" / ".." / "d" / name
    if how == "symlink":
        link = root / f"link{k}-{name}"
        if not link.exists():
            os.symlink(target, link)
        return link
    if how == "symlinked folder":
        return root / "alias" / name
    if how == "hard link":
        link = root / f"hard{k}-{name}"
        if not link.exists():
            os.link(target, link)
        return link
    return target


def test_guard_sees_through_every_spelling(tree):
    """Property: an output naming an input in any spelling is refused; one naming another file never is."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from lca.errors import OutputError
    from lca.outputs import guard_outputs

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(st.sampled_from(["a.toml", "b.csv"]), st.sampled_from(SPELLINGS), st.sampled_from(SPELLINGS),
           st.integers(0, 3))
    def check(name, how_out, how_in, k):
        out, inp = _spell(tree, name, how_out, k), _spell(tree, name, how_in, k + 10)
        with pytest.raises(OutputError, match="refusing to write"):
            guard_outputs([("-o", out)], [("input", inp)])
        other = "b.csv" if name == "a.toml" else "a.toml"
        guard_outputs([("-o", out)], [("input", _spell(tree, other, how_in, k + 20))])
        guard_outputs([("-o", tree / "d" / f"new-{k}.html")], [("input", inp)])
        with pytest.raises(OutputError, match="inside the input folder"):
            guard_outputs([("-o", _spell(tree, f"new-{k}.html", how_out if how_out in
                                         ("plain", "absolute", "parent", "symlinked folder") else "plain", k))],
                          [("input", tree / "alias")])

    check()


@pytest.mark.parametrize("kind", ["fifo", "device", "link-to-device"])
def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path, cli, kind):
    """`-o /dev/full` (as root) used to replace the device by an HTML file; a FIFO the same way."""
    import os
    import stat

    target = tmp_path / "out.html"
    if kind == "fifo":
        os.mkfifo(target)
    else:  # a private copy of /dev/null's node: the test never touches the real device
        device = target if kind == "device" else tmp_path / "null"
        try:
            os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("creating a device node needs root")
        if kind == "link-to-device":
            os.symlink(device, target)
    before = os.lstat(target)
    r = cli("report", "-o", target)
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "not a regular file" in r.stderr and "Traceback" not in r.stderr
    after = os.lstat(target)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino, stat.S_IFMT(before.st_mode))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
