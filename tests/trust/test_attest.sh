#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 60
#
# Attestation end to end, through boostd and boostctl on a fresh swtpm: a
# quote made with a verifier's fresh nonce passes `boostctl attest verify`
# and tpm2_checkquote; a replayed nonce, a short nonce, a tampered, forged
# or shortened log, a flipped signature byte, another AK, the wrong PCR
# bank, an entry outside the golden digests and an artifact of a signer
# who is trusted to load but not golden are each refused with their reason,
# and the last one also makes boostd refuse data paths. Entries appended
# after a quote are fine. evmctl replays boostd's log against the TPM's
# sha1 and sha256 banks, and a fold computed here with openssl matches PCR
# 11 in every allocated bank. A non-golden artifact that is measured and
# then refused by its loader makes boostd refuse data paths at once.
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool evmctl tpm2_checkquote sha256sum
boostd_setup
A=$B/art LOG=$STATE/binary_runtime_measurements

# Two signers trusted to load; only "signer" is golden.
make_signer other
write_policy --signer "$B/keys/signer.crt" --signer "$B/keys/other.crt" \
	--golden "$B/keys/signer.crt" --artifact "$A/net.bpf.o:bpf"
boostd_start

load() {
	expect_exit 0 "$BOOSTCTL" trust load "$1"
}
cp /bin/true "$A/true" && sign "$A/true" && load "$A/true"
printf '{"devices": []}\n' >"$A/storage.json" && sign "$A/storage.json" && load "$A/storage.json"

# ---- a good quote ----------------------------------------------------------
nonce=$(openssl rand -hex 32)
expect_exit 0 "$BOOSTCTL" attest quote --nonce "$nonce" --out "$B/q1"
for f in ak.pub.pem quote.msg quote.sig quote.pcrs binary_runtime_measurements \
	ascii_runtime_measurements; do
	[ -s "$B/q1/$f" ] || fail "the quote directory has no $f"
done
cmp -s "$B/q1/binary_runtime_measurements" "$LOG" || fail "the quote's log is not boostd's"
pcr11_at_q1=$(pcr sha256)
q1_log_size=$(size_of "$LOG")

# The verifier enrolled the host's AK before (here: from this first quote).
AK=$B/enrolled-ak.pem
cp "$B/q1/ak.pub.pem" "$AK"
VERIFIER=$B/verifier.json
write_policy --signer "$B/keys/signer.crt" --ak "$AK" --out "$VERIFIER"

verify_ok() { # DIR NONCE [POLICY]: trusted, exit 0; JSON verdict in $v
	expect_exit 0 "$BOOSTCTL" attest verify --policy "${3:-$VERIFIER}" --nonce "$2" "$1"
	expect_match "^verdict: TRUSTED" "$out"
	expect_exit 0 "$BOOSTCTL" -j attest verify --policy "${3:-$VERIFIER}" --nonce "$2" "$1"
	v=$out
	[ "$(jq -r .trusted <<<"$v")" = true ] || fail "JSON verdict: $v"
}
verify_bad() { # DIR NONCE REASON [verify options]: not trusted, exit 1, with REASON
	local dir=$1 n=$2 why=$3
	shift 3
	[ $# -gt 0 ] || set -- --policy "$VERIFIER"
	expect_exit 1 "$BOOSTCTL" attest verify "$@" --nonce "$n" "$dir"
	expect_match "^verdict: NOT TRUSTED" "$out"
	expect_match "$why" "$out"
}

verify_ok "$B/q1" "$nonce"
[ "$(jq -r .entries <<<"$v")" = 3 ] || fail "expected 3 log entries: $v"
[ "$(jq -r .log_offset <<<"$v")" = "$q1_log_size" ] || fail "log_offset: $v"
# --ak overrides the policy's AK.
expect_exit 0 "$BOOSTCTL" attest verify --policy "$VERIFIER" --ak "$AK" --nonce "$nonce" "$B/q1"

checkquote() { # DIR NONCE
	tpm2_checkquote -u "$1/ak.pub.pem" -m "$1/quote.msg" -s "$1/quote.sig" \
		-f "$1/quote.pcrs" -g sha256 -q "$2"
}
expect_exit 0 checkquote "$B/q1" "$nonce"
expect_match "11: 0x$(tr a-f A-F <<<"$pcr11_at_q1")" "$out"

# ---- nonces ------------------------------------------------------------------
# The verifier's new challenge against an old quote: a replay.
nonce2=$(openssl rand -hex 32)
verify_bad "$B/q1" "$nonce2" "quote: quote.msg was made for another nonce"
expect_exit 1 checkquote "$B/q1" "$nonce2"
# Fewer than 16 bytes (128 bits): a usage error, on both sides.
short=$(openssl rand -hex 15)
expect_exit 2 "$BOOSTCTL" attest quote --nonce "$short" --out "$B/qshort"
expect_match "15 bytes is too short; at least 16" "$err"
[ ! -e "$B/qshort/quote.msg" ] || fail "a quote was made with a 15-byte nonce"
expect_exit 2 "$BOOSTCTL" attest verify --policy "$VERIFIER" --nonce "$short" "$B/q1"
expect_match "15 bytes is too short" "$err"
expect_exit 2 "$BOOSTCTL" attest quote --nonce "not-hex-$nonce" --out "$B/qshort"

# ---- the output directory ----------------------------------------------------
# Root writes a quote only into a directory it made, or one that root owns
# and nobody else may write, and never through a symbolic link: a user who
# owns DIR and plants DIR/ak.pub.pem -> /victim gets nothing overwritten.
echo precious >"$B/victim"
for how in owner world; do
	mkdir "$B/q-$how"
	[ $how = owner ] && chown 65534 "$B/q-$how" && chmod 0755 "$B/q-$how"
	[ $how = world ] && chmod 0777 "$B/q-$how"
	ln -s "$B/victim" "$B/q-$how/ak.pub.pem"
	expect_exit 1 "$BOOSTCTL" attest quote --nonce "$nonce" --out "$B/q-$how"
	expect_match "q-$how: must be owned by root and not writable by group or others" "$err"
	[ "$(cat "$B/victim")" = precious ] || fail "a quote into q-$how overwrote the victim"
	[ "$(ls -A "$B/q-$how")" = ak.pub.pem ] || fail "q-$how: files written: $(ls -A "$B/q-$how")"
done
mkdir -m 0755 "$B/q-root" && ln -s "$B/victim" "$B/q-root/quote.msg"
expect_exit 1 "$BOOSTCTL" attest quote --nonce "$nonce" --out "$B/q-root"
expect_match "q-root/quote.msg: Too many levels of symbolic links" "$err"
[ "$(cat "$B/victim")" = precious ] || fail "a quote wrote through a link in q-root"

# ---- the log -------------------------------------------------------------------
# log_walk LOG: per entry, "OFFSET PCR DATA-OFFSET DATA-LENGTH" in bytes
# (the kernel's binary format: le32 PCR, 20-byte SHA-1 template digest,
# le32 name length, name, le32 data length, data).
le32() { echo $((16#${1:6:2}${1:4:2}${1:2:2}${1:0:2})); }
log_walk() {
	local h off=0 nl dl
	h=$(hex "$1")
	while [ $off -lt $((${#h} / 2)) ]; do
		nl=$(le32 "${h:$(((off + 24) * 2)):8}")
		dl=$(le32 "${h:$(((off + 28 + nl) * 2)):8}")
		echo "$off $(le32 "${h:$((off * 2)):8}") $((off + 32 + nl)) $dl"
		off=$((off + 32 + nl + dl))
	done
}
# fold BANK LOG PCR: PCR's value after extending zeros with each entry's
# template data hashed in BANK, as boost and the kernel do.
fold() {
	local bank=$1 h v d off pcr doff dl
	h=$(hex "$2")
	v=$(printf '%0*d' "$(($(printf x | openssl dgst -"$bank" -binary | wc -c) * 2))" 0)
	while read -r off pcr doff dl; do
		[ "$pcr" = "$3" ] || continue
		d=$(unhex <<<"${h:$((doff * 2)):$((dl * 2))}" | openssl dgst -"$bank" -binary | hex)
		v=$(unhex <<<"$v$d" | openssl dgst -"$bank" -binary | hex)
	done < <(log_walk "$2")
	echo "$v"
}
entries() { log_walk "$1" | wc -l; }
[ "$(entries "$B/q1/binary_runtime_measurements")" = 3 ] || fail "log_walk: $(log_walk "$LOG")"
[ "$(fold sha256 "$B/q1/binary_runtime_measurements" 11)" = "$pcr11_at_q1" ] ||
	fail "the quote's log does not fold to the PCR"

# A flipped byte in the second entry's path.
cp -r "$B/q1" "$B/qflip"
read -r off _ doff _ < <(log_walk "$B/qflip/binary_runtime_measurements" | sed -n 2p)
flip_byte "$B/qflip/binary_runtime_measurements" $((doff + 4 + 40 + 4 + 5))
verify_bad "$B/qflip" "$nonce" "log: entry 2 at byte $off: template digest does not match"

# A consistent forgery: the first entry's file digest replaced by another
# file's, its SHA-1 template digest made to match. Each entry is well
# formed, and the log no longer replays to the quoted PCR.
cp -r "$B/q1" "$B/qforged"
f=$B/qforged/binary_runtime_measurements
read -r off _ doff dl < <(log_walk "$f" | sed -n 1p)
printf 'forged' | openssl dgst -sha256 -binary |
	dd of="$f" bs=1 seek=$((doff + 4 + 8)) conv=notrunc status=none
dd if="$f" bs=1 skip="$doff" count="$dl" status=none | openssl dgst -sha1 -binary |
	dd of="$f" bs=1 seek=$((off + 4)) conv=notrunc status=none
cmp -s "$f" "$B/q1/binary_runtime_measurements" && fail "the log was not forged"
verify_bad "$B/qforged" "$nonce" "log: no prefix of it replays to the quoted PCR 11"

# The last entry dropped (a load hidden), or cut in the middle.
cp -r "$B/q1" "$B/qdropped"
read -r off _ < <(log_walk "$B/q1/binary_runtime_measurements" | tail -n 1)
truncate -s "$off" "$B/qdropped/binary_runtime_measurements"
verify_bad "$B/qdropped" "$nonce" "log: no prefix of it replays"
truncate -s $((off + 30)) "$B/qdropped/binary_runtime_measurements"
verify_bad "$B/qdropped" "$nonce" "log: entry 3 at byte $off: "

# ---- the quote itself ------------------------------------------------------
cp -r "$B/q1" "$B/qsig"
flip_byte "$B/qsig/quote.sig" $(($(size_of "$B/qsig/quote.sig") - 1))
verify_bad "$B/qsig" "$nonce" "quote: quote.sig does not verify against the AK public key"
expect_exit 1 checkquote "$B/qsig" "$nonce"
# Another key as the AK (made by openssl), given with --ak or enrolled in
# the policy: refused. The ak.pub.pem that the quote directory carries is
# not what the verifier trusts: another key there changes nothing.
openssl ecparam -name prime256v1 -genkey -noout -out "$B/other-ak.key" &&
	openssl ec -in "$B/other-ak.key" -pubout -out "$B/other-ak.pem" 2>/dev/null ||
	fail "openssl cannot make a P-256 key"
verify_bad "$B/q1" "$nonce" "quote: quote.sig does not verify against the AK public key" \
	--policy "$VERIFIER" --ak "$B/other-ak.pem"
write_policy --signer "$B/keys/signer.crt" --ak "$B/other-ak.pem" --out "$B/verifier-other-ak.json"
verify_bad "$B/q1" "$nonce" "does not verify against the AK" --policy "$B/verifier-other-ak.json"
cp -r "$B/q1" "$B/qak" && cp "$B/other-ak.pem" "$B/qak/ak.pub.pem"
verify_ok "$B/qak" "$nonce"

# ---- golden digests ----------------------------------------------------------
# An allow-list with every artifact passes; without storage.json, refused
# naming that entry.
d_net=$(sha256sum <"$A/net.bpf.o" | cut -d' ' -f1)
d_true=$(sha256sum <"$A/true" | cut -d' ' -f1)
d_storage=$(sha256sum <"$A/storage.json" | cut -d' ' -f1)
write_policy --signer "$B/keys/signer.crt" --ak "$AK" --digest "$d_net" --digest "$d_true" \
	--digest "$d_storage" --out "$B/verifier-digests.json"
verify_ok "$B/q1" "$nonce" "$B/verifier-digests.json"
write_policy --signer "$B/keys/signer.crt" --ak "$AK" --digest "$d_net" --digest "$d_true" \
	--out "$B/verifier-digests.json"
verify_bad "$B/q1" "$nonce" "log entry 3 \\($A/storage.json\\): digest is not on the golden list" \
	--policy "$B/verifier-digests.json"

# ---- entries appended after a quote ------------------------------------------
# Another load after q1: q1 with today's longer log still verifies, at the
# prefix the quote covered.
cp "$A/true" "$A/true2" && sign "$A/true2" && load "$A/true2"
cp -r "$B/q1" "$B/qlonger" && cp "$LOG" "$B/qlonger/binary_runtime_measurements"
[ "$(size_of "$B/qlonger/binary_runtime_measurements")" -gt "$q1_log_size" ] ||
	fail "the log did not grow"
verify_ok "$B/qlonger" "$nonce"
[ "$(jq -r .entries <<<"$v")" = 3 ] || fail "the prefix is not the 3 quoted entries: $v"
[ "$(jq -r .log_offset <<<"$v")" = "$q1_log_size" ] || fail "log_offset: $v"

# ---- the log against every bank of the TPM -----------------------------------
# pcr_file BANK FILE: all 24 PCRs of BANK as evmctl reads them, "PCR-NN: hex".
pcr_file() {
	tpm2_pcrread "$1:all" | sed -n 's/^ *\([0-9]*\) *: *0x\([0-9A-Fa-f]*\)$/\1 \2/p' |
		while read -r i val; do printf 'PCR-%02d: %s\n' "$i" "$val"; done >"$2"
	[ "$(wc -l <"$2")" = 24 ] || fail "tpm2_pcrread $1:all did not give 24 PCRs"
}
pcr_file sha256 "$B/pcrs-sha256"
pcr_file sha1 "$B/pcrs-sha1"
expect_exit 0 evmctl ima_measurement --pcrs sha256,"$B/pcrs-sha256" "$LOG"
expect_match "Matched per TPM bank calculated digest" "$out$err"
expect_exit 0 evmctl ima_measurement --pcrs sha1,"$B/pcrs-sha1" "$LOG"
expect_exit 0 evmctl ima_measurement --pcrs sha1,"$B/pcrs-sha1" --pcrs sha256,"$B/pcrs-sha256" "$LOG"
# evmctl takes the hex in either case.
sed 's/: \(.*\)/: \L\1/' "$B/pcrs-sha256" >"$B/pcrs-sha256-lower"
expect_exit 0 evmctl ima_measurement --pcrs sha256,"$B/pcrs-sha256-lower" "$LOG"
# ... and checks the signatures in the entries.
openssl x509 -in "$B/keys/signer.crt" -outform DER -out "$B/keys/signer.der" ||
	fail "cannot convert the signer's certificate to DER"
expect_exit 0 evmctl -v ima_measurement --verify-sig -k "$B/keys/signer.der" \
	--pcrs sha256,"$B/pcrs-sha256" "$LOG"
expect_match "$A/true2: verification is OK" "$err"
# A flipped byte in the log: refused in both banks.
cp "$LOG" "$B/flipped.log"
read -r _ _ doff _ < <(log_walk "$B/flipped.log" | sed -n 3p)
flip_byte "$B/flipped.log" $((doff + 20))
expect_exit 1 evmctl ima_measurement --pcrs sha256,"$B/pcrs-sha256" "$B/flipped.log"
expect_exit 1 evmctl ima_measurement --pcrs sha1,"$B/pcrs-sha1" "$B/flipped.log"
# Every allocated bank holds the fold of the log in that bank's own hash:
# extending one bank's digest (or a zero-padded SHA-1) into the others
# would not match.
trust_json
banks=$(tjq '.banks | join(" ")')
[ "$banks" = "sha1 sha256 sha384 sha512" ] || fail "swtpm allocates sha1 to sha512, boostd says $banks"
for bank in $banks; do
	[ "$(pcr "$bank")" = "$(fold "$bank" "$LOG" 11)" ] ||
		fail "PCR 11 in the $bank bank is $(pcr "$bank"), the log folds to $(fold "$bank" "$LOG" 11)"
done

# ---- the wrong bank ----------------------------------------------------------
# A verifier fixes the bank it accepts. A host that quotes the sha1 bank
# (whose collisions are practical) does not pass a verifier that asks for
# sha256, although the quote is genuine; a sha1 verifier accepts it, which
# shows the sha1 bank replays too. And the PCR values of the sha1 quote
# next to the signed digest of the sha256 quote are refused.
boostd_stop
write_policy --signer "$B/keys/signer.crt" --signer "$B/keys/other.crt" \
	--golden "$B/keys/signer.crt" --artifact "$A/net.bpf.o:bpf" --bank sha1
boostd_start
nonce3=$(openssl rand -hex 32)
expect_exit 0 "$BOOSTCTL" attest quote --nonce "$nonce3" --out "$B/qsha1"
expect_match "\(sha1\)" "$out"
verify_bad "$B/qsha1" "$nonce3" "quote: does not cover PCR 11 in the sha256 bank"
write_policy --signer "$B/keys/signer.crt" --ak "$AK" --bank sha1 --out "$B/verifier-sha1.json"
verify_ok "$B/qsha1" "$nonce3" "$B/verifier-sha1.json"
verify_bad "$B/q1" "$nonce" "quote: does not cover PCR 11 in the sha1 bank" \
	--policy "$B/verifier-sha1.json"
cp -r "$B/q1" "$B/qswap" && cp "$B/qsha1/quote.pcrs" "$B/qswap/quote.pcrs"
verify_bad "$B/qswap" "$nonce" "quote: quote.pcrs holds other PCRs than the quote covers"

# ---- a signer trusted to load, but not golden --------------------------------
# It loads (the gate trusts it), and then the host no longer attests: boostd
# refuses data paths, and a verifier refuses its quotes, naming the entry.
expect_exit 0 "$BOOSTCTL" -j status
[ "$(jq -r .data_paths_allowed <<<"$out")" = true ] || fail "data paths refused: $out"
cp /bin/true "$A/by-other" && sign_with other "$A/by-other"
load "$A/by-other"
n_other=$(entries "$LOG")
expect_exit 0 "$BOOSTCTL" -j status
[ "$(jq -r .attested <<<"$out")" = false ] || fail "attested after a non-golden load: $out"
[ "$(jq -r .data_paths_allowed <<<"$out")" = false ] || fail "data paths allowed: $out"
expect_match "this host failed its own attestation: log entry $n_other \\($A/by-other\\): no trusted signer has the signature's key id \\(golden signers\\)" \
	"$(jq -r .data_paths_refused <<<"$out")"
expect_exit 0 "$BOOSTCTL" status
expect_match "data paths: +refused: this host failed its own attestation" "$out"
expect_exit 1 "$BOOSTCTL" attest self
expect_match "log entry $n_other \\($A/by-other\\): no trusted signer" "$out"
nonce4=$(openssl rand -hex 32)
expect_exit 0 "$BOOSTCTL" attest quote --nonce "$nonce4" --out "$B/qother"
verify_bad "$B/qother" "$nonce4" \
	"log entry $n_other \\($A/by-other\\): no trusted signer has the signature's key id \\(golden signers\\)" \
	--policy "$B/verifier-sha1.json"
boostd_stop

# ---- a non-golden artifact that the loader refuses -----------------------------
# After a reboot (a fresh PCR 11 and log), bytes signed by the non-golden
# signer pass the gate and are measured, and then libbpf refuses them. The
# host's measured state is now one that fails attestation, so boostd must
# say so at once, as after a successful load: not attested, data paths
# refused (not only after the next `attest self`).
swtpm_restart
boostd_start
expect_exit 0 "$BOOSTCTL" -j status
[ "$(jq -r .data_paths_allowed <<<"$out")" = true ] || fail "after a reboot: $out"
printf 'not a BPF object\n' >"$A/junk.bpf.o" && sign_with other "$A/junk.bpf.o"
expect_exit 1 "$BOOSTCTL" trust load "$A/junk.bpf.o"
expect_match "artifact $A/junk.bpf.o: not a BPF object" "$err"
n_junk=$(entries "$LOG")
tail -n 1 "$STATE/ascii_runtime_measurements" | grep -qF " $A/junk.bpf.o " ||
	fail "junk.bpf.o was not measured"
nonce5=$(openssl rand -hex 32)
expect_exit 0 "$BOOSTCTL" attest quote --nonce "$nonce5" --out "$B/qjunk"
verify_bad "$B/qjunk" "$nonce5" "log entry $n_junk \\($A/junk.bpf.o\\): no trusted signer" \
	--policy "$B/verifier-sha1.json"
expect_exit 0 "$BOOSTCTL" -j status
boostd_stop
[ "$(jq -r .attested <<<"$out")" = false ] && [ "$(jq -r .data_paths_allowed <<<"$out")" = false ] ||
	fail "boostd allows data paths with a measured non-golden artifact (its own quote fails): $out"
exit 0
