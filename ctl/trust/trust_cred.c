// SPDX-License-Identifier: GPL-2.0-only
/*
 * TPM2_MakeCredential in software (trust_cred.h), after the TPM 2.0
 * specification, part 1, "Credential Protection": a random seed, encrypted
 * to the EK with RSA-OAEP (label "IDENTITY"); from it with KDFa (SP 800-108
 * counter mode, HMAC-SHA-256: OpenSSL's KBKDF) an AES-128 key ("STORAGE",
 * context the key's name) that encrypts the secret, and an HMAC key
 * ("INTEGRITY") over the encrypted secret and the name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "common/errmsg.h"
#include "trust_cred.h"

#define SEED_LEN 32 /* the EK's nameAlg, SHA-256 */

int trust_cred__name(const uint8_t *pub, size_t pub_len, uint8_t *ret, size_t *ret_len,
		     char *err, size_t errlen)
{
	TPM2B_PUBLIC p = { 0 };
	uint8_t area[sizeof(TPMT_PUBLIC)];
	size_t off = 0, len = 0;

	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(pub, pub_len, &off, &p) || off != pub_len)
		return errmsg__set(err, errlen, -EBADMSG, "not a marshalled TPM2B_PUBLIC");
	if (p.publicArea.nameAlg != TPM2_ALG_SHA256)
		return errmsg__set(err, errlen, -EOPNOTSUPP, "name algorithm 0x%04x, not SHA-256",
				   p.publicArea.nameAlg);
	if (Tss2_MU_TPMT_PUBLIC_Marshal(&p.publicArea, area, sizeof(area), &len))
		return errmsg__set(err, errlen, -EBADMSG, "cannot marshal the public area");
	ret[0] = TPM2_ALG_SHA256 >> 8;
	ret[1] = TPM2_ALG_SHA256 & 0xff;
	if (!EVP_Digest(area, len, ret + 2, NULL, EVP_sha256(), NULL))
		return errmsg__set(err, errlen, -EIO, "SHA-256 failed");
	*ret_len = 2 + 32;
	return 0;
}

/* KDFa(SHA-256, @key, @label, @context, "", @bits) into @out. */
static int kdfa(const uint8_t *key, size_t key_len, const char *label, const uint8_t *context,
		size_t context_len, uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, "COUNTER", 0),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, "HMAC", 0),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len),
		/* KBKDF's "salt" is the label; it adds the 0 separator and [L]32. */
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label,
						  strlen(label)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)context,
						  context_len),
		OSSL_PARAM_construct_end(),
	};
	int ok = ctx && EVP_KDF_derive(ctx, out, out_len, params) > 0;

	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -EIO;
}

EVP_PKEY *trust_cred__rsa_key(const TPMT_PUBLIC *p)
{
	const TPM2B_PUBLIC_KEY_RSA *n = &p->unique.rsa;
	uint8_t e[4] = { 0x00, 0x01, 0x00, 0x01 };
	uint32_t exp = p->parameters.rsaDetail.exponent;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *bn_n = BN_bin2bn(n->buffer, n->size, NULL), *bn_e;

	if (exp) {
		e[0] = exp >> 24;
		e[1] = exp >> 16;
		e[2] = exp >> 8;
		e[3] = exp;
	}
	bn_e = BN_bin2bn(e, sizeof(e), NULL);
	if (!bld || !bn_n || !bn_e || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	return key;
}

/* RSA-OAEP(SHA-256, label "IDENTITY" with its 0) of @seed to the EK. */
static int encrypt_seed(const TPMT_PUBLIC *p, const uint8_t *seed, TPM2B_ENCRYPTED_SECRET *ret)
{
	EVP_PKEY *key = trust_cred__rsa_key(p);
	EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
	char *label = OPENSSL_strdup("IDENTITY");
	size_t len = sizeof(ret->secret);
	int ok;

	ok = ctx && label && EVP_PKEY_encrypt_init(ctx) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
	     EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha256()) > 0 &&
	     EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label, (int)strlen("IDENTITY") + 1) > 0;
	if (ok)
		label = NULL; /* the context owns it */
	ok = ok && EVP_PKEY_encrypt(ctx, ret->secret, &len, seed, SEED_LEN) > 0;
	ret->size = ok ? len : 0;
	OPENSSL_free(label);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok ? 0 : -EIO;
}

int trust_cred__make(const uint8_t *ek, size_t ek_len, const uint8_t *name, size_t name_len,
		     const uint8_t *secret, size_t secret_len, uint8_t **ret_blob, size_t *ret_len,
		     char *err, size_t errlen)
{
	TPM2B_PUBLIC p = { 0 };
	TPM2B_DIGEST cred = { 0 };
	TPM2B_ID_OBJECT id = { 0 };
	TPM2B_ENCRYPTED_SECRET enc = { 0 };
	uint8_t seed[SEED_LEN], aes_key[16], hmac_key[32], plain[2 + TRUST_CRED_MAX_SECRET];
	uint8_t iv[16] = { 0 }, hmac_in[sizeof(plain) + 2 + 64], *blob;
	const TPMS_RSA_PARMS *rsa;
	size_t off = 0, plain_len = 0, len = 0;
	EVP_CIPHER_CTX *c = NULL;
	unsigned int hmac_len;
	int outl, ok;

	if (!secret_len || secret_len > TRUST_CRED_MAX_SECRET || name_len > 2 + 64)
		return errmsg__set(err, errlen, -EINVAL, "a secret of 1 to %d bytes",
				   TRUST_CRED_MAX_SECRET);
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(ek, ek_len, &off, &p) || off != ek_len)
		return errmsg__set(err, errlen, -EBADMSG, "EK: not a marshalled TPM2B_PUBLIC");
	rsa = &p.publicArea.parameters.rsaDetail;
	if (p.publicArea.type != TPM2_ALG_RSA || p.publicArea.nameAlg != TPM2_ALG_SHA256 ||
	    rsa->symmetric.algorithm != TPM2_ALG_AES || rsa->symmetric.keyBits.aes != 128 ||
	    rsa->symmetric.mode.aes != TPM2_ALG_CFB)
		return errmsg__set(err, errlen, -EOPNOTSUPP, "EK: only an RSA EK with SHA-256 and "
				   "AES-128-CFB (the TCG's default template) is supported");
	if (RAND_bytes(seed, sizeof(seed)) != 1 || encrypt_seed(&p.publicArea, seed, &enc))
		return errmsg__set(err, errlen, -EIO, "EK: cannot encrypt the seed to it");

	/* The secret as a TPM2B_DIGEST, encrypted with the seed's storage key. */
	cred.size = secret_len;
	memcpy(cred.buffer, secret, secret_len);
	if (Tss2_MU_TPM2B_DIGEST_Marshal(&cred, plain, sizeof(plain), &plain_len) ||
	    kdfa(seed, sizeof(seed), "STORAGE", name, name_len, aes_key, sizeof(aes_key)) ||
	    kdfa(seed, sizeof(seed), "INTEGRITY", NULL, 0, hmac_key, sizeof(hmac_key)))
		return errmsg__set(err, errlen, -EIO, "cannot derive the credential's keys");
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_cfb128(), NULL, aes_key, iv) &&
	     EVP_EncryptUpdate(c, id.credential + 2 + 32, &outl, plain, (int)plain_len) &&
	     (size_t)outl == plain_len;
	EVP_CIPHER_CTX_free(c);
	if (!ok)
		return errmsg__set(err, errlen, -EIO, "cannot encrypt the secret");
	/* outerHMAC over the encrypted secret and the name, in front of it. */
	memcpy(hmac_in, id.credential + 2 + 32, plain_len);
	memcpy(hmac_in + plain_len, name, name_len);
	if (!HMAC(EVP_sha256(), hmac_key, sizeof(hmac_key), hmac_in, plain_len + name_len,
		  id.credential + 2, &hmac_len) || hmac_len != 32)
		return errmsg__set(err, errlen, -EIO, "cannot compute the integrity HMAC");
	id.credential[0] = 0;
	id.credential[1] = 32;
	id.size = 2 + 32 + plain_len;

	blob = malloc(8 + sizeof(id) + sizeof(enc));
	if (!blob)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	blob[0] = TRUST_CRED_MAGIC >> 24;
	blob[1] = (TRUST_CRED_MAGIC >> 16) & 0xff;
	blob[2] = (TRUST_CRED_MAGIC >> 8) & 0xff;
	blob[3] = TRUST_CRED_MAGIC & 0xff;
	blob[4] = blob[5] = blob[6] = 0;
	blob[7] = 1;
	len = 8;
	if (Tss2_MU_TPM2B_ID_OBJECT_Marshal(&id, blob, 8 + sizeof(id) + sizeof(enc), &len) ||
	    Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(&enc, blob, 8 + sizeof(id) + sizeof(enc),
						   &len)) {
		free(blob);
		return errmsg__set(err, errlen, -EIO, "cannot marshal the credential");
	}
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(aes_key, sizeof(aes_key));
	OPENSSL_cleanse(hmac_key, sizeof(hmac_key));
	*ret_blob = blob;
	*ret_len = len;
	return 0;
}

int trust_cred__parse(const uint8_t *blob, size_t len, TPM2B_ID_OBJECT *ret_id,
		      TPM2B_ENCRYPTED_SECRET *ret_secret)
{
	size_t off = 8;

	memset(ret_id, 0, sizeof(*ret_id));
	memset(ret_secret, 0, sizeof(*ret_secret));
	if (len < 8 || blob[0] != 0xba || blob[1] != 0xdc || blob[2] != 0xc0 || blob[3] != 0xde ||
	    blob[4] || blob[5] || blob[6] || blob[7] != 1 ||
	    Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(blob, len, &off, ret_id) ||
	    Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(blob, len, &off, ret_secret) || off != len)
		return -EBADMSG;
	return 0;
}
