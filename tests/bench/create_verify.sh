#!/bin/bash
# Times shoal-cli create against mktorrent and libtorrent, and shoal-cli verify against a
# libtorrent recheck, on one file (1 GiB by default) with the same piece size and 2 threads.
# Prints wall times (best of 3, page cache warm), ratios and peak RSS. Not run by ctest.
#   tests/bench/create_verify.sh [SIZE_MIB] [SHOAL_CLI]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
size_mib=${1:-1024}
cli=${2:-$here/../../build/release/app/shoal-cli}
piece=1048576
runs=3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "writing a ${size_mib} MiB file..."
mkdir -p "$work/data"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$work/data/payload.bin"
cat "$work/data/payload.bin" > /dev/null

# best wall seconds and the largest peak RSS (KiB) over $runs runs of "$@"
measure() {
  local best="" rss=0
  for _ in $(seq $runs); do
    rm -f "$work/out.torrent"
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/stdout" 2> /dev/null
    read -r secs kib < "$work/time"
    if [ -n "$(grep -E '^[0-9.]+$' "$work/stdout" | tail -1)" ]; then
      secs=$(grep -E '^[0-9.]+$' "$work/stdout" | tail -1)   # the program timed its own work
    fi
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
    [ "$kib" -gt "$rss" ] && rss=$kib
  done
  echo "$best $rss"
}

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
gbps() { awk "BEGIN{printf \"%.2f\", $size_mib * 1048576 / $1 / 1e9}"; }
row() { printf "%-34s %8.3f s %7s GB/s %8d KiB peak\n" "$1" "$2" "$(gbps "$2")" "$3"; }

file="$work/data/payload.bin"
read -r mk_t mk_m < <(measure mktorrent -l 20 -t 2 -a http://127.0.0.1:1/announce -o "$work/out.torrent" "$file")
read -r s1_t s1_m < <(measure "$cli" create "$file" --v1 -s $piece --threads 2 -o "$work/out.torrent")
read -r sh_t sh_m < <(measure "$cli" create "$file" --hybrid -s $piece --threads 2 -o "$work/out.torrent")
read -r s2_t s2_m < <(measure "$cli" create "$file" --v2 -s $piece --threads 2 -o "$work/out.torrent")
read -r l1_t l1_m < <(measure /usr/bin/python3 "$here/libtorrent_anchor.py" create "$file" "$work/out.torrent" $piece v1)
read -r lh_t lh_m < <(measure /usr/bin/python3 "$here/libtorrent_anchor.py" create "$file" "$work/out.torrent" $piece hybrid)

"$cli" create "$file" --v1 -s $piece -o "$work/v1.torrent" > /dev/null
"$cli" create "$file" --hybrid -s $piece -o "$work/hybrid.torrent" > /dev/null
netns="$here/../interop/netns_run.sh"
read -r sv1_t sv1_m < <(measure "$cli" verify "$work/v1.torrent" -d "$work/data" --threads 2)
read -r svh_t svh_m < <(measure "$cli" verify "$work/hybrid.torrent" -d "$work/data" --threads 2)
read -r lv1_t lv1_m < <(measure "$netns" /usr/bin/python3 "$here/libtorrent_anchor.py" recheck "$work/v1.torrent" "$work/data")
read -r lvh_t lvh_m < <(measure "$netns" /usr/bin/python3 "$here/libtorrent_anchor.py" recheck "$work/hybrid.torrent" "$work/data")

echo
echo "${size_mib} MiB, 1 MiB pieces, 2 threads, best of $runs, page cache warm"
row "mktorrent (v1)" "$mk_t" "$mk_m"
row "shoal-cli create --v1" "$s1_t" "$s1_m"
row "shoal-cli create --hybrid" "$sh_t" "$sh_m"
row "shoal-cli create --v2" "$s2_t" "$s2_m"
row "libtorrent create (v1)" "$l1_t" "$l1_m"
row "libtorrent create (hybrid)" "$lh_t" "$lh_m"
row "shoal-cli verify (v1)" "$sv1_t" "$sv1_m"
row "shoal-cli verify (hybrid)" "$svh_t" "$svh_m"
row "libtorrent recheck (v1)" "$lv1_t" "$lv1_m"
row "libtorrent recheck (hybrid)" "$lvh_t" "$lvh_m"
echo
echo "ratios (time of the anchor / time of shoal; above 1 means shoal is faster):"
echo "  create v1     vs mktorrent:          $(ratio "$mk_t" "$s1_t")   (target >= 1)"
echo "  create hybrid vs mktorrent v1:       $(ratio "$mk_t" "$sh_t")   (target >= 0.5)"
echo "  create v1     vs libtorrent v1:      $(ratio "$l1_t" "$s1_t")"
echo "  create hybrid vs libtorrent hybrid:  $(ratio "$lh_t" "$sh_t")"
echo "  verify v1     vs libtorrent recheck: $(ratio "$lv1_t" "$sv1_t")"
echo "  verify hybrid vs libtorrent recheck: $(ratio "$lvh_t" "$svh_t")"
echo "peak memory of shoal-cli: create $(( (s1_m > sh_m ? s1_m : sh_m) / 1024 )) MiB, verify $(( (sv1_m > svh_m ? sv1_m : svh_m) / 1024 )) MiB (target < 64 MiB)"
