/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Security-group rules and their compilation into the boost_sg LPM trie.
 *
 * The trie returns one entry per lookup, the longest prefix that holds the
 * address; the rules whose CIDR contains an address form a chain of nested
 * prefixes, all of which contain that longest one. So each distinct prefix
 * of a (group, direction, family) becomes one entry holding its own rules
 * and those of every shorter prefix containing it, sorted by priority: one
 * lookup finds exactly the rules that match the address, in order.
 */
#ifndef BOOST_NET_SG_H
#define BOOST_NET_SG_H

#include <stddef.h>
#include <stdint.h>

#include "boost_shared.h"

struct net_sg_rule {
	uint32_t sg_id;      /* 1 and up */
	uint16_t priority;   /* lower first */
	uint8_t dir;         /* enum boost_sg_dir */
	uint8_t family;      /* 4 or 6 */
	uint8_t prefix_len;
	uint8_t addr[16];    /* masked to prefix_len */
	uint8_t proto;       /* 0: any */
	uint8_t action;      /* enum boost_sg_action */
	uint16_t port_lo, port_hi;
};

struct net_sg_entry {
	struct boost_sg_key key;
	struct boost_sg_rules rules;
};

/*
 * Parse "CIDR" ("198.51.100.0/24", "2001:db8::/32", or an address alone)
 * into @r's family, addr (masked) and prefix_len. Returns 0 or -EINVAL.
 */
int net_sg__parse_cidr(const char *s, struct net_sg_rule *r);
/* Format @r's CIDR into @buf. */
void net_sg__format_cidr(const struct net_sg_rule *r, char *buf, size_t len);

/*
 * Compile @n rules into trie entries (malloc'ed array in *ret_entries).
 * Returns 0, or -E2BIG when more than BOOST_SG_MAX_MATCH rules cover one
 * prefix (the rule's index in *ret_bad), or -ENOMEM.
 */
int net_sg__compile(const struct net_sg_rule *rules, size_t n, struct net_sg_entry **ret_entries,
		    size_t *ret_n, size_t *ret_bad);

/* The tries' pinned names, by BOOST_SG_MAP_* index. */
extern const char *const net_sg__map_names[BOOST_SG_NMAPS];

/* A key of one of the tries. */
union net_sg_map_key {
	struct boost_sg_key4 k4;
	struct boost_sg_key6 k6;
};

/*
 * Make the tries @map_fds (by BOOST_SG_MAP_* index) hold exactly @entries,
 * each in the trie of its direction and family: add and replace first,
 * then delete what is no longer there, so a lookup never misses a rule
 * that stays. Returns 0 or -errno.
 */
int net_sg__sync(const int map_fds[BOOST_SG_NMAPS], const struct net_sg_entry *entries, size_t n);

#endif
