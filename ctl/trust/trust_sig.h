/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Artifact signatures in the IMA "digital signature v2" format: the bytes
 * `evmctl ima_sign --sigfile` writes to FILE.sig and the kernel keeps in the
 * security.ima xattr (docs/trust-formats.md has the byte layout):
 *
 *   u8 type = 0x03 | u8 version = 2 | u8 hash_algo | be32 keyid |
 *   be16 sig_size | sig_size bytes of signature
 *
 * Functions return 0 or a negative errno; those that take @err, @errlen
 * also write there why, naming the file (@err may be NULL).
 *
 * The signature is over the file's SHA-256 digest: RSA PKCS#1 v1.5 with the
 * SHA-256 DigestInfo, or DER-encoded ECDSA. The key id is the last 4 bytes
 * of the SHA-1 of the signer's public key (the subjectPublicKey bits), as
 * evmctl computes it.
 */
#ifndef BOOST_TRUST_SIG_H
#define BOOST_TRUST_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define TRUST_SIG_TYPE_DIGSIG 0x03	/* EVM_IMA_XATTR_DIGSIG */
#define TRUST_SIG_VERSION 2
#define TRUST_SIG_HASH_SHA256 4		/* the kernel's enum hash_algo */
#define TRUST_SIG_HDR_LEN 9
#define TRUST_SIG_DIGEST_LEN 32
/* Upper bound of a blob: header plus the largest signature (RSA 8192). */
#define TRUST_SIG_MAX_LEN (TRUST_SIG_HDR_LEN + 1024)

/* A trusted signer: one certificate and the IMA key id of its key. */
struct trust_signer {
	X509 *cert;
	EVP_PKEY *key;		/* the certificate's public key */
	uint32_t keyid;
	char *subject;		/* "CN=..." for messages */
	char *path;		/* the file it came from */
};

struct trust_certs {
	size_t n;
	struct trust_signer *signers;
};

/* The header fields of a signature blob, in host order. */
struct trust_sig_info {
	uint8_t hash_algo;
	uint32_t keyid;
	const uint8_t *sig;	/* points into the blob */
	size_t sig_len;
};

/* Key types trust_sig__keygen() makes. EC P-256 is the default (see docs). */
enum trust_key_type {
	TRUST_KEY_EC_P256 = 0,
	TRUST_KEY_RSA_2048,
	TRUST_KEY_RSA_3072,
};

/*
 * The trusted signers, from certificates: PEM (one or more per file) or
 * DER, with RSA (2048 bits or more) or EC P-256/P-384 keys. A file is
 * added whole or not at all: -ENOENT and friends when it cannot be read,
 * -EBADMSG when it holds no certificate or a broken one, -EOPNOTSUPP for
 * another key type. One file per call, so that callers can name it.
 */
struct trust_certs *trust_certs__new(void);	/* NULL and errno on failure */
int trust_certs__add(struct trust_certs *certs, const char *path, char *err, size_t errlen);
void trust_certs__free(struct trust_certs *certs);

/* Load a private key (PEM or DER, unencrypted). */
int trust_sig__load_key(const char *path, EVP_PKEY **ret_key, char *err, size_t errlen);

/* The IMA key id of @key (host order). */
int trust_sig__keyid(EVP_PKEY *key, uint32_t *ret_keyid);

/*
 * Split a blob into its fields. -EBADMSG: truncated, sizes that disagree,
 * not a signature (type byte), unknown version, a hash algorithm outside
 * the kernel's list; -EOPNOTSUPP: a signature of version 1 or 3.
 */
int trust_sig__parse(const uint8_t *blob, size_t len, struct trust_sig_info *ret_info);

/* Sign a SHA-256 digest; *ret_sig is a malloc'ed v2 blob. */
int trust_sig__sign(EVP_PKEY *key, const uint8_t digest[TRUST_SIG_DIGEST_LEN],
		    uint8_t **ret_sig, size_t *ret_len);

/* Sign @path with the key in @key_path and write PATH.sig, as evmctl
 * ima_sign --sigfile does (atomically: a temporary file renamed). @err
 * names the file that failed: "key K: no such file". */
int trust_sig__sign_file(const char *key_path, const char *path, char *err, size_t errlen);

/*
 * Verify @blob over @digest against @certs. 0 and *ret_signer on success
 * (may be NULL); else, in the order checked: -EBADMSG or -EOPNOTSUPP as
 * trust_sig__parse(), -EOPNOTSUPP for a hash algorithm other than SHA-256,
 * -ENOKEY when no trusted signer has the key id,
 * -EKEYREJECTED when the signature verifies against none of them; @err says
 * which, for "artifact X: REASON" ("signature does not verify against any
 * trusted signer").
 */
int trust_sig__verify(const struct trust_certs *certs, const uint8_t *blob, size_t len,
		      const uint8_t digest[TRUST_SIG_DIGEST_LEN],
		      const struct trust_signer **ret_signer, char *err, size_t errlen);

/* The name of a hash_algo value ("sha256"), or "unknown". */
const char *trust_sig__hash_name(uint8_t hash_algo);

/*
 * Read the signature of an artifact: PATH.sig if it exists, else the
 * security.ima xattr of @fd (the artifact, opened). -ENODATA when neither
 * holds one; -EFBIG when PATH.sig is larger than any signature. @err is
 * for "artifact X: REASON" too.
 */
int trust_sig__read_for(int fd, const char *path, uint8_t **ret_sig, size_t *ret_len, char *err,
			size_t errlen);

/*
 * Make a key and a self-signed X.509 certificate for it (subject CN
 * @subject_cn, valid @days, with a subjectKeyIdentifier that ends with the
 * IMA key id), as PEM files; the key file gets mode 0600. Existing files
 * are not overwritten (-EEXIST).
 */
int trust_sig__keygen(const char *key_path, const char *cert_path, const char *subject_cn,
		      int days, enum trust_key_type type, char *err, size_t errlen);

#endif
