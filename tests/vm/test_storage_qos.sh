#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: QoS caps on a boostd-managed disk. A device added with
# caps holds requests (its server's qos.delayed counter moves) and still
# passes fio's crc32c verify with 0 errors: delayed, never failed. `storage
# set ID qos` changes the caps of the running device: a device added
# without caps delays nothing until a cap is set, and nothing more once
# it is removed, seen in the server's own counters (no timing asserted;
# rates are `make bench`'s). Bad caps are refused with the key named and
# change nothing. `storage stats` shows p50, p99, p99.9 and max.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOST_BUILD/boost-ublk" ] || fail "run make"
grep -q boost-ublk "$BOOST_BUILD/trust-dev.json" || fail "boost-ublk is not in $BOOST_BUILD/trust-dev.json"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
delayed() { bjq '.[0].qos.delayed' storage stats "$1"; }

boostd_start
# Added with caps: 200 IOPS with a burst of 4 is far below what fio asks.
out=$(bctl storage add mem:64M --queues 2 --depth 32 qos iops 200 iops-burst 4 bps 8M) ||
	gfail "storage add with qos failed: $out"
[[ $out =~ ^/dev/ublkb([0-9]+)\ id\ ([0-9]+) ]] || gfail "add said: $out"
a=${BASH_REMATCH[2]}
[ "$(bjq '.qos | [.iops, .iops_burst, .bps] | @tsv' storage show "$a")" = "$(printf '200\t4\t8388608')" ] ||
	gfail "show: $(bctl -j storage show "$a")"
bctl storage show "$a" | grep -q "qos iops 200 .*iops-burst 4" || gfail "show text: $(bctl storage show "$a")"
[ "$(delayed "$a")" = 0 ] || gfail "device $a delayed requests before any came"
fio_crc "/dev/ublkb$a" 6
fio_crc_wait
d=$(delayed "$a")
[ "$d" -gt 0 ] || gfail "device $a: fio ran over its cap and nothing was delayed"
[ "$(bjq '.[0].errors' storage stats "$a")" = 0 ] || gfail "device $a: requests failed"
echo "capped at add: $d requests delayed, verify ok"

# Added without caps: nothing delayed; then a cap set live delays.
out=$(bctl storage add mem:64M --queues 2 --depth 32) || gfail "storage add failed: $out"
[[ $out =~ ^/dev/ublkb([0-9]+)\ id\ ([0-9]+) ]] || gfail "add said: $out"
b=${BASH_REMATCH[2]} dev=/dev/ublkb${BASH_REMATCH[2]}
bctl storage show "$b" | grep -q "qos none" || gfail "show without caps: $(bctl storage show "$b")"
fio --name=u --filename="$dev" --direct=1 --ioengine=io_uring --rw=randrw --bs=4k --size=16M \
	--iodepth=16 --number_ios=2000 --output=/tmp/fio-u.txt || gfail "fio failed: $(cat /tmp/fio-u.txt)"
[ "$(delayed "$b")" = 0 ] || gfail "device $b has no caps and delayed $(delayed "$b")"

# Bad caps: refused, the key named, exit 1 (boostd) or 2 (usage), the caps unchanged.
bad=$(bctl storage set "$b" qos read-iops -5 2>&1) && gfail "read-iops -5 was taken"
[[ $bad == *"read-iops '-5': expected a whole number"* ]] || gfail "read-iops -5 said: $bad"
bad=$(bctl storage set "$b" qos write-bps 5Q 2>&1) && gfail "write-bps 5Q was taken"
[[ $bad == *"qos.write_bps: '5Q' is not a size"* ]] || gfail "write-bps 5Q said: $bad"
bad=$(bctl -j storage set "$b" qos iops 99999999999999 2>&1)
[ $? = 1 ] || gfail "iops 99999999999999: exit is not 1: $bad"
[[ $bad == *"qos.iops: '99999999999999' is not a whole number from 0"* ]] ||
	gfail "iops 99999999999999 said: $bad"
bad=$(bctl storage set 4242 qos iops 1 2>&1) && gfail "set on no device was taken"
[[ $bad == *"device 4242: no such device"* ]] || gfail "set on no device said: $bad"
[ "$(bjq '.qos | length' storage show "$b")" = 0 ] || gfail "a refused set changed the caps"

bctl storage set "$b" qos write-iops 100 write-bps 1M || gfail "storage set failed"
[ "$(bjq '.qos.write_iops' storage show "$b")" = 100 ] || gfail "the cap is not shown"
fio_crc "$dev" 4
fio_crc_wait
d=$(delayed "$b")
[ "$d" -gt 0 ] || gfail "device $b: write-iops 100 set live, fio wrote over it, nothing delayed"
echo "set live: $d requests delayed, verify ok"
# Reads are not under a write cap.
fio --name=r --filename="$dev" --direct=1 --ioengine=io_uring --rw=randread --bs=4k --size=16M \
	--iodepth=16 --number_ios=1000 --output=/tmp/fio-r.txt || gfail "fio failed"
[ "$(delayed "$b")" = "$d" ] || gfail "reads were delayed by a write cap: $(delayed "$b") > $d"
bctl storage set "$b" qos none || gfail "set qos none failed"
fio_crc "$dev" 3
fio_crc_wait
[ "$(delayed "$b")" = "$d" ] || gfail "caps removed, yet $(( $(delayed "$b") - d )) more delayed"

# The caps survive in boostd's state.
[ "$(jq -c "[.devices[].device | select(.id == $b) | .qos]" /tmp/boost/storage.json)" = "[null]" ] ||
	gfail "removed caps still in the state: $(cat /tmp/boost/storage.json)"
[ "$(jq -c ".devices[].device | select(.id == $a) | .qos" /tmp/boost/storage.json)" = \
	'{"iops":200,"bps":8388608,"iops_burst":4}' ] ||
	gfail "device $a's caps not in the state: $(cat /tmp/boost/storage.json)"

# The server's own latency: p50 <= p99 <= p99.9, and a max at least p99.9's bucket's floor.
st=$(bctl -j storage stats "$a")
jq -e '.[0].latency | .p50_ns > 0 and .p50_ns <= .p99_ns and .p99_ns <= .p999_ns and
	.max_ns > 0 and .max_ns * 9 / 8 >= .p999_ns' <<<"$st" >/dev/null ||
	gfail "latency: $st"
bctl storage stats "$a" | grep -Eq "p50 < [0-9]+, p90 < [0-9]+, p99 < [0-9]+, p99.9 < [0-9]+, max [0-9]+" ||
	gfail "stats text: $(bctl storage stats "$a")"
bctl storage stats "$a" | grep -q "qos: delayed [1-9]" || gfail "stats text: no qos line"
bctl storage stats "$a" >&2

bctl storage del "$a" || gfail "del failed"
bctl storage del "$b" || gfail "del failed"
ublk_assert_none
boostd_stop
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
