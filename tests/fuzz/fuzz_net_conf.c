// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the network document (net_conf__parse), from JSON text; its
 * steer rules formatted back; and the text as one steer rule, as `net
 * steer del` parses it (net_conf__parse_steer_rule).
 */
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

	struct net_conf_steer r;

	if (doc && net_conf__parse(doc, &c, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < c.nports; i++)
			for (int k = 0; k < c.ports[i].nsteer; k++)
				json_object_put(net_conf__steer_json(&c.ports[i].steer[k], k & 1));
		net_conf__free(&c);
	}
	if (doc && net_conf__parse_steer_rule(doc, "rule", false, &r, err, sizeof(err)) == 0)
		json_object_put(net_conf__steer_json(&r, false));
	json_object_put(doc);
	json_tokener_free(tok);
	return 0;
}
