#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 90
#
# The trust object's TPM work runs as a job, off boostd's loop: with the
# TPM frozen (swtpm stopped by SIGSTOP, as a hardware TPM that takes its
# time), a `trust load` waits for it while `status` and `net status` are
# answered and say what runs; trust requests sent meanwhile wait their turn
# and are answered in order once the TPM answers. SIGTERM stops boostd even
# while a TPM command hangs, and the client waiting on it gets an error.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool timeout
boostd_setup
write_policy
boostd_start
on_exit 'kill -CONT "$_swtpm_pid" 2>/dev/null'

kill -STOP "$_swtpm_pid"
"$BOOSTCTL" trust load --kind bpf "$B/art/net.bpf.o" >"$B/load.out" 2>"$B/load.err" &
loader=$!
# The load is in its job once status says so; status itself must answer.
for _ in $(seq 100); do
	st=$(timeout 10 "$BOOSTCTL" -j status) || fail "status was not answered while the TPM hangs"
	[ "$(jq -r '.trust_running // empty' <<<"$st")" = "trust load" ] && break
	sleep 0.1
done
[ "$(jq -r '.trust_running // empty' <<<"$st")" = "trust load" ] ||
	fail "status never said the trust load runs: $st"
expect_exit 0 timeout 10 "$BOOSTCTL" status
expect_match "trust: +running: trust load" "$out"
expect_exit 0 timeout 10 "$BOOSTCTL" net status
kill -0 "$loader" 2>/dev/null || fail "trust load ended with the TPM stopped: $(cat "$B/load.err")"

# A trust request sent now waits for the load, then sees its artifact.
"$BOOSTCTL" -j trust status >"$B/status.out" 2>"$B/status.err" &
asker=$!
sleep 0.5
kill -0 "$asker" 2>/dev/null || fail "trust status ran beside the load: $(cat "$B/status.out")"
kill -CONT "$_swtpm_pid"
wait "$loader" || fail "trust load failed once the TPM answered: $(cat "$B/load.err")"
grep -q "net.bpf.o" "$B/load.out" || fail "trust load printed: $(cat "$B/load.out")"
wait "$asker" || fail "the kept trust status failed: $(cat "$B/status.err")"
jq -e --arg p "$B/art/net.bpf.o" 'any(.artifacts[]; .path == $p) and .attestation.trusted' \
	"$B/status.out" >/dev/null || fail "the kept trust status ran before the load: $(cat "$B/status.out")"
st=$("$BOOSTCTL" -j status)
jq -e 'has("trust_running") | not' <<<"$st" >/dev/null || fail "a job still runs: $st"

# SIGTERM while a TPM command hangs: boostd stops, the client gets an error.
kill -STOP "$_swtpm_pid"
"$BOOSTCTL" attest self >"$B/self.out" 2>"$B/self.err" &
waiter=$!
for _ in $(seq 100); do
	[ "$("$BOOSTCTL" -j status | jq -r '.trust_running // empty')" = "attest self" ] && break
	sleep 0.1
done
"$BOOSTCTL" trust status >/dev/null 2>"$B/kept.err" &
kept=$!
sleep 0.3
boostd_stop
wait "$waiter" && fail "attest self succeeded with the TPM stopped: $(cat "$B/self.out")"
wait "$kept" && fail "a kept trust status succeeded after boostd stopped"
expect_match "boostd is stopping" "$(cat "$B/kept.err")"
grep -q "a job still runs at stop" "$BOOSTD_LOG" || fail "boostd did not say it left the job"
kill -CONT "$_swtpm_pid"
