#!/usr/bin/env bash
# Long fuzzing by hand, with random seeds: tests/fuzz/fuzz_long.sh [SECONDS] [TARGET...]
#
# Builds the `fuzz` preset, then runs each target (all of them when none is named) for SECONDS
# (default 600), starting from its checked-in corpus. Up to FUZZ_JOBS targets run at once
# (default: the number of cores). Everything the fuzzer writes stays in
# build/fuzz/fuzz-long/<target>/: `corpus/` (new inputs, kept for the next run), crash-*,
# leak-*, timeout-* and oom-* files (kept until deleted), and `log`. Exit status 1 when a
# target's folder holds such a file.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=600
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi
jobs=${FUZZ_JOBS:-$(nproc)}

cmake --preset fuzz >/dev/null
cmake --build build/fuzz --target fuzz_targets

# Every fuzzer binary, by name, and where its checked-in corpus is.
declare -A binary seeds
while IFS= read -r path; do
    binary[$(basename "$path")]=$path
done < <(find build/fuzz/tests/fuzz -maxdepth 2 -type f -name 'fuzz_*' -perm -u+x)
while IFS= read -r dir; do
    seeds[$(basename "$dir")]=$dir
done < <(find tests/fuzz -type d -path '*/corpus/fuzz_*')

if [[ $# -gt 0 ]]; then
    targets=("$@")
else
    mapfile -t targets < <(printf '%s\n' "${!binary[@]}" | sort)
fi
for t in "${targets[@]}"; do
    if [[ -z ${binary[$t]:-} ]]; then
        echo "no fuzz target named $t; there are: $(printf '%s\n' "${!binary[@]}" | sort | tr '\n' ' ')" >&2
        exit 2
    fi
done

out=build/fuzz/fuzz-long
run_one() {
    local t=$1 dir=$out/$1
    mkdir -p "$dir/corpus"
    # The first folder gets the new inputs; the checked-in corpus is only read.
    "${binary[$t]}" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=30 \
        -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus" ${seeds[$t]:+"${seeds[$t]}"} \
        >"$dir/log" 2>&1 || true
}

echo "fuzzing ${#targets[@]} target(s) for ${seconds} s each, ${jobs} at a time; output in $out/"
running=0
for t in "${targets[@]}"; do
    if ((running >= jobs)); then
        wait -n || true
        running=$((running - 1))
    fi
    echo "  $t"
    run_one "$t" &
    running=$((running + 1))
done
wait

found=0
for t in "${targets[@]}"; do
    dir=$out/$t
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
    shopt -s nullglob
    findings=("$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* "$dir"/slow-unit-*)
    shopt -u nullglob
    if [[ ${#findings[@]} -eq 0 ]]; then
        echo "$t: nothing found (${execs:-?} runs)"
        continue
    fi
    found=1
    echo "$t: FOUND ${#findings[@]} input(s), see $dir/log"
    for f in "${findings[@]}"; do
        echo "    $f"
    done
done

if ((found)); then
    cat <<EOF

To reproduce a finding: build/fuzz/tests/fuzz/<target> FILE (tracker targets are under
build/fuzz/tests/fuzz/tracker/). Once it is fixed, keep it as a regression input beside the
target's seeds, where \`ctest --preset fuzz\` runs it every time:
    cp FILE tests/fuzz/corpus/<target>/regression_<what_it_broke>
(tests/fuzz/tracker/corpus/<target>/ for the tracker targets) and commit it with the fix.
EOF
    exit 1
fi
