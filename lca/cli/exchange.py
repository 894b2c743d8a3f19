"""``lca publish``, ``lca serve``, ``lca footprints list|show|deprecate``, ``lca clients add|list|revoke``:
the PACT v3 host (:mod:`lca.exchange`; needs ``lca[server]``).

Other commands that use the store (``lca pull``) take the same option: ``db: DbOpt = DEFAULT_DB`` and
:func:`open_store`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from lca.cli.common import FormatOpt, OutputFormat, StudyArg, Switches, check_scenarios, iso_timestamp, method_switches, print_frame
from lca.cli.console import handle_errors, out_console

DEFAULT_DB = "lca-footprints.db"
DbOpt = Annotated[str, typer.Option("--db", envvar="LCA_DB", help="Footprint store: an SQLite file (must exist; "
                                    "only lca publish and lca clients add create it) or a URL such as "
                                    "postgresql+psycopg://user@host/db (env LCA_DB).")]
NewDbOpt = Annotated[str, typer.Option("--db", envvar="LCA_DB", help="Footprint store: an SQLite file (created if "
                                       "absent) or a URL such as postgresql+psycopg://user@host/db (env LCA_DB).")]


def open_store(db: str, *, create: bool = False):
    """The store at ``--db`` (migrated as needed; a missing SQLite file is an error unless ``create``);
    a missing ``lca[server]`` is exit 1."""
    from lca.exchange.store import Store

    return Store.open(db, create=create)


@handle_errors
@method_switches
def publish(
    study: StudyArg = None,
    scenario: Annotated[Optional[List[str]], typer.Option("--scenario", help="Publish this scenario (repeatable); "
                                                          "default: every scenario of the study.")] = None,
    db: NewDbOpt = DEFAULT_DB,
    created: Annotated[Optional[str], typer.Option("--created", callback=iso_timestamp,
                                                   help="PACT 'created' of new versions (ISO 8601); default now.")] = None,
    switches: Switches = None,
) -> None:
    """Compute the study and publish its PACT v3 footprints in the store, in one transaction.

    The footprints pass the `lca check` rules first (else nothing is stored, exit 1). A scenario whose
    content is unchanged is left as it is; changed content becomes a new Active version linked to the
    previous one (precedingPfIds), which is Deprecated.

    Example: lca publish --db pcf.db
    """
    from lca.exchange.publish import publish as do_publish

    from lca.cli.common import compute_loaded

    store = open_store(db, create=True)
    s = switches.load(study)
    check_scenarios(s, scenario or [], "--scenario")
    fp = compute_loaded(s, switches.factors)
    result = do_publish(store, fp, scenario or None, created=created)
    console = out_console()
    for fid in result.added:
        console.print(f"published {fid}", markup=False)
    for fid in result.deprecated:
        console.print(f"deprecated {fid}", markup=False)
    console.print(f"{len(result.added)} new, {len(result.unchanged)} unchanged, {len(result.deprecated)} deprecated",
                  markup=False)


@handle_errors
def serve(
    db: DbOpt = DEFAULT_DB,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port (HTTPS).")] = 8443,
    certfile: Annotated[Path, typer.Option("--certfile", help="TLS certificate chain (PEM).", show_default=False)] = ...,
    keyfile: Annotated[Path, typer.Option("--keyfile", help="TLS private key (PEM).", show_default=False)] = ...,
    public_url: Annotated[Optional[str], typer.Option("--public-url", help="The base URL clients use (paging links, "
                                                      "OpenID issuer); default https://HOST:PORT.")] = None,
    partners: Annotated[Optional[Path], typer.Option("--partners", help="TOML file of [\\[partner]] source, client_id, "
                                                     "client_secret(_env), ca_file: credentials for event callbacks.")] = None,
    token_ttl: Annotated[int, typer.Option("--token-ttl", min=60, max=86400, help="Seconds an access token lives.")] = 3600,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Serve the published footprints over the PACT v3 API, HTTPS only.

    Endpoints: POST /auth/token (client credentials, HTTP Basic), /.well-known/openid-configuration,
    GET /3/footprints (filters, paging), GET /3/footprints/{id}, POST /3/events (CloudEvents).

    Example: lca serve --db pcf.db --certfile cert.pem --keyfile key.pem --public-url https://pcf.example.com
    """
    from lca.exchange import require
    from lca.exchange.api import Settings
    from lca.exchange.events import load_partners
    from lca.exchange.server import serve as run_server

    require()
    if public_url is not None:
        from lca.exchange.client import check_url

        if not public_url.lower().startswith("https://"):
            raise typer.BadParameter("must be an https:// URL (the API is served over HTTPS only)",
                                     param_hint="--public-url")
        check_url(public_url, "--public-url")  # a malformed URL is a located error, not a crash at the first request
    base = (public_url or f"https://{host}:{port}").rstrip("/")
    settings = Settings(store=open_store(db), public_url=base, token_ttl=token_ttl, partners=load_partners(partners))
    run_server(settings, host=host, port=port, certfile=certfile, keyfile=keyfile, log_level=log_level)


footprints_app = typer.Typer(help="The footprints in the store: list, show, deprecate.", no_args_is_help=True)
clients_app = typer.Typer(help="API clients (OAuth2 client credentials): add, list, revoke.", no_args_is_help=True)


@footprints_app.command("list")
@handle_errors
def footprints_list(db: DbOpt = DEFAULT_DB, received: Annotated[bool, typer.Option(
        "--received", help="List footprints received from partners instead of published ones.")] = False,
        output_format: FormatOpt = OutputFormat.table) -> None:
    """Every footprint in the store: id, status, series (study/scenario), product, PCF, predecessors."""
    import polars as pl

    rows = open_store(db).listing("received" if received else "published")
    cols = ["id", "status", "series", "stored", "product", "pcf", "unit", "preceding"]
    frame = pl.DataFrame(rows or None, schema={c: pl.String for c in cols})
    if print_frame(frame, output_format):
        return
    from rich import box
    from rich.table import Table

    table = Table(title=f"{'Received' if received else 'Published'} footprints", title_justify="left",
                  box=box.SIMPLE_HEAD, pad_edge=False)
    for c in ("id", "status", "series", "pcf", "unit", "preceding"):
        table.add_column(c)
    for r in frame.iter_rows(named=True):
        table.add_row(*(r[c] or "" for c in ("id", "status", "series", "pcf", "unit", "preceding")))
    out_console().print(table)


@footprints_app.command("show")
@handle_errors
def footprints_show(footprint_id: Annotated[str, typer.Argument(help="Footprint id (UUID).", show_default=False)],
                    db: DbOpt = DEFAULT_DB) -> None:
    """Print one footprint's PACT v3 JSON (published or received)."""
    import json

    from lca.errors import LcaInputError, Problem

    store = open_store(db)
    doc = store.get(footprint_id) or store.get(footprint_id, origin="received")
    if doc is None:
        raise LcaInputError(Problem(f"no footprint with id '{footprint_id}' in {db}",
                                    hint="lca footprints list shows the ids"))
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@footprints_app.command("deprecate")
@handle_errors
def footprints_deprecate(footprint_id: Annotated[str, typer.Argument(help="Footprint id (UUID).", show_default=False)],
                         db: DbOpt = DEFAULT_DB) -> None:
    """Mark a published footprint Deprecated (still served, with that status)."""
    open_store(db).deprecate(footprint_id)
    out_console().print(f"deprecated {footprint_id}", markup=False)


@clients_app.command("add")
@handle_errors
def clients_add(client_id: Annotated[str, typer.Argument(help="Client id to create.", show_default=False)],
                db: NewDbOpt = DEFAULT_DB,
                name: Annotated[Optional[str], typer.Option("--name", help="Who the client is (free text).")] = None,
                scope: Annotated[Optional[List[str]], typer.Option(
                    "--scope", help="Scope granted (repeatable): footprint:list, footprint:read, events:write; "
                                    "default all.")] = None) -> None:
    """Create a client and print its secret ONCE (only a salted hash is stored)."""
    from lca.exchange.access import SCOPES

    secret = open_store(db, create=True).add_client(client_id, scopes=tuple(scope or SCOPES), name=name)
    out_console().print(f"client_id: {client_id}\nclient_secret: {secret}\n"
                        "(the secret is shown only now: store it safely)", markup=False)


@clients_app.command("list")
@handle_errors
def clients_list(db: DbOpt = DEFAULT_DB, output_format: FormatOpt = OutputFormat.table) -> None:
    """Every client: id, name, scopes, created, revoked (no secrets)."""
    import polars as pl

    cols = ["client_id", "name", "scopes", "created", "revoked"]
    frame = pl.DataFrame(open_store(db).clients() or None, schema={c: pl.String for c in cols})
    if print_frame(frame, output_format):
        return
    from rich import box
    from rich.table import Table

    table = Table(title="Clients", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for c in cols:
        table.add_column(c)
    for r in frame.iter_rows():
        table.add_row(*(v or "" for v in r))
    out_console().print(table)


@clients_app.command("revoke")
@handle_errors
def clients_revoke(client_id: Annotated[str, typer.Argument(help="Client id.", show_default=False)],
                   db: DbOpt = DEFAULT_DB) -> None:
    """Revoke a client: its secret and every token it holds stop working at once."""
    open_store(db).revoke_client(client_id)
    out_console().print(f"revoked {client_id}", markup=False)
