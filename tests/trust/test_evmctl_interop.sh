#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The trust chain's formats against the ordinary IMA tools: signatures made
# by evmctl verify with ctl/trust/trust_sig.c and the other way round (FILE.sig and
# the security.ima xattr); the measurement log of ctl/trust/trust_log.c, with
# entries on PCRs 11 and 12, replays with `evmctl ima_measurement` against
# PCR values computed twice: by trust_log's fold, and here from the
# template bytes with openssl dgst. A flipped byte or a forged entry fails
# everywhere.
# timeout: 60
. "$(dirname "$0")/../lib.sh"

require_tool evmctl openssl od
TRUSTFMT=$BOOST_BUILD/tests/trust-bin/trustfmt
[ -x "$TRUSTFMT" ] || fail "$TRUSTFMT is missing; run make first"

dir=$(mktemp -d /tmp/"$T"-trust.XXXXXX) || fail "cannot create a temporary directory"
on_exit rm -rf "$dir"
cd "$dir" || fail "cannot enter $dir"

hex() { od -An -v -tx1 "$@" | tr -d ' \n'; }
unhex() { printf "$(sed 's/../\\x&/g')"; }
flip_byte() { # FILE OFFSET: xor the byte at OFFSET with 1
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\x%02x' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
der() { openssl x509 -in "$1" -outform DER -out "${1%.*}.der" || fail "cannot convert $1 to DER"; }

# ---- keys: two made by openssl for evmctl, two by trust_sig ----------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out evm-rsa.key 2>/dev/null &&
	openssl req -new -x509 -key evm-rsa.key -out evm-rsa.crt -subj /CN=evm-rsa -days 2 &&
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out evm-ec.key &&
	openssl req -new -x509 -key evm-ec.key -out evm-ec.crt -subj /CN=evm-ec -days 2 ||
	fail "openssl cannot make keys"
"$TRUSTFMT" keygen boost-ec.key boost-ec.crt "boost ec" || fail "trustfmt keygen (ec) failed"
"$TRUSTFMT" keygen boost-rsa.key boost-rsa.crt "boost rsa" rsa3072 ||
	fail "trustfmt keygen (rsa3072) failed"
for c in evm-rsa evm-ec boost-ec boost-rsa; do der $c.crt; done
[ "$(stat -c %a boost-ec.key)" = 600 ] || fail "boost-ec.key is not mode 0600"
ALL=evm-rsa.crt,evm-ec.crt,boost-ec.crt,boost-rsa.der

# ---- evmctl signs, trust_sig verifies ---------------------------------------
for k in evm-rsa evm-ec; do
	head -c 5000 /dev/urandom >art-$k
	evmctl ima_sign --sigfile -a sha256 -k $k.key art-$k >/dev/null 2>&1 ||
		fail "evmctl ima_sign with $k failed"
	[ "$(hex -N1 art-$k.sig)" = 03 ] || fail "evmctl's $k signature does not start with 0x03"
	# The key id in evmctl's header is the one trust_sig computes.
	expect_exit 0 "$TRUSTFMT" keyid $k.crt
	kid=$out
	[ "$(hex -j3 -N4 art-$k.sig)" = "$kid" ] ||
		fail "key id of $k: evmctl wrote $(hex -j3 -N4 art-$k.sig), trust_sig says $kid"
	# (evmctl prints it without leading zeros)
	evmctl -v ima_verify --sigfile -k $k.der art-$k 2>&1 |
		grep -q "key 1: $(printf '%x' $((16#$kid))) $k.der" ||
		fail "evmctl does not compute key id $kid for $k.der"
	expect_exit 0 "$TRUSTFMT" verify "$ALL" art-$k
	expect_match "signed by CN=$k" "$out"
	expect_exit 0 "$TRUSTFMT" verify "${k}.der" art-$k
	# A flipped byte of the signature: both refuse.
	cp art-$k bad-$k && cp art-$k.sig bad-$k.sig
	flip_byte bad-$k.sig $(($(stat -c %s bad-$k.sig) - 2))
	expect_exit 1 "$TRUSTFMT" verify "$ALL" bad-$k
	expect_match "artifact bad-$k: signature does not verify against any trusted signer" "$err"
	expect_exit 1 evmctl ima_verify --sigfile -k $k.der bad-$k
	# Signed by a key not trusted.
	expect_exit 1 "$TRUSTFMT" verify boost-ec.crt art-$k
	expect_match "no trusted signer has the signature's key id \\(key id $kid\\)" "$err"
done

# ---- trust_sig signs, evmctl verifies ---------------------------------------
for k in boost-ec boost-rsa; do
	head -c 7000 /dev/urandom >art-$k
	expect_exit 0 "$TRUSTFMT" sign $k.key art-$k
	expect_exit 0 evmctl ima_verify --sigfile -k $k.der art-$k
	expect_match "art-$k: verification is OK" "$out$err"
	expect_exit 0 "$TRUSTFMT" verify "$ALL" art-$k
	cp art-$k bad-$k && cp art-$k.sig bad-$k.sig
	flip_byte bad-$k.sig 20
	expect_exit 1 evmctl ima_verify --sigfile -k $k.der bad-$k
	expect_exit 1 "$TRUSTFMT" verify "$ALL" bad-$k
	# The artifact changed, the signature not.
	cp art-$k.sig bad2-$k.sig && { cat art-$k; echo x; } >bad2-$k
	expect_exit 1 evmctl ima_verify --sigfile -k $k.der bad2-$k
	expect_exit 1 "$TRUSTFMT" verify "$ALL" bad2-$k
done

# RSA PKCS#1 v1.5 is deterministic: evmctl and trust_sig write the same bytes.
cp art-boost-rsa same-rsa
evmctl ima_sign --sigfile -a sha256 -k boost-rsa.key same-rsa >/dev/null 2>&1 ||
	fail "evmctl cannot sign with trust_sig's RSA key"
cmp -s same-rsa.sig art-boost-rsa.sig ||
	fail "evmctl's and trust_sig's RSA signatures of the same file differ"

# The same signature in the security.ima xattr instead of FILE.sig.
cp art-boost-ec xattr-art
if setfattr -n security.ima -v "0x$(hex art-boost-ec.sig)" xattr-art 2>/dev/null; then
	expect_exit 0 evmctl ima_verify -k boost-ec.der xattr-art
	expect_exit 0 "$TRUSTFMT" verify "$ALL" xattr-art
	expect_match "signed by CN=boost ec" "$out"
	printf x >>xattr-art
	expect_exit 1 evmctl ima_verify -k boost-ec.der xattr-art
	expect_exit 1 "$TRUSTFMT" verify "$ALL" xattr-art
else
	echo "note: security.ima cannot be set in $dir; the xattr case is left out"
fi
expect_exit 1 "$TRUSTFMT" verify "$ALL" evm-rsa.crt
expect_match "no signature" "$err"

# ---- the measurement log ----------------------------------------------------
# The template data of an entry, built here from the kernel's layout:
# le32 length + "sha256:\0" + digest | le32 length + path\0 | le32 length + sig.
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24)); }
template_hex() { # PATH
	local sig=""
	[ -f "$1.sig" ] && sig=$(hex "$1.sig")
	printf '%s%s%s%s%s%s%s' "$(le32 40)" "$(printf 'sha256:' | hex)00" \
		"$(openssl dgst -sha256 -binary "$1" | hex)" \
		"$(le32 $((${#1} + 1)))" "$(printf '%s' "$1" | hex)00" \
		"$(le32 $((${#sig} / 2)))" "$sig"
}
extend() { # BANK PCR-HEX PATH: the PCR after extending it with PATH's entry
	local d
	d=$(template_hex "$3" | unhex | openssl dgst -"$1" -binary | hex)
	printf '%s%s' "$2" "$d" | unhex | openssl dgst -"$1" -binary | hex
}
pcr_file() { # BANK FILE PCR=HEX...: all 24 lines, zero but the ones given
	local bank=$1 file=$2 i v a zero
	shift 2
	zero=$(printf '%0*d' $([ "$bank" = sha1 ] && echo 40 || echo 64) 0)
	: >"$file"
	for ((i = 0; i < 24; i++)); do
		v=$zero
		for a in "$@"; do [ "${a%%=*}" = "$i" ] && v=${a#*=}; done
		printf 'PCR-%02d: %s\n' "$i" "$v" >>"$file"
	done
}

a1=$dir/art-boost-ec a2=$dir/art-evm-rsa a3=$dir/unsigned a4=$dir/art-boost-rsa
echo "not signed" >"$a3"
for e in "11 $a1" "12 $a3" "11 $a2" "11 $a3"; do
	set -- $e
	expect_exit 0 "$TRUSTFMT" log-append bin.log ascii.log "$1" "$2"
done
expect_exit 0 "$TRUSTFMT" parse bin.log
expect_match "4 entries" "$out"

for bank in sha256 sha1; do
	zero=$(printf '%0*d' $([ $bank = sha1 ] && echo 40 || echo 64) 0)
	p11=$zero
	for a in "$a1" "$a2" "$a3"; do p11=$(extend $bank "$p11" "$a"); done
	p12=$(extend $bank "$zero" "$a3")
	expect_exit 0 "$TRUSTFMT" fold bin.log 11 $bank
	[ "$out" = "$p11" ] || fail "$bank PCR 11: trust_log folds to $out, openssl to $p11"
	expect_exit 0 "$TRUSTFMT" fold bin.log 12 $bank
	[ "$out" = "$p12" ] || fail "$bank PCR 12: trust_log folds to $out, openssl to $p12"
	pcr_file $bank pcrs-$bank 11="$p11" 12="$p12"
	eval "p11_$bank=$p11"
done

# evmctl replays both banks, and checks the signatures in the entries.
expect_exit 0 evmctl ima_measurement --pcrs sha256,pcrs-sha256 bin.log
expect_match "Matched per TPM bank" "$out$err"
expect_exit 0 evmctl ima_measurement --pcrs sha1,pcrs-sha1 bin.log
expect_exit 0 evmctl ima_measurement --pcrs sha1,pcrs-sha1 --pcrs sha256,pcrs-sha256 bin.log
expect_exit 0 evmctl -v ima_measurement --verify-sig -k boost-ec.der,evm-rsa.der \
	--pcrs sha256,pcrs-sha256 bin.log
expect_match "$a1: verification is OK" "$err"
expect_match "$a2: verification is OK" "$err"

# The ASCII log is what evmctl prints for each binary entry (evmctl leaves
# out the trailing space the kernel prints for an empty sig field).
diff <(sed 's/ $//' ascii.log) <(evmctl -v ima_measurement --pcrs sha256,pcrs-sha256 bin.log 2>&1 |
	grep -E '^1[12] ') >/dev/null || fail "ascii.log differs from evmctl's reading of bin.log"

# A wrong PCR value: no match.
pcr_file sha256 wrong 11="$(printf '%064d' 1)" 12="$p12"
expect_exit 1 evmctl ima_measurement --pcrs sha256,wrong bin.log

# Entries appended after the quote: both still accept, at the prefix.
expect_exit 0 "$TRUSTFMT" log-append bin.log ascii.log 11 "$a4"
expect_exit 0 evmctl ima_measurement --pcrs sha256,pcrs-sha256 bin.log
expect_exit 0 "$TRUSTFMT" replay bin.log 11 sha256 "$p11_sha256"
[ "$out" = "4 entries, $(($(stat -c %s bin.log) - $(template_hex "$a4" | wc -c) / 2 - 39)) bytes" ] ||
	fail "replay stopped at '$out', not after the fourth entry"
expect_exit 0 "$TRUSTFMT" replay bin.log 11 sha1 "$p11_sha1"
expect_match "^4 entries" "$out"

# A flipped byte in the first entry's path: evmctl and trust_log refuse.
cp bin.log flipped.log
flip_byte flipped.log $((39 + 4 + 40 + 4 + 3))
expect_exit 1 evmctl ima_measurement --pcrs sha256,pcrs-sha256 flipped.log
expect_exit 1 "$TRUSTFMT" replay flipped.log 11 sha256 "$p11_sha256"
expect_match "entry 1 at byte 0: template digest does not match" "$err"

# A consistent forgery: another file at a1's path, the rest the same.
mv "$a1" "$a1.orig" && printf 'evil' >"$a1"
expect_exit 0 "$TRUSTFMT" log-append forged.log forged-ascii.log 11 "$a1"
mv "$a1.orig" "$a1"
for a in "12 $a3" "11 $a2" "11 $a3"; do
	set -- $a
	expect_exit 0 "$TRUSTFMT" log-append forged.log forged-ascii.log "$1" "$2"
done
expect_exit 1 evmctl ima_measurement --pcrs sha256,pcrs-sha256 forged.log
expect_exit 1 evmctl ima_measurement --pcrs sha1,pcrs-sha1 forged.log
expect_exit 1 "$TRUSTFMT" replay forged.log 11 sha256 "$p11_sha256"
expect_match "no prefix replays" "$err"

# Garbage is refused cleanly.
head -c 100 bin.log >cut.log
expect_exit 1 "$TRUSTFMT" parse cut.log
expect_match "entry 1 at byte 0: template data runs past the end of the log" "$err"
echo "all interop checks passed"
