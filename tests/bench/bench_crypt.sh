#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Encryption at rest (docs/storage.md):
#  - on the host, boost-ublk's encryption loop (tests/bench/crypt_bench.c:
#    blk_crypt__run on 4 KiB blocks of 4096-byte sectors, as a queue thread
#    runs it) against `openssl speed -evp aes-256-xts -bytes 4096`, both on
#    one core (taskset -c BENCH_CRYPT_CPU, default 0), BENCH_CRYPT_SECONDS
#    each (default 3); target: the loop at >= 80% of OpenSSL's rate;
#  - in one guest of scripts/vm, an encrypted mem disk (a random key handed
#    to boost-ublk over --key-fd, as boostd does) against a plain mem disk:
#    4k randread at QD1 and QD32, 128k sequential read at QD8, IOPS and
#    their ratio. The guest's AES is emulated (qemu TCG): only the ratio
#    means anything, and it overstates the cost on real hardware.
#   BENCH_RUNTIME=S   seconds per guest job (default 4)
set -u
. "$(dirname "$0")/../lib.sh"
require_root
require_tool openssl taskset qemu-system-x86_64 swtpm fio jq
VM=$BOOST_TOP/scripts/vm
BENCH=$BOOST_BUILD/tests/bench/crypt_bench
[ -x "$BENCH" ] && [ -x "$BOOST_BUILD/boost-ublk" ] || fail "run make"
cpu=${BENCH_CRYPT_CPU:-0} secs=${BENCH_CRYPT_SECONDS:-3}

# ---- host: the loop against OpenSSL --------------------------------------------
ours=$(taskset -c "$cpu" "$BENCH" "$secs") || fail "crypt_bench failed"
enc=$(awk '$1 == "encrypt_bytes_per_s" { print $2 }' <<<"$ours")
dec=$(awk '$1 == "decrypt_bytes_per_s" { print $2 }' <<<"$ours")
# openssl speed prints "AES-256-XTS  <k bytes per second>k" for -bytes 4096.
ref=$(taskset -c "$cpu" openssl speed -evp aes-256-xts -bytes 4096 -seconds "$secs" 2>/dev/null |
	awk '$1 == "AES-256-XTS" { sub(/k$/, "", $2); printf "%.0f", $2 * 1000 }')
[ -n "$ref" ] && [ -n "$enc" ] || fail "no figure: ours '$ours', openssl '$ref'"
awk -v e="$enc" -v d="$dec" -v r="$ref" -v cpu="$cpu" 'BEGIN {
	printf "AES-256-XTS at 4 KiB on one core (CPU %s), MB/s (target: boost/openssl >= 0.80)\n", cpu
	printf "%-28s %10s %14s\n", "", "MB/s", "boost/openssl"
	printf "%-28s %10.0f %14s\n", "openssl speed -evp (encrypt)", r / 1e6, "-"
	printf "%-28s %10.0f %14.2f\n", "boost-ublk loop, encrypt", e / 1e6, e / r
	printf "%-28s %10.0f %14.2f\n", "boost-ublk loop, decrypt", d / 1e6, d / r
}'

# ---- guest: encrypted mem against plain mem ------------------------------------
export BOOST_TOP BOOST_BUILD BOOST_BENCH_RUNTIME=${BENCH_RUNTIME:-4}
dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
rt=$BOOST_BENCH_RUNTIME
# A key message (ublk-target/blk_crypt.h): BOOSTKEY, version 1, 4096-byte
# sectors, data offset 0, a 64-byte random key; in the guest's tmpfs, read
# once by the server.
{ printf 'BOOSTKEY\001\000\000\000\000\020\000\000'; head -c 8 /dev/zero
  printf '\100\000\000\000'; head -c 4 /dev/zero; head -c 64 /dev/urandom; } >/tmp/key.msg
[ "$(stat -c %s /tmp/key.msg)" = 96 ] || gfail "the key message is not 96 bytes"
one() { # NAME DEV JOB: "NAME JOB IOPS"
	local rw bs qd
	IFS=- read -r rw bs qd <<<"$3"
	fio --name="$3" --filename="$2" --direct=1 --ioengine=io_uring --rw="$rw" --bs="$bs" \
		--iodepth="${qd#qd}" --size=128M --time_based --runtime="$rt" --ramp_time=1 \
		--output-format=json --output=/tmp/f.json >/dev/null 2>&1 || gfail "fio $3 on $1"
	echo "$1 $3 $(sed -n '/^{/,$p' /tmp/f.json | jq -r '.jobs[0].read.iops | floor')"
}
ublk_add --backend mem:256M --queues 2 --block-size 4096
plain=$dev plain_pid=$pid
ublk_add --backend mem:256M --queues 2 --block-size 4096 --key-fd 3 3</tmp/key.msg
crypt=$dev crypt_pid=$pid
rm -f /tmp/key.msg
# Written once, so that reads meet data (and the cipher) everywhere.
for d in "$plain" "$crypt"; do
	dd if=/dev/urandom of="$d" bs=1M count=128 oflag=direct status=none || gfail "fill $d"
done
for job in randread-4k-qd1 randread-4k-qd32 read-128k-qd8; do
	one plain "$plain" "$job"
	one crypt "$crypt" "$job"
done >/tmp/results
ublk_stop "$crypt_pid"
ublk_stop "$plain_pid"
cat /tmp/results >"$BOOST_BENCH_OUT"
GUEST
export BOOST_BENCH_OUT=$dir/results
"$VM" --rw "$dir" -- bash "$dir/guest.sh" >&2 || fail "the benchmark failed in the guest"
echo
awk '{ iops[$1, $2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
END {
	printf "In the guest (AES emulated by TCG): boost-ublk mem, plain and encrypted, IOPS\n"
	printf "%-18s %10s %10s %12s\n", "job", "plain", "crypt", "crypt/plain"
	for (i = 0; i < n; i++) {
		j = order[i]
		printf "%-18s %10d %10d %12.2f\n", j, iops["plain", j], iops["crypt", j],
			iops["plain", j] ? iops["crypt", j] / iops["plain", j] : 0
	}
}' "$dir/results"
