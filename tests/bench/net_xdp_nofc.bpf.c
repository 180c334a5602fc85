// SPDX-License-Identifier: GPL-2.0-only
/*
 * boost's XDP entry point without its flow cache: the policy core decides
 * every frame. net_bench compares it with bpf/net_xdp.bpf.o, whose cache
 * replays the decision for the frames after a flow's first; never
 * installed.
 */
#define BOOST_NET_NO_FCACHE 1
#include "net_xdp.bpf.c"
