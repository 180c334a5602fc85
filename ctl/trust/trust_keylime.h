/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Evidence for an unmodified Keylime verifier (docs/keylime.md): from a
 * trust policy and its signed artifacts, the runtime policy Keylime checks
 * the kernel's IMA log against (each artifact's path with its SHA-256, and
 * the signers' keys for its ima-sig entries), and a tpm_policy entry that
 * holds boost's PCR at its predicted value (trust_predict.h).
 */
#ifndef BOOST_TRUST_KEYLIME_H
#define BOOST_TRUST_KEYLIME_H

#include <stddef.h>

#include <json-c/json.h>

#include "trust_policy.h"

/*
 * Keylime's runtime policy (format version 1) for @pol's artifacts: what
 * a clean start of boostd opens (the policy's artifacts, or set a's
 * manifest and artifacts). 0 with the document, or -errno with @err
 * naming the file and the reason.
 */
int trust_keylime__runtime_policy(const struct trust_policy *pol, json_object **ret, char *err,
				  size_t errlen);

/* Keylime's tpm_policy: {"PCR": ["predicted sha256 value"], "mask": "0x..."}. */
int trust_keylime__tpm_policy(const struct trust_policy *pol, json_object **ret, char *err,
			      size_t errlen);

#endif
