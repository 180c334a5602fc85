#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# In the guest, through boostd on the guest's TPM: encrypted disks.
#  - an encrypted file disk (crypt:file, its LUKS2 header in the file, a
#    recovery passphrase) passes fio's crc32c verify; a known pattern
#    written to it is nowhere in the backing file;
#  - dm-crypt reads what boost wrote (`cryptsetup open` with the recovery
#    passphrase), and boost reads what dm-crypt wrote, on the same volume;
#  - SIGKILL of its server twice under fio verify: boostd recovers it
#    (the key unsealed again), fio ends without an error;
#  - an encrypted mem disk passes fio verify;
#  - boostd measures another artifact, so boost's PCR changes: the killed
#    server is not recovered (the device is failed, with the reason), and
#    `storage add` of the volume is refused with the reason; nothing serves.
# timeout: 600
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio cryptsetup
[ -x "$BOOST_BUILD/boost-ublk" ] && [ -x "$BOOST_BUILD/boostd" ] || fail "run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
# No udev in the guest: libdevmapper makes the nodes itself.
export DM_DISABLE_UDEV=1
M=$((1024 * 1024))
boostd_start

# A pattern no random data holds: 1 MiB of one marker line.
yes 'BOOST-PLAINTEXT-MARKER-2f9c' | head -c $M >/tmp/pattern
yes 'KERNEL-DMCRYPT-MARKER-77a1' | head -c $M >/tmp/pattern2

# An encrypted file disk: 16 MiB of header, 80 MiB of data (fio's jobs
# cover the first 64 MiB; the patterns go above).
truncate -s 96M /tmp/a.img
printf 'recovery words for the guest\n' >/tmp/pass
printf 'recovery words for the guest' >/tmp/pass.key # as cryptsetup reads a key file
bctl_add crypt:file:/tmp/a.img --queues 2 --recovery-passphrase-file /tmp/pass
[ "$(blockdev --getsize64 "$dev")" = $((80 * M)) ] || gfail "$dev: $(blockdev --getsize64 "$dev") bytes"
[ "$(blockdev --getss "$dev")" = 4096 ] || gfail "$dev: logical block $(blockdev --getss "$dev")"
cryptsetup luksDump /tmp/a.img | grep -q "boost-tpm2" || gfail "a.img: no boost-tpm2 token"
fio_crc "$dev" 8
fio_crc_wait
echo "file: fio verify passed"

# The pattern at 65 MiB: nowhere in the backing file, read back as written.
dd if=/tmp/pattern of="$dev" bs=1M seek=65 oflag=direct status=none || gfail "write to $dev"
dd if="$dev" bs=1M skip=65 count=1 iflag=direct status=none | cmp -s - /tmp/pattern ||
	gfail "the pattern does not read back"
sync
! grep -q 'BOOST-PLAINTEXT-MARKER' /tmp/a.img || gfail "plaintext in the backing file"
echo "file: no plaintext in the backing file"

# boost wrote, dm-crypt reads: the same bytes at the same place.
bctl storage del "$id" >/dev/null || gfail "storage del $id"
cryptsetup open --key-file /tmp/pass.key /tmp/a.img boostx ||
	gfail "cryptsetup open failed"
dd if=/dev/mapper/boostx bs=1M skip=65 count=1 iflag=direct status=none | cmp -s - /tmp/pattern ||
	gfail "dm-crypt does not read what boost wrote"
# dm-crypt writes, boost reads.
dd if=/tmp/pattern2 of=/dev/mapper/boostx bs=1M seek=67 oflag=direct status=none ||
	gfail "write through dm-crypt"
cryptsetup close boostx || gfail "cryptsetup close failed"
! grep -q 'KERNEL-DMCRYPT-MARKER' /tmp/a.img || gfail "dm-crypt left plaintext"
bctl_add crypt:file:/tmp/a.img --queues 2
dd if="$dev" bs=1M skip=67 count=1 iflag=direct status=none | cmp -s - /tmp/pattern2 ||
	gfail "boost does not read what dm-crypt wrote"
dd if="$dev" bs=1M skip=65 count=1 iflag=direct status=none | cmp -s - /tmp/pattern ||
	gfail "boost's own pattern changed"
echo "file: dm-crypt interop both ways"

# SIGKILL under fio verify: boostd recovers the server, with the key.
fio_crc "$dev" 14
for round in 1 2; do
	sleep 4
	bctl_kill_recovered "$id"
	echo "round $round: killed $p, recovered by $q"
done
fio_crc_wait
dd if="$dev" bs=1M skip=67 count=1 iflag=direct status=none | cmp -s - /tmp/pattern2 ||
	gfail "data outside fio's range changed across recoveries"
grep -q "device $id: recovered by a new server" /tmp/boostd.log || gfail "no recovery logged"
bctl storage del "$id" >/dev/null || gfail "storage del $id"
echo "file: kill -9 and recovery"

# An encrypted mem disk.
bctl_add crypt:mem:64M --queues 2
fio_crc "$dev" 8
fio_crc_wait
bctl storage del "$id" >/dev/null || gfail "storage del $id"
echo "mem: fio verify passed"

# boostd measures another artifact: boost's PCR changes. The file disk's
# server is killed: its recovery cannot unseal the key, the device fails.
bctl_add crypt:file:/tmp/a.img --queues 1
cp /bin/true /tmp/other && bctl trust sign --key "$BOOST_BUILD/keys/dev-signer.key" /tmp/other \
	>/dev/null || gfail "cannot sign"
bctl trust load /tmp/other >/dev/null || gfail "trust load failed"
p=$(bctl_server_of "$id")
kill -KILL "$p"
end=$((SECONDS + 60))
while [ $SECONDS -lt $end ]; do
	[ "$(bjq ".[] | select(.id == $id) | .state" storage list)" = failed ] && break
	sleep 0.2
done
st=$(bctl storage show "$id" 2>&1)
[[ $st == *"PCR 11 differs from the sealed state"* ]] || gfail "not failed for the PCR: $st"
pgrep -f "$UBLK_PROC" >/dev/null && gfail "a server runs: $(pgrep -af "$UBLK_PROC")"
bctl storage del "$id" >/dev/null 2>&1
"$UBLK" del "$id" 2>/dev/null
out=$(bctl storage add crypt:file:/tmp/a.img 2>&1) && gfail "add after the PCR changed: $out"
[[ $out == *"cannot unseal the volume's key: unseal: PCR 11 differs from the sealed state"* ]] ||
	gfail "add refused for another reason: $out"
[ "$(bjq length storage list)" = 0 ] || gfail "devices listed: $(bctl storage list)"
pgrep -f "$UBLK_PROC" >/dev/null && gfail "a server runs after a refused add"
echo "PCR changed: nothing unsealed, nothing served"
boostd_stop
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
