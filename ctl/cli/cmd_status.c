// SPDX-License-Identifier: GPL-2.0-only
/* boostctl status: what boostd is doing. */
#include <string.h>

#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "output.h"

static int do_show(int argc, char **argv)
{
	json_object *r, *set;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("status", "show", NULL, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("version", "boostd v%s", client__str(r, "version"));
	out__int("pid", ", pid %ld", client__int(r, "pid"));
	out__int("uptime", ", up %lds\n", client__int(r, "uptime"));
	out__string("socket", "  socket:       %s\n", client__str(r, "socket"));
	out__string("state_dir", "  state:        %s\n", client__str(r, "state_dir"));
	out__string("trust_policy", "  trust policy: %s\n", client__str(r, "trust_policy"));
	out__int("clients", "  clients:      %ld\n", client__int(r, "clients"));
	if (client__str(r, "trust")) {
		out__string("trust", "  trust chain:  down: %s\n", client__str(r, "trust"));
	} else {
		json_object *reasons = json_object_object_get(r, "attestation");

		out__bool("attested", NULL,
			  json_object_get_boolean(json_object_object_get(r, "attested")));
		out__text("  attestation:  %s\n",
			  json_object_get_boolean(json_object_object_get(r, "attested")) ? "passed"
											  : "FAILED");
		out__open_array("attestation");
		for (size_t i = 0; reasons && i < json_object_array_length(reasons); i++)
			out__string(NULL, "    %s\n",
				    json_object_get_string(json_object_array_get_idx(reasons, i)));
		out__close_array();
	}
	set = json_object_object_get(r, "trust_set");
	if (set) {
		out__open_object("trust_set");
		if (client__str(set, "active"))
			out__string("active", "  artifacts:    set %s", client__str(set, "active"));
		else
			out__text("  artifacts:    NO set verifies");
		out__string("dir", " of %s", client__str(set, "dir"));
		out__bool("fallback", json_object_get_boolean(json_object_object_get(set, "fallback")) ?
			  " (FALLBACK to the previous set)\n" : "\n",
			  json_object_get_boolean(json_object_object_get(set, "fallback")));
		if (client__str(set, "reason"))
			out__string("reason", "    %s\n", client__str(set, "reason"));
		out__close_object();
	}
	if (client__str(r, "trust_running"))
		out__string("trust_running", "  trust:        running: %s\n",
			    client__str(r, "trust_running"));
	out__bool("data_paths_allowed", NULL,
		  json_object_get_boolean(json_object_object_get(r, "data_paths_allowed")));
	if (client__str(r, "data_paths_refused"))
		out__string("data_paths_refused", "  data paths:   refused: %s\n",
			    client__str(r, "data_paths_refused"));
	else
		out__text("  data paths:   may attach\n");
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static const struct cmd status_cmds[] = {
	{ "show", .func = do_show },
	{ 0 },
};

const struct cmd_group status_group = {
	.path = "status",
	.cmds = status_cmds,
	.doc = "Show boostd's state ('boostctl status' alone is 'status show'). Fails when\n"
	       "boostd is not running.",
	.no_command = do_show,
};
