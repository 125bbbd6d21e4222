#!/bin/sh
# Builds and runs the whole test suite: release build with every test label; the unit and
# integration tests under ASan+UBSan (GCC); the session integration tests under
# ThreadSanitizer; the fuzz targets over their corpus and a fixed-seed run (clang, libFuzzer).
set -e
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake --preset release
cmake --build build/release -j "$jobs"
ctest --preset release -j "$jobs"

cmake --preset asan
cmake --build build/asan -j "$jobs"
ctest --preset asan -j "$jobs"

cmake --preset tsan
cmake --build build/tsan -j "$jobs" --target test_session
ctest --preset tsan

cmake --preset fuzz
cmake --build build/fuzz -j "$jobs" --target fuzz_targets
ctest --preset fuzz -j "$jobs"
