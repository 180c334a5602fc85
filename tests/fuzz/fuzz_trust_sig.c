// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: IMA signature v2 blobs (trust_sig__parse) and their check
 * against trusted signers (trust_sig__verify), as a .sig file or a
 * security.ima xattr brings them. The signers are an EC P-256 and an RSA
 * 2048 key made once in the harness's temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "trust/trust_sig.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct trust_certs *certs;

static void add_signer(const char *name, enum trust_key_type type)
{
	char key[4096], cert[4096], err[512];

	snprintf(key, sizeof(key), "%s/%s.key", fuzz_tmpdir(), name);
	snprintf(cert, sizeof(cert), "%s/%s.crt", fuzz_tmpdir(), name);
	if (trust_sig__keygen(key, cert, name, 1, type, err, sizeof(err)) ||
	    trust_certs__add(certs, cert, err, sizeof(err))) {
		fprintf(stderr, "fuzz_trust_sig: signer %s: %s\n", name, err);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	certs = trust_certs__new();
	if (!certs)
		abort();
	add_signer("fuzz-ec", TRUST_KEY_EC_P256);
	add_signer("fuzz-rsa", TRUST_KEY_RSA_2048);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t digest[TRUST_SIG_DIGEST_LEN] = { 0xb0, 0x05, 0x7 };
	const struct trust_signer *signer = NULL;
	struct trust_sig_info info;
	char err[512];

	if (trust_sig__parse(data, size, &info) == 0) {
		/* The fields point into the blob, within it. */
		if (info.sig < data || info.sig + info.sig_len != data + size)
			abort();
		trust_sig__hash_name(info.hash_algo);
	}
	if (trust_sig__verify(certs, data, size, digest, &signer, err, sizeof(err)) == 0 &&
	    !signer)
		abort();
	return 0;
}
