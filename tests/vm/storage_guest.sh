# SPDX-License-Identifier: GPL-2.0-only
#
# The guest side of the storage tests, sourced by the scripts they run in
# scripts/vm's guest (not a test itself). Everything here runs as root in
# the guest, where /dev/ublk-control exists.
#
#   ublk_add ARGS...     start "boost-ublk add ARGS" in the background and
#                        wait until it prints its device; sets $id, $dev, $pid
#   ublk_recover ARGS... start "boost-ublk recover ARGS" likewise
#   ublk_stop PID        SIGTERM a server and wait for it; fails unless it
#                        exits 0
#   ublk_assert_none     fail unless no ublk device and no boost-ublk remain
#   gfail MESSAGE        end the guest script as failed
set -u
UBLK=$BOOST_BUILD/boost-ublk
ublk_n=0
ublk_all_pids=()

gfail() {
	echo "FAIL: $*" >&2
	exit 1
}

_ublk_cleanup() {
	local p
	for p in "${ublk_all_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap _ublk_cleanup EXIT

ublk_add() {
	_ublk_start add "$@"
}

ublk_recover() {
	_ublk_start recover "$@"
}

_ublk_start() {
	local out=/tmp/ublk.$ublk_n.out err=/tmp/ublk.$ublk_n.err i
	ublk_n=$((ublk_n + 1))
	"$UBLK" "$@" >"$out" 2>"$err" &
	pid=$!
	ublk_all_pids+=("$pid")
	# TCG is slow: the partition scan alone can take a second.
	for ((i = 0; i < 300; i++)); do
		if read -r _ id _ dev 2>/dev/null <"$out" && [ -n "${dev:-}" ]; then
			[ -b "$dev" ] || gfail "boost-ublk printed $dev, which is not a block device"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$err" >&2
	gfail "boost-ublk $* did not start a device"
}

ublk_stop() {
	local rc
	kill -TERM "$1"
	wait "$1"
	rc=$?
	[ $rc -eq 0 ] || gfail "boost-ublk (pid $1) exited $rc after SIGTERM"
}

ublk_assert_none() {
	local left
	left=$("$UBLK" list) || gfail "boost-ublk list failed"
	[ -z "$left" ] || gfail "ublk devices left: $left"
	for left in /dev/ublkc* /dev/ublkb*; do
		[ -e "$left" ] && gfail "device node left: $left"
	done
	left=$(pgrep -x boost-ublk) && gfail "boost-ublk processes left: $left"
	return 0
}
