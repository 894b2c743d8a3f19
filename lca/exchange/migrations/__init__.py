"""Alembic migrations of the footprint store, shipped in the package (``script_location`` is this
folder). :func:`lca.exchange.store.Store.open` runs ``upgrade head`` on every open, so a database
written by an older ``lca`` is brought up to date before use; a new revision goes in ``versions/``.
"""
