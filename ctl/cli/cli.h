/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command dispatch for boostctl, in the shape of bpftool and ip(8): each
 * object has a table of commands, matched by unambiguous prefix.
 *
 * The tables are the one source of the command line: the help of an
 * object and of each command, the usage errors' pointers to that help,
 * and bash completion (boostctl __complete) are all made from them.
 */
#ifndef BOOST_CLI_H
#define BOOST_CLI_H

#include <stdbool.h>

#include "common/exit.h"

struct cmd_group;

/* A command of an object: a function, or a group of its own (net port). */
struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	/*
	 * The arguments in grammar form, one line per form of the command
	 * ("NAME uplink\nNAME [vnic] mac MAC ..."); NULL for none. Words in
	 * lower case are keywords, in upper case placeholders that the
	 * group's definitions may spell out.
	 */
	const char *args;
	const struct cmd_group *sub;
	const char *doc; /* what the command does, for its own help; may be NULL */
};

struct cmd_group {
	const char *path;       /* the words before a command: "net port"; "" at the top */
	/*
	 * At the top, the program's grammar ("[OPTIONS] OBJECT { COMMAND |
	 * help }"): the first line of the help, and the commands are objects.
	 */
	const char *synopsis;
	const struct cmd *cmds; /* ends with { 0 } */
	/* One "NAME := ..." a line; a command's help shows those it uses. */
	const char *defs;
	const char *doc;        /* prose after the definitions in the group's help */
	/* Run when no command is given; NULL prints the group's help. */
	int (*no_command)(int argc, char **argv);
};

/* Global state set by the option parser in main(). */
extern const char *cli_prog;
extern bool cli_json;
extern bool cli_pretty;

bool cli__is_prefix(const char *arg, const char *word);

/* "help", "--help" or "-h". */
bool cli__is_help(const char *arg);

/*
 * Run the command of @g that @argv[0] names (an exact match, or a prefix
 * that matches exactly one command), descending into groups. Help is
 * recognised at every level: "help", "--help" or "-h" in place of a
 * command prints the group's help, and after a command's name "help" as
 * its first argument, or "--help" or "-h" as any argument before "--",
 * prints the command's. No command runs @g's no_command, else its help.
 * Returns the command's exit status, or EXIT_USAGE for a word no command
 * matches.
 */
int cli__dispatch(const struct cmd_group *g, int argc, char **argv);

/*
 * Take boostctl's own options -j, --json, -p and --pretty out of @argv,
 * wherever they are before a "--", so that they work after the object and
 * the command too. Sets cli_json and cli_pretty; returns the new argc.
 * Words after "--" are left alone (so are "--" itself, for the command).
 */
int cli__take_output_options(int argc, char **argv);

/*
 * Completion: print, one a line, the words that may come in place of
 * @words[@nwords - 1] (a prefix, maybe empty) after @words[0..nwords-2],
 * read as boostctl would read them from the top group @g.
 */
void cli__complete(const struct cmd_group *g, int nwords, char **words);

/*
 * Print "PROG: MESSAGE; see 'PROG GROUP help'" (or {"error": ...} with
 * --json) and return EXIT_USAGE. GROUP is the group being dispatched.
 */
int cli__usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "PROG: MESSAGE" the same way; returns EXIT_FAIL. */
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
