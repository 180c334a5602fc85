#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: bad input to boost-ublk gets an error naming the object and
# the reason, exit status 1 (2 for usage), and leaves no ublk device and no
# process: an unknown backend, a missing backing file, a size that is not a
# multiple of the block size, a device id that does not exist, an id already
# taken. Then the ways a device ends while fio runs on it: SIGTERM to its
# server, and "boost-ublk del" from outside; both leave nothing behind. A
# server whose stdout reader has gone keeps serving.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1

# refused STATUS REGEX ARGS...: boost-ublk ARGS exits STATUS, says REGEX on
# stderr, and leaves nothing behind.
refused() {
	local want=$1 re=$2 rc
	shift 2
	"$UBLK" "$@" >/tmp/out 2>/tmp/err
	rc=$?
	[ $rc -eq "$want" ] || gfail "boost-ublk $*: exit $rc, expected $want ($(cat /tmp/err))"
	[[ $(cat /tmp/err) =~ $re ]] || gfail "boost-ublk $*: said '$(cat /tmp/err)', expected /$re/"
	ublk_assert_none
}

refused 1 "backend foo: unknown; expected null \| mem:SIZE \| file:PATH" add --backend foo
refused 1 "backend file:/nonexistent: cannot open /nonexistent: No such file or directory" \
	add --backend file:/nonexistent
refused 1 "device size 1000: not a multiple of the block size 512" add --backend mem:1000
refused 1 "device size 6144: not a multiple of the block size 4096" \
	add --backend mem:6K --block-size 4096
truncate -s 1000 /tmp/odd.img
refused 1 "device size 1000: not a multiple of the block size 512" add --backend file:/tmp/odd.img
refused 1 "device size: none given" add --backend null
refused 1 "backend mem:1M: --size is larger than the backing store" add --backend mem:1M --size 2M
refused 1 "device 42: no such ublk device" del 42
refused 1 "device 42: no such ublk device" recover /dev/ublkb42 --backend null
refused 2 "--block-size 1024: must be 512 or 4096" add --backend null --size 1M --block-size 1024
refused 2 "--queues 0: not a number" add --backend null --size 1M --queues 0
refused 2 "add: --backend is required" add --size 1M
refused 2 "unknown command 'frob'" frob

# An id already taken: refused, and the device holding it is untouched.
ublk_add --backend mem:8M --id 3
[ "$id" = 3 ] || gfail "--id 3 gave device $id"
"$UBLK" add --backend null --size 1M --id 3 >/tmp/out 2>/tmp/err && gfail "a second device 3 was added"
[[ $(cat /tmp/err) =~ "device 3: cannot add: File exists" ]] || gfail "id taken: $(cat /tmp/err)"
[ "$("$UBLK" list | wc -l)" = 1 ] || gfail "list: $("$UBLK" list)"
dd if=/dev/zero of="$dev" bs=4k count=1 oflag=direct status=none || gfail "device 3 stopped working"
ublk_stop "$pid"
ublk_assert_none

# fio_bg DEV: fio in the background for long enough; sets $fio.
fio_bg() {
	fio --name=bg --filename="$1" --direct=1 --verify_state_save=0 --ioengine=io_uring --rw=randrw --bs=4k \
		--iodepth=32 --time_based --runtime=30 --output=/dev/null >/dev/null 2>&1 &
	fio=$!
	sleep 2
	kill -0 $fio 2>/dev/null || gfail "fio did not start on $1"
}

# SIGTERM under load: the server stops and deletes its device, fio fails out.
ublk_add --backend mem:32M
fio_bg "$dev"
ublk_stop "$pid"
wait $fio && gfail "fio went on without a device"
ublk_assert_none

# del under load, from outside: the server sees its queues end and exits.
ublk_add --backend mem:32M
fio_bg "$dev"
"$UBLK" del "$dev" || gfail "boost-ublk del $dev failed"
wait "$pid"
echo "server after del: exit $?"
wait $fio && gfail "fio went on without a device"
ublk_assert_none

# A reader of the first line that has gone away (SIGPIPE) does not kill a
# server with a live device.
"$UBLK" add --backend mem:8M | true &
for i in $(seq 100); do [ -b /dev/ublkb0 ] && break; sleep 0.1; done
sleep 1
pid=$(pgrep -x boost-ublk) || gfail "the server died with its reader"
dd if=/dev/zero of=/dev/ublkb0 bs=4k count=1 oflag=direct status=none ||
	gfail "the device of a server without a reader does not work"
kill -TERM "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
