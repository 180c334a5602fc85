#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 600
# In the guest, through boostd on the guest's TPM: an encrypted remote
# disk, crypt:nbd: over nbdkit's file plugin on a Unix socket.
#  - boostd formats the export (its LUKS2 header at the export's start),
#    and the device passes fio's crc32c verify;
#  - a known pattern written to it is nowhere in the file nbdkit serves:
#    the server only ever sees ciphertext;
#  - the kernel reads the same volume from the same server (nbd-client,
#    then `cryptsetup open` with the recovery passphrase) and finds
#    boost's pattern; boost reads what dm-crypt wrote there;
#  - SIGKILL of its server under fio verify: boostd recovers it (the
#    header read from the server again, the key unsealed again), fio ends
#    without an error;
#  - nbdkit killed (SIGKILL, as the issue says: a server that goes away)
#    and started again under fio verify: IO is held, the data is intact.
#    Not SIGTERM: nbdkit's clean exit may answer a write in flight with an
#    error, which boost-ublk rightly passes on (fio saw EIO once, with two
#    guests running).
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio cryptsetup nbdkit nbd-client
[ -x "$BOOST_BUILD/boost-ublk" ] && [ -x "$BOOST_BUILD/boostd" ] || fail "run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
export DM_DISABLE_UDEV=1 # no udev in the guest: libdevmapper makes the nodes
M=$((1024 * 1024))
URI="nbd+unix:///?socket=$sock"
boostd_start

yes 'BOOST-REMOTE-PLAINTEXT-4b1e' | head -c $M >/tmp/pattern
yes 'KERNEL-REMOTE-DMCRYPT-90c3' | head -c $M >/tmp/pattern2

# The export: 16 MiB of header, 80 MiB of data.
truncate -s 96M /tmp/r.img
nbdkit_start -U "$sock" file /tmp/r.img
printf 'recovery words for the remote\n' >/tmp/pass
printf 'recovery words for the remote' >/tmp/pass.key
bctl_add "crypt:nbd:$URI" --queues 2 --recovery-passphrase-file /tmp/pass
[ "$(blockdev --getsize64 "$dev")" = $((80 * M)) ] || gfail "$dev: $(blockdev --getsize64 "$dev") bytes"
cryptsetup luksDump /tmp/r.img | grep -q boost-tpm2 || gfail "the export has no boost-tpm2 token"
fio_crc "$dev" 8
fio_crc_wait
echo "nbd: fio verify passed"

dd if=/tmp/pattern of="$dev" bs=1M seek=65 oflag=direct status=none || gfail "write to $dev"
dd if="$dev" bs=1M skip=65 count=1 iflag=direct status=none | cmp -s - /tmp/pattern ||
	gfail "the pattern does not read back"
! grep -q 'BOOST-REMOTE-PLAINTEXT' /tmp/r.img || gfail "plaintext on the server"
echo "nbd: the server holds no plaintext"

# The kernel's NBD client and dm-crypt on the same server's volume.
bctl storage del "$id" >/dev/null || gfail "storage del $id"
modprobe nbd nbds_max=1 || gfail "cannot load nbd"
nbd-client -unix "$sock" /dev/nbd0 -N "" -b 4096 >/dev/null 2>&1 || gfail "nbd-client failed"
cryptsetup open --key-file /tmp/pass.key /dev/nbd0 boostr || gfail "cryptsetup open /dev/nbd0 failed"
dd if=/dev/mapper/boostr bs=1M skip=65 count=1 iflag=direct status=none | cmp -s - /tmp/pattern ||
	gfail "dm-crypt over nbd does not read what boost wrote"
dd if=/tmp/pattern2 of=/dev/mapper/boostr bs=1M seek=67 oflag=direct status=none ||
	gfail "write through dm-crypt"
cryptsetup close boostr || gfail "cryptsetup close failed"
nbd-client -d /dev/nbd0 >/dev/null 2>&1 || gfail "nbd-client -d failed"
! grep -q 'KERNEL-REMOTE-DMCRYPT' /tmp/r.img || gfail "dm-crypt left plaintext on the server"
bctl_add "crypt:nbd:$URI" --queues 2
dd if="$dev" bs=1M skip=67 count=1 iflag=direct status=none | cmp -s - /tmp/pattern2 ||
	gfail "boost does not read what dm-crypt wrote"
echo "nbd: dm-crypt interop both ways"

# SIGKILL of the server under fio verify: recovered, with the key.
fio_crc "$dev" 10
sleep 4
bctl_kill_recovered "$id"
fio_crc_wait
echo "nbd: killed $p, recovered by $q"

# The server goes away and comes back under fio verify: held, then resumed.
fio_crc "$dev" 12
sleep 3
nbdkit_stop KILL
sleep 2
nbdkit_start -U "$sock" file /tmp/r.img
fio_crc_wait
dd if="$dev" bs=1M skip=67 count=1 iflag=direct status=none | cmp -s - /tmp/pattern2 ||
	gfail "data outside fio's range changed"
echo "nbd: the server restarted under IO, data intact"
bctl storage del "$id" >/dev/null || gfail "storage del $id"
boostd_stop
nbdkit_stop
ublk_assert_none
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
