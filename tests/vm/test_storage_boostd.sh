#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest, on its TPM: boostd manages boost-ublk. `boostctl storage
# add` starts the verified server (its /proc/PID/exe is the sealed memfd)
# and prints the device; list, show (NVMe-like identity and geometry),
# stats (counters checked against fio's own counts, exactly, with merges
# off), del. Bad input names the object and the reason, exits 1 and leaves
# no device or process. `boostctl apply` of a storage document adds,
# keeps, replaces and removes devices; an invalid one names the field and
# changes nothing. On a host that failed its attestation, add is refused.
# timeout: 400
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq tpm2_pcrextend
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOST_BUILD/boost-ublk" ] || fail "run make"
grep -q boost-ublk "$BOOST_BUILD/trust-dev.json" || fail "boost-ublk is not in $BOOST_BUILD/trust-dev.json"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
M=$((1024 * 1024))

# managed_only IDS: the ublk devices and boost-ublk processes are exactly those of IDS.
managed_only() {
	local want=$1 have procs
	have=$("$UBLK" list | awk '{print $1}' | sort -n | xargs)
	[ "$have" = "$want" ] || gfail "ublk devices '$have', expected '$want'"
	procs=$(pgrep -f "$UBLK_PROC" | wc -l)
	[ "$procs" -eq $(wc -w <<<"$want") ] || gfail "$procs boost-ublk processes for devices '$want'"
}

# refused REGEX ARGS...: boostctl ARGS exits 1 and says REGEX; nothing is left.
refused() {
	local re=$1 rc
	shift
	bctl "$@" >/tmp/out 2>/tmp/err
	rc=$?
	[ $rc -eq 1 ] || gfail "boostctl $*: exit $rc, expected 1 ($(cat /tmp/err))"
	[[ $(cat /tmp/err) =~ $re ]] || gfail "boostctl $*: said '$(cat /tmp/err)', expected /$re/"
	managed_only "${keep:-}"
}

boostd_start
truncate -s 64M /tmp/img
out=$(bctl storage add file:/tmp/img --queues 2 --depth 32) || gfail "storage add failed"
[[ $out =~ ^/dev/ublkb([0-9]+)\ id\ ([0-9]+)\ \(server\ pid\ ([0-9]+)\) ]] || gfail "add said: $out"
id=${BASH_REMATCH[2]} dev=/dev/ublkb${BASH_REMATCH[2]} pid=${BASH_REMATCH[3]}
[ -b "$dev" ] || gfail "$dev is not a block device"
[[ $(readlink /proc/$pid/exe) =~ ^/memfd: ]] || gfail "the server runs $(readlink /proc/$pid/exe), not the sealed memfd"
managed_only "$id"
[ "$(bctl storage list -j | jq -r '.[0].state + " " + (.[0].id|tostring)')" = "live $id" ] ||
	gfail "list: $(bctl storage list)"

show=$(bctl -j storage show "$id") || gfail "show failed"
echo "$show" >&2
[[ $(jq -r .identity.serial <<<"$show") =~ ^BU[0-9A-F]{16}$ ]] || gfail "serial: $show"
[ "$(jq -r .identity.firmware <<<"$show")" = "$(bctl -j version | jq -r .version)" ] || gfail "firmware: $show"
[ "$(jq -r .identity.model <<<"$show")" = "boost-ublk file" ] || gfail "model: $show"
[ "$(jq -c '.geometry' <<<"$show")" = \
  '{"queues":2,"depth":32,"block_size":512,"size":67108864,"blocks":131072}' ] || gfail "geometry: $show"
bctl storage show "$id" | grep -q "serial number" || gfail "text show: $(bctl storage show "$id")"

# Counters against fio's: merges off, so one fio IO is one request.
echo 2 >/sys/block/ublkb$id/queue/nomerges
before=$(bctl -j storage stats "$id") || gfail "stats failed"
fio --name=c --filename="$dev" --direct=1 --ioengine=io_uring --rw=randrw --bs=4k --size=16M \
	--io_size=6M --iodepth=8 --output-format=json --output=/tmp/fio.json || gfail "fio failed"
after=$(bctl -j storage stats "$id") || gfail "stats failed"
echo "$after" >&2
d() { echo $(( $(jq -r ".[0].$1" <<<"$after") - $(jq -r ".[0].$1" <<<"$before") )); }
f() { jq -r ".jobs[0].$1" /tmp/fio.json; }
[ "$(d ios.reads)" = "$(f read.total_ios)" ] || gfail "reads $(d ios.reads), fio $(f read.total_ios)"
[ "$(d ios.writes)" = "$(f write.total_ios)" ] || gfail "writes $(d ios.writes), fio $(f write.total_ios)"
[ "$(d read_bytes)" = "$(f read.io_bytes)" ] || gfail "read bytes $(d read_bytes), fio $(f read.io_bytes)"
[ "$(d write_bytes)" = "$(f write.io_bytes)" ] || gfail "written $(d write_bytes), fio $(f write.io_bytes)"
[ "$(d health.host_read_commands)" = "$(f read.total_ios)" ] || gfail "health reads: $after"
wb=$(jq -r '.[0].write_bytes' <<<"$after")
[ "$(jq -r '.[0].health.data_units_written' <<<"$after")" = $(( (wb + 511999) / 512000 )) ] ||
	gfail "data units written: $after"
[ "$(jq -r '.[0].errors' <<<"$after")" = 0 ] || gfail "errors: $after"
# Every completed request is in the latency histogram once.
[ "$(jq '.[0] | ([.latency.log2_ns_histogram[]] | add) == ([.ios[]] | add)' <<<"$after")" = true ] ||
	gfail "histogram and counts disagree: $after"
# boostd keeps no rates of its own: a sample is counters and the time they were read.
[ "$(jq '.[0].monotonic_ns > $b[0].monotonic_ns and (.[0] | has("iops") | not)' \
	--argjson b "$before" <<<"$after")" = true ] || gfail "samples: $before then $after"
bctl storage stats | grep -q "data units read" || gfail "text stats: $(bctl storage stats)"
echo "counters match fio"

bctl storage del "$id" || gfail "del failed"
[ -e "$dev" ] && gfail "$dev is still there"
[ "$(bctl -j storage list)" = "[]" ] || gfail "list after del: $(bctl storage list)"
ublk_assert_none

# Bad input: named, exit 1, nothing left.
refused "storage add: boost-ublk: backend file:/nonexistent: cannot open /nonexistent: No such file or directory" \
	storage add file:/nonexistent
refused "storage add.size: 1000 is not a multiple of the block size 512" storage add null --size 1000
refused "storage add.size: 6144 is not a multiple of the block size 4096" \
	storage add mem:8M --size 6144 --block-size 4096
refused "storage add: backend foo: unknown; expected null \| mem:SIZE \| file:PATH" storage add foo
refused "storage show: device 42: no such device" storage show 42
refused "storage del: device 42: no such device" storage del 42
refused "storage recover: device 42: no such device" storage recover 42
refused "storage stats: device /dev/ublkb42: no such device|storage stats: device 42: no such device" \
	storage stats /dev/ublkb42
refused "storage add.size: required for backend null, which has no size" storage add null
echo "bad input refused"

# apply: add, keep, replace, remove; an invalid document changes nothing.
truncate -s 32M /tmp/img2
cat >/tmp/s1.json <<JSON
{"devices": [{"id": 5, "backend": "mem:16M", "queues": 1},
             {"id": 6, "backend": "file:/tmp/img2", "queues": 2, "block_size": 4096}]}
JSON
bctl apply /tmp/s1.json || gfail "apply s1 failed"
keep="5 6" managed_only "5 6"
pids=$(bjq '[.[].pid] | join(" ")' storage list)
[ "$(bctl -j apply /tmp/s1.json | jq -c .)" = '{"object":"storage","added":[],"removed":[],"kept":[5,6]}' ] ||
	gfail "second apply of s1 changed something"
[ "$(bjq '[.[].pid] | join(" ")' storage list)" = "$pids" ] || gfail "the servers changed"
echo '{"devices": [{"id": 5, "backend": "mem:16M", "queues": 0}]}' >/tmp/bad1.json
keep="5 6" refused "apply: devices\[0\].queues: must be a whole number from 1 to 4096" \
	apply /tmp/bad1.json
echo '{"devices": [{"id": 5, "backend": "mem:16M", "queues": 1},
                   {"id": 7, "backend": "file:/tmp/nope"}]}' >/tmp/bad2.json
keep="5 6" refused "apply: devices\[1\].backend: file:/tmp/nope: No such file or directory" \
	apply /tmp/bad2.json
echo '{"devices": [{"id": 5, "backend": "mem:16M", "name": "x"}]}' >/tmp/bad3.json
keep="5 6" refused "apply: devices\[0\].name: unknown key" apply /tmp/bad3.json
[ "$(bjq '[.[].pid] | join(" ")' storage list)" = "$pids" ] || gfail "an invalid document changed the servers"
cat >/tmp/s2.json <<JSON
{"devices": [{"id": 6, "backend": "file:/tmp/img2", "queues": 1, "block_size": 4096}]}
JSON
[ "$(bctl -j apply /tmp/s2.json | jq -c ".removed |= sort")" = '{"object":"storage","added":[6],"removed":[5,6],"kept":[]}' ] ||
	gfail "apply s2: $(bctl storage list)"
[ "$(bjq '.geometry.queues' storage show 6)" = 1 ] || gfail "device 6 was not replaced"
echo '{"devices": []}' >/tmp/s3.json
bctl apply /tmp/s3.json || gfail "apply of no devices failed"
ublk_assert_none
echo "apply ok"

# A host that fails its attestation serves no device.
boostd_stop
tpm2_pcrextend "11:sha256=$(printf '%064d' 1)" >/dev/null || gfail "pcrextend"
boostd_start
refused "storage add: refused: this host failed its own attestation" storage add mem:8M
boostd_stop
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
