#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 180
#
# The trust gate end to end, through boostd and boostctl on a fresh swtpm:
# signed artifacts of each kind load (the status shows the sha256 that
# sha256sum computes, and the signer), also when evmctl made the signature
# or it sits in security.ima. Every way of getting unsigned bytes in is
# refused with its reason and exit status 1, and leaves nothing behind: not
# listed, `measured` and `tpm_commands` unchanged, `refused` one more, PCR 11
# unchanged in every bank, the measurement logs not one byte longer, and a
# path loaded before keeps its previous, good bytes. boostd logs each
# refusal. A policy's artifacts are loaded through the gate at start. A
# trust policy naming PCR 16 leaves the trust chain down, and every load
# refused. Signed bytes that the loader refuses (not a BPF object) are
# measured but not kept, with a reason; a document is not an artifact.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool evmctl sha256sum mkfifo
boostd_setup
A=$B/art

# A second trusted signer, made by openssl (RSA) rather than boostctl, for
# evmctl's signatures; and a signer nobody trusts.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$B/keys/evm.key" -out "$B/keys/evm.crt" \
	-subj /CN=evm-rsa -days 2 2>/dev/null || fail "openssl cannot make an RSA key"
make_signer rogue
write_policy --signer "$B/keys/signer.crt" --signer "$B/keys/evm.crt" \
	--artifact "$A/net.bpf.o:bpf"
boostd_start

# PCR 11 of every bank boost extends, on one line, into $p11.
pcrs11() {
	p11=$(tpm2_pcrread sha1:11+sha256:11+sha384:11+sha512:11 | tr -d ' \n')
	[[ $p11 =~ ^sha1:11:0x[0-9A-F]{40}sha256:11:0x[0-9A-F]{64}sha384:11:0x[0-9A-F]{96}sha512:11:0x[0-9A-F]{128}$ ]] ||
		fail "tpm2_pcrread of PCR 11 in 4 banks: $p11"
}
# The sizes of both logs, into $logs.
logs_size() {
	logs="$(size_of "$STATE/binary_runtime_measurements") $(size_of "$STATE/ascii_runtime_measurements")"
	[[ $logs =~ ^[0-9]+\ [0-9]+$ ]] || fail "no measurement logs in $STATE"
}
# What boostd holds open: memfds (one per artifact), BPF programs and maps.
held() {
	held=$(ls -l "/proc/$BOOSTD_PID/fd" | grep -c 'memfd:\|bpf-prog\|bpf-map')
	held="$held $(ls -l "/proc/$BOOSTD_PID/fd" | grep -c 'bpf-prog')"
	return 0 # grep -c exits 1 when it counts none
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
# PATH: its entries in the status, [] if it is not listed
entry() { jq -c --arg p "$1" '[.artifacts[] | select(.path == $p)]' <<<"$ts"; }

# The policy's artifact was measured and loaded at start.
trust_json
[ "$(tjq .up)" = true ] || fail "trust chain down: $ts"
[ "$(tjq .measured)" = 1 ] && [ "$(tjq .refused)" = 0 ] || fail "start: $ts"
[ "$(tjq .log)" = "$STATE/binary_runtime_measurements" ] || fail "log path: $ts"

# ---- good loads ----------------------------------------------------------
# load_ok PATH KIND SIGNER [boostctl trust load options]: it loads; PCR 11
# changes and both logs grow by one entry, whose ASCII line names the file's
# sha256, its path and its signature; the status lists it once with its
# sha256, size, kind and signer. $SIG_HEX is the signature when there is no
# PATH.sig.
load_ok() {
	local path=$1 kind=$2 signer=$3 p0 l0 m0 e sig
	shift 3
	trust_json
	m0=$(tjq .measured)
	pcrs11 && p0=$p11
	logs_size && l0=$logs
	expect_exit 0 "$BOOSTCTL" trust load "$@" "$path"
	expect_match "loaded \(verified and measured\)" "$out"
	trust_json
	[ "$(tjq .measured)" = $((m0 + 1)) ] || fail "$path: measured did not grow: $ts"
	pcrs11
	[ "$p11" != "$p0" ] || fail "$path: loaded, and PCR 11 did not change"
	logs_size
	[ "$logs" != "$l0" ] || fail "$path: loaded, and the log did not grow"
	sig=${SIG_HEX:-$(hex "$path.sig")}
	tail -n 1 "$STATE/ascii_runtime_measurements" |
		grep -qxE "11 [0-9a-f]{40} ima-sig sha256:$(sha_of "$path") $path $sig" ||
		fail "$path: the log's last line is $(tail -n 1 "$STATE/ascii_runtime_measurements")"
	e=$(entry "$path")
	[ "$(jq length <<<"$e")" = 1 ] || fail "$path: listed $(jq length <<<"$e") times: $ts"
	[ "$(jq -r '.[0].sha256' <<<"$e")" = "$(sha_of "$path")" ] ||
		fail "$path: status sha256 $(jq -r '.[0].sha256' <<<"$e"), sha256sum $(sha_of "$path")"
	[ "$(jq -r '.[0].size' <<<"$e")" = "$(size_of "$path")" ] || fail "$path: size: $e"
	[ "$(jq -r '.[0].kind' <<<"$e")" = "$kind" ] || fail "$path: kind is not $kind: $e"
	[ "$(jq -r '.[0].signer' <<<"$e")" = "$signer" ] || fail "$path: signer is not $signer: $e"
	loaded+=("$path")
}
loaded=("$A/net.bpf.o")

# A BPF object, loaded into the kernel from the verified bytes: boostd
# holds one more BPF program. Loading it again replaces it: still listed
# once, and the program it replaced is gone.
held && held0=$held
cp "$A/net.bpf.o" "$A/good.bpf.o"
sign "$A/good.bpf.o"
load_ok "$A/good.bpf.o" bpf "CN=boost test signer"
held && held1=$held
# One more memfd and no BPF program: the net object loads it at attach.
[ "${held1%% *}" = $((${held0%% *} + 1)) ] || fail "no new memfd in boostd: $held0, then $held1"
[ "${held1#* }" = "${held0#* }" ] || fail "a BPF program was loaded before attach: $held0, then $held1"
load_ok "$A/good.bpf.o" bpf "CN=boost test signer"
held
[ "$held" = "$held1" ] || fail "reloading good.bpf.o: boostd held $held1, now $held"

# Kinds are bpf and exec: a document is not an artifact (apply sends it).
printf '{"ports": [{"name": "vm1", "mac": "02:00:00:00:00:01"}]}\n' >"$A/net.json"
sign "$A/net.json"
expect_exit 2 "$BOOSTCTL" trust load --kind policy "$A/net.json"
expect_match "KIND" "$err"
# An executable.
cp /bin/true "$A/true"
sign "$A/true"
load_ok "$A/true" exec "CN=boost test signer"
# What boostd keeps of an executable is a sealed memfd of the verified
# bytes: it cannot be written, and a change of the file does not reach it.
memfd=$(ls -l "/proc/$BOOSTD_PID/fd" | sed -n 's|.* \([0-9]*\) -> /memfd:true (deleted)$|\1|p')
[ -n "$memfd" ] || fail "boostd holds no memfd of true: $(ls -l "/proc/$BOOSTD_PID/fd")"
memfd=/proc/$BOOSTD_PID/fd/$memfd
[ "$(sha_of "$memfd")" = "$(sha_of "$A/true")" ] || fail "the memfd does not hold true's bytes"
(printf x >>"$memfd") 2>/dev/null && fail "the memfd of true can be written"
printf x >>"$A/true"
[ "$(sha_of "$memfd")" = "$(sha_of /bin/true)" ] || fail "a change of true reached its memfd"
cp /bin/true "$A/true"
# A relative path is loaded as the absolute one.
(cd "$A" && "$BOOSTCTL" trust load true >/dev/null) || fail "loading a relative path failed"
trust_json
[ "$(entry "$A/true" | jq length)" = 1 ] || fail "true (relative) is not listed once: $ts"
# --kind overrides the kind guessed from the name.
cp "$A/true" "$A/true.bpf.o" && cp "$A/true.sig" "$A/true.bpf.o.sig"
load_ok "$A/true.bpf.o" exec "CN=boost test signer" --kind exec

# evmctl's signatures: with the RSA signer openssl made, and with the key
# boostctl made; and boostctl's signature checks with evmctl.
openssl x509 -in "$B/keys/signer.crt" -outform DER -out "$B/keys/signer.der" ||
	fail "cannot convert the signer's certificate to DER"
for k in evm signer; do
	cp /bin/true "$A/evm-$k"
	evmctl ima_sign --sigfile -a sha256 -k "$B/keys/$k.key" "$A/evm-$k" >/dev/null 2>&1 ||
		fail "evmctl ima_sign with $k.key failed"
done
load_ok "$A/evm-evm" exec "CN=evm-rsa"
load_ok "$A/evm-signer" exec "CN=boost test signer"
expect_exit 0 evmctl ima_verify --sigfile -k "$B/keys/signer.der" "$A/good.bpf.o"

# The signature in the security.ima xattr instead of FILE.sig.
cp /bin/true "$A/xattr"
sign "$A/xattr"
if setfattr -n security.ima -v "0x$(od -An -v -tx1 "$A/xattr.sig" | tr -d ' \n')" \
	"$A/xattr" 2>/dev/null; then
	SIG_HEX=$(hex "$A/xattr.sig")
	rm "$A/xattr.sig"
	load_ok "$A/xattr" exec "CN=boost test signer"
	SIG_HEX=
else
	echo "note: security.ima cannot be set in $A; the xattr case is left out"
fi

# ---- refusals --------------------------------------------------------------
# refused PATH REASON [options]: exit status 1 with "artifact PATH: ...REASON"
# and nothing changed but the refused count: the artifacts listed (so a
# path loaded before keeps its previous bytes), measured, TPM commands (a
# status may cost some: as many as the status before), PCR 11 in every
# bank, the logs, what boostd holds. boostd logs the refusal.
refused() {
	local path=$1 why=$2 p0 l0 h0 arts0 m0 r0 c0 c1 n0
	shift 2
	n0=$(grep -cF "refused artifact $path: " "$BOOSTD_LOG")
	trust_json
	c0=$(tjq .tpm_commands)
	trust_json
	m0=$(tjq .measured) r0=$(tjq .refused) c1=$(tjq .tpm_commands) arts0=$(tjq -c .artifacts)
	pcrs11 && p0=$p11
	logs_size && l0=$logs
	held && h0=$held
	expect_exit 1 "$BOOSTCTL" trust load "$@" "$path"
	expect_match "^boostctl: artifact $path: .*$why" "$err"
	[ -z "$out" ] || fail "$path: a refused load printed: $out"
	trust_json
	[ "$(tjq .refused)" = $((r0 + 1)) ] || fail "$path: refused did not count: $ts"
	[ "$(tjq .measured)" = "$m0" ] || fail "$path: measured changed: $ts"
	[ "$(tjq .tpm_commands)" = $((2 * c1 - c0)) ] || fail "$path: a refusal sent TPM commands: $ts"
	[ "$(tjq -c .artifacts)" = "$arts0" ] || fail "$path: the artifacts changed: $ts"
	pcrs11
	[ "$p11" = "$p0" ] || fail "$path: refused, and PCR 11 changed"
	logs_size
	[ "$logs" = "$l0" ] || fail "$path: refused, and the log grew"
	held
	[ "$held" = "$h0" ] || fail "$path: refused, and boostd held $h0, now $held"
	# The same sentence in boostd's log, once more.
	[ "$(grep -cF "refused artifact $path: " "$BOOSTD_LOG")" = $((n0 + 1)) ] &&
		grep -qxF "boostd: warning: refused ${err#boostctl: }" "$BOOSTD_LOG" ||
		fail "boostd did not log refusing $path: $(tail -n 3 "$BOOSTD_LOG")"
	nrefused=$((nrefused + 1))
}
nrefused=0
not_listed() {
	trust_json
	[ "$(entry "$1")" = "[]" ] || fail "$1 is listed: $ts"
}

# A flipped byte after signing.
cp "$A/net.bpf.o" "$A/flipped.bpf.o"
sign "$A/flipped.bpf.o"
flip_byte "$A/flipped.bpf.o" 1000
refused "$A/flipped.bpf.o" "signature does not verify against any trusted signer"
not_listed "$A/flipped.bpf.o"

# Truncated after signing.
cp "$A/net.bpf.o" "$A/short.bpf.o"
sign "$A/short.bpf.o"
truncate -s $(($(size_of "$A/short.bpf.o") - 100)) "$A/short.bpf.o"
refused "$A/short.bpf.o" "signature does not verify against any trusted signer"
not_listed "$A/short.bpf.o"

# Signed by a key the policy does not trust, by boostctl and by evmctl.
cp "$A/net.bpf.o" "$A/rogue.bpf.o"
sign_with rogue "$A/rogue.bpf.o"
refused "$A/rogue.bpf.o" "no trusted signer has the signature's key id"
not_listed "$A/rogue.bpf.o"
cp /bin/true "$A/rogue-evm"
evmctl ima_sign --sigfile -a sha256 -k "$B/keys/rogue.key" "$A/rogue-evm" >/dev/null 2>&1 ||
	fail "evmctl ima_sign with rogue.key failed"
refused "$A/rogue-evm" "no trusted signer"

# No signature at all.
cp "$A/net.bpf.o" "$A/nosig.bpf.o"
refused "$A/nosig.bpf.o" "no signature"
not_listed "$A/nosig.bpf.o"

# A symbolic link to a good signed file, with that file's signature next to
# it: following it would verify, and it is refused for being a link.
ln -s "$A/good.bpf.o" "$A/link.bpf.o"
cp "$A/good.bpf.o.sig" "$A/link.bpf.o.sig"
refused "$A/link.bpf.o" "symbolic link"
not_listed "$A/link.bpf.o"

# The signature of another file.
cp /bin/true "$A/other"
cp "$A/good.bpf.o.sig" "$A/other.sig"
refused "$A/other" "signature does not verify against any trusted signer"
not_listed "$A/other"

# No file, a directory, a FIFO (must not hang), an empty signed file.
refused "$A/missing.bpf.o" "No such file or directory"
mkdir "$A/dir.bpf.o"
refused "$A/dir.bpf.o" "not a regular file"
mkfifo "$A/fifo"
refused "$A/fifo" "not a regular file"
: >"$A/empty"
sign "$A/empty"
refused "$A/empty" "size 0 is not in"
not_listed "$A/empty"

# A failed load of a path keeps what was loaded from it before: good.bpf.o
# turns into other bytes (its old signature kept), then into a link.
trust_json
before=$(entry "$A/good.bpf.o")
[ "$(jq -r '.[0].sha256' <<<"$before")" = "$(sha_of "$A/good.bpf.o")" ] || fail "good.bpf.o: $ts"
cp "$A/good.bpf.o" "$A/good.bpf.o.orig"
flip_byte "$A/good.bpf.o" 2000
refused "$A/good.bpf.o" "signature does not verify"
[ "$(entry "$A/good.bpf.o")" = "$before" ] || fail "good.bpf.o: previous state lost: $ts"
[ "$(jq -r '.[0].sha256' <<<"$before")" != "$(sha_of "$A/good.bpf.o")" ] ||
	fail "good.bpf.o did not change"
rm "$A/good.bpf.o" && ln -s "$A/good.bpf.o.orig" "$A/good.bpf.o"
refused "$A/good.bpf.o" "symbolic link"
[ "$(entry "$A/good.bpf.o")" = "$before" ] || fail "good.bpf.o: previous state lost: $ts"

# Everything loaded is what the status lists, and the refusals were counted.
# boostd holds one memfd per artifact, and its state directory nothing but
# the logs (no quote of its self-attestation left behind).
trust_json
held
[ "${held%% *}" -ge "$(tjq '.artifacts | length')" ] || fail "boostd holds $held for $ts"
# (An executable superseded by a load of its path is kept, for a storage
# upgrade's rollback, and listed.)
[ "$(ls -l "/proc/$BOOSTD_PID/fd" | grep -c memfd:)" = "$(tjq '(.artifacts + .superseded) | length')" ] ||
	fail "boostd holds other memfds than its artifacts: $(ls -l "/proc/$BOOSTD_PID/fd")"
[ "$(tjq '[.superseded[].kind] | unique | join(" ")')" = exec ] ||
	fail "superseded: $(tjq -c .superseded)"
[ "$(ls "$STATE" | xargs)" = "ascii_runtime_measurements binary_runtime_measurements" ] ||
	fail "left in $STATE: $(ls "$STATE")"
[ "$(tjq '[.artifacts[].path] | sort | join(" ")')" = "$(printf '%s\n' "${loaded[@]}" | sort -u | xargs)" ] ||
	fail "the status lists other artifacts than those loaded (${loaded[*]}): $ts"
[ "$(tjq .refused)" = "$nrefused" ] || fail "expected $nrefused refusals: $ts"
boostd_stop

# ---- the policy's artifacts at start ---------------------------------------
# boostd restarted (the same TPM, PCR 11 as it was) with a policy whose
# artifacts are one good and two bad: the good one loads, the bad ones are
# refused and logged, the trust chain is up, and the log still replays.
write_policy --signer "$B/keys/signer.crt" --signer "$B/keys/evm.crt" \
	--artifact "$A/net.bpf.o:bpf" --artifact "$A/flipped.bpf.o:bpf" --artifact "$A/link.bpf.o:bpf"
boostd_start
trust_json
[ "$(tjq -c '[.artifacts[].path]')" = "[\"$A/net.bpf.o\"]" ] || fail "after a restart: $ts"
[ "$(tjq .measured) $(tjq .refused)" = "1 2" ] || fail "after a restart: $ts"
boostd_log | grep -qF "refused artifact $A/flipped.bpf.o: signature does not verify" &&
	boostd_log | grep -qF "refused artifact $A/link.bpf.o: is a symbolic link" ||
	fail "boostd did not log the refusals at start"
expect_exit 0 "$BOOSTCTL" attest self
boostd_stop

# ---- a trust policy naming PCR 16 ------------------------------------------
# boostd runs, with the trust chain down and the reason; every load and
# every data path is refused, and PCR 16 stays untouched.
write_policy --pcr 16 --artifact "$A/net.bpf.o:bpf"
boostd_start
expect_exit 0 "$BOOSTCTL" -j trust status
[ "$(jq -r .up <<<"$out")" = false ] || fail "trust chain up with PCR 16: $out"
expect_match "field 'pcr': PCR 16" "$(jq -r .error <<<"$out")"
expect_exit 0 "$BOOSTCTL" trust status
expect_match "trust chain: down: .*field 'pcr'" "$out"
expect_exit 0 "$BOOSTCTL" -j status
[ "$(jq -r .data_paths_allowed <<<"$out")" = false ] || fail "data paths allowed: $out"
expect_match "trust chain unavailable: .*field 'pcr'" "$(jq -r .data_paths_refused <<<"$out")"
expect_exit 1 "$BOOSTCTL" trust load "$A/evm-signer"
expect_match "trust chain unavailable: .*field 'pcr'" "$err"
expect_exit 1 "$BOOSTCTL" trust seal --out "$B/blob" <<<"secret"
expect_match "trust chain unavailable" "$err"
[ "$(pcr sha256 16)" = "$(printf '%064d' 0)" ] || fail "PCR 16 was extended"
boostd_log | grep -q "error: trust policy $POLICY: field 'pcr'" || fail "boostd did not log why its trust chain is down"
boostd_stop
# The verifier refuses such a policy too, and PCR 23 likewise.
write_policy --pcr 23 --out "$B/pcr23.json"
mkdir "$B/q"
expect_exit 1 "$BOOSTCTL" attest verify --policy "$B/pcr23.json" --nonce "$(openssl rand -hex 32)" \
	--ak "$B/keys/signer.crt" "$B/q"
expect_match "field 'pcr': PCR 23" "$err"

# ---- signed bytes that the loader refuses ----------------------------------
# They pass the gate, so they are measured (measure before load), but they
# are not loaded, a path loaded before keeps its previous bytes, the
# reason is a sentence, and the log still replays. Checks of messages and
# strictness that fail are collected in $later and reported at the end,
# so that one does not hide the others.
later=()
write_policy --signer "$B/keys/signer.crt" --signer "$B/keys/evm.crt" --artifact "$A/net.bpf.o:bpf"
boostd_start
printf 'not an ELF file\n' >"$A/junk.bpf.o"
sign "$A/junk.bpf.o"
expect_exit 1 "$BOOSTCTL" trust load "$A/junk.bpf.o"
expect_match "^boostctl: artifact $A/junk.bpf.o: not a BPF object libbpf can open" "$err"
not_listed "$A/junk.bpf.o"
# libbpf's own error numbers (4000 and up) decoded with libbpf_strerror(),
# not strerror(): "Unknown error 4001" is no reason.
[[ $err != *"Unknown error"* ]] || later+=("libbpf's error is not decoded: $err")

# A path loaded before keeps its previous bytes when its new ones are refused.
cp "$A/net.bpf.o" "$A/kept.bpf.o" && sign "$A/kept.bpf.o"
load_ok "$A/kept.bpf.o" bpf "CN=boost test signer"
trust_json
before=$(entry "$A/kept.bpf.o")
printf 'not an ELF file either\n' >"$A/kept.bpf.o"
sign "$A/kept.bpf.o"
expect_exit 1 "$BOOSTCTL" trust load "$A/kept.bpf.o"
expect_match "^boostctl: artifact $A/kept.bpf.o: not a BPF object libbpf can open" "$err"
trust_json
[ "$(entry "$A/kept.bpf.o")" = "$before" ] || fail "kept.bpf.o: previous state lost: $ts"
expect_exit 0 "$BOOSTCTL" attest self
expect_match "verdict: TRUSTED" "$out"
boostd_stop
[ ${#later[@]} -eq 0 ] || fail "$(printf '%s\n' "${later[@]}")"
exit 0
