/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the files of the network document's parser share (net_conf.c,
 * net_conf_overlay.c), and no one else: the error macro and two helpers.
 */
#ifndef BOOST_NET_CONF_PARSE_H
#define BOOST_NET_CONF_PARSE_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* Say why in err (errlen bytes), ret -EINVAL, and goto out. */
#define FAIL(...)                                                  \
	do {                                                       \
		snprintf(err, errlen, __VA_ARGS__);                \
		ret = -EINVAL;                                     \
		goto out;                                          \
	} while (0)

/* A unicast MAC, as 02:00:00:00:00:01: 0 or -EINVAL. */
int net_conf__parse_mac(const char *s, uint8_t *mac);

/* The first key of @o that is not one of @keys (NULL-terminated), or NULL. */
const char *net_conf__unknown_key(json_object *o, const char *const *keys);

struct net_conf_port;

/* A vnic's "dhcp" object @o into @p, whose other keys are parsed (net_conf_dhcp.c). */
int net_conf__parse_dhcp(json_object *o, const char *at, struct net_conf_port *p, char *err,
			 size_t errlen);

#endif
