// SPDX-License-Identifier: GPL-2.0-only
/* boostctl status: what boostd is doing. */
#include <string.h>

#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "output.h"

static const char *str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static int64_t num(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : -1;
}

static int do_show(int argc, char **argv)
{
	json_object *r;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("status", "show", NULL, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("version", "boostd v%s", str(r, "version"));
	out__int("pid", ", pid %ld", num(r, "pid"));
	out__int("uptime", ", up %lds\n", num(r, "uptime"));
	out__string("socket", "  socket:       %s\n", str(r, "socket"));
	out__string("state_dir", "  state:        %s\n", str(r, "state_dir"));
	out__string("trust_policy", "  trust policy: %s\n", str(r, "trust_policy"));
	out__int("clients", "  clients:      %ld\n", num(r, "clients"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static int do_help(int argc, char **argv)
{
	out__text("Usage: %s status [show]\n"
		  "       %s status help\n"
		  "\n"
		  "Show boostd's state. Fails when boostd is not running.\n",
		  cli_prog, cli_prog);
	return EXIT_OK;
}

int do_status(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ "show", do_show },
		{ "help", do_help },
		{ 0 },
	};

	if (argc == 0)
		return do_show(argc, argv);
	return cli__dispatch(cmds, "command for 'status'", argc, argv);
}
