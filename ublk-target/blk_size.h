/* SPDX-License-Identifier: GPL-2.0-only */
/* Sizes as people write them, for boost-ublk's options and boostd's documents. */
#ifndef BOOST_BLK_SIZE_H
#define BOOST_BLK_SIZE_H

#include <stdint.h>

/*
 * "4096", "64M", "1G", "2T": binary units (K, M, G, T), optional "iB" or
 * "B". Returns 0, -EINVAL or -ERANGE.
 */
int blk_parse_size(const char *s, uint64_t *ret_bytes);

#endif
