/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bytes as hex text and back: digests, nonces, sealed blobs. Output is
 * lower case, as sha256sum and the IMA logs print digests; input may be
 * either case, with no separators.
 */
#ifndef BOOST_HEX_H
#define BOOST_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The hex of @len bytes into @out, which holds HEX_LEN(@len) chars, NUL included. */
#define HEX_LEN(len) (2 * (len) + 1)
void hex__encode(const void *buf, size_t len, char *out);

/* The same, malloc'ed; NULL and errno on failure. */
char *hex__encode_alloc(const void *buf, size_t len);

/*
 * Decode @hex into @out (at most @max bytes). An empty string is 0 bytes.
 * -EINVAL: an odd number of digits or a character that is not a hex digit;
 * -E2BIG: more than @max bytes.
 */
int hex__decode(const char *hex, uint8_t *out, size_t max, size_t *ret_len);

/*
 * The same into a malloc'ed buffer of 1 to @max bytes: an empty string is
 * -EINVAL, as every caller wants some bytes.
 */
int hex__decode_alloc(const char *hex, size_t max, uint8_t **ret_buf, size_t *ret_len);

#endif
