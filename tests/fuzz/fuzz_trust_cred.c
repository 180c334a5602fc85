// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the credential exchange's parsers (trust_cred.h): a
 * credential file as attest activate splits it, and the TPM2B_PUBLIC
 * files attest challenge reads (the AK's name; an EK the credential is
 * made for). The first byte picks which.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "trust/trust_cred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t name[34] = { 0x00, 0x0b };
	TPM2B_ID_OBJECT id;
	TPM2B_ENCRYPTED_SECRET enc;
	uint8_t out[2 + 64], *blob = NULL;
	size_t len;
	char err[512];

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (trust_cred__parse(data + 1, size - 1, &id, &enc) == 0 &&
		    (id.size > sizeof(id.credential) || enc.size > sizeof(enc.secret)))
			__builtin_trap();
		break;
	case 1:
		if (trust_cred__name(data + 1, size - 1, out, &len, err, sizeof(err)) == 0 &&
		    len != 34)
			__builtin_trap();
		break;
	default:
		if (trust_cred__make(data + 1, size - 1, name, sizeof(name), (const uint8_t *)"s", 1,
				     &blob, &len, err, sizeof(err)) == 0 &&
		    trust_cred__parse(blob, len, &id, &enc))
			__builtin_trap(); /* what we make, we must read */
		free(blob);
	}
	return 0;
}
