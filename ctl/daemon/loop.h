/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boostd's event loop: one epoll set, a callback per watched descriptor.
 * The object interface (object.h) gives objects watch and unwatch; boostd
 * itself makes, runs and stops the loop.
 */
#ifndef BOOST_DAEMON_LOOP_H
#define BOOST_DAEMON_LOOP_H

#include "object.h"

struct boostd_loop *boostd_loop__new(void);
void boostd_loop__free(struct boostd_loop *loop); /* NULL is fine */

/* Run until boostd_loop__stop(); 0, or -errno if epoll itself failed. */
int boostd_loop__run(struct boostd_loop *loop);
void boostd_loop__stop(struct boostd_loop *loop);

#endif
