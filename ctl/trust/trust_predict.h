/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCR prediction (docs/trust.md, "Prediction"): what boost's PCR holds
 * after a clean start of boostd with a trust policy, computed offline
 * from the policy and the signed artifacts, as systemd-pcrlock predicts
 * the boot's PCRs. A clean start measures, in order, the policy's
 * artifacts, or with its "sets" set a's manifest and then each artifact it
 * lists; each one the measurement log's ima-sig entry of (path, SHA-256
 * of the file, its signature), extended from zeros. A verifier may hold
 * the predicted value as a static golden PCR (attestation.golden.pcr)
 * instead of checking the log.
 */
#ifndef BOOST_TRUST_PREDICT_H
#define BOOST_TRUST_PREDICT_H

#include <stddef.h>
#include <stdint.h>

#include "trust_log.h"
#include "trust_policy.h"

/*
 * Write the log entries a clean start of boostd with @pol measures to the
 * binary log @fd, in order, and their number to *@ret_entries. Every
 * artifact must verify against the policy's signers (and, with sets, match
 * set a's manifest), or a start would refuse it: -errno, and @err names
 * the artifact and the reason.
 */
int trust_predict__log(const struct trust_policy *pol, int fd, size_t *ret_entries, char *err,
		       size_t errlen);

/* The same, folded: PCR pol->pcr's value in bank @bank, into @ret (TRUST_LOG_DIGEST_MAX). */
int trust_predict__pcr(const struct trust_policy *pol, const char *bank, uint8_t *ret,
		       size_t *ret_len, size_t *ret_entries, char *err, size_t errlen);

#endif
