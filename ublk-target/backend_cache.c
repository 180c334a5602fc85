// SPDX-License-Identifier: GPL-2.0-only
/*
 * cache: a block cache on a local file in front of a remote backend
 * (docs/storage.md, "cache"; the argument: cache_spec.h; the index on disk:
 * cache_index.h).
 *
 * The remote is driven through its own backend's ops, unchanged: the cache
 * gives it an inner queue (blk_queue.outer/.inner) on the same ring and
 * thread, with its own request descriptors and buffers: tags below the
 * device's depth carry the device's requests to the remote, the tags above
 * are the background flusher's. Its results come back through
 * ->layer_complete. No thread is added.
 *
 * One queue: the index is the queue thread's own, with no lock.
 *
 * Reads hit the cache, or fill the whole line from the remote and then read
 * it locally; a line whose slot holds another line's dirty blocks is read
 * from the remote around the cache. Writethrough: writes go to the remote,
 * and the blocks they cover leave the cache once it acknowledged them.
 * Writeback: writes land in the slot, the index entry saying them dirty
 * is written (O_DIRECT) before they complete, and the flusher writes dirty
 * blocks back whenever it can (at most CACHE_WB_MAX lines at once). FUA
 * writes go to the remote as in writethrough. FLUSH waits for every dirty
 * line to be written back and the index to be on disk, syncs the local
 * file, and flushes the remote.
 *
 * Slots are guarded while they change: @busy during a fill or a writeback
 * (exclusive), @users while a request's local IO or remote write covers
 * them. A request that cannot go waits in arrival order and is tried again
 * after the next change; so do writes beyond the dirty limit.
 *
 * A slot whose entry on disk may still say dirty (a writeback just cleaned
 * it) takes no other line until an fsync of the local file has made its
 * clean entry durable: else a power cut would replay another line's data
 * to this one's place on the remote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blk.h"
#include "cache_index.h"
#include "cache_spec.h"

/* The local file's fixed index on the ring (0 is /dev/ublkcN). */
#define CACHE_FIXED 1
/* Lines the flusher writes back at once; its inner tags follow the device's. */
#define CACHE_WB_MAX 8
/* Index pages being written at once. */
#define CACHE_META_MAX 16
/* A failed writeback is tried again this much later. */
#define CACHE_RETRY_NS 1000000000ull
/* Waiting requests are tried again at least this often (see cache_arm_timer). */
#define CACHE_RECHECK_NS 100000000ull

/* ->complete's SUB for the cache's own SQEs; TAG says whose. */
enum {
	SUB_LOCAL = 1,		/* a request's IO on a slot (tag: request) */
	SUB_FILL_LOCAL,		/* a fill's write into the slot (tag: request) */
	SUB_WB_READ,		/* a writeback's read of a dirty run (tag: wb) */
	SUB_META,		/* an index page (tag: meta buffer) */
	SUB_SYNC,		/* fdatasync for the slot gates (tag: none) */
	SUB_FLUSH_SYNC,		/* fdatasync for a FLUSH (tag: request) */
	SUB_TIMER,		/* the flusher's retry (tag: none) */
};
#define CACHE_TAG_NONE 0xfffe

enum req_phase {
	PH_IDLE,
	PH_WAIT,		/* in the wait list */
	PH_LOCAL,		/* a segment's IO on its slot */
	PH_BYPASS,		/* a segment read from the remote around the cache */
	PH_FILL,		/* the line read from the remote */
	PH_FILL_LOCAL,		/* its missing blocks written into the slot */
	PH_META,		/* the entry's page being written */
	PH_REMOTE,		/* a write (or flush) on the remote */
	PH_FLUSH_SYNC,		/* a FLUSH's local fdatasync */
};

struct cache_dev {
	struct cache_spec spec;
	char *arg;			/* spec.remote points into it */
	int fd;
	struct cache_sb sb;
	unsigned int blocks;		/* per line */
	uint64_t nlines;		/* of the remote */
	uint64_t size;			/* the device's */
	struct cache_entry *e;		/* the index, in memory */
	uint8_t *meta;			/* the index as on disk (page-aligned) */
	uint64_t npages;
	uint64_t dirty_lines, dirty_max;
	bool io_error;			/* the local file failed: no clean close */
	struct blk_dev inner_dev;	/* the remote, as its backend sees it */
};

struct cache_req {
	enum req_phase phase;
	uint64_t off;
	uint32_t len, pos, seg;
	uint64_t slot;
	unsigned int nsub;
	int error;
	/* PH_META: the index pages (one or two) whose writes it waits for. */
	uint64_t meta_page[2];
	uint32_t meta_seq[2];
	unsigned int nmeta;
	bool sync_after;		/* then fdatasync the local file: a FUA write */
	uint16_t wait_next;
};

struct cache_wb {
	bool active;
	uint64_t slot, mask, todo;	/* the dirty blocks taken; those not yet sent */
	uint32_t run_off, run_len;
};

struct cache_page {
	uint32_t mod, written;		/* changes made, and written */
	bool inflight, queued;
};

struct cache_queue {
	struct blk_queue inner;
	struct ublksrv_io_desc *siods;
	uint8_t *sbufs;
	size_t sbufs_len;
	struct cache_req *req;
	struct cache_wb wb[CACHE_WB_MAX];
	unsigned int wb_active;
	uint64_t wb_cursor;
	uint64_t retry_at;
	uint16_t *users;
	uint8_t *busy;
	/* Slots cleaned by a writeback, waiting for an fsync (gate), and in it. */
	uint8_t *gated;
	uint32_t *gate_seq, *sync_seq;	/* the change that ungates it; the one being synced */
	uint64_t *gates;
	uint64_t ngates, nsyncing;
	bool sync_inflight;
	struct cache_page *pages;
	uint64_t *page_fifo;
	uint64_t fifo_head, fifo_len;
	uint8_t *mbuf;			/* CACHE_META_MAX pages */
	uint64_t mbuf_page[CACHE_META_MAX];
	uint32_t mbuf_seq[CACHE_META_MAX];
	unsigned int mbuf_used;		/* bit per buffer */
	int wait_head, wait_tail;
	bool wake;
	bool recheck;			/* a timer came while requests waited */
	bool lost_said;
	unsigned int flushing;		/* FLUSHes waiting for the write-back */
	unsigned int timers;
	struct __kernel_timespec ts;
};

static void cache_step(struct blk_queue *q, unsigned int tag);

static struct cache_dev *cdev(const struct blk_queue *q)
{
	return q->dev->backend_data;
}

static uint64_t slot_off(const struct cache_dev *cd, uint64_t slot, uint32_t in_line)
{
	return cd->sb.data_off + slot * cd->sb.line + in_line;
}

/* The bytes of line @l inside the device (the last one may be short). */
static uint32_t line_len(const struct cache_dev *cd, uint64_t l)
{
	uint64_t start = l * cd->sb.line;

	return cd->size - start < cd->sb.line ? (uint32_t)(cd->size - start) : cd->sb.line;
}

/* ---- open and close (main thread) ---------------------------------------- */

static int cache_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf = (const uint8_t *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int cache_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (uint8_t *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int cache_write_sb(struct cache_dev *cd, enum cache_state state)
{
	uint8_t *buf;
	int err;

	if (posix_memalign((void **)&buf, 4096, CACHE_SB_SIZE))
		return -ENOMEM;
	cd->sb.state = state;
	cache_sb__encode(&cd->sb, buf);
	err = cache_pwrite_all(cd->fd, buf, CACHE_SB_SIZE, 0);
	if (!err && fdatasync(cd->fd))
		err = -errno;
	free(buf);
	return err;
}

/* A new, empty cache: an index of never-written entries, then the header. */
static int cache_format(struct cache_dev *cd, uint64_t file_size)
{
	int err;

	err = cache_index__geometry(file_size, cd->spec.line, &cd->sb.nslots, &cd->sb.data_off);
	if (err)
		return err;
	cd->sb.line = cd->spec.line;
	if (getrandom(&cd->sb.seed, sizeof(cd->sb.seed), 0) != sizeof(cd->sb.seed))
		return -errno;
	return 0;
}

static void cache_free(struct cache_dev *cd)
{
	if (cd->fd >= 0)
		close(cd->fd);
	free(cd->e);
	free(cd->meta);
	free(cd->arg);
	free(cd);
}

/* The index in memory and its image on disk (zeroed), for the header's geometry. */
static int cache_alloc_index(struct cache_dev *cd)
{
	uint64_t bytes = cache_index__bytes(cd->sb.nslots);

	free(cd->e);
	free(cd->meta);
	cd->meta = NULL;
	cd->blocks = cd->sb.line / CACHE_BLOCK;
	cd->npages = bytes / 4096;
	cd->e = calloc(cd->sb.nslots, sizeof(*cd->e));
	if (!cd->e || posix_memalign((void **)&cd->meta, 4096, bytes))
		return -ENOMEM;
	memset(cd->meta, 0, bytes);
	return 0;
}

static int cache_open_file(struct blk_dev *dev, struct cache_dev *cd)
{
	const char *path = cd->spec.path;
	struct cache_replay rp = { 0 };
	uint8_t *sbuf = NULL;
	char why[256] = "";
	struct stat st;
	bool fresh = false;
	uint64_t i, bytes;
	int err;

	cd->fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (cd->fd < 0 || fstat(cd->fd, &st)) {
		err = -errno;
		fprintf(stderr, "boost-ublk: backend cache: cannot open %s: %s\n", path,
			strerror(-err));
		return -EALREADY;
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t dev_bytes;

		if (ioctl(cd->fd, BLKGETSIZE64, &dev_bytes)) {
			err = -errno;
			fprintf(stderr, "boost-ublk: backend cache: %s: %s\n", path, strerror(-err));
			return -EALREADY;
		}
		st.st_size = (off_t)dev_bytes;
	} else if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "boost-ublk: backend cache: %s: neither a file nor a block device\n",
			path);
		return -EALREADY;
	}
	/* One server per cache file: two would each believe their own index. */
	if (flock(cd->fd, LOCK_EX | LOCK_NB)) {
		fprintf(stderr, "boost-ublk: backend cache: %s: in use by another server (%s)\n",
			path, strerror(errno));
		return -EALREADY;
	}
	if (posix_memalign((void **)&sbuf, 4096, CACHE_SB_SIZE))
		return -ENOMEM;
	err = cache_pread_all(cd->fd, sbuf, CACHE_SB_SIZE, 0);
	if (err == -EIO)
		err = -ENOENT; /* shorter than a header: a file to format */
	else if (!err)
		err = cache_sb__decode(sbuf, (uint64_t)st.st_size, &cd->sb, why, sizeof(why));
	free(sbuf);
	if (err == -EBADMSG) {
		fprintf(stderr, "boost-ublk: backend cache: %s: %s\n", path, why);
		return -EALREADY;
	}
	if (err && err != -ENOENT)
		return err;
	if (err == -ENOENT) {
		fresh = true;
		err = cache_format(cd, (uint64_t)st.st_size);
		if (err) {
			fprintf(stderr, "boost-ublk: backend cache: %s: too small for one line of "
				"%u bytes and its header\n", path, cd->spec.line);
			return -EALREADY;
		}
	}
	cd->nlines = (cd->size + cd->sb.line - 1) / cd->sb.line;
	bytes = cache_index__bytes(cd->sb.nslots);
	if (cache_alloc_index(cd))
		return -ENOMEM;
	if (!fresh) {
		err = cache_pread_all(cd->fd, cd->meta, bytes, CACHE_SB_SIZE);
		if (err) {
			fprintf(stderr, "boost-ublk: backend cache: %s: cannot read its index: %s\n",
				path, strerror(-err));
			return -EALREADY;
		}
	}
	cache_index__replay(cd->sb.seed, cd->sb.nslots, cd->nlines, cd->blocks, cd->meta,
			    !fresh && cd->sb.state == CACHE_STATE_CLEAN, cd->e, &rp);
	if (!fresh && (strcmp(cd->sb.remote, cd->spec.remote) != 0 ||
		       cd->sb.remote_size != cd->size || cd->sb.line != cd->spec.line)) {
		if (rp.dirty_lines) {
			fprintf(stderr, "boost-ublk: backend cache: %s: holds %llu dirty lines of "
				"%s (%llu bytes, lines of %u); write them back there first\n",
				path, (unsigned long long)rp.dirty_lines, cd->sb.remote,
				(unsigned long long)cd->sb.remote_size, cd->sb.line);
			return -EALREADY;
		}
		/* Clean lines of another disk, or another geometry: start afresh. */
		fresh = true;
		if (cache_format(cd, (uint64_t)st.st_size))
			return -ENOSPC;
		bytes = cache_index__bytes(cd->sb.nslots);
		if (cache_alloc_index(cd))
			return -ENOMEM;
		for (i = 0; i < cd->sb.nslots; i++)
			cd->e[i].line = CACHE_LINE_EMPTY;
		memset(&rp, 0, sizeof(rp));
	}
	snprintf(cd->sb.remote, sizeof(cd->sb.remote), "%s", cd->spec.remote);
	cd->sb.remote_size = cd->size;
	/* The image of the index pages is rebuilt from what replay kept. */
	for (i = 0; i < cd->sb.nslots; i++)
		cache_entry__encode(cd->sb.seed, i, &cd->e[i], cd->meta + i * CACHE_ENTRY_SIZE);
	if (fresh || rp.dropped || cd->sb.state != CACHE_STATE_CLEAN) {
		err = cache_pwrite_all(cd->fd, cd->meta, bytes, CACHE_SB_SIZE);
		if (err)
			return err;
	}
	/* Open from here on: a crash is seen at the next open. */
	err = cache_write_sb(cd, CACHE_STATE_OPEN);
	if (err)
		return err;
	cd->dirty_lines = rp.dirty_lines;
	cd->dirty_max = cd->spec.dirty_max ?
		(cd->spec.dirty_max + cd->sb.line - 1) / cd->sb.line : cd->sb.nslots / 2;
	if (cd->dirty_max < 1)
		cd->dirty_max = 1;
	if (cd->dirty_max > cd->sb.nslots)
		cd->dirty_max = cd->sb.nslots;
	fprintf(stderr, "boost-ublk: backend cache: %s: %llu lines of %u bytes, %s; "
		"%llu lines kept, %llu dirty to write back%s\n", path,
		(unsigned long long)cd->sb.nslots, cd->sb.line,
		cd->spec.mode == CACHE_WRITEBACK ? "writeback" : "writethrough",
		(unsigned long long)rp.valid_lines, (unsigned long long)rp.dirty_lines,
		fresh ? " (formatted)" : rp.dropped ? " (damaged entries dropped)" : "");
	(void)dev;
	return 0;
}

/* Main thread: ARG is cache_spec.h's. */
static int cache_open(struct blk_dev *dev, const char *arg)
{
	const struct blk_backend_ops *ops;
	struct cache_dev *cd;
	const char *rarg;
	char why[512];
	bool adopted = dev->info.nr_hw_queues != 0;
	int err;

	if (!arg || !*arg)
		return -EINVAL;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	cd->fd = -1;
	cd->arg = strdup(arg);
	if (!cd->arg) {
		free(cd);
		return -ENOMEM;
	}
	if (cache_spec__parse(cd->arg, &cd->spec, why, sizeof(why))) {
		fprintf(stderr, "boost-ublk: backend cache: %s\n", why);
		err = -EALREADY;
		goto err;
	}
	if (strlen(cd->spec.remote) >= CACHE_REMOTE_MAX) {
		fprintf(stderr, "boost-ublk: backend cache: the remote's spec is longer than %d\n",
			CACHE_REMOTE_MAX - 1);
		err = -EALREADY;
		goto err;
	}
	if (adopted && (dev->cfg.nr_queues != 1 || dev->cfg.block_size != 4096)) {
		fprintf(stderr, "boost-ublk: backend cache: the device has %u queues of %u-byte "
			"blocks; a cache serves one queue of 4096-byte blocks\n",
			dev->cfg.nr_queues, dev->cfg.block_size);
		err = -EALREADY;
		goto err;
	}
	/* The remote opens as it would alone, on a device of its own. */
	ops = blk_backend__find(cd->spec.remote, &rarg);
	if (!ops || !ops->queue_io || ops == &blk_backend_cache) {
		fprintf(stderr, "boost-ublk: backend cache: remote %s: unknown\n", cd->spec.remote);
		err = -EALREADY;
		goto err;
	}
	cd->inner_dev.cfg = dev->cfg;
	cd->inner_dev.info = dev->info;
	cd->inner_dev.ops = ops;
	cd->inner_dev.ctrl_fd = cd->inner_dev.cdev_fd = -1;
	err = ops->open(&cd->inner_dev, rarg);
	if (err) {
		if (err != -EALREADY)
			fprintf(stderr, "boost-ublk: backend cache: remote %s: %s\n",
				cd->spec.remote, strerror(-err));
		cd->inner_dev.ops = NULL;
		err = -EALREADY;
		goto err;
	}
	/* Its IO goes through staging buffers and no registered file of its own. */
	if (cd->inner_dev.register_bufs || cd->inner_dev.nr_backend_fds) {
		fprintf(stderr, "boost-ublk: backend cache: remote %s: not a remote backend\n",
			cd->spec.remote);
		err = -EALREADY;
		goto err;
	}
	if (cd->inner_dev.attrs & UBLK_ATTR_READ_ONLY) {
		fprintf(stderr, "boost-ublk: backend cache: remote %s: read-only\n",
			cd->spec.remote);
		err = -EALREADY;
		goto err;
	}
	dev->cfg.nr_queues = 1;
	dev->cfg.block_size = 4096;
	cd->size = cd->inner_dev.cfg.size & ~(uint64_t)4095;
	if (!dev->cfg.size)
		dev->cfg.size = cd->size;
	if (dev->cfg.size > cd->size) {
		err = -EFBIG;
		goto err;
	}
	cd->size = dev->cfg.size & ~(uint64_t)4095;
	dev->cfg.size = cd->size;
	err = cache_open_file(dev, cd);
	if (err)
		goto err;
	dev->backend_data = cd;
	dev->backend_fds[0] = cd->fd;
	dev->nr_backend_fds = 1;
	dev->register_bufs = true;
	dev->discard = false;
	/* Writes may sit in the cache (or the remote's) until a flush; FUA writes may not. */
	dev->attrs |= UBLK_ATTR_VOLATILE_CACHE | UBLK_ATTR_FUA;
	dev->net_family = cd->inner_dev.net_family;
	dev->net_port = cd->inner_dev.net_port;
	/* librbd's threads: the device's confinement is the remote's. */
	dev->library_threads = cd->inner_dev.library_threads;
	return 0;
err:
	if (cd->inner_dev.ops && cd->inner_dev.ops->close)
		cd->inner_dev.ops->close(&cd->inner_dev);
	cache_free(cd);
	return err;
}

/*
 * Main thread, every queue thread gone: the whole index to disk, then the
 * header says clean, so that the next open keeps the clean lines.
 */
static void cache_close(struct blk_dev *dev)
{
	struct cache_dev *cd = dev->backend_data;

	if (!cd)
		return;
	if (cd->inner_dev.ops && cd->inner_dev.ops->close)
		cd->inner_dev.ops->close(&cd->inner_dev);
	if (!cd->io_error &&
	    cache_pwrite_all(cd->fd, cd->meta, cache_index__bytes(cd->sb.nslots), CACHE_SB_SIZE) == 0 &&
	    fdatasync(cd->fd) == 0)
		cache_write_sb(cd, CACHE_STATE_CLEAN);
	cache_free(cd);
	dev->backend_data = NULL;
}

/* ---- waiting ------------------------------------------------------------- */

static void cache_wait(struct cache_queue *cq, unsigned int tag)
{
	cq->req[tag].phase = PH_WAIT;
	cq->req[tag].wait_next = 0xffff;
	if (cq->wait_tail >= 0)
		cq->req[cq->wait_tail].wait_next = (uint16_t)tag;
	else
		cq->wait_head = (int)tag;
	cq->wait_tail = (int)tag;
}

static void cache_finish(struct blk_queue *q, unsigned int tag, int result)
{
	struct cache_queue *cq = q->backend_data;

	cq->req[tag].phase = PH_IDLE;
	blk_queue__complete(q, tag, result);
}

/* Something changed: every waiting request is tried again, in order. */
static void cache_run_waiters(struct blk_queue *q, struct cache_queue *cq)
{
	int tag = cq->wait_head;
	unsigned int before = 0, after = 0;

	cq->wait_head = cq->wait_tail = -1;
	cq->wake = false;
	while (tag >= 0) {
		int next = cq->req[tag].wait_next == 0xffff ? -1 : cq->req[tag].wait_next;

		before++;
		cq->req[tag].phase = PH_IDLE;
		if (q->stopping)
			cache_finish(q, (unsigned int)tag, -EIO);
		else
			cache_step(q, (unsigned int)tag);
		tag = next;
	}
	for (tag = cq->wait_head; tag >= 0;
	     tag = cq->req[tag].wait_next == 0xffff ? -1 : cq->req[tag].wait_next)
		after++;
	/*
	 * Tried again by the re-check alone, with no change seen, and one went
	 * on: a wake-up was lost. The re-check let it go; say so, once.
	 */
	if (cq->recheck && after < before && !cq->lost_said) {
		cq->lost_said = true;
		fprintf(stderr, "boost-ublk: device %d: cache: a waiting request went on at the "
			"periodic re-check only (a lost wake-up)\n", q->dev->cfg.dev_id);
	}
	cq->recheck = false;
}

/* ---- the index on disk ----------------------------------------------------- */

static void cache_meta_submit(struct blk_queue *q, struct cache_queue *cq, uint64_t page)
{
	struct cache_dev *cd = cdev(q);
	struct io_uring_sqe *sqe;
	unsigned int b;

	for (b = 0; b < CACHE_META_MAX && (cq->mbuf_used & (1u << b)); b++)
		;
	if (b == CACHE_META_MAX)
		return;
	sqe = blk_queue__backend_sqe(q, b, SUB_META);
	if (!sqe)
		return;
	/* A copy: the page may change again while this write is in flight. */
	memcpy(cq->mbuf + (size_t)b * 4096, cd->meta + page * 4096, 4096);
	io_uring_prep_write(sqe, CACHE_FIXED, cq->mbuf + (size_t)b * 4096, 4096,
			    CACHE_SB_SIZE + page * 4096);
	sqe->flags |= IOSQE_FIXED_FILE;
	cq->mbuf_used |= 1u << b;
	cq->mbuf_page[b] = page;
	cq->mbuf_seq[b] = cq->pages[page].mod;
	cq->pages[page].inflight = true;
}

/* Slot @s changed: its page is written (now, or after the write in flight). */
static uint32_t cache_touch(struct blk_queue *q, struct cache_queue *cq, uint64_t s)
{
	struct cache_dev *cd = cdev(q);
	uint64_t page = s * CACHE_ENTRY_SIZE / 4096;
	struct cache_page *p = &cq->pages[page];

	cache_entry__encode(cd->sb.seed, s, &cd->e[s], cd->meta + s * CACHE_ENTRY_SIZE);
	p->mod++;
	if (!p->queued) {
		p->queued = true;
		cq->page_fifo[(cq->fifo_head + cq->fifo_len++) % cd->npages] = page;
	}
	return p->mod;
}

/* Request @r waits for the write of @page to reach change @seq. */
static void cache_meta_wait(struct cache_req *r, uint64_t page, uint32_t seq)
{
	/* Consecutive slots of one request: two pages at most. */
	if (r->nmeta && r->meta_page[r->nmeta - 1] == page) {
		r->meta_seq[r->nmeta - 1] = seq;
		return;
	}
	if (r->nmeta == 2)
		r->nmeta = 1;
	r->meta_page[r->nmeta] = page;
	r->meta_seq[r->nmeta++] = seq;
	r->phase = PH_META;
}

static bool cache_meta_ready(const struct cache_queue *cq, const struct cache_req *r)
{
	unsigned int i;

	for (i = 0; i < r->nmeta; i++)
		if ((int32_t)(cq->pages[r->meta_page[i]].written - r->meta_seq[i]) < 0)
			return false;
	return true;
}

/* Queue thread, each wake-up: write the pages that changed, one write per page at a time. */
static void cache_meta_pump(struct blk_queue *q, struct cache_queue *cq)
{
	struct cache_dev *cd = cdev(q);
	uint64_t n = cq->fifo_len;

	while (n-- && cq->mbuf_used != (1u << CACHE_META_MAX) - 1) {
		uint64_t page = cq->page_fifo[cq->fifo_head];

		cq->fifo_head = (cq->fifo_head + 1) % cd->npages;
		cq->fifo_len--;
		if (cq->pages[page].inflight) {
			/* Behind the write in flight: back in the queue. */
			cq->page_fifo[(cq->fifo_head + cq->fifo_len++) % cd->npages] = page;
			continue;
		}
		cq->pages[page].queued = false;
		cache_meta_submit(q, cq, page);
		if (!cq->pages[page].inflight) {
			cq->pages[page].queued = true;
			cq->page_fifo[(cq->fifo_head + cq->fifo_len++) % cd->npages] = page;
			break;
		}
	}
}

static bool cache_meta_quiet(const struct cache_queue *cq)
{
	return cq->fifo_len == 0 && cq->mbuf_used == 0;
}

/* ---- the remote ------------------------------------------------------------- */

static void cache_inner_sync(struct blk_queue *q, struct cache_queue *cq)
{
	cq->inner.now = q->now;
	cq->inner.stopping = q->stopping;
}

static void cache_inner_done(struct blk_queue *inner, unsigned int stag, int result);

/* An operation on the remote, with inner tag @stag (its buffer: the staging one). */
static void cache_remote(struct blk_queue *q, struct cache_queue *cq, unsigned int stag,
			 unsigned int op, bool fua, uint64_t off, uint32_t len)
{
	struct ublksrv_io_desc *d = &cq->siods[stag];
	struct blk_dev *idev = &cdev(q)->inner_dev;
	int r;

	/* Leaving: the remote may have let its connection go already. */
	if (q->stopping) {
		cache_inner_done(&cq->inner, stag, -ESHUTDOWN);
		return;
	}
	memset(d, 0, sizeof(*d));
	d->op_flags = op | (fua ? UBLK_IO_F_FUA : 0);
	d->nr_sectors = len >> BLK_SECTOR_SHIFT;
	d->start_sector = off >> BLK_SECTOR_SHIFT;
	cache_inner_sync(q, cq);
	r = idev->ops->queue_io(&cq->inner, stag, d);
	if (r != BLK_IO_QUEUED)
		cache_inner_done(&cq->inner, stag, r);
}

/* ---- requests ------------------------------------------------------------- */

static void cache_local_io(struct blk_queue *q, struct cache_queue *cq, unsigned int tag,
			   bool write, uint64_t slot, uint32_t in_line)
{
	struct cache_req *r = &cq->req[tag];
	struct io_uring_sqe *sqe = blk_queue__backend_sqe(q, tag, SUB_LOCAL);
	uint8_t *buf = (uint8_t *)blk_queue__buf(q, tag) + r->pos;

	if (!sqe) {
		cache_finish(q, tag, -EBUSY);
		return;
	}
	if (write)
		io_uring_prep_write_fixed(sqe, CACHE_FIXED, buf, r->seg,
					  slot_off(cdev(q), slot, in_line), 0);
	else
		io_uring_prep_read_fixed(sqe, CACHE_FIXED, buf, r->seg,
					 slot_off(cdev(q), slot, in_line), 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	cq->users[slot]++;
	r->slot = slot;
	r->phase = PH_LOCAL;
}

/* May slot @s take another line? Not while in use, nor while its clean entry is not yet durable. */
static bool cache_slot_free(const struct cache_queue *cq, uint64_t s)
{
	return !cq->busy[s] && !cq->users[s] && !cq->gated[s];
}

/* A request's next segment: its line @l, the slot @s and where in the line; sets r->seg. */
struct cache_seg {
	uint64_t off, l, s;
	uint32_t in_line;
};

static struct cache_seg cache_next_seg(const struct cache_dev *cd, struct cache_req *r)
{
	struct cache_seg g;

	g.off = r->off + r->pos;
	g.l = g.off / cd->sb.line;
	g.s = g.l % cd->sb.nslots;
	g.in_line = (uint32_t)(g.off % cd->sb.line);
	r->seg = cd->sb.line - g.in_line < r->len - r->pos ? cd->sb.line - g.in_line :
							     r->len - r->pos;
	return g;
}

/* A read's next segment: from the slot, around the cache, or after a fill. */
static void cache_read_step(struct blk_queue *q, struct cache_queue *cq, unsigned int tag)
{
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	struct cache_seg g = cache_next_seg(cd, r);
	uint64_t off = g.off, l = g.l, s = g.s;
	uint32_t in_line = g.in_line;
	struct cache_entry *e = &cd->e[s];
	uint64_t m;

	m = cache_mask(in_line, r->seg);
	if (cq->busy[s]) {
		cache_wait(cq, tag);
		return;
	}
	if (e->line == l && (e->valid & m) == m) {
		cache_local_io(q, cq, tag, false, s, in_line);
		return;
	}
	if (e->line != l && (e->dirty || cq->gated[s])) {
		/* The slot is another line's until written back: go around it. */
		r->phase = PH_BYPASS;
		cache_remote(q, cq, tag, UBLK_IO_OP_READ, false, off, r->seg);
		return;
	}
	/* A fill has the slot to itself. */
	if (cq->users[s]) {
		cache_wait(cq, tag);
		return;
	}
	if (e->line != l)
		*e = (struct cache_entry){ .line = l };
	cq->busy[s] = 1;
	r->slot = s;
	r->phase = PH_FILL;
	cache_remote(q, cq, tag, UBLK_IO_OP_READ, false, l * cd->sb.line, line_len(cd, l));
}

/* A fill came back: the blocks the slot lacks go into it, from the staging buffer. */
static void cache_fill_local(struct blk_queue *q, struct cache_queue *cq, unsigned int tag)
{
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	uint64_t s = r->slot, l = cd->e[s].line;
	unsigned int nb = line_len(cd, l) / CACHE_BLOCK, b = 0;
	uint8_t *sbuf = blk_queue__buf(&cq->inner, tag);

	r->nsub = 0;
	r->error = 0;
	r->phase = PH_FILL_LOCAL;
	while (b < nb) {
		struct io_uring_sqe *sqe;
		unsigned int first;

		if (cd->e[s].valid & ((uint64_t)1 << b)) {
			b++;
			continue;
		}
		for (first = b; b < nb && !(cd->e[s].valid & ((uint64_t)1 << b)); b++)
			;
		sqe = blk_queue__backend_sqe(q, tag, SUB_FILL_LOCAL);
		if (!sqe) {
			r->error = -EBUSY;
			break;
		}
		io_uring_prep_write(sqe, CACHE_FIXED, sbuf + first * CACHE_BLOCK,
				    (b - first) * CACHE_BLOCK, slot_off(cd, s, first * CACHE_BLOCK));
		sqe->flags |= IOSQE_FIXED_FILE;
		r->nsub++;
	}
	if (!r->nsub) {
		cq->busy[s] = 0;
		cq->wake = true;
		if (r->error)
			cache_finish(q, tag, r->error);
		else
			cache_step(q, tag);
	}
}

/* A cached write's next segment, into its slot. */
static void cache_write_step(struct blk_queue *q, struct cache_queue *cq, unsigned int tag)
{
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	struct cache_seg g = cache_next_seg(cd, r);
	uint64_t l = g.l, s = g.s;
	uint32_t in_line = g.in_line;
	struct cache_entry *e = &cd->e[s];

	if (cq->busy[s] || cq->flushing) {
		cache_wait(cq, tag);
		return;
	}
	if (e->line != l) {
		/* Another line's slot: it must be clean, unused, and the dirty limit not reached. */
		if (e->dirty || !cache_slot_free(cq, s) || cd->dirty_lines >= cd->dirty_max) {
			cache_wait(cq, tag);
			return;
		}
		*e = (struct cache_entry){ .line = l };
	} else if (!e->dirty && cd->dirty_lines >= cd->dirty_max) {
		cache_wait(cq, tag);
		return;
	}
	cache_local_io(q, cq, tag, true, s, in_line);
}

/* A write the remote takes first: writethrough, or FUA. Its slots are held meanwhile. */
static void cache_remote_write(struct blk_queue *q, struct cache_queue *cq, unsigned int tag,
			       bool fua)
{
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	uint64_t l, first = r->off / cd->sb.line, last = (r->off + r->len - 1) / cd->sb.line;

	for (l = first; l <= last; l++) {
		if (cq->busy[l % cd->sb.nslots]) {
			cache_wait(cq, tag);
			return;
		}
	}
	for (l = first; l <= last; l++)
		cq->users[l % cd->sb.nslots]++;
	memcpy(blk_queue__buf(&cq->inner, tag), blk_queue__buf(q, tag), r->len);
	r->phase = PH_REMOTE;
	cache_remote(q, cq, tag, UBLK_IO_OP_WRITE, fua, r->off, r->len);
}

/* The remote took a write: the blocks it covered leave the cache (they are the remote's now). */
static void cache_remote_written(struct blk_queue *q, struct cache_queue *cq, unsigned int tag,
				 int res)
{
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	uint64_t l, first = r->off / cd->sb.line, last = (r->off + r->len - 1) / cd->sb.line;
	bool touched = false;

	r->nmeta = 0;
	for (l = first; l <= last; l++) {
		uint64_t s = l % cd->sb.nslots, start = l * cd->sb.line;
		uint64_t a = r->off > start ? r->off : start;
		uint64_t b = r->off + r->len < start + cd->sb.line ? r->off + r->len :
								    start + cd->sb.line;
		struct cache_entry *e = &cd->e[s];
		uint64_t m = cache_mask((uint32_t)(a - start), (uint32_t)(b - a));

		cq->users[s]--;
		if (res < 0 || e->line != l)
			continue;
		if (e->dirty & m) {
			e->dirty &= ~m;
			if (!e->dirty)
				cd->dirty_lines--;
			e->valid &= ~m;
			cache_meta_wait(r, s * CACHE_ENTRY_SIZE / 4096, cache_touch(q, cq, s));
			touched = true;
			/* Its entry on disk may say dirty: no other line in it until synced. */
			if (!e->dirty && !cq->gated[s]) {
				cq->gated[s] = 1;
				cq->gates[cq->ngates++] = s;
			}
			if (!e->dirty)
				cq->gate_seq[s] = cq->pages[s * CACHE_ENTRY_SIZE / 4096].mod;
		} else {
			e->valid &= ~m;
		}
	}
	cq->wake = true;
	if (res < 0) {
		cache_finish(q, tag, res);
		return;
	}
	r->pos = r->len;
	if (touched) {
		/*
		 * Else a crash would write the older, dirty copy back over it:
		 * the entry is written, and synced, before the write completes.
		 */
		r->sync_after = true;
		return;
	}
	r->phase = PH_IDLE;
	cache_finish(q, tag, (int)r->len);
}

static void cache_flush_step(struct blk_queue *q, struct cache_queue *cq, unsigned int tag)
{
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	struct io_uring_sqe *sqe;

	if (cd->spec.mode == CACHE_WRITEBACK) {
		if (cd->dirty_lines || cq->wb_active || !cache_meta_quiet(cq)) {
			cache_wait(cq, tag);
			return;
		}
		/* Every entry written: make them durable, then the remote. */
		sqe = blk_queue__backend_sqe(q, tag, SUB_FLUSH_SYNC);
		if (!sqe) {
			cache_finish(q, tag, -EBUSY);
			return;
		}
		io_uring_prep_fsync(sqe, CACHE_FIXED, IORING_FSYNC_DATASYNC);
		sqe->flags |= IOSQE_FIXED_FILE;
		r->phase = PH_FLUSH_SYNC;
		return;
	}
	r->phase = PH_REMOTE;
	cache_remote(q, cq, tag, UBLK_IO_OP_FLUSH, false, 0, 0);
}

/* Queue thread: the request's next move. */
static void cache_step(struct blk_queue *q, unsigned int tag)
{
	struct cache_queue *cq = q->backend_data;
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	const struct ublksrv_io_desc *iod = &q->iods[tag];
	bool fua = ublksrv_get_flags(iod) & (UBLK_IO_F_FUA >> 8);

	switch (ublksrv_get_op(iod)) {
	case UBLK_IO_OP_READ:
		if (r->pos == r->len)
			cache_finish(q, tag, (int)r->len);
		else
			cache_read_step(q, cq, tag);
		return;
	case UBLK_IO_OP_WRITE:
		if (r->pos == r->len)
			cache_finish(q, tag, (int)r->len);
		else if (cd->spec.mode == CACHE_WRITETHROUGH || fua)
			cache_remote_write(q, cq, tag, fua);
		else
			cache_write_step(q, cq, tag);
		return;
	case UBLK_IO_OP_FLUSH:
		cache_flush_step(q, cq, tag);
		return;
	default:
		cache_finish(q, tag, -EOPNOTSUPP);
	}
}

/* Queue thread. */
static int cache_queue_io(struct blk_queue *q, unsigned int tag,
			  const struct ublksrv_io_desc *iod)
{
	struct cache_queue *cq = q->backend_data;
	struct cache_req *r = &cq->req[tag];
	unsigned int op = ublksrv_get_op(iod);

	if (op != UBLK_IO_OP_READ && op != UBLK_IO_OP_WRITE && op != UBLK_IO_OP_FLUSH)
		return -EOPNOTSUPP;
	memset(r, 0, sizeof(*r));
	if (op != UBLK_IO_OP_FLUSH) {
		/* Whole 4 KiB blocks only (the device's block size). */
		if ((blk_iod_offset(iod) | blk_iod_bytes(iod)) & (CACHE_BLOCK - 1))
			return -EINVAL;
		r->off = blk_iod_offset(iod);
		r->len = blk_iod_bytes(iod);
	}
	if (op == UBLK_IO_OP_FLUSH && cdev(q)->spec.mode == CACHE_WRITEBACK)
		cq->flushing++;
	cache_step(q, tag);
	return BLK_IO_QUEUED;
}

/* ---- the flusher ------------------------------------------------------------ */

static void cache_wb_next_run(struct blk_queue *q, struct cache_queue *cq, unsigned int w);

static void cache_wb_end(struct blk_queue *q, struct cache_queue *cq, unsigned int w, int err)
{
	struct cache_dev *cd = cdev(q);
	struct cache_wb *wb = &cq->wb[w];
	struct cache_entry *e = &cd->e[wb->slot];

	cq->busy[wb->slot] = 0;
	wb->active = false;
	cq->wb_active--;
	cq->wake = true;
	if (err) {
		/* Still dirty: tried again later (the remote may be back by then). */
		cq->retry_at = q->now + CACHE_RETRY_NS;
		return;
	}
	e->dirty &= ~wb->mask;
	if (!e->dirty) {
		cd->dirty_lines--;
		/* Its entry on disk says dirty until this one lands and is synced. */
		if (!cq->gated[wb->slot]) {
			cq->gated[wb->slot] = 1;
			cq->gates[cq->ngates++] = wb->slot;
		}
		cq->gate_seq[wb->slot] = cache_touch(q, cq, wb->slot);
	} else {
		cache_touch(q, cq, wb->slot);
	}
}

static void cache_wb_next_run(struct blk_queue *q, struct cache_queue *cq, unsigned int w)
{
	struct cache_dev *cd = cdev(q);
	struct cache_wb *wb = &cq->wb[w];
	unsigned int stag = q->depth + w, b = 0;
	struct io_uring_sqe *sqe;
	unsigned int first;

	if (!wb->todo) {
		cache_wb_end(q, cq, w, 0);
		return;
	}
	while (!(wb->todo & ((uint64_t)1 << b)))
		b++;
	for (first = b; b < 64 && (wb->todo & ((uint64_t)1 << b)); b++)
		;
	wb->todo &= ~cache_mask(first * CACHE_BLOCK, (b - first) * CACHE_BLOCK);
	wb->run_off = first * CACHE_BLOCK;
	wb->run_len = (b - first) * CACHE_BLOCK;
	sqe = blk_queue__backend_sqe(q, w, SUB_WB_READ);
	if (!sqe) {
		cache_wb_end(q, cq, w, -EBUSY);
		return;
	}
	io_uring_prep_read(sqe, CACHE_FIXED, blk_queue__buf(&cq->inner, stag), wb->run_len,
			   slot_off(cd, wb->slot, wb->run_off));
	sqe->flags |= IOSQE_FIXED_FILE;
}

/* Queue thread, each wake-up: start writing back dirty lines, up to CACHE_WB_MAX. */
static void cache_flusher(struct blk_queue *q, struct cache_queue *cq)
{
	struct cache_dev *cd = cdev(q);
	uint64_t scanned = 0, limit = cd->sb.nslots < 65536 ? cd->sb.nslots : 65536;
	unsigned int w;

	if (!cd->dirty_lines || q->stopping || q->now < cq->retry_at)
		return;
	while (cq->wb_active < CACHE_WB_MAX && scanned++ < limit) {
		uint64_t s = cq->wb_cursor;

		cq->wb_cursor = (cq->wb_cursor + 1) % cd->sb.nslots;
		if (!cd->e[s].dirty || cq->busy[s] || cq->users[s])
			continue;
		for (w = 0; cq->wb[w].active; w++)
			;
		cq->wb[w] = (struct cache_wb){
			.active = true, .slot = s, .mask = cd->e[s].dirty, .todo = cd->e[s].dirty,
		};
		cq->busy[s] = 1;
		cq->wb_active++;
		cache_wb_next_run(q, cq, w);
	}
}

/* Queue thread: an fsync makes the clean entries of written-back slots durable. */
static void cache_gate_pump(struct blk_queue *q, struct cache_queue *cq)
{
	struct io_uring_sqe *sqe;
	uint64_t i, n = 0;

	if (cq->sync_inflight || !cq->ngates)
		return;
	/* Those whose clean entry is written go first, into this fsync. */
	for (i = 0; i < cq->ngates; i++) {
		uint64_t s = cq->gates[i], page = s * CACHE_ENTRY_SIZE / 4096;

		if ((int32_t)(cq->pages[page].written - cq->gate_seq[s]) >= 0) {
			cq->gates[i] = cq->gates[n];
			cq->gates[n++] = s;
			cq->sync_seq[s] = cq->gate_seq[s];
		}
	}
	if (!n)
		return;
	sqe = blk_queue__backend_sqe(q, CACHE_TAG_NONE, SUB_SYNC);
	if (!sqe)
		return;
	io_uring_prep_fsync(sqe, CACHE_FIXED, IORING_FSYNC_DATASYNC);
	sqe->flags |= IOSQE_FIXED_FILE;
	cq->sync_inflight = true;
	cq->nsyncing = n;
}

static void cache_arm_timer(struct blk_queue *q, struct cache_queue *cq)
{
	struct io_uring_sqe *sqe;
	uint64_t at = UINT64_MAX, d;

	if (cq->timers || q->stopping)
		return;
	if (cdev(q)->dirty_lines && q->now < cq->retry_at)
		at = cq->retry_at;
	/*
	 * Requests that wait are tried again after every change, and at
	 * least every CACHE_RECHECK_NS: a wake-up lost would otherwise hold
	 * them for good once nothing else is in flight.
	 */
	if (cq->wait_head >= 0 && q->now + CACHE_RECHECK_NS < at)
		at = q->now + CACHE_RECHECK_NS;
	if (at == UINT64_MAX)
		return;
	d = at - q->now;
	sqe = blk_queue__backend_sqe(q, CACHE_TAG_NONE, SUB_TIMER);
	if (!sqe)
		return;
	cq->ts.tv_sec = (long long)(d / 1000000000u);
	cq->ts.tv_nsec = (long long)(d % 1000000000u);
	io_uring_prep_timeout(sqe, &cq->ts, 0, 0);
	cq->timers++;
}

/* ---- completions ------------------------------------------------------------ */

/* Queue thread: the remote finished inner tag @stag. */
static void cache_inner_done(struct blk_queue *inner, unsigned int stag, int res)
{
	struct blk_queue *q = inner->outer;
	struct cache_queue *cq = q->backend_data;
	struct cache_dev *cd = cdev(q);

	if (stag >= q->depth) {
		unsigned int w = stag - q->depth;
		struct cache_wb *wb = &cq->wb[w];

		if (res < 0 || (uint32_t)res != wb->run_len)
			cache_wb_end(q, cq, w, res < 0 ? res : -EIO);
		else
			cache_wb_next_run(q, cq, w);
		return;
	}
	{
		struct cache_req *r = &cq->req[stag];
		unsigned int tag = stag;

		switch (r->phase) {
		case PH_BYPASS:
			if (res < 0) {
				cache_finish(q, tag, res);
				return;
			}
			memcpy((uint8_t *)blk_queue__buf(q, tag) + r->pos,
			       blk_queue__buf(&cq->inner, tag), r->seg);
			r->pos += r->seg;
			cache_step(q, tag);
			return;
		case PH_FILL:
			if (res < 0) {
				cq->busy[r->slot] = 0;
				cq->wake = true;
				if (!cd->e[r->slot].valid)
					cd->e[r->slot].line = CACHE_LINE_EMPTY;
				cache_finish(q, tag, res);
				return;
			}
			cache_fill_local(q, cq, tag);
			return;
		case PH_REMOTE:
			if (ublksrv_get_op(&q->iods[tag]) == UBLK_IO_OP_FLUSH) {
				if (cq->flushing && cd->spec.mode == CACHE_WRITEBACK) {
					cq->flushing--;
					cq->wake = true;
				}
				cache_finish(q, tag, res < 0 ? res : 0);
			} else {
				cache_remote_written(q, cq, tag, res);
			}
			return;
		default:
			return;
		}
	}
}

static void cache_local_done(struct blk_queue *q, struct cache_queue *cq, unsigned int tag,
			     int res)
{
	struct cache_dev *cd = cdev(q);
	struct cache_req *r = &cq->req[tag];
	struct cache_entry *e = &cd->e[r->slot];
	uint64_t off = r->off + r->pos;
	uint64_t m = cache_mask((uint32_t)(off % cd->sb.line), r->seg);
	bool write = ublksrv_get_op(&q->iods[tag]) == UBLK_IO_OP_WRITE;

	cq->users[r->slot]--;
	cq->wake = true;
	if (res < 0 || (uint32_t)res != r->seg) {
		cd->io_error = true;
		if (write)
			e->valid &= ~(m & ~e->dirty);
		cache_finish(q, tag, -EIO);
		return;
	}
	r->pos += r->seg;
	if (write && (e->dirty & m) != m) {
		if (!e->dirty)
			cd->dirty_lines++;
		e->valid |= m;
		e->dirty |= m;
		/* The entry must say dirty on disk before the write completes. */
		r->nmeta = 0;
		cache_meta_wait(r, r->slot * CACHE_ENTRY_SIZE / 4096,
				cache_touch(q, cq, r->slot));
		return;
	}
	if (write)
		e->valid |= m;
	cache_step(q, tag);
}

/* A FUA write that changed dirty entries: they are synced before it completes. */
static void cache_sync_then_finish(struct blk_queue *q, struct cache_queue *cq, unsigned int tag)
{
	struct io_uring_sqe *sqe = blk_queue__backend_sqe(q, tag, SUB_FLUSH_SYNC);

	if (!sqe) {
		cache_finish(q, tag, -EBUSY);
		return;
	}
	io_uring_prep_fsync(sqe, CACHE_FIXED, IORING_FSYNC_DATASYNC);
	sqe->flags |= IOSQE_FIXED_FILE;
	cq->req[tag].phase = PH_FLUSH_SYNC;
}

static void cache_meta_done(struct blk_queue *q, struct cache_queue *cq, unsigned int b, int res)
{
	uint64_t page = cq->mbuf_page[b];
	unsigned int tag;

	cq->mbuf_used &= ~(1u << b);
	cq->pages[page].inflight = false;
	if (res != 4096) {
		cdev(q)->io_error = true;
		for (tag = 0; tag < q->depth; tag++)
			if (cq->req[tag].phase == PH_META &&
			    (cq->req[tag].meta_page[0] == page ||
			     (cq->req[tag].nmeta > 1 && cq->req[tag].meta_page[1] == page)))
				cache_finish(q, tag, -EIO);
		return;
	}
	cq->pages[page].written = cq->mbuf_seq[b];
	for (tag = 0; tag < q->depth; tag++) {
		struct cache_req *r = &cq->req[tag];

		if (r->phase != PH_META || !cache_meta_ready(cq, r))
			continue;
		r->phase = PH_IDLE;
		if (r->sync_after)
			cache_sync_then_finish(q, cq, tag);
		else
			cache_step(q, tag);
	}
	cq->wake = true;
}

/* Queue thread: a CQE of the cache's own SQEs, or of the remote's (BLK_UD_INNER). */
static void cache_complete(struct blk_queue *q, unsigned int tag, unsigned int sub,
			   const struct io_uring_cqe *cqe)
{
	struct cache_queue *cq = q->backend_data;
	struct cache_req *r;
	uint64_t i, n;

	switch (sub) {
	case SUB_LOCAL:
		cache_local_done(q, cq, tag, cqe->res);
		return;
	case SUB_FILL_LOCAL:
		r = &cq->req[tag];
		if (cqe->res < 0)
			r->error = -EIO;
		if (--r->nsub)
			return;
		cq->busy[r->slot] = 0;
		cq->wake = true;
		if (r->error) {
			cdev(q)->io_error = true;
			cache_finish(q, tag, r->error);
			return;
		}
		cdev(q)->e[r->slot].valid |=
			cache_mask(0, line_len(cdev(q), cdev(q)->e[r->slot].line));
		cache_touch(q, cq, r->slot);
		cache_step(q, tag);
		return;
	case SUB_WB_READ: {
		struct cache_wb *wb = &cq->wb[tag];

		if (cqe->res != (int)wb->run_len) {
			cdev(q)->io_error = true;
			cache_wb_end(q, cq, tag, -EIO);
			return;
		}
		cache_remote(q, cq, q->depth + tag, UBLK_IO_OP_WRITE, false,
			     cdev(q)->e[wb->slot].line * cdev(q)->sb.line + wb->run_off,
			     wb->run_len);
		return;
	}
	case SUB_META:
		cache_meta_done(q, cq, tag, cqe->res);
		return;
	case SUB_SYNC:
		cq->sync_inflight = false;
		if (cqe->res < 0) {
			cdev(q)->io_error = true;
			return;
		}
		/* Ungated, unless cleaned again since: then it waits for the next sync. */
		n = 0;
		for (i = 0; i < cq->ngates; i++) {
			uint64_t s = cq->gates[i];

			if (i < cq->nsyncing && cq->gate_seq[s] == cq->sync_seq[s])
				cq->gated[s] = 0;
			else
				cq->gates[n++] = s;
		}
		cq->ngates = n;
		cq->nsyncing = 0;
		cq->wake = true;
		return;
	case SUB_FLUSH_SYNC:
		if (ublksrv_get_op(&q->iods[tag]) == UBLK_IO_OP_WRITE) {
			if (cqe->res < 0)
				cdev(q)->io_error = true;
			cache_finish(q, tag, cqe->res < 0 ? -EIO : (int)cq->req[tag].len);
			return;
		}
		if (cqe->res < 0) {
			cdev(q)->io_error = true;
			cq->flushing--;
			cq->wake = true;
			cache_finish(q, tag, -EIO);
			return;
		}
		cq->req[tag].phase = PH_REMOTE;
		cache_remote(q, cq, tag, UBLK_IO_OP_FLUSH, false, 0, 0);
		return;
	case SUB_TIMER:
		cq->timers--;
		if (cq->wait_head >= 0 && !cq->wake)
			cq->recheck = true;
		return;
	}
}

/* The remote's own CQEs come to this queue's ->inner (blk_queue.c); none here. */
static void cache_tick(struct blk_queue *q)
{
	struct cache_queue *cq = q->backend_data;
	struct blk_dev *idev = &cdev(q)->inner_dev;

	cache_inner_sync(q, cq);
	if (idev->ops->tick)
		idev->ops->tick(&cq->inner);
	/* Changes since a re-check timer's CQE are a wake-up of their own. */
	if (cq->wake)
		cq->recheck = false;
	if (cq->wake || cq->recheck || q->stopping)
		cache_run_waiters(q, cq);
	cache_flusher(q, cq);
	cache_meta_pump(q, cq);
	cache_gate_pump(q, cq);
	/* What the flusher and the index freed may let waiters go at once. */
	if (cq->wake && !q->stopping) {
		cache_run_waiters(q, cq);
		cache_meta_pump(q, cq);
	}
	cache_arm_timer(q, cq);
	/* The remote's own housekeeping once more, for what was just sent. */
	cache_inner_sync(q, cq);
	if (idev->ops->tick)
		idev->ops->tick(&cq->inner);
}

/* ---- the queue -------------------------------------------------------------- */

static void cache_queue_free(struct cache_queue *cq)
{
	if (cq->sbufs)
		munmap(cq->sbufs, cq->sbufs_len);
	free(cq->siods);
	free(cq->req);
	free(cq->users);
	free(cq->busy);
	free(cq->gated);
	free(cq->gate_seq);
	free(cq->sync_seq);
	free(cq->gates);
	free(cq->pages);
	free(cq->page_fifo);
	free(cq->mbuf);
	free(cq);
}

/* Queue thread, before confinement: the remote's queue on this ring, then its own setup. */
static int cache_queue_init(struct blk_queue *q)
{
	struct cache_dev *cd = cdev(q);
	unsigned int ntags = q->depth + CACHE_WB_MAX;
	struct cache_queue *cq;
	int err;

	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return -ENOMEM;
	cq->wait_head = cq->wait_tail = -1;
	cq->sbufs_len = (size_t)ntags * BLK_MAX_IO_BYTES;
	cq->sbufs = mmap(NULL, cq->sbufs_len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cq->sbufs == MAP_FAILED) {
		cq->sbufs = NULL;
		goto nomem;
	}
	cq->siods = calloc(ntags, sizeof(*cq->siods));
	cq->req = calloc(q->depth, sizeof(*cq->req));
	cq->users = calloc(cd->sb.nslots, sizeof(*cq->users));
	cq->busy = calloc(cd->sb.nslots, 1);
	cq->gated = calloc(cd->sb.nslots, 1);
	cq->gate_seq = calloc(cd->sb.nslots, sizeof(*cq->gate_seq));
	cq->sync_seq = calloc(cd->sb.nslots, sizeof(*cq->sync_seq));
	cq->gates = calloc(cd->sb.nslots, sizeof(*cq->gates));
	cq->pages = calloc(cd->npages, sizeof(*cq->pages));
	cq->page_fifo = calloc(cd->npages, sizeof(*cq->page_fifo));
	if (!cq->siods || !cq->req || !cq->users || !cq->busy || !cq->gated || !cq->gate_seq || !cq->sync_seq ||
	    !cq->gates || !cq->pages || !cq->page_fifo ||
	    posix_memalign((void **)&cq->mbuf, 4096, (size_t)CACHE_META_MAX * 4096))
		goto nomem;
	cd->inner_dev.stats = q->dev->stats;
	cd->inner_dev.stats_len = q->dev->stats_len;
	cq->inner.dev = &cd->inner_dev;
	cq->inner.id = q->id;
	cq->inner.depth = ntags;
	cq->inner.iods = cq->siods;
	cq->inner.bufs = cq->sbufs;
	cq->inner.stats = q->stats;
	cq->inner.now = q->now;
	cq->inner.outer = q;
	cq->inner.layer_complete = cache_inner_done;
	q->backend_data = cq;
	if (cd->inner_dev.ops->queue_init) {
		err = cd->inner_dev.ops->queue_init(&cq->inner);
		if (err) {
			q->backend_data = NULL;
			cache_queue_free(cq);
			return err;
		}
	}
	q->inner = &cq->inner;
	return 0;
nomem:
	cache_queue_free(cq);
	return -ENOMEM;
}

/* Queue thread, when it ends. */
static void cache_queue_exit(struct blk_queue *q)
{
	struct cache_queue *cq = q->backend_data;
	struct cache_dev *cd = cdev(q);

	if (!cq)
		return;
	if (cd->inner_dev.ops->queue_exit)
		cd->inner_dev.ops->queue_exit(&cq->inner);
	/* Index writes that did not land: the next open is not a clean one. */
	if (!cache_meta_quiet(cq))
		cd->io_error = true;
	q->inner = NULL;
	q->backend_data = NULL;
	cache_queue_free(cq);
}

const struct blk_backend_ops blk_backend_cache = {
	.name = "cache",
	.usage = CACHE_USAGE,
	.open = cache_open,
	.close = cache_close,
	.queue_init = cache_queue_init,
	.queue_exit = cache_queue_exit,
	.queue_io = cache_queue_io,
	.complete = cache_complete,
	.tick = cache_tick,
};
