#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: the nbd backend's refusals, each with an error naming the
# URI and the reason, exit status 1, and no ublk device, no process and no
# connection left: URIs boost-ublk cannot serve (a host name, TLS, no
# socket), no server, an export the server refuses, a server that closes
# during the handshake. Then through boostd: a bad URI is refused before
# anything starts, a refused export leaves no device; a served device's
# storage show says "reconnecting" with the last error while its server is
# gone, and the reconnects are counted (show, stats, metrics).
# timeout: 500
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm nbdkit python3 jq
[ -x "$BOOST_BUILD/boost-ublk" ] || fail "no $BOOST_BUILD/boost-ublk: run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1

refused() {
	local re=$1 rc
	shift
	"$UBLK" add --backend "$@" >/tmp/out 2>/tmp/err
	rc=$?
	[ $rc -eq 1 ] || gfail "boost-ublk add --backend $*: exit $rc, expected 1 ($(cat /tmp/err))"
	[[ $(cat /tmp/err) =~ $re ]] || gfail "boost-ublk add --backend $*: said '$(cat /tmp/err)', expected /$re/"
	ublk_assert_none
}
# The server has no client left: nbdkit's log filter saw each connection end.
no_client_left() {
	local opened closed
	opened=$(grep -c 'Connect ' /tmp/nbdkit.log)
	closed=$(grep -c 'Disconnect ' /tmp/nbdkit.log)
	[ "$opened" = "$closed" ] || gfail "connections left open: $opened opened, $closed closed"
}

refused "nbd://disks.example/x': the server must be an IP address: boost-ublk resolves no names" \
	nbd:nbd://disks.example/x
refused "TLS \(nbds\) is not supported" nbd:nbds://127.0.0.1/x
refused "nbd\+unix needs \?socket=/PATH" "nbd:nbd+unix:///x"
refused "backend nbd:: bad argument \(expected nbd:URI\)" nbd:
refused "cannot connect: connect: No such file or directory" "nbd:nbd+unix:///?socket=$sock"
refused "nbd://127.0.0.1:10999/: cannot connect: connect: Connection refused" \
	nbd:nbd://127.0.0.1:10999/

# An export the server does not have.
nbdkit_start -U "$sock" --filter=log --filter=exportname memory 16M \
	logfile=/tmp/nbdkit.log exportname=good exportname-strict=true default-export=good
refused "the server refused: handshake: server has no export named 'bad'" \
	"nbd:nbd+unix:///bad?socket=$sock"
sleep 0.5
no_client_left
nbdkit_stop

# A server that closes the connection in the middle of its greeting.
python3 - "$sock" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
os.write(1, b"ready\n")
while True:
    c, _ = s.accept()
    c.send(b"NBDMAGIC")
    c.close()
PY
half=$!
for ((i = 0; i < 50; i++)); do [ -S "$sock" ] && break; sleep 0.1; done
refused "the server closed the connection during the handshake" "nbd:nbd+unix:///?socket=$sock"
kill $half
wait $half 2>/dev/null
rm -f "$sock"
echo "boost-ublk: every refusal clear, nothing left"

# Through boostd.
boostd_start
bctl storage add nbd:nbd://disks.example/x >/tmp/out 2>&1 && gfail "boostd added a host name's disk"
grep -q "resolves no names" /tmp/out || gfail "boostd's refusal: $(cat /tmp/out)"
bctl storage add null --size 1M --reconnect-timeout 5 >/tmp/out 2>&1 &&
	gfail "boostd took a reconnect timeout for a local disk"
grep -q "reconnect_timeout: only for an NBD server" /tmp/out || gfail "refusal: $(cat /tmp/out)"
nbdkit_start -U "$sock" --filter=log --filter=exportname memory 16M \
	logfile=/tmp/nbdkit.log exportname=good exportname-strict=true default-export=good
bctl storage add "nbd:nbd+unix:///bad?socket=$sock" >/tmp/out 2>&1 && gfail "boostd added a refused export"
grep -q "server has no export named 'bad'" /tmp/out || gfail "boostd's refusal: $(cat /tmp/out)"
[ "$(bjq 'length' storage list)" = 0 ] || gfail "a refused device is listed: $(bctl storage list)"
ublk_assert_none

bctl storage add "nbd:nbd+unix:///good?socket=$sock" --queues 2 --reconnect-timeout 60 ||
	gfail "boostd did not add the nbd disk"
id=$(bjq '.[0].id' storage list)
[ "$(bjq '.connection.state' storage show "$id")" = connected ] || gfail "not connected: $(bctl storage show "$id")"
[ "$(bjq '.connection.reconnect_timeout' storage show "$id")" = 60 ] || gfail "timeout not 60"
echo "boostd: nbd device $id connected"
nbdkit_stop KILL
dd if=/dev/zero of=/dev/ublkb$id bs=4k count=1 oflag=direct status=none 2>/dev/null &
dd_pid=$!
for ((i = 0; i < 50; i++)); do
	[ "$(bjq '.state' storage show "$id")" = reconnecting ] && break
	sleep 0.2
done
bctl storage show "$id"
[ "$(bjq '.state' storage show "$id")" = reconnecting ] || gfail "storage show does not say reconnecting"
[ "$(bjq '.connection.state' storage show "$id")" = reconnecting ] || gfail "connection state"
[[ "$(bjq '.connection.last_error' storage show "$id")" =~ (refused|No such file|reset) ]] ||
	gfail "no last error: $(bctl storage show "$id")"
bctl storage show "$id" | grep -q "connection reconnecting (last error: " || gfail "text show"
nbdkit_start -U "$sock" --filter=exportname memory 16M exportname=good exportname-strict=true \
	default-export=good
wait $dd_pid || gfail "the write held while reconnecting failed"
for ((i = 0; i < 50; i++)); do
	[ "$(bjq '.state' storage show "$id")" = live ] && break
	sleep 0.2
done
[ "$(bjq '.connection.state' storage show "$id")" = connected ] || gfail "not connected again"
[ "$(bjq '.connection.reconnects' storage show "$id")" -ge 1 ] || gfail "no reconnect counted"
[ "$(bjq '.[0].reconnects' storage stats "$id")" -ge 1 ] || gfail "stats: no reconnect"
bctl metrics | grep -q "^boost_disk_reconnects_total{dev=\"ublkb$id\"} [1-9]" ||
	gfail "metrics: no reconnect"
bctl storage del "$id" || gfail "del failed"
nbdkit_stop
boostd_stop
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
