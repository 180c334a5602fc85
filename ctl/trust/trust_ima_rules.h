/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel IMA rules for boost's artifacts (docs/keylime.md): the rules that
 * make a kernel with IMA measure each artifact into its own log and PCR 10
 * when boostd reads or executes it, with its signature in the entry
 * (template ima-sig), and, asked for, appraise it: refuse to open an
 * artifact whose security.ima signature does not verify against a key of
 * the kernel's _ima keyring. IMA rules cannot match paths, so the rules
 * select the artifacts' owner (fowner=): every file a start of boostd
 * opens as an artifact must belong to one owner of their own, not root,
 * and no signature file may (the kernel would measure it too, and under
 * appraisal refuse boostd to read it).
 */
#ifndef BOOST_TRUST_IMA_RULES_H
#define BOOST_TRUST_IMA_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "trust_policy.h"

/*
 * The rules for @pol's artifacts (a clean start's: the policy's artifacts,
 * or the manifests and artifacts of sets a and b), as IMA policy text,
 * malloc'ed, for the kernel's policy after its own rules. With @appraise,
 * every artifact must carry a security.ima signature that verifies
 * against @pol's signers. -errno with @err naming the file and the reason.
 */
int trust_ima_rules__text(const struct trust_policy *pol, bool appraise, char **ret_text,
			  char *err, size_t errlen);

#endif
