// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"

const char *cli_prog = "boostctl";
bool cli_json;
bool cli_pretty;

bool cli__is_prefix(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && strncmp(arg, word, n) == 0;
}

int cli__dispatch(const struct cmd *cmds, const char *what, int argc, char **argv)
{
	const struct cmd *match = NULL, *c;
	const char *word = argc > 0 ? argv[0] : "help";

	for (c = cmds; c->name; c++) {
		if (strcmp(word, c->name) == 0) {
			match = c;
			break;
		}
		if (!cli__is_prefix(word, c->name))
			continue;
		if (match)
			return cli__usage_error("%s '%s' is ambiguous ('%s' or '%s')",
						what, word, match->name, c->name);
		match = c;
	}
	if (!match)
		return cli__usage_error("unknown %s '%s'; try '%s help'", what, word, cli_prog);
	if (argc > 0)
		NEXT_ARG();
	return match->func(argc, argv);
}

static void cli_message(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	out__error(buf);
}

int cli__usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_message(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int cli__fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_message(fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}
