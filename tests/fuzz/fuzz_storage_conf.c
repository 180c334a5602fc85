// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the storage document (storage_conf__parse) and one device
 * object as `storage add` sends it (storage_conf__parse_device), from JSON
 * text.
 */
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "storage/storage_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	struct storage_conf_dev dev;
	struct storage_conf c;
	char err[1024];

	if (doc) {
		storage_conf__is_storage_doc(doc);
		if (storage_conf__parse(doc, &c, err, sizeof(err)) == 0)
			storage_conf__free(&c);
		storage_conf__parse_device(doc, "storage add", false, &dev, err, sizeof(err));
	}
	json_object_put(doc);
	json_tokener_free(tok);
	return 0;
}
