/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel types of every BPF program, from the UAPI headers of the build
 * (Debian's linux-libc-dev), not from a vmlinux.h of the build machine's
 * running kernel: boost's programs read packets and their context (xdp_md,
 * __sk_buff) and declare maps, all of which are ABI, so they need no CO-RE
 * relocation, and their bytes, which a verifier knows by digest, depend on
 * the build's inputs only (docs/network.md, "Building the objects").
 */
#ifndef BOOST_UAPI_H
#define BOOST_UAPI_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

/*
 * Two wire headers defined here: <linux/if_arp.h> includes libc's
 * <sys/socket.h>, which does not build for the BPF target, and struct
 * vlan_hdr is not UAPI. Both are the frame's layout, which never changes.
 */
struct arphdr {
	__be16 ar_hrd;
	__be16 ar_pro;
	unsigned char ar_hln;
	unsigned char ar_pln;
	__be16 ar_op;
};

struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

#endif
