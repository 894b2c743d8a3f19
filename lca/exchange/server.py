"""``lca serve``: the API on uvicorn, HTTPS only (a plain-HTTP request to the port fails the TLS
handshake and gets no answer). Access logs carry method, path and status, never a header or a body,
so tokens and secrets are not logged."""

from __future__ import annotations

import ssl
from pathlib import Path

from lca.errors import LcaInputError, Problem


def check_tls(certfile: Path, keyfile: Path) -> None:
    """Load the certificate and key once before starting, so a bad pair is a located error (exit 1)."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        ctx.load_cert_chain(str(certfile), str(keyfile))
    except FileNotFoundError as exc:
        raise LcaInputError(Problem("file not found", file=exc.filename or str(certfile))) from None
    except (ssl.SSLError, OSError) as exc:
        raise LcaInputError(Problem(f"cannot use this certificate and key: {exc}", file=str(certfile),
                                    hint="give a PEM certificate (--certfile) and its private key (--keyfile)")) from None


def check_listen(host: str, port: int) -> None:
    """Resolve ``--host`` and bind ``--port`` once before starting, so an unknown address or a taken port is
    a located error (exit 1) rather than uvicorn's log line and exit 3."""
    import socket

    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise LcaInputError(Problem(f"--host {host!r:.80} is not an address of this machine ({exc})", column="--host",
                                    hint="give e.g. 127.0.0.1, 0.0.0.0 (every interface) or a local host name")) from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is no conflict
        try:
            sock.bind(addr)
        except OSError as exc:
            raise LcaInputError(Problem(f"cannot listen on {host}:{port}: {exc.strerror or exc}", column="--host/--port",
                                        hint="choose a free --port (another program uses this one; below 1024 needs "
                                             "root) and an address of this machine as --host")) from None


def serve(settings, *, host: str, port: int, certfile: Path, keyfile: Path, log_level: str = "info") -> None:
    """Run the server until interrupted."""
    import uvicorn

    from lca.exchange.api import create_app

    check_listen(host, port)
    check_tls(certfile, keyfile)
    config = uvicorn.Config(create_app(settings), host=host, port=port, ssl_certfile=str(certfile),
                            ssl_keyfile=str(keyfile), log_level=log_level, proxy_headers=False,
                            server_header=False, timeout_keep_alive=15, limit_concurrency=1000)
    uvicorn.Server(config).run()
