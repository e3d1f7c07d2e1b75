#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Properties every input form must hold (issue 28), on the real binary and a real-looking
# file of each form: a hostile change to the file either fails the run (exit != 0) or leaves
# the figures exactly as they were. Never exit 0 with other figures.
#   - a totals row (the key cell "Grand Total", the last row's amounts) added at the end;
#   - a data row repeated (each of the first 5 rows in turn), as it is and with its key padded;
#   - every key padded with spaces (then the figures must be the same: keys are trimmed);
#   - the file cut inside a data row, before the row's last delimiter.
# Usage: hostile_properties.sh CSKPI ROOT
set -euo pipefail
cskpi=$1
cd "$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0

# form | file | 1-based key column | other arguments (files read first, options) | the command
# (report when empty) whose CSV holds the figures
forms=(
  "movements|samples/month_end_2026-10.csv|1|"
  "snapshots (wide)|samples/mrr_matrix_24m.csv|1|"
  "snapshots (long)|tests/data/snapshots_long.csv|1|"
  "stripe|samples/stripe/subscriptions.csv|2|samples/stripe/coupons.csv --fx samples/stripe/fx_usd.csv --currency USD"
  "chargebee|samples/chargebee_mrr_summary.csv|2|"
  "recurly|samples/recurly/subscriptions.csv|2|"
  "killbill|samples/killbill/subscription_transitions.csv|46|"
  "chartmogul|samples/chartmogul_movements.csv|8|"
  "costs|samples/costs_24m.csv|1|samples/mrr_matrix_24m.csv"
  "logo cohorts|samples/cohorts_logos.csv|1|--period-length year|forecast"
)

figures() { # file, extra args -> "rc" then the CSV records on stdout (of $command)
  local rc=0
  # shellcheck disable=SC2086
  "$cskpi" "$command" $2 "$1" --format csv >"$tmp/out" 2>"$tmp/err" || rc=$?
  echo "$rc"
  cat "$tmp/out"
}

check() { # form, what, base figures, file, extra args; want: a failure or the same figures
  local got
  got=$(figures "$4" "$5")
  checks=$((checks + 1))
  if [ "${got%%$'\n'*}" = 0 ] && [ "$got" != "$3" ]; then
    echo "FAIL $1: $2 gave exit 0 with other figures"
    diff <(echo "$3") <(echo "$got") | head -5 || true
    failures=$((failures + 1))
  fi
}

# The edited rows of FILE, whose key is column KEY (1-based), written to DIR by one Python run
# (Python's csv module, so quoted fields stay whole; a start of Python costs up to seconds on a
# busy machine): total.row, the last line with the key "Grand Total"; pad.N.row, line N (2 to
# 6) with its key padded with spaces; pad.csv, the whole file with every key padded.
edit_rows() { python3 -c '
import csv, io, sys
path, col, out_dir = sys.argv[1], int(sys.argv[2]) - 1, sys.argv[3]
def edit(text, mode):  # the header as it is, then each row with its key cell rewritten
    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(rows[0])
    for r in rows[1:]:
        if col < len(r):
            r[col] = "  " + r[col] + " " if mode == "pad" else "Grand Total"
        out.writerow(r)
    return buf.getvalue()
def row(text):  # the edited data row alone
    return text.split("\n", 1)[1]
with open(path) as f:
    text = f.read()
lines = text.split("\n")
if lines[-1] == "":
    lines.pop()
def write(name, s):
    with open(f"{out_dir}/{name}", "w") as f:
        f.write(s)
write("total.row", row(edit(lines[0] + "\n" + lines[-1] + "\n", "total")))
for n in range(2, 7):
    write(f"pad.{n}.row", row(edit(lines[0] + "\n" + lines[n - 1] + "\n", "pad")))
write("pad.csv", edit(text, "pad"))
' "$1" "$2" "$3"; }

for entry in "${forms[@]}"; do
  IFS='|' read -r form file key args command <<<"$entry"
  command=${command:-report}
  base=$(figures "$file" "$args")
  if [ "${base%%$'\n'*}" != 0 ]; then
    echo "FAIL $form: $file does not report cleanly: $(head -3 "$tmp/err")"
    failures=$((failures + 1))
    continue
  fi
  # A totals row after the data.
  edit_rows "$file" "$key" "$tmp"
  cat "$file" "$tmp/total.row" >"$tmp/total.csv"
  check "$form" "a totals row" "$base" "$tmp/total.csv" "$args"
  # A data row repeated.
  for n in 2 3 4 5 6; do
    { cat "$file"; sed -n "${n}p" "$file"; } >"$tmp/dup.csv"
    check "$form" "line $n repeated" "$base" "$tmp/dup.csv" "$args"
    cat "$file" "$tmp/pad.$n.row" >"$tmp/dup.csv"
    check "$form" "line $n repeated with its key padded" "$base" "$tmp/dup.csv" "$args"
  done
  # Keys padded: the figures must be the same, and the run must succeed.
  got=$(figures "$tmp/pad.csv" "$args")
  checks=$((checks + 1))
  if [ "$got" != "$base" ]; then
    echo "FAIL $form: padded keys changed the figures or failed"
    diff <(echo "$base") <(echo "$got") | head -5 || true
    head -3 "$tmp/err" || true
    failures=$((failures + 1))
  fi
  # Cut inside a data row (lines 2 to 6, before the row's last comma).
  for n in 2 3 4 5 6; do
    line=$(sed -n "${n}p" "$file")
    prefix=${line%,*} # everything before the last delimiter
    { head -n $((n - 1)) "$file"; printf '%s' "${prefix:0:$(( ${#prefix} * 2 / 3 ))}"; } >"$tmp/cut.csv"
    check "$form" "the file cut inside line $n" "$base" "$tmp/cut.csv" "$args"
  done
done
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
