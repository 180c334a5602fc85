// SPDX-License-Identifier: GPL-2.0-only
/* DHCPv4 requests parsed and replies built, for boost-xsk (see net_dhcp.h). */
#include <string.h>

#include "net_dhcp.h"

#define ETH_HLEN_ 14
#define IP_HLEN_MIN 20
#define UDP_HLEN 8
#define BOOTP_FIXED 236 /* op .. file */
#define BOOTP_COOKIE 0x63825363u

/* Options (RFC 2132) */
#define OPT_PAD 0
#define OPT_SUBNET_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_MTU 26
#define OPT_REQUESTED_IP 50
#define OPT_LEASE_TIME 51
#define OPT_OVERLOAD 52
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAMS 55
#define OPT_MAX_SIZE 57
#define OPT_CLIENT_ID 61
#define OPT_END 255

const char *const net_dhcp__error_names[NET_DHCP_E__MAX] = {
	[NET_DHCP_OK] = "ok",
#define NET_DHCP_ERR_NAME_(e, name) [NET_DHCP_E_##e] = name,
	NET_DHCP_ERRORS(NET_DHCP_ERR_NAME_)
#undef NET_DHCP_ERR_NAME_
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* As stored: network order bytes into a uint32_t, unchanged. */
static uint32_t get_addr(const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, 4);
	return a;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The ones' complement sum of @len bytes, added to @sum (RFC 1071). */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The UDP checksum's sum over the pseudo header and @udp (@ulen bytes). */
static uint16_t udp_sum(const uint8_t *ip, const uint8_t *udp, size_t ulen)
{
	uint32_t sum = csum_add(0, ip + 12, 8); /* source and destination */

	sum += 17 + (uint32_t)ulen;
	return csum_fold(csum_add(sum, udp, ulen));
}

/* The options of a BOOTREQUEST, @len bytes at @o, into @req. */
static enum net_dhcp_error parse_options(const uint8_t *o, size_t len, struct net_dhcp_req *req)
{
	bool seen[256] = { false };
	size_t i = 0;

	while (i < len) {
		uint8_t code = o[i], olen;
		const uint8_t *v;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			break;
		if (i + 2 > len || i + 2 + o[i + 1] > len)
			return NET_DHCP_E_BAD_OPTION;
		olen = o[i + 1];
		v = o + i + 2;
		i += 2 + olen;
		switch (code) {
		case OPT_OVERLOAD:
			/* Options in sname and file: no VM of boost needs them. */
			return NET_DHCP_E_BAD_OPTION;
		case OPT_MSG_TYPE:
		case OPT_REQUESTED_IP:
		case OPT_SERVER_ID:
		case OPT_MAX_SIZE:
		case OPT_CLIENT_ID:
		case OPT_PARAMS:
			if (seen[code])
				return NET_DHCP_E_BAD_OPTION;
			seen[code] = true;
			break;
		default:
			continue; /* skipped, as a server does */
		}
		if (code == OPT_MSG_TYPE) {
			if (olen != 1)
				return NET_DHCP_E_BAD_OPTION;
			req->type = v[0];
		} else if (code == OPT_REQUESTED_IP || code == OPT_SERVER_ID) {
			if (olen != 4)
				return NET_DHCP_E_BAD_OPTION;
			if (code == OPT_REQUESTED_IP)
				req->requested = get_addr(v);
			else
				req->server_id = get_addr(v);
		} else if (code == OPT_MAX_SIZE) {
			if (olen != 2 || get16(v) < 576)
				return NET_DHCP_E_BAD_OPTION;
			req->max_size = get16(v);
		} else if (code == OPT_CLIENT_ID) {
			if (olen < 2 || olen > sizeof(req->client_id))
				return NET_DHCP_E_BAD_OPTION;
			req->client_id_len = olen;
			memcpy(req->client_id, v, olen);
		} else {
			if (olen < 1 || olen > sizeof(req->params))
				return NET_DHCP_E_BAD_OPTION;
			req->nparams = olen;
			memcpy(req->params, v, olen);
		}
	}
	if (i >= len)
		return NET_DHCP_E_BAD_OPTION; /* no END */
	if (!seen[OPT_MSG_TYPE])
		return NET_DHCP_E_BAD_TYPE;
	switch (req->type) {
	case NET_DHCP_DISCOVER:
	case NET_DHCP_REQUEST:
	case NET_DHCP_DECLINE:
	case NET_DHCP_RELEASE:
	case NET_DHCP_INFORM:
		return NET_DHCP_OK;
	default:
		return NET_DHCP_E_BAD_TYPE; /* a server's message, or none */
	}
}

enum net_dhcp_error net_dhcp__parse(const uint8_t *frame, size_t len, struct net_dhcp_req *req)
{
	const uint8_t *ip, *udp, *b;
	size_t ihl, tot, ulen;

	memset(req, 0, sizeof(*req));
	if (len < ETH_HLEN_)
		return NET_DHCP_E_TRUNCATED;
	if (get16(frame + 12) != 0x0800)
		return NET_DHCP_E_NOT_IPV4_UDP;
	ip = frame + ETH_HLEN_;
	len -= ETH_HLEN_;
	if (len < IP_HLEN_MIN)
		return NET_DHCP_E_TRUNCATED;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ip[0] >> 4 != 4 || ihl < IP_HLEN_MIN)
		return NET_DHCP_E_BAD_IP;
	tot = get16(ip + 2);
	if (ihl > len || tot > len)
		return NET_DHCP_E_TRUNCATED;
	if (tot < ihl + UDP_HLEN)
		return NET_DHCP_E_BAD_IP;
	if (get16(ip + 6) & 0x3fff) /* MF, or an offset */
		return NET_DHCP_E_NOT_IPV4_UDP;
	if (ip[9] != 17)
		return NET_DHCP_E_NOT_IPV4_UDP;
	if (csum_fold(csum_add(0, ip, ihl)) != 0xffff)
		return NET_DHCP_E_BAD_IP;
	udp = ip + ihl;
	ulen = get16(udp + 4);
	if (get16(udp) != NET_DHCP_CLIENT_PORT || get16(udp + 2) != NET_DHCP_SERVER_PORT ||
	    ulen < UDP_HLEN || ulen > tot - ihl)
		return NET_DHCP_E_BAD_UDP;
	if (get16(udp + 6) && udp_sum(ip, udp, ulen) != 0xffff)
		return NET_DHCP_E_BAD_UDP;
	b = udp + UDP_HLEN;
	ulen -= UDP_HLEN;
	if (ulen < BOOTP_FIXED + 4)
		return NET_DHCP_E_TRUNCATED;
	if (b[0] != 1 || b[1] != 1 || b[2] != 6 || get32(b + BOOTP_FIXED) != BOOTP_COOKIE)
		return NET_DHCP_E_NOT_BOOTREQUEST;
	memcpy(req->src_mac, frame + 6, 6);
	memcpy(&req->xid, b + 4, 4);
	req->flags_bcast = !!(b[10] & 0x80);
	req->ciaddr = get_addr(b + 12);
	req->giaddr = get_addr(b + 24);
	{
		enum net_dhcp_error e = parse_options(b + BOOTP_FIXED + 4, ulen - BOOTP_FIXED - 4,
						      req);

		if (e)
			return e;
	}
	if (memcmp(b + 28, frame + 6, 6))
		return NET_DHCP_E_MAC_MISMATCH;
	return NET_DHCP_OK;
}

static uint8_t *put_opt(uint8_t *p, uint8_t code, const void *v, uint8_t len)
{
	p[0] = code;
	p[1] = len;
	memcpy(p + 2, v, len);
	return p + 2 + len;
}

size_t net_dhcp__reply(const struct net_dhcp_req *req, const struct net_dhcp_lease *lease,
		       uint8_t type, uint8_t *out, size_t outlen)
{
	uint8_t *ip = out + ETH_HLEN_, *udp = ip + IP_HLEN_MIN, *b = udp + UDP_HLEN, *o;
	bool nak = type == NET_DHCP_NAK;
	size_t blen, ulen, tot;
	uint8_t v4[4];
	uint32_t mask;
	int ndns = 0;

	if (outlen < NET_DHCP_FRAME_MAX || (type != NET_DHCP_OFFER && type != NET_DHCP_ACK && !nak))
		return 0;
	if (!nak && (!lease->yiaddr || lease->prefix_len < 1 || lease->prefix_len > 32))
		return 0;
	memset(out, 0, NET_DHCP_FRAME_MAX);
	memcpy(out, req->src_mac, 6);
	memcpy(out + 6, lease->server_mac, 6);
	put16(out + 12, 0x0800);
	/* BOOTREPLY */
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, &req->xid, 4);
	if (req->flags_bcast)
		b[10] = 0x80;
	if (!nak) {
		memcpy(b + 12, &req->ciaddr, 4);
		if (req->type != NET_DHCP_INFORM)
			memcpy(b + 16, &lease->yiaddr, 4);
	}
	memcpy(b + 24, &req->giaddr, 4);
	memcpy(b + 28, req->src_mac, 6);
	put32(b + BOOTP_FIXED, BOOTP_COOKIE);
	o = b + BOOTP_FIXED + 4;
	o = put_opt(o, OPT_MSG_TYPE, &type, 1);
	o = put_opt(o, OPT_SERVER_ID, &lease->server_ip, 4);
	if (!nak) {
		uint32_t dns[3];

		put32(v4, lease->lease_s);
		if (req->type != NET_DHCP_INFORM)
			o = put_opt(o, OPT_LEASE_TIME, v4, 4);
		mask = lease->prefix_len == 32 ? 0xffffffffu : ~(0xffffffffu >> lease->prefix_len);
		put32(v4, mask);
		o = put_opt(o, OPT_SUBNET_MASK, v4, 4);
		if (lease->router)
			o = put_opt(o, OPT_ROUTER, &lease->router, 4);
		while (ndns < 3 && lease->dns[ndns]) {
			dns[ndns] = lease->dns[ndns];
			ndns++;
		}
		if (ndns)
			o = put_opt(o, OPT_DNS, dns, (uint8_t)(4 * ndns));
		if (lease->mtu >= 68) {
			put16(v4, lease->mtu);
			o = put_opt(o, OPT_MTU, v4, 2);
		}
	}
	*o++ = OPT_END;
	blen = (size_t)(o - b);
	if (blen < NET_DHCP_BOOTP_MIN)
		blen = NET_DHCP_BOOTP_MIN; /* padded with zeros (PAD) */
	ulen = UDP_HLEN + blen;
	tot = IP_HLEN_MIN + ulen;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)tot);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &lease->server_ip, 4);
	memset(ip + 16, 0xff, 4);
	put16(ip + 10, (uint16_t)~csum_fold(csum_add(0, ip, IP_HLEN_MIN)));
	put16(udp, NET_DHCP_SERVER_PORT);
	put16(udp + 2, NET_DHCP_CLIENT_PORT);
	put16(udp + 4, (uint16_t)ulen);
	{
		uint16_t c = (uint16_t)~udp_sum(ip, udp, ulen);

		put16(udp + 6, c ? c : 0xffff);
	}
	return ETH_HLEN_ + tot;
}
