// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: boost-xsk's DHCPv4 parser (net_dhcp__parse) on any frame, and
 * the replies to what it accepts (net_dhcp__reply). An input is a flags
 * byte, then the frame. With the flags' bit 0 the harness makes the IPv4
 * header's checksum right and the UDP checksum none (0) before parsing,
 * so that mutations reach the BOOTP message and its options; without it
 * the checksums stay as they come, and are checked.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/net_dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fix_checksums(uint8_t *f, size_t len)
{
	size_t ihl;
	uint32_t sum = 0;

	if (len < 34)
		return;
	ihl = (size_t)(f[14] & 0x0f) * 4;
	if (ihl < 20 || 14 + ihl + 8 > len)
		return;
	f[24] = f[25] = 0;
	for (size_t i = 0; i < ihl; i += 2)
		sum += (uint32_t)f[14 + i] << 8 | f[15 + i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8);
	f[25] = (uint8_t)~sum;
	f[14 + ihl + 6] = f[14 + ihl + 7] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_dhcp_lease lease = { .server_ip = 0xfd0200c0, .yiaddr = 0x010200c0,
					.prefix_len = 24, .router = 0xfe0200c0,
					.dns = { 0x350200c0 }, .mtu = 1500, .lease_s = 3600 };
	static uint8_t frame[65536], out[NET_DHCP_FRAME_MAX];
	struct net_dhcp_req req;
	size_t len;

	if (size < 1 || size - 1 > sizeof(frame))
		return 0;
	len = size - 1;
	memcpy(frame, data + 1, len);
	if (data[0] & 1)
		fix_checksums(frame, len);
	if (net_dhcp__parse(frame, len, &req) != NET_DHCP_OK)
		return 0;
	net_dhcp__reply(&req, &lease, req.type == NET_DHCP_DISCOVER ? NET_DHCP_OFFER : NET_DHCP_ACK,
			out, sizeof(out));
	net_dhcp__reply(&req, &lease, NET_DHCP_NAK, out, sizeof(out));
	return 0;
}
