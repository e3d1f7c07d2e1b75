#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pipes and the same file named twice:
#   - a FIFO named twice (or by two paths) is a usage error at once, never a wait for a
#     writer that has gone; so is a regular file by two paths (its rows would count twice);
#   - a FIFO named once is read whole (never opened and closed unread to peek at its header),
#     and --compare, which would read it again, refuses it;
#   - a reader that closes the pipe early ends the run with exit 0, whether the pipe is
#     standard output or is named by -o (/dev/stdout, a FIFO).
#   named_pipes.sh CSKPI ROOT
set -euo pipefail
cskpi="$1"
cd "$2"
tmp="$(mktemp -d)"
writer="" reader=""
trap 'for p in $writer $reader; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
refused() { # WANT args...: must exit 2 within 20 s, stderr holding WANT
  local want="$1" rc=0
  shift
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [ "$rc" -ne 124 ] || { echo "FAIL: still waiting after 20 s: $*"; exit 1; }
  [ "$rc" -eq 2 ] || { echo "FAIL: exit $rc, want 2: $*"; cat "$tmp/err"; exit 1; }
  grep -qF "$want" "$tmp/err" || { echo "FAIL: stderr lacks '$want': $*"; cat "$tmp/err"; exit 1; }
}
mkfifo "$tmp/fifo"
ln -s fifo "$tmp/fifo_link"
# A writer that stays blocked until someone opens the FIFO; killed on exit if nobody did.
cat samples/month_end_2026-10.csv > "$tmp/fifo" 2>/dev/null &
writer=$!
refused "fifo is named twice" "$cskpi" report "$tmp/fifo" "$tmp/fifo"
refused "are the same file" "$cskpi" report "$tmp/fifo" "$tmp/fifo_link"
refused "are the same file" "$cskpi" movements "$tmp/fifo_link" "$tmp/fifo"
cp samples/month_end_2026-10.csv "$tmp/data.csv"
ln "$tmp/data.csv" "$tmp/hard.csv"
refused "are the same file" "$cskpi" report "$tmp/data.csv" "$tmp/hard.csv"
refused "are the same file" "$cskpi" validate - "$tmp/data.csv" < "$tmp/data.csv"
refused "are the same file" "$cskpi" report /dev/null /dev/stdin < /dev/null
echo "ok: a FIFO or a file named twice or by two paths refused at once, exit 2"
# The FIFO, named once, is read whole: the refusals above did not open it.
timeout 20 "$cskpi" report "$tmp/fifo" --format csv > "$tmp/fifo.csv" || { echo "FAIL: reading the FIFO once"; exit 1; }
writer=""
"$cskpi" report samples/month_end_2026-10.csv --format csv > "$tmp/file.csv"
cmp -s "$tmp/fifo.csv" "$tmp/file.csv" || { echo "FAIL: the FIFO read once gave another report"; exit 1; }
echo "ok: the FIFO named once gives the file's report"
# --compare whose presets need a second reading: a usage error for a FIFO, as for standard input.
cat tests/golden/compare_fx_stdin/stdin > "$tmp/fifo" 2>/dev/null &
writer=$!
refused "(a pipe or device) can be read only once" "$cskpi" report "$tmp/fifo" --compare cskpi,profitwell \
  --fx tests/data/fx_monthly_eur.csv --currency EUR
echo "ok: --compare reading a FIFO again is refused, never waited on"

# A reader closing the pipe after 10 bytes of a 1 MB list: exit 0, nothing on stderr.
awk 'BEGIN { print "customer_id,segment,period,start_mrr,expansion_mrr,contraction_mrr,churned_mrr"
             for (i = 0; i < 20000; i++) printf "C%d,SMB,2026-10,100.00,0,0,100.00\n", i }' > "$tmp/churn.csv"
closed() { # WHAT RC: the run's exit code and stderr, the pipe having closed early
  [ "$2" -eq 0 ] || { echo "FAIL: $1: exit $2, want 0"; cat "$tmp/err"; exit 1; }
  [ ! -s "$tmp/err" ] || { echo "FAIL: $1: stderr not empty"; cat "$tmp/err"; exit 1; }
}
set +e
"$cskpi" movements "$tmp/churn.csv" --format csv 2>"$tmp/err" | head -c 10 > /dev/null
rc="${PIPESTATUS[0]}"
set -e
closed "stdout" "$rc"
set +e
"$cskpi" movements "$tmp/churn.csv" --format csv -o /dev/stdout 2>"$tmp/err" | head -c 10 > /dev/null
rc="${PIPESTATUS[0]}"
set -e
closed "-o /dev/stdout" "$rc"
mkfifo "$tmp/out_fifo"
head -c 10 "$tmp/out_fifo" > /dev/null 2>&1 &
reader=$!
rc=0
timeout 20 "$cskpi" movements "$tmp/churn.csv" --format csv -o "$tmp/out_fifo" 2>"$tmp/err" || rc=$?
closed "-o FIFO" "$rc"
echo "ok: a pipe closed early, on stdout, -o /dev/stdout or -o FIFO, exits 0 quietly"
