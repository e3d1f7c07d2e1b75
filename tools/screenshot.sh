#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates docs/report.png, the README's picture of the HTML report: the bundled 24-month
# snapshot sample by segment, drawn by headless Chromium (Debian's chromium package).
#   bash tools/screenshot.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$build/cskpi" report samples/mrr_matrix_24m.csv --by segment -o "$tmp/report.html"
mkdir -p docs
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/profile" --virtual-time-budget=10000 \
  --window-size=1280,1400 --screenshot="$tmp/report.png" "$tmp/report.html" >/dev/null 2>&1
mv "$tmp/report.png" docs/report.png
echo "docs/report.png: $(stat -c %s docs/report.png) bytes"
