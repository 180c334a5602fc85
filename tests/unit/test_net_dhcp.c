// SPDX-License-Identifier: GPL-2.0-only
/*
 * The DHCPv4 parser and reply builder of boost-xsk (ctl/net/net_dhcp.c):
 * a client's DISCOVER and REQUEST, built here as udhcpc sends them, are
 * parsed; every truncation of one, and each kind of damage, is refused
 * with its reason; a VM asking with another's chaddr is refused; a reply
 * carries the lease's settings and right checksums.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "net/net_dhcp.h"
#include "../check_run.h"

static const uint8_t MAC[6] = { 0x02, 0, 0, 0, 0x01, 0x01 };

static uint32_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Fix the IPv4 and (if @udp_csum) UDP checksums of @f. */
static void checksums(uint8_t *f, bool udp_csum)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	size_t ulen = (size_t)udp[4] << 8 | udp[5];
	uint32_t s;

	ip[10] = ip[11] = 0;
	s = ~fold(sum16(ip, 20, 0)) & 0xffff;
	ip[10] = s >> 8;
	ip[11] = s;
	udp[6] = udp[7] = 0;
	if (!udp_csum)
		return;
	s = sum16(ip + 12, 8, 17 + (uint32_t)ulen);
	s = ~fold(sum16(udp, ulen, s)) & 0xffff;
	udp[6] = s >> 8;
	udp[7] = s;
}

/*
 * A client's message of @type into @f (with @opts, @nopts bytes of
 * options before END, after the type); returns its length.
 */
static size_t request(uint8_t *f, uint8_t type, const uint8_t *opts, size_t nopts)
{
	uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8, *o;
	size_t blen, len;

	memset(f, 0, 1514);
	memset(f, 0xff, 6);
	memcpy(f + 6, MAC, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4);
	udp[1] = 68;
	udp[3] = 67;
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, "\x12\x34\x56\x78", 4);
	b[10] = 0x80;
	memcpy(b + 28, MAC, 6);
	memcpy(b + 236, "\x63\x82\x53\x63", 4);
	o = b + 240;
	*o++ = 53;
	*o++ = 1;
	*o++ = type;
	if (nopts)
		memcpy(o, opts, nopts);
	o += nopts;
	*o++ = 255;
	blen = o - b < 300 ? 300 : (size_t)(o - b);
	udp[4] = (8 + blen) >> 8;
	udp[5] = 8 + blen;
	len = 20 + 8 + blen;
	ip[2] = len >> 8;
	ip[3] = len;
	checksums(f, true);
	return 14 + len;
}

START_TEST(test_discover)
{
	static const uint8_t opts[] = { 55, 4, 1, 3, 6, 26, 57, 2, 0x05, 0xdc, 61, 7, 1,
					0x02, 0, 0, 0, 0x01, 0x01, 12, 3, 'v', 'm', '1' };
	uint8_t f[1514];
	struct net_dhcp_req r;
	size_t len = request(f, NET_DHCP_DISCOVER, opts, sizeof(opts));

	ck_assert_int_eq(net_dhcp__parse(f, len, &r), NET_DHCP_OK);
	ck_assert_uint_eq(r.type, NET_DHCP_DISCOVER);
	ck_assert_mem_eq(r.src_mac, MAC, 6);
	ck_assert_mem_eq(&r.xid, "\x12\x34\x56\x78", 4);
	ck_assert_uint_eq(r.flags_bcast, 1);
	ck_assert_uint_eq(r.nparams, 4);
	ck_assert_uint_eq(r.params[3], 26);
	ck_assert_uint_eq(r.max_size, 1500);
	ck_assert_uint_eq(r.client_id_len, 7);
	/* Any shorter, nothing is read past it and it is refused. */
	for (size_t n = 0; n < len - 60; n++)
		ck_assert_int_ne(net_dhcp__parse(f, n, &r), NET_DHCP_OK);
}
END_TEST

START_TEST(test_request)
{
	static const uint8_t opts[] = { 50, 4, 192, 0, 2, 1, 54, 4, 192, 0, 2, 253 };
	uint8_t f[1514];
	struct net_dhcp_req r;
	size_t len = request(f, NET_DHCP_REQUEST, opts, sizeof(opts));

	ck_assert_int_eq(net_dhcp__parse(f, len, &r), NET_DHCP_OK);
	ck_assert_uint_eq(r.type, NET_DHCP_REQUEST);
	ck_assert_uint_eq(r.requested, inet_addr("192.0.2.1"));
	ck_assert_uint_eq(r.server_id, inet_addr("192.0.2.253"));
	/* Without a UDP checksum (0: none) too. */
	checksums(f, false);
	ck_assert_int_eq(net_dhcp__parse(f, len, &r), NET_DHCP_OK);
}
END_TEST

/* Damage of each kind, and the reason it is refused for. */
static const struct {
	const char *what;
	const uint8_t *opts;
	size_t nopts;
	size_t off;        /* the byte changed (0: none) */
	uint8_t value;
	bool fix;          /* the checksums fixed after the change */
	enum net_dhcp_error want;
} bad[] = {
	{ "a VLAN tag", NULL, 0, 12, 0x81, false, NET_DHCP_E_NOT_IPV4_UDP },
	{ "IPv6", NULL, 0, 13, 0xdd, false, NET_DHCP_E_NOT_IPV4_UDP },
	{ "IP version 6", NULL, 0, 14, 0x65, true, NET_DHCP_E_BAD_IP },
	{ "IP header of 16 bytes", NULL, 0, 14, 0x44, true, NET_DHCP_E_BAD_IP },
	{ "IP header checksum", NULL, 0, 14 + 10, 0x12, false, NET_DHCP_E_BAD_IP },
	{ "a fragment", NULL, 0, 14 + 6, 0x20, true, NET_DHCP_E_NOT_IPV4_UDP },
	{ "TCP", NULL, 0, 14 + 9, 6, true, NET_DHCP_E_NOT_IPV4_UDP },
	{ "IP total length past the frame", NULL, 0, 14 + 2, 0x09, true, NET_DHCP_E_TRUNCATED },
	{ "UDP to port 68", NULL, 0, 34 + 3, 68, true, NET_DHCP_E_BAD_UDP },
	{ "UDP from port 67", NULL, 0, 34 + 1, 67, true, NET_DHCP_E_BAD_UDP },
	{ "UDP length past the IP packet", NULL, 0, 34 + 4, 0x09, false, NET_DHCP_E_BAD_UDP },
	{ "UDP checksum", NULL, 0, 34 + 6, 0x01, false, NET_DHCP_E_BAD_UDP },
	{ "a BOOTREPLY", NULL, 0, 42, 2, true, NET_DHCP_E_NOT_BOOTREQUEST },
	{ "hlen 16", NULL, 0, 42 + 2, 16, true, NET_DHCP_E_NOT_BOOTREQUEST },
	{ "no magic cookie", NULL, 0, 42 + 236, 0, true, NET_DHCP_E_NOT_BOOTREQUEST },
	{ "another VM's chaddr", NULL, 0, 42 + 28 + 5, 0x02, true, NET_DHCP_E_MAC_MISMATCH },
	{ "a server's type", NULL, 0, 42 + 242, NET_DHCP_OFFER, true, NET_DHCP_E_BAD_TYPE },
	{ "type 0", NULL, 0, 42 + 242, 0, true, NET_DHCP_E_BAD_TYPE },
	{ "no type", NULL, 0, 42 + 240, 0, true, NET_DHCP_E_BAD_OPTION },
	{ "a type of length 2", NULL, 0, 42 + 241, 2, true, NET_DHCP_E_BAD_OPTION },
	{ "an option past the end", (const uint8_t *)"\x0c\xff", 2, 0, 0, true,
	  NET_DHCP_E_BAD_OPTION },
	{ "a second type", (const uint8_t *)"\x35\x01\x03", 3, 0, 0, true, NET_DHCP_E_BAD_OPTION },
	{ "overload", (const uint8_t *)"\x34\x01\x03", 3, 0, 0, true, NET_DHCP_E_BAD_OPTION },
	{ "a requested address of 3 bytes", (const uint8_t *)"\x32\x03\xc0\x00\x02", 5, 0, 0, true,
	  NET_DHCP_E_BAD_OPTION },
	{ "a maximum size below 576", (const uint8_t *)"\x39\x02\x01\x00", 4, 0, 0, true,
	  NET_DHCP_E_BAD_OPTION },
	{ "a client id of 1 byte", (const uint8_t *)"\x3d\x01\x01", 3, 0, 0, true,
	  NET_DHCP_E_BAD_OPTION },
	{ "an empty parameter list", (const uint8_t *)"\x37\x00", 2, 0, 0, true,
	  NET_DHCP_E_BAD_OPTION },
};

START_TEST(test_bad)
{
	uint8_t f[1514];
	struct net_dhcp_req r;
	size_t len = request(f, NET_DHCP_DISCOVER, bad[_i].opts, bad[_i].nopts);

	if (bad[_i].off)
		f[bad[_i].off] = bad[_i].value;
	if (bad[_i].fix)
		checksums(f, true);
	ck_assert_msg(net_dhcp__parse(f, len, &r) == bad[_i].want, "%s: %s, not %s", bad[_i].what,
		      net_dhcp__error_names[net_dhcp__parse(f, len, &r)],
		      net_dhcp__error_names[bad[_i].want]);
}
END_TEST

/* No END within the packet: the options run to its end. */
START_TEST(test_no_end)
{
	uint8_t f[1514];
	struct net_dhcp_req r;
	size_t len = request(f, NET_DHCP_DISCOVER, NULL, 0);

	memset(f + 42 + 243, 0, len - 42 - 243); /* END and the padding: all PAD */
	checksums(f, true);
	ck_assert_int_eq(net_dhcp__parse(f, len, &r), NET_DHCP_E_BAD_OPTION);
}
END_TEST

/* Find option @code in a reply's options; its length in *@len. */
static const uint8_t *reply_opt(const uint8_t *f, size_t flen, uint8_t code, uint8_t *len)
{
	size_t i = 14 + 20 + 8 + 240;

	while (i + 1 < flen && f[i] != 255) {
		if (f[i] == 0) {
			i++;
			continue;
		}
		if (f[i] == code) {
			*len = f[i + 1];
			return f + i + 2;
		}
		i += 2 + f[i + 1];
	}
	return NULL;
}

START_TEST(test_reply)
{
	struct net_dhcp_lease l = {
		.server_mac = { 0x02, 0, 0, 0, 0xb0, 0x05 }, .server_ip = inet_addr("192.0.2.253"),
		.yiaddr = inet_addr("192.0.2.1"), .prefix_len = 24,
		.router = inet_addr("192.0.2.254"),
		.dns = { inet_addr("192.0.2.53"), inet_addr("198.51.100.53") }, .mtu = 1500,
		.lease_s = 3600,
	};
	uint8_t f[1514], out[1514], n;
	const uint8_t *v;
	struct net_dhcp_req r;
	size_t len;

	ck_assert_int_eq(net_dhcp__parse(f, request(f, NET_DHCP_DISCOVER, NULL, 0), &r), NET_DHCP_OK);
	len = net_dhcp__reply(&r, &l, NET_DHCP_OFFER, out, sizeof(out));
	ck_assert_uint_eq(len, 14 + 20 + 8 + 300);
	ck_assert_mem_eq(out, MAC, 6);
	ck_assert_uint_eq(fold(sum16(out + 14, 20, 0)), 0xffff);
	ck_assert_uint_eq(fold(sum16(out + 34, len - 34, sum16(out + 26, 8, 17 + len - 34))),
			  0xffff);
	ck_assert_uint_eq(out[42], 2);
	ck_assert_mem_eq(out + 42 + 4, "\x12\x34\x56\x78", 4);
	ck_assert_mem_eq(out + 42 + 16, &l.yiaddr, 4);
	ck_assert_mem_eq(out + 42 + 28, MAC, 6);
	ck_assert_ptr_nonnull(v = reply_opt(out, len, 53, &n));
	ck_assert_uint_eq(v[0], NET_DHCP_OFFER);
	ck_assert_ptr_nonnull(v = reply_opt(out, len, 1, &n));
	ck_assert_mem_eq(v, "\xff\xff\xff\x00", 4);
	ck_assert_ptr_nonnull(v = reply_opt(out, len, 3, &n));
	ck_assert_mem_eq(v, &l.router, 4);
	ck_assert_ptr_nonnull(v = reply_opt(out, len, 6, &n));
	ck_assert_uint_eq(n, 8);
	ck_assert_ptr_nonnull(v = reply_opt(out, len, 26, &n));
	ck_assert_mem_eq(v, "\x05\xdc", 2);
	ck_assert_ptr_nonnull(v = reply_opt(out, len, 51, &n));
	ck_assert_mem_eq(v, "\x00\x00\x0e\x10", 4);
	/* A NAK: no address, no settings. */
	len = net_dhcp__reply(&r, &l, NET_DHCP_NAK, out, sizeof(out));
	ck_assert_uint_ne(len, 0);
	ck_assert_mem_eq(out + 42 + 16, "\0\0\0\0", 4);
	ck_assert_ptr_null(reply_opt(out, len, 1, &n));
	/* Not a server's type, no address, a prefix out of range, no room: none. */
	ck_assert_uint_eq(net_dhcp__reply(&r, &l, NET_DHCP_REQUEST, out, sizeof(out)), 0);
	ck_assert_uint_eq(net_dhcp__reply(&r, &l, NET_DHCP_ACK, out, 600), 0);
	l.prefix_len = 33;
	ck_assert_uint_eq(net_dhcp__reply(&r, &l, NET_DHCP_ACK, out, sizeof(out)), 0);
	l.prefix_len = 24;
	l.yiaddr = 0;
	ck_assert_uint_eq(net_dhcp__reply(&r, &l, NET_DHCP_ACK, out, sizeof(out)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_dhcp");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_discover);
	tcase_add_test(tc, test_request);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_no_end);
	tcase_add_test(tc, test_reply);
	suite_add_tcase(s, tc);
	return check_run(s);
}
