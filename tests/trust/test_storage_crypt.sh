#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# Encrypted disks on boostd's side, on the host with a fresh swtpm and a
# boost-ublk that serves no device (tests/trust/fake_ublk.c, which writes
# the key message it got to /tmp/boost-fake-ublk-key-ID): `storage add
# crypt:file:...` formats a zeroed backing file as a LUKS2 volume that
# cryptsetup describes (aes-xts-plain64, 512-bit key, 4096-byte sectors,
# a boost-tpm2 token, the recovery keyslot), and the key boost-ublk gets
# is the volume key cryptsetup gives for the recovery passphrase; the next
# add unseals the same key from the header. A detached header, a mem
# device's header in the state directory (gone with the device). After
# boostd measures another artifact the key does not unseal: `storage add`
# says why and no server starts. A damaged, cut, foreign or non-boost
# header, and a backing file with data, are refused with a clear error.
# The data path is the guest's (tests/vm/test_storage_crypt.sh).
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool cryptsetup pgrep
boostd_setup
cp "$BOOST_BUILD/tests/trust-bin/fake_ublk" "$B/art/boost-ublk"
sign "$B/art/boost-ublk"
write_policy --artifact "$B/art/boost-ublk:exec"
on_exit "pkill -KILL -f '^boost-ublk (add|recover)'"
on_exit "rm -f /tmp/boost-fake-ublk-key-*"
rm -f /tmp/boost-fake-ublk-key-*
D=$B/disks
mkdir "$D"
boostd_start

vk_of() { # VOLUME PASSFILE [--header H]: the volume key, as cryptsetup dumps it
	cryptsetup luksDump --dump-volume-key --batch-mode --key-file "$2" "${@:3}" "$1" |
		sed -n '/^MK dump:/,$p' | sed 's/^MK dump://' | tr -d ' \t\n' | tr 'A-F' 'a-f'
}

# A new, zeroed backing file: formatted, with a recovery keyslot.
truncate -s 64M "$D/a.img"
printf 'correct horse battery staple\n' >"$D/pass"
expect_exit 0 "$BOOSTCTL" storage add crypt:file:"$D/a.img" --id 1 \
	--recovery-passphrase-file "$D/pass"
grep -q "formatted as a LUKS2 volume (header $D/a.img), with a recovery keyslot" "$BOOSTD_LOG" ||
	fail "boostd did not log the format"
dump=$(cryptsetup luksDump "$D/a.img") || fail "cryptsetup cannot read the header"
expect_match "Version:[[:space:]]+2" "$dump"
expect_match "cipher: aes-xts-plain64" "$dump"
expect_match "sector: 4096 \[bytes\]" "$dump"
expect_match "0: boost-tpm2" "$dump"
expect_match "Key:[[:space:]]+512 bits" "$dump"
[ "$(grep -c ': luks2$' <<<"$dump")" = 2 ] || fail "not two keyslots: $dump"
msg=$(fake_ublk_keymsg 1)
[ "${msg:0:16}" = "$(printf BOOSTKEY | hex)" ] || fail "not a key message: $msg"
[ "$(le "${msg:24:8}")" = 4096 ] || fail "sector size $(le "${msg:24:8}")"
[ "$(le "${msg:32:16}")" = $((16 << 20)) ] || fail "data offset $(le "${msg:32:16}")"
vk=$(vk_of "$D/a.img" <(printf 'correct horse battery staple'))
[ ${#vk} = 128 ] || fail "cryptsetup's volume key: '$vk'"
[ "${msg:64:128}" = "$vk" ] || fail "boost-ublk got a key that is not the volume's"
# Neither the key nor the passphrase is in boostd's log or its state.
! grep -rqi "${vk:0:32}" "$BOOSTD_LOG" "$STATE" || fail "the volume key is in the log or the state"
! grep -rq "correct horse" "$BOOSTD_LOG" "$STATE" || fail "the recovery passphrase leaked"
"$BOOSTCTL" -j storage list | jq -e '.[0].backend == "file:'"$D/a.img"'"' >/dev/null ||
	fail "the device is not listed: $("$BOOSTCTL" -j storage list)"
"$BOOSTCTL" -j storage show 1 | jq -e '.crypt == {"format": "LUKS2", "cipher": "aes-xts-plain64",
	"header": "'"$D/a.img"'"}' >/dev/null || fail "show: $("$BOOSTCTL" -j storage show 1)"
expect_exit 0 "$BOOSTCTL" storage show 1
expect_match "encrypted: LUKS2 aes-xts-plain64, header $D/a.img" "$out"
jq -e '.devices[0].device.crypt == {"recovery_passphrase_file": "'"$D/pass"'"}' \
	"$STATE/storage.json" >/dev/null || fail "the state has no crypt: $(cat "$STATE/storage.json")"

# The same volume again: its key unsealed from the header's token.
expect_exit 0 "$BOOSTCTL" storage del 1
rm -f /tmp/boost-fake-ublk-key-1
expect_exit 0 "$BOOSTCTL" storage add file:"$D/a.img" --crypt --id 1
[ "$(fake_ublk_keymsg 1 | cut -c65-192)" = "$vk" ] || fail "a second add got another key"
grep -c "formatted as a LUKS2" "$BOOSTD_LOG" | grep -qx 1 || fail "the volume was formatted again"
expect_exit 0 "$BOOSTCTL" storage del 1

# A detached header: made beside, the backing file stays zero.
truncate -s 32M "$D/b.img"
expect_exit 0 "$BOOSTCTL" storage add file:"$D/b.img" --crypt-header "$D/b.hdr" --id 2
[ -s "$D/b.hdr" ] || fail "no detached header"
[ "$(stat -c %a "$D/b.hdr")" = 600 ] || fail "the detached header is not mode 0600"
[ -z "$(tr -d '\0' <"$D/b.img" | head -c 1)" ] || fail "the backing file was written"
msg=$(fake_ublk_keymsg 2)
[ "$(le "${msg:32:16}")" = 0 ] || fail "a detached header's data offset $(le "${msg:32:16}")"
expect_exit 0 "$BOOSTCTL" storage del 2

# mem: a detached header in the state directory, gone with the device.
expect_exit 0 "$BOOSTCTL" storage add crypt:mem:64M --id 3
ls "$STATE"/storage-crypt/*.luks2 >/dev/null 2>&1 || fail "no header for the mem device"
cryptsetup luksDump "$STATE"/storage-crypt/*.luks2 | grep -q "boost-tpm2" ||
	fail "the mem device's header has no token"
[ "$(le "$(fake_ublk_keymsg 3 | cut -c33-48)")" = 0 ] || fail "mem's data offset is not 0"
expect_exit 0 "$BOOSTCTL" storage del 3
! ls "$STATE"/storage-crypt/*.luks2 >/dev/null 2>&1 || fail "the mem device's header stayed"

# Refusals, each with its reason, and no server started.
# A backing file with data and no header: never formatted.
head -c 1M /dev/urandom >"$D/data.img"
truncate -s 64M "$D/data.img"
fake_ublk_refused "holds data but no LUKS2 header" crypt:file:"$D/data.img"
# Cut: the first 8 KiB of a header only.
head -c 8192 "$D/a.img" >"$D/cut.img"
fake_ublk_refused "LUKS2 header $D/cut.img: cannot be read: damaged, truncated or not LUKS2" \
	crypt:file:"$D/cut.img"
# Damaged: both copies of the header's JSON overwritten.
cp "$D/a.img" "$D/bad.img"
printf 'XXXXXXXXXXXXXXXX' | dd of="$D/bad.img" bs=1 seek=4096 conv=notrunc status=none
printf 'XXXXXXXXXXXXXXXX' | dd of="$D/bad.img" bs=1 seek=$((16384 + 4096)) conv=notrunc status=none
fake_ublk_refused "cannot be read: damaged, truncated or not LUKS2" crypt:file:"$D/bad.img"
# A LUKS2 volume boostd did not format: no token.
truncate -s 64M "$D/foreign.img"
printf 'other' >"$D/other.pass"
cryptsetup luksFormat --type luks2 --batch-mode --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
	--key-file "$D/other.pass" "$D/foreign.img" || fail "cryptsetup luksFormat failed"
fake_ublk_refused "no usable boost-tpm2 token .*: not a volume boostd formatted" crypt:file:"$D/foreign.img"
# Another cipher.
truncate -s 64M "$D/cbc.img"
cryptsetup luksFormat --type luks2 --batch-mode --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
	--cipher aes-cbc-essiv:sha256 --key-size 256 --key-file "$D/other.pass" "$D/cbc.img" ||
	fail "cryptsetup luksFormat failed"
fake_ublk_refused "cipher aes-cbc-essiv:sha256 with a 256-bit key: boost runs aes-xts-plain64" \
	crypt:file:"$D/cbc.img"
# A missing recovery passphrase file: nothing formatted.
truncate -s 64M "$D/c.img"
fake_ublk_refused "recovery passphrase file $D/nope: No such file" crypt:file:"$D/c.img" \
	--recovery-passphrase-file "$D/nope"
[ -z "$(head -c 4096 "$D/c.img" | tr -d '\0' | head -c 1)" ] || fail "c.img was written"

# boostd measures another artifact: boost's PCR changes, the host still
# attests, and the key sealed before does not unseal. Nothing is served.
cp /bin/true "$B/art/true" && sign "$B/art/true"
expect_exit 0 "$BOOSTCTL" trust load "$B/art/true"
rm -f /tmp/boost-fake-ublk-key-1
fake_ublk_refused "storage add: encryption: cannot unseal the volume's key: unseal: PCR 11 differs from the sealed state" \
	crypt:file:"$D/a.img" --id 1
[ ! -e /tmp/boost-fake-ublk-key-1 ] || fail "a key went out after the PCR changed"
# A new volume, sealed to the PCR as it is now, works.
truncate -s 64M "$D/d.img"
expect_exit 0 "$BOOSTCTL" storage add crypt:file:"$D/d.img" --id 4
expect_exit 0 "$BOOSTCTL" storage del 4
# Another tool extends the PCR: the host fails its attestation and unseals nothing.
tpm2_pcrextend "11:sha256=$(printf '%064d' 7)" || fail "tpm2_pcrextend failed"
expect_exit 1 "$BOOSTCTL" attest self
fake_ublk_refused "failed its own attestation" crypt:file:"$D/d.img" --id 4
boostd_stop
exit 0
