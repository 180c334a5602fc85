/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Prometheus text exposition format (version 0.0.4), as node_exporter's
 * textfile collector and a Prometheus server read it: a family is a HELP
 * line, a TYPE line and its samples, all together; label values are
 * escaped (\\, \", \n). The objects that own the counters write their
 * families through these calls (the object interface's `metrics`).
 */
#ifndef BOOST_PROM_H
#define BOOST_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "# HELP @name @help" and "# TYPE @name @type" (counter, gauge, histogram). */
void prom__family(FILE *out, const char *name, const char *type, const char *help);

/*
 * One sample: @name{LABEL="VALUE",...} @value. The labels are pairs of
 * strings (name, value) after @value, ended by NULL.
 */
void prom__u64(FILE *out, const char *name, uint64_t value, ...)
	__attribute__((sentinel));
/* The same with a value given in nanoseconds, written in seconds exactly. */
void prom__seconds(FILE *out, const char *name, uint64_t ns, ...)
	__attribute__((sentinel));

/*
 * @ns nanoseconds as seconds in decimal, exactly (no float rounding):
 * 0, 0.000001023, 274.877906943. Returns @buf.
 */
char *prom__ns_to_seconds(uint64_t ns, char *buf, size_t len);

#endif
