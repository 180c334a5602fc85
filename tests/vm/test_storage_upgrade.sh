#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# timeout: 500
# In the guest: `storage upgrade` moves running devices to a newly signed
# build of boost-ublk. fio writes and verifies (crc32c, verify_backlog) on
# a file device across 10 upgrades alternating two signed builds (the
# build, and the build with bytes appended): 0 errors, the device
# node stays, each upgrade a new server of the asked build. An ext4 on a
# second device stays mounted across an upgrade of both (--all) and
# checks clean. A tampered build is refused by the trust gate and the
# running server is untouched; a signed build that cannot serve (busybox,
# which knows no applet "boost-ublk") never gets ready, so the old server
# is never killed: it serves on, the upgrade says so, exit 1, and a later
# death is recovered with the build that serves. A mem device
# is refused (its data lives in its server). fio's longest IO (max clat)
# over the 10 upgrades is printed for the record.
. "$(dirname "$0")/../lib.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq busybox mkfs.ext4
[ -x "$BOOST_BUILD/boostd" ] && [ -x "$BOOST_BUILD/boost-ublk" ] || fail "run make"

guest_run <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
KEY=$BOOST_BUILD/keys/dev-signer.key

# build DIR FILE: FILE as DIR/boost-ublk, signed with the development key; prints its SHA-256.
build() {
	mkdir -p "$1"
	cp "$2" "$1/boost-ublk"
	bctl trust sign --key "$KEY" "$1/boost-ublk" >/dev/null || gfail "cannot sign $1/boost-ublk"
	sha256sum "$1/boost-ublk" | cut -d' ' -f1
}
# Build B: the build with bytes after its end, which the loader never maps.
{ cat "$UBLK"; printf 'build B'; } >/tmp/ublk-b
A=$(build /tmp/a "$UBLK") B=$(build /tmp/b /tmp/ublk-b)
[ "$A" != "$B" ] || gfail "the two builds are the same bytes"
# show_field DEV FILTER
show() { bjq "$2" storage show "$1"; }

boostd_start
truncate -s 64M /tmp/img
out=$(bctl storage add file:/tmp/img --queues 2) || gfail "storage add failed"
[[ $out =~ id\ ([0-9]+) ]] || gfail "add said: $out"
id=${BASH_REMATCH[1]} dev=/dev/ublkb${BASH_REMATCH[1]}

# 1. Ten upgrades under fio verify, alternating the builds.
fio_crc "$dev" 60
sleep 3
for i in $(seq 10); do
	if [ $((i % 2)) = 1 ]; then d=/tmp/b want=$B; else d=/tmp/a want=$A; fi
	old=$(show "$id" .pid)
	out=$(bctl storage upgrade "$id" --artifact "$d/boost-ublk") || gfail "upgrade $i failed: $out"
	[ "$(show "$id" '.state + " " + .supervision.build')" = "live $want" ] ||
		gfail "upgrade $i: not live on build $want: $(bctl storage show "$id")"
	new=$(show "$id" .pid)
	[ "$new" != "$old" ] && kill -0 "$new" || gfail "upgrade $i: no new server ($old, then $new)"
	[ -b "$dev" ] || gfail "upgrade $i: $dev is gone"
	sleep 1
done
echo "10 upgrades: $(grep -c 'upgraded, server pid' /tmp/boostd.log) in the log"
# The same build again: nothing moves.
out=$(bctl -j storage upgrade "$id") || gfail "upgrade to the current build failed: $out"
[ "$(jq -r '.devices[0].result' <<<"$out")" = current ] || gfail "current build: $out"
fio_crc_wait
grep -o 'clat ([mu]sec): min=[^,]*, max=[^,]*' /tmp/fio.txt | head -n 2 | sed 's/^/fio over the upgrades: /'

# 2. ext4 stays mounted across an upgrade of every device (both on build A,
# the last of the ten, and the second one added then).
truncate -s 64M /tmp/img2
out=$(bctl storage add file:/tmp/img2) || gfail "storage add of a second device failed"
[[ $out =~ id\ ([0-9]+) ]] || gfail "add said: $out"
id2=${BASH_REMATCH[1]} dev2=/dev/ublkb${BASH_REMATCH[1]}
mkfs.ext4 -q "$dev2" && mkdir -p /mnt/u && mount "$dev2" /mnt/u || gfail "mkfs or mount failed"
head -c 8M /dev/urandom >/mnt/u/before
bctl trust load /tmp/b/boost-ublk >/dev/null || gfail "trust load of build B failed"
out=$(bctl -j storage upgrade --all) || gfail "upgrade --all failed: $out"
[ "$(jq -r '[.devices[].result] | join(" ")' <<<"$out")" = "upgraded upgraded" ] ||
	gfail "upgrade --all: $out"
[ "$(show "$id2" .supervision.build)" = "$B" ] || gfail "device $id2 not on build B"
head -c 8M /dev/urandom >/mnt/u/after
sync
sum=$(cat /mnt/u/before /mnt/u/after | sha256sum)
umount /mnt/u || gfail "umount failed"
fsck.ext4 -fn "$dev2" >/tmp/fsck.txt 2>&1 || { cat /tmp/fsck.txt >&2; gfail "fsck found errors"; }
mount "$dev2" /mnt/u && [ "$(cat /mnt/u/before /mnt/u/after | sha256sum)" = "$sum" ] ||
	gfail "the files changed across the upgrade"
umount /mnt/u
echo "ext4 mounted across upgrade --all, fsck clean"

# 3. A tampered build is refused, and the server is untouched.
cp /tmp/b/boost-ublk /tmp/t-ublk
printf 'X' | dd of=/tmp/t-ublk bs=1 seek=5000 conv=notrunc 2>/dev/null
mkdir -p /tmp/t && cp /tmp/t-ublk /tmp/t/boost-ublk && cp /tmp/b/boost-ublk.sig /tmp/t/
pid=$(show "$id" .pid)
bctl storage upgrade "$id" --artifact /tmp/t/boost-ublk 2>/tmp/t.err && gfail "a tampered build was taken"
grep -q "signature" /tmp/t.err || gfail "no reason for the tampered build: $(cat /tmp/t.err)"
[ "$(show "$id" '.pid|tostring') $(show "$id" .supervision.build)" = "$pid $B" ] ||
	gfail "the tampered build moved the server: $(bctl storage show "$id")"
echo "tampered build refused: $(tail -n 1 /tmp/t.err)"

# 4. A signed build that does not serve never gets ready: the old server stays.
C=$(build /tmp/c "$(command -v busybox)")
pid=$(show "$id" .pid)
out=$(bctl -j storage upgrade "$id" --artifact /tmp/c/boost-ublk 2>/dev/null) &&
	gfail "an upgrade to a build that does not serve succeeded: $out"
[ "$(jq -r '.devices[0].result' <<<"$out")" = "failed" ] || gfail "not failed: $out"
jq -r '.devices[0].reason' <<<"$out" | grep -q "did not get ready: .*the old server serves on, untouched" ||
	gfail "no reason: $out"
[ "$(show "$id" '.state + " " + .supervision.build')" = "live $B" ] ||
	gfail "not live on build B: $(bctl storage show "$id")"
[ "$(show "$id" .pid)" = "$pid" ] || gfail "the old server was replaced"
dd if="$dev" of=/dev/null bs=1M count=8 iflag=direct status=none || gfail "no IO after the failed upgrade"
# A death now is recovered with the build that serves, not the newest one.
kill -KILL "$(show "$id" .pid)"
for ((i = 0; i < 300; i++)); do
	s=$(show "$id" '.state + " " + (.pid|tostring)')
	[ "${s%% *}" = live ] && [ "${s#* }" != 0 ] && break
	sleep 0.1
done
[ "$(show "$id" '.state + " " + .supervision.build')" = "live $B" ] ||
	gfail "recovered on another build: $(bctl storage show "$id")"
echo "build ${C:0:16} refused its start: $(jq -r '.devices[0].reason' <<<"$out")"

# 5. A mem device cannot be upgraded. (New devices start the newest build:
# B again, loaded anew.)
bctl trust load /tmp/b/boost-ublk >/dev/null || gfail "trust load of build B failed"
out=$(bctl storage add mem:16M) || gfail "storage add mem failed: $out"
[[ $out =~ id\ ([0-9]+) ]] || gfail "add said: $out"
id3=${BASH_REMATCH[1]}
bctl storage upgrade "$id3" 2>/tmp/m.err && gfail "a mem device was upgraded"
grep -q "a mem device's data lives in its server" /tmp/m.err || gfail "mem: $(cat /tmp/m.err)"

for d in "$id" "$id2" "$id3"; do bctl storage del "$d" || gfail "del $d failed"; done
ublk_assert_none
boostd_stop
echo "guest: ok"
GUEST
echo "$out"
expect_match "guest: ok" "$out"
