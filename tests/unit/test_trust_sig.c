// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of ctl/trust/trust_sig.c: IMA signature v2 blobs and their keys. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/fileio.h"
#include "common/hex.h"
#include "trust/trust_sig.h"
#include "../check_run.h"

/*
 * Golden vectors made by evmctl 1.4 (`evmctl ima_sign --sigfile -a sha256
 * -k KEY f` over a file holding "hello\n"), with the certificates of the
 * keys (made by `openssl req -x509`). The private keys are not kept.
 */
static const char evmctl_ec_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBdjCCAR2gAwIBAgIUYWtyrrKn2mjHk7GVj+iWLo8QTfMwCgYIKoZIzj0EAwIw\n"
	"ETEPMA0GA1UEAwwGZWN0ZXN0MB4XDTI2MTEyNTA5MjEyNFoXDTI2MTIyNTA5MjEy\n"
	"NFowETEPMA0GA1UEAwwGZWN0ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n"
	"zURyrOsE6+GgAX8q8dhI7vaaHbcEm+XsTlujpGGJKYKB31T8YzVCqICWnqWnueDt\n"
	"8FfyQKY3h8VkK9icCwPpC6NTMFEwHQYDVR0OBBYEFOzybEamJk+kkWpmFKYG5oSS\n"
	"gXxuMB8GA1UdIwQYMBaAFOzybEamJk+kkWpmFKYG5oSSgXxuMA8GA1UdEwEB/wQF\n"
	"MAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgCbRQjnp5mASYBgP8OHcwZcRuKUvXLhOm\n"
	"eFmdGO14OlACIBZOpmva63WJGIjJ5X86OAOSP9aZ5plQ+/wirBCpktWt\n"
	"-----END CERTIFICATE-----\n";
static const char evmctl_ec_sig[] =
	"03020492817c6e0047304502210099ef5d44148421de147e2101b67607aab38e2c"
	"52800edd7b2150ac3288e9afb102207f40037c57e7148f4bb454ba21c2eb8470da"
	"ac4109e9c2b61772e30238ea7204";
static const char evmctl_rsa_cert[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDBTCCAe2gAwIBAgIUA/+8BVJZw3kkemti2WrGoAo2y/0wDQYJKoZIhvcNAQEL\n"
	"BQAwEjEQMA4GA1UEAwwHcnNhdGVzdDAeFw0yNjExMjUwOTIxMjRaFw0yNjEyMjUw\n"
	"OTIxMjRaMBIxEDAOBgNVBAMMB3JzYXRlc3QwggEiMA0GCSqGSIb3DQEBAQUAA4IB\n"
	"DwAwggEKAoIBAQCuf2rLUmVwxNP6URM40DrPlVNlaBl4pmQjYniagbEb/hIC3BbV\n"
	"1Efb6VtgRZuBLjDyH4ExEM3V0n8BLZxXvNsDj9Dotf8sy7Wqzhj8qa5T+gV7ytQx\n"
	"dbzYzScyEZSvlHwc9nYIZ47G+Gks8wV5lWCw1KclLCSW3nAEDb7YczfS8sEphqrs\n"
	"jCURe2Nqn16IxXZt57rU2DdrHbyN74FG3JRTswgY/nDxbTYExdyFjE9eaUeD56yq\n"
	"42aKcayZMKVDF3JHGEurkzux69XfH5ECnU06GDvKp9dEtEFV4gR5n8V9iWN7yrvj\n"
	"cbQAanlyf59+/K5nbwI3won2im8LNRlPqlJ7AgMBAAGjUzBRMB0GA1UdDgQWBBSR\n"
	"Iugrft9fI8E21F3ln3rC8yxVrjAfBgNVHSMEGDAWgBSRIugrft9fI8E21F3ln3rC\n"
	"8yxVrjAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4IBAQBthfwUfvxy\n"
	"vWqoZ5feXz+ASM4qgGBFo4VsGD9PPDUMvTbV8njZmtFvGvAqJcC3c3497Ob+svhg\n"
	"ZxSh84U2s3Q6knCaMYXIVpmxcQstSXv7iqL4idBiIjK9U+GuTE5VGl6D1c/4+9Wj\n"
	"M3CBgmPVrB1Eam+EnUaQPjhLKnUFFCuMRfPsHHC2DrsKRlYz2tKRpmzMKxF9yXIy\n"
	"jtHCl2Z6lAOYRCDP5mii1Ai3RMx1t+H88Q6V4hwZ0o8lWmD1EDbfzLOcqibeLY9S\n"
	"OHImVlbecygZV662ScT1J5B7jSE/a583OMM6ljr3zSwytnzTHcPbeSs2/TTgF2ix\n"
	"XsrVF9nj2CrN\n"
	"-----END CERTIFICATE-----\n";
static const char evmctl_rsa_sig[] =
	"030204f32c55ae010001dd1d0648d6f93248af8b0781211581c7979f3ce8c24b"
	"ea976edd679b99ce354017534d914b800f6d2caec9a3229e3fd641e49efc1153"
	"55895f40e66e62190e9b8aa80d063fcc2c6f59276bcbe1b98f8983ce20de99b2"
	"764a9ecba67e3bad55f5ef497de76200c43e25b690676aefa5a2c0a32f745047"
	"7881dec6b99cd0f877b63627b2378ebb25009fd2d10a8cb53908d641eb272677"
	"925a964aae834f1375266da370bc22dc30b3360d0854bb2ad5991ad89fac8368"
	"28a93b270b8f32bb12a001edbc20f49b67317b8627352715aa9ad9c5e5110c9b"
	"fe7ff55c46ebf1f86cf7c70ac2e1d616922b7f36a14a82ad99ba8d21e745320c"
	"26c524909630e2f0ea";

/* Keys made once for the whole suite (RSA key generation is slow). */
static char dir[] = "/tmp/boost-test-trust-sig-XXXXXX";
static const struct {
	const char *name;
	enum trust_key_type type;
} keys[] = {
	{ "ec", TRUST_KEY_EC_P256 },
	{ "rsa2048", TRUST_KEY_RSA_2048 },
	{ "rsa3072", TRUST_KEY_RSA_3072 },
	{ "untrusted", TRUST_KEY_EC_P256 },
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
#define UNTRUSTED 3

static char *path_in(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static char *key_path(int i)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.key", keys[i].name);
	return path_in(name);
}

static char *cert_path(int i)
{
	char name[64];

	snprintf(name, sizeof(name), "%s.crt", keys[i].name);
	return path_in(name);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n;

	ck_assert_int_eq(hex__decode(hex, out, max, &n), 0);
	return n;
}

static void sha256(const void *data, size_t len, uint8_t digest[32])
{
	ck_assert(EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL));
}

static void suite_setup(void)
{
	char subject[64];
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < N_KEYS; i++) {
		char *k = key_path(i), *c = cert_path(i);

		snprintf(subject, sizeof(subject), "boost test %s", keys[i].name);
		ck_assert_int_eq(trust_sig__keygen(k, c, subject, 30, keys[i].type, NULL, 0), 0);
		free(k);
		free(c);
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void suite_teardown(void)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* The trusted signers: every key but the untrusted one. */
static struct trust_certs *trusted(void)
{
	struct trust_certs *certs = trust_certs__new();
	size_t i;

	ck_assert_ptr_nonnull(certs);
	for (i = 0; i < N_KEYS; i++) {
		char *c = cert_path(i);

		if (i != UNTRUSTED)
			ck_assert_int_eq(trust_certs__add(certs, c, NULL, 0), 0);
		free(c);
	}
	return certs;
}

static EVP_PKEY *load_key(int i)
{
	char *k = key_path(i);
	EVP_PKEY *key;

	ck_assert_int_eq(trust_sig__load_key(k, &key, NULL, 0), 0);
	free(k);
	return key;
}

static void sign_with(int i, const uint8_t digest[32], uint8_t **sig, size_t *len)
{
	EVP_PKEY *key = load_key(i);

	ck_assert_int_eq(trust_sig__sign(key, digest, sig, len), 0);
	EVP_PKEY_free(key);
}

/* Sign and verify with each trusted key type; check the header against
 * what the certificate says independently (its subjectKeyIdentifier). */
START_TEST(test_round_trip)
{
	struct trust_certs *certs = trusted();
	const struct trust_signer *signer = NULL;
	const ASN1_OCTET_STRING *skid;
	uint8_t digest[32], *sig, *copy;
	char expect[64];
	size_t len;
	X509 *cert;
	FILE *f;
	char *c;

	sha256("artifact", 8, digest);
	sign_with(_i, digest, &sig, &len);

	c = cert_path(_i);
	f = fopen(c, "r");
	ck_assert_ptr_nonnull(f);
	cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	free(c);
	ck_assert_ptr_nonnull(cert);
	skid = X509_get0_subject_key_id(cert);
	ck_assert_ptr_nonnull(skid);
	ck_assert_int_eq(ASN1_STRING_length(skid), 20);

	ck_assert_uint_gt(len, TRUST_SIG_HDR_LEN);
	ck_assert_uint_eq(sig[0], 0x03);
	ck_assert_uint_eq(sig[1], 2);
	ck_assert_uint_eq(sig[2], 4);
	ck_assert_mem_eq(sig + 3, ASN1_STRING_get0_data(skid) + 16, 4);
	ck_assert_uint_eq((size_t)sig[7] << 8 | sig[8], len - TRUST_SIG_HDR_LEN);
	if (keys[_i].type == TRUST_KEY_RSA_2048)
		ck_assert_uint_eq(len, TRUST_SIG_HDR_LEN + 256);
	if (keys[_i].type == TRUST_KEY_RSA_3072)
		ck_assert_uint_eq(len, TRUST_SIG_HDR_LEN + 384);
	X509_free(cert);

	/* An exact-size copy, so that ASan sees any read past the end. */
	copy = malloc(len);
	memcpy(copy, sig, len);
	ck_assert_int_eq(trust_sig__verify(certs, copy, len, digest, &signer, NULL, 0), 0);
	ck_assert_ptr_nonnull(signer);
	snprintf(expect, sizeof(expect), "CN=boost test %s", keys[_i].name);
	ck_assert_str_eq(signer->subject, expect);

	free(copy);
	free(sig);
	trust_certs__free(certs);
}
END_TEST

START_TEST(test_flipped_digest_rejected)
{
	struct trust_certs *certs = trusted();
	uint8_t digest[32], *sig;
	size_t len;

	sha256("artifact", 8, digest);
	sign_with(_i, digest, &sig, &len);
	digest[31] ^= 0x01;
	ck_assert_int_eq(trust_sig__verify(certs, sig, len, digest, NULL, NULL, 0), -EKEYREJECTED);
	digest[31] ^= 0x01;
	sig[len - 1] ^= 0x01;
	ck_assert_int_eq(trust_sig__verify(certs, sig, len, digest, NULL, NULL, 0), -EKEYREJECTED);
	free(sig);
	trust_certs__free(certs);
}
END_TEST

START_TEST(test_untrusted_key)
{
	struct trust_certs *certs = trusted();
	uint8_t digest[32], *sig;
	size_t len;
	uint32_t keyid = certs->signers[0].keyid;

	sha256("artifact", 8, digest);
	sign_with(UNTRUSTED, digest, &sig, &len);
	ck_assert_int_eq(trust_sig__verify(certs, sig, len, digest, NULL, NULL, 0), -ENOKEY);

	/* Claiming a trusted signer's key id does not help. */
	sig[3] = keyid >> 24;
	sig[4] = keyid >> 16;
	sig[5] = keyid >> 8;
	sig[6] = keyid;
	ck_assert_int_eq(trust_sig__verify(certs, sig, len, digest, NULL, NULL, 0), -EKEYREJECTED);

	/* No trusted signers at all. */
	ck_assert_int_eq(trust_sig__verify(NULL, sig, len, digest, NULL, NULL, 0), -ENOKEY);
	free(sig);
	trust_certs__free(certs);
}
END_TEST

/* Signatures made by evmctl verify, from PEM and from DER certificates. */
START_TEST(test_evmctl_golden)
{
	const struct trust_signer *signer;
	struct trust_certs *certs = trust_certs__new();
	uint8_t digest[32], sig[600];
	unsigned char *der = NULL;
	size_t ec_len, rsa_len;
	char *pem = path_in("golden-ec.pem"), *dpath = path_in("golden-rsa.der");
	BIO *bio;
	X509 *cert;
	int der_len;

	write_file(pem, evmctl_ec_cert, strlen(evmctl_ec_cert));
	bio = BIO_new_mem_buf(evmctl_rsa_cert, -1);
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(cert);
	der_len = i2d_X509(cert, &der);
	ck_assert_int_gt(der_len, 0);
	write_file(dpath, der, (size_t)der_len);
	OPENSSL_free(der);
	X509_free(cert);
	BIO_free(bio);

	ck_assert_int_eq(trust_certs__add(certs, pem, NULL, 0), 0);
	ck_assert_int_eq(trust_certs__add(certs, dpath, NULL, 0), 0);
	ck_assert_uint_eq(certs->n, 2);
	ck_assert_uint_eq(certs->signers[0].keyid, 0x92817c6e);
	ck_assert_uint_eq(certs->signers[1].keyid, 0xf32c55ae);

	sha256("hello\n", 6, digest);
	ec_len = unhex(evmctl_ec_sig, sig, sizeof(sig));
	ck_assert_int_eq(trust_sig__verify(certs, sig, ec_len, digest, &signer, NULL, 0), 0);
	ck_assert_str_eq(signer->subject, "CN=ectest");
	rsa_len = unhex(evmctl_rsa_sig, sig, sizeof(sig));
	ck_assert_int_eq(trust_sig__verify(certs, sig, rsa_len, digest, &signer, NULL, 0), 0);
	ck_assert_str_eq(signer->subject, "CN=rsatest");
	digest[0] ^= 0x80;
	ck_assert_int_eq(trust_sig__verify(certs, sig, rsa_len, digest, NULL, NULL, 0),
			 -EKEYREJECTED);

	free(pem);
	free(dpath);
	trust_certs__free(certs);
}
END_TEST

/* Bad blobs, each in an exact-size allocation so that ASan catches any
 * read past its end. */
static const struct {
	const char *what;
	const char *hex;
	int err;
} bad_blobs[] = {
	{ "empty", "", -EBADMSG },
	{ "type byte only", "03", -EBADMSG },
	{ "not a signature (IMA hash)", "0402040102030400020102", -EBADMSG },
	{ "type 0", "0002040102030400020102", -EBADMSG },
	{ "version 1", "0301040102030400020102", -EOPNOTSUPP },
	{ "version 3", "0303040102030400020102", -EOPNOTSUPP },
	{ "version 9", "0309040102030400020102", -EBADMSG },
	{ "header cut at 8 bytes", "0302040102030400", -EBADMSG },
	{ "header without signature", "030204010203040000", -EBADMSG },
	{ "size field past the end", "0302040102030401000102", -EBADMSG },
	{ "size field 0xffff", "03020401020304ffff0102", -EBADMSG },
	{ "size field short of the end", "030204010203040001010203", -EBADMSG },
	{ "hash algo 23 (unknown)", "0302170102030400020102", -EBADMSG },
	{ "hash algo 255 (unknown)", "0302ff0102030400020102", -EBADMSG },
	{ "hash algo sha1", "0302020102030400020102", -EOPNOTSUPP },
	{ "hash algo sha512", "0302060102030400020102", -EOPNOTSUPP },
};

START_TEST(test_bad_blobs)
{
	struct trust_certs *certs = trusted();
	uint8_t digest[32] = { 0 }, *blob;
	size_t len = strlen(bad_blobs[_i].hex) / 2;
	int err;

	blob = malloc(len ? len : 1);
	unhex(bad_blobs[_i].hex, blob, len);
	err = trust_sig__verify(certs, blob, len, digest, NULL, NULL, 0);
	ck_assert_msg(err == bad_blobs[_i].err, "%s: got %d, want %d", bad_blobs[_i].what, err,
		      bad_blobs[_i].err);
	free(blob);
	trust_certs__free(certs);
}
END_TEST

/* Every strict prefix of a real signature is malformed, never a crash. */
START_TEST(test_every_truncation)
{
	struct trust_certs *certs = trusted();
	uint8_t digest[32], *sig, *cut;
	size_t len, n;

	sha256("artifact", 8, digest);
	sign_with(0, digest, &sig, &len);
	ck_assert_int_eq(trust_sig__verify(NULL, NULL, 0, digest, NULL, NULL, 0), -EBADMSG);
	for (n = 1; n < len; n++) {
		cut = malloc(n);
		memcpy(cut, sig, n);
		ck_assert_int_eq(trust_sig__verify(certs, cut, n, digest, NULL, NULL, 0), -EBADMSG);
		free(cut);
	}
	free(sig);
	trust_certs__free(certs);
}
END_TEST

START_TEST(test_parse_fields)
{
	struct trust_sig_info info;
	uint8_t blob[16];
	size_t len = unhex("0302048badf00d0002abcd", blob, sizeof(blob));

	ck_assert_int_eq(trust_sig__parse(blob, len, &info), 0);
	ck_assert_uint_eq(info.hash_algo, 4);
	ck_assert_str_eq(trust_sig__hash_name(info.hash_algo), "sha256");
	ck_assert_uint_eq(info.keyid, 0x8badf00d);
	ck_assert_ptr_eq(info.sig, blob + 9);
	ck_assert_uint_eq(info.sig_len, 2);
	ck_assert_str_eq(trust_sig__hash_name(200), "unknown");
}
END_TEST

/* Each refusal says why in the caller's buffer, naming the file where there is one. */
START_TEST(test_errors_name_each_reason)
{
	struct trust_certs *certs = trusted();
	uint8_t digest[32] = { 0 }, blob[16], *sig;
	size_t len = unhex("0302048badf00d0002abcd", blob, sizeof(blob));
	EVP_PKEY *key;
	char err[256];

	ck_assert_int_eq(trust_sig__verify(certs, blob, len, digest, NULL, err, sizeof(err)),
			 -ENOKEY);
	ck_assert_str_eq(err, "no trusted signer has the signature's key id");
	ck_assert_int_eq(trust_sig__verify(certs, blob, len - 1, digest, NULL, err, sizeof(err)),
			 -EBADMSG);
	ck_assert_str_eq(err, "signature is malformed");
	blob[2] = 2; /* sha1 */
	ck_assert_int_eq(trust_sig__verify(certs, blob, len, digest, NULL, err, sizeof(err)),
			 -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(err, "not supported"));
	sign_with(0, digest, &sig, &len);
	digest[0] ^= 1;
	ck_assert_int_eq(trust_sig__verify(certs, sig, len, digest, NULL, err, sizeof(err)),
			 -EKEYREJECTED);
	ck_assert_str_eq(err, "signature does not verify against any trusted signer");
	free(sig);
	ck_assert_int_eq(trust_certs__add(certs, "/nonexistent/c.pem", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "certificate /nonexistent/c.pem: no such file");
	ck_assert_int_eq(trust_sig__load_key("/nonexistent/k.pem", &key, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "key /nonexistent/k.pem: no such file");
	ck_assert_int_eq(trust_sig__sign_file("/nonexistent/k.pem", "/x", err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "key /nonexistent/k.pem: no such file");
	/* No buffer: the errno alone. */
	ck_assert_int_eq(trust_sig__verify(certs, blob, 3, digest, NULL, NULL, 0), -EBADMSG);
	trust_certs__free(certs);
}
END_TEST

/* A self-signed certificate for @key, written as PEM to @path. */
static void write_cert_for(EVP_PKEY *key, const char *path)
{
	X509 *cert = X509_new();
	FILE *f;

	ck_assert(X509_set_version(cert, X509_VERSION_3));
	ck_assert(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1));
	ck_assert(X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
					     (const unsigned char *)"weak", -1, -1, 0));
	ck_assert(X509_set_issuer_name(cert, X509_get_subject_name(cert)));
	ck_assert(X509_gmtime_adj(X509_getm_notBefore(cert), 0));
	ck_assert(X509_gmtime_adj(X509_getm_notAfter(cert), 3600));
	ck_assert(X509_set_pubkey(cert, key));
	ck_assert(X509_sign(cert, key, EVP_sha256()));
	f = fopen(path, "w");
	ck_assert(PEM_write_X509(f, cert));
	fclose(f);
	X509_free(cert);
}

START_TEST(test_load_certs)
{
	struct trust_certs *certs = trust_certs__new();
	char *c0 = cert_path(0), *c1 = cert_path(1), *bundle = path_in("bundle.pem");
	char *garbage = path_in("garbage.pem"), *broken = path_in("broken.pem");
	char *weak = path_in("weak.pem"), *key = key_path(0);
	uint8_t *both, *b0, *b1;
	size_t l0, l1;
	EVP_PKEY *rsa1024;

	/* A PEM bundle of two certificates gives two signers. */
	ck_assert_int_eq(fileio__read(c0, 8192, 0, &b0, &l0), 0);
	ck_assert_int_eq(fileio__read(c1, 8192, 0, &b1, &l1), 0);
	both = malloc(l0 + l1);
	memcpy(both, b0, l0);
	memcpy(both + l0, b1, l1);
	write_file(bundle, both, l0 + l1);
	ck_assert_int_eq(trust_certs__add(certs, bundle, NULL, 0), 0);
	ck_assert_uint_eq(certs->n, 2);
	ck_assert_str_eq(certs->signers[1].path, bundle);

	/* A file is added whole or not at all. */
	memcpy(both + l0 + 100, "!!!!", 4);
	write_file(broken, both, l0 + l1);
	ck_assert_int_eq(trust_certs__add(certs, broken, NULL, 0), -EBADMSG);
	ck_assert_uint_eq(certs->n, 2);

	write_file(garbage, "not a certificate\n", 18);
	ck_assert_int_eq(trust_certs__add(certs, garbage, NULL, 0), -EBADMSG);
	ck_assert_int_eq(trust_certs__add(certs, "/nonexistent/cert.pem", NULL, 0), -ENOENT);
	/* A private key is not a certificate. */
	ck_assert_int_eq(trust_certs__add(certs, key, NULL, 0), -EBADMSG);

	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	ck_assert_ptr_nonnull(rsa1024);
	write_cert_for(rsa1024, weak);
	ck_assert_int_eq(trust_certs__add(certs, weak, NULL, 0), -EOPNOTSUPP);
	ck_assert_uint_eq(certs->n, 2);
	EVP_PKEY_free(rsa1024);

	free(both);
	free(b0);
	free(b1);
	free(c0);
	free(c1);
	free(bundle);
	free(garbage);
	free(broken);
	free(weak);
	free(key);
	trust_certs__free(certs);
	trust_certs__free(NULL);
}
END_TEST

START_TEST(test_keygen)
{
	char *k = path_in("new.key"), *c = path_in("new.crt"), *other = path_in("other");
	struct trust_certs *certs = trust_certs__new();
	uint32_t keyid;
	EVP_PKEY *key;
	struct stat st;

	ck_assert_int_eq(trust_sig__keygen(k, c, "boost new", 1, TRUST_KEY_EC_P256, NULL, 0), 0);
	ck_assert_int_eq(stat(k, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(trust_sig__load_key(k, &key, NULL, 0), 0);
	ck_assert_int_eq(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
	ck_assert_int_eq(trust_sig__keyid(key, &keyid), 0);
	ck_assert_int_eq(trust_certs__add(certs, c, NULL, 0), 0);
	ck_assert_uint_eq(certs->signers[0].keyid, keyid);
	ck_assert_str_eq(certs->signers[0].subject, "CN=boost new");
	/* Never over an existing key. */
	ck_assert_int_eq(trust_sig__keygen(k, other, "x", 1, TRUST_KEY_EC_P256, NULL, 0), -EEXIST);
	ck_assert_int_eq(access(other, F_OK), -1);
	ck_assert_int_eq(trust_sig__keygen(other, c, "x", 1, TRUST_KEY_EC_P256, NULL, 0), -EEXIST);
	ck_assert_int_eq(access(other, F_OK), -1);	/* the key made is removed again */
	ck_assert_int_eq(trust_sig__keygen(other, other, "", 1, TRUST_KEY_EC_P256, NULL, 0),
			 -EINVAL);
	EVP_PKEY_free(key);
	free(other);
	trust_certs__free(certs);
	free(k);
	free(c);
}
END_TEST

/* sign_file writes FILE.sig; read_for finds it; verify accepts it. */
START_TEST(test_sign_file_and_read)
{
	struct trust_certs *certs = trusted();
	char *art = path_in("artifact.o"), *sigp, *k = key_path(0);
	uint8_t digest[32], *sig;
	char err[256];
	size_t len;
	int fd;

	write_file(art, "ELF bytes", 9);
	sha256("ELF bytes", 9, digest);
	ck_assert_int_eq(asprintf(&sigp, "%s.sig", art), (int)strlen(art) + 4);
	fd = open(art, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(trust_sig__read_for(fd, art, &sig, &len, err, sizeof(err)), -ENODATA);
	ck_assert_str_eq(err, "no signature (neither FILE.sig nor a security.ima xattr)");

	ck_assert_int_eq(trust_sig__sign_file(k, art, NULL, 0), 0);
	ck_assert_int_eq(trust_sig__read_for(fd, art, &sig, &len, NULL, 0), 0);
	ck_assert_int_eq(trust_sig__verify(certs, sig, len, digest, NULL, NULL, 0), 0);
	free(sig);

	/* A .sig file larger than any signature is refused unread. */
	{
		static uint8_t big[TRUST_SIG_MAX_LEN + 1];

		write_file(sigp, big, sizeof(big));
		ck_assert_int_eq(trust_sig__read_for(fd, art, &sig, &len, NULL, 0), -EFBIG);
	}
	ck_assert_int_eq(trust_sig__sign_file(k, "/nonexistent/x.o", NULL, 0), -ENOENT);

	close(fd);
	free(sigp);
	free(art);
	free(k);
	trust_certs__free(certs);
}
END_TEST

/* Without FILE.sig, the security.ima xattr; FILE.sig wins when both. */
START_TEST(test_read_xattr)
{
	struct trust_certs *certs = trusted();
	char *art = path_in("xattr.o"), *sigp, *k = key_path(0);
	uint8_t digest[32], *sig, *got;
	size_t len, got_len;
	int fd;

	write_file(art, "ELF", 3);
	sha256("ELF", 3, digest);
	sign_with(1, digest, &sig, &len);
	fd = open(art, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	if (fsetxattr(fd, "security.ima", sig, len, 0) < 0) {
		/* security.* needs CAP_SYS_ADMIN and a file system that keeps it. */
		printf("SKIP: test_read_xattr: cannot set security.ima on %s: %s\n", art,
		       strerror(errno));
		goto out;
	}
	ck_assert_int_eq(trust_sig__read_for(fd, art, &got, &got_len, NULL, 0), 0);
	ck_assert_uint_eq(got_len, len);
	ck_assert_mem_eq(got, sig, len);
	ck_assert_int_eq(trust_sig__verify(certs, got, got_len, digest, NULL, NULL, 0), 0);
	free(got);

	ck_assert_int_eq(trust_sig__sign_file(k, art, NULL, 0), 0);
	ck_assert_int_eq(trust_sig__read_for(fd, art, &got, &got_len, NULL, 0), 0);
	ck_assert_int_ne(memcmp(got + 3, sig + 3, 4), 0);	/* key 0's, not key 1's */
	free(got);
	ck_assert_int_eq(asprintf(&sigp, "%s.sig", art), (int)strlen(art) + 4);
	unlink(sigp);
	free(sigp);
out:
	close(fd);
	free(sig);
	free(art);
	free(k);
	trust_certs__free(certs);
}
END_TEST

static Suite *trust_sig_suite(void)
{
	Suite *s = suite_create("trust_sig");
	TCase *tc = tcase_create("sig");

	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_round_trip, 0, UNTRUSTED);
	tcase_add_loop_test(tc, test_flipped_digest_rejected, 0, UNTRUSTED);
	tcase_add_test(tc, test_untrusted_key);
	tcase_add_test(tc, test_evmctl_golden);
	tcase_add_loop_test(tc, test_bad_blobs, 0, sizeof(bad_blobs) / sizeof(bad_blobs[0]));
	tcase_add_test(tc, test_every_truncation);
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_errors_name_each_reason);
	tcase_add_test(tc, test_load_certs);
	tcase_add_test(tc, test_keygen);
	tcase_add_test(tc, test_sign_file_and_read);
	tcase_add_test(tc, test_read_xattr);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(trust_sig_suite());
}
