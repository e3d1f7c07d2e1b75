#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Each command's option names are its own (src/cli/common.hpp, option_part). A command adds its
# options in parts, and CLI11 refuses a name twice only within one part: a name given twice in
# two parts would be parsed by the first and the second would never be set. The names come
# from the completion helper, which lists a command's options and then the program's.
# usage: option_names.sh CSKPI
set -euo pipefail
cskpi=$1
top=$("$cskpi" __complete -) # the program's own: --help, --version, --config (and -h)
status=0
for cmd in $("$cskpi" __complete ""); do
  names=$("$cskpi" __complete "$cmd" - | grep -vxF -f <(printf '%s\n' "$top") || true)
  dups=$(printf '%s\n' "$names" | sort | uniq -d)
  if [ -n "$dups" ]; then
    echo "cskpi $cmd: option names given twice:" $dups
    status=1
  else
    echo "cskpi $cmd: $(printf '%s\n' "$names" | grep -c .) option names, none twice"
  fi
done
exit $status
