"""Print the HTML report to PDF with headless Chromium (the Debian ``chromium`` package or Chrome).

The browser runs with a fresh profile and HOME/XDG folders in a temporary directory, no network
features, and no browser header/footer (the report's own ``@page`` margin boxes print the running
heads and "Page n of N"); the PDF is tagged and gets an outline (bookmarks) built from the headings.
It is written next to the target and moved into place, so a failed print leaves no partial file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from lca.errors import OutputError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--disable-quic", "--hide-scrollbars")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable: ``$LCA_CHROMIUM`` first, then the usual names on PATH."""
    env = os.environ.get("LCA_CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120.0) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, from the report's print stylesheet); returns ``pdf_path``.

    Raises :class:`~lca.errors.OutputError` when no browser is installed or printing fails.
    """
    exe = find_chromium()
    if exe is None:
        raise OutputError("PDF output needs headless Chromium, which was not found: install it "
                          "(Debian/Ubuntu: apt-get install chromium) or set LCA_CHROMIUM to the browser's path; "
                          "the HTML report was written")
    from lca.outputs import atomic_output, check_output_path, guard_outputs

    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    if not html_path.is_file():
        raise OutputError(f"cannot print {html_path}: file not found")
    check_output_path(pdf_path)
    guard_outputs([("PDF", pdf_path)], [("HTML report it prints", html_path)])  # never print a file over itself
    with atomic_output(pdf_path) as tmp:  # a failed print or Ctrl-C leaves no temporary file
        with tempfile.TemporaryDirectory(prefix="lca-chromium-") as home:
            env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": f"{home}/config",
                   "XDG_CACHE_HOME": f"{home}/cache", "XDG_RUNTIME_DIR": home}
            cmd = [exe, *FLAGS, f"--user-data-dir={home}/profile", "--no-pdf-header-footer",
                   "--generate-pdf-document-outline",
                   f"--print-to-pdf={tmp}", html_path.as_uri()]
            try:
                proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise OutputError(f"Chromium ({exe}) failed to print {html_path.name}: {exc}") from None
        if proc.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
            tail = "\n".join((proc.stderr or "").strip().splitlines()[-5:])
            raise OutputError(f"Chromium ({exe}) could not print {html_path.name} (exit {proc.returncode}): {tail}")
    return pdf_path
