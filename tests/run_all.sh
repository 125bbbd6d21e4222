#!/bin/sh
# Builds and runs the whole test suite: release build with every test label, then the unit
# tests under ASan+UBSan (GCC) and the fuzzers (corpus, then a fixed-seed run) under libFuzzer with
# ASan+UBSan (clang).
set -e
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake --preset release
cmake --build build/release -j "$jobs"
ctest --preset release -j "$jobs"

cmake --preset asan
cmake --build build/asan -j "$jobs" --target unit_tests
ctest --preset asan -j "$jobs"

cmake --preset fuzz
cmake --build build/fuzz -j "$jobs" --target fuzz_targets
ctest --preset fuzz -j "$jobs"
