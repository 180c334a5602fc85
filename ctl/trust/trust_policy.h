/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trust policy (policies/trust.json): whom boost trusts, where it
 * measures, what must be measured, and what a good host looks like.
 *
 *   {
 *     "signers": ["keys/signer.crt", ...],       trusted signer certificates
 *     "pcr": 11,                                  boost's PCR (never 16 or 23)
 *     "seal_pcrs": [10],                          optional: PCRs every seal binds
 *                                                 too, besides boost's (the
 *                                                 kernel's IMA, the boot chain)
 *     "tcti": "device:/dev/tpmrm0",               $BOOST_TCTI overrides it
 *     "artifacts": [                              measured when boostd starts
 *       {"path": "/usr/local/lib/boost/bpf/net_xdp.bpf.o", "kind": "bpf"}
 *                                                 kind: bpf, exec, or closure
 *                                                 (a dynamic exec's libraries,
 *                                                 trust_closure.h)
 *     ],
 *     "sets": "/var/lib/boost/sets",              or: the artifacts of set a/
 *                                                 (running), else of set b/
 *                                                 (previous), each listed by a
 *                                                 signed manifest (trust_manifest.h)
 *     "attestation": {
 *       "bank": "sha256",                         the bank quoted and replayed
 *       "nonce_bytes": 32,                        at least 16
 *       "ak": "keys/host-ak.pub.pem",             the host's enrolled AK, for
 *                                                 boostctl attest verify
 *       "golden": {                               what a good host ran
 *         "signers": ["keys/signer.crt"],         every entry signed by one
 *         "digests": ["<sha256 hex>", ...],       optional allow-list
 *         "closures": ["boost-ublk-rbd.libs"],    optional: the signed closures
 *                                                 whose shared libraries the log
 *                                                 may hold unsigned
 *         "pcr_value": "<hex>"                    optional: the PCR, in the
 *                                                 bank, instead of the log
 *       }
 *     }
 *   }
 *
 * Relative paths are relative to the policy file's directory. An unknown
 * key, a value of the wrong type or a forbidden PCR is an error naming the
 * field.
 */
#ifndef BOOST_TRUST_POLICY_H
#define BOOST_TRUST_POLICY_H

#include <stddef.h>
#include <stdint.h>

enum trust_kind {
	TRUST_KIND_BPF,    /* a BPF object: handed to bpf_object__open_mem */
	TRUST_KIND_EXEC,   /* an executable: a sealed memfd for fexecve */
	TRUST_KIND_CLOSURE, /* a dynamic executable's libraries (trust_closure.h) */
};

struct trust_policy_artifact {
	char *path;
	enum trust_kind kind;
};

struct trust_golden {
	char **signers; /* certificate paths */
	size_t nsigners;
	uint8_t (*digests)[32];
	size_t ndigests; /* 0: any digest, if signed by a golden signer */
	/*
	 * Signed closures (trust_closure.h) whose libraries an unsigned log
	 * entry may be, once the log shows that closure signed (attest.c).
	 */
	char **closures;
	size_t nclosures;
	/* A static PCR value in the attestation bank, instead of the log (attest predict). */
	uint8_t pcr_value[64];
	size_t pcr_value_len; /* 0: none */
};

struct trust_policy {
	char *path;
	char **signers;
	size_t nsigners;
	uint32_t pcr;
	uint32_t seal_mask; /* seal_pcrs, as a mask of the sha256 bank; 0: none */
	char *tcti;
	struct trust_policy_artifact *artifacts;
	size_t nartifacts;
	char *sets; /* the directory of sets a and b, or NULL */
	char *bank;
	size_t nonce_bytes;
	char *ak_pub; /* NULL if not enrolled */
	struct trust_golden golden;
};

/*
 * Parse @path. On error returns -errno and writes the reason, naming the
 * field, into @err; *ret_pol is untouched.
 */
int trust_policy__load(const char *path, struct trust_policy **ret_pol, char *err,
		       size_t errlen);
/*
 * The same from @len bytes of @text, the contents of the policy @path (which
 * names it in errors and is the base of its relative paths).
 */
int trust_policy__load_mem(const char *path, const char *text, size_t len,
			   struct trust_policy **ret_pol, char *err, size_t errlen);
void trust_policy__free(struct trust_policy *pol);

const char *trust_kind__name(enum trust_kind kind);
int trust_kind__parse(const char *name, enum trust_kind *ret_kind);

#endif
