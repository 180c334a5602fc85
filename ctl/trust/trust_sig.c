// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMA signature v2 blobs: create, parse, verify, find; and the keys that
 * make them. The layout was checked byte for byte against evmctl 1.4
 * (docs/trust-formats.md); all cryptography is OpenSSL 3's EVP.
 */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "trust_sig.h"

#define TRUST_SIG_XATTR "security.ima"
/* The kernel's enum hash_algo ends before this value (HASH_ALGO__LAST). */
#define TRUST_SIG_HASH_ALGO_LAST 23
/* Certificates and keys are small; refuse to slurp anything bigger. */
#define TRUST_SIG_MAX_PEM (1 << 20)
/* Keys, certificates, FILE.sig: O_NONBLOCK, so that a FIFO there cannot hang us. */
#define TRUST_SIG_READ_FLAGS (O_NONBLOCK | O_NOCTTY)

static const char *trust_sig_hash_names[TRUST_SIG_HASH_ALGO_LAST] = {
	"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224",
	"rmd128", "rmd256", "rmd320", "wp256", "wp384", "wp512", "tgr128",
	"tgr160", "tgr192", "sm3-256", "streebog256", "streebog512",
	"sha3-256", "sha3-384", "sha3-512",
};

const char *trust_sig__hash_name(uint8_t hash_algo)
{
	return hash_algo < TRUST_SIG_HASH_ALGO_LAST ? trust_sig_hash_names[hash_algo] : "unknown";
}

/* Why a signature is refused, in words. */
static const char *trust_sig_reason(int ret)
{
	switch (ret) {
	case -EBADMSG:
		return "signature is malformed";
	case -EOPNOTSUPP:
		return "signature algorithm is not supported (IMA signature v2 over SHA-256 only)";
	case -ENOKEY:
		return "no trusted signer has the signature's key id";
	case -EKEYREJECTED:
		return "signature does not verify against any trusted signer";
	case -ENODATA:
		return "no signature (neither FILE.sig nor a security.ima xattr)";
	case -EFBIG:
		return "signature file is larger than any signature";
	default:
		return strerror(-ret);
	}
}

/* Why a key or certificate file is refused, in words. */
static const char *trust_sig_file_reason(int ret, bool is_key)
{
	switch (ret) {
	case -ENOENT:
		return "no such file";
	case -EEXIST:
		return "file exists (not overwritten)";
	case -EBADMSG:
		return is_key ? "not a private key (PEM or DER, unencrypted)" :
				"holds no certificate, or a broken one";
	case -EOPNOTSUPP:
		return "key type is not supported (RSA of 2048 bits or more, EC P-256 or P-384)";
	case -EFBIG:
		return "larger than any key or certificate";
	default:
		return strerror(-ret);
	}
}

int trust_sig__keyid(EVP_PKEY *key, uint32_t *ret_keyid)
{
	X509_PUBKEY *pub = NULL;
	const unsigned char *bits;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	int bits_len, ret;

	/* The key id covers the subjectPublicKey BIT STRING's content, the
	 * same bytes as the X.509 subjectKeyIdentifier "method 1". */
	if (!X509_PUBKEY_set(&pub, key) ||
	    !X509_PUBKEY_get0_param(NULL, &bits, &bits_len, NULL, pub)) {
		ret = -EINVAL;
		goto out;
	}
	if (!EVP_Digest(bits, (size_t)bits_len, md, &mdlen, EVP_sha1(), NULL)) {
		ret = -EINVAL;
		goto out;
	}
	*ret_keyid = (uint32_t)md[16] << 24 | (uint32_t)md[17] << 16 |
		     (uint32_t)md[18] << 8 | md[19];
	ret = 0;
out:
	X509_PUBKEY_free(pub);
	return ret;
}

/* RSA of 2048 bits or more, EC on P-256 or P-384: what the kernel's IMA
 * and evmctl verify, and strong enough. */
static int trust_sig_check_key_type(EVP_PKEY *key)
{
	char group[64];
	int nid;

	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
		return EVP_PKEY_get_bits(key) >= 2048 ? 0 : -EOPNOTSUPP;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_group_name(key, group, sizeof(group), NULL))
			return -EOPNOTSUPP;
		nid = OBJ_txt2nid(group);
		return nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 ? 0 : -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}

static char *trust_sig_subject(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *s = NULL;
	long n;

	if (!bio)
		return NULL;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
		n = BIO_get_mem_data(bio, &data);
		s = strndup(n > 0 ? data : "", n > 0 ? (size_t)n : 0);
	}
	BIO_free(bio);
	return s;
}

void trust_certs__free(struct trust_certs *certs)
{
	size_t i;

	if (!certs)
		return;
	for (i = 0; i < certs->n; i++) {
		X509_free(certs->signers[i].cert);
		EVP_PKEY_free(certs->signers[i].key);
		free(certs->signers[i].subject);
		free(certs->signers[i].path);
	}
	free(certs->signers);
	free(certs);
}

struct trust_certs *trust_certs__new(void)
{
	return calloc(1, sizeof(struct trust_certs));
}

/* Take over @cert as a signer (freed on failure too). */
static int trust_certs_take(struct trust_certs *certs, X509 *cert, const char *path)
{
	struct trust_signer *grown, s = { .cert = cert };
	int ret;

	s.key = X509_get_pubkey(cert);
	if (!s.key) {
		ret = -EBADMSG;
		goto ret;
	}
	ret = trust_sig_check_key_type(s.key);
	if (ret)
		goto ret;
	ret = trust_sig__keyid(s.key, &s.keyid);
	if (ret)
		goto ret;
	s.subject = trust_sig_subject(cert);
	s.path = strdup(path);
	if (!s.subject || !s.path) {
		ret = -ENOMEM;
		goto ret;
	}
	grown = realloc(certs->signers, (certs->n + 1) * sizeof(*grown));
	if (!grown) {
		ret = -ENOMEM;
		goto ret;
	}
	certs->signers = grown;
	certs->signers[certs->n++] = s;
	return 0;
ret:
	X509_free(s.cert);
	EVP_PKEY_free(s.key);
	free(s.subject);
	free(s.path);
	return ret;
}

/*
 * Read the PEM or DER file @path into *@buf. PEM gets a BIO over the bytes in
 * *@pem; DER leaves *@pem NULL. The caller frees both.
 */
static int trust_sig_read_encoded(const char *path, uint8_t **buf, size_t *len, BIO **pem)
{
	int ret;

	*pem = NULL;
	ret = fileio__read(path, TRUST_SIG_MAX_PEM, TRUST_SIG_READ_FLAGS, buf, len);
	if (ret || !memmem(*buf, *len, "-----BEGIN", 10))
		return ret;
	*pem = BIO_new_mem_buf(*buf, (int)*len);
	if (*pem)
		return 0;
	free(*buf);
	*buf = NULL;
	return -ENOMEM;
}

static int trust_certs_add(struct trust_certs *certs, const char *path)
{
	size_t len, n_before = certs->n;
	const unsigned char *p;
	uint8_t *buf = NULL;
	BIO *pem;
	X509 *cert;
	int ret;

	ret = trust_sig_read_encoded(path, &buf, &len, &pem);
	if (ret)
		return ret;
	if (pem) {
		while ((cert = PEM_read_bio_X509(pem, NULL, NULL, NULL))) {
			ret = trust_certs_take(certs, cert, path);
			if (ret)
				goto out;
		}
		/* The loop ends on "no start line" after the last one;
		 * anything else is a broken certificate. */
		if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE) {
			ret = -EBADMSG;
			goto out;
		}
		ERR_clear_error();
	} else {
		p = buf;
		cert = d2i_X509(NULL, &p, (long)len);
		if (cert && p != buf + len) {
			X509_free(cert);
			cert = NULL;
		}
		if (cert) {
			ret = trust_certs_take(certs, cert, path);
			if (ret)
				goto out;
		}
	}
	ret = certs->n > n_before ? 0 : -EBADMSG;
out:
	if (ret) {
		/* All of the file or none of it. */
		while (certs->n > n_before) {
			struct trust_signer *s = &certs->signers[--certs->n];

			X509_free(s->cert);
			EVP_PKEY_free(s->key);
			free(s->subject);
			free(s->path);
		}
	}
	BIO_free(pem);
	free(buf);
	return ret;
}

int trust_certs__add(struct trust_certs *certs, const char *path, char *err, size_t errlen)
{
	int ret = trust_certs_add(certs, path);

	if (ret)
		errmsg__set(err, errlen, ret, "certificate %s: %s", path,
			    trust_sig_file_reason(ret, false));
	return ret;
}

static int trust_sig_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return -1;
}

static int trust_sig_load_key(const char *path, EVP_PKEY **ret_key)
{
	const unsigned char *p;
	EVP_PKEY *key = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	BIO *pem;
	int ret;

	ret = trust_sig_read_encoded(path, &buf, &len, &pem);
	if (ret)
		return ret;
	if (pem) {
		/* Never prompt for a passphrase: boost runs unattended. */
		key = PEM_read_bio_PrivateKey(pem, NULL, trust_sig_no_passphrase, NULL);
		BIO_free(pem);
	} else {
		p = buf;
		key = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	if (!key) {
		ret = -EBADMSG;
		goto out;
	}
	ret = trust_sig_check_key_type(key);
	if (ret)
		goto out;
	*ret_key = key;
	key = NULL;
out:
	EVP_PKEY_free(key);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return ret;
}

int trust_sig__load_key(const char *path, EVP_PKEY **ret_key, char *err, size_t errlen)
{
	int ret = trust_sig_load_key(path, ret_key);

	if (ret)
		errmsg__set(err, errlen, ret, "key %s: %s", path, trust_sig_file_reason(ret, true));
	return ret;
}

int trust_sig__parse(const uint8_t *blob, size_t len, struct trust_sig_info *ret_info)
{
	size_t sig_len;

	if (!blob || len < 2)
		return -EBADMSG;
	if (blob[0] != TRUST_SIG_TYPE_DIGSIG)
		return -EBADMSG;
	if (blob[1] == 1 || blob[1] == 3)
		return -EOPNOTSUPP;
	if (blob[1] != TRUST_SIG_VERSION || len < TRUST_SIG_HDR_LEN)
		return -EBADMSG;
	if (blob[2] >= TRUST_SIG_HASH_ALGO_LAST)
		return -EBADMSG;
	sig_len = (size_t)blob[7] << 8 | blob[8];
	/* As the kernel: the size field must describe the rest exactly. */
	if (sig_len == 0 || sig_len != len - TRUST_SIG_HDR_LEN)
		return -EBADMSG;
	ret_info->hash_algo = blob[2];
	ret_info->keyid = (uint32_t)blob[3] << 24 | (uint32_t)blob[4] << 16 |
			  (uint32_t)blob[5] << 8 | blob[6];
	ret_info->sig = blob + TRUST_SIG_HDR_LEN;
	ret_info->sig_len = sig_len;
	return 0;
}

/* A context for a raw-digest signature operation of @key over SHA-256. */
static EVP_PKEY_CTX *trust_sig_ctx(EVP_PKEY *key, bool sign)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);

	if (!ctx)
		return NULL;
	if ((sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) <= 0)
		goto ret;
	/* RSA: PKCS#1 v1.5 with the SHA-256 DigestInfo; ECDSA: the
	 * digest as is. evmctl and the kernel do exactly this. */
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto ret;
	if (EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0)
		goto ret;
	return ctx;
ret:
	EVP_PKEY_CTX_free(ctx);
	return NULL;
}

int trust_sig__sign(EVP_PKEY *key, const uint8_t digest[TRUST_SIG_DIGEST_LEN],
		    uint8_t **ret_sig, size_t *ret_len)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *blob = NULL;
	size_t sig_len;
	uint32_t keyid;
	int ret;

	ret = trust_sig_check_key_type(key);
	if (ret)
		return ret;
	ret = trust_sig__keyid(key, &keyid);
	if (ret)
		return ret;
	ctx = trust_sig_ctx(key, true);
	if (!ctx || EVP_PKEY_sign(ctx, NULL, &sig_len, digest, TRUST_SIG_DIGEST_LEN) <= 0) {
		ret = -EINVAL;
		goto out;
	}
	blob = malloc(TRUST_SIG_HDR_LEN + sig_len);
	if (!blob) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_PKEY_sign(ctx, blob + TRUST_SIG_HDR_LEN, &sig_len, digest,
			  TRUST_SIG_DIGEST_LEN) <= 0) {
		ret = -EINVAL;
		goto out;
	}
	if (sig_len > 0xffff) {
		ret = -EOVERFLOW;
		goto out;
	}
	blob[0] = TRUST_SIG_TYPE_DIGSIG;
	blob[1] = TRUST_SIG_VERSION;
	blob[2] = TRUST_SIG_HASH_SHA256;
	blob[3] = keyid >> 24;
	blob[4] = keyid >> 16;
	blob[5] = keyid >> 8;
	blob[6] = keyid;
	blob[7] = sig_len >> 8;
	blob[8] = sig_len;
	*ret_sig = blob;
	*ret_len = TRUST_SIG_HDR_LEN + sig_len;
	blob = NULL;
	ret = 0;
out:
	free(blob);
	EVP_PKEY_CTX_free(ctx);
	return ret;
}

static int trust_sig_verify(const struct trust_certs *certs, const uint8_t *blob, size_t len,
			    const uint8_t digest[TRUST_SIG_DIGEST_LEN],
			    const struct trust_signer **ret_signer)
{
	struct trust_sig_info info;
	bool known = false;
	EVP_PKEY_CTX *ctx;
	size_t i;
	int ret, ok;

	ret = trust_sig__parse(blob, len, &info);
	if (ret)
		return ret;
	if (info.hash_algo != TRUST_SIG_HASH_SHA256)
		return -EOPNOTSUPP;
	/* Key ids are 32 bits: more than one signer may carry the same. */
	for (i = 0; certs && i < certs->n; i++) {
		const struct trust_signer *s = &certs->signers[i];

		if (s->keyid != info.keyid)
			continue;
		known = true;
		ctx = trust_sig_ctx(s->key, false);
		if (!ctx)
			return -ENOMEM;
		ok = EVP_PKEY_verify(ctx, info.sig, info.sig_len, digest, TRUST_SIG_DIGEST_LEN);
		EVP_PKEY_CTX_free(ctx);
		if (ok == 1) {
			if (ret_signer)
				*ret_signer = s;
			return 0;
		}
		/* A bad signature is an answer, not an error to keep. */
		ERR_clear_error();
	}
	return known ? -EKEYREJECTED : -ENOKEY;
}

int trust_sig__verify(const struct trust_certs *certs, const uint8_t *blob, size_t len,
		      const uint8_t digest[TRUST_SIG_DIGEST_LEN],
		      const struct trust_signer **ret_signer, char *err, size_t errlen)
{
	int ret = trust_sig_verify(certs, blob, len, digest, ret_signer);

	if (ret)
		errmsg__set(err, errlen, ret, "%s", trust_sig_reason(ret));
	return ret;
}

static int trust_sig_digest_fd(int fd, uint8_t digest[TRUST_SIG_DIGEST_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t buf[65536];
	ssize_t n;
	int ret;

	if (!md)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		ret = -EINVAL;
		goto out;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(md, buf, (size_t)n)) {
			ret = -EINVAL;
			goto out;
		}
	}
	ret = EVP_DigestFinal_ex(md, digest, NULL) ? 0 : -EINVAL;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

static int trust_sig_write_all(int fd, const uint8_t *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int trust_sig__sign_file(const char *key_path, const char *path, char *err, size_t errlen)
{
	char sig_path[PATH_MAX], tmp_path[PATH_MAX];
	uint8_t digest[TRUST_SIG_DIGEST_LEN];
	EVP_PKEY *key = NULL;
	uint8_t *blob = NULL;
	int fd = -1, tmp = -1, ret;
	size_t len;

	if (snprintf(sig_path, sizeof(sig_path), "%s.sig", path) >= (int)sizeof(sig_path) ||
	    snprintf(tmp_path, sizeof(tmp_path), "%s.sig.XXXXXX", path) >= (int)sizeof(tmp_path))
		return errmsg__set(err, errlen, -ENAMETOOLONG, "artifact %s: name too long", path);
	ret = trust_sig__load_key(key_path, &key, err, errlen);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errmsg__set(err, errlen, -errno, "artifact %s: %s", path,
				  trust_sig_file_reason(-errno, false));
		goto out;
	}
	ret = trust_sig_digest_fd(fd, digest);
	if (ret) {
		errmsg__set(err, errlen, ret, "artifact %s: %s", path, strerror(-ret));
		goto out;
	}
	ret = trust_sig__sign(key, digest, &blob, &len);
	if (ret) {
		errmsg__set(err, errlen, ret, "artifact %s: cannot sign with key %s: %s", path,
			    key_path, strerror(-ret));
		goto out;
	}
	tmp = mkostemp(tmp_path, O_CLOEXEC);
	if (tmp < 0) {
		ret = errmsg__set(err, errlen, -errno, "signature %s: %s", sig_path,
				  strerror(errno));
		goto out;
	}
	ret = trust_sig_write_all(tmp, blob, len);
	if (!ret && (fchmod(tmp, 0644) < 0 || fsync(tmp) < 0))
		ret = -errno;
	if (!ret && rename(tmp_path, sig_path) < 0)
		ret = -errno;
	if (ret) {
		errmsg__set(err, errlen, ret, "signature %s: %s", sig_path, strerror(-ret));
		unlink(tmp_path);
	}
out:
	if (tmp >= 0)
		close(tmp);
	if (fd >= 0)
		close(fd);
	free(blob);
	EVP_PKEY_free(key);
	return ret;
}

static int trust_sig_read_for(int fd, const char *path, uint8_t **ret_sig, size_t *ret_len)
{
	char sig_path[PATH_MAX];
	uint8_t *buf;
	ssize_t n;
	size_t len;
	int ret;

	if (snprintf(sig_path, sizeof(sig_path), "%s.sig", path) >= (int)sizeof(sig_path))
		return -ENAMETOOLONG;
	ret = fileio__read(sig_path, TRUST_SIG_MAX_LEN, TRUST_SIG_READ_FLAGS, &buf, &len);
	if (ret != -ENOENT) {
		if (!ret) {
			*ret_sig = buf;
			*ret_len = len;
		}
		return ret;
	}
	buf = malloc(TRUST_SIG_MAX_LEN);
	if (!buf)
		return -ENOMEM;
	n = fgetxattr(fd, TRUST_SIG_XATTR, buf, TRUST_SIG_MAX_LEN);
	if (n < 0) {
		ret = errno == ENODATA || errno == ENOTSUP ? -ENODATA :
		      errno == ERANGE ? -EFBIG : -errno;
		free(buf);
		return ret;
	}
	*ret_sig = buf;
	*ret_len = (size_t)n;
	return 0;
}

int trust_sig__read_for(int fd, const char *path, uint8_t **ret_sig, size_t *ret_len, char *err,
			size_t errlen)
{
	int ret = trust_sig_read_for(fd, path, ret_sig, ret_len);

	if (ret == -ENODATA || ret == -EFBIG)
		errmsg__set(err, errlen, ret, "%s", trust_sig_reason(ret));
	else if (ret)
		errmsg__set(err, errlen, ret, "signature %s.sig: %s", path, strerror(-ret));
	return ret;
}

static int trust_sig_add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EINVAL;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

static X509 *trust_sig_self_signed(EVP_PKEY *key, const char *cn, int days)
{
	unsigned char serial[16];
	BIGNUM *bn = NULL;
	X509_NAME *name;
	X509 *cert;

	cert = X509_new();
	if (!cert)
		return NULL;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto ret;
	serial[0] &= 0x7f;	/* positive */
	serial[0] |= 0x40;	/* and of full length */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)))
		goto ret;
	name = X509_get_subject_name(cert);
	if (!X509_set_version(cert, X509_VERSION_3) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0) ||
	    !X509_set_issuer_name(cert, name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(cert), 0) ||
	    !X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, NULL) ||
	    !X509_set_pubkey(cert, key))
		goto ret;
	/* subjectKeyIdentifier "hash" is the SHA-1 of the public key: the
	 * kernel finds the key of an IMA signature by its last 4 bytes. */
	if (trust_sig_add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    trust_sig_add_ext(cert, NID_key_usage, "critical,digitalSignature") ||
	    trust_sig_add_ext(cert, NID_ext_key_usage, "codeSigning") ||
	    trust_sig_add_ext(cert, NID_subject_key_identifier, "hash") ||
	    trust_sig_add_ext(cert, NID_authority_key_identifier, "keyid:always"))
		goto ret;
	if (!X509_sign(cert, key, EVP_sha256()))
		goto ret;
	BN_free(bn);
	return cert;
ret:
	BN_free(bn);
	X509_free(cert);
	return NULL;
}

/* Create @path (never over an existing file) and write @obj, a key or a
 * certificate, into it as PEM. */
static int trust_sig_write_pem(const char *path, mode_t mode, bool is_key, void *obj)
{
	FILE *f;
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	ok = is_key ? PEM_write_PrivateKey(f, obj, NULL, NULL, 0, NULL, NULL)
		    : PEM_write_X509(f, obj);
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok) {
		unlink(path);
		return -EIO;
	}
	return 0;
}

int trust_sig__keygen(const char *key_path, const char *cert_path, const char *subject_cn,
		      int days, enum trust_key_type type, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	int ret;

	if (!subject_cn || !*subject_cn || days <= 0)
		return errmsg__set(err, errlen, -EINVAL,
				   "keygen: the subject must not be empty, the days must be positive");
	switch (type) {
	case TRUST_KEY_EC_P256:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case TRUST_KEY_RSA_2048:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case TRUST_KEY_RSA_3072:
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
		break;
	default:
		return errmsg__set(err, errlen, -EINVAL, "keygen: unknown key type %d", type);
	}
	if (!key)
		return errmsg__ssl(err, errlen, -ENOMEM, "keygen: cannot make the key");
	cert = trust_sig_self_signed(key, subject_cn, days);
	if (!cert) {
		ret = errmsg__ssl(err, errlen, -EINVAL, "keygen: cannot make the certificate");
		goto out;
	}
	ret = trust_sig_write_pem(key_path, 0600, true, key);
	if (ret) {
		errmsg__set(err, errlen, ret, "key %s: %s", key_path,
			    trust_sig_file_reason(ret, true));
		goto out;
	}
	ret = trust_sig_write_pem(cert_path, 0644, false, cert);
	if (ret) {
		errmsg__set(err, errlen, ret, "certificate %s: %s", cert_path,
			    trust_sig_file_reason(ret, false));
		unlink(key_path);
	}
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	return ret;
}
