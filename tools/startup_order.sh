#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Lists, one symbol a line, the functions a small run of cskpi executes, for the linker's
# --symbol-ordering-file (lld): laid out side by side, they take a few dozen pages of the binary
# instead of pages all over its 3 MiB of code, and on a VM a page's first touch is dear
# (bench/README.md, issue 13). The runs are small reports, checks and validations of the
# samples, under valgrind's callgrind, which names every function that runs.
#   tools/startup_order.sh CSKPI > cmake/startup.order       regenerate the list
#   tools/startup_order.sh CSKPI --check cmake/startup.order  fail when the list misses more
#                                                              than 10 % of what runs now
# Symbols the list names and the binary lacks are ignored by the linker, so an old list costs
# only speed; tests/CMakeLists.txt runs --check so that it does not grow old unseen.
set -euo pipefail
cskpi="$(realpath "$1")"
mode="${2:-}"
case "$mode" in
  "") ;;
  --check) [ $# -eq 3 ] || { echo "usage: startup_order.sh CSKPI [--check LIST]" >&2; exit 2; } ;;
  *) echo "usage: startup_order.sh CSKPI [--check LIST]" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")/.." && pwd)"
command -v valgrind >/dev/null || { echo "startup_order: valgrind is not installed (apt install valgrind)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sample="$here/samples/month_end_2026-10.csv"
head -n 101 "$sample" > "$work/small.csv"
runs=(
  "report $work/small.csv"
  "report $work/small.csv --by segment --format json"
  "report $work/small.csv --format csv"
  "check $work/small.csv --rules $here/samples/kpi-gates.txt"
  "validate $work/small.csv"
  "--version"
)
i=0
for args in "${runs[@]}"; do
  i=$((i + 1))
  # shellcheck disable=SC2086 # the arguments are words
  (cd "$work" && valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$i" "$cskpi" $args \
    >/dev/null 2>"$work/err.$i") || true # check exits 1 on a failed gate; the functions ran all the same
  [ -s "$work/cg.$i" ] || { echo "startup_order: callgrind failed on: cskpi $args" >&2; cat "$work/err.$i" >&2; exit 2; }
done
# "fn=(12) name" names a function the first time; a suffix from "'" on is callgrind's recursion depth.
order="$(cat "$work"/cg.* | sed -n "s/^c\\{0,1\\}fn=([0-9]*) \\([^']*\\).*/\\1/p" | grep -v '^0x' | awk '!seen[$0]++')"
if [ "$mode" != "--check" ]; then
  printf '%s\n' "$order"
  # valgrind's CPU has no AVX-512, so glibc picks other variants of its string functions under
  # it than on the machine: every variant of each one that ran is listed too.
  ifuncs='(sse|ssse3|avx|evex|erms|fma)'
  symbols="$(nm "$cskpi" | awk '{ print $NF }')"
  printf '%s\n' "$order" | awk -v re="_${ifuncs}" '/^__/ && match($0, re) { print substr($0, 1, RSTART - 1) }' | sort -u |
  while read -r base; do
    grep -E "^${base}_${ifuncs}" <<<"$symbols" || true
  done | awk -v seen="$(printf '%s\n' "$order")" 'BEGIN { n = split(seen, s, "\n"); for (i = 1; i <= n; i++) have[s[i]] = 1 }
                                                  !have[$0]++'
  exit 0
fi
list="$3"
missing="$(comm -23 <(printf '%s\n' "$order" | sort -u) <(sort -u "$list") | wc -l)"
total="$(printf '%s\n' "$order" | wc -l)"
echo "startup_order: $((total - missing)) of the $total functions a small run executes are in $list"
if [ $((missing * 10)) -gt "$total" ]; then
  echo "startup_order: $missing are not: regenerate it with tools/startup_order.sh $1 > $list" >&2
  exit 1
fi
