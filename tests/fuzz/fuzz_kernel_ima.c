// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the kernel's IMA log as boostd reads it (trust_kernel_ima__scan:
 * the fold into PCR 10 and the scan for boost's programs). The first byte's
 * bit 7 asks the harness to set the entries' SHA-1 template digests right;
 * the rest is the log.
 */
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "trust/trust_kernel_ima.h"
#include "trust/trust_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t value[TRUST_LOG_DIGEST_MAX], *log;
	struct trust_kernel_ima k;
	size_t len, vlen;
	char err[512];

	log = fuzz_ima_log(data, size, &len);
	if (!log)
		return 0;
	memset(&k, 0, sizeof(k));
	k.present = true;
	strcpy(k.boostd_path, "/usr/local/sbin/boostd");
	if (trust_kernel_ima__scan(log, len, &k, value, &vlen, err, sizeof(err)) == 0 &&
	    vlen != 32)
		abort();
	free(log);
	return 0;
}
