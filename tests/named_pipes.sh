#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Pipes and the same file named twice:
#   - a FIFO named twice (or by two paths) is a usage error at once, never a wait for a
#     writer that has gone; so is a regular file by two paths (its rows would count twice);
#   named_pipes.sh CSKPI ROOT
set -euo pipefail
cskpi="$1"
cd "$2"
tmp="$(mktemp -d)"
writer=""
trap '[ -z "$writer" ] || kill "$writer" 2>/dev/null || true; rm -rf "$tmp"' EXIT
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
cat samples/month_end_2026-10.csv > "$tmp/fifo" &
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
