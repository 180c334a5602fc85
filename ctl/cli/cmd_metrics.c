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

static const struct cmd metrics_cmds[] = {
	{ "show", .func = do_show },
	{ 0 },
};

const struct cmd_group metrics_group = {
	.path = "metrics",
	.cmds = metrics_cmds,
	.doc = "Print boostd's port and disk counters in the Prometheus text format\n"
	       "(boost_port_*, boost_disk_*); 'boostctl metrics' alone is 'metrics show'.\n"
	       "Fails when boostd is not running.",
	.no_command = do_show,
};
