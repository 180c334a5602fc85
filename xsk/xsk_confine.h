/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boost-xsk's confinement, once its sockets are in their maps
 * (docs/network.md, "boost-xsk"; boost-ublk's is the model,
 * ublk-target/blk_confine.c): every capability dropped, no_new_privs, and
 * a seccomp filter of the calls the serving loop and the exit make.
 */
#ifndef BOOST_XSK_CONFINE_H
#define BOOST_XSK_CONFINE_H

/* Confine the process; @stats (or NULL) is the counters' file it keeps writing. */
int xsk_confine__enter(const char *stats);

#endif
