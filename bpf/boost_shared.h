/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Structures shared by the BPF programs and userspace: map keys, values and
 * the drop reasons. Both sides include this one header, so they cannot
 * disagree on a layout.
 */
#ifndef BOOST_SHARED_H
#define BOOST_SHARED_H

#ifdef __bpf__
#include "vmlinux.h"
#else
#include <linux/types.h>
#endif

/* Why a frame was dropped; each has its own counter. */
enum boost_drop_reason {
	BOOST_DROP_MALFORMED = 0, /* truncated or inconsistent headers */
	BOOST_DROP__MAX,
};

/* Per-CPU counters of one port, summed over CPUs in userspace. */
struct boost_port_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 drops[BOOST_DROP__MAX];
};

#endif
