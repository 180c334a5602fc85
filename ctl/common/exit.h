/* SPDX-License-Identifier: GPL-2.0-only */
/* Exit statuses of every boost program, documented in boostctl(8) and boostd(8). */
#ifndef BOOST_EXIT_H
#define BOOST_EXIT_H

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

#endif
