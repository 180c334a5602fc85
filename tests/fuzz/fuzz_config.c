// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: boostd's configuration file (config__load). It takes only a
 * path, so the input is handed over as a memfd's path: nothing is written
 * to disk.
 */
#include <stddef.h>
#include <stdint.h>

#include "daemon/config.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boostd_config cfg;
	char err[1024];

	config__defaults(&cfg);
	config__load(fuzz_file(data, size), &cfg, err, sizeof(err));
	return 0;
}
