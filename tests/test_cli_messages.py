"""Terminal messages: a wrong command-line option is blamed on the option (and the study file it was
checked against), before anything is computed or printed, never on internal frames or on every row it
would touch; and user text is printed as typed (no rich markup, emoji codes or escape sequences)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile import EVIL, ODD_ID, hostile_study

TINY = Path(__file__).parent / "data" / "tiny"
LOTS = "lot_id,date,quantity,unit,scenario,destination_plant\nA,2025-03-01,3,roll,one-site,plant\n" \
       "B,2025-03-01,4,roll,one-site,plant\n"


def _no_product(tmp_path: Path) -> Path:
    """The tiny study without its per-vehicle and per-year views."""
    text = (TINY / "study.toml").read_text(encoding="utf-8")
    text = text[:text.index('[[view]]\nid = "vehicle"')]
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    (tmp_path / "factors.csv").write_bytes((TINY / "factors.csv").read_bytes())
    return tmp_path / "study.toml"


@pytest.mark.parametrize("args,expect", [
    (("run", "{tiny}", "--compare", "one-site", "nope"), ["--compare: unknown scenario 'nope'", "study.toml"]),
    (("uncertainty", "{tiny}", "-n", "10", "--compare", "nope", "one-site"), ["--compare: unknown scenario 'nope'"]),
    (("export", "{tiny}", "--scenario", "nope"), ["--scenario: unknown scenario 'nope'", "one-site, two-step"]),
    (("run", "{tiny}", "--cell-plant", "nowhere"), ["--cell-plant: 'nowhere' is not a site of", "mill, mill2, plant"]),
    (("run", "{bare}", "--per", "vehicle"), ["study.toml: --per vehicle: the study defines no view 'vehicle'",
                                             "declared_unit, kg, kWh"]),
    (("export", "{bare}", "--format", "csv", "--per", "year"), ["--per year: the study defines no view 'year'"]),
])
def test_option_errors_name_the_option(args, expect, tmp_path, cli):
    bare = _no_product(tmp_path)
    r = cli(*[a.format(tiny=TINY / "study.toml", bare=bare) for a in args])
    assert r.exit_code == 1, (r.stdout, r.stderr)
    assert r.stdout == "", "nothing is printed before the option is checked"
    problems = [line for line in r.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, r.stderr  # one message, not one per place the value is used
    for word in expect:
        assert word in r.stderr, (word, r.stderr)


@pytest.mark.parametrize("value", ["-5", "0", "5 kg", "abc", "nan"])
def test_bad_roll_area_is_a_usage_error_naming_the_option(value, tmp_path, cli):
    (tmp_path / "lots.csv").write_text(LOTS, encoding="utf-8")
    r = cli("ledger", tmp_path / "lots.csv", "-s", TINY / "study.toml", "-o", tmp_path / "o.parquet",
            "--m2-per-roll", value)
    assert r.exit_code == 2, r.stderr
    assert "--m2-per-roll" in r.stderr and "lot 'A'" not in r.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "lots.csv"]


def test_good_roll_area_still_works(tmp_path, cli):
    (tmp_path / "lots.csv").write_text(LOTS, encoding="utf-8")
    for value in ("1200", "1200 m^2"):
        r = cli("ledger", tmp_path / "lots.csv", "-s", TINY / "study.toml", "-o", tmp_path / "o.parquet",
                "--m2-per-roll", value)
        assert r.exit_code == 0, r.stderr


# ---------------------------------------------------------------------------------------- terminal

RICH = "[bold red]x[/] [/oops] :smile: \\u001b[2J\\u0007"  # TOML escapes: ESC and BEL reach the study


@pytest.fixture()
def rich_study(tmp_path) -> Path:
    path = hostile_study(tmp_path)
    text = path.read_text(encoding="utf-8").replace(f"title = '{EVIL}'", f'title = "{RICH}"', 1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("args", [("run",), ("uncertainty", "-n", "100"), ("run", "--compare", ODD_ID, "two-step")])
def test_terminal_prints_user_text_as_typed(args, rich_study, cli):
    r = cli(args[0], rich_study, *args[1:])
    assert r.exit_code == 0, r.stderr + repr(r.exception)
    assert "[bold red]x[/] [/oops] :smile: \\x1b[2J\\x07" in r.stdout
    assert "\x1b" not in r.stdout + r.stderr and "\x07" not in r.stdout and "😄" not in r.stdout


def test_factor_commands_print_user_text_as_typed(rich_study, cli):
    d = rich_study.parent
    show = cli("factors", "show", "tiny.power.north", "--factors", d / "factors.csv")
    assert show.exit_code == 0 and EVIL in show.stdout
    listed = cli("factors", "search", "tiny", "--factors", d / "factors.csv")
    assert listed.exit_code == 0 and "tiny.power.north" in listed.stdout


def test_messages_print_user_text_as_typed(cli, tmp_path):
    r = cli("run", "--compare", "[bold]jp-import[/]", "[/oops]")
    assert r.exit_code == 1 and "--compare: unknown scenario '[bold]jp-import[/]'" in r.stderr
    assert "'[/oops]'" in r.stderr and isinstance(r.exception, SystemExit)


def test_styled_text_cannot_be_injected():
    from lca.cli.console import out_console, styled, terminal_safe

    t = styled(("[bold]", "red"), " \x1b]0;title\x07 :smile:")
    assert t.plain == "[bold] \\x1b]0;title\\x07 :smile:"
    assert terminal_safe("tab\tand\nnewline") == "tab\tand\nnewline"  # layout characters stay
    console = out_console()
    with console.capture() as cap:
        console.print("[/x] \x1b[2J")
    assert cap.get() == "[/x] \\x1b[2J\n"


def _commands():
    """``(argv, help texts)`` of every command of the CLI (its own help and its options')."""
    import typer

    from lca.cli import app

    def walk(c, path):
        yield path, [c.help or "", *(getattr(p, "help", None) or "" for p in c.params)]
        for name, sub in sorted(getattr(c, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


def test_help_texts_show_study_table_names_literally(cli):
    """Help texts name study tables ([[view]], [factors], [[exclusion]]): Rich markup must not eat them
    (``lca run --help`` printed "the study's [] ids"); every such name, unescaped, is in the rendered help."""
    import re

    seen = 0
    for argv, texts in _commands():
        names = {n.replace("\\", "") for t in texts for n in re.findall(r"\[(?:\\?\[)?[a-z_]+\]\]?", t)}
        if not names:
            continue
        r = cli(*argv, "--help")
        assert r.exit_code == 0, r.output
        flat = " ".join(r.output.replace("│", " ").split())
        for n in names:
            seen += 1
            assert n in flat, (argv, n)
        assert "[]" not in flat, argv
    assert seen >= 10   # run/export/uncertainty --per, --received of six commands, check, serve --partners
    assert "the study's [[view]] ids" in " ".join(cli("run", "--help").output.replace("│", " ").split())
