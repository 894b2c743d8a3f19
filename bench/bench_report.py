"""Benchmark: the default report end to end (CLI start to HTML written) and its parts in-process.

    python bench/bench_report.py --repeat 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cli_once(out: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from lca.cli import main; main()", "report", "-o", str(out),
                    "--timestamp", "2026-01-01T00:00:00Z"], check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.html"
        os.environ.setdefault("LCA_PINT_CACHE", str(Path(tmp) / "pint"))
        cli_once(out)  # fills the pint cache, like any second run of the CLI
        times = [cli_once(out) for _ in range(a.repeat)]
        print(f"CLI end to end: best {min(times):.2f} s of {a.repeat} (size {out.stat().st_size / 1024:.0f} KiB)")

    t0 = time.perf_counter()
    import lca
    from lca.report import render_html

    t1 = time.perf_counter()
    study = lca.load_study(lca.default_study_path())
    t2 = time.perf_counter()
    fp = lca.compute(study)
    t3 = time.perf_counter()
    html = render_html(fp, timestamp="2026-01-01T00:00:00Z")
    t4 = time.perf_counter()
    print(f"in-process: imports {t1 - t0:.2f} s, load study {t2 - t1:.2f} s, compute {t3 - t2:.2f} s, "
          f"render {t4 - t3:.2f} s ({len(html) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
