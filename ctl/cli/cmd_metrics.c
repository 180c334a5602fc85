// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostctl metrics: boostd's counters (every port's and every disk's) in
 * the Prometheus text exposition format, as boostd writes them to its
 * metrics file (boostd.json(5)). The text is boostd's, printed verbatim:
 * with -j it is the member "text" of the result.
 */
#include <string.h>

#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "output.h"

static int do_show(int argc, char **argv)
{
	json_object *r;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("metrics", "show", NULL, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("format", NULL, client__str(r, "format"));
	out__string("text", "%s", client__str(r, "text"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static int do_help(int argc, char **argv)
{
	out__text("Usage: %s metrics [show]\n"
		  "       %s metrics help\n"
		  "\n"
		  "Print boostd's port and disk counters in the Prometheus text format\n"
		  "(boost_port_*, boost_disk_*). Fails when boostd is not running.\n",
		  cli_prog, cli_prog);
	return EXIT_OK;
}

int do_metrics(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "help", do_help },
		{ 0 },
	};

	if (argc == 0)
		return do_show(argc, argv);
	return cli__dispatch(cmds, "command for 'metrics'", argc, argv);
}
