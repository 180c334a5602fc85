#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boost-ublk-rbd's rbd backend against a real one-node Ceph cluster on the
# host (tests/ceph_cluster.sh, in a namespace of the test's): each way an
# open fails says what failed, and leaves nothing behind. The backend
# opens before any ublk device exists, so this runs on the host, which has
# no ublk: an open that succeeds goes on to /dev/ublk-control, which is
# absent here, and the message then names it, not the cluster.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../ceph_cluster.sh"
require_root
srv=$BOOST_BUILD/boost-ublk-rbd
[ -x "$srv" ] || fail "no $srv: run make"

# Not $(netns_new ...): its cleanup must be registered in this shell.
netns_new rbd >/dev/null || fail "cannot create a namespace"
ns=$T-rbd
ip -n "$ns" addr add 192.0.2.1/24 dev lo
ceph_start "$ns" 192.0.2.1
rbd_cmd create --size 64M rbd/disk || fail "rbd create rbd/disk failed"
rbd_cmd snap create rbd/disk@s1 >/dev/null 2>&1 || fail "rbd snap create failed"
rbd_cmd create --size 64M --image-feature layering rbd/nolock ||
	fail "rbd create rbd/nolock failed"

conf=$CEPH_CONF_FILE key=$CEPH_KEYRING_FILE
add() {
	expect_exit "$1" ip netns exec "$ns" timeout 60 "$srv" add --backend "$2"
	echo "$2: $err"
}

# A spec the parser refuses, before any connection.
add 1 "rbd:rbd/disk"
expect_match 'no conf=PATH' "$err"
add 1 "rbd:rbd/disk,conf=relative.conf"
expect_match 'conf: not an absolute path' "$err"
add 1 "rbd:rbd/di sk,conf=$conf"
expect_match 'the image name has the character 0x20' "$err"

# No such pool, image or snapshot.
add 1 "rbd:nopool/disk,conf=$conf,keyring=$key"
expect_match 'pool nopool: no such pool' "$err"
add 1 "rbd:rbd/nodisk,conf=$conf,keyring=$key"
expect_match 'no image nodisk in pool rbd' "$err"
add 1 "rbd:rbd/disk@s9,conf=$conf,keyring=$key"
expect_match 'no image disk with a snapshot s9 in pool rbd' "$err"

# Credentials: an unknown client, a wrong key, a missing keyring.
add 1 "rbd:rbd/disk,conf=$conf,keyring=$key,id=nobody"
expect_match 'cannot connect to the cluster .* as client.nobody' "$err"
bad=$CEPH_DIR/bad.keyring
ceph-authtool --create-keyring "$bad" --gen-key -n client.admin >/dev/null || fail "ceph-authtool failed"
add 1 "rbd:rbd/disk,conf=$conf,keyring=$bad"
expect_match 'cannot connect to the cluster .* as client.admin: the cluster refused' "$err"
add 1 "rbd:rbd/disk,conf=$conf,keyring=$CEPH_DIR/none.keyring"
expect_match "keyring $CEPH_DIR/none.keyring: No such file" "$err"
add 1 "rbd:rbd/disk,conf=$CEPH_DIR/none.conf,keyring=$key"
expect_match "conf $CEPH_DIR/none.conf: cannot read it" "$err"

# An image without the exclusive-lock feature is refused: nothing would
# keep a second client from writing it.
add 1 "rbd:rbd/nolock,conf=$conf,keyring=$key"
expect_match 'has no exclusive-lock feature' "$err"

# The image opens (and is locked): what fails then is the host's missing ublk.
add 1 "rbd:rbd/disk,conf=$conf,keyring=$key"
expect_match 'ublk-control' "$err"
add 1 "rbd:rbd/disk@s1,conf=$conf,keyring=$key"
expect_match 'ublk-control' "$err"
# A conf that sets a log file and an admin socket: librbd's threads are
# confined to its files (docs/storage.md, "boost-ublk-rbd"), yet the log
# is made and written; the socket cannot be made, and the image opens.
log=$CEPH_DIR/log/client.log asok=$CEPH_DIR/run/client.asok
sed -e "s|^log file = /dev/null|log file = $log\ndebug ms = 1|" \
	-e "s|^admin socket =\$|admin socket = $asok|" "$conf" >"$CEPH_DIR/logged.conf"
grep -q "^admin socket = $asok" "$CEPH_DIR/logged.conf" || fail "cannot write logged.conf"
add 1 "rbd:rbd/disk,conf=$CEPH_DIR/logged.conf,keyring=$key"
expect_match 'ublk-control' "$err"
[ -s "$log" ] || fail "librbd wrote no log to $log"
[ ! -e "$asok" ] || fail "librbd made its admin socket $asok"
grep -q "$asok" "$log" || fail "the log says nothing of the admin socket: $(grep -i asok "$log")"
# The server let the lock go when it ended.
owners=$(rbd_cmd lock ls --format json rbd/disk 2>/dev/null)
[ "$owners" = "[]" ] || [ -z "$owners" ] || fail "a lock was left on rbd/disk: $owners"

# A monitor that does not answer: an address nothing listens on.
sed 's/^mon host = .*/mon host = [v2:192.0.2.9:3300]/' "$conf" >"$CEPH_DIR/dead.conf"
ip -n "$ns" addr add 192.0.2.9/32 dev lo
ip netns exec "$ns" iptables -A INPUT -d 192.0.2.9 -j DROP 2>/dev/null ||
	ip netns exec "$ns" nft add table inet t '{ chain c { type filter hook input priority 0; ip daddr 192.0.2.9 drop; }; }' ||
	fail "cannot drop packets to 192.0.2.9 in $ns"
add 1 "rbd:rbd/disk,conf=$CEPH_DIR/dead.conf,keyring=$key"
expect_match 'no monitor answered in 10 s' "$err"

# Nothing half-created: the images are as they were.
[ "$(rbd_cmd ls rbd | sort | tr '\n' ' ')" = "disk nolock " ] || fail "the pool's images changed"
echo "rbd open errors: each named"
