#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 120
#
# Encrypted remote disks on boostd's side (crypt:nbd:URI), on the host
# with a fresh swtpm, nbdkit's file plugin on a Unix socket, and a
# boost-ublk that serves no device (tests/trust/fake_ublk.c): boostd
# reads the export's start through libnbd and formats a zeroed export as
# a LUKS2 volume whose header is at the export's start (cryptsetup
# describes the file nbdkit serves), the key boost-ublk gets is the
# volume key cryptsetup gives for the recovery passphrase, and the next
# add unseals the same key from the header on the server. A detached
# header leaves the export untouched. An export with data and no header,
# one too small for a header and data, a server that is not there and a
# refused export name are each refused with the reason, nothing served,
# nothing written. A server that never finishes its handshake keeps the
# add waiting, not boostd: it answers status meanwhile. The data path is the guest's
# (tests/vm/test_storage_crypt_nbd.sh).
. "$(dirname "$0")/../lib.sh"
. "$BOOST_TOP/tests/trust/boostd.sh"
require_tool cryptsetup pgrep nbdkit
boostd_setup
cp "$BOOST_BUILD/tests/trust-bin/fake_ublk" "$B/art/boost-ublk"
sign "$B/art/boost-ublk"
write_policy --artifact "$B/art/boost-ublk:exec"
on_exit "pkill -KILL -f '^boost-ublk (add|recover)'"
on_exit "rm -f /tmp/boost-fake-ublk-key-*"
rm -f /tmp/boost-fake-ublk-key-*
D=$B/disks
mkdir "$D"
n=0

serve() { # PLUGIN ARGS...: nbdkit on a new socket $S ($URI), until the next serve or the end
	[ -s "$D/nbdkit.pid" ] && kill "$(cat "$D/nbdkit.pid")" 2>/dev/null
	rm -f "$D/nbdkit.pid"
	n=$((n + 1)) S=$D/nbd.$n.sock
	URI="nbd+unix:///?socket=$S"
	nbdkit -P "$D/nbdkit.pid" -U "$S" "$@" || fail "nbdkit $* did not start"
}
on_exit '[ -s "$D/nbdkit.pid" ] && kill "$(cat "$D/nbdkit.pid")"'
boostd_start

ere() { sed 's/[][\\.*^$?+(){}|]/\\&/g' <<<"$1"; } # TEXT: a regex that matches it
zero_start() { [ -z "$(head -c "${2:-4096}" "$1" | tr -d '\0' | head -c 1)" ]; }

# A zeroed export: formatted through the server, the header at its start.
truncate -s 64M "$D/r.img"
serve file "$D/r.img"
printf 'correct horse battery staple\n' >"$D/pass"
expect_exit 0 "$BOOSTCTL" storage add "crypt:nbd:$URI" --id 1 --recovery-passphrase-file "$D/pass"
grep -q "formatted as a LUKS2 volume (header nbd:$URI), with a recovery keyslot" "$BOOSTD_LOG" ||
	fail "boostd did not log the format"
dump=$(cryptsetup luksDump "$D/r.img") || fail "cryptsetup cannot read the export's header"
expect_match "cipher: aes-xts-plain64" "$dump"
expect_match "sector: 4096 \[bytes\]" "$dump"
expect_match "0: boost-tpm2" "$dump"
msg=$(fake_ublk_keymsg 1)
[ "$(le "${msg:32:16}")" = $((16 << 20)) ] || fail "data offset $(le "${msg:32:16}")"
vk=$(cryptsetup luksDump --dump-volume-key --batch-mode --key-file \
	<(printf 'correct horse battery staple') "$D/r.img" | sed -n '/^MK dump:/,$p' |
	sed 's/^MK dump://' | tr -d ' \t\n' | tr 'A-F' 'a-f')
[ ${#vk} = 128 ] || fail "cryptsetup's volume key: '$vk'"
[ "${msg:64:128}" = "$vk" ] || fail "boost-ublk got a key that is not the volume's"
"$BOOSTCTL" -j storage show 1 | jq -e '.crypt.header == "nbd:'"$URI"'"' >/dev/null ||
	fail "show: $("$BOOSTCTL" -j storage show 1)"

# Again: the key unsealed from the header the server holds, nothing rewritten.
expect_exit 0 "$BOOSTCTL" storage del 1
sum=$(head -c $((16 << 20)) "$D/r.img" | sha256sum)
rm -f /tmp/boost-fake-ublk-key-1
expect_exit 0 "$BOOSTCTL" storage add "nbd:$URI" --crypt --id 1
[ "$(fake_ublk_keymsg 1 | cut -c65-192)" = "$vk" ] || fail "a second add got another key"
grep -c "formatted as a LUKS2" "$BOOSTD_LOG" | grep -qx 1 || fail "the volume was formatted again"
[ "$(head -c $((16 << 20)) "$D/r.img" | sha256sum)" = "$sum" ] || fail "the header changed"
expect_exit 0 "$BOOSTCTL" storage del 1

# A detached header for a remote: made beside, the export stays zero.
truncate -s 32M "$D/b.img"
serve file "$D/b.img"
expect_exit 0 "$BOOSTCTL" storage add "nbd:$URI" --crypt-header "$D/b.hdr" --id 2
cryptsetup luksDump "$D/b.hdr" | grep -q boost-tpm2 || fail "no detached header"
zero_start "$D/b.img" $((32 << 20)) || fail "the export was written"
[ "$(le "$(fake_ublk_keymsg 2 | cut -c33-48)")" = 0 ] || fail "a detached header's data offset"
expect_exit 0 "$BOOSTCTL" storage del 2

# An export with data and no header: never formatted.
head -c 1M /dev/urandom >"$D/data.img"
truncate -s 64M "$D/data.img"
sum=$(sha256sum <"$D/data.img")
serve file "$D/data.img"
fake_ublk_refused "$(ere "nbd:$URI"): holds data but no LUKS2 header" "crypt:nbd:$URI"
[ "$(sha256sum <"$D/data.img")" = "$sum" ] || fail "data.img was written"
# Too small for a header and data: nothing written.
truncate -s 8M "$D/small.img"
serve file "$D/small.img"
fake_ublk_refused "$(ere "nbd:$URI"): the export .* has no room for data after its 16777216-byte LUKS2 header" \
	"crypt:nbd:$URI"
zero_start "$D/small.img" $((8 << 20)) || fail "small.img was written"
# A server that refuses the export name, and one that is not there.
serve --filter=exportname memory 64M exportname=good exportname-strict=true default-export=good
fake_ublk_refused "$(ere "nbd:nbd+unix:///nope?socket=$S"): the server refused" "crypt:nbd:nbd+unix:///nope?socket=$S"
fake_ublk_refused "$(ere "nbd:nbd+unix:///?socket=$D/none.sock"): cannot connect" \
	"crypt:nbd:nbd+unix:///?socket=$D/none.sock"
# A server that accepts and never greets: the handshake waits on a thread
# of its own, boostd's loop answers meanwhile, and the add ends in the
# reason once the handshake's time is up.
python3 - "$D/mute.sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
held = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(end - time.time())
    try:
        held.append(s.accept()[0])
    except OSError:
        break
PY
mute=$!
on_exit "kill $mute 2>/dev/null"
wait_until test -S "$D/mute.sock" || fail "the mute server did not start"
"$BOOSTCTL" storage add "crypt:nbd:nbd+unix:///?socket=$D/mute.sock" --id 9 >"$D/add.out" 2>&1 &
add=$!
wait_until eval '[ "$("$BOOSTCTL" -j storage list | jq -r ".[0].state")" = starting ]' ||
	fail "the add is not listed as starting: $("$BOOSTCTL" -j storage list)"
expect_exit 0 "$BOOSTCTL" status
kill -0 "$add" 2>/dev/null || fail "the add ended before boostd answered status: $(cat "$D/add.out")"
wait "$add" && fail "an add whose server never greets succeeded"
expect_match "did not finish the handshake in 10 s" "$(cat "$D/add.out")"
[ "$("$BOOSTCTL" -j storage list | jq length)" = 0 ] || fail "the refused device is listed"
boostd_stop
exit 0
