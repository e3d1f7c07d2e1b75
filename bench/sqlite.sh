#!/usr/bin/env bash
# SQLite peer: import the CSV into an in-memory database, then run kpis.sql.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sqlite3 -batch -csv :memory: ".import --csv '$1' movements" ".read '$here/kpis.sql'"
