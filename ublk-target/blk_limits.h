/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A block device's limits and defaults: the one place boostctl, boostd
 * (the storage document) and boost-ublk take them from. No kernel header
 * here, so that ctl/ includes it without the 6.12 UAPI; boost_ublk.c checks
 * that the maxima are the driver's (UBLK_MAX_NR_QUEUES, UBLK_MAX_QUEUE_DEPTH).
 */
#ifndef BOOST_BLK_LIMITS_H
#define BOOST_BLK_LIMITS_H

#include <stdbool.h>

#define BLK_MAX_QUEUES 4096      /* UBLK_MAX_NR_QUEUES */
#define BLK_MAX_DEPTH 4096       /* UBLK_MAX_QUEUE_DEPTH */
#define BLK_DEFAULT_DEPTH 128
#define BLK_MAX_ID ((1 << 20) - 1) /* the ublk driver's device ids */
#define BLK_MIN_BLOCK_SIZE 512
#define BLK_MAX_BLOCK_SIZE 4096
#define BLK_DEFAULT_BLOCK_SIZE 512

static inline bool blk_block_size_ok(unsigned int bs)
{
	return bs == 512 || bs == 4096;
}

#endif
