#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The workbook read back (issue 14): LibreOffice opens cskpi's xlsx and exports every sheet;
# the Records sheet must hold cskpi's CSV records, text for text and number for number
# (records_compare); the sheets are those named; hostile segment names stay text, no formula
# cell anywhere; the same report gives the same bytes.
#   xlsx_round_trip.sh CSKPI RECORDS_COMPARE ROOT
set -euo pipefail
command -v soffice >/dev/null && command -v unzip >/dev/null ||
  { echo "SKIP: no LibreOffice (soffice) or unzip; bash bootstrap test installs them"; exit 77; }
cskpi="$1"
values="$2"
cd "$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$cskpi" report samples/mrr_matrix_24m.csv --by segment -o "$tmp/matrix.xlsx"
"$cskpi" report samples/mrr_matrix_24m.csv --by segment --format csv -o "$tmp/matrix.csv"
"$cskpi" report samples/mrr_matrix_24m.csv --by segment --format xlsx > "$tmp/again.xlsx" # standard output, not a terminal
cmp "$tmp/matrix.xlsx" "$tmp/again.xlsx" || { echo "FAIL: the same report gave different workbooks"; exit 1; }
"$cskpi" report tests/data/hostile_names.csv --by segment --metrics nrr -o "$tmp/hostile.xlsx"
"$cskpi" report tests/data/hostile_names.csv --by segment --metrics nrr --format csv -o "$tmp/hostile.csv"
# Every sheet to CSV, values as stored (token 9 false: not as shown), UTF-8.
filter='csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1'
soffice "-env:UserInstallation=file://$tmp/profile" --headless --convert-to "$filter" --outdir "$tmp/out" \
  "$tmp/matrix.xlsx" "$tmp/hostile.xlsx" >/dev/null 2>&1
sheets="$(cd "$tmp/out" && ls matrix-*.csv | sort | tr '\n' ' ')"
[ "$sheets" = "matrix-Enterprise.csv matrix-MidMarket.csv matrix-Movers.csv matrix-Records.csv matrix-SMB.csv matrix-Summary.csv matrix-all.csv " ] ||
  { echo "FAIL: sheets $sheets"; exit 1; }
"$values" "$tmp/matrix.csv" "$tmp/out/matrix-Records.csv"
"$values" "$tmp/hostile.csv" "$tmp/out/hostile-Records.csv"
grep -q '^= Ending MRR,3751369,' "$tmp/out/matrix-Summary.csv" || { echo "FAIL: the summary's bridge"; exit 1; }
grep -q '^= Ending MRR,2627113,.*,3751369,153438$' "$tmp/out/matrix-all.csv" || { echo "FAIL: the trend sheet"; exit 1; }
for book in matrix hostile; do
  n="$(unzip -p "$tmp/$book.xlsx" 'xl/worksheets/*.xml' | { grep -o '<f[ >]' || true; } | wc -l)"
  [ "$n" -eq 0 ] || { echo "FAIL: $book.xlsx holds $n formula cells"; exit 1; }
done
echo "ok: every record of two reports read back from the workbook; sheets $sheets; no formula cell"
