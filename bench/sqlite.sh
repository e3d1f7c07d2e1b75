#!/usr/bin/env bash
# SQLite peer: import the CSV into a typed in-memory table (empty cells as NULL), then run
# kpis.sql.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sqlite3 -batch -csv :memory: \
  "CREATE TABLE raw(customer_id TEXT, company TEXT, segment TEXT, period TEXT, start_mrr REAL, expansion_mrr REAL,
     contraction_mrr REAL, churned_mrr REAL, nps INTEGER, at_risk INTEGER, saved INTEGER)" \
  ".import --csv --skip 1 '$1' raw" \
  "CREATE VIEW movements AS SELECT customer_id, company, segment, period, start_mrr, expansion_mrr, contraction_mrr,
     churned_mrr, NULLIF(nps, '') AS nps, NULLIF(at_risk, '') AS at_risk, NULLIF(saved, '') AS saved FROM raw" \
  ".read '$here/kpis.sql'"
