"""Alembic environment: the connection is handed over by :meth:`lca.exchange.store.Store.migrate`
(``config.attributes["connection"]``); there is no alembic.ini and no offline mode. Imported outside
alembic (e.g. by a doctest run over the package) it does nothing."""

from __future__ import annotations

from alembic import context

from lca.exchange.models import metadata


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


try:
    context.config  # noqa: B018 — exists only while alembic runs this file
except AttributeError:
    pass
else:
    run()
