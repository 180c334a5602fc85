// SPDX-License-Identifier: GPL-2.0-only
/*
 * null: every request succeeds at once and nothing is stored; reads return
 * whatever the buffer held. The ceiling of the data path.
 */
#include <errno.h>

#include "blk.h"

/* Main thread. */
static int null_open(struct blk_dev *dev, const char *arg)
{
	if (arg && *arg)
		return -EINVAL;
	dev->discard = true;
	return 0;
}

/* Queue thread. */
static int null_queue_io(struct blk_queue *q, unsigned int tag,
			 const struct ublksrv_io_desc *iod)
{
	switch (ublksrv_get_op(iod)) {
	case UBLK_IO_OP_READ:
	case UBLK_IO_OP_WRITE:
		return (int)blk_iod_bytes(iod);
	default:
		return 0;
	}
}

const struct blk_backend_ops blk_backend_null = {
	.name = "null",
	.usage = "null",
	.open = null_open,
	.queue_io = null_queue_io,
};
