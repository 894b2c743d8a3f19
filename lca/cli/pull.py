"""``lca pull`` and ``lca request``: fetch and ask for partners' PACT v3 footprints (:mod:`lca.exchange.client`).

Both store what they receive in a folder of received footprints (``--into``, default ``received``),
which a study reads with ``[factors] received = "received"`` or ``--received received``, or in a
database named by URL (``--into sqlite:///pcf.db``: the received footprints of that store, which a
study names the same way). ``lca request --inbox URL`` waits on the database of your ``lca serve``:
the request is recorded there, and the server accepts an answer only to a recorded request. The client
secret may come from the environment (``LCA_CLIENT_SECRET``) so it stays out of shell history; it is
never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List, Optional

import typer

from lca.cli.console import err_console, handle_errors, out_console

FromOpt = Annotated[str, typer.Option("--from", metavar="URL", help="The partner's PACT API base URL (https://…).",
                                      show_default=False)]
ClientIdOpt = Annotated[str, typer.Option("--client-id", help="The OAuth2 client id the partner gave you.",
                                          show_default=False)]
SecretOpt = Annotated[str, typer.Option("--client-secret", envvar="LCA_CLIENT_SECRET", show_default=False,
                                        show_envvar=True, help="The client secret (never printed).")]
ProductOpt = Annotated[Optional[List[str]], typer.Option("--product-id", metavar="URN",
                                                         help="A product id (URN) to fetch; repeatable (= OR).")]
IntoOpt = Annotated[str, typer.Option("--into", metavar="DIR|URL", help="Folder of received footprints to store them "
                                      "in, or a database URL (sqlite:///FILE, postgresql+psycopg://…).")]
CaOpt = Annotated[Optional[Path], typer.Option("--ca-file", help="PEM file of CA certificates to trust (a partner "
                                                                 "with a private CA).")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each HTTP answer.")]
SpecOpt = Annotated[Optional[Path], typer.Option("--pact-dir", metavar="DIR", help="Folder with the official PACT "
                                                 "openapi-3.0.3.yaml to validate against (default: LCA_PACT_DIR).")]


def _partner(url: str, client_id: str, secret: str, ca_file: Optional[Path], timeout: float):
    from lca.exchange.client import Partner, check_url

    check_url(url)
    return Partner(url=url, client_id=client_id, client_secret=secret, ca_file=ca_file, timeout=timeout)


def _report(received, into: str, what: str) -> None:
    out = out_console()
    out.print(f"{what} {len(received.ids)} footprint(s) into {into} (checked with {received.schema} and the "
              "lca check rules)")
    for pf_id in received.ids:
        out.print(f"  urn:uuid:{pf_id}")


def _filters(values: Optional[List[str]]) -> list[tuple[str, str]]:
    out = []
    for v in values or []:
        key, sep, value = v.partition("=")
        if not sep or not key or not value:
            raise typer.BadParameter(f"{v!r} is not KEY=VALUE (e.g. geography=DE)", param_hint="'--filter'")
        out.append((key, value))
    return out


@handle_errors
def pull(
    url: FromOpt,
    client_id: ClientIdOpt,
    client_secret: SecretOpt,
    product_id: ProductOpt = None,
    filter_: Annotated[Optional[List[str]], typer.Option("--filter", metavar="KEY=VALUE", help="A PACT v3 filter "
                                                         "(companyId, geography, classification, validOn, validAfter, "
                                                         "validBefore, status); repeatable.")] = None,
    into: IntoOpt = "received",
    ca_file: CaOpt = None,
    timeout: TimeoutOpt = 30.0,
    pact_dir: SpecOpt = None,
) -> None:
    """Fetch a partner's PACT v3 footprints (GET /3/footprints, every page), check each, store them all.

    Nothing is stored unless every footprint passes the PACT v3 schema and the `lca check` rules.

    Example: lca pull --from https://pcf.supplier.example --client-id me --product-id urn:… --into received
    """
    from lca.exchange.client import pull as do_pull
    from lca.exchange.received import received_store

    filters = _filters(filter_)
    partner = _partner(url, client_id, client_secret, ca_file, timeout)
    store = received_store(into, source=partner.base, create=True)
    received = do_pull(partner, store, product_ids=product_id or [], filters=filters, spec=pact_dir,
                       progress=lambda text: err_console().print(f"pull: {text}"))
    _report(received, store.label, "pulled")  # a label: a database URL's password is never printed


@handle_errors
def request(
    url: FromOpt,
    client_id: ClientIdOpt,
    client_secret: SecretOpt,
    inbox: Annotated[str, typer.Option("--inbox", metavar="URL|DIR", help="The database of your `lca serve` (its "
                                       "--db URL, e.g. sqlite:///pcf.db), where the partner's answer arrives; or a "
                                       "folder of answer event files.", show_default=False)],
    product_id: ProductOpt = None,
    source: Annotated[Optional[str], typer.Option("--source", metavar="URL", help="Your own PACT API base URL: the "
                                                  "partner answers to {source}/3/events.")] = None,
    comment: Annotated[Optional[str], typer.Option("--comment", help="Free text for the partner.")] = None,
    into: IntoOpt = "received",
    wait: Annotated[Optional[str], typer.Option("--wait", metavar="REQUEST_ID", help="Send nothing: wait for the "
                                                "answer to an earlier request.")] = None,
    wait_seconds: Annotated[float, typer.Option("--wait-seconds", min=0, help="How long to wait for the answer.")] = 600,
    poll: Annotated[float, typer.Option("--poll", min=0.1, help="Seconds between looks at the inbox.")] = 2.0,
    ca_file: CaOpt = None,
    timeout: TimeoutOpt = 30.0,
    pact_dir: SpecOpt = None,
) -> None:
    """Ask a partner for footprints (a PACT v3 RequestCreated event) and wait for the answer.

    A fulfilled request's footprints are checked and stored like pulled ones; a rejection is an error.
    With --inbox URL (your `lca serve --db`) the request is recorded there first: your server accepts
    an answer only to a recorded request.

    Example: lca request --from https://pcf.supplier.example --client-id me --product-id urn:… --source
    https://pcf.me.example --inbox sqlite:///pcf.db --into sqlite:///pcf.db
    """
    from lca.exchange.client import request_event, send_request, take_answer, wait_for_answer
    from lca.exchange.received import event_inbox, received_store
    from lca.exchange.stored import StoreInbox

    if wait is None:
        if not product_id:
            raise typer.BadParameter("give at least one --product-id (or --wait REQUEST_ID)", param_hint="'--product-id'")
        if not source:
            raise typer.BadParameter("give --source, your own PACT API base URL (where the answer is sent)",
                                     param_hint="'--source'")
        from lca.exchange.client import check_url

        check_url(source, "--source")
    partner = _partner(url, client_id, client_secret, ca_file, timeout)
    box = event_inbox(inbox)
    if wait is None:
        event = request_event(product_id, source, comment=comment)
        if isinstance(box, StoreInbox):  # recorded first: the answer may arrive before send_request returns
            box.store.record_request(event, partner=partner.base)
        send_request(partner, event)
        request_id = event["id"]
        err_console().print(f"request {request_id} sent to {partner.base}; waiting up to {wait_seconds:g} s for the "
                            f"answer in {box.label}")
    else:
        request_id = wait
    answer = wait_for_answer(box, request_id, timeout=wait_seconds, poll=poll,
                             progress=lambda s: err_console().print(f"waiting for the answer to {request_id}: "
                                                                    f"{s:.0f} s"))
    store = received_store(into, source=partner.base, create=True)
    received = take_answer(answer, store, where=f"{box.label} (answer to {request_id})", spec=pact_dir)
    _report(received, store.label, "received")
