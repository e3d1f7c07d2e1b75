#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Never destroy an input, never leave half a file (issue 15):
#   - -o naming an input (the same path, another path or a hard link to it, standard input
#     redirected from it, a --bands file) is a usage error and the input stays as it was;
#   - a run killed while it writes leaves the old output or the whole new one, never a part;
#   - a written file gets the mode any new file gets; /dev/null is written in place;
#   - a file written over keeps its mode (0600 stays 0600), and a symbolic link is written
#     through: the link stays, the file it names is replaced; a link to an input is refused
#     (issue 28).
#   output_safety.sh CSKPI GEN_SAMPLES ROOT
set -euo pipefail
cskpi="$1"
gen="$2"
cd "$3"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp samples/month_end_2026-10.csv "$tmp/data.csv"
ln "$tmp/data.csv" "$tmp/link.csv"
"$cskpi" bands --format csv -o "$tmp/bands.csv"
want="$(md5sum < "$tmp/data.csv")"
refused() { # args...: must exit 2 and leave data.csv and bands.csv as they were
  local rc=0
  "$@" 2>"$tmp/err" || rc=$?
  [ "$rc" -eq 2 ] || { echo "FAIL: exit $rc, want 2: $*"; cat "$tmp/err"; exit 1; }
  grep -q 'never writes over an input' "$tmp/err" || { echo "FAIL: no reason given: $*"; cat "$tmp/err"; exit 1; }
  [ "$(md5sum < "$tmp/data.csv")" = "$want" ] || { echo "FAIL: $* changed the input"; exit 1; }
}
refused "$cskpi" report "$tmp/data.csv" --format csv -o "$tmp/data.csv"
refused "$cskpi" report "$tmp/data.csv" -o "$tmp/../$(basename "$tmp")/data.csv"
refused "$cskpi" report "$tmp/data.csv" --format csv -o "$tmp/link.csv"
refused "$cskpi" report - --format csv -o "$tmp/data.csv" < "$tmp/data.csv"
cp "$tmp/data.csv" "$tmp/export.txt"
refused "$cskpi" check "$tmp/export.txt" --require 'nrr>=1' -o "$tmp/export.txt"
refused "$cskpi" report "$tmp/data.csv" --bands "$tmp/bands.csv" --format csv -o "$tmp/bands.csv"
refused "$cskpi" validate "$tmp/data.csv" --format csv -o "$tmp/data.csv"
ln -s data.csv "$tmp/symlink.csv"
refused "$cskpi" report "$tmp/data.csv" --format csv -o "$tmp/symlink.csv"
[ -L "$tmp/symlink.csv" ] || { echo "FAIL: the link to the input is no longer a link"; exit 1; }
rm "$tmp/symlink.csv"
# Every option naming a file the run reads, and standard input read with no file named.
cp samples/costs_24m.csv "$tmp/costs.csv"
printf '[report]\n' > "$tmp/config.toml"
guarded() { # FILE args...: like refused, and FILE stays as it was
  local file="$1" sum
  shift
  sum="$(md5sum < "$file")"
  refused "$@"
  [ "$(md5sum < "$file")" = "$sum" ] || { echo "FAIL: $* changed $file"; exit 1; }
}
guarded "$tmp/costs.csv" "$cskpi" report "$tmp/data.csv" --costs "$tmp/costs.csv" --format csv -o "$tmp/costs.csv"
guarded "$tmp/config.toml" "$cskpi" --config "$tmp/config.toml" report "$tmp/data.csv" --format table \
  -o "$tmp/config.toml"
guarded "$tmp/data.csv" "$cskpi" report --format csv -o "$tmp/data.csv" < "$tmp/data.csv"
guarded "$tmp/data.csv" "$cskpi" validate -o "$tmp/data.csv" < "$tmp/data.csv"
echo "ok: -o over an input refused 12 ways, the input unchanged"

# Killed while writing: the old file or the whole new one. A big movements output, killed
# at a few moments; each time out.csv must be one of the two.
"$gen" --snapshots 60000 --months 24 > "$tmp/snapshots.csv"
"$cskpi" movements "$tmp/snapshots.csv" -o "$tmp/full.csv"
full="$(md5sum < "$tmp/full.csv")"
for delay in 0.05 0.2 0.4 0.8; do
  echo old > "$tmp/out.csv"
  timeout -s KILL "$delay" "$cskpi" movements "$tmp/snapshots.csv" -o "$tmp/out.csv" || true
  got="$(md5sum < "$tmp/out.csv")"
  [ "$got" = "$full" ] || [ "$(cat "$tmp/out.csv")" = old ] || { echo "FAIL: killed after $delay s, out.csv is a part"; exit 1; }
done
echo "ok: killed while writing, out.csv was the old file or the whole new one"
rm -f "$tmp"/.out.csv.cskpi-* # what a killed run leaves beside it
umask 022
"$cskpi" report "$tmp/data.csv" --format csv -o "$tmp/new.csv"
[ "$(stat -c %a "$tmp/new.csv")" = 644 ] || { echo "FAIL: new.csv has mode $(stat -c %a "$tmp/new.csv")"; exit 1; }
"$cskpi" report "$tmp/data.csv" -o /dev/null
[ -c /dev/null ] || { echo "FAIL: /dev/null is no longer a device"; exit 1; }
[ -z "$(ls -A "$tmp" | grep cskpi- || true)" ] || { echo "FAIL: a temporary file was left: $(ls -A "$tmp")"; exit 1; }
echo "ok: mode 644 under umask 022; /dev/null written in place; no temporary file left"

# Written over, a file keeps its mode: 0600 stays 0600 whatever the umask, and a report
# written through a symbolic link replaces the file it names, not the link.
echo old > "$tmp/private.csv"
chmod 600 "$tmp/private.csv"
"$cskpi" report "$tmp/data.csv" --format csv -o "$tmp/private.csv"
[ "$(stat -c %a "$tmp/private.csv")" = 600 ] || { echo "FAIL: private.csv has mode $(stat -c %a "$tmp/private.csv")"; exit 1; }
[ "$(cat "$tmp/private.csv")" != old ] || { echo "FAIL: private.csv was not written"; exit 1; }
"$cskpi" movements "$tmp/snapshots.csv" -o "$tmp/private.csv"
[ "$(stat -c %a "$tmp/private.csv")" = 600 ] || { echo "FAIL: movements -o made it $(stat -c %a "$tmp/private.csv")"; exit 1; }
mkdir "$tmp/reports"
echo old > "$tmp/reports/target.csv"
chmod 640 "$tmp/reports/target.csv"
ln -s reports/target.csv "$tmp/latest.csv"
"$cskpi" report "$tmp/data.csv" --format csv -o "$tmp/latest.csv"
[ -L "$tmp/latest.csv" ] || { echo "FAIL: latest.csv is no longer a symbolic link"; exit 1; }
[ "$(readlink "$tmp/latest.csv")" = reports/target.csv ] || { echo "FAIL: latest.csv points elsewhere"; exit 1; }
cmp -s "$tmp/reports/target.csv" <("$cskpi" report "$tmp/data.csv" --format csv) ||
  { echo "FAIL: the file latest.csv names was not written"; exit 1; }
[ "$(stat -c %a "$tmp/reports/target.csv")" = 640 ] || { echo "FAIL: target.csv has mode $(stat -c %a "$tmp/reports/target.csv")"; exit 1; }
ln -s reports/new.csv "$tmp/dangling.csv" # a link to a file not there yet: made there
"$cskpi" report "$tmp/data.csv" --format csv -o "$tmp/dangling.csv"
[ -L "$tmp/dangling.csv" ] && [ -f "$tmp/reports/new.csv" ] || { echo "FAIL: the dangling link was not written through"; exit 1; }
[ -z "$(ls -A "$tmp" "$tmp/reports" | grep cskpi- || true)" ] || { echo "FAIL: a temporary file was left"; exit 1; }
echo "ok: mode 600 and 640 kept; a symbolic link written through, still a link"
