/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The verifier's half of TPM2_MakeCredential, in software (OpenSSL and
 * tss2-mu; no TPM): a secret that only the TPM holding both the EK and
 * the key named @name can recover, with TPM2_ActivateCredential. A
 * verifier that gets the secret back knows the AK lives in the same TPM as
 * the EK (docs/trust-tpm.md, "An AK bound to the EK"). As
 * `tpm2_makecredential -T none` does, for an RSA EK of nameAlg SHA-256
 * and AES-128-CFB (the TCG's default EK template); the file is theirs:
 * magic 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.
 */
#ifndef BOOST_TRUST_CRED_H
#define BOOST_TRUST_CRED_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <tss2/tss2_tpm2_types.h>

#define TRUST_CRED_MAGIC 0xBADCC0DEu
#define TRUST_CRED_MAX_SECRET 64

/*
 * The TPM name of a key from its TPM2B_PUBLIC, marshalled (@pub, @pub_len):
 * nameAlg || H(TPMT_PUBLIC). @ret holds 2 + 64 bytes.
 */
int trust_cred__name(const uint8_t *pub, size_t pub_len, uint8_t *ret, size_t *ret_len,
		     char *err, size_t errlen);

/*
 * The credential file for @secret (1 to TRUST_CRED_MAX_SECRET bytes), for
 * the EK whose TPM2B_PUBLIC is @ek (marshalled) and the key named @name.
 * malloc'ed into *@ret_blob. -EOPNOTSUPP for an EK that is not RSA with
 * SHA-256 and AES-128-CFB; -EBADMSG for one that does not unmarshal.
 */
int trust_cred__make(const uint8_t *ek, size_t ek_len, const uint8_t *name, size_t name_len,
		     const uint8_t *secret, size_t secret_len, uint8_t **ret_blob, size_t *ret_len,
		     char *err, size_t errlen);

/* An RSA key's public part (an EK's) as OpenSSL's; NULL if it cannot be made. */
EVP_PKEY *trust_cred__rsa_key(const TPMT_PUBLIC *p);

/*
 * Split a credential file into what TPM2_ActivateCredential takes;
 * -EBADMSG for anything else (a wrong magic or version, sizes that do not
 * add up, bytes after it).
 */
int trust_cred__parse(const uint8_t *blob, size_t len, TPM2B_ID_OBJECT *ret_id,
		      TPM2B_ENCRYPTED_SECRET *ret_secret);

#endif
