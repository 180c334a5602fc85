# SPDX-License-Identifier: GPL-2.0-only
#
# A one-node Ceph cluster for a test, sourced after tests/lib.sh:
#
#   ceph_start NS ADDR     start a cluster in a new directory ($CEPH_DIR),
#                          its daemons in network namespace NS bound to
#                          ADDR (an address NS has): one monitor, one OSD
#                          (bluestore on a sparse file), no manager, cephx
#                          on; a pool "rbd". Waits until the OSD is up and
#                          the pool takes writes. Stops the daemons and
#                          removes the directory at exit. Sets CEPH_DIR,
#                          CEPH_CONF_FILE (monitors and the client's
#                          defaults) and CEPH_KEYRING_FILE (client.admin).
#   ceph_start_tap NAME    a namespace "$T-NAME" (removed at exit) with a
#                          tap device tap0 on 192.0.2.1/24, for a guest
#                          (scripts/vm --netns "$CEPH_NS" --tap
#                          tap0,192.0.2.2/24), and ceph_start there; sets
#                          CEPH_NS
#   ceph_cmd ARGS...       the `ceph` CLI as client.admin, in the
#                          namespace, bounded in time
#   rbd_cmd ARGS...        the `rbd` CLI, likewise
#   ceph_osd_kill          kill the OSD (SIGKILL) and mark it down
#   ceph_osd_start         start it again and wait until it is up
#
# The daemons are children of the test, in the foreground (-f), so they stop
# at once on SIGTERM. Nothing is exported: CEPH_KEYRING in the environment
# would be read by the daemons too, which must use their own keys. Seen
# here: the cluster takes writes about 5 s after ceph_start began
# (docs/vm.md, "A Ceph cluster for the guest").

_ceph_mon_pid='' _ceph_osd_pid='' _ceph_ns='' CEPH_DIR=''

_ceph_in_ns() {
	ip netns exec "$_ceph_ns" "$@"
}

ceph_cmd() {
	_ceph_in_ns timeout 30 ceph --connect-timeout 10 -c "$CEPH_CONF_FILE" \
		-k "$CEPH_KEYRING_FILE" -n client.admin "$@"
}

rbd_cmd() {
	_ceph_in_ns timeout 120 rbd -c "$CEPH_CONF_FILE" -k "$CEPH_KEYRING_FILE" \
		--id admin "$@"
}

# The daemons' pids are in files too: a subshell of the test (a watcher in
# the background) may have restarted the OSD.
_ceph_kill() {
	local p i
	read -r p 2>/dev/null <"$CEPH_DIR/$1.pid" || return 0
	kill -9 "$p" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	wait "$p" 2>/dev/null
	rm -f "$CEPH_DIR/$1.pid"
}

_ceph_stop() {
	_ceph_kill osd
	_ceph_kill mon
}

_ceph_osd_launch() {
	# ip netns exec execs the daemon: $! is its pid.
	ip netns exec "$_ceph_ns" ceph-osd -f -c "$CEPH_CONF_FILE" -i 0 </dev/null \
		>>"$CEPH_DIR/log/osd.0.out" 2>&1 &
	_ceph_osd_pid=$!
	echo "$_ceph_osd_pid" >"$CEPH_DIR/osd.pid"
}

# The OSD is up in the monitors' map.
_ceph_osd_up() {
	[ "$(ceph_cmd osd dump -f json 2>/dev/null | jq -r '.osds[0].up')" = 1 ]
}

_ceph_wait_osd_up() {
	local i
	for ((i = 0; i < 600; i++)); do
		_ceph_osd_up && return 0
		kill -0 "$_ceph_osd_pid" 2>/dev/null ||
			fail "ceph-osd exited: $(tail -n 5 "$CEPH_DIR/log/osd.0.out" "$CEPH_DIR/log/osd.0.log" 2>/dev/null)"
		sleep 0.1
	done
	fail "ceph: the OSD is not up after 60 s: $(tail -n 5 "$CEPH_DIR/log/osd.0.log" 2>/dev/null)"
}

ceph_start() {
	local ns=$1 addr=$2 fsid uuid key i
	require_tool ceph-mon ceph-osd ceph ceph-authtool monmaptool rbd uuidgen jq
	_ceph_ns=$ns
	CEPH_DIR=$(mktemp -d /var/tmp/boost-ceph.XXXXXX) || fail "cannot create a directory for the cluster"
	on_exit rm -rf "$CEPH_DIR"
	on_exit _ceph_stop
	CEPH_CONF_FILE=$CEPH_DIR/ceph.conf
	CEPH_KEYRING_FILE=$CEPH_DIR/client.admin.keyring
	mkdir -p "$CEPH_DIR"/{mon,osd,run,log}
	fsid=$(uuidgen)
	cat >"$CEPH_CONF_FILE" <<EOF
[global]
fsid = $fsid
mon host = [v2:$addr:3300,v1:$addr:6789]
public addr = $addr
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
ms bind ipv6 = false
auth allow insecure global id reclaim = false
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
run dir = $CEPH_DIR/run
[mon]
mon data = $CEPH_DIR/mon
keyring = $CEPH_DIR/mon/keyring
log file = $CEPH_DIR/log/\$name.log
admin socket = $CEPH_DIR/run/\$name.asok
mon warn on pool no redundancy = false
[osd]
osd data = $CEPH_DIR/osd
keyring = $CEPH_DIR/osd/keyring
log file = $CEPH_DIR/log/\$name.log
admin socket = $CEPH_DIR/run/\$name.asok
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 4294967296
osd memory target = 1073741824
bluestore cache autotune = false
bluestore cache size = 134217728
osd op num shards = 1
osd op num threads per shard = 2
[client]
log file = /dev/null
admin socket =
[client.admin]
keyring = $CEPH_KEYRING_FILE
EOF
	ceph-authtool --create-keyring "$CEPH_DIR/mon.keyring" --gen-key -n mon. \
		--cap mon 'allow *' >/dev/null || fail "ceph-authtool: cannot make the monitor's key"
	ceph-authtool --create-keyring "$CEPH_KEYRING_FILE" --gen-key -n client.admin \
		--cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null ||
		fail "ceph-authtool: cannot make client.admin's key"
	ceph-authtool "$CEPH_DIR/mon.keyring" --import-keyring "$CEPH_KEYRING_FILE" >/dev/null ||
		fail "ceph-authtool: cannot import client.admin's key"
	monmaptool --create --addv a "[v2:$addr:3300,v1:$addr:6789]" --fsid "$fsid" \
		"$CEPH_DIR/monmap" >/dev/null || fail "monmaptool failed"
	_ceph_in_ns ceph-mon -c "$CEPH_CONF_FILE" --mkfs -i a --monmap "$CEPH_DIR/monmap" \
		--keyring "$CEPH_DIR/mon.keyring" >"$CEPH_DIR/log/mkfs.out" 2>&1 ||
		fail "ceph-mon --mkfs: $(tail -n 3 "$CEPH_DIR/log/mkfs.out")"
	ip netns exec "$_ceph_ns" ceph-mon -f -c "$CEPH_CONF_FILE" -i a </dev/null \
		>"$CEPH_DIR/log/mon.a.out" 2>&1 &
	_ceph_mon_pid=$!
	echo "$_ceph_mon_pid" >"$CEPH_DIR/mon.pid"

	# The OSD: its id and key from the monitor, then its store.
	uuid=$(uuidgen)
	key=$(ceph-authtool --gen-print-key)
	printf '{"cephx_secret": "%s"}\n' "$key" >"$CEPH_DIR/osd-secret.json"
	for ((i = 0; i < 100; i++)); do
		ceph_cmd osd new "$uuid" -i "$CEPH_DIR/osd-secret.json" >"$CEPH_DIR/log/osd-new.out" \
			2>"$CEPH_DIR/log/osd-new.err" &&
			break
		kill -0 "$_ceph_mon_pid" 2>/dev/null ||
			fail "ceph-mon exited: $(tail -n 5 "$CEPH_DIR/log/mon.a.out" "$CEPH_DIR/log/mon.a.log" 2>/dev/null)"
		sleep 0.2
	done
	[ "$(cat "$CEPH_DIR/log/osd-new.out")" = 0 ] ||
		fail "ceph osd new: $(tail -n 3 "$CEPH_DIR/log/osd-new.err")"
	ceph-authtool --create-keyring "$CEPH_DIR/osd/keyring" -n osd.0 --add-key "$key" >/dev/null ||
		fail "ceph-authtool: cannot write the OSD's keyring"
	_ceph_in_ns timeout 60 ceph-osd -c "$CEPH_CONF_FILE" -i 0 --mkfs --no-mon-config --osd-uuid "$uuid" \
		>"$CEPH_DIR/log/osd-mkfs.out" 2>&1 ||
		fail "ceph-osd --mkfs: $(tail -n 3 "$CEPH_DIR/log/osd-mkfs.out")"
	_ceph_osd_launch
	_ceph_wait_osd_up
	ceph_cmd osd pool create rbd 8 >/dev/null 2>&1 || fail "ceph: cannot create the pool rbd"
	ceph_cmd osd pool application enable rbd rbd >/dev/null 2>&1 ||
		fail "ceph: cannot mark the pool rbd for rbd"
}

ceph_start_tap() {
	# Not $(netns_new ...): its cleanup must be registered in this shell.
	netns_new "$1" >/dev/null || fail "cannot create a namespace"
	CEPH_NS=$T-$1
	ip -n "$CEPH_NS" tuntap add tap0 mode tap || fail "cannot create tap0 in $CEPH_NS"
	ip -n "$CEPH_NS" addr add 192.0.2.1/24 dev tap0
	ip -n "$CEPH_NS" link set tap0 up
	ceph_start "$CEPH_NS" 192.0.2.1
}

ceph_osd_kill() {
	_ceph_kill osd
	_ceph_osd_pid=''
	# Without it the monitor waits out its grace period to notice.
	ceph_cmd osd down 0 >/dev/null 2>&1 || fail "ceph osd down 0 failed"
}

ceph_osd_start() {
	_ceph_osd_launch
	_ceph_wait_osd_up
}
