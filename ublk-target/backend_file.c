// SPDX-License-Identifier: GPL-2.0-only
/*
 * file: a regular file or a block device, opened O_DIRECT and driven
 * through the queue's own io_uring: reads and writes into the request's
 * (registered) buffer, FUA as RWF_DSYNC, flush as fdatasync, discard as a
 * punched hole, write-zeroes as fallocate's zero range.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blk.h"

/* The backend's fixed file index on each queue's ring (0 is /dev/ublkcN). */
#define FILE_FIXED_INDEX 1
/* ->complete's SUB: the ublk op, or this for a write-zeroes redone as a hole. */
#define FILE_SUB_ZEROES_AS_HOLE 0x80

struct file_backend {
	int fd;
	bool is_bdev;
	/* The file system has no zero range (tmpfs): punch holes instead. */
	bool no_zero_range;
};

/* Main thread: ARG is the path. */
static int file_open(struct blk_dev *dev, const char *arg)
{
	struct file_backend *f;
	struct stat st;
	uint64_t size;
	int err;

	if (!arg || !*arg)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = open(arg, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (f->fd < 0) {
		err = -errno;
		goto err_free;
	}
	if (fstat(f->fd, &st)) {
		err = -errno;
		goto err_close;
	}
	if (S_ISBLK(st.st_mode)) {
		f->is_bdev = true;
		if (ioctl(f->fd, BLKGETSIZE64, &size)) {
			err = -errno;
			goto err_close;
		}
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		err = -EINVAL;
		goto err_close;
	}
	if (!dev->cfg.size)
		dev->cfg.size = size;
	if (dev->cfg.size > size || size == 0) {
		err = size == 0 ? -ENODATA : -EFBIG;
		goto err_close;
	}
	dev->backend_data = f;
	dev->backend_fds[0] = f->fd;
	dev->nr_backend_fds = 1;
	dev->register_bufs = true;
	dev->discard = true;
	/* Writes may sit in a cache until a flush; FUA writes may not. */
	dev->attrs |= UBLK_ATTR_VOLATILE_CACHE | UBLK_ATTR_FUA;
	return 0;

err_close:
	close(f->fd);
err_free:
	free(f);
	return err;
}

/* Main thread. */
static void file_close(struct blk_dev *dev)
{
	struct file_backend *f = dev->backend_data;

	if (!f)
		return;
	close(f->fd);
	free(f);
	dev->backend_data = NULL;
}

static int file_queue_fallocate(struct blk_queue *q, unsigned int tag,
				unsigned int sub, int mode, uint64_t off, uint64_t len)
{
	struct io_uring_sqe *sqe = blk_queue__backend_sqe(q, tag, sub);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_fallocate(sqe, FILE_FIXED_INDEX, mode, (off_t)off, (off_t)len);
	sqe->flags |= IOSQE_FIXED_FILE;
	return BLK_IO_QUEUED;
}

/* Queue thread. */
static int file_queue_io(struct blk_queue *q, unsigned int tag,
			 const struct ublksrv_io_desc *iod)
{
	struct file_backend *f = q->dev->backend_data;
	unsigned int op = ublksrv_get_op(iod);
	uint64_t off = blk_iod_offset(iod);
	uint32_t len = blk_iod_bytes(iod);
	struct io_uring_sqe *sqe;

	switch (op) {
	case UBLK_IO_OP_DISCARD:
		return file_queue_fallocate(q, tag, op,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	case UBLK_IO_OP_WRITE_ZEROES:
		if (f->no_zero_range)
			return file_queue_fallocate(q, tag, FILE_SUB_ZEROES_AS_HOLE,
				FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
		return file_queue_fallocate(q, tag, op,
			FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len);
	}
	sqe = blk_queue__backend_sqe(q, tag, op);
	if (!sqe)
		return -EBUSY;
	switch (op) {
	case UBLK_IO_OP_READ:
		io_uring_prep_read_fixed(sqe, FILE_FIXED_INDEX, blk_queue__buf(q, tag),
					 len, off, 0);
		break;
	case UBLK_IO_OP_WRITE:
		io_uring_prep_write_fixed(sqe, FILE_FIXED_INDEX, blk_queue__buf(q, tag),
					  len, off, 0);
		if (ublksrv_get_flags(iod) & (UBLK_IO_F_FUA >> 8))
			sqe->rw_flags = RWF_DSYNC;
		break;
	case UBLK_IO_OP_FLUSH:
		io_uring_prep_fsync(sqe, FILE_FIXED_INDEX, IORING_FSYNC_DATASYNC);
		break;
	default:
		/* blk_queue checked the op; keep the SQE harmless anyway. */
		io_uring_prep_nop(sqe);
		break;
	}
	sqe->flags |= IOSQE_FIXED_FILE;
	return BLK_IO_QUEUED;
}

/* Queue thread. */
static void file_complete(struct blk_queue *q, unsigned int tag, unsigned int sub,
			  const struct io_uring_cqe *cqe)
{
	struct file_backend *f = q->dev->backend_data;
	const struct ublksrv_io_desc *iod = &q->iods[tag];
	int res = cqe->res;

	if (sub == UBLK_IO_OP_WRITE_ZEROES && res == -EOPNOTSUPP) {
		f->no_zero_range = true;
		res = file_queue_fallocate(q, tag, FILE_SUB_ZEROES_AS_HOLE,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			blk_iod_offset(iod), blk_iod_bytes(iod));
		if (res == BLK_IO_QUEUED)
			return;
	} else if ((sub == UBLK_IO_OP_READ || sub == UBLK_IO_OP_WRITE) &&
		   res >= 0 && (uint32_t)res != blk_iod_bytes(iod)) {
		/* A short transfer inside the device's size: the file shrank. */
		res = -EIO;
	} else if (res > 0 && sub != UBLK_IO_OP_READ && sub != UBLK_IO_OP_WRITE) {
		res = 0;
	} else if (sub == UBLK_IO_OP_DISCARD && res == -EOPNOTSUPP) {
		/* Discard is a hint: a file that cannot punch keeps its data. */
		res = 0;
	}
	blk_queue__complete(q, tag, res);
}

const struct blk_backend_ops blk_backend_file = {
	.name = "file",
	.usage = "file:PATH",
	.open = file_open,
	.close = file_close,
	.queue_io = file_queue_io,
	.complete = file_complete,
};
