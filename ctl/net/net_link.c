// SPDX-License-Identifier: GPL-2.0-only
/* The VM end of a vNIC: its peer, GRO, checksum offload (see net_link.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_link.h"

/*
 * Attribute @type of link @ifindex, asked of rtnetlink socket @fd: its
 * payload, at most *@inout_len bytes, into @ret, and its length in
 * *@inout_len. -ENOENT if the link has none.
 */
static int getlink_attr(int fd, int ifindex, unsigned short type, void *ret, size_t *inout_len)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK,
			.nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex },
	};
	char buf[16384];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtattr *rta;
	int len, attrlen;

	if (send(fd, &req, sizeof(req), 0) < 0)
		return -errno;
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < 0)
		return -errno;
	if (!NLMSG_OK(nh, (unsigned)len))
		return -EBADMSG;
	if (nh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
	attrlen = nh->nlmsg_len - NLMSG_LENGTH(sizeof(struct ifinfomsg));
	for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, attrlen); rta = RTA_NEXT(rta, attrlen)) {
		if (rta->rta_type != type)
			continue;
		if (RTA_PAYLOAD(rta) < *inout_len)
			*inout_len = RTA_PAYLOAD(rta);
		memcpy(ret, RTA_DATA(rta), *inout_len);
		return 0;
	}
	return -ENOENT;
}

int net_link__veth_peer(int ifindex, int *ret_peer)
{
	size_t len = sizeof(*ret_peer);
	int fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	ret = getlink_attr(fd, ifindex, IFLA_LINK, ret_peer, &len);
	close(fd);
	return ret;
}

static int ethtool_value(int fd, const char *name, __u32 cmd, __u32 *inout)
{
	struct ethtool_value ev = { .cmd = cmd, .data = *inout };
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	*inout = ev.data;
	return 0;
}

/* A socket in namespace @netns: the ioctls and requests on it act there. */
static int socket_in_netns(const char *netns, int family, int type, int protocol, char *err,
			   size_t errlen)
{
	char path[128];
	int self, ns, fd = -1, saved;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0) {
		saved = -errno;
		snprintf(err, errlen, "network namespace %s: %s", netns, strerror(errno));
		return saved;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || setns(ns, CLONE_NEWNET) < 0) {
		saved = -errno;
		snprintf(err, errlen, "network namespace %s: cannot enter: %s", netns,
			 strerror(errno));
		if (self >= 0)
			close(self);
		close(ns);
		return saved;
	}
	fd = socket(family, type | SOCK_CLOEXEC, protocol);
	saved = -errno;
	/* Back home; boostd cannot run on in the VM's namespace. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	close(self);
	close(ns);
	if (fd < 0)
		snprintf(err, errlen, "network namespace %s: socket: %s", netns, strerror(-saved));
	return fd < 0 ? saved : fd;
}

int net_link__setup_vm_end(int ifindex, const char *netns, bool xdp_mode, bool restore_csum,
			   struct net_vm_end *ret, char *err, size_t errlen)
{
	struct net_vm_end e = { 0 };
	struct ifreq ifr = { 0 };
	__u32 v;
	int fd, r;

	r = net_link__veth_peer(ifindex, &e.ifindex);
	if (r) {
		snprintf(err, errlen, "not a veth with a peer: %s", strerror(-r));
		return r;
	}
	fd = socket_in_netns(netns, AF_INET, SOCK_DGRAM, 0, err, errlen);
	if (fd < 0)
		return fd;
	ifr.ifr_ifindex = e.ifindex;
	if (ioctl(fd, SIOCGIFNAME, &ifr) < 0) {
		r = -errno;
		snprintf(err, errlen, "its peer (ifindex %d) is not in network namespace %s",
			 e.ifindex, netns);
		goto out;
	}
	snprintf(e.name, sizeof(e.name), "%s", ifr.ifr_name);
	v = 1;
	r = ethtool_value(fd, e.name, ETHTOOL_SGRO, &v);
	if (!r && (xdp_mode || restore_csum)) {
		v = !xdp_mode;
		r = ethtool_value(fd, e.name, ETHTOOL_STXCSUM, &v);
	}
	if (r) {
		snprintf(err, errlen, "%s in %s: ethtool: %s", e.name, netns, strerror(-r));
		goto out;
	}
	v = 0;
	if (!ethtool_value(fd, e.name, ETHTOOL_GGRO, &v))
		e.gro = v;
	v = 0;
	if (!ethtool_value(fd, e.name, ETHTOOL_GTXCSUM, &v))
		e.tx_csum = v;
	v = 0;
	if (!ethtool_value(fd, e.name, ETHTOOL_GTSO, &v))
		e.tso = v;
	*ret = e;
out:
	close(fd);
	return r;
}

int net_link__vm_end_xdp(int ifindex, const char *netns, bool *ret_xdp)
{
	char nest[256], err[256];
	size_t len = sizeof(nest);
	struct rtattr *rta;
	int peer, fd, r, attrlen;

	r = net_link__veth_peer(ifindex, &peer);
	if (r)
		return r;
	fd = socket_in_netns(netns, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, err, sizeof(err));
	if (fd < 0)
		return fd;
	r = getlink_attr(fd, peer, IFLA_XDP, nest, &len);
	close(fd);
	if (r)
		return r;
	attrlen = len;
	for (rta = (struct rtattr *)nest; RTA_OK(rta, attrlen); rta = RTA_NEXT(rta, attrlen)) {
		if (rta->rta_type == IFLA_XDP_ATTACHED && RTA_PAYLOAD(rta) >= 1) {
			*ret_xdp = *(__u8 *)RTA_DATA(rta) != XDP_ATTACHED_NONE;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * One request to the kernel's qdiscs on @ifindex's root: @type
 * RTM_NEWQDISC (created or replacing what is there) or RTM_DELQDISC (only
 * if the root is fq: the kernel compares the kind); 0 or a negative errno.
 */
static int qdisc_fq_request(int ifindex, int type, int flags)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
		char attrs[64];
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)), .nlmsg_type = type,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags, .nlmsg_seq = 1 },
		.tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = TC_H_ROOT },
	};
	struct rtattr *kind = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	int fd, len, ret;

	kind->rta_type = TCA_KIND;
	kind->rta_len = RTA_LENGTH(sizeof("fq"));
	memcpy(RTA_DATA(kind), "fq", sizeof("fq"));
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(kind->rta_len);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	len = recv(fd, buf, sizeof(buf), 0);
	if (len < 0)
		ret = -errno;
	else if (!NLMSG_OK(nh, (unsigned)len) || nh->nlmsg_type != NLMSG_ERROR)
		ret = -EBADMSG;
	else
		ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
out:
	close(fd);
	return ret;
}

int net_link__fq(int ifindex, bool on)
{
	int ret;

	if (on)
		return qdisc_fq_request(ifindex, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
	ret = qdisc_fq_request(ifindex, RTM_DELQDISC, 0);
	/* Gone already, or never ours to remove (another kind at the root). */
	return ret == -ENOENT || ret == -EINVAL ? 0 : ret;
}
