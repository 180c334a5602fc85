// SPDX-License-Identifier: GPL-2.0-only
/* Sizes as people write them; shared by boost-ublk and boostd. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blk_size.h"

int blk_parse_size(const char *s, uint64_t *ret_bytes)
{
	char *end;
	unsigned long long v;
	unsigned int shift = 0;

	/* Digits first: strtoull would skip white space and accept a sign. */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (strcmp(end, "iB") == 0 || strcmp(end, "B") == 0))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret_bytes = (uint64_t)v << shift;
	return 0;
}
