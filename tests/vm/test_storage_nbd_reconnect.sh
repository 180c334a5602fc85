#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: the nbd backend when its server goes away. nbdkit (the
# file plugin, so that the data outlives it) is killed under fio's crc32c
# verify and started again: IO is held, not failed, fio ends with no
# error, and the device reads back exactly the server's file. Over TCP
# too, where the reconnect runs under the confinement's TCP port rule. A
# boost-ublk killed with SIGKILL under fio is recovered ("boost-ublk
# recover") onto new connections, fio again with no error. A
# server that never comes back: IO fails with EIO after the reconnect
# timeout (shortened to 3 s here), nothing hangs, and IO works again on
# both queues as soon as the server is back.
# timeout: 600
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio nbdkit
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run --cpus 2 <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
truncate -s 64M /tmp/disk.img

# Killed under fio verify, back 3 s later, twice.
nbdkit_start -U "$sock" file /tmp/disk.img
ublk_add --backend "nbd:nbd+unix:///?socket=$sock" --queues 2 --depth 64
err=/tmp/ublk.$((ublk_n - 1)).err
fio_crc "$dev" 20
for round in 1 2; do
	sleep 3
	nbdkit_stop KILL
	echo "nbdkit killed under fio (round $round)"
	sleep 3
	nbdkit_start -U "$sock" file /tmp/disk.img
done
fio_crc_wait
grep -q "reconnected" "$err" || gfail "boost-ublk never said it reconnected: $(cat $err)"
same_as_server "$dev"
echo "unix: fio verify through two server restarts: 0 errors, data intact"

# boost-ublk itself killed under fio: recover connects again, fio goes on.
sleep 0.1
fio_crc "$dev" 10
sleep 3
ublk_kill_recover --backend "nbd:nbd+unix:///?socket=$sock"
fio_crc_wait
same_as_server "$dev"
echo "unix: boost-ublk killed under fio and recovered: 0 errors, data intact"

# The server never comes back: EIO after the timeout, no hang.
ublk_stop "$pid"
ublk_add --backend "nbd:nbd+unix:///?socket=$sock" --reconnect-timeout 3 --queues 2
nbdkit_stop KILL
timeout 60 dd if=/dev/urandom of="$dev" bs=4k count=1 oflag=direct status=none 2>/tmp/dd.err
rc=$?
[ $rc = 124 ] && gfail "a write hung with the server gone"
[ $rc != 0 ] && grep -q "Input/output error" /tmp/dd.err ||
	gfail "a write with the server gone past the timeout did not fail with EIO (rc $rc: $(cat /tmp/dd.err))"
timeout 60 dd if="$dev" of=/dev/null bs=4k count=1 iflag=direct status=none 2>/tmp/dd.err &&
	gfail "a read with the server gone past the timeout succeeded"
echo "server gone: EIO after the timeout"
# Back, with a handshake that takes 2 s (the delay filter): IO on each
# queue (CPU c submits to queue c) waits for its queue's attempt, or starts
# one, and succeeds; it does not fail while an attempt is under way or
# before the backoff's next one.
nbdkit_start -U "$sock" --filter=delay file /tmp/disk.img delay-open=2
for c in 0 1; do
	taskset -c $c dd if=/dev/urandom of="$dev" bs=4k count=1 seek=$c oflag=direct \
		status=none 2>/tmp/dd.err ||
		gfail "a write from CPU $c failed right after the server was back: $(cat /tmp/dd.err)"
	taskset -c $c dd if="$dev" of=/dev/null bs=4k count=1 skip=$((c + 8)) iflag=direct \
		status=none 2>/tmp/dd.err ||
		gfail "a read from CPU $c failed right after the server was back: $(cat /tmp/dd.err)"
done
same_as_server "$dev"
echo "server back: IO resumes at once on both queues"
ublk_stop "$pid"
nbdkit_stop KILL

# Over TCP: the confined queue threads connect again to the server's port.
nbdkit_start -i 127.0.0.1 -p 10809 file /tmp/disk.img
ublk_add --backend "nbd:nbd://127.0.0.1:10809" --queues 2
fio_crc "$dev" 12
sleep 3
nbdkit_stop KILL
sleep 2
nbdkit_start -i 127.0.0.1 -p 10809 file /tmp/disk.img
fio_crc_wait
same_as_server "$dev"
echo "tcp: fio verify through a server restart: 0 errors"
ublk_stop "$pid"
nbdkit_stop KILL
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
