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


def serve(settings, *, host: str, port: int, certfile: Path, keyfile: Path, log_level: str = "info") -> None:
    """Run the server until interrupted."""
    import uvicorn

    from lca.exchange.api import create_app

    check_tls(certfile, keyfile)
    config = uvicorn.Config(create_app(settings), host=host, port=port, ssl_certfile=str(certfile),
                            ssl_keyfile=str(keyfile), log_level=log_level, proxy_headers=False,
                            server_header=False, timeout_keep_alive=15, limit_concurrency=1000)
    uvicorn.Server(config).run()
