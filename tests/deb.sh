#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian package with `cpack -G DEB` and checks it (issue 15): its Depends name the
# libraries the binary links, with no upper bound, it holds
# the binary, man pages and completions, and its binary runs. With --install (CI, as root) it is
# installed with dpkg -i, used from /usr (cskpi --version, man cskpi-report, bash completion,
# a workbook), and removed again.
# Usage: deb.sh BUILD_DIR [--install]
set -euo pipefail
build="$(realpath "$1")"
install="${2:-}"
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -f "$build"/cskpi_*.deb
log="$( (cd "$build" && cpack -G DEB) 2>&1)" || fail "cpack -G DEB: $log"
deb="$(ls "$build"/cskpi_*.deb)"
depends="$(dpkg-deb -f "$deb" Depends)"
# Every library the binary links itself (its NEEDED entries; what they
# link in turn their own packages bring), each with no upper bound: a release upgrade of glibc or
# any other must not remove cskpi.
needed="$(objdump -p "$build/cskpi" | awk '$1 == "NEEDED" { print $2 }')"
linked="$(ldd "$build/cskpi" | awk -v needed=" $(echo $needed) " 'index(needed, " " $1 " ") && $3 ~ /^\// { print $3 }')"
[ -n "$linked" ] || fail "the binary links no shared library (ldd): it should link glibc dynamically"
packages="$(for so in $linked; do dpkg -S "$so" 2>/dev/null || dpkg -S "$(realpath "$so")"; done | cut -d: -f1 | sort -u)"
for pkg in $packages; do
  grep -q "$pkg" <<<"$depends" || fail "Depends has no $pkg: $depends"
done
if grep -q '<<' <<<"$depends"; then fail "Depends has an upper bound: $depends"; fi
contents="$(dpkg-deb -c "$deb")"
for file in ./usr/bin/cskpi ./usr/share/man/man1/cskpi-report.1.gz ./usr/share/bash-completion/completions/cskpi \
            ./usr/share/zsh/vendor-completions/_cskpi ./usr/share/fish/vendor_completions.d/cskpi.fish; do
  grep -q " $file\$" <<<"$contents" || fail "the package holds no $file"
done
unpacked="$(mktemp -d)"
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
"$unpacked/usr/bin/cskpi" --version | grep -qx 'cskpi [0-9.]*' || fail "the packaged binary does not run"
echo "deb: $(basename "$deb") ($(du -k "$deb" | cut -f1) KB), Depends: $depends"

[ "$install" = "--install" ] || exit 0
[ "$(id -u)" -eq 0 ] || fail "--install needs root (dpkg -i)"
if dpkg-query -W cskpi >/dev/null 2>&1; then fail "a cskpi package is installed already; not replacing it"; fi
dpkg -i "$deb" >/dev/null
trap 'dpkg -r cskpi >/dev/null; rm -rf "$unpacked"' EXIT
[ "$(/usr/bin/cskpi --version)" = "$("$build/cskpi" --version)" ] || fail "the installed cskpi is not this build"
/usr/bin/cskpi report "$(dirname "$0")/../samples/month_end_2026-10.csv" --format xlsx -o "$unpacked/r.xlsx" \
  || fail "the installed cskpi cannot write a workbook"
[ "$(head -c 2 "$unpacked/r.xlsx")" = "PK" ] || fail "the installed cskpi wrote no workbook"
MANWIDTH=80 man cskpi-report 2>/dev/null | grep -Eq 'cskpi-report +- +compute every KPI' || fail "man cskpi-report does not render"
got="$(bash -c 'source /usr/share/bash-completion/completions/cskpi; COMP_WORDS=(cskpi rep); COMP_CWORD=1; _cskpi; echo "${COMPREPLY[*]}"')"
[ "$got" = "report" ] || fail "bash: cskpi rep<TAB> gave '$got'"
echo "deb: installed with dpkg -i, cskpi --version, --format xlsx, man cskpi-report and completion work; removed again"
