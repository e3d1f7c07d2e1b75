#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The HTML report in a real browser (issue 14): headless Chromium opens cskpi's page for
# three samples (snapshots by segment, a month-end file, billing joined with a CS platform
# and a survey); the page must load with no error and every chart canvas must hold a drawing
# (the page reports both on <body>); the records it carries must be --format json's, byte for
# byte; the page needs no network; a screenshot must be a real, non-blank picture.
#   html_report.sh CSKPI ROOT
set -euo pipefail
command -v chromium >/dev/null || { echo "SKIP: no Chromium; bash bootstrap test installs it"; exit 77; }
cskpi="$1"
cd "$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
browser() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" \
  --virtual-time-budget=10000 "$@" 2>/dev/null; }
check() { # name, cskpi report arguments..., expected chart count
  local name="$1" want="${!#}"
  local args=("${@:2:$#-2}")
  "$cskpi" report "${args[@]}" -o "$tmp/$name.html"
  "$cskpi" report "${args[@]}" --format json --top 10 > "$tmp/$name.json" # the page lists the 10 largest movers per line
  # Offline: nothing is loaded from elsewhere (Chart.js is inlined; no src or href at all).
  if grep -Eq '<(script|img|iframe|link|source)[^>]* (src|href)=|url\(' "$tmp/$name.html"; then
    echo "FAIL: $name.html loads something from outside the page"; exit 1
  fi
  # The records in the page are --format json's ("\u003c" is how "<" is written inside a script).
  sed -n '/<script type="application\/json" id="cskpi-data">/,/<\/script>/p' "$tmp/$name.html" | sed '1d;$d' |
    sed 's|\\u003c|<|g' > "$tmp/$name.embedded.json"
  printf '%s\n' "$(cat "$tmp/$name.json")" | cmp -s - "$tmp/$name.embedded.json" ||
    { echo "FAIL: $name.html carries other records than --format json"; diff "$tmp/$name.json" "$tmp/$name.embedded.json" | head; exit 1; }
  local body
  body="$(browser --dump-dom "$tmp/$name.html" | grep -o '<body[^>]*>' | grep -o ' data-\(errors\|charts\)="[^"]*"' |
    tr -d '\n')"
  [ "$body" = " data-errors=\"0\" data-charts=\"$want/$want\"" ] ||
    { echo "FAIL: $name.html in Chromium: $body (want no error and $want/$want charts drawn)"; exit 1; }
  echo "ok: $name.html: no error, $want of $want charts drawn, the records of --format json"
}
check snapshots samples/mrr_matrix_24m.csv --by segment 7
check month_end samples/month_end_2026-10.csv 2
check joined samples/joined/billing.csv samples/joined/customers.csv samples/joined/survey.csv --by segment 10
# Known events (issue 32, --annotations): the page carries them and each trend chart draws a
# marker for each of the two annotated periods.
"$cskpi" report tests/data/anomaly/churn_spike_24m.csv --annotations tests/data/anomaly/events.csv -o "$tmp/events.html"
grep -q '"events":\[\["2025-03","Partner webinar"\],\["2026-10","Pricing page relaunch; Annual plan migration"\]\]' \
  "$tmp/events.html" || { echo "FAIL: events.html does not carry the annotations"; exit 1; }
dom="$(browser --dump-dom "$tmp/events.html")"
body="$(grep -o '<body[^>]*>' <<<"$dom" | grep -o ' data-errors="[^"]*"')"
markers="$(grep -o '<canvas id="chart-[a-z_]*"[^>]*data-events="[0-9]*"' <<<"$dom" | grep -o 'data-events="[0-9]*"' |
  sort | uniq -c | tr -s ' ')"
[ "$body" = ' data-errors="0"' ] && [ "$markers" = ' 3 data-events="2"' ] ||
  { echo "FAIL: events.html in Chromium: $body, markers: $markers (want no error, 2 markers on each of 3 trends)"; exit 1; }
echo "ok: events.html: 2 event markers on each of the 3 trend charts"
# A screenshot of the first: a PNG of the window's size, and not blank (a blank page of this
# size compresses to a few kilobytes).
browser --window-size=1280,1400 --screenshot="$tmp/shot.png" "$tmp/snapshots.html" >/dev/null
size=$(stat -c %s "$tmp/shot.png")
dims=$(od -An -tu1 -j16 -N8 "$tmp/shot.png" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }')
[ "$(head -c 8 "$tmp/shot.png" | od -An -c | tr -d ' \n')" = '211PNG\r\n032\n' ] || { echo "FAIL: the screenshot is not a PNG"; exit 1; }
[ "$dims" = 1280x1400 ] || { echo "FAIL: screenshot $dims, want 1280x1400"; exit 1; }
[ "$size" -gt 60000 ] || { echo "FAIL: the screenshot has $size bytes: blank?"; exit 1; }
echo "ok: screenshot $dims, $size bytes"
