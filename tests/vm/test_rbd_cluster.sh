#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The guest reaches a Ceph cluster on the host: the test's namespace has a
# tap device (192.0.2.1/24) that the one-node cluster of
# tests/ceph_cluster.sh binds to, and scripts/vm runs qemu in that
# namespace with the tap as the guest's eth0 (192.0.2.2/24). In the guest,
# librbd's own CLI reads the image's size and writes and reads it back
# (rbd bench, bounded by --io-total), and the host sees those writes. The
# cluster runs on the host: in the TCG guest its OSD never came up
# (docs/vm.md).
# timeout: 1200
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../ceph_cluster.sh"
require_root
require_tool qemu-system-x86_64 swtpm rbd

ceph_start_tap rbd
ns=$CEPH_NS
rbd_cmd create --size 64M rbd/reach || fail "rbd create rbd/reach failed"

# scripts/vm hands BOOST_* to the guest.
export BOOST_CEPH_CONF=$CEPH_CONF_FILE BOOST_CEPH_KEYRING=$CEPH_KEYRING_FILE
d=$(mktemp -d) || fail "cannot create a temporary directory"
on_exit rm -rf "$d"
cat >"$d/guest.sh" <<'GUEST'
set -u
rbd() {
	timeout 120 /usr/bin/rbd -c "$BOOST_CEPH_CONF" -k "$BOOST_CEPH_KEYRING" --id admin "$@"
}
ip -o addr show dev eth0 | grep -q '192\.0\.2\.2/24' || { echo "eth0 has not 192.0.2.2/24" >&2; exit 1; }
size=$(rbd info --format json rbd/reach | jq -r .size) || exit 1
[ "$size" = $((64 << 20)) ] || { echo "rbd info rbd/reach: size $size, not 64 MiB" >&2; exit 1; }
rbd bench --io-type write --io-size 4K --io-pattern rand --io-total 4M rbd/reach >/tmp/w.txt ||
	{ cat /tmp/w.txt >&2; exit 1; }
rbd bench --io-type read --io-size 4K --io-pattern rand --io-total 4M rbd/reach >/tmp/r.txt ||
	{ cat /tmp/r.txt >&2; exit 1; }
tail -n 1 /tmp/w.txt
tail -n 1 /tmp/r.txt
GUEST
expect_exit 0 "$BOOST_TOP/scripts/vm" --netns "$ns" --tap tap0,192.0.2.2/24 --rw "$d" -- \
	bash "$d/guest.sh"
echo "$out"
expect_match 'ops: 1024' "$out"

# What the guest wrote is in the cluster: the image now has data.
used=$(rbd_cmd du --format json rbd/reach 2>/dev/null | jq -r '.images[0].used_size')
[ "${used:-0}" -gt 0 ] || fail "the guest's writes are not in rbd/reach (used ${used:-none})"
echo "guest reached the cluster: rbd info, 4 MiB written and read"
