#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --csv-locale de (issue 14): LibreOffice importing cskpi's CSV as a German spreadsheet does
# (de-DE) must read every value as a number, the one it is; the default CSV imported under
# de-DE must not (the control that shows this test can fail: "101.70..." is text there).
#   csv_locale_de.sh CSKPI ROOT
set -euo pipefail
command -v soffice >/dev/null && command -v unzip >/dev/null ||
  { echo "SKIP: no LibreOffice (soffice) or unzip; bash bootstrap test installs them"; exit 77; }
cskpi="$1"
cd "$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$cskpi" report samples/month_end_2026-10.csv --metrics nrr,mrr_end,ltv --format csv --csv-locale de -o "$tmp/de.csv"
"$cskpi" report samples/month_end_2026-10.csv --metrics nrr,mrr_end,ltv --format csv -o "$tmp/en.csv"
# Import options: ';' (59) or ',' (44), '"' (34), UTF-8 (76), from line 1, standard cells,
# German (1031), special numbers detected.
for f in de en; do
  sep=59; [ "$f" = en ] && sep=44
  soffice "-env:UserInstallation=file://$tmp/profile" --headless --infilter="CSV:$sep,34,76,1,,1031,false,true" \
    --convert-to xlsx --outdir "$tmp" "$tmp/$f.csv" >/dev/null 2>&1
  [ -s "$tmp/$f.xlsx" ] || { echo "LibreOffice did not convert $f.csv"; exit 1; }
done
# The value column (E) of the three records: numeric cells holding the exact figures.
cell() { unzip -p "$tmp/$1.xlsx" xl/worksheets/sheet1.xml | grep -o "<c r=\"$2\"[^>]*>[^/]*</v>" || true; }
for want in 'E2:13301114.52' 'E3:101.701482175376' 'E4:433856.793973'; do
  ref="${want%%:*}" value="${want#*:}"
  got="$(cell de "$ref")"
  case "$got" in
    *t=\"s\"*|"") echo "FAIL: $ref of the de CSV is not a number in LibreOffice: $got"; exit 1 ;;
    *"<v>$value"*) ;;
    *) echo "FAIL: $ref of the de CSV reads $got, want $value"; exit 1 ;;
  esac
done
case "$(cell en E3)" in
  *t=\"s\"*) ;;
  *) echo "control failed: the default CSV's E3 became a number under de-DE: $(cell en E3)"; exit 1 ;;
esac
echo "ok: a German LibreOffice reads --csv-locale de values as numbers (and the default CSV's as text)"
