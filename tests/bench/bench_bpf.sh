#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Cost of boost's XDP entry point for a frame on an interface that is not a
# port (the port lookup, then XDP_PASS) against an XDP program that only
# returns XDP_PASS, on the same 64-byte IPv4/UDP frame,
# through BPF_PROG_TEST_RUN (bpftool prog run). Rounds alternate between the
# two programs; the table shows medians and the ratio.
set -eu
BOOST_BUILD=${BOOST_BUILD:-build}
rounds=${BENCH_ROUNDS:-7}
repeat=${BENCH_REPEAT:-2000000}

# A mount namespace of our own with a private bpffs at /sys/fs/bpf, where
# libbpf pins the data path's maps by name: nothing is pinned on the host.
if [ -z "${BENCH_BPF_PRIVATE:-}" ]; then
	BENCH_BPF_PRIVATE=1 exec unshare -m --propagation private "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf
dir=$(mktemp -d)
cleanup() { umount "$dir/fs" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir "$dir/fs"
mount -t bpf bpf "$dir/fs"
bpftool prog load "$BOOST_BUILD/bpf/net_xdp.bpf.o" "$dir/fs/boost"
bpftool prog load "$BOOST_BUILD/tests/bench/xdp_pass.bpf.o" "$dir/fs/pass"

# Ethernet + IPv4 + UDP, padded to 64 bytes with a zero payload.
{
	printf '\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'
	printf '\x45\0\0\x32\0\0\0\0\x40\x11\0\0\xc0\0\x02\x01\xc0\0\x02\x02'
	printf '\x0f\xa0\x00\x35\x00\x1e\0\0'
	head -c 22 /dev/zero
} >"$dir/frame"

ns_per_run() {
	bpftool prog run pinned "$dir/fs/$1" data_in "$dir/frame" repeat "$repeat" |
		sed -n 's/.*duration (average): \([0-9]*\)ns.*/\1/p'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$dir/boost"; : >"$dir/pass"
for ((i = 0; i < rounds; i++)); do
	ns_per_run pass >>"$dir/pass"
	ns_per_run boost >>"$dir/boost"
done
pass=$(median <"$dir/pass")
boost=$(median <"$dir/boost")
printf '%-36s %8s %8s\n' "XDP program, 64-byte IPv4/UDP" "ns/pkt" "ratio"
printf '%-36s %8s %8s\n' "bare XDP_PASS (baseline)" "$pass" "1.00"
printf '%-36s %8s %8s\n' "boost_xdp, not a port (lookup)" "$boost" \
	"$(awk -v a="$boost" -v b="$pass" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')"
echo "(median of $rounds rounds of $repeat runs each; BPF_PROG_TEST_RUN)"
