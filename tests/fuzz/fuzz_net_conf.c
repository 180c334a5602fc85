// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: the network document (net_conf__parse), from JSON text. */
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "net/net_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	struct net_conf c;
	char err[1024];

	if (doc && net_conf__parse(doc, &c, err, sizeof(err)) == 0)
		net_conf__free(&c);
	json_object_put(doc);
	json_tokener_free(tok);
	return 0;
}
