// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: an uplink probe's answer (net_probe__is_reply), as received. */
#include <stddef.h>
#include <stdint.h>

#include "net/net_probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	net_probe__is_reply(data, size, 0xfe0200c0); /* 192.0.2.254 */
	return 0;
}
