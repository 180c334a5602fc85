#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 60
#
# `attest ima-rules`: the kernel IMA rules that measure boost's artifacts
# select them by owner, so the command refuses what would make the rules
# wrong: an artifact owned by root (fowner=0 is every file root owns),
# artifacts of two owners, a signature file of the artifacts' owner (the
# kernel would measure it, and under appraisal refuse boostd to read it),
# and with --appraise an artifact without a security.ima signature that
# verifies. With sets, set a's and set b's manifests and artifacts are
# what the rules select. (The kernel's side: vm/test_kernel_ima_artifacts.)
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool setfattr xxd
boostd_setup
A=$B/art
O=4243
cp "$BOOST_BUILD/boost-ublk" "$A/boost-ublk"
sign "$A/boost-ublk"
write_policy --artifact "$A/net.bpf.o:bpf" --artifact "$A/boost-ublk:exec"
rules() {
	"$BOOSTCTL" attest ima-rules --policy "$POLICY" "$@"
}

expect_exit 1 rules
expect_match "artifact $A/net.bpf.o: owned by root: a rule on fowner=0" "$err"
chown $O "$A/net.bpf.o"
expect_exit 1 rules
expect_match "artifact $A/boost-ublk: owned by root" "$err"
chown $((O + 1)) "$A/boost-ublk"
expect_exit 1 rules
expect_match "artifact $A/boost-ublk: owned by uid $((O + 1)), the artifacts before it by uid $O" "$err"
chown $O "$A/boost-ublk"
expect_exit 0 rules
want="measure func=FILE_CHECK mask=MAY_READ fowner=$O template=ima-sig
measure func=BPRM_CHECK mask=MAY_EXEC fowner=$O template=ima-sig"
[ "$(grep -v '^#' <<<"$out")" = "$want" ] || fail "the rules: $out"
expect_match "2 files of owner uid $O" "$out"
expect_exit 0 rules --out "$B/rules"
[ "$(grep -v '^#' "$B/rules")" = "$want" ] || fail "the rules written: $(cat "$B/rules")"

chown $O "$A/boost-ublk.sig"
expect_exit 1 rules
expect_match "signature $A/boost-ublk.sig: owned by uid $O like the artifacts: the kernel would measure it too" "$err"
chown 0 "$A/boost-ublk.sig"

# --appraise: each artifact's security.ima, the signature boostd reads when
# there is no FILE.sig, must verify.
expect_exit 1 rules --appraise
expect_match "artifact $A/net.bpf.o: no security.ima signature" "$err"
for f in net.bpf.o boost-ublk; do
	setfattr -n security.ima -v "0x$(xxd -p "$A/$f.sig" | tr -d '\n')" "$A/$f" ||
		fail "cannot set security.ima on $A/$f"
done
expect_exit 0 rules --appraise
expect_match "appraise func=FILE_CHECK mask=MAY_READ fowner=$O appraise_type=imasig" "$out"
expect_match "appraise func=BPRM_CHECK mask=MAY_EXEC fowner=$O appraise_type=imasig" "$out"
# boost-ublk's signature on the network object does not verify.
setfattr -n security.ima -v "0x$(xxd -p "$A/boost-ublk.sig" | tr -d '\n')" "$A/net.bpf.o"
expect_exit 1 rules --appraise
expect_match "artifact $A/net.bpf.o: its security.ima signature: " "$err"

# Sets: both sets' manifests and artifacts.
SETS=$B/sets
for s in a b; do
	mkdir -p "$SETS/$s"
	cp "$BOOST_BUILD/bpf/net_xdp.bpf.o" "$SETS/$s/net_xdp.bpf.o"
	sign "$SETS/$s/net_xdp.bpf.o"
	expect_exit 0 "$BOOSTCTL" trust manifest --key "$B/keys/signer.key" "$SETS/$s"
	chown $O "$SETS/$s/net_xdp.bpf.o" "$SETS/$s/manifest.json"
done
write_policy --sets "$SETS"
expect_exit 0 rules
expect_match "4 files of owner uid $O" "$out"
chown 0 "$SETS/b/manifest.json"
expect_exit 1 rules
expect_match "artifact $SETS/b/manifest.json: owned by root" "$err"
