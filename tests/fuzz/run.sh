#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer target with clang (ASan + UBSan) and fuzzes the whole report path.
#   bash tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]   default 60 s
# Seeds: tests/fuzz/seeds, tests/fuzz/regressions, samples/ and the hostile-exports corpus (tests/hostile/). What the fuzzer learns goes
# to build-fuzz/corpus (not in git). A failing input is written to build-fuzz/crash-*; fix
# the bug, then copy the input into tests/fuzz/regressions/ so the test suite replays it.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-60}"
shift || true
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCSKPI_FUZZ=ON >/dev/null
cmake --build build-fuzz -j2 --target fuzz_report
mkdir -p build-fuzz/corpus
exec ./build-fuzz/tests/fuzz_report build-fuzz/corpus tests/fuzz/seeds tests/fuzz/regressions samples samples/stripe tests/hostile/* \
  -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=build-fuzz/ -print_final_stats=1 "$@"
