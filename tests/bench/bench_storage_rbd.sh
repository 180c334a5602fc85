#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# boost-ublk-rbd against the kernel's RBD client (krbd: rbd map) and
# rbd-nbd, in one guest of scripts/vm, on the same image of the same
# one-node Ceph cluster, which runs on the host (tests/ceph_cluster.sh)
# and is reached through a tap device: the same fio jobs (4k randread and
# randwrite at QD32, 128k sequential read and write at QD8; io_uring,
# O_DIRECT, one job), one client at a time (each takes the image's lock).
# Prints IOPS and the ratio of boost to the better of the two; the issue's
# target is boost >= the better one.
# Timings in the guest are emulated (qemu TCG): compare only ratios from one run.
#   BENCH_RUNTIME=S   seconds per job (default 5)
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../ceph_cluster.sh"
require_root
require_tool qemu-system-x86_64 swtpm fio jq rbd rbd-nbd
[ -x "$BOOST_BUILD/boost-ublk-rbd" ] || fail "no $BOOST_BUILD/boost-ublk-rbd: run make"

ceph_start_tap rbdb >&2
ns=$CEPH_NS
rbd_cmd create --size 256M rbd/bench || fail "rbd create rbd/bench failed"

dir=$(mktemp -d)
on_exit rm -rf "$dir"
export BOOST_BENCH_RUNTIME=${BENCH_RUNTIME:-5} BOOST_BENCH_OUT=$dir/results
export BOOST_CEPH_CONF=$CEPH_CONF_FILE BOOST_CEPH_KEYRING=$CEPH_KEYRING_FILE
cat >"$dir/guest.sh" <<'GUEST'
. "$BOOST_TOP/tests/vm/storage_guest.sh" || exit 1
UBLK=$BOOST_BUILD/boost-ublk-rbd
UBLK_PROC='^(/[^ ]*/)?boost-ublk-rbd (add|recover|del|list)'
rt=$BOOST_BENCH_RUNTIME
auth=(-c "$BOOST_CEPH_CONF" -k "$BOOST_CEPH_KEYRING" --id admin)
jobs=(randread-4k-qd32 randwrite-4k-qd32 read-128k-qd8 write-128k-qd8)

modprobe nbd || gfail "cannot load nbd"
{
	# krbd where the guest's kernel maps the image; its refusal is reported, not
	# fatal. The guest runs no udev, for which rbd would wait (noudev: it does not).
	if modprobe rbd &&
		d=$(timeout 120 rbd map -o noudev "${auth[@]}" rbd/bench 2>/tmp/map.err); then
		# Written once, so that reads meet data, not unallocated objects.
		dd if=/dev/urandom of="$d" bs=1M count=192 oflag=direct status=none ||
			gfail "cannot fill the image"
		touch /tmp/filled
		for job in "${jobs[@]}"; do fio_iops krbd "$d" "$job" "$rt"; done
		timeout 60 rbd unmap -o noudev "$d" || gfail "rbd unmap failed"
	else
		echo "krbd: rbd map failed: $(tail -n 2 /tmp/map.err | tr '\n' ' ')" >&2
	fi

	d=$(timeout 120 rbd-nbd map "${auth[@]}" rbd/bench) || gfail "rbd-nbd map failed"
	[ -e /tmp/filled ] || dd if=/dev/urandom of="$d" bs=1M count=192 oflag=direct status=none ||
		gfail "cannot fill the image"
	for job in "${jobs[@]}"; do fio_iops rbd-nbd "$d" "$job" "$rt"; done
	timeout 60 rbd-nbd unmap "$d" || gfail "rbd-nbd unmap failed"

	ublk_add --backend "rbd:rbd/bench,conf=$BOOST_CEPH_CONF,keyring=$BOOST_CEPH_KEYRING" \
		--queues 2 --depth 64
	for job in "${jobs[@]}"; do fio_iops boost "$dev" "$job" "$rt"; done
	ublk_stop "$pid"
} >/tmp/results
cat /tmp/results >"$BOOST_BENCH_OUT"
cat /tmp/results >&2
GUEST
"$BOOST_TOP/scripts/vm" --netns "$ns" --tap tap0,192.0.2.2/24 --rw "$dir" -- \
	bash "$dir/guest.sh" >&2 || fail "the benchmark failed in the guest"

awk '
{ iops[$1, $2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
END {
	printf "rbd: boost-ublk-rbd against krbd (rbd map) and rbd-nbd, same image; IOPS and boost/best\n"
	printf "(target: boost >= the better of the two)\n"
	printf "%-18s %9s %9s %9s %7s\n", "job", "krbd", "rbd-nbd", "boost", "ratio"
	for (i = 0; i < n; i++) {
		j = order[i]
		best = iops["krbd", j] > iops["rbd-nbd", j] ? iops["krbd", j] : iops["rbd-nbd", j]
		printf "%-18s %9d %9d %9d %7s\n", j, iops["krbd", j], iops["rbd-nbd", j],
			iops["boost", j], r(iops["boost", j], best)
	}
}' "$dir/results"
