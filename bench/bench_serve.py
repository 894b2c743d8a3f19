"""Load test of ``lca serve`` (#15 item 6): N concurrent clients, M list/get requests, on 127.0.0.1.

    python bench/bench_serve.py [--clients 50] [--requests 10000] [--db URL]

Publishes the default study into a temporary SQLite file (or ``--db``, e.g. a PostgreSQL URL), adds a
client, makes a throw-away certificate (trustme), starts ``lca serve`` in a subprocess and runs an
asyncio load (httpx, HTTP/1.1 keep-alive, one connection per client): a mix of list (all, a filter,
a page of 2) and get by id. Prints p50/p90/p99 latency, throughput and errors (any status other than
200 or a transport error). A timing on a shared machine is reported, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def start(db: str, folder: Path):
    import socket

    import trustme

    import lca
    from lca.exchange.publish import documents
    from lca.exchange.store import Store

    store = Store.open(db)
    store.publish(documents(lca.compute(lca.load_study(lca.default_study_path()))))
    if "bench" not in {c["client_id"] for c in store.clients()}:
        store.add_client("bench", secret="bench-secret")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    cert.private_key_and_cert_chain_pem.write_to_path(str(folder / "cert.pem"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lca.cli", "serve", "--db", db, "--port", str(port),
                             "--certfile", str(folder / "cert.pem"), "--keyfile", str(folder / "cert.pem"),
                             "--log-level", "warning"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    ctx = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    import httpx

    for _ in range(200):  # wait for the port (a benchmark, not a test: polling is fine here)
        try:
            httpx.get(f"https://127.0.0.1:{port}/.well-known/openid-configuration", verify=ctx, timeout=1)
            break
        except httpx.HTTPError:
            if proc.poll() is not None:
                sys.exit("lca serve did not start:\n" + proc.stdout.read())
            time.sleep(0.1)
    return proc, f"https://127.0.0.1:{port}", ctx


async def load(url: str, ctx, clients: int, total: int) -> tuple[list[float], int, float]:
    import httpx

    async with httpx.AsyncClient(verify=ctx) as c:
        r = await c.post(f"{url}/auth/token", data={"grant_type": "client_credentials"}, auth=("bench", "bench-secret"))
        token = r.json()["access_token"]
        ids = [d["id"] for d in (await c.get(f"{url}/3/footprints",
                                               headers={"Authorization": f"Bearer {token}"})).json()["data"]]
    paths = ["/3/footprints", "/3/footprints?geography=JP&status=Active", "/3/footprints?limit=2"] + \
            [f"/3/footprints/{i}" for i in ids]
    queue: asyncio.Queue = asyncio.Queue()
    rnd = random.Random(1)
    for _ in range(total):
        queue.put_nowait(rnd.choice(paths))
    latencies: list[float] = []
    errors = 0

    async def worker():
        nonlocal errors
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=url, verify=ctx, limits=limits, timeout=30,
                                     headers={"Authorization": f"Bearer {token}"}) as c:
            while True:
                try:
                    path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    r = await c.get(path)
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lca-bench-serve-"))
    proc, url, ctx = start(args.db or str(folder / "bench.db"), folder)
    try:
        lat, errors, wall = asyncio.run(load(url, ctx, args.clients, args.requests))
    finally:
        proc.terminate()
        proc.wait()
    q = statistics.quantiles(lat, n=100)
    print(f"{args.requests} requests, {args.clients} concurrent clients, {wall:.1f} s wall, "
          f"{args.requests / wall:.0f} req/s")
    print(f"latency p50 {1000 * q[49]:.1f} ms, p90 {1000 * q[89]:.1f} ms, p99 {1000 * q[98]:.1f} ms, "
          f"max {1000 * max(lat):.1f} ms; errors {errors}")


if __name__ == "__main__":
    main()
