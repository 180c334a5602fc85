/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boostd's side of boost-xsk (docs/network.md, "boost-xsk"): the worker
 * runs while the data path is attached and some port has "dhcp". It is
 * the artifact "boost-xsk" of the trust policy (kind exec), started from
 * the bytes the trust gate verified and measured (boostd_loader__spawn),
 * with the network document as its fd 3; its pidfd is watched on the
 * loop. A change of the document restarts it (SIGTERM; the start follows
 * its exit); a death is restarted, NET_XSK_RESTART_MAX times within
 * NET_XSK_RESTART_WINDOW s, then given up until the next change.
 */
#ifndef BOOST_NET_XSK_H
#define BOOST_NET_XSK_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "daemon/object.h"
#include "net_conf.h"

#define NET_XSK_ARTIFACT "boost-xsk"
#define NET_XSK_RESTART_MAX 5
#define NET_XSK_RESTART_WINDOW 60
#define NET_XSK_STATS_FILE "xsk-stats.json"

struct net_xsk;

/* NULL with errno; its counters go to @state_dir/NET_XSK_STATS_FILE. */
struct net_xsk *net_xsk__new(struct boostd_loader *loader, struct boostd_loop *loop,
			     const char *state_dir);
/* Stops the worker (SIGTERM, then SIGKILL past a second). NULL is fine. */
void net_xsk__free(struct net_xsk *x);

/*
 * The network is now @doc (parsed: @c), attached or not (@attached): the
 * worker is started, restarted with @doc, or stopped to match.
 */
void net_xsk__sync(struct net_xsk *x, json_object *doc, const struct net_conf *c,
		   bool attached);

/* {"running", "pid", "restarts", "error", "counters"} for net status. */
json_object *net_xsk__status(const struct net_xsk *x);

/*
 * Its Prometheus families: boost_xsk_up, boost_xsk_restarts_total,
 * boost_xsk_received_total, boost_xsk_requests_total{outcome},
 * boost_xsk_malformed_total{reason}, boost_xsk_tx_full_total,
 * boost_xsk_kernel_dropped_total (its
 * counters start again from 0 when it is restarted).
 */
void net_xsk__metrics(const struct net_xsk *x, FILE *out);

#endif
