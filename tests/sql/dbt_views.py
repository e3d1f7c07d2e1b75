# SPDX-License-Identifier: MIT
# Renders the dbt models `cskpi sql --dbt DIR` wrote as dbt would (Jinja, from Debian's
# python3-jinja2; ref() names the model's relation) and prints one CREATE VIEW (dbt's default
# materialization) or CREATE TABLE ... AS (materialized='table') per model, in the order
# schema.yml lists them, so an engine can build the chain as dbt would.
#   python3 dbt_views.py DIR PREFIX [view|table]   (relations are named PREFIX + model)
import os
import re
import sys

import jinja2

directory, prefix = sys.argv[1], sys.argv[2]
kind = sys.argv[3] if len(sys.argv) > 3 else "view"
if kind not in ("view", "table"):
    sys.exit(f"materialization {kind}: want view or table")
with open(os.path.join(directory, "schema.yml"), encoding="utf-8") as f:
    models = re.findall(r"^  - name: (\S+)$", f.read(), re.M)
if not models:
    sys.exit("no models in schema.yml")


def ref(name):
    return prefix + name if name in models else name  # a model's relation, or a table of the warehouse


env = jinja2.Environment(undefined=jinja2.StrictUndefined)
for model in models:
    with open(os.path.join(directory, model + ".sql"), encoding="utf-8") as f:
        sql = env.from_string(f.read()).render(ref=ref)
    print(f"CREATE {kind.upper()} {prefix}{model} AS\n{sql.strip()};\n")
