// SPDX-License-Identifier: GPL-2.0-only
/*
 * mem: the device's bytes in this process's memory, an anonymous mapping
 * reserved up front and filled as written. Gone when the process ends.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blk.h"

struct mem_backend {
	uint8_t *base;
	uint64_t size;
};

/* Main thread: ARG is the size. */
static int mem_open(struct blk_dev *dev, const char *arg)
{
	struct mem_backend *m;
	uint64_t size;
	int err;

	if (!arg)
		return -EINVAL;
	err = blk_parse_size(arg, &size);
	if (err)
		return err;
	if (size == 0)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->base = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->base == MAP_FAILED) {
		err = -errno;
		free(m);
		return err;
	}
	m->size = size;
	dev->backend_data = m;
	dev->discard = true;
	if (!dev->cfg.size)
		dev->cfg.size = size;
	return dev->cfg.size > size ? -EFBIG : 0;
}

/* Main thread. */
static void mem_close(struct blk_dev *dev)
{
	struct mem_backend *m = dev->backend_data;

	if (!m)
		return;
	munmap(m->base, m->size);
	free(m);
	dev->backend_data = NULL;
}

/*
 * Zero a range: whole pages go back to the kernel (they read as zero and
 * cost no memory), the partial pages at the edges are cleared.
 */
static void mem_zero(struct mem_backend *m, uint64_t off, uint64_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = (off + page - 1) & ~(page - 1);
	uint64_t end = (off + len) & ~(page - 1);

	if (start >= end) {
		memset(m->base + off, 0, len);
		return;
	}
	memset(m->base + off, 0, start - off);
	if (madvise(m->base + start, end - start, MADV_DONTNEED))
		memset(m->base + start, 0, end - start);
	memset(m->base + end, 0, off + len - end);
}

/* Queue thread; queues touch the mapping without a lock, as a disk would. */
static int mem_queue_io(struct blk_queue *q, unsigned int tag,
			const struct ublksrv_io_desc *iod)
{
	struct mem_backend *m = q->dev->backend_data;
	uint64_t off = blk_iod_offset(iod);
	uint32_t len = blk_iod_bytes(iod);

	switch (ublksrv_get_op(iod)) {
	case UBLK_IO_OP_READ:
		memcpy(blk_queue__buf(q, tag), m->base + off, len);
		return (int)len;
	case UBLK_IO_OP_WRITE:
		memcpy(m->base + off, blk_queue__buf(q, tag), len);
		return (int)len;
	case UBLK_IO_OP_DISCARD:
	case UBLK_IO_OP_WRITE_ZEROES:
		mem_zero(m, off, len);
		return 0;
	case UBLK_IO_OP_FLUSH:
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

const struct blk_backend_ops blk_backend_mem = {
	.name = "mem",
	.usage = "mem:SIZE",
	.data_dies_with_server = true,
	.open = mem_open,
	.close = mem_close,
	.queue_io = mem_queue_io,
};
