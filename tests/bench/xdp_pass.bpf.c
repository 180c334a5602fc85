// SPDX-License-Identifier: GPL-2.0-only
/* The baseline of the BPF benchmark: an XDP program that does nothing. */
#include "uapi.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
