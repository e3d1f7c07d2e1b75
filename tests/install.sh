#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cmake --install` into a scratch prefix, then use what it installed as a user would
# (issue 15): the binary runs, `man cskpi-report` renders, bash completes `cskpi rep<TAB>`,
# `--format <TAB>` and metric ids, zsh and fish load their scripts (fish completes too), and
# cskpi reads ./cskpi.toml from the directory it runs in.
# Usage: install.sh CMAKE BUILD_DIR SOURCE_DIR
set -euo pipefail
cmake_bin="$1"
build="$2"
src="$(realpath "$3")"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$cmake_bin" --install "$build" --prefix "$prefix" >/dev/null
export PATH="$prefix/bin:$PATH"
[ "$(command -v cskpi)" = "$prefix/bin/cskpi" ] || fail "cskpi is not on PATH from the prefix"
cskpi --version | grep -qx 'cskpi [0-9.]*' || fail "cskpi --version"

# Man pages: one per command, and they render.
if command -v help2man >/dev/null; then
  for command in "" $(cskpi __complete ''); do
    page="cskpi${command:+-$command}"
    [ -f "$prefix/share/man/man1/$page.1.gz" ] || fail "no man page $page.1.gz"
  done
  text="$(MANPATH="$prefix/share/man" MANWIDTH=80 man cskpi-report 2>&1)" || fail "man cskpi-report: $text"
  grep -Eq 'cskpi-report +- +compute every KPI' <<<"$text" || fail "man cskpi-report has no NAME line: $text"
  grep -q -- '--gross-margin' <<<"$text" || fail "man cskpi-report lists no options"
  grep -q '^ *cskpi report samples/month_end_2026-10.csv$' <<<"$text" || fail "man cskpi-report fills its examples into a paragraph"
fi

# bash: the installed script, driven as bash-completion drives it.
bash_script="$prefix/share/bash-completion/completions/cskpi"
complete_bash() { # WORDS... -> the candidates, space-separated
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cskpi; echo "${COMPREPLY[*]}"' _ "$bash_script" "$@"
}
[ "$(complete_bash cskpi rep)" = "report" ] || fail "bash: cskpi rep<TAB> gave '$(complete_bash cskpi rep)'"
[ "$(complete_bash cskpi report --format '')" = "table json jsonl csv markdown html xlsx" ] ||
  fail "bash: cskpi report --format <TAB> gave '$(complete_bash cskpi report --format '')'"
[ "$(complete_bash cskpi report x.csv --metrics nrr,gr)" = "nrr,grr nrr,gross_mrr_churn" ] ||
  fail "bash: --metrics nrr,gr<TAB> gave '$(complete_bash cskpi report x.csv --metrics nrr,gr)'"
(cd "$src" && [ "$(complete_bash cskpi report samples/month_end_2)" = "samples/month_end_2026-10.csv" ]) ||
  fail "bash: a file name is not completed"

# zsh and fish: the scripts parse; fish also completes (zsh needs a terminal to complete).
if command -v zsh >/dev/null; then zsh -n "$prefix/share/zsh/vendor-completions/_cskpi" || fail "zsh: the script does not parse"; fi
if command -v fish >/dev/null; then
  got="$(fish --no-config -c "source '$prefix/share/fish/vendor_completions.d/cskpi.fish'; complete -C 'cskpi rep'" | cut -f1)"
  [ "$got" = "report" ] || fail "fish: cskpi rep<TAB> gave '$got'"
fi

# ./cskpi.toml in the working directory sets defaults; the command line wins. Its [check]
# section is not an error for cskpi report: a run with a configuration file knows every command.
work="$prefix/work"
mkdir -p "$work"
printf '[report]\nmetrics = ["grr"]\nformat = "csv"\n[check]\nrequire = ["nrr>=100"]\n' > "$work/cskpi.toml"
got="$(cd "$work" && cskpi report "$src/samples/month_end_2026-10.csv" | cut -d, -f3 | sort -u | tr '\n' ' ')"
[ "$got" = "grr metric " ] || fail "./cskpi.toml was not read: metrics '$got'"
got="$(cd "$work" && cskpi report "$src/samples/month_end_2026-10.csv" --metrics nrr | cut -d, -f3 | sort -u | tr '\n' ' ')"
[ "$got" = "metric nrr " ] || fail "the command line does not win over ./cskpi.toml: '$got'"
echo "install: binary, man pages, completions and configuration file work from $prefix"
