// SPDX-License-Identifier: GPL-2.0-only
/*
 * net_probe: an uplink's ARP probe is RFC 5227's (who-has, tell 0.0.0.0,
 * the uplink's MAC), and only an ARP reply from the target counts as its
 * answer: not a request, not another sender, not a cut packet.
 */
#include <check.h>
#include <string.h>

#include "net/net_probe.h"
#include "../check_run.h"

static const uint8_t MAC[6] = { 0x02, 0, 0, 0, 0x0f, 0x01 };
static const uint32_t TARGET = 0xfe0200c0; /* 192.0.2.254, network order */

START_TEST(test_request)
{
	static const uint8_t want[NET_PROBE_LEN] = {
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,       /* Ethernet, IPv4, request */
		0x02, 0, 0, 0, 0x0f, 0x01, 0, 0, 0, 0,           /* sender: MAC, 0.0.0.0 */
		0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x02, 0xfe,        /* target: -, 192.0.2.254 */
	};
	uint8_t buf[NET_PROBE_LEN];

	net_probe__request(buf, MAC, TARGET);
	ck_assert_mem_eq(buf, want, sizeof(want));
}
END_TEST

START_TEST(test_reply)
{
	uint8_t r[NET_PROBE_LEN];

	net_probe__request(r, MAC, TARGET);
	ck_assert(!net_probe__is_reply(r, sizeof(r), TARGET)); /* a request */
	r[7] = 2;                                              /* a reply ... */
	ck_assert(!net_probe__is_reply(r, sizeof(r), TARGET)); /* ... from 0.0.0.0 */
	memcpy(r + 14, &TARGET, 4);                            /* from the target */
	ck_assert(net_probe__is_reply(r, sizeof(r), TARGET));
	ck_assert(!net_probe__is_reply(r, sizeof(r) - 1, TARGET));
	ck_assert(!net_probe__is_reply(r, sizeof(r), 0x010200c0));
	r[5] = 16;                                             /* not IPv4 addresses */
	ck_assert(!net_probe__is_reply(r, sizeof(r), TARGET));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_probe");
	TCase *tc = tcase_create("net_probe");

	tcase_add_test(tc, test_request);
	tcase_add_test(tc, test_reply);
	suite_add_tcase(s, tc);
	return check_run(s);
}
