#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# boostd's log lines carry their priority: on a stderr that is the journal
# ($JOURNAL_STREAM names its device and inode) each starts with sd-daemon's
# "<N>", so that `journalctl -p warning` finds the warnings; on any other
# stderr, even with a $JOURNAL_STREAM inherited from elsewhere, the plain
# "boostd: LEVEL: " form.
# timeout: 60
. "$(dirname "$0")/../lib.sh"
require_root
require_tool setpriv

dir=$(mktemp -d)
on_exit rm -rf "$dir"
export BOOST_SOCKET=$dir/run/boostd.sock
# No trust policy: an error at start; a client that is not root: a warning.
printf '{"socket": "%s", "state_dir": "%s/state", "trust_policy": "%s/none.json"}\n' \
	"$BOOST_SOCKET" "$dir" "$dir" >"$dir/boostd.json"

# run_boostd LOG [ENV...]: boostd with stderr appended to LOG, refuse one
# client that is not root, stop it.
run_boostd() {
	local log=$1 pid
	shift
	: >"$log"
	env "$@" "$BOOST_BUILD/boostd" --foreground --config "$dir/boostd.json" 2>>"$log" &
	pid=$!
	on_exit kill "$pid"
	for _ in $(seq 50); do [ -S "$BOOST_SOCKET" ] && break; sleep 0.1; done
	[ -S "$BOOST_SOCKET" ] || fail "boostd did not start: $(cat "$log")"
	chmod 0755 "$dir" "$(dirname "$BOOST_SOCKET")"
	chmod 0666 "$BOOST_SOCKET"
	expect_exit 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$BOOSTCTL" status
	kill -TERM "$pid"
	wait "$pid" || fail "boostd exited with status $?"
}

# The journal: what systemd would set, the device and inode of the stream.
: >"$dir/journal.log"
stream=$(stat -c '%d:%i' "$dir/journal.log")
run_boostd "$dir/journal.log" JOURNAL_STREAM="$stream"
log=$(cat "$dir/journal.log")
expect_match $'(^|\n)<3>error: trust policy [^\n]*none.json: no such file' "$log"
expect_match $'(^|\n)<4>warning: client pid [0-9]+ uid 65534 refused' "$log"
expect_match $'(^|\n)<6>info: boostd [0-9.]+ listening on ' "$log"
! grep -v '^<[0-7]>' <<<"$log" || fail "a line without its priority: $log"

# Not the journal: a $JOURNAL_STREAM of another file, or none at all.
for env in JOURNAL_STREAM="$stream" JOURNAL_STREAM=; do
	run_boostd "$dir/plain.log" "$env"
	log=$(cat "$dir/plain.log")
	expect_match $'(^|\n)boostd: error: trust policy [^\n]*none.json: no such file' "$log"
	expect_match $'(^|\n)boostd: warning: client pid [0-9]+ uid 65534 refused' "$log"
	expect_match $'(^|\n)boostd: info: boostd [0-9.]+ listening on ' "$log"
	! grep -q '^<' <<<"$log" || fail "a priority prefix off the journal ($env): $log"
done
exit 0
