"""What every table model shares: the base model and the id and region code patterns."""

from __future__ import annotations

import pandera.polars as pa

#: Ids of sites, processes, scenarios and studies
ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
#: Region codes: GLO, an ISO country, a country subdivision or grid region (US-NC), a grid code (CN-EAST)
REGION = r"^(GLO|[A-Z]{2}(-[A-Z0-9]{1,10})?|[A-Z]{2,3})$"


# Extra columns are allowed (notes); dtypes are coerced by lca.schemas.validate_table, which names
# the row of every value that does not fit (pandera's own coercion names only the column). No
# docstring: a model without its own has none (the JSON Schema descriptions come from them).
class Base(pa.DataFrameModel):
    class Config:
        strict = False
        coerce = False
