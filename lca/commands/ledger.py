"""CLI commands for this area (registered by `lca.cli`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Not built yet: this area's commands are added by its issue."""
