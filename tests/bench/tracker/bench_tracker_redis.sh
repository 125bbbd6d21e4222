#!/bin/bash
# shellcheck disable=SC2154  # NAME_pid, NAME_http and NAME_udp are set by start_shoal (printf -v)
# Announce rates of shoal-tracker on 127.0.0.1 with its in-memory store, with a Redis store
# (one instance), and as two instances sharing one local Redis with the load split across
# both; printed side by side with ratios to the in-memory store. Then Redis memory per peer:
# INFO used_memory growth over the number of peers stored. Run by hand:
#
#   tests/bench/tracker/bench_tracker_redis.sh [BUILD_DIR]    (default build/release)
# Environment: SECONDS_PER_RUN (5), ROUNDS (3), TORRENTS (10000), SHOAL_THREADS (1),
# WRK_CONNECTIONS (50), MEMORY_TORRENTS (20000), MEMORY_PEERS (10 per torrent),
# LARGE_TORRENTS (100), LARGE_PEERS (2000 per torrent)
#
# The load generators, the trackers and redis-server share the machine's cores, so the
# figures compare set-ups on one machine; they are no capacity planning.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-$root/build/release}
tracker=$build/app/shoal-tracker
duration=${SECONDS_PER_RUN:-5}
rounds=${ROUNDS:-3}
torrents=${TORRENTS:-10000}
threads=${SHOAL_THREADS:-1}
connections=${WRK_CONNECTIONS:-50}
memory_torrents=${MEMORY_TORRENTS:-20000}
memory_peers=${MEMORY_PEERS:-10}
large_torrents=${LARGE_TORRENTS:-100}
large_peers=${LARGE_PEERS:-2000}
export TORRENTS=$torrents

for tool in wrk redis-server g++ python3 curl; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)"; exit 1; }
done
[ -x "$tracker" ] || { echo "bench: build shoal-tracker first ($tracker)"; exit 1; }

work=$(mktemp -d /tmp/shoal-tracker-redis-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

g++ -std=c++20 -O2 -pthread -I "$root/core" "$here/udp_load.cpp" -o "$work/udp_load"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A private redis-server: no persistence, loopback only.
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --logfile "$work/redis.log" --daemonize no &
redis_pid=$!
pids+=("$redis_pid")
redis() {  # a command to the private Redis; prints the reply
    python3 - "$redis_port" "$@" <<'PY'
import socket, sys
port, args = int(sys.argv[1]), sys.argv[2:]
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode())
                                            for a in args))
buf = b""
while True:
    buf += s.recv(1 << 20)
    head, _, rest = buf.partition(b"\r\n")
    if not _:
        continue
    if head[:1] == b"$":
        n = int(head[1:])
        if n < 0 or len(rest) >= n + 2:
            print(rest[:max(n, 0)].decode())
            break
    else:
        print(head[1:].decode())
        break
PY
}
for _ in $(seq 100); do
    [ "$(redis PING 2>/dev/null)" = PONG ] && break
    sleep 0.05
done
[ "$(redis PING)" = PONG ] || { echo "bench: redis-server did not start"; cat "$work/redis.log"; exit 1; }
used_memory() { redis INFO memory | tr -d '\r' | sed -n 's/^used_memory://p'; }

head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/secret"

# start_shoal NAME [redis]: starts an instance; sets NAME_pid, NAME_http, NAME_udp.
start_shoal() {
    local name=$1 store=${2:-}
    {
        echo "[listen]"
        echo "threads = $threads"
        echo "[http]"
        echo "max_connections = 10000"
        if [ "$store" = redis ]; then
            echo "[store]"
            echo "url = \"redis://127.0.0.1:$redis_port/0\""
            echo "prefix = \"bench:\""
            echo "[udp]"
            echo "secret_file = \"$work/secret\""
        fi
    } > "$work/$name.toml"
    "$tracker" --config "$work/$name.toml" --http 127.0.0.1:0 --udp 127.0.0.1:0 \
        > "$work/$name.out" 2> "$work/$name.err" &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 50); do
        grep -q "listening udp" "$work/$name.out" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "listening udp" "$work/$name.out" || { echo "bench: $name did not start"; cat "$work/$name.err"; exit 1; }
    printf -v "${name}_pid" %s "$pid"
    printf -v "${name}_http" %s "$(sed -n 's/listening http 127.0.0.1://p' "$work/$name.out")"
    printf -v "${name}_udp" %s "$(sed -n 's/listening udp 127.0.0.1://p' "$work/$name.out")"
    if [ "$store" = redis ]; then
        for _ in $(seq 50); do
            curl -s "http://127.0.0.1:$(sed -n 's/listening http 127.0.0.1://p' "$work/$name.out")/metrics" \
                | grep -q '^shoal_tracker_store_up 1' && return
            sleep 0.1
        done
        echo "bench: $name does not reach Redis"; cat "$work/$name.err"; exit 1
    fi
}

stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

# wrk_rates PORT...: HTTP keep-alive announces, the connections split across the ports, all
# at once; prints the summed rate.
wrk_rates() {
    local n=$# port total=0 rate loads=()
    local each=$(( connections / n > 0 ? connections / n : 1 ))
    for port in "$@"; do
        wrk -t1 -c"$each" -d"${duration}s" -s "$here/announce.lua" \
            "http://127.0.0.1:$port/announce" > "$work/wrk.$port" &
        loads+=($!)
    done
    wait "${loads[@]}"
    for port in "$@"; do
        rate=$(awk '/Requests\/sec/ {print int($2)}' "$work/wrk.$port")
        total=$(( total + ${rate:-0} ))
    done
    echo "$total"
}

# udp_rates PORT...: one udp_load per port, all at once; prints the summed rate of
# successful replies (errors, such as store_busy refusals, are not counted).
udp_rates() {
    local port total=0 rate errors loads=()
    for port in "$@"; do
        "$work/udp_load" 127.0.0.1 "$port" --seconds "$duration" --torrents "$torrents" \
            --window 64 --scrape-every 10 > "$work/udp.$port" &
        loads+=($!)
    done
    wait "${loads[@]}"
    for port in "$@"; do
        rate=$(awk '{print int($8)}' "$work/udp.$port")
        total=$(( total + ${rate:-0} ))
        errors=$(awk '{print $4}' "$work/udp.$port")
        [ "${errors:-0}" = 0 ] || echo "  (udp_load on $port: $errors error replies)" >&2
    done
    echo "$total"
}

ratio() { python3 -c "print('%.2f' % ($1 / max($2, 1)))"; }
best() { printf "%s\n" "$@" | sort -n | tail -1; }

echo "# $(date -u +%FT%TZ) $(nproc) cores; $rounds rounds of ${duration}s per load, alternating," \
     "best kept; $torrents torrents; shoal threads=$threads; $(redis-server --version | cut -d' ' -f1-3)"

start_shoal mem
start_shoal one redis
start_shoal a redis
start_shoal b redis
declare -a m_ka m_u o_ka o_u t_ka t_u
for _ in $(seq "$rounds"); do
    redis FLUSHALL > /dev/null
    m_ka+=("$(wrk_rates "$mem_http")")
    o_ka+=("$(wrk_rates "$one_http")")
    t_ka+=("$(wrk_rates "$a_http" "$b_http")")
    redis FLUSHALL > /dev/null
    m_u+=("$(udp_rates "$mem_udp")")
    o_u+=("$(udp_rates "$one_udp")")
    t_u+=("$(udp_rates "$a_udp" "$b_udp")")
done
for name in one a b; do
    grep -h "event=store_" "$work/$name.err" | grep -v "event=store_available" \
        | sed "s/^/  ($name) /" >&2 || true
done
echo "# rounds: HTTP keep-alive memory=${m_ka[*]} redis=${o_ka[*]} redis-x2=${t_ka[*]};" \
     "UDP memory=${m_u[*]} redis=${o_u[*]} redis-x2=${t_u[*]}"
m_http=$(best "${m_ka[@]}"); o_http=$(best "${o_ka[@]}"); t_http=$(best "${t_ka[@]}")
m_udp=$(best "${m_u[@]}"); o_udp=$(best "${o_u[@]}"); t_udp=$(best "${t_u[@]}")
printf "%-28s %10s %10s %8s %12s %8s\n" "load" "memory" "redis" "ratio" "redis x2" "ratio"
printf "%-28s %10s %10s %8s %12s %8s\n" "HTTP announce keep-alive/s" "$m_http" "$o_http" \
    "$(ratio "$o_http" "$m_http")" "$t_http" "$(ratio "$t_http" "$m_http")"
printf "%-28s %10s %10s %8s %12s %8s\n" "UDP announce+scrape/s" "$m_udp" "$o_udp" \
    "$(ratio "$o_udp" "$m_udp")" "$t_udp" "$(ratio "$t_udp" "$m_udp")"
stop "$mem_pid"; stop "$a_pid"; stop "$b_pid"

# Memory: TORRENTS x PEERS peers, one UDP announce each, through one instance; the peers
# stored are counted by scraping every torrent. Small swarms fit Redis's compact encoding
# (up to zset-max-listpack-entries members); large ones do not, so both are measured.
memory_per_peer() {  # $1 torrents, $2 peers per torrent, $3 label
    local n=$1 per=$2 label=$3 before after stored keys
    redis FLUSHALL > /dev/null
    before=$(used_memory)
    "$work/udp_load" 127.0.0.1 "$one_udp" --torrents "$n" --fill "$per" --window 256 > /dev/null
    after=$(used_memory)
    stored=$(python3 - "$root/tests/integration/tracker" "$one_udp" "$n" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from tracker_harness import UdpClient
port, n = int(sys.argv[2]), int(sys.argv[3])
c = UdpClient("127.0.0.1", port)
cid = c.connect()
total = 0
for first in range(0, n, 70):
    hashes = [i.to_bytes(4, "big") + b"a" * 16 for i in range(first, min(first + 70, n))]
    counts = c.scrape(cid, hashes)
    if isinstance(counts, dict):
        sys.exit("scrape failed: %r" % counts)
    total += sum(seeders + leechers for seeders, _, leechers in counts)
print(total)
PY
)
    keys=$(redis DBSIZE)
    echo "memory, $label: $stored peers stored (of $((n * per)) announced) over $n torrents" \
         "in $keys keys; Redis used_memory +$(( (after - before) / 1048576 )) MiB," \
         "$(python3 -c "print('%.0f' % (($after - $before) / max($stored, 1)))") bytes per peer"
}
memory_per_peer "$memory_torrents" "$memory_peers" "small swarms"
memory_per_peer "$large_torrents" "$large_peers" "large swarms"
stop "$one_pid"
