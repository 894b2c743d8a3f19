"""The study: a TOML file (plus optional CSV/Parquet tables beside it) loaded into validated frames.

A study is data, not code. See ``docs/study-format.md`` for the format; the bundled default is
``lca/studies/separator-na.toml``. Loading parses and validates everything and reports every
problem with the file and the key or row; it never computes.

* :mod:`lca.study.model` — :class:`Study` and :class:`Method`; :mod:`lca.study.parse` — quantities
  with units (:class:`Quantity`, :func:`parse_quantity`) and the :class:`Product`;
* :mod:`lca.study.load` — :func:`load_study`, :func:`study_from_dict`; :mod:`lca.study.frames` —
  :func:`study_from_frames`; the parts they read: :mod:`~lca.study.tables`, :mod:`~lca.study.routes`,
  :mod:`~lca.study.scenarios`, :mod:`~lca.study.pact`, :mod:`~lca.study.shape`;
* :mod:`lca.study.io` and :mod:`lca.study.csvfiles` — reading files from disk (the one table reader);
  :mod:`lca.study.origins` — where each activity was written; :mod:`lca.study.retarget` — another
  cell plant without re-reading the files.

>>> from lca.resources import default_study_path
>>> s = load_study(default_study_path())
>>> s.id, s.method.gwp, s.scenario_ids[:2]
('separator-na', 'AR6', ['jp-import', 'charlotte-coated'])
"""

from __future__ import annotations

from lca.study.model import Method, Study
from lca.study.parse import Product, Quantity, parse_quantity
from lca.study.scenarios import CELL_PLANT
from lca.study.load import load_study, study_from_dict
from lca.study.frames import study_from_frames

__all__ = ["Study", "Method", "Product", "Quantity", "load_study", "study_from_dict", "study_from_frames",
           "parse_quantity", "CELL_PLANT"]
