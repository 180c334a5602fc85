// SPDX-License-Identifier: GPL-2.0-only
/* boost-xsk's answer to a DHCPv4 request (see xsk_serve.h). */
#include <string.h>

#include "xsk_serve.h"

const char *const xsk_outcome_names[XSK_OUTCOME__MAX] = {
#define XSK_OUTCOME_NAME_(e, name) [XSK_##e] = name,
	XSK_OUTCOMES(XSK_OUTCOME_NAME_)
#undef XSK_OUTCOME_NAME_
};

/*
 * A port has one address, its own: the server never leases another, so
 * it keeps no state. A REQUEST names the address it wants in option 50
 * (selecting, init-reboot) or in ciaddr (renewing, rebinding); a REQUEST
 * that answers another server's OFFER (option 54 not ours) is not ours
 * to answer (RFC 2131 4.3.2).
 */
enum xsk_outcome xsk_serve__answer(const struct net_dhcp_req *req, const uint8_t port_mac[6],
				   const struct net_dhcp_lease *lease, uint8_t *ret_type)
{
	uint32_t wanted;

	*ret_type = 0;
	/* boost's XDP program checked the Ethernet source, net_dhcp the chaddr. */
	if (memcmp(req->src_mac, port_mac, 6) || req->giaddr)
		return XSK_REFUSED;
	switch (req->type) {
	case NET_DHCP_DISCOVER:
		*ret_type = NET_DHCP_OFFER;
		return XSK_OFFERED;
	case NET_DHCP_REQUEST:
		if (req->server_id && req->server_id != lease->server_ip)
			return XSK_IGNORED;
		wanted = req->requested ? req->requested : req->ciaddr;
		if (wanted != lease->yiaddr) {
			*ret_type = NET_DHCP_NAK;
			return XSK_NAKED;
		}
		*ret_type = NET_DHCP_ACK;
		return XSK_ACKED;
	case NET_DHCP_INFORM:
		if (req->ciaddr != lease->yiaddr)
			return XSK_REFUSED;
		*ret_type = NET_DHCP_ACK;
		return XSK_ACKED;
	default:
		return XSK_IGNORED; /* DECLINE, RELEASE: no lease to take back */
	}
}
