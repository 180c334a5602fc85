#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# Last known good: with the policy's "sets", boostd runs the artifacts of
# set a, each listed with its digest and version by a signed manifest. A
# tampered, truncated or missing artifact of set a, or one below the
# rollback floor, makes it fall back to set b at start: status and the
# metrics say so and why, the event is measured (the log shows it and the
# host still attests), and data paths may still attach. With both sets
# bad nothing may attach, and status says why. `trust promote` makes a
# build staged in b the running set a, and refuses a staged set that does
# not verify, changing nothing. Bad manifests are refused with the reason.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool llvm-objcopy
boostd_setup
SETS=$B/sets

# set DIR SVN: the network object at version SVN and boost-ublk, signed,
# with a signed manifest.
make_set() {
	rm -rf "$1"
	mkdir -p "$1"
	with_svn "$BOOST_BUILD/bpf/net_xdp.bpf.o" "$1/net_xdp.bpf.o" "$2"
	cp "$BOOST_BUILD/boost-ublk" "$1/boost-ublk"
	sign "$1/net_xdp.bpf.o" "$1/boost-ublk"
	expect_exit 0 "$BOOSTCTL" trust manifest --key "$B/keys/signer.key" "$1"
	expect_match "wrote and signed $1/manifest.json" "$out"
}
set_field() { "$BOOSTCTL" -j trust status | jq -r ".set.$1"; }
restart() {
	boostd_stop
	boostd_start
}
metric() { "$BOOSTCTL" metrics | awk -v m="$1" '$1 == m { print $2 }'; }

make_set "$SETS/a" 2
make_set "$SETS/b" 1
jq -e '.boost_manifest == 1 and (.artifacts | length) == 2 and
	any(.artifacts[]; .file == "net_xdp.bpf.o" and .kind == "bpf" and .svn == 2)' \
	"$SETS/a/manifest.json" >/dev/null || fail "the manifest: $(cat "$SETS/a/manifest.json")"
write_policy --sets "$SETS"
boostd_start

# Set a runs.
[ "$(set_field active)" = a ] && [ "$(set_field fallback)" = false ] ||
	fail "not running on set a: $("$BOOSTCTL" -j trust status | jq -c .set)"
expect_exit 0 "$BOOSTCTL" trust status
expect_match "sets: $SETS, running on set a" "$out"
expect_match "$SETS/a/net_xdp.bpf.o \(bpf\)" "$out"
[ "$(metric boost_trust_set_fallback)" = 0 ] || fail "fallback metric without a fallback"

# A tampered artifact of set a: boostd runs on set b, says why, attests.
cp "$SETS/a/net_xdp.bpf.o" "$B/good.o"
flip_byte "$SETS/a/net_xdp.bpf.o" 200
restart
[ "$(set_field active)" = b ] && [ "$(set_field fallback)" = true ] ||
	fail "no fallback to set b: $("$BOOSTCTL" -j trust status | jq -c .set)"
expect_match "set a: artifact $SETS/a/net_xdp.bpf.o: .*signature" "$(set_field reason)"
expect_exit 0 "$BOOSTCTL" trust status
expect_match "running on set b \(FALLBACK to the previous set\)" "$out"
expect_match "$SETS/b/net_xdp.bpf.o \(bpf\)" "$out"
"$BOOSTCTL" -j trust status | jq -e --arg b "$SETS/b/" 'all(.artifacts[]; .path | startswith($b))' \
	>/dev/null || fail "an artifact of the failed set a is in use: $("$BOOSTCTL" -j trust status)"
[ "$(metric boost_trust_set_fallback)" = 1 ] || fail "the fallback is not in the metrics"
grep -q "boost-event:fallback-to-set-b" "$STATE/ascii_runtime_measurements" ||
	fail "the fallback is not in the measurement log"
"$BOOSTCTL" -j status | jq -e '.attested and .data_paths_allowed and .trust_set.active == "b"' \
	>/dev/null || fail "on set b the host should attest and allow data paths: $("$BOOSTCTL" -j status)"
# The start's attestation replayed the whole log, the event in it.
expect_exit 0 "$BOOSTCTL" trust status
expect_match "1 event of boostd's in the log, the last: boost-event:fallback-to-set-b" "$out"

# A truncated one, a missing one, a digest the manifest does not list.
cp "$B/good.o" "$SETS/a/net_xdp.bpf.o"
truncate -s 1000 "$SETS/a/boost-ublk"
restart
[ "$(set_field active)" = b ] || fail "a truncated boost-ublk did not make it fall back"
make_set "$SETS/a" 2
rm "$SETS/a/boost-ublk"
restart
expect_match "set a: artifact $SETS/a/boost-ublk: " "$(set_field reason)"
make_set "$SETS/a" 2
cp "$SETS/b/net_xdp.bpf.o" "$SETS/a/net_xdp.bpf.o"
cp "$SETS/b/net_xdp.bpf.o.sig" "$SETS/a/net_xdp.bpf.o.sig"
restart
expect_match "its digest is not the one its manifest lists" "$(set_field reason)"
# An unsigned manifest, and one with a path in it.
make_set "$SETS/a" 2
rm "$SETS/a/manifest.json.sig"
restart
expect_match "set a: artifact $SETS/a/manifest.json: " "$(set_field reason)"
jq '.artifacts[0].file = "../b/net_xdp.bpf.o"' "$SETS/a/manifest.json" >"$B/m" &&
	mv "$B/m" "$SETS/a/manifest.json" && sign "$SETS/a/manifest.json"
restart
expect_match "artifacts\[0\].file: expected a file name" "$(set_field reason)"

# Below the floor: commit version 2 while on a good set a, then set a
# holds version 1 only: set b (version 2 now) runs.
make_set "$SETS/a" 2
restart
expect_exit 0 "$BOOSTCTL" trust commit-version
make_set "$SETS/a" 1
make_set "$SETS/b" 2
restart
[ "$(set_field active)" = b ] || fail "set a below the floor did not make it fall back"
expect_match "security version 1 is below this host's floor 2" "$(set_field reason)"

# Both sets bad: nothing may run, and status says why.
flip_byte "$SETS/b/net_xdp.bpf.o" 200
restart
[ "$(set_field active)" = null ] || fail "a set runs with both bad: $(set_field active)"
"$BOOSTCTL" -j status | jq -e '.data_paths_allowed == false' >/dev/null || fail "data paths allowed"
expect_exit 0 "$BOOSTCTL" status
expect_match "refused: no set of artifacts verifies: set a: .*; set b: " "$out"
[ "$(metric boost_trust_set_none)" = 1 ] || fail "the metrics do not say no set verifies"
expect_exit 1 "$BOOSTCTL" net attach
expect_match "no set of artifacts verifies" "$err"

# Promote: a good set a runs, an update is staged in b and promoted.
make_set "$SETS/a" 2
make_set "$SETS/b" 3
restart
[ "$(set_field active)" = a ] || fail "set a does not run"
expect_exit 0 "$BOOSTCTL" trust promote
expect_match "promoted: set a \($SETS/a\) runs now" "$out"
expect_match "security version 3" "$out"
jq -e '.artifacts[] | select(.file == "net_xdp.bpf.o") | .svn == 3' "$SETS/a/manifest.json" \
	>/dev/null || fail "set a is not the promoted build"
jq -e '.artifacts[] | select(.file == "net_xdp.bpf.o") | .svn == 2' "$SETS/b/manifest.json" \
	>/dev/null || fail "set b is not the previous build"
"$BOOSTCTL" -j trust status | jq -e --arg p "$SETS/a/net_xdp.bpf.o" \
	'[.artifacts[] | select(.path == $p)] | last | .svn == 3' >/dev/null ||
	fail "the promoted net_xdp is not the newest: $("$BOOSTCTL" -j trust status | jq -c .artifacts)"
# A staged set that does not verify is refused, and the sets stay as they were.
flip_byte "$SETS/b/net_xdp.bpf.o" 200
sum=$(sha256sum "$SETS"/a/* "$SETS"/b/* | sha256sum)
expect_exit 1 "$BOOSTCTL" trust promote
expect_match "the staged set does not verify, nothing changed: set b: artifact $SETS/b/net_xdp.bpf.o" "$err"
[ "$(sha256sum "$SETS"/a/* "$SETS"/b/* | sha256sum)" = "$sum" ] || fail "a refused promote moved files"
[ "$(set_field active)" = a ] || fail "a refused promote changed the active set"
boostd_stop
