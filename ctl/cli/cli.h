/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command dispatch for boostctl, in the shape of bpftool and ip(8): each
 * object has a table of commands, matched by unambiguous prefix.
 */
#ifndef BOOST_CLI_H
#define BOOST_CLI_H

#include <stdbool.h>

#include "common/exit.h"


struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/* Global state set by the option parser in main(). */
extern const char *cli_prog;
extern bool cli_json;
extern bool cli_pretty;

bool cli__is_prefix(const char *arg, const char *word);

/*
 * Run the command of @cmds that @argv[0] names (an exact match, or a prefix
 * that matches exactly one command). @what names the table in messages, e.g.
 * "object" or "command for 'trust'". With no argument, runs @cmds' "help" if
 * there is one. Returns the command's exit status, or EXIT_USAGE for a word
 * no command matches.
 */
int cli__dispatch(const struct cmd *cmds, const char *what, int argc, char **argv);

/* Print "PROG: MESSAGE" (or {"error": MESSAGE} with --json) and return EXIT_USAGE. */
int cli__usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for a failure; returns EXIT_FAIL. */
int cli__fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define NEXT_ARG() ({ argc--; argv++; })
#define REQ_ARGS(n)                                                          \
	({                                                                   \
		int _n = (n);                                                \
		if (argc < _n)                                               \
			return cli__usage_error("'%s' needs %d more argument%s", \
						argv[-1], _n, _n == 1 ? "" : "s"); \
		0;                                                           \
	})
#define NO_MORE_ARGS()                                                       \
	({                                                                   \
		if (argc > 0)                                                \
			return cli__usage_error("unexpected argument '%s'", argv[0]); \
		0;                                                           \
	})

#endif
