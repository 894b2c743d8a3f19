"""``python -m lca.cli``: the same as the ``lca`` console script."""

from lca.cli import main

main()
