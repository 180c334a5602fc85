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

/*
 * Where a replay met a quoted PCR: a verifier keeps it, and a later check
 * replays only the entries after it, from the PCR value there, as Keylime
 * does. The TPM cannot rewind a PCR, so the prefix it covered cannot have
 * changed while the PCR went on from that value.
 */
struct attest_position {
	size_t entries;       /* log entries up to where the replay met the PCR */
	size_t log_offset;    /* bytes of the log up to there */
	uint8_t pcr[64];      /* the PCR's value there, in the policy's bank */
	size_t pcr_len;       /* 0: no position */
};

struct attest_verdict {
	bool trusted;
	struct attest_position pos; /* where this replay met the quoted PCR */
	size_t replayed;      /* entries replayed by this check */
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

/*
 * The same, replaying only the log after @from (a trusted verdict's
 * position, of the same host and boot). When the log does not replay from
 * there (the host rebooted: its PCR and log started anew), it is replayed
 * from the start, and a reason says so.
 */
int attest__verify_from(const struct trust_policy *pol, const char *dir, const char *ak_pem,
			const uint8_t *nonce, size_t nonce_len, const struct attest_position *from,
			struct attest_verdict *ret, char *err, size_t errlen);

#endif
