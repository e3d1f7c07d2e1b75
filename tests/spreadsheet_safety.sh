#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Spreadsheet safety by round trip: cskpi's CSV, opened by LibreOffice with formula
# evaluation on (as Excel does), must hold no formula cell, while the same names written
# raw must (the control that shows this test can fail).
#   spreadsheet_safety.sh CSKPI ROOT
set -euo pipefail
command -v soffice >/dev/null && command -v unzip >/dev/null ||
  { echo "SKIP: no LibreOffice (soffice) or unzip; bash bootstrap test installs them"; exit 77; }
cskpi="$1"
cd "$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$cskpi" report tests/data/hostile_names.csv --by segment --metrics nrr --format csv -o "$tmp/cskpi.csv"
printf 'segment\n"=HYPERLINK(""http://x"",""y"")"\n=1+1\n' > "$tmp/raw.csv"
# CSV import options; the 13th, true, evaluates formulas.
filter='CSV:44,34,76,1,,0,false,true,false,false,false,-1,true'
for f in cskpi raw; do
  soffice "-env:UserInstallation=file://$tmp/profile" --headless --infilter="$filter" \
    --convert-to xlsx --outdir "$tmp" "$tmp/$f.csv" >/dev/null 2>&1
  [ -s "$tmp/$f.xlsx" ] || { echo "LibreOffice did not convert $f.csv"; exit 1; }
done
formulas() { unzip -p "$tmp/$1.xlsx" xl/worksheets/sheet1.xml | { grep -o '<f[ >]' || true; } | wc -l; }
raw="$(formulas raw)"
ours="$(formulas cskpi)"
[ "$raw" -ge 2 ] || { echo "control failed: LibreOffice read $raw of 2 raw names as formulas"; exit 1; }
[ "$ours" -eq 0 ] || { echo "FAIL: cskpi's CSV became $ours formula cell(s) in LibreOffice"; exit 1; }
strings="$(unzip -p "$tmp/cskpi.xlsx" xl/sharedStrings.xml)"
for name in '=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)' '@SUM(A1)' 'Pipe | &lt;b&gt;bold&lt;/b&gt;'; do
  grep -qF -- "$name" <<<"$strings" || { echo "FAIL: segment $name lost"; exit 1; }
done
echo "ok: raw names gave $raw formula cells, cskpi's CSV none; every name kept as text"
