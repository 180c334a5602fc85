// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostctl net: the network data path through boostd (ports, security
 * groups, attach, counters).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boost_shared.h"
#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "common/fileio.h"
#include "output.h"

static bool jbool(json_object *o, const char *key)
{
	return json_object_get_boolean(json_object_object_get(o, key));
}

static int simple(const char *command, json_object *args, const char *done)
{
	return client__call_done("net", command, args, done);
}

static int do_net_attach(int argc, char **argv)
{
	NO_MORE_ARGS();
	return simple("attach", NULL, "net: attached");
}

static int do_net_upgrade(int argc, char **argv)
{
	NO_MORE_ARGS();
	return simple("upgrade", NULL, "net: upgraded");
}

static int do_net_detach(int argc, char **argv)
{
	NO_MORE_ARGS();
	return simple("detach", NULL, "net: detached");
}

static void print_port(json_object *p)
{
	json_object *ips = json_object_object_get(p, "ips"), *vm;
	bool far;

	out__open_object(NULL);
	out__string("name", "  %-12s", client__str(p, "name"));
	out__string("kind", " %-6s", client__str(p, "kind"));
	out__string("mode", " mode %-3s", client__str(p, "mode"));
	out__int("ifindex", " ifindex %-4ld", client__int(p, "ifindex"));
	/* No per-port hook while an attach runs. */
	if (client__str(p, "attached"))
		out__string("attached", " attached %s", client__str(p, "attached"));
	if (client__str(p, "link")) {
		out__string("link", " link %s", client__str(p, "link"));
		out__string("link_since", " since %s", client__str(p, "link_since"));
	}
	if (json_object_object_get_ex(p, "probe", &vm)) {
		out__open_object("probe");
		out__string("target", " probe %s", client__str(vm, "target"));
		out__int("interval_ms", " every %ld ms", client__int(vm, "interval_ms"));
		out__int("misses", " %ld misses", client__int(vm, "misses"));
		out__bool("answered", " answered %s", jbool(vm, "answered"));
		out__close_object();
	}
	if (!client__str(p, "mac") && client__str(p, "netns"))
		out__string("netns", " netns %s", client__str(p, "netns"));
	if (client__str(p, "mac")) {
		out__string("mac", " mac %s", client__str(p, "mac"));
		out__int("sg", " sg %ld", client__int(p, "sg"));
		if (client__str(p, "network"))
			out__string("network", " network %s", client__str(p, "network"));
		if (client__str(p, "netns"))
			out__string("netns", " netns %s", client__str(p, "netns"));
		if (jbool(p, "router"))
			out__bool("router", " router %s", true);
		if (jbool(p, "afxdp"))
			out__bool("afxdp", " afxdp %s", true);
		out__open_array("ips");
		out__text(" ips");
		for (size_t i = 0; ips && i < json_object_array_length(ips); i++)
			out__string(NULL, " %s",
				    json_object_get_string(json_object_array_get_idx(ips, i)));
		out__close_array();
	}
	out__text("\n");
	if (json_object_object_get_ex(p, "rate", &vm)) {
		out__open_object("rate");
		out__text("    rate");
		if (client__str(vm, "in"))
			out__string("in", " in %s", client__str(vm, "in"));
		if (client__str(vm, "out"))
			out__string("out", " out %s", client__str(vm, "out"));
		if (json_object_object_get(vm, "pps"))
			out__int("pps", " pps %ld", client__int(vm, "pps"));
		if (json_object_object_get(vm, "burst"))
			out__int("burst", " burst %ld", client__int(vm, "burst"));
		out__bool("shape", " shape %s", jbool(vm, "shape"));
		if (json_object_object_get(vm, "fq"))
			out__bool("fq", " fq %s", jbool(vm, "fq"));
		out__text("\n");
		out__close_object();
	}
	far = json_object_object_get_ex(p, "far_end", &vm);
	if (far || json_object_object_get_ex(p, "vm_end", &vm)) {
		const char *what = far ? "far end" : "VM end";

		out__open_object(far ? "far_end" : "vm_end");
		if (client__str(vm, "error")) {
			out__text("    %s: ", what);
			out__string("error", "%s\n", client__str(vm, "error"));
		} else {
			out__text("    %s ", what);
			out__string("name", "%s:", client__str(vm, "name"));
			out__bool("gro", " gro %s", jbool(vm, "gro"));
			out__bool("tx_checksum", ", tx-checksumming %s", jbool(vm, "tx_checksum"));
			out__bool("tso", ", tso %s", jbool(vm, "tso"));
			if (json_object_object_get(vm, "xdp"))
				out__bool("xdp", ", xdp %s", jbool(vm, "xdp"));
			out__text("\n");
			if (client__str(vm, "warning"))
				out__string("warning", "    warning: %s\n", client__str(vm, "warning"));
		}
		out__close_object();
	}
	out__close_object();
}

/* The overlay (net_overlay.h): its end, its networks, its MTUs, its counters. */
static void print_overlay(json_object *o)
{
	json_object *nets = json_object_object_get(o, "networks"), *m, *c;

	out__open_object("overlay");
	out__string("local", "overlay: local %s", client__str(o, "local"));
	out__string("arp", ", arp %s\n", client__str(o, "arp"));
	out__open_array("networks");
	for (size_t i = 0; nets && i < json_object_array_length(nets); i++) {
		json_object *n = json_object_array_get_idx(nets, i);

		out__open_object(NULL);
		out__string("name", "  network %s", client__str(n, "name"));
		out__int("vni", " vni %ld", client__int(n, "vni"));
		out__int("vnics", ": %ld vnics here", client__int(n, "vnics"));
		out__int("remotes", ", %ld remote\n", client__int(n, "remotes"));
		out__close_object();
	}
	out__close_array();
	if (json_object_object_get_ex(o, "mtu", &m)) {
		out__open_object("mtu");
		out__int("uplink", "  mtu: uplink %ld", client__int(m, "uplink"));
		out__int("inner", ", carries %ld", client__int(m, "inner"));
		out__int("vnics", ", vnics up to %ld", client__int(m, "vnics"));
		out__string("how", ": %s\n", client__str(m, "how"));
		out__close_object();
	}
	if (json_object_object_get_ex(o, "counters", &c)) {
		out__open_object("counters");
		out__text("  counters:");
		json_object_object_foreach(c, k, v) {
			char fmt[64];

			snprintf(fmt, sizeof(fmt), " %s %%ld", k);
			out__int(k, fmt, json_object_get_int64(v));
		}
		out__text("\n");
		out__close_object();
	}
	out__close_object();
}

/* boost-xsk (DHCP for the VMs): its process and its counters. */
static void print_dhcp(json_object *o)
{
	json_object *c;

	out__open_object("dhcp");
	out__bool("running", "dhcp: boost-xsk %s", jbool(o, "running") ? "running" : "not running");
	if (json_object_object_get(o, "pid"))
		out__int("pid", ", pid %ld", client__int(o, "pid"));
	out__int("restarts", ", %ld restarts\n", client__int(o, "restarts"));
	if (client__str(o, "error"))
		out__string("error", "  %s\n", client__str(o, "error"));
	if (json_object_object_get_ex(o, "counters", &c)) {
		out__open_object("counters");
		out__text("  counters:");
		json_object_object_foreach(c, k, v) {
			char fmt[64];

			if (json_object_is_type(v, json_type_object)) {
				out__open_object(k);
				out__text(" (");
				json_object_object_foreach(v, rk, rv) {
					snprintf(fmt, sizeof(fmt), " %s %%ld", rk);
					out__int(rk, fmt, json_object_get_int64(rv));
				}
				out__text(" )");
				out__close_object();
				continue;
			}
			snprintf(fmt, sizeof(fmt), " %s %%ld", k);
			out__int(k, fmt, json_object_get_int64(v));
		}
		out__text("\n");
		out__close_object();
	}
	out__close_object();
}

static int do_net_status(int argc, char **argv)
{
	json_object *r, *ports;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("net", "status", NULL, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__bool("attached", NULL, jbool(r, "attached"));
	if (jbool(r, "attaching"))
		out__bool("attaching", NULL, true);
	if (jbool(r, "upgrading"))
		out__bool("upgrading", NULL, true);
	out__text("net: %s\n", jbool(r, "upgrading") ? "attached, upgrading" :
				jbool(r, "attached") ? "attached" :
				jbool(r, "attaching") ? "attaching" : "not attached");
	out__bool("may_attach", NULL, jbool(r, "may_attach"));
	if (client__str(r, "refused"))
		out__string("refused", "  data paths refused: %s\n", client__str(r, "refused"));
	out__string("pins", "  maps pinned under %s\n", client__str(r, "pins"));
	if (client__str(r, "revoked"))
		out__string("revoked", "  detached: %s\n", client__str(r, "revoked"));
	if (client__str(r, "not_adopted"))
		out__string("not_adopted", "  left attached, not adopted: %s\n",
			    client__str(r, "not_adopted"));
	if (client__str(r, "xdp_program")) {
		out__string("xdp_program", "  xdp: %s\n", client__str(r, "xdp_program"));
		out__string("tc_program", "  tc:  %s\n", client__str(r, "tc_program"));
	}
	out__int("rules", "  security group rules: %ld\n", client__int(r, "rules"));
	if (json_object_object_get(r, "overlay"))
		print_overlay(json_object_object_get(r, "overlay"));
	if (json_object_object_get(r, "dhcp"))
		print_dhcp(json_object_object_get(r, "dhcp"));
	out__text("ports:\n");
	out__open_array("ports");
	ports = json_object_object_get(r, "ports");
	for (size_t i = 0; ports && i < json_object_array_length(ports); i++)
		print_port(json_object_array_get_idx(ports, i));
	out__close_array();
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

/* The flow tables' counters @c, as JSON object @key; the text starts with @lead. */
static void print_flow_counters(const char *key, json_object *c, const char *lead)
{
	char fmt[64];

	snprintf(fmt, sizeof(fmt), "%screated %%ld", lead);
	out__open_object(key);
	out__int("created", fmt, client__int(c, "created"));
	out__int("expired", ", expired %ld", client__int(c, "expired"));
	out__int("evicted", ", evicted %ld", client__int(c, "evicted"));
	out__int("flushed", ", flushed %ld\n", client__int(c, "flushed"));
	out__close_object();
}

static int do_net_stats(int argc, char **argv)
{
	json_object *r, *ports;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("net", "stats", NULL, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__open_array("ports");
	ports = json_object_object_get(r, "ports");
	for (size_t i = 0; ports && i < json_object_array_length(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		json_object *drops = json_object_object_get(p, "drops");

		out__open_object(NULL);
		out__string("name", "%s", client__str(p, "name"));
		out__int("ifindex", " (ifindex %ld)\n", client__int(p, "ifindex"));
		out__int("rx_packets", "  rx %ld packets", client__int(p, "rx_packets"));
		out__int("rx_bytes", " %ld bytes", client__int(p, "rx_bytes"));
		out__int("tx_packets", "  tx %ld packets", client__int(p, "tx_packets"));
		out__int("tx_bytes", " %ld bytes\n", client__int(p, "tx_bytes"));
		out__int("flooded", "  flooded %ld", client__int(p, "flooded"));
		out__int("to_stack", "  to stack %ld", client__int(p, "to_stack"));
		out__int("fragments", "  fragments %ld\n", client__int(p, "fragments"));
		out__open_object("drops");
		out__text("  drops:");
		for (size_t k = 0; k < BOOST_DROP__MAX; k++) {
			char fmt[48];

			snprintf(fmt, sizeof(fmt), " %s %%ld", boost_drop_names[k]);
			out__int(boost_drop_names[k], fmt, client__int(drops, boost_drop_names[k]));
		}
		out__text("\n");
		out__close_object();
		out__close_object();
	}
	out__close_array();
	print_flow_counters("flows", json_object_object_get(r, "flows"), "flows: ");
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

/* ---- ports ------------------------------------------------------------ */

static int do_port_add(int argc, char **argv)
{
	json_object *port, *ips, *args;

	REQ_ARGS(1);
	port = json_object_new_object();
	ips = json_object_new_array();
	json_object_object_add(port, "name", json_object_new_string(argv[0]));
	NEXT_ARG();
	while (argc > 0) {
		const char *w = argv[0];

		if (strcmp(w, "uplink") == 0 || strcmp(w, "vnic") == 0) {
			json_object_object_add(port, "kind", json_object_new_string(w));
			NEXT_ARG();
			continue;
		}
		if (strcmp(w, "afxdp") == 0) {
			json_object_object_add(port, "afxdp", json_object_new_boolean(true));
			NEXT_ARG();
			continue;
		}
		if (argc < 2) {
			json_object_put(port);
			json_object_put(ips);
			return cli__usage_error("'%s' needs a value", w);
		}
		if (strcmp(w, "mac") == 0 || strcmp(w, "mode") == 0 || strcmp(w, "netns") == 0 ||
		    strcmp(w, "network") == 0) {
			json_object_object_add(port, w, json_object_new_string(argv[1]));
		} else if (strcmp(w, "ip") == 0) {
			json_object_array_add(ips, json_object_new_string(argv[1]));
		} else if (strcmp(w, "sg") == 0) {
			char *end;
			long id = strtol(argv[1], &end, 10);

			if (*end || end == argv[1] || id < 0) {
				json_object_put(port);
				json_object_put(ips);
				return cli__usage_error("sg '%s': expected a number", argv[1]);
			}
			json_object_object_add(port, "sg", json_object_new_int64(id));
		} else {
			json_object_put(port);
			json_object_put(ips);
			return cli__usage_error("unexpected argument '%s'", w);
		}
		NEXT_ARG();
		NEXT_ARG();
	}
	if (json_object_array_length(ips))
		json_object_object_add(port, "ips", ips);
	else
		json_object_put(ips);
	args = json_object_new_object();
	json_object_object_add(args, "port", port);
	return simple("port_add", args, "port added");
}

static int do_port_del(int argc, char **argv)
{
	json_object *args;

	REQ_ARGS(1);
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[0]));
	NEXT_ARG();
	if (argc > 0) {
		json_object_put(args);
		return cli__usage_error("unexpected argument '%s'", argv[0]);
	}
	return simple("port_del", args, "port deleted");
}

/*
 * net port set NAME rate ...: the keys are checked here (a usage error
 * names the word); the values by boostd, whose error names the key.
 */
static int do_port_set(int argc, char **argv)
{
	static const char *const keys[] = { "in", "out", "pps", "burst", "shape", NULL };
	json_object *args, *rate;
	const char *const *k;

	REQ_ARGS(2);
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[0]));
	NEXT_ARG();
	if (strcmp(argv[0], "rate")) {
		json_object_put(args);
		return cli__usage_error("net port set: unknown attribute '%s' (rate)", argv[0]);
	}
	NEXT_ARG();
	if (argc == 1 && strcmp(argv[0], "off") == 0) {
		json_object_object_add(args, "rate", NULL);
		return simple("port_set", args, "port set");
	}
	if (!argc) {
		json_object_put(args);
		return cli__usage_error("net port set: rate: give limits, or off");
	}
	rate = json_object_new_object();
	json_object_object_add(args, "rate", rate);
	for (; argc > 0; NEXT_ARG(), NEXT_ARG()) {
		for (k = keys; *k && strcmp(*k, argv[0]); k++)
			;
		if (!*k) {
			json_object_put(args);
			return cli__usage_error("net port set: rate: unknown key '%s' (in, out, pps, "
						"burst, shape)", argv[0]);
		}
		if (argc < 2) {
			json_object_put(args);
			return cli__usage_error("net port set: rate %s: needs a value", argv[0]);
		}
		if (strcmp(argv[1], "none") == 0)
			json_object_object_add(rate, argv[0], NULL);
		else if (strcmp(argv[0], "shape") == 0 && strcmp(argv[1], "on") &&
			 strcmp(argv[1], "off")) {
			json_object_put(args);
			return cli__usage_error("net port set: rate shape: '%s' is not on or off",
						argv[1]);
		} else if (strcmp(argv[0], "shape") == 0)
			json_object_object_add(rate, "shape",
					       json_object_new_boolean(strcmp(argv[1], "on") == 0));
		else
			json_object_object_add(rate, argv[0], json_object_new_string(argv[1]));
	}
	return simple("port_set", args, "port set");
}

static int do_port_list(int argc, char **argv)
{
	return do_net_status(argc, argv);
}

static const struct cmd port_cmds[] = {
	{ "add", .func = do_port_add,
	  .args = "NAME uplink [mode MODE] [netns NS]\n"
		  "NAME [vnic] mac MAC [ip ADDR]... [sg ID] [mode MODE] [netns NS] [network NET] [afxdp]" },
	{ "del", .func = do_port_del, .args = "NAME" },
	{ "set", .func = do_port_set,
	  .args = "NAME rate [in RATE] [out RATE] [pps PPS] [burst SIZE] [shape SHAPE]\n"
		  "NAME rate off" },
	{ "list", .func = do_port_list },
	{ 0 },
};

static const struct cmd_group port_group = {
	.path = "net port",
	.cmds = port_cmds,
	.defs = "MODE := { tc | xdp }   (vnic default tc: keeps TSO and checksum offload;\n"
		"                       uplink default tc on a veth or with an overlay, xdp on\n"
		"                       a NIC; a vnic in a network is tc only)\n"
		"NS   := the network namespace of the veth's far end (the VM's, the ToR's),\n"
		"        /run/netns/NS\n"
		"NET  := a tenant network of the document's \"networks\" (boost-network(5))\n"
		"RATE := N{bit|kbit|mbit|gbit|tbit} | none   bits a second (in: towards the VM)\n"
		"PPS  := N[k|m|g] | none                     packets a second, each way\n"
		"SIZE := N[k|m|g] | none                     bytes (powers of 1024)\n"
		"SHAPE := { on | off }                       on: pace the in rate (tc mode)",
	.doc = "In NS boostd turns GRO on at the far end (frames XDP redirects into a\n"
	       "veth need it) and, in xdp mode, tx checksum offload off (TSO follows).\n"
	       "Without NS, boostctl warns where the path needs either.\n"
	       "afxdp: the VM runs an XDP program on its end (an AF_XDP socket, DPDK's\n"
	       "af_xdp driver); frames to it from tc-mode ports then reach that program.\n"
	       "The overlay (network NET) runs in boost's TC program only: its XDP program\n"
	       "changes no packet data, to share libxdp's dispatcher; xdp mode is refused\n"
	       "for a vnic in a network and for an uplink when there is an overlay.\n"
	       "set changes a vNIC's rate limits in place (no reattach): a key given replaces\n"
	       "its value, none removes it, 'rate off' removes them all. Over a limit frames\n"
	       "are dropped (drop reason rate); with shape on (tc mode only) the in rate paces\n"
	       "frames through an fq qdisc boostd puts on the vNIC, for TCP.",
};

/* ---- security groups ---------------------------------------------------- */

static int number(const char *s, long max, json_object **ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > max)
		return -EINVAL;
	*ret = json_object_new_int64(v);
	return 0;
}

static int do_sg_add(int argc, char **argv)
{
	json_object *id, *rule, *args, *v;

	REQ_ARGS(1);
	if (number(argv[0], UINT32_MAX, &id))
		return cli__usage_error("security group '%s': expected a number", argv[0]);
	NEXT_ARG();
	rule = json_object_new_object();
	while (argc > 0) {
		const char *w = argv[0];

		if (strcmp(w, "allow") == 0 || strcmp(w, "deny") == 0) {
			json_object_object_add(rule, "action", json_object_new_string(w));
			NEXT_ARG();
			continue;
		}
		if (argc < 2) {
			json_object_put(rule);
			json_object_put(id);
			return cli__usage_error("'%s' needs a value", w);
		}
		if (strcmp(w, "prio") == 0 || strcmp(w, "priority") == 0) {
			if (number(argv[1], 65535, &v)) {
				json_object_put(rule);
				json_object_put(id);
				return cli__usage_error("prio '%s': expected 0 to 65535", argv[1]);
			}
			json_object_object_add(rule, "priority", v);
		} else if (strcmp(w, "dir") == 0 || strcmp(w, "proto") == 0 ||
			   strcmp(w, "cidr") == 0 || strcmp(w, "ports") == 0) {
			json_object_object_add(rule, w, json_object_new_string(argv[1]));
		} else {
			json_object_put(rule);
			json_object_put(id);
			return cli__usage_error("unexpected argument '%s'", w);
		}
		NEXT_ARG();
		NEXT_ARG();
	}
	args = json_object_new_object();
	json_object_object_add(args, "id", id);
	json_object_object_add(args, "rule", rule);
	return simple("sg_add", args, "rule added");
}

static int do_sg_del(int argc, char **argv)
{
	json_object *id, *args, *prio;

	REQ_ARGS(1);
	if (number(argv[0], UINT32_MAX, &id))
		return cli__usage_error("security group '%s': expected a number", argv[0]);
	NEXT_ARG();
	args = json_object_new_object();
	json_object_object_add(args, "id", id);
	if (argc > 0) {
		if (argc != 2 || (strcmp(argv[0], "prio") && strcmp(argv[0], "priority")) ||
		    number(argv[1], 65535, &prio)) {
			json_object_put(args);
			return cli__usage_error("expected 'prio N' after the group");
		}
		json_object_object_add(args, "priority", prio);
	}
	return simple("sg_del", args, "deleted");
}

static int do_sg_list(int argc, char **argv)
{
	json_object *r;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("net", "sg_list", NULL, &r);
	if (ret)
		return ret;
	out__open_array(NULL);
	for (size_t i = 0; i < json_object_array_length(r); i++) {
		json_object *sg = json_object_array_get_idx(r, i);
		json_object *rules = json_object_object_get(sg, "rules");

		out__open_object(NULL);
		out__int("id", "security group %ld\n", client__int(sg, "id"));
		out__open_array("rules");
		for (size_t j = 0; rules && j < json_object_array_length(rules); j++) {
			json_object *ru = json_object_array_get_idx(rules, j);

			out__open_object(NULL);
			out__int("priority", "  prio %-5ld", client__int(ru, "priority"));
			out__string("dir", " %-3s", client__str(ru, "dir"));
			out__string("proto", " %-6s", client__str(ru, "proto") ?
				    client__str(ru, "proto") : "any");
			out__string("cidr", " %-20s", client__str(ru, "cidr"));
			if (client__str(ru, "ports"))
				out__string("ports", " ports %s", client__str(ru, "ports"));
			out__string("action", " %s\n", client__str(ru, "action"));
			out__close_object();
		}
		out__close_array();
		out__close_object();
	}
	out__close_array();
	json_object_put(r);
	return EXIT_OK;
}

static const struct cmd sg_cmds[] = {
	{ "add", .func = do_sg_add,
	  .args = "ID prio N dir DIR [proto PROTO] cidr CIDR [ports RANGE] ACTION" },
	{ "del", .func = do_sg_del, .args = "ID [prio N]" },
	{ "list", .func = do_sg_list },
	{ 0 },
};

static const struct cmd_group sg_group = {
	.path = "net sg",
	.cmds = sg_cmds,
	.defs = "DIR    := { in | out }       in: towards the VM; default deny in, allow out\n"
		"PROTO  := { tcp | udp | icmp | icmpv6 | any }\n"
		"RANGE  := PORT | PORT-PORT   destination port, tcp and udp only\n"
		"ACTION := { allow | deny }   the rule of the lowest priority that matches wins",
};

/* ---- uplinks ----------------------------------------------------------- */

static int do_uplink_add(int argc, char **argv)
{
	json_object *port, *args, *v;

	REQ_ARGS(1);
	port = json_object_new_object();
	json_object_object_add(port, "name", json_object_new_string(argv[0]));
	json_object_object_add(port, "kind", json_object_new_string("uplink"));
	NEXT_ARG();
	while (argc > 0) {
		const char *w = argv[0];

		if (argc < 2) {
			json_object_put(port);
			return cli__usage_error("'%s' needs a value", w);
		}
		if (strcmp(w, "mode") == 0 || strcmp(w, "netns") == 0 || strcmp(w, "probe") == 0) {
			json_object_object_add(port, w, json_object_new_string(argv[1]));
		} else if (strcmp(w, "interval") == 0 || strcmp(w, "misses") == 0) {
			if (number(argv[1], 1000000, &v)) {
				json_object_put(port);
				return cli__usage_error("%s '%s': expected a number", w, argv[1]);
			}
			json_object_object_add(port, strcmp(w, "interval") == 0 ? "probe_interval_ms" :
				"probe_misses", v);
		} else {
			json_object_put(port);
			return cli__usage_error("unexpected argument '%s'", w);
		}
		NEXT_ARG();
		NEXT_ARG();
	}
	args = json_object_new_object();
	json_object_object_add(args, "port", port);
	return simple("port_add", args, "uplink added");
}

/* Remove an uplink; a vNIC's name is refused (net port del removes any port). */
static int do_uplink_del(int argc, char **argv)
{
	json_object *r, *ports;
	const char *kind = NULL;
	int ret;

	REQ_ARGS(1);
	ret = client__call("net", "status", NULL, &r);
	if (ret)
		return ret;
	ports = json_object_object_get(r, "ports");
	for (size_t i = 0; ports && i < json_object_array_length(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);

		if (strcmp(client__str(p, "name"), argv[0]) == 0)
			kind = client__str(p, "kind");
	}
	ret = kind && strcmp(kind, "uplink") ? cli__fail("net uplink del: port %s is a %s, not an "
							 "uplink", argv[0], kind) : EXIT_OK;
	json_object_put(r);
	return ret ? ret : do_port_del(argc, argv);
}

/* The uplinks alone: each one's link, since when, and its probe. */
static int do_uplink_list(int argc, char **argv)
{
	json_object *r, *ports;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("net", "status", NULL, &r);
	if (ret)
		return ret;
	out__open_array(NULL);
	ports = json_object_object_get(r, "ports");
	for (size_t i = 0; ports && i < json_object_array_length(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);

		if (client__str(p, "kind") && strcmp(client__str(p, "kind"), "uplink") == 0)
			print_port(p);
	}
	out__close_array();
	json_object_put(r);
	return EXIT_OK;
}

static const struct cmd uplink_cmds[] = {
	{ "add", .func = do_uplink_add,
	  .args = "NAME [mode MODE] [netns NS] [probe ADDR [interval MS] [misses N]]" },
	{ "del", .func = do_uplink_del, .args = "NAME" },
	{ "list", .func = do_uplink_list },
	{ 0 },
};

static const struct cmd_group uplink_group = {
	.path = "net uplink",
	.cmds = uplink_cmds,
	.defs = "MODE := { tc | xdp }   (default tc on a veth, xdp on a NIC)\n"
		"NS   := the namespace of a veth uplink's far end, /run/netns/NS\n"
		"ADDR := an IPv4 router behind the uplink, ARP-probed every MS (default 100)\n"
		"        milliseconds; N (default 3) unanswered take it out of the group",
	.doc = "The uplinks (up to 8) form one group: the VMs' flows spread over those whose\n"
	       "link is up (and whose probe is answered), by flow hash; a link that goes\n"
	       "down or silent takes its flows to the others until it returns. list shows\n"
	       "each uplink's link and since when.",
};

/* ---- flows ------------------------------------------------------------- */

/* The optional PORT of a flows command, into @ret_args (NULL if none). */
static int flows_port_arg(int argc, char **argv, json_object **ret_args)
{
	*ret_args = NULL;
	if (argc > 1)
		return cli__usage_error("unexpected argument '%s'", argv[1]);
	if (argc == 1) {
		*ret_args = json_object_new_object();
		json_object_object_add(*ret_args, "port", json_object_new_string(argv[0]));
	}
	return EXIT_OK;
}

static void print_flow(json_object *f)
{
	bool ports = client__str(f, "vm_port") != NULL;
	bool v6 = client__int(f, "family") == 6;
	char vm[96], remote[96];

	if (ports) {
		snprintf(vm, sizeof(vm), v6 ? "[%s]:%ld" : "%s:%ld", client__str(f, "vm"),
			 (long)client__int(f, "vm_port"));
		snprintf(remote, sizeof(remote), v6 ? "[%s]:%ld" : "%s:%ld",
			 client__str(f, "remote"), (long)client__int(f, "remote_port"));
	} else {
		snprintf(vm, sizeof(vm), "%s", client__str(f, "vm"));
		snprintf(remote, sizeof(remote), "%s", client__str(f, "remote"));
	}
	out__open_object(NULL);
	out__string("port", "  %-8s", client__str(f, "port"));
	out__int("family", NULL, client__int(f, "family"));
	out__string("proto", " %-6s", client__str(f, "proto"));
	out__string("vm", NULL, client__str(f, "vm"));
	out__string("remote", NULL, client__str(f, "remote"));
	if (ports) {
		out__int("vm_port", NULL, client__int(f, "vm_port"));
		out__int("remote_port", NULL, client__int(f, "remote_port"));
	}
	out__text(" %s <-> %s", vm, remote);
	if (client__str(f, "id"))
		out__int("id", " id %ld", client__int(f, "id"));
	out__string("state", "  %s", client__str(f, "state"));
	out__int("idle_s", "  idle %lds", client__int(f, "idle_s"));
	out__int("age_s", "  age %lds", client__int(f, "age_s"));
	out__int("packets", "  %ld packets", client__int(f, "packets"));
	out__int("bytes", " %ld bytes\n", client__int(f, "bytes"));
	out__close_object();
}

static int do_flows_list(int argc, char **argv)
{
	json_object *args, *r, *flows, *c;
	int ret;

	ret = flows_port_arg(argc, argv, &args);
	if (ret)
		return ret;
	ret = client__call("net", "flows_list", args, &r);
	if (ret)
		return ret;
	c = json_object_object_get(r, "counters");
	out__open_object(NULL);
	out__int("live", "flows: %ld live", client__int(r, "live"));
	if (json_object_get_boolean(json_object_object_get(r, "truncated")))
		out__bool("truncated", " (the first listed only)", true);
	print_flow_counters("counters", c, "; ");
	out__open_array("flows");
	flows = json_object_object_get(r, "flows");
	for (size_t i = 0; flows && i < json_object_array_length(flows); i++)
		print_flow(json_object_array_get_idx(flows, i));
	out__close_array();
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static int do_flows_flush(int argc, char **argv)
{
	json_object *args, *r;
	int ret;

	ret = flows_port_arg(argc, argv, &args);
	if (ret)
		return ret;
	ret = client__call("net", "flows_flush", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__int("flushed", "flows: %ld flushed\n", client__int(r, "flushed"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static const struct cmd flows_cmds[] = {
	{ "list", .func = do_flows_list, .args = "[PORT]",
	  .doc = "The live flows (of PORT, else of every vNIC): addresses, ports, state,\n"
		 "seconds since the last frame (idle) and since the first (age), packets\n"
		 "and bytes both ways; and the tables' counters." },
	{ "flush", .func = do_flows_flush, .args = "[PORT]",
	  .doc = "Delete the flows (of PORT, else every one): their return traffic then meets\n"
		 "the inbound rules as they are now, as a new flow's does." },
	{ 0 },
};

static const struct cmd_group flows_group = {
	.path = "net flows",
	.cmds = flows_cmds,
	.defs = "PORT := a vNIC of the network document",
	.doc = "A flow is what a VM opened (a TCP SYN, a UDP datagram, a ping) and lets its\n"
	       "replies in until it has been idle for its state's timeout (the network\n"
	       "document's \"flows\", boost-network(5)). A rule change applies to new flows;\n"
	       "flush makes it apply to the existing ones. Counters: created, expired (idle\n"
	       "past their timeout), evicted (a table was full: the least recently used\n"
	       "flow goes), flushed.",
};

/* ---- steer ------------------------------------------------------------- */

/*
 * PORT [proto P] [dport N] [cidr C] [queue Q] into {"port", "rule"}; the
 * words are checked here, their values by boostd (its error names the key).
 */
static int steer_args(int argc, char **argv, json_object **ret_args)
{
	json_object *rule, *v;

	*ret_args = NULL;
	if (argc < 1)
		return cli__usage_error("a port is needed");
	rule = json_object_new_object();
	*ret_args = json_object_new_object();
	json_object_object_add(*ret_args, "port", json_object_new_string(argv[0]));
	json_object_object_add(*ret_args, "rule", rule);
	for (NEXT_ARG(); argc > 0; NEXT_ARG(), NEXT_ARG()) {
		const char *w = argv[0];

		if (strcmp(w, "proto") && strcmp(w, "dport") && strcmp(w, "cidr") &&
		    strcmp(w, "queue")) {
			json_object_put(*ret_args);
			*ret_args = NULL;
			return cli__usage_error("unexpected argument '%s' (proto, dport, cidr, queue)",
						w);
		}
		if (argc < 2) {
			json_object_put(*ret_args);
			*ret_args = NULL;
			return cli__usage_error("'%s' needs a value", w);
		}
		if (strcmp(w, "dport") == 0 || strcmp(w, "queue") == 0) {
			if (number(argv[1], 65535, &v)) {
				json_object_put(*ret_args);
				*ret_args = NULL;
				return cli__usage_error("%s '%s': expected a number", w, argv[1]);
			}
			json_object_object_add(rule, w, v);
		} else {
			json_object_object_add(rule, w, json_object_new_string(argv[1]));
		}
	}
	return EXIT_OK;
}

static int do_steer_add(int argc, char **argv)
{
	json_object *args;
	int ret = steer_args(argc, argv, &args);

	if (ret)
		return ret;
	return simple("steer_add", args, "steer rule added");
}

static int do_steer_del(int argc, char **argv)
{
	json_object *args;
	int ret = steer_args(argc, argv, &args);

	if (ret)
		return ret;
	return simple("steer_del", args, "steer rule deleted");
}

static int do_steer_list(int argc, char **argv)
{
	json_object *args = NULL, *r, *ports;
	int ret;

	if (argc > 1)
		return cli__usage_error("unexpected argument '%s'", argv[1]);
	if (argc == 1) {
		args = json_object_new_object();
		json_object_object_add(args, "port", json_object_new_string(argv[0]));
	}
	ret = client__call("net", "steer_list", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__open_array("ports");
	ports = json_object_object_get(r, "ports");
	for (size_t i = 0; ports && i < json_object_array_length(ports); i++) {
		json_object *p = json_object_array_get_idx(ports, i);
		json_object *rules = json_object_object_get(p, "rules");
		json_object *c = json_object_object_get(p, "counters");

		out__open_object(NULL);
		out__string("port", "%s", client__str(p, "port"));
		out__int("ifindex", " (ifindex %ld,", client__int(p, "ifindex"));
		out__string("mode", " mode %s)", client__str(p, "mode"));
		if (client__str(p, "xsk_map"))
			out__string("xsk_map", " sockets in %s", client__str(p, "xsk_map"));
		out__text("\n");
		out__open_array("rules");
		for (size_t j = 0; rules && j < json_object_array_length(rules); j++) {
			json_object *ru = json_object_array_get_idx(rules, j);

			out__open_object(NULL);
			out__string("proto", "  proto %-6s", client__str(ru, "proto"));
			if (json_object_object_get(ru, "dport"))
				out__int("dport", " dport %-5ld", client__int(ru, "dport"));
			if (client__str(ru, "cidr"))
				out__string("cidr", " cidr %s", client__str(ru, "cidr"));
			out__int("queue", " -> queue %ld\n", client__int(ru, "queue"));
			out__close_object();
		}
		out__close_array();
		out__open_object("counters");
		out__int("steered", "  steered %ld", client__int(c, "steered"));
		out__int("no_socket", ", no socket %ld", client__int(c, "no_socket"));
		out__int("other_queue", ", other queue %ld\n", client__int(c, "other_queue"));
		out__close_object();
		out__close_object();
	}
	out__close_array();
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static const struct cmd steer_cmds[] = {
	{ "add", .func = do_steer_add,
	  .args = "PORT [proto PROTO] [dport N] [cidr CIDR] queue Q" },
	{ "del", .func = do_steer_del, .args = "PORT [proto PROTO] [dport N] [cidr CIDR] [queue Q]" },
	{ "list", .func = do_steer_list, .args = "[PORT]" },
	{ 0 },
};

static const struct cmd_group steer_group = {
	.path = "net steer",
	.cmds = steer_cmds,
	.defs = "PROTO := { tcp | udp | icmp | icmpv6 | any }   (default any)\n"
		"N     := a destination port, 1 to 65535, tcp and udp only\n"
		"CIDR  := the destination's prefix, as 192.0.2.0/24 or 2001:db8::/64\n"
		"Q     := the receive queue, 0 to 63, whose AF_XDP socket gets the frames",
	.doc = "AF_XDP steering: IP frames that PORT (in xdp mode) receives and the policy\n"
	       "lets through (anti-spoofing, security groups, rate limits), that match a\n"
	       "rule (the first of up to 8, in order) and came in on receive queue Q, go to\n"
	       "the AF_XDP socket bound to PORT's queue Q, which its program put in the\n"
	       "XSKMAP that list names (/sys/fs/bpf/boost/xsk/PORT); with no socket there,\n"
	       "they go on as before, counted (no socket, other queue). del removes the\n"
	       "rule with the same match.",
};

/* ---- dhcp -------------------------------------------------------------- */

/*
 * PORT prefix N [gateway A] [server A] [dns A]... [mtu N] [lease S] into
 * {"port", "dhcp"}; the words are checked here, the values by boostd (its
 * error names the key).
 */
static int do_dhcp_set(int argc, char **argv)
{
	json_object *args, *dhcp, *dns = NULL, *v;

	if (argc < 1)
		return cli__usage_error("a port is needed");
	args = json_object_new_object();
	dhcp = json_object_new_object();
	json_object_object_add(args, "port", json_object_new_string(argv[0]));
	json_object_object_add(args, "dhcp", dhcp);
	for (NEXT_ARG(); argc > 0; NEXT_ARG(), NEXT_ARG()) {
		const char *w = argv[0];

		if (strcmp(w, "prefix") && strcmp(w, "gateway") && strcmp(w, "server") &&
		    strcmp(w, "dns") && strcmp(w, "mtu") && strcmp(w, "lease")) {
			json_object_put(args);
			return cli__usage_error("unexpected argument '%s' (prefix, gateway, server, "
						"dns, mtu, lease)", w);
		}
		if (argc < 2) {
			json_object_put(args);
			return cli__usage_error("'%s' needs a value", w);
		}
		if (strcmp(w, "prefix") == 0 || strcmp(w, "mtu") == 0 || strcmp(w, "lease") == 0) {
			if (number(argv[1], 4294967295L, &v)) {
				json_object_put(args);
				return cli__usage_error("%s '%s': expected a number", w, argv[1]);
			}
			json_object_object_add(dhcp, strcmp(w, "lease") ? w : "lease_s", v);
		} else if (strcmp(w, "dns") == 0) {
			if (!dns) {
				dns = json_object_new_array();
				json_object_object_add(dhcp, "dns", dns);
			}
			json_object_array_add(dns, json_object_new_string(argv[1]));
		} else {
			json_object_object_add(dhcp, w, json_object_new_string(argv[1]));
		}
	}
	return simple("dhcp_set", args, "dhcp set");
}

static int do_dhcp_del(int argc, char **argv)
{
	json_object *args;

	if (argc != 1)
		return argc ? cli__usage_error("unexpected argument '%s'", argv[1]) :
			      cli__usage_error("a port is needed");
	args = json_object_new_object();
	json_object_object_add(args, "port", json_object_new_string(argv[0]));
	return simple("dhcp_del", args, "dhcp removed");
}

static const struct cmd dhcp_cmds[] = {
	{ "set", .func = do_dhcp_set,
	  .args = "PORT prefix N [gateway ADDR] [server ADDR] [dns ADDR]... [mtu MTU] [lease S]" },
	{ "del", .func = do_dhcp_del, .args = "PORT" },
	{ 0 },
};

static const struct cmd_group dhcp_group = {
	.path = "net dhcp",
	.cmds = dhcp_cmds,
	.defs = "N     := the prefix length of the VM's address, 1 to 32\n"
		"ADDR  := an IPv4 address; dns up to 3 times\n"
		"MTU   := 68 to 65535 (default: none given)\n"
		"S     := the lease time in seconds, 60 or more (default 86400)",
	.doc = "DHCPv4 for the VM of PORT (a vnic in xdp mode with an IPv4 address, no steer\n"
	       "rules), from boost-xsk: a DISCOVER gets PORT's first IPv4 address, with the\n"
	       "prefix, the gateway as router and server identifier (or server), the DNS\n"
	       "servers, the MTU and the lease time; a REQUEST of another address a NAK.\n"
	       "boostd runs boost-xsk, the verified artifact, while the network is attached\n"
	       "and a port has dhcp; 'net status' shows it and its counters. set replaces\n"
	       "PORT's settings, del removes them.",
};

static const struct cmd net_cmds[] = {
	{ "attach", .func = do_net_attach },
	{ "detach", .func = do_net_detach },
	{ "upgrade", .func = do_net_upgrade },
	{ "status", .func = do_net_status },
	{ "stats", .func = do_net_stats },
	{ "port", .sub = &port_group },
	{ "uplink", .sub = &uplink_group },
	{ "sg", .sub = &sg_group },
	{ "flows", .sub = &flows_group },
	{ "steer", .sub = &steer_group },
	{ "dhcp", .sub = &dhcp_group },
	{ 0 },
};

const struct cmd_group net_group = {
	.path = "net",
	.cmds = net_cmds,
	.doc = "attach loads the verified net_xdp.bpf.o and net_tc.bpf.o and attaches them to\n"
	       "the ports (only on a host that passed its own attestation); detach removes\n"
	       "them, and the pinned maps stay. upgrade swaps the running programs for the\n"
	       "newest verified build ('boostctl trust load' its objects first) on every port\n"
	       "at once, keeping the maps. stats prints the per-port counters and the flow\n"
	       "tables' (zero before the first attach). status shows the ports and, with\n"
	       "tenant networks (boost-network(5), networks), the overlay: its networks, the\n"
	       "MTU its tunnels carry and its counters. 'boostctl apply FILE' sets ports,\n"
	       "groups, flow timeouts and networks at once.",
};
