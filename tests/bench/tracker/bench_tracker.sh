#!/bin/bash
# Side-by-side load test of shoal-tracker and opentracker on 127.0.0.1 (run by hand):
# HTTP announces with wrk (keep-alive and Connection: close), UDP connect+announce+scrape with
# udp_load, then the memory each holds for the same 1,000,000 peers over 100,000 torrents.
# Beside each rate it prints the tracker's CPU time per request, which the load generators,
# sharing the machine, do not cap.
#
#   tests/bench/tracker/bench_tracker.sh [BUILD_DIR]    (default build/release)
# Environment: SECONDS_PER_RUN (5), ROUNDS (3), TORRENTS (10000), SHOAL_THREADS (1: the load
# generator needs the other core of a 2-core machine; 0 is one per core),
# WRK_CONNECTIONS (50), PARTS ("rates memory": which halves to run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-$root/build/release}
tracker=$build/app/shoal-tracker
duration=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
torrents=${TORRENTS:-10000}
threads=${SHOAL_THREADS:-1}
connections=${WRK_CONNECTIONS:-50}
parts=${PARTS:-rates memory}
export TORRENTS=$torrents

for tool in wrk opentracker g++; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)"; exit 1; }
done
[ -x "$tracker" ] || { echo "bench: build shoal-tracker first ($tracker)"; exit 1; }

work=$(mktemp -d /tmp/shoal-tracker-bench.XXXXXX)
# opentracker reads its whitelist after dropping to "nobody", so the folder must be world-readable.
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -n "${KEEP_WORK:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

g++ -std=c++20 -O2 -pthread -I "$here/../../../core" "$here/udp_load.cpp" -o "$work/udp_load"
"$work/udp_load" --print-hashes "$torrents" > "$work/whitelist"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_opentracker() {  # extra flags
    ot_port=$(free_port)
    # The Debian build only serves whitelisted torrents; it chroots into -d.
    opentracker -i 127.0.0.1 -p "$ot_port" -P "$ot_port" -d "$work" -w whitelist "$@" \
        > "$work/opentracker.log" 2>&1 &
    ot_pid=$!
    pids+=("$ot_pid")
    sleep 1
}

start_shoal() {  # $1: extra config
    cat > "$work/shoal.toml" <<TOML
[listen]
threads = $threads
[access]
mode = "allow"
list_file = "$work/whitelist"
[http]
max_connections = 10000
$1
TOML
    "$tracker" --config "$work/shoal.toml" --http 127.0.0.1:0 --udp 127.0.0.1:0 \
        > "$work/shoal.out" 2> "$work/shoal.err" &
    shoal_pid=$!
    pids+=("$shoal_pid")
    for _ in $(seq 50); do
        grep -q "listening udp" "$work/shoal.out" 2>/dev/null && break
        sleep 0.1
    done
    shoal_http=$(sed -n 's/listening http 127.0.0.1://p' "$work/shoal.out")
    shoal_udp=$(sed -n 's/listening udp 127.0.0.1://p' "$work/shoal.out")
}

stop() {
    kill "$1" 2>/dev/null || echo "bench: process $1 had exited before the end of its runs" >&2
    wait "$1" 2>/dev/null || true
}

# Each load prints "RATE REQUESTS": requests answered per second and in all.
wrk_load() {  # $1 port, rest: wrk flags
    local port=$1
    shift
    wrk -t1 -c"$connections" -d"${duration}s" -s "$here/announce.lua" "$@" \
        "http://127.0.0.1:$port/announce" |
        awk '/requests in/ {n=$1} /Requests\/sec/ {print int($2), n}'
}

udp_load() {  # $1 port
    "$work/udp_load" 127.0.0.1 "$1" --seconds "$duration" --torrents "$torrents" --window 512 \
        --scrape-every 10 | awk '{print int($8), $2}'
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Runs one load against the tracker with pid $1 and prints "RATE CPU_US_PER_REQUEST
# GENERATOR_PERCENT": the tracker's own CPU time (user and system) for each request, which a
# load generator sharing the machine does not cap the way it caps the rate, and the load
# generator's CPU time as a share of one core (near 100: the rate is the generator's, not the
# tracker's).
measure() {  # $1 pid, rest: the load command
    local pid=$1
    shift
    local before after rate count user system TIMEFORMAT='%U %S'
    before=$(cpu_ticks "$pid")
    { time "$@" > "$work/load.out" 2> "$work/load.err"; } 2> "$work/load.time"
    after=$(cpu_ticks "$pid")
    read -r rate count < "$work/load.out"
    read -r user system < "$work/load.time"
    python3 -c "print($rate, '%.2f' % (($after - $before) * 1e6 / $(getconf CLK_TCK) / max($count, 1)), '%.0f' % (100 * ($user + $system) / $duration))"
}

ratio() { python3 -c "print('%.2f' % ($1 / max($2, 1)))"; }

best() { printf "%s\n" "$@" | sort -n | tail -1; }
least() { printf "%s\n" "$@" | sort -g | head -1; }

echo "# $(date -u +%FT%TZ) $(nproc) cores; ${ROUNDS} rounds of ${duration}s per load, alternating, best kept;" \
     "$torrents torrents; shoal threads=$threads"

if [[ " $parts " == *" rates "* ]]; then
    # Both run side by side (an idle tracker costs nothing) and take turns, so a noisy neighbour
    # hurts both alike; each figure is the best of the rounds.
    start_opentracker
    start_shoal ""
    declare -a ot_ka ot_close ot_u sh_ka sh_close sh_u
    declare -a ot_ka_cpu ot_close_cpu ot_u_cpu sh_ka_cpu sh_close_cpu sh_u_cpu
    declare -a ot_ka_gen ot_close_gen ot_u_gen sh_ka_gen sh_close_gen sh_u_gen
    run() {  # $1 name of the result arrays, $2 pid, rest: the load
        local name=$1 pid=$2 rate cpu gen
        shift 2
        read -r rate cpu gen < <(measure "$pid" "$@")
        eval "$name+=(\"$rate\"); ${name}_cpu+=(\"$cpu\"); ${name}_gen+=(\"$gen\")"
    }
    for round in $(seq "$ROUNDS"); do
        run ot_ka "$ot_pid" wrk_load "$ot_port"
        run sh_ka "$shoal_pid" wrk_load "$shoal_http"
        run ot_close "$ot_pid" wrk_load "$ot_port" -H "Connection: close"
        run sh_close "$shoal_pid" wrk_load "$shoal_http" -H "Connection: close"
        run ot_u "$ot_pid" udp_load "$ot_port"
        run sh_u "$shoal_pid" udp_load "$shoal_udp"
    done
    stop "$ot_pid"
    stop "$shoal_pid"
    echo "# rounds: HTTP keep-alive ot=${ot_ka[*]} shoal=${sh_ka[*]}; close ot=${ot_close[*]} shoal=${sh_close[*]}; UDP ot=${ot_u[*]} shoal=${sh_u[*]}"
    echo "# tracker CPU us per request: HTTP keep-alive ot=${ot_ka_cpu[*]} shoal=${sh_ka_cpu[*]}; close ot=${ot_close_cpu[*]} shoal=${sh_close_cpu[*]}; UDP ot=${ot_u_cpu[*]} shoal=${sh_u_cpu[*]}"
    echo "# load generator CPU, % of one core: HTTP keep-alive ot=${ot_ka_gen[*]} shoal=${sh_ka_gen[*]}; close ot=${ot_close_gen[*]} shoal=${sh_close_gen[*]}; UDP ot=${ot_u_gen[*]} shoal=${sh_u_gen[*]}"

    # Rates: the best round; CPU per request: the least (ratios are opentracker's over shoal's).
    row() {  # label, opentracker and shoal array names
        local ot_rate sh_rate ot_cpu sh_cpu
        eval "ot_rate=\$(best \"\${$2[@]}\"); sh_rate=\$(best \"\${$3[@]}\")"
        eval "ot_cpu=\$(least \"\${${2}_cpu[@]}\"); sh_cpu=\$(least \"\${${3}_cpu[@]}\")"
        printf "%-28s %12s %12s %8s %10s %10s %8s\n" "$1" "$ot_rate" "$sh_rate" \
            "$(ratio "$sh_rate" "$ot_rate")" "$ot_cpu" "$sh_cpu" "$(ratio "$ot_cpu" "$sh_cpu")"
    }
    printf "%-28s %12s %12s %8s %10s %10s %8s\n" "load (per second)" "opentracker" "shoal" "ratio" \
        "ot us/req" "shoal" "ratio"
    row "HTTP announce keep-alive" ot_ka sh_ka
    row "HTTP announce close" ot_close sh_close
    row "UDP announce+scrape" ot_u sh_u
fi

# Memory: 100,000 torrents x 10 peers, loaded by the same UDP announces (one per peer) into each
# tracker in turn. What counts is the resident size gained over the idle process (whitelist
# loaded), divided by the peers the tracker reports holding afterwards.
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
per_peer() { python3 -c "print('%.1f' % ($1 * 1024 / max($2, 1)))"; }
fill() { "$work/udp_load" 127.0.0.1 "$1" --torrents 100000 --fill 10 --window 256 > /dev/null; }

if [[ " $parts " == *" memory "* ]]; then
    "$work/udp_load" --print-hashes 100000 > "$work/whitelist"

    # -A lets 127.0.0.1 read the stats page, which the Debian build restricts.
    start_opentracker -A 127.0.0.1
    ot_idle=$(rss_kib "$ot_pid")
    fill "$ot_port"
    ot_full=$(rss_kib "$ot_pid")
    ot_stats=$(curl -s "http://127.0.0.1:$ot_port/stats?mode=everything")
    ot_peers=$(sed -n '/<peers>/,/<\/peers>/s/.*<count>\([0-9]*\)<.*/\1/p' <<< "$ot_stats")
    ot_torrents=$(sed -n 's/.*<count_mutex>\([0-9]*\)<.*/\1/p' <<< "$ot_stats")
    stop "$ot_pid"

    start_shoal ""
    sh_idle=$(rss_kib "$shoal_pid")
    fill "$shoal_udp"
    sh_full=$(rss_kib "$shoal_pid")
    sh_stats=$(curl -s "http://127.0.0.1:$shoal_http/stats")
    sh_peers=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"])' <<< "$sh_stats")
    sh_torrents=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["torrents"])' <<< "$sh_stats")
    stop "$shoal_pid"

    ot_grown=$((ot_full - ot_idle))
    sh_grown=$((sh_full - sh_idle))
    echo
    echo "# memory: 100000 torrents x 10 peers by UDP; RSS growth over the idle process" \
         "(ot idle ${ot_idle} KiB, shoal idle ${sh_idle} KiB)"
    printf "%-28s %12s %12s %8s\n" "memory" "opentracker" "shoal" "ratio"
    printf "%-28s %12s %12s\n" "peers stored" "${ot_peers:-?}" "${sh_peers:-?}"
    printf "%-28s %12s %12s\n" "torrents stored" "${ot_torrents:-?}" "${sh_torrents:-?}"
    printf "%-28s %12s %12s\n" "RSS total KiB" "$ot_full" "$sh_full"
    printf "%-28s %12s %12s %8s\n" "RSS growth KiB" "$ot_grown" "$sh_grown" "$(ratio "$sh_grown" "$ot_grown")"
    ot_bpp=$(per_peer "$ot_grown" "${ot_peers:-0}")
    sh_bpp=$(per_peer "$sh_grown" "${sh_peers:-0}")
    printf "%-28s %12s %12s %8s\n" "bytes per stored peer" "$ot_bpp" "$sh_bpp" "$(ratio "$sh_bpp" "$ot_bpp")"
    for held in "${ot_peers:-0}" "${sh_peers:-0}"; do
        if ((held < 990000)); then
            echo "bench: a tracker holds only $held of 1000000 peers; the comparison is off"
        fi
    done
fi
