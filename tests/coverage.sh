#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Line coverage of src/ by the whole test suite (unit, golden, the examples of README.md and
# docs/, fuzz replay), with gcov and lcov from Debian. Prints a per-file list and the summary;
# the HTML report goes to build-coverage/html/ when genhtml is there.
#   bash tests/coverage.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg-query -W -f='${Status}' lcov 2>/dev/null | grep -q 'install ok installed'; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends lcov
fi
cmake -S . -B build-coverage -DCMAKE_BUILD_TYPE=Debug -DCSKPI_COVERAGE=ON >/dev/null
cmake --build build-coverage -j2
lcov --quiet --zerocounters --directory build-coverage
ctest --test-dir build-coverage -j2 --output-on-failure >/dev/null
lcov --quiet --capture --directory build-coverage --output-file build-coverage/all.info
lcov --quiet --extract build-coverage/all.info "$PWD/src/*" --output-file build-coverage/src.info
lcov --list build-coverage/src.info
lcov --summary build-coverage/src.info
genhtml --quiet --output-directory build-coverage/html build-coverage/src.info >/dev/null 2>&1 || true
