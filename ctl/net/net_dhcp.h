/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * DHCPv4 for the VMs (issue 17 §3, boost-xsk): the parser of what a VM
 * sends to a server (a whole Ethernet frame, as an AF_XDP socket gets it)
 * and the builder of the server's reply frame. No state, no allocation, no
 * I/O: boost-xsk's worker calls both on the frames of its sockets, and the
 * fuzz harness (tests/fuzz/fuzz_net_dhcp.c) on anything.
 *
 * A request is an untagged Ethernet II frame, IPv4 without fragmentation
 * (any options), UDP from port 68 to port 67 with a consistent length
 * and, when it has one, a right checksum, and a BOOTREQUEST for Ethernet
 * (htype 1, hlen 6) with the magic cookie and options: every option
 * within the packet, an END, one message type (DISCOVER, REQUEST, DECLINE,
 * RELEASE or INFORM), no overload of the file and sname fields (option
 * 52), and none of the options read here twice or of the wrong length.
 * Anything else is refused with a reason (enum net_dhcp_error), which the
 * worker counts. The Ethernet source must be the client hardware address
 * (a VM asking for another's lease by its chaddr is refused: MAC_MISMATCH).
 */
#ifndef BOOST_NET_DHCP_H
#define BOOST_NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_DHCP_SERVER_PORT 67
#define NET_DHCP_CLIENT_PORT 68
/* The largest frame either side handles: an Ethernet frame of MTU 1500. */
#define NET_DHCP_FRAME_MAX 1514
/* The smallest BOOTP message (RFC 951: 300 bytes with a 64-byte vend). */
#define NET_DHCP_BOOTP_MIN 300

/* Message types (option 53, RFC 2132 9.6). */
enum net_dhcp_type {
	NET_DHCP_DISCOVER = 1,
	NET_DHCP_OFFER = 2,
	NET_DHCP_REQUEST = 3,
	NET_DHCP_DECLINE = 4,
	NET_DHCP_ACK = 5,
	NET_DHCP_NAK = 6,
	NET_DHCP_RELEASE = 7,
	NET_DHCP_INFORM = 8,
};

/* Why a frame is not a request the server takes; each has a counter. */
#define NET_DHCP_ERRORS(X)                                       \
	X(TRUNCATED, "truncated")     /* shorter than its headers say */ \
	X(NOT_IPV4_UDP, "not_ipv4_udp") /* not IPv4/UDP, a fragment, tagged */ \
	X(BAD_IP, "bad_ip")           /* IPv4 header: version, length, checksum */ \
	X(BAD_UDP, "bad_udp")         /* UDP: ports, length, checksum */ \
	X(NOT_BOOTREQUEST, "not_bootrequest") /* op, htype, hlen, cookie */ \
	X(BAD_OPTION, "bad_option")   /* past the end, no END, twice, length */ \
	X(BAD_TYPE, "bad_type")       /* no message type, or not a client's */ \
	X(MAC_MISMATCH, "mac_mismatch") /* chaddr is not the Ethernet source */

enum net_dhcp_error {
	NET_DHCP_OK = 0,
#define NET_DHCP_ERR_ENUM_(e, name) NET_DHCP_E_##e,
	NET_DHCP_ERRORS(NET_DHCP_ERR_ENUM_)
#undef NET_DHCP_ERR_ENUM_
	NET_DHCP_E__MAX,
};

/* The reasons' names, indexed by enum net_dhcp_error ("ok" for 0). */
extern const char *const net_dhcp__error_names[NET_DHCP_E__MAX];

/* What a request says. Addresses in network order; 0 if absent. */
struct net_dhcp_req {
	uint8_t src_mac[6];   /* the Ethernet source, = chaddr */
	uint8_t type;         /* enum net_dhcp_type */
	uint8_t flags_bcast;  /* the BOOTP broadcast flag */
	uint32_t xid;         /* network order, echoed */
	uint32_t ciaddr;      /* the client's address, in a renewal or INFORM */
	uint32_t giaddr;      /* a relay's: boost's VMs have none */
	uint32_t requested;   /* option 50 */
	uint32_t server_id;   /* option 54 */
	uint16_t max_size;    /* option 57, 0 if absent */
	uint8_t client_id_len; /* option 61 */
	uint8_t client_id[64];
	uint8_t nparams;      /* option 55: the options the client asks for */
	uint8_t params[64];
};

/*
 * Parse @len bytes of @frame; on success (NET_DHCP_OK) @req holds the
 * request. Reads nothing past @len.
 */
enum net_dhcp_error net_dhcp__parse(const uint8_t *frame, size_t len, struct net_dhcp_req *req);

/* What the server answers with: a VM's address and its network's settings. */
struct net_dhcp_lease {
	uint8_t server_mac[6];
	uint32_t server_ip;   /* the server identifier, the reply's IP source */
	uint32_t yiaddr;      /* the VM's address */
	uint8_t prefix_len;   /* 1 to 32 */
	uint32_t router;      /* 0: none */
	uint32_t dns[3];      /* 0: the end of the list */
	uint16_t mtu;         /* 0: not sent */
	uint32_t lease_s;     /* the lease's time */
};

/*
 * The reply of type @type (OFFER, ACK or NAK) to @req under @lease, a
 * whole frame into @out (at least NET_DHCP_FRAME_MAX bytes): to the
 * client's MAC, and to 255.255.255.255 (the client has no address yet);
 * with the IPv4 and UDP checksums. A NAK carries no address nor settings.
 * Returns the frame's length, or 0 if @type is none of those or @lease
 * is not one a server could give (no address, a prefix out of range).
 */
size_t net_dhcp__reply(const struct net_dhcp_req *req, const struct net_dhcp_lease *lease,
		       uint8_t type, uint8_t *out, size_t outlen);

#endif
