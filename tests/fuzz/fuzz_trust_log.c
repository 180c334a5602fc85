// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: boost's measurement log, the binary IMA format (trust_log__parse,
 * trust_log__fold, trust_log__replay). The first byte of an input picks the
 * PCR (bits 0-4, modulo 24) and whether the harness sets the entries'
 * SHA-1 template digests right (bit 7), so that the fuzzer reaches the
 * field decoding behind that check; the rest is the log.
 *
 * Besides memory errors, it checks what replay promises: a log that folds
 * to V replays to V at some prefix, no later than its end.
 */
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "trust/trust_log.h"
#include "trust/trust_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int touch_entry(const struct trust_log_entry *e, void *arg)
{
	struct trust_sig_info info;
	size_t *n = arg;

	/* Every field is read, so that ASan sees any that points out of the log. */
	if (e->pcr >= TRUST_LOG_NUM_PCRS || !e->path[0] || (e->sig_len && !e->sig))
		abort();
	if (e->sig_len)
		trust_sig__parse(e->sig, e->sig_len, &info);
	*n += strlen(e->path) + e->sig_len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const banks[] = { "sha1", "sha256", "sha384", "sha512" };
	uint8_t value[TRUST_LOG_DIGEST_MAX], *log;
	struct trust_log_position pos;
	uint32_t pcr;
	size_t len, vlen, n = 0;
	char err[512];

	log = fuzz_ima_log(data, size, &len);
	if (!log)
		return 0;
	pcr = (data[0] & 0x1f) % TRUST_LOG_NUM_PCRS;

	trust_log__parse(log, len, touch_entry, &n, err, sizeof(err));
	for (size_t b = 0; b < sizeof(banks) / sizeof(banks[0]); b++) {
		if (trust_log__fold(log, len, pcr, banks[b], NULL, value, &vlen, err, sizeof(err)))
			continue;
		if (trust_log__replay(log, len, pcr, banks[b], NULL, value, vlen, &pos, err,
				      sizeof(err)) || pos.offset > len)
			abort();
	}
	free(log);
	return 0;
}
