#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cskpi sql, verified (issue 16): the query cskpi prints runs in a real engine over a table
# loaded from each sample, and every record it returns must equal cskpi report's own
# --format csv of the same sample (numbers to 1e-9, texts and bands exactly).
#   sql_engines.sh duckdb|postgres CSKPI RECORDS_COMPARE ROOT WORKDIR
# duckdb: DuckDB through npm @duckdb/node-api, as bench/ runs it (installed into WORKDIR on
# first use; the test is skipped, exit 77, when neither it nor the npm registry is there).
# postgres: a private PostgreSQL server from Debian's postgresql package, started on a
# Unix socket in a scratch directory and stopped at the end (skipped when not installed).
set -euo pipefail
engine="$1" cskpi="$2" compare="$3" root="$4" work="$5"
mkdir -p "$work"
root=$(cd "$root" && pwd) work=$(cd "$work" && pwd) # the scratch directory links to them
tmp=$(mktemp -d)
chmod 755 "$tmp"
stop=()
cleanup() {
  if [ ${#stop[@]} -gt 0 ]; then "${stop[@]}" >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- the engine ---------------------------------------------------------------------------
case "$engine" in
duckdb)
  command -v node >/dev/null || { echo "SKIP: no Node.js for DuckDB (npm @duckdb/node-api)"; exit 77; }
  version=$(sed -n 's/.*"@duckdb\/node-api": "\(.*\)".*/\1/p' "$root/bench/package.json")
  modules=""
  for d in "$root/bench/node_modules" "$work/npm/node_modules"; do
    [ -d "$d/@duckdb/node-api" ] && modules="$d" && break
  done
  if [ -z "$modules" ]; then
    if ! (cd "$work" && mkdir -p npm && timeout 300 npm install --prefix npm --silent --no-audit --no-fund --fetch-retries=1 \
            "@duckdb/node-api@$version" >"$tmp/npm.log" 2>&1); then
      echo "SKIP: DuckDB could not be installed from the npm registry:"; tail -3 "$tmp/npm.log"; exit 77
    fi
    modules="$work/npm/node_modules"
  fi
  ln -s "$modules" "$tmp/node_modules"
  cp "$root/tests/sql/duckdb_run.mjs" "$tmp/"
  ;;
postgres)
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || { echo "SKIP: no PostgreSQL server (Debian's postgresql package)"; exit 77; }
  as=()
  if [ "$(id -u)" -eq 0 ]; then # the server refuses to run as root
    chown postgres "$tmp"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$pgbin/initdb" -D "$tmp/data" -A trust -U cskpi --no-sync -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log"; exit 1; }
  "${as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -o "-k $tmp -h '' -p 5439 -F" -w start >/dev/null ||
    { cat "$tmp/server.log"; exit 1; }
  stop=("${as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop)
  export PGOPTIONS="-c client_min_messages=warning"
  psql=(psql -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p 5439 -U cskpi -d postgres)
  "${psql[@]}" -c "SELECT 1" >/dev/null
  ;;
*) echo "usage: sql_engines.sh duckdb|postgres CSKPI RECORDS_COMPARE ROOT WORKDIR" >&2; exit 2 ;;
esac

# --- loading a CSV into a typed table, as a warehouse would hold it ----------------------
type_of() { # column name [case name] -> SQL type; a case named *_dated has DATE periods or months
  case "$1" in
  period|month) case "${2:-}" in *_dated) echo "DATE" ;; *) echo "VARCHAR" ;; esac ;;
  invoice_date|service_start|service_end) case "${2:-}" in *_dates_invoices) echo "DATE" ;; *) echo "VARCHAR" ;; esac ;;
  *_mrr|mrr|cac|sales_marketing|net_burn|revenue|operating_income|gross_margin|amount) echo "DECIMAL(18,6)" ;;
  nps) echo "INTEGER" ;;
  at_risk|saved) echo "BOOLEAN" ;;
  *) echo "VARCHAR" ;;
  esac
}
load() { # CSV TABLE: a comma-separated file with a header of cskpi's column names
  local csv="$1" table="$2" header cols="" pg=""
  header=$(head -1 "$csv" | tr -d '\r')
  IFS=, read -r -a names <<<"$header"
  for n in "${names[@]}"; do
    cols+="${cols:+, }'$n': '$(type_of "$n" "$table")'"
    pg+="${pg:+, }$n $(type_of "$n" "$table" | sed 's/^VARCHAR$/TEXT/')"
  done
  if [ "$engine" = duckdb ]; then
    echo "CREATE TABLE $table AS SELECT * FROM read_csv('$csv', header = true, auto_detect = false, delim = ',', quote = '\"', columns = {$cols});" \
      >>"$tmp/setup.sql"
  else
    # One psql for the three (each start of psql counts): the table, its rows, and statistics, as a
    # warehouse keeps them (the planner's estimates need them).
    "${psql[@]}" -c "DROP TABLE IF EXISTS $table; CREATE TABLE $table ($pg)" \
      -c "\\copy $table FROM '$csv' WITH (FORMAT csv, HEADER true)" -c "ANALYZE $table"
  fi
}
queries=() # QUERY_FILE OUT_CSV pairs, run together once every table and model is in place
run_queries() { # each query's records to its OUT_CSV, or its error to OUT_CSV.err
  if [ "$engine" = duckdb ]; then
    # One Node.js process for all (each start of Node.js and DuckDB costs seconds).
    (cd "$tmp" && node duckdb_run.mjs setup.sql "${queries[@]}") || true
  else
    local k
    for ((k = 0; k < ${#queries[@]}; k += 2)); do
      "${psql[@]}" -c "COPY ($(sed '$ s/;$//' "${queries[k]}")) TO STDOUT WITH (FORMAT csv, HEADER true)" \
        >"${queries[k + 1]}" 2>"${queries[k + 1]}.err" || true
    done
  fi
}
columns_of() { # the optional columns of a movements CSV, for --columns
  head -1 "$1" | tr -d '\r' | tr ',' '\n' | grep -xE 'period|new_mrr|reactivation_mrr|end_mrr|nps|at_risk|saved|cac' | paste -sd, - || true
}

# --- the cases: NAME TABLE_CSV REPORT_INPUT [options for both] [COSTS_CSV] [INVOICES_CSV] --------
# With COSTS_CSV, it is loaded as the table NAME_costs: --costs-table for sql, --costs for report.
# With INVOICES_CSV, as NAME_invoices: --invoices-table for sql, --invoices for report (its
# dates as DATEs when NAME ends in _dates, else as text).
# A sample cskpi reads in another form (German Excel, a snapshot matrix, a billing tool's
# export) is loaded as the movements (or long snapshots) cskpi derives or reads from it.
mkdir -p "$tmp/in"
# German Excel: ';', decimal commas, "1.234,56", a BOM and spaced names -> plain CSV.
sed '1s/^\xef\xbb\xbf//' "$root/samples/german_excel_q3.csv" | tr -d '\r' | awk -F';' -v OFS=, '
  NR == 1 { for (i = 1; i <= NF; i++) { $i = tolower($i); gsub(/ /, "_", $i) } print; next }
  { for (i = 1; i <= NF; i++) { gsub(/"/, "", $i); if ($i ~ /^[0-9.]*,[0-9]+$/) { gsub(/\./, "", $i); sub(/,/, ".", $i) } } print }' \
  >"$tmp/in/german.csv"
# The snapshot matrix as long snapshots: customer_id, segment, month, mrr (empty cells: no row).
sed 's/"[^"]*"/company/' "$root/samples/mrr_matrix_24m.csv" | awk -F, -v OFS=, '
  NR == 1 { for (i = 4; i <= NF; i++) month[i] = $i; print "customer_id", "segment", "month", "mrr"; next }
  { for (i = 4; i <= NF; i++) if ($i != "") print $1, $3, month[i], $i }' >"$tmp/in/long.csv"
# Padded ids and segments, quoted so that every loader keeps the spaces: every other row's id is
# " M-00001 " and its segment " SMB ", one customer and one group with the unpadded rows, as cskpi
# trims keys and values; every seventh row's segment is spaces alone, the group (blank).
awk -F, -v OFS=, 'NR > 1 && NR % 2 == 0 { $1 = "\" " $1 " \""; $2 = "\" " $2 " \"" } NR > 1 && NR % 7 == 0 { $2 = "\"  \"" }
  { print }' "$tmp/in/long.csv" >"$tmp/in/long_padded.csv"
# Periods and months as dates: the month's last day, loaded as a DATE column.
sed '2,$ s/,2026-10,/,2026-10-31,/' "$root/samples/month_end_2026-10.csv" >"$tmp/in/dated.csv"
awk -F, -v OFS=, 'NR > 1 { $3 = $3 "-28" } { print }' "$tmp/in/long.csv" >"$tmp/in/long_dated.csv"
# Without a period column: one period, and --period-length quarter.
sed 's/"[^"]*"/company/' "$root/samples/month_end_2026-10.csv" | cut -d, -f1,3,5- >"$tmp/in/no_period.csv"
"$cskpi" movements "$root/samples/mrr_matrix_24m.csv" --by segment -o "$tmp/in/matrix_movements.csv"
"$cskpi" movements "$root/samples/chartmogul_movements.csv" -o "$tmp/in/chartmogul.csv"
"$cskpi" movements "$root/samples/chargebee_mrr_summary.csv" -o "$tmp/in/chargebee.csv"
"$cskpi" movements "$root/samples/killbill/subscription_transitions.csv" -o "$tmp/in/killbill.csv"
"$cskpi" movements "$root/samples/stripe/subscriptions.csv" "$root/samples/stripe/coupons.csv" --fx "$root/samples/stripe/fx_usd.csv" --currency USD -o "$tmp/in/stripe.csv"
# Costs whose notes the hand-computed file has not: S&M 0 before, a negative burn, revenue 0,
# no revenue in the row before, and the MRR a year before from the period after (2025-Q4).
printf '%s\n' period,sales_marketing,net_burn,revenue,operating_income,gross_margin '2025-Q1,0,4000,6000,-1000,0.8' \
  '2025-Q2,3000,-9000,,-1500,0.8' '2025-Q3,2000,3000,0,0,' '2025-Q4,1000,1000,9000,100,0.5' \
  '2026-Q1,6000,18000,15000,1500,0.75' >"$tmp/in/costs_edges.csv"
# Months, quarters and a year summed into years (the snapshots' 2025 and 2026, from 2024-11):
# 2024 lacks its first ten months; 2025 is two quarters and six months; 2026 months, its margins
# differing and weighted by revenue, two of them without operating income.
{
  echo period,sales_marketing,net_burn,revenue,operating_income,gross_margin
  echo 2024-11,100,200,1000,-50,0.7
  echo 2024-12,100,200,1000,-50,0.7
  echo 2025-Q1,300,600,3300,-100,0.75
  echo 2025-Q2,310,600,3400,-90,0.75
  for m in 07 08 09 10 11 12; do echo "2025-$m,105,190,1200,-20,0.8"; done
  for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
    oi=-10; [ "$m" = 04 ] || [ "$m" = 09 ] && oi=
    echo "2026-$m,110,150,1300,$oi,0.$((70 + 10#$m))"
  done
} >"$tmp/in/costs_years.csv"
printf 'metric,tier,bound,direction\nnrr,good,102,>=\nnrr,warning,102,<\n' >"$tmp/in/bands.csv"
inv="$root/tests/data/invoices"
# The quarters' MRR as long snapshots: each quarter's ending MRR in its three months, none in 2025-12.
awk -F, -v OFS=, 'NR == 1 { print "customer_id", "segment", "month", "mrr"; next }
  { q = substr($3, 7, 1); for (i = 1; i <= 3; i++) printf "%s,%s,2026-%02d,%s\n", $1, $2, (q - 1) * 3 + i, $9
    if (q == 1) print $1, $2, "2025-12", 0 }' "$inv/sql_mrr_quarters.csv" >"$tmp/in/invoices_long_quarters.csv"
# The quarters' customer E moves from SMB to Enterprise: its lines go to its latest group; the
# transfer metrics this adds to report are not in cskpi sql, so the records are named.
inv_metrics=nrr,billings,revenue_from_mrr,revenue_one_time,revenue_prorations,revenue_credits,revenue_without_mrr
inv_metrics+=,revenue_unexplained,recognized_revenue,deferred_revenue

cases=(
  "month_end|$root/samples/month_end_2026-10.csv|$root/samples/month_end_2026-10.csv|--by segment"
  "month_end_whole|$root/samples/month_end_2026-10.csv|$root/samples/month_end_2026-10.csv|--gross-margin 80% --min-group 100"
  "month_end_bands|$root/samples/month_end_2026-10.csv|$root/samples/month_end_2026-10.csv|--by segment --bands $tmp/in/bands.csv --cac 20000 --metrics nrr,grr,ltv,ltv_cac,nps_ci_low"
  "quarterly|$root/samples/quarterly_2026.csv|$root/samples/quarterly_2026.csv|--by segment"
  "german_excel|$tmp/in/german.csv|$root/samples/german_excel_q3.csv|--by segment"
  "joined_billing|$root/samples/joined/billing.csv|$root/samples/joined/billing.csv|--by segment"
  "month_end_dated|$tmp/in/dated.csv|$tmp/in/dated.csv|--by segment"
  "no_period|$tmp/in/no_period.csv|$tmp/in/no_period.csv|--by segment --period-length quarter"
  "matrix_movements|$tmp/in/matrix_movements.csv|$tmp/in/matrix_movements.csv|--by segment"
  "chartmogul|$tmp/in/chartmogul.csv|$tmp/in/chartmogul.csv|"
  "chargebee|$tmp/in/chargebee.csv|$tmp/in/chargebee.csv|"
  "killbill|$tmp/in/killbill.csv|$tmp/in/killbill.csv|"
  "stripe|$tmp/in/stripe.csv|$tmp/in/stripe.csv|"
  "snapshots|$tmp/in/long.csv|$tmp/in/long.csv|--by segment"
  "snapshots_dated|$tmp/in/long_dated.csv|$tmp/in/long_dated.csv|--by segment"
  "snapshots_padded|$tmp/in/long_padded.csv|$tmp/in/long_padded.csv|--by segment"
  "snapshots_exclude|$tmp/in/long.csv|$tmp/in/long.csv|--reactivation exclude"
  "snapshots_quarters|$tmp/in/long.csv|$tmp/in/long.csv|--by segment --period-length quarter"
  "costs_quarters|$root/tests/data/costs/movements.csv|$root/tests/data/costs/movements.csv|--min-group 1|$root/tests/data/costs/costs.csv"
  "costs_margin|$root/tests/data/costs/movements.csv|$root/tests/data/costs/movements.csv|--gross-margin 80%|$root/tests/data/costs/costs.csv"
  "costs_edges|$root/tests/data/costs/movements.csv|$root/tests/data/costs/movements.csv|--min-group 1|$tmp/in/costs_edges.csv"
  "costs_monthly|$root/tests/data/costs/movements.csv|$root/tests/data/costs/movements.csv|--min-group 1|$root/tests/data/costs/costs_monthly.csv"
  "costs_monthly_margin|$root/tests/data/costs/movements.csv|$root/tests/data/costs/movements.csv|--gross-margin 80%|$root/tests/data/costs/costs_monthly.csv"
  "costs_years|$tmp/in/long.csv|$tmp/in/long.csv|--period-length year --min-group 5|$tmp/in/costs_years.csv"
  "costs_snapshots_quarters|$tmp/in/long.csv|$tmp/in/long.csv|--period-length quarter --min-group 5|$root/samples/costs_24m.csv"
  "costs_months|$tmp/in/matrix_movements.csv|$tmp/in/matrix_movements.csv|--by segment --min-group 5|$root/samples/costs_24m.csv"
  "costs_snapshots|$tmp/in/long.csv|$tmp/in/long.csv|--min-group 5|$root/samples/costs_24m.csv"
  "invoices_segment|$inv/mrr.csv|$inv/mrr.csv|--by segment --min-group 1||$inv/lines.csv"
  "invoices_dates|$inv/mrr.csv|$inv/mrr.csv|||$inv/lines.csv"
  "invoices_quarters|$inv/sql_mrr_quarters.csv|$inv/sql_mrr_quarters.csv|--by segment --metrics $inv_metrics||$inv/sql_lines_quarters.csv"
  "invoices_snapshots_quarters|$tmp/in/invoices_long_quarters.csv|$tmp/in/invoices_long_quarters.csv|--by segment --period-length quarter --metrics $inv_metrics||$inv/sql_lines_quarters.csv"
  "invoices_costs|$root/tests/data/costs/movements.csv|$root/tests/data/costs/movements.csv|--min-group 1|$root/tests/data/costs/costs.csv|$inv/sql_lines_quarters.csv"
)

for c in "${cases[@]}"; do
  IFS='|' read -r name table_csv input opts costs_csv invoices_csv <<<"$c"
  read -r -a args <<<"$opts"
  load "$table_csv" "$name"
  sql_args=(--dialect "$engine" --table "$name")
  report_args=()
  if [ -n "$costs_csv" ]; then
    load "$costs_csv" "${name}_costs"
    sql_args+=(--costs-table "${name}_costs")
    report_args+=(--costs "$costs_csv")
  fi
  if [ -n "$invoices_csv" ]; then
    load "$invoices_csv" "${name}_invoices"
    sql_args+=(--invoices-table "${name}_invoices")
    report_args+=(--invoices "$invoices_csv")
  fi
  if head -1 "$table_csv" | grep -q '\bmrr\b' && ! head -1 "$table_csv" | grep -q 'start_mrr'; then
    sql_args+=(--input snapshots)
  else
    sql_args+=(--columns "$(columns_of "$table_csv")")
    [ -z "$(columns_of "$table_csv")" ] && sql_args[-1]=none
  fi
  "$cskpi" sql "${sql_args[@]}" "${args[@]}" -o "$tmp/$name.sql"
  "$cskpi" report "$input" "${report_args[@]}" "${args[@]}" --format csv -o "$tmp/$name.want.csv"
  queries+=("$tmp/$name.sql" "$tmp/$name.got.csv")
done
# dbt: the models --dbt writes, rendered as dbt renders them (Jinja) and built as a chain; the
# last one's records, sorted (a view need not keep its ORDER BY), equal cskpi's. DuckDB builds
# views (dbt's default); PostgreSQL tables (materialized='table'), as a chain of views there
# is inlined into one query that recomputes the snapshots view at each of its references and
# took 3 to 5 minutes for the 2,208 snapshot records (the same SQL as tables: seconds).
dbt_kind=view
[ "$engine" = postgres ] && dbt_kind=table
dbt_names=()
if /usr/bin/python3 -c 'import jinja2' 2>/dev/null; then
  for c in "month_end|--columns period,new_mrr,end_mrr,nps,at_risk,saved,cac --by segment" "snapshots|--input snapshots --by segment"; do
    IFS='|' read -r name opts <<<"$c"
    read -r -a args <<<"$opts"
    "$cskpi" sql --dialect "$engine" --table "{{ ref('$name') }}" "${args[@]}" --dbt "$tmp/dbt_$name" 2>/dev/null
    /usr/bin/python3 "$root/tests/sql/dbt_views.py" "$tmp/dbt_$name" "dbt_${name}_" "$dbt_kind" >"$tmp/dbt_$name.views.sql"
    if [ "$engine" = duckdb ]; then
      cat "$tmp/dbt_$name.views.sql" >>"$tmp/setup.sql"
    else
      "${psql[@]}" -f "$tmp/dbt_$name.views.sql" >/dev/null
    fi
    echo "SELECT * FROM dbt_${name}_cskpi_kpis" >"$tmp/dbt_$name.query.sql"
    queries+=("$tmp/dbt_$name.query.sql" "$tmp/dbt_$name.got.csv")
    dbt_names+=("$name")
  done
else
  echo "note: no Jinja (Debian's python3-jinja2): the dbt models are not built"
fi

run_queries
failed=0 records=0
for c in "${cases[@]}"; do
  name="${c%%|*}"
  if [ ! -s "$tmp/$name.got.csv" ]; then
    echo "FAIL: $name: $engine refused the query:"; head -20 "$tmp/$name.got.csv.err"; failed=1; continue
  fi
  if out=$("$compare" "$tmp/$name.want.csv" "$tmp/$name.got.csv" "$engine" 2>&1); then
    echo "$name: $out"
    records=$((records + $(wc -l <"$tmp/$name.want.csv") - 1))
  else
    echo "FAIL: $name: $out"; failed=1
  fi
done
dbt_cases=0
sorted() { head -1 "$1"; tail -n +2 "$1" | LC_ALL=C sort; } # a CSV's records in byte order, its header first
for name in "${dbt_names[@]}"; do
  if [ ! -s "$tmp/dbt_$name.got.csv" ]; then
    echo "FAIL: dbt_$name: $engine refused the models:"; head -20 "$tmp/dbt_$name.got.csv.err"; failed=1; continue
  fi
  sorted "$tmp/$name.want.csv" >"$tmp/dbt_$name.want.sorted.csv"
  sorted "$tmp/dbt_$name.got.csv" >"$tmp/dbt_$name.got.sorted.csv"
  if out=$("$compare" "$tmp/dbt_$name.want.sorted.csv" "$tmp/dbt_$name.got.sorted.csv" "$engine (dbt models)" 2>&1); then
    echo "dbt_$name: $out"
    dbt_cases=$((dbt_cases + 1))
  else
    echo "FAIL: dbt_$name: $out"; failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1
echo "ok: ${#cases[@]} cases, $records records from $engine equal cskpi report's; $dbt_cases dbt model chains too"
