/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boost-xsk's answer to one DHCPv4 request of a VM: which reply, if any,
 * under the VM's lease from the network document. No I/O: the worker
 * (boost_xsk.c) calls it on what net_dhcp__parse() accepted, and
 * tests/unit/test_xsk_serve.c on anything.
 */
#ifndef BOOST_XSK_SERVE_H
#define BOOST_XSK_SERVE_H

#include <stdint.h>

#include "net/net_dhcp.h"

/* What became of a request; each has a counter (boost-xsk --stats). */
#define XSK_OUTCOMES(X)                                                          \
	X(OFFERED, "offered")   /* DISCOVER: OFFER of the port's address */      \
	X(ACKED, "acked")       /* REQUEST of it, or INFORM from it: ACK */       \
	X(NAKED, "naked")       /* REQUEST of another address: NAK */            \
	X(REFUSED, "refused")   /* not the port's MAC, a relay, INFORM from another address: silence */ \
	X(IGNORED, "ignored")   /* DECLINE, RELEASE, a REQUEST to another server */

enum xsk_outcome {
#define XSK_OUTCOME_ENUM_(e, name) XSK_##e,
	XSK_OUTCOMES(XSK_OUTCOME_ENUM_)
#undef XSK_OUTCOME_ENUM_
	XSK_OUTCOME__MAX,
};

extern const char *const xsk_outcome_names[XSK_OUTCOME__MAX];

/*
 * The answer to @req, which a VM sent on its port, whose MAC is @port_mac,
 * under @lease (the port's address and settings): the outcome, and in
 * *@ret_type the reply's message type (OFFER, ACK, NAK) or 0 for none.
 */
enum xsk_outcome xsk_serve__answer(const struct net_dhcp_req *req, const uint8_t port_mac[6],
				   const struct net_dhcp_lease *lease, uint8_t *ret_type);

#endif
