// SPDX-License-Identifier: GPL-2.0-only
/*
 * Decoding is OpenSSL's; encoding is ours, since OPENSSL_buf2hexstr_ex
 * writes upper case.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "hex.h"

void hex__encode(const void *buf, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

char *hex__encode_alloc(const void *buf, size_t len)
{
	char *s = malloc(HEX_LEN(len));

	if (s)
		hex__encode(buf, len, s);
	return s;
}

int hex__decode(const char *hex, uint8_t *out, size_t max, size_t *ret_len)
{
	size_t n = strlen(hex), len;

	if (n % 2)
		return -EINVAL;
	if (n / 2 > max)
		return -E2BIG;
	if (n == 0) {
		*ret_len = 0;
		return 0;
	}
	if (!OPENSSL_hexstr2buf_ex(out, max, &len, hex, '\0')) {
		ERR_clear_error(); /* an answer, not an error for later messages */
		return -EINVAL;
	}
	*ret_len = len;
	return 0;
}

int hex__decode_alloc(const char *hex, size_t max, uint8_t **ret_buf, size_t *ret_len)
{
	size_t n = strlen(hex) / 2;
	uint8_t *buf;
	int ret;

	if (!*hex)
		return -EINVAL;
	if (n > max)
		return -E2BIG;
	buf = malloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	ret = hex__decode(hex, buf, n, ret_len);
	if (ret) {
		free(buf);
		return ret;
	}
	*ret_buf = buf;
	return 0;
}
