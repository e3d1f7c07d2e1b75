#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cskpi sql for the engines no test here can run (issue 16): every BigQuery, Snowflake and
# Spark query cskpi prints (movements with every optional column or none, grouped or not,
# snapshots, quarters, a costs table, an invoices table, the options that change the text)
# parses in that dialect by sqlglot from Debian's python3-sqlglot. Skipped (77) when sqlglot is not installed.
#   sql_parse.sh CSKPI ROOT
set -euo pipefail
cskpi="$1" root="$2"
python=/usr/bin/python3 # Debian's, with python3-sqlglot (not a pyenv or venv python before it on PATH)
"$python" -c 'import sqlglot' 2>/dev/null || { echo "SKIP: no sqlglot (Debian's python3-sqlglot)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
variants=(
  "--columns period,new_mrr,reactivation_mrr,end_mrr,nps,at_risk,saved,cac --by segment"
  "--columns none"
  "--columns period,at_risk,nps --period-length quarter --gross-margin 80% --cac 1200 --min-group 10"
  "--input snapshots --by segment"
  "--input snapshots --period-length quarter --reactivation exclude"
  "--columns period,nps --metrics nrr,grr,nps,nps_ci_low --bands $root/tests/data/strict_bands.csv"
  "--columns period,new_mrr --costs-table acme.billing.costs --by segment"
  "--input snapshots --costs-table acme.billing.costs --gross-margin 80%"
  "--columns period,new_mrr --invoices-table acme.billing.invoice_lines --by segment"
  "--input snapshots --period-length quarter --invoices-table acme.billing.invoice_lines --costs-table acme.billing.costs"
)
n=0
for dialect in bigquery snowflake spark; do
  for v in "${variants[@]}"; do
    read -r -a args <<<"$v"
    n=$((n + 1))
    "$cskpi" sql --dialect "$dialect" --table "acme.billing.movements" "${args[@]}" -o "$tmp/$n.sql"
  done
  "$python" "$root/tests/sql/parse.py" "$dialect" "$tmp"/*.sql
  rm -f "$tmp"/*.sql
done
# dbt: the models of one run, and a model an earlier run left behind is named.
"$cskpi" sql --input snapshots --table mrr --dbt "$tmp/models" 2>/dev/null
"$cskpi" sql --table movements --dbt "$tmp/models" 2>"$tmp/dbt.err"
grep -q "cskpi_cohorts.sql is not a model of this query" "$tmp/dbt.err" || { echo "FAIL: no warning about a stale model"; cat "$tmp/dbt.err"; exit 1; }
[ "$(ls "$tmp/models" | wc -l)" -eq 12 ] || { echo "FAIL: dbt models: $(ls "$tmp/models")"; exit 1; }
echo "ok: $n queries parse in their dialect (sqlglot $("$python" -c 'import sqlglot; print(sqlglot.__version__)'))"
