/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attestation: a quote over boost's PCR with a verifier's nonce, plus the
 * measurement log, checked offline against a golden policy.
 *
 * A quote directory (boostctl attest quote --out DIR) holds the files of
 * trust_tpm__quote() (ak.pub.pem, quote.msg, quote.sig, quote.pcrs; checked
 * by tpm2_checkquote) and copies of the logs (binary_runtime_measurements,
 * ascii_runtime_measurements).
 */
#ifndef BOOST_ATTEST_H
#define BOOST_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trust_policy.h"

#define ATTEST_MAX_REASONS 16

struct attest_verdict {
	bool trusted;
	size_t entries;       /* log entries up to where the replay meets the PCR */
	size_t log_offset;    /* bytes of the log up to there, to attest again from */
	size_t nreasons;
	char reasons[ATTEST_MAX_REASONS][256]; /* why not trusted, or what was checked */
};

/*
 * Check the quote in @dir: signed by the AK in @ak_pem, made for @nonce,
 * PCRs that hash to the quoted digest, a log that replays to the quoted
 * value of @pol's PCR in @pol's bank, and every entry of that prefix signed
 * by a golden signer (and on the golden digest list, if there is one).
 * Returns 0 with the verdict (trusted or not, with reasons) in @ret, or
 * -errno when the check itself could not run (a file missing, no memory):
 * then @err (may be NULL) says why, and the verdict, not trusted, too.
 */
int attest__verify(const struct trust_policy *pol, const char *dir, const char *ak_pem,
		   const uint8_t *nonce, size_t nonce_len, struct attest_verdict *ret, char *err,
		   size_t errlen);

#endif
