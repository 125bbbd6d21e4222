#!/bin/sh
# Builds and runs the whole test suite: the programs in the release build, with the tests
# that drive them there (desktop client, interop with real clients, benchmarks' checks); the
# unit and integration tests under ASan+UBSan (GCC); the session integration tests and the
# tracker's (its threads share swarms, metrics and keys) under ThreadSanitizer; the fuzz
# targets over their corpus and a fixed-seed run (clang, libFuzzer).
# (`ctest --preset release` after a full `cmake --build build/release` runs every label.)
set -e
cd "$(dirname "$0")/.."
jobs=$(nproc)

cmake --preset release
cmake --build build/release -j "$jobs" --target release_only_tests
# (The GoogleTest programs left unbuilt stand in the list as <name>_NOT_BUILT.)
ctest --preset release -j "$jobs" -LE "^(unit|integration)$" -E "_NOT_BUILT$"

cmake --preset asan
cmake --build build/asan -j "$jobs"
ctest --preset asan -j "$jobs"

cmake --preset tsan
cmake --build build/tsan -j "$jobs" --target test_session shoal-tracker
ctest --preset tsan

cmake --preset fuzz
cmake --build build/fuzz -j "$jobs" --target fuzz_targets
ctest --preset fuzz -j "$jobs"
