// SPDX-License-Identifier: GPL-2.0-only
/*
 * boost-xsk's answers (xsk/xsk_serve.c), table-driven: each kind of
 * request a VM may send, and what the server answers under the port's
 * lease (OFFER, ACK, NAK or nothing) and which counter it goes to.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "../../xsk/xsk_serve.h"
#include "../check_run.h"

static const uint8_t MAC[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };
static const uint8_t OTHER_MAC[6] = { 0x02, 0, 0, 0, 0x01, 0x02 };

static const struct {
	const char *what;
	uint8_t type;
	const char *requested, *ciaddr, *server_id, *giaddr;
	bool other_mac;
	uint8_t want_type;
	enum xsk_outcome want;
} cases[] = {
	{ "DISCOVER", NET_DHCP_DISCOVER, NULL, NULL, NULL, NULL, false, NET_DHCP_OFFER,
	  XSK_OFFERED },
	{ "DISCOVER asking for another address", NET_DHCP_DISCOVER, "192.0.2.2", NULL, NULL,
	  NULL, false, NET_DHCP_OFFER, XSK_OFFERED },
	{ "REQUEST of its address, selecting", NET_DHCP_REQUEST, "192.0.2.1", NULL,
	  "192.0.2.254", NULL, false, NET_DHCP_ACK, XSK_ACKED },
	{ "REQUEST of its address, init-reboot", NET_DHCP_REQUEST, "192.0.2.1", NULL, NULL, NULL,
	  false, NET_DHCP_ACK, XSK_ACKED },
	{ "REQUEST renewing (ciaddr)", NET_DHCP_REQUEST, NULL, "192.0.2.1", NULL, NULL, false,
	  NET_DHCP_ACK, XSK_ACKED },
	{ "REQUEST of another VM's address", NET_DHCP_REQUEST, "192.0.2.2", NULL, NULL, NULL,
	  false, NET_DHCP_NAK, XSK_NAKED },
	{ "REQUEST renewing another address", NET_DHCP_REQUEST, NULL, "192.0.2.2", NULL, NULL,
	  false, NET_DHCP_NAK, XSK_NAKED },
	{ "REQUEST of nothing", NET_DHCP_REQUEST, NULL, NULL, NULL, NULL, false, NET_DHCP_NAK,
	  XSK_NAKED },
	{ "REQUEST to another server", NET_DHCP_REQUEST, "192.0.2.1", NULL, "192.0.2.200", NULL,
	  false, 0, XSK_IGNORED },
	{ "INFORM from its address", NET_DHCP_INFORM, NULL, "192.0.2.1", NULL, NULL, false,
	  NET_DHCP_ACK, XSK_ACKED },
	{ "INFORM from another address", NET_DHCP_INFORM, NULL, "192.0.2.2", NULL, NULL, false, 0,
	  XSK_REFUSED },
	{ "DECLINE", NET_DHCP_DECLINE, "192.0.2.1", NULL, NULL, NULL, false, 0, XSK_IGNORED },
	{ "RELEASE", NET_DHCP_RELEASE, NULL, "192.0.2.1", NULL, NULL, false, 0, XSK_IGNORED },
	{ "DISCOVER from another MAC", NET_DHCP_DISCOVER, NULL, NULL, NULL, NULL, true, 0,
	  XSK_REFUSED },
	{ "REQUEST from another MAC", NET_DHCP_REQUEST, "192.0.2.1", NULL, NULL, NULL, true, 0,
	  XSK_REFUSED },
	{ "DISCOVER through a relay", NET_DHCP_DISCOVER, NULL, NULL, NULL, "198.51.100.1", false,
	  0, XSK_REFUSED },
};

static uint32_t addr(const char *s)
{
	struct in_addr a = { 0 };

	if (s)
		ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

START_TEST(test_answer)
{
	struct net_dhcp_lease lease = { .server_ip = addr("192.0.2.254"),
					.yiaddr = addr("192.0.2.1"), .prefix_len = 24 };
	struct net_dhcp_req req = { .type = cases[_i].type };
	enum xsk_outcome o;
	uint8_t type = 0xff;

	memcpy(req.src_mac, cases[_i].other_mac ? OTHER_MAC : MAC, 6);
	req.requested = addr(cases[_i].requested);
	req.ciaddr = addr(cases[_i].ciaddr);
	req.server_id = addr(cases[_i].server_id);
	req.giaddr = addr(cases[_i].giaddr);
	o = xsk_serve__answer(&req, MAC, &lease, &type);
	ck_assert_msg(o == cases[_i].want && type == cases[_i].want_type,
		      "%s: %s, reply type %u (want %s, %u)", cases[_i].what, xsk_outcome_names[o],
		      type, xsk_outcome_names[cases[_i].want], cases[_i].want_type);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xsk_serve");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_answer, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return check_run(s);
}
