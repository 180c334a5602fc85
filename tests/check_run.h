/* SPDX-License-Identifier: GPL-2.0-only */
/* The main() of a Check suite: run it, print Check's report, exit status. */
#ifndef BOOST_CHECK_RUN_H
#define BOOST_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Run every test of @s (the runner takes it) and return the exit status. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
