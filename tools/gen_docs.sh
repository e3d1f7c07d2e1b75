#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Generates what `cmake --install` and the .deb ship besides the binary, from the binary
# itself so it can never drift from --help:
#   OUT/man/cskpi.1.gz, OUT/man/cskpi-COMMAND.1.gz   man pages, by help2man from each --help
#   OUT/completions/{cskpi.bash,_cskpi,cskpi.fish}  bash, zsh and fish completion scripts
# Usage: tools/gen_docs.sh CSKPI OUT   (help2man missing: completions only, and a note)
set -euo pipefail
cskpi="$(realpath "$1")"
out="$2"
mkdir -p "$out/completions" "$out/man"
export COLUMNS= NO_COLOR=1 # --help unwrapped: help2man does the filling
"$cskpi" completion bash > "$out/completions/cskpi.bash"
"$cskpi" completion zsh > "$out/completions/_cskpi"
"$cskpi" completion fish > "$out/completions/cskpi.fish"

if ! command -v help2man >/dev/null; then
  echo "gen_docs: help2man is not installed (apt install help2man): no man pages" >&2
  exit 0
fi
version="$("$cskpi" --version | sed 's/^cskpi //')"
wrappers="$(mktemp -d)"
trap 'rm -rf "$wrappers"' EXIT
see_also="$wrappers/see_also"
{
  echo "[SEE ALSO]"
  "$cskpi" __complete '' | sed 's/.*/.BR cskpi-& (1),/' | sed '$ s/,$//'
} > "$see_also"
# help2man fills indented blocks into one paragraph; --help's indented blocks are examples and
# lists, one per line: keep their lines.
keep_lines() {
  awk '$0 == ".IP" { print; print ".nf"; open = 1; next }
       open && /^\./ { print ".fi"; open = 0 }
       { print }
       END { if (open) print ".fi" }' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}
# cskpi(1): the overview; cskpi-COMMAND(1): one per command, named by its --help line.
help2man --no-info --no-discard-stderr --version-string="$version" --include="$see_also" \
  --name="retention KPIs from CSV exports, rated against benchmarks" --output="$out/man/cskpi.1" "$cskpi"
keep_lines "$out/man/cskpi.1"
"$cskpi" --help | sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z]*\)  *\(.*\)$/\1\t\2/p' |
  while IFS=$'\t' read -r command summary; do
    wrapper="$wrappers/cskpi-$command"
    printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$cskpi" "$command" > "$wrapper"
    chmod +x "$wrapper"
    # help2man wants "NAME - summary": lower-case the summary's first letter as man pages do.
    help2man --no-info --no-discard-stderr --version-string="$version" --include="$see_also" \
      --name="${summary,}" --output="$out/man/cskpi-$command.1" "$wrapper"
    keep_lines "$out/man/cskpi-$command.1"
  done
gzip -9nf "$out"/man/*.1 # as Debian ships man pages
