"""Hostile text for tests: one string that is markup in HTML, SVG, rich and emoji at once, and a
copy of the tiny study carrying it in every free-text field."""

from __future__ import annotations

from pathlib import Path

TINY = Path(__file__).parent / "data" / "tiny"
#: markup for HTML, SVG, rich and emoji at once (TOML literal strings take it as it is)
EVIL = '"><script>alert(1)</script><img src=x onerror=alert(2)>[bold red]x[/] [/oops] :smile: ]]> --> &amp;'
#: a scenario id legal under the id pattern, with every character that pattern allows beyond [a-z0-9-]
ODD_ID = "Odd.Id:1_x"


def hostile_study(folder: Path, *, evil: bool = True) -> Path:
    """The tiny study with EVIL in every free-text field (title, description, company, product, site,
    process and scenario names, factor name/source/citation/licence/URL) and an odd scenario id."""
    t = (TINY / "study.toml").read_text(encoding="utf-8")
    f = (TINY / "factors.csv").read_text(encoding="utf-8").splitlines()
    lit = f"'{EVIL}'" if evil else "'plain'"
    for old, new in (('title = "Tiny hand-computed study"', f"title = {lit}\ndescription = {lit}\ncompany_name = {lit}"),
                     ('name = "Tiny film"', f"name = {lit}"), ('name = "Mill"', f"name = {lit}"),
                     ('label = "Film only, at the mill"', f"label = {lit}"),
                     ('id = "film"\nstage = "film"', f'id = "film"\nname = {lit}\nstage = "film"'),
                     ('"one-site"', f'"{ODD_ID}"')):
        assert old in t, old
        t = t.replace(old, new)
    q = '"' + (EVIL if evil else "plain").replace('"', '""') + '"'
    f[1] = f[1].replace("Tiny grid north", q).replace("Test data,,,", f"{q},{q},javascript:alert(3),{q}")
    (folder / "factors.csv").write_text("\n".join(f) + "\n", encoding="utf-8")
    (folder / "study.toml").write_text(t, encoding="utf-8")
    return folder / "study.toml"
