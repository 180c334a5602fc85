#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 600
# In the guest, on its TPM: boostd serves Ceph RBD images (a real cluster
# on the host, tests/ceph_cluster.sh, through a tap device). With the
# development policy that lists boost-ublk-rbd and its signed closure
# (build/trust-dev-rbd.json), `boostctl storage add rbd:...` starts
# boost-ublk-rbd from the verified bytes, each shared library checked and
# measured (the attestation passes by the golden closure); fio crc32c verify;
# the server killed under fio is recovered by boostd, 0 errors. Encrypted
# (crypt:rbd: with a detached header): fio verify through the device, and
# the image holds no plaintext (`rbd export`); the same with a writeback
# cache before the image (crypt:cache:...,rbd:): no plaintext in the cache
# file either, and what a FLUSH made durable reads back through a new,
# empty cache. A bad spec and a missing image are refused,
# nothing left.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../ceph_cluster.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio rbd jq
[ -x "$BOOST_BUILD/boost-ublk-rbd" ] && [ -f "$BOOST_BUILD/trust-dev-rbd.json" ] || fail "run make"
jq -e '.artifacts[] | select(.kind == "closure")' "$BOOST_BUILD/trust-dev-rbd.json" >/dev/null ||
	fail "$BOOST_BUILD/trust-dev-rbd.json lists no closure"

ceph_start_tap rbdd
rbd_cmd create --size 128M rbd/plain || fail "rbd create rbd/plain failed"
rbd_cmd create --size 64M rbd/secret || fail "rbd create rbd/secret failed"

export BOOST_RBD_CONF="conf=$CEPH_CONF_FILE,keyring=$CEPH_KEYRING_FILE"
export BOOST_CEPH_CONF=$CEPH_CONF_FILE BOOST_CEPH_KEYRING=$CEPH_KEYRING_FILE
export BOOST_TRUST_POLICY=$BOOST_BUILD/trust-dev-rbd.json
guest_run --timeout 500 --netns "$CEPH_NS" --tap tap0,192.0.2.2/24 <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
UBLK=$BOOST_BUILD/boost-ublk-rbd
UBLK_PROC='^boost-ublk-rbd (add|recover|del)'
rbd() {
	timeout 300 /usr/bin/rbd -c "$BOOST_CEPH_CONF" -k "$BOOST_CEPH_KEYRING" --id admin "$@"
}
none_left() {
	[ "$(bjq length storage list)" = "${1:-0}" ] || gfail "devices listed: $(bctl storage list)"
	pgrep -f "$UBLK_PROC" >/dev/null && [ "${1:-0}" = 0 ] && gfail "a server is left"
	return 0
}

boostd_start
# Every dynamic server's closure: boost-ublk-rbd's, and in a sanitizer build
# (make SANITIZE=1) boost-ublk's and boost-xsk's too.
n=$(cat "$BOOST_BUILD"/*.libs | jq -s 'map(.libraries | length) | add')
# boostd's own attestation at its start replayed them all.
out=$(bctl -j trust status) || gfail "trust status failed: $out"
jq -r '.attestation.reasons[]' <<<"$out" |
	grep -qF "$n shared libraries of dynamic servers, each listed by a golden closure" ||
	gfail "the attestation does not account for the closure's $n libraries: $out"
bctl attest self >/dev/null || gfail "attest self failed"

# Refused: a spec boostd's parser rejects, and an image the cluster lacks.
bctl storage add "rbd:rbd/../x,$BOOST_RBD_CONF" >/tmp/out 2>/tmp/err && gfail "a bad spec was added"
grep -q "backend rbd:rbd/../x" /tmp/err || gfail "bad spec: $(cat /tmp/err)"
bctl storage add "rbd:rbd/nosuch,$BOOST_RBD_CONF" >/tmp/out 2>/tmp/err && gfail "a missing image was added"
grep -q "nosuch" /tmp/err || gfail "missing image: $(cat /tmp/err)"
none_left
echo "refused: $(tail -n 1 /tmp/err)"

# A plain image: the verified server, fio verify, a kill recovered under fio.
bctl_add "rbd:rbd/plain,$BOOST_RBD_CONF" --queues 2 --depth 32
p=$(bctl_server_of "$id")
[[ $(readlink /proc/$p/exe) =~ ^/memfd: ]] || gfail "the server runs $(readlink /proc/$p/exe)"
[ "$(bjq .identity.model storage show "$id")" = "boost-ublk rbd" ] || gfail "$(bctl storage show "$id")"
[ "$(cat /sys/block/${dev#/dev/}/size)" = $((128 * 2048)) ] || gfail "$dev: not the image's size"
fio_crc "$dev" 20
sleep 5
bctl_kill_recovered "$id"
fio_crc_wait
echo "rbd through boostd: fio verify, the server killed and recovered: 0 errors"
bctl storage del "$id" >/dev/null || gfail "storage del $id failed"
none_left

# Encrypted: the image only ever sees ciphertext.
bctl_add "crypt:rbd:rbd/secret,$BOOST_RBD_CONF" --crypt-header /tmp/secret.luks2
yes boost-plaintext | head -c 16384 >/tmp/pat4
dd if=/tmp/pat4 of="$dev" bs=16k seek=10 oflag=direct status=none || gfail "write failed"
dd if="$dev" bs=16k skip=10 count=1 iflag=direct status=none | cmp - /tmp/pat4 ||
	gfail "the encrypted device does not read back what was written"
fio --name=v --filename="$dev" --direct=1 --verify_state_save=0 --ioengine=io_uring \
	--rw=randwrite --bs=4k --iodepth=16 --size=8M --offset=32M --verify=crc32c \
	--verify_fatal=1 --output=/tmp/fio.txt || { cat /tmp/fio.txt >&2; gfail "fio verify failed"; }
grep -q "err= 0" /tmp/fio.txt || gfail "fio verify reported errors"
bctl storage del "$id" >/dev/null || gfail "storage del $id failed"
rbd export --no-progress rbd/secret /tmp/secret.img || gfail "rbd export failed"
grep -q boost-plaintext /tmp/secret.img && gfail "the image holds plaintext"
cryptsetup luksDump /tmp/secret.luks2 | grep -q "aes-xts-plain64" || gfail "not a LUKS2 aes-xts header"
echo "crypt:rbd: fio verify; the image holds no plaintext"
none_left

# Encrypted, with a writeback cache before the image: neither the cache
# file nor the image holds plaintext; a FLUSH (dd's conv=fsync) made the
# data durable on the image, which a new device with a new, empty cache
# reads back.
truncate -s 32M /tmp/cache.img
cspec="cache:/tmp/cache.img,mode=writeback,rbd:rbd/plain,$BOOST_RBD_CONF"
bctl_add "crypt:$cspec" --crypt-header /tmp/cache.luks2
[ "$(bjq .identity.model storage show "$id")" = "boost-ublk cache" ] || gfail "$(bctl storage show "$id")"
dd if=/tmp/pat4 of="$dev" bs=16k seek=10 oflag=direct conv=fsync status=none ||
	gfail "write through the cache failed"
dd if="$dev" bs=16k skip=10 count=1 iflag=direct status=none | cmp - /tmp/pat4 ||
	gfail "the encrypted cached device does not read back what was written"
bctl storage del "$id" >/dev/null || gfail "storage del $id failed"
grep -q boost-plaintext /tmp/cache.img && gfail "the cache file holds plaintext"
rbd export --no-progress rbd/plain /tmp/plain.img || gfail "rbd export failed"
grep -q boost-plaintext /tmp/plain.img && gfail "the image holds plaintext"
rm -f /tmp/plain.img /tmp/cache.img
truncate -s 32M /tmp/cache.img
bctl_add "crypt:$cspec" --crypt-header /tmp/cache.luks2
dd if="$dev" bs=16k skip=10 count=1 iflag=direct status=none | cmp - /tmp/pat4 ||
	gfail "the image, through a new cache, does not read back what a FLUSH made durable"
bctl storage del "$id" >/dev/null || gfail "storage del $id failed"
echo "crypt:cache:...,rbd: no plaintext in the cache or the image; flushed data read back cold"
none_left
boostd_stop
GUEST
echo "$out"
