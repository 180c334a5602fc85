#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 90
#
# What the storage servers do when this host fails its periodic
# attestation (boostd.json's storage_on_untrusted), with a boost-ublk that
# serves no device (tests/trust/fake_ublk.c) on the host: "hold" freezes
# them (SIGSTOP) and boostd's stop lets them go on; "stop" stops them and
# deletes their devices; either way no new server starts. The host fails
# because another tool extends boost's PCR; a TPM reboot between the two
# cases makes it good again.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool tpm2_pcrextend pgrep
boostd_setup
cp "$BOOST_BUILD/tests/trust-bin/fake_ublk" "$B/art/boost-ublk"
sign "$B/art/boost-ublk"
write_policy --artifact "$B/art/boost-ublk:exec"
on_exit "pkill -KILL -f '^boost-ublk (add|recover)'"

# configure MODE: periodic attestation every second, MODE on failure
configure() {
	jq --arg m "$1" '.attest_interval = 1 | .storage_on_untrusted = $m' "$BOOSTD_CONF" >"$B/c" &&
		mv "$B/c" "$BOOSTD_CONF"
}
state_of() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }
failed() { "$BOOSTCTL" -j status | jq -e '.attested == false' >/dev/null; }
break_pcr() { tpm2_pcrextend "11:sha256=$(printf '%064d' 7)" || fail "tpm2_pcrextend failed"; }

# hold
configure hold
boostd_start
expect_exit 0 "$BOOSTCTL" storage add null --size 1M --id 3
pid=$("$BOOSTCTL" -j storage list | jq -r '.[0].pid')
[ "$(state_of "$pid")" = S ] || fail "server $pid is not running: $(state_of "$pid")"
break_pcr
wait_until failed || fail "the host still attests"
held() { [ "$(state_of "$pid")" = T ]; }
wait_until held || fail "server $pid was not held: state $(state_of "$pid")"
grep -q "storage: 1 servers held (SIGSTOP)" "$BOOSTD_LOG" || fail "boostd did not log the hold"
expect_exit 1 "$BOOSTCTL" storage add null --size 1M --id 4
expect_match "failed its own attestation" "$err"
boostd_stop
[ "$(state_of "$pid")" = S ] || fail "server $pid stayed held after boostd stopped: $(state_of "$pid")"
kill "$pid"

# stop
swtpm_restart
rm -rf "$STATE"
configure stop
boostd_start
expect_exit 0 "$BOOSTCTL" storage add null --size 1M --id 5
pid=$("$BOOSTCTL" -j storage list | jq -r '.[0].pid')
break_pcr
gone() { ! kill -0 "$pid" 2>/dev/null && [ "$("$BOOSTCTL" -j storage list | jq length)" = 0 ]; }
wait_until gone || fail "server $pid still runs, or the device is listed: $("$BOOSTCTL" -j storage list)"
grep -q "storage: device 5 stopped and deleted: this host failed its attestation" "$BOOSTD_LOG" ||
	fail "boostd did not log the stop"
boostd_stop
