#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest, whose kernel has IMA: with the rules of `boostctl attest
# ima-rules --appraise` in the kernel's policy, the kernel measures boost's
# artifacts into its own log and PCR 10 when boostd reads them (template
# ima-sig: each entry carries the artifact's signature), the log still
# replays to PCR 10 (evmctl, and boostd's own replay), the digests are the
# ones `attest keylime-policy` lists, and the kernel enforces the
# signatures: a changed artifact cannot even be opened (its entry in the
# log, made before the kernel refused it, carries its own digest). The artifacts live
# on an ext4 of the guest's (9p has no security.ima), owned by a uid of
# their own, their signatures in security.ima only, which boostd reads
# when there is no FILE.sig: one signature for boost and the kernel.
# timeout: 300
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm jq keyctl setfattr xxd evmctl
VM=$BOOST_TOP/scripts/vm
[ -x "$BOOST_BUILD/boostd" ] || fail "no $BOOST_BUILD/boostd: run make"

dir=$(mktemp -d)
on_exit rm -rf "$dir"
cat >"$dir/guest.sh" <<GUEST
set -u
B=$BOOST_BUILD dir=$dir O=4243 ima=/sys/kernel/security/ima
export BOOST_SOCKET=/tmp/boostd.sock BOOST_TCTI=device:/dev/tpmrm0
mkfs.ext4 -q /dev/ram0 && mkdir -p /mnt/boost && mount /dev/ram0 /mnt/boost || exit 1
A=/mnt/boost/art
mkdir \$A
# Every artifact of the development policy: the BPF objects and the servers,
# and in a sanitizers' build (make SANITIZE=1) the closures of its dynamic ones.
for f in \$(jq -r '.artifacts[].path' "\$B/trust-dev.json"); do
	cp "\$f" \$A/
	setfattr -n security.ima -v "0x\$(xxd -p "\$f.sig" | tr -d '\n')" "\$A/\${f##*/}" || exit 1
	echo "\$A/\${f##*/}"
done >\$dir/copied
cp \$A/net_xdp.bpf.o \$A/changed.bpf.o
printf X | dd of=\$A/changed.bpf.o bs=1 seek=4000 conv=notrunc 2>/dev/null
setfattr -n security.ima -v "0x\$(xxd -p "\$B/bpf/net_xdp.bpf.o.sig" | tr -d '\n')" \$A/changed.bpf.o
chown \$O \$A/*
jq --arg a \$A '.artifacts |= map(.path |= (\$a + "/" + (split("/") | last)))' \
	"\$B/trust-dev.json" >/mnt/boost/trust.json
"\$B/boostctl" attest ima-rules --appraise --policy /mnt/boost/trust.json --out \$dir/rules
echo "rules \$?"
# The kernel takes one policy: the project's guest policy, then boost's rules.
{ grep -v '^#' "$BOOST_TOP/scripts/vm.d/ima-policy"; cat \$dir/rules; } >\$ima/policy
echo "policy \$?"
openssl x509 -in "\$B/keys/dev-signer.crt" -outform DER -out /tmp/signer.der
keyctl newring _ima @u >/dev/null && keyctl padd asymmetric "" %keyring:_ima </tmp/signer.der >/dev/null
echo "key \$?"
cat \$A/changed.bpf.o >/dev/null 2>\$dir/changed.err
echo "changed \$?"
printf '{"socket": "/tmp/boostd.sock", "state_dir": "/tmp/boost", "trust_policy": "/mnt/boost/trust.json"}\n' >/tmp/boostd.json
"\$B/boostd" --foreground --config /tmp/boostd.json 2>\$dir/boostd.log &
for i in \$(seq 100); do [ -S /tmp/boostd.sock ] && break; sleep 0.1; done
"\$B/boostctl" -j trust status >\$dir/status.json
echo "status \$?"
"\$B/boostctl" attest keylime-policy --policy /mnt/boost/trust.json --out \$dir/runtime.json >/dev/null
echo "keylime \$?"
kill %1
wait
evmctl --version >/dev/null
for ((i = 0; i < 24; i++)); do
	read -r v <"/sys/class/tpm/tpm0/pcr-sha256/\$i"
	printf 'PCR-%02d: %s\n' "\$i" "\$v"
done >/tmp/pcrs
evmctl ima_measurement --pcrs sha256,/tmp/pcrs \$ima/binary_runtime_measurements >\$dir/replay 2>&1
echo "replay \$?"
grep " \$A/" \$ima/ascii_runtime_measurements >\$dir/measured
sha256sum \$(cat \$dir/copied) >\$dir/sums
GUEST
expect_exit 0 "$VM" --ima-policy none --rw "$dir" -- bash "$dir/guest.sh"
for step in rules policy key status keylime replay; do
	grep -qx "$step 0" <<<"$out" || fail "in the guest, $step failed: $out
$(cat "$dir/boostd.log" "$dir/replay" 2>/dev/null)"
done
A=/mnt/boost/art

# The kernel enforces the signatures: the changed copy is not opened.
grep -qx 'changed 1' <<<"$out" || fail "the kernel let a changed artifact be read: $out"
expect_match "Permission denied" "$(cat "$dir/changed.err")"

# boostd verified and measured the artifacts from their security.ima, and
# its replay of the kernel's log still holds.
s=$(cat "$dir/status.json")
arts=$(jq '.artifacts | length' "$BOOST_BUILD/trust-dev.json")
[ "$(jq -r .measured <<<"$s")" -ge "$arts" ] || fail "boostd measured too little ($arts artifacts): $s"
[ "$(jq -r .kernel_ima.replays <<<"$s")" = true ] || fail "the kernel's log does not replay: $s"
[ "$(jq -r .attestation.trusted <<<"$s")" = true ] || fail "the guest host did not attest: $s"

# Each artifact once in the kernel's log, with its digest and its
# signature: the same digests as Keylime's runtime policy.
while read -r sum path; do
	n=$(grep -c " ima-sig sha256:$sum $path 0302" "$dir/measured")
	[ "$n" = 1 ] || fail "$path: $n ima-sig entries with its digest in the kernel's log: $(cat "$dir/measured")"
	jq -e --arg p "$path" --arg s "$sum" '.digests[$p] == [$s]' "$dir/runtime.json" >/dev/null ||
		fail "$path: Keylime's runtime policy lists another digest: $(cat "$dir/runtime.json")"
done <"$dir/sums"
[ "$(wc -l <"$dir/sums")" = "$arts" ] || fail "sha256sum, $arts artifacts: $(cat "$dir/sums")"
# The kernel measures before it appraises: the refused, changed copy is in
# the log too, with its own digest, which no policy lists.
changed=$(sha256sum <"$BOOST_BUILD/bpf/net_xdp.bpf.o" | cut -d' ' -f1)
grep -q " ima-sig sha256:[0-9a-f]\{64\} $A/changed.bpf.o " "$dir/measured" &&
	! grep -q " ima-sig sha256:$changed $A/changed.bpf.o " "$dir/measured" ||
	fail "the changed artifact's entry: $(cat "$dir/measured")"
exit 0
