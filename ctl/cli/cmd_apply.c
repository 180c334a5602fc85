// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostctl apply FILE: the declarative form. The document goes to boostd
 * whole; boostd hands it to the object that owns its keys (a network
 * document: ports, security_groups; a storage document: devices).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "common/fileio.h"
#include "output.h"

#define APPLY_MAX_FILE (16u << 20)

/* A storage document's result: the device ids added, removed and kept. */
static void print_lists(json_object *r)
{
	static const char *const lists[] = { "added", "removed", "kept" };

	out__text("applied:");
	for (size_t k = 0; k < 3; k++) {
		json_object *a = json_object_object_get(r, lists[k]);

		out__open_array(lists[k]);
		out__text(" %s", lists[k]);
		for (size_t i = 0; a && i < json_object_array_length(a); i++)
			out__int(NULL, " %ld", json_object_get_int64(json_object_array_get_idx(a, i)));
		out__text(k < 2 ? ";" : "\n");
		out__close_array();
	}
}

const char apply_doc[] =
	"Make boost match FILE. A network document (policies/network.json's\n"
	"format, keys ports, security_groups, flows, overlay and networks): ports,\n"
	"security groups and tenant networks are added, changed or removed. A storage document (policies/storage.json's\n"
	"format, key devices): devices are added or deleted until the served\n"
	"devices match it. An invalid FILE, or one that mixes both, changes\n"
	"nothing, and the error names the field.";

int do_apply(int argc, char **argv)
{
	enum json_tokener_error jerr;
	json_object *doc, *args, *r;
	uint8_t *buf;
	size_t len;
	int ret;

	if (argc != 1)
		return cli__usage_error("apply needs exactly one FILE");
	ret = fileio__read(argv[0], APPLY_MAX_FILE, 0, &buf, &len);
	if (ret)
		return cli__fail("%s: %s", argv[0], strerror(-ret));
	doc = json_tokener_parse_verbose((const char *)buf, &jerr);
	free(buf);
	if (!doc)
		return cli__fail("%s: not valid JSON: %s", argv[0], json_tokener_error_desc(jerr));
	args = json_object_new_object();
	json_object_object_add(args, "document", doc);
	ret = client__call("apply", "document", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("object", NULL, client__str(r, "object"));
	if (json_object_object_get(r, "added"))
		print_lists(r);
	else
		out__text("applied\n");
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}
