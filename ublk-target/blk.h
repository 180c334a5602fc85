/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boost-ublk: a ublk server. One process serves one device: the main thread
 * owns the control path (/dev/ublk-control), one thread per hardware queue
 * owns that queue's io_uring and its slice of /dev/ublkcN. Backends sit
 * behind struct blk_backend_ops.
 */
#ifndef BOOST_BLK_H
#define BOOST_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <pthread.h>
#include <liburing.h>
#include <linux/ublk_cmd.h>

#include "blk_crypt.h"
#include "blk_limits.h"
#include "blk_qos.h"
#include "blk_size.h"
#include "blk_stats.h"

#define BLK_SECTOR_SHIFT 9
/* The largest IO the kernel sends us; each tag has a buffer this big. */
#define BLK_MAX_IO_BYTES (256u << 10)

struct blk_dev;
struct blk_queue;

/*
 * A backend. Callbacks run on the thread named in their comment; a queue's
 * callbacks are only ever called from that queue's thread, so per-queue state
 * needs no lock. A backend that shares state across queues locks it itself.
 *
 * Asynchronous backends put their own SQEs on the queue's ring
 * (blk_queue__get_sqe), with user_data from blk_user_data(tag,
 * BLK_UD_BACKEND, sub); their completions come back through ->complete.
 */
struct blk_backend_ops {
	const char *name;
	/* Grammar shown by --help, e.g. "mem:SIZE". */
	const char *usage;
	/* The data lives in the server: a new server cannot take over. */
	bool data_dies_with_server;
	/*
	 * Main thread, before the device exists: parse ARG (the text after
	 * "name:", or NULL), open resources, and set dev->size when the
	 * backend knows it (0: --size decides). Also for recovery.
	 */
	int (*open)(struct blk_dev *dev, const char *arg);
	/* Main thread, after every queue thread has ended. */
	void (*close)(struct blk_dev *dev);
	/*
	 * Queue thread, after its ring exists and before the first FETCH:
	 * per-queue state (q->backend_data), registered files and buffers.
	 */
	int (*queue_init)(struct blk_queue *q);
	/* Queue thread, when it ends. */
	void (*queue_exit)(struct blk_queue *q);
	/*
	 * Queue thread: serve one request. Return the result (bytes for
	 * read and write, 0 for the others, or a negative errno) when done
	 * at once, or BLK_IO_QUEUED when SQEs were queued instead; then
	 * ->complete finishes it later with blk_queue__complete.
	 * @iod is the request to serve, which differs from the kernel's
	 * (q->iods[tag]) when the queue moved it past an encrypted volume's
	 * header: a backend keeps what it needs of @iod, never reads the
	 * kernel's for its offset (the file backend's write-zeroes fallback
	 * does, as a moved request is never a write-zeroes).
	 */
	int (*queue_io)(struct blk_queue *q, unsigned int tag,
			const struct ublksrv_io_desc *iod);
	/* Queue thread: a CQE of the backend's own SQE. */
	void (*complete)(struct blk_queue *q, unsigned int tag, unsigned int sub,
			 const struct io_uring_cqe *cqe);
	/*
	 * Queue thread, optional: once per wake-up, after its CQEs; the
	 * backend's own housekeeping (nbd: its connection). With
	 * q->stopping, it must let its own SQEs end.
	 */
	void (*tick)(struct blk_queue *q);
};

#define BLK_IO_QUEUED (1 << 30)

extern const struct blk_backend_ops blk_backend_null;
extern const struct blk_backend_ops blk_backend_mem;
extern const struct blk_backend_ops blk_backend_file;
extern const struct blk_backend_ops blk_backend_nbd;
extern const struct blk_backend_ops blk_backend_cache;
/* Only in boost-ublk-rbd, built with BLK_BACKEND_RBD (docs/trust.md). */
extern const struct blk_backend_ops blk_backend_rbd;

/* What a device is asked to be: the command line, or GET_DEV_INFO on recovery. */
struct blk_config {
	int dev_id;			/* -1: the kernel picks */
	unsigned int nr_queues;
	unsigned int depth;
	unsigned int block_size;	/* 512 or 4096 */
	uint64_t size;			/* bytes; 0: the backend's */
	bool recovery;			/* UBLK_F_USER_RECOVERY(_REISSUE) */
	/* A remote backend's IO fails with EIO this long after a loss. */
	unsigned int reconnect_timeout_s;
};

struct blk_queue {
	struct blk_dev *dev;
	unsigned int id;
	unsigned int depth;
	pthread_t thread;
	bool thread_started;
	struct io_uring ring;
	/* The kernel's request descriptors for this queue (read-only mmap). */
	const struct ublksrv_io_desc *iods;
	size_t iods_len;
	/* depth buffers of BLK_MAX_IO_BYTES, one per tag. */
	uint8_t *bufs;
	/* Tags whose FETCH or COMMIT_AND_FETCH is in the kernel. */
	unsigned int cmd_inflight;
	/* Backend SQEs not yet completed. */
	unsigned int backend_inflight;
	bool stopping;
	int error;			/* why the thread ended, or 0 */
	void *backend_data;
	/*
	 * Counters: this queue's slot of the device's stats region (or of a
	 * private one), written by this thread only. @now is the clock at
	 * the last wake-up, @started[tag] the wake-up that delivered TAG.
	 */
	struct blk_stats_queue *stats;
	uint64_t now;
	uint64_t *started;
	/*
	 * QoS (blk_qos.c): this thread's copy of the caps and the qos_seq
	 * it came from; the requests a cap holds back, in arrival order per
	 * direction, linked through qos_next; the deadline of the earliest
	 * timer in flight (0: none) and its timespec until submitted.
	 */
	struct blk_qos_params qos;
	uint64_t qos_seq;
	uint16_t *qos_next;
	int qos_head[2], qos_tail[2];
	unsigned int qos_held;
	uint64_t qos_timer_at;
	struct __kernel_timespec qos_ts;
	/* Encryption (blk_crypt.h): this thread's keyed contexts, when on. */
	struct blk_crypt_ctx crypt;
	/*
	 * Stacking (backend_cache.c): a backend that drives another one gives
	 * it a queue of its own on this thread's ring. On that inner queue,
	 * @outer owns the ring (its SQEs go there, tagged BLK_UD_INNER) and
	 * @layer_complete takes the results the inner backend completes; on
	 * the outer queue, @inner is where BLK_UD_INNER CQEs go.
	 */
	struct blk_queue *outer, *inner;
	void (*layer_complete)(struct blk_queue *inner, unsigned int tag, int result);
};

struct blk_dev {
	struct blk_config cfg;
	const struct blk_backend_ops *ops;
	void *backend_data;
	int ctrl_fd;
	struct io_uring ctrl_ring;
	bool ctrl_ring_ready;
	struct ublksrv_ctrl_dev_info info;
	int cdev_fd;			/* /dev/ublkcN */
	struct blk_queue *queues;
	/* Written by a queue thread when it ends, polled by the main thread. */
	int exit_efd;
	/* Queue threads read these once they start: set before. */
	int stop_efd;			/* readable: queue threads leave */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int nr_ready;		/* queue threads done with setup */
	int setup_error;		/* the first queue's setup failure */
	/* Files each queue registers after /dev/ublkcN (fixed index 1...). */
	int backend_fds[2];
	unsigned int nr_backend_fds;
	/* Register each queue's buffers (READ_FIXED/WRITE_FIXED, index 0). */
	bool register_bufs;
	/* Attributes the backend asks for (UBLK_ATTR_*). */
	uint32_t attrs;
	/* Discard and write-zeroes supported. */
	bool discard;
	/*
	 * A network backend's socket family (AF_UNIX, AF_INET, AF_INET6; 0:
	 * none) and TCP port: the confinement lets the queue threads connect
	 * there again, and nowhere else (blk_confine.c).
	 */
	int net_family;
	unsigned int net_port;
	/*
	 * The backend's library runs threads of its own that make calls the
	 * seccomp filter does not list, and connects to ports it learns at
	 * run time (librbd: the OSDs'): the confinement then loads a filter
	 * of refused calls and leaves out Landlock's network rules
	 * (blk_confine.c).
	 */
	bool library_threads;
	/* The counters: boostd's region (--stats-fd), else a private one. */
	struct blk_stats_region *stats;
	size_t stats_len;
	/* The QoS buckets every queue thread charges (blk_qos.h). */
	struct blk_qos_state qos;
	/* Set by the main thread before it stops the device: caps off, drain. */
	bool qos_off;
	/*
	 * Encryption at rest (--key-fd): every read and write goes through
	 * aes-xts-plain64 in the queue threads, and the backend sees the
	 * device's offsets moved by crypt.data_offset (the LUKS2 header).
	 */
	bool crypt_on;
	struct blk_crypt crypt;
};

/* ---- user_data: packed and unpacked here only --------------------------- */

enum blk_ud_kind {
	BLK_UD_CMD = 0,		/* FETCH_REQ or COMMIT_AND_FETCH_REQ */
	BLK_UD_BACKEND = 1,	/* a backend's own SQE */
	BLK_UD_QOS_TIMER = 2,	/* a QoS delay ended */
	BLK_UD_INNER = 3,	/* a stacked backend's SQE (blk_queue.inner) */
};

static inline uint64_t blk_user_data(unsigned int tag, enum blk_ud_kind kind,
				     unsigned int sub)
{
	return (uint64_t)(tag & 0xffff) | (uint64_t)(kind & 0xff) << 16 |
	       (uint64_t)(sub & 0xff) << 24;
}

static inline unsigned int blk_ud_tag(uint64_t ud) { return ud & 0xffff; }
static inline enum blk_ud_kind blk_ud_kind(uint64_t ud) { return (ud >> 16) & 0xff; }
static inline unsigned int blk_ud_sub(uint64_t ud) { return (ud >> 24) & 0xff; }

/* ---- blk_backend.c: the table, and parsing of BACKEND[:ARG] ------------- */

const struct blk_backend_ops *blk_backend__find(const char *spec, const char **ret_arg);
void blk_backend__print_usage(FILE *f);

/* ---- blk_ctrl.c: /dev/ublk-control ------------------------------------- */

int blk_ctrl__open(struct blk_dev *dev);
void blk_ctrl__close(struct blk_dev *dev);
int blk_ctrl__add(struct blk_dev *dev);
int blk_ctrl__set_params(struct blk_dev *dev);
int blk_ctrl__get_params(struct blk_dev *dev, struct ublk_params *ret_params);
int blk_ctrl__start(struct blk_dev *dev);
int blk_ctrl__stop(struct blk_dev *dev);
int blk_ctrl__del(struct blk_dev *dev);
int blk_ctrl__get_info(struct blk_dev *dev, int dev_id);
int blk_ctrl__start_recovery(struct blk_dev *dev);
int blk_ctrl__end_recovery(struct blk_dev *dev);

/* ---- blk_qos.c: caps, in the queue threads ------------------------------ */

/* Queue thread, each wake-up: take up caps boostd changed. */
void blk_qos__refresh(struct blk_queue *q);
/* Queue thread: true when TAG must wait (it is then held, and served later). */
bool blk_qos__hold(struct blk_queue *q, unsigned int tag);
/* Queue thread, at the end of a wake-up: serve the held requests that may go, arm a timer. */
void blk_qos__run(struct blk_queue *q);
/* Queue thread: one of its QoS timers fired. */
void blk_qos__timer_fired(struct blk_queue *q);
/* Main thread: caps off, so that the held requests go (the device stops). */
void blk_qos__release_all(struct blk_dev *dev);

/* ---- blk_confine.c: the fewest privileges once started ---------------- */

/* Main thread, before the first control command: keep CAP_SYS_ADMIN, _IPC_LOCK, _SETPCAP. */
int blk_confine__early(void);
/*
 * Main thread, once the backend is open (before or after _early): a
 * network backend's queue threads may make sockets of @family and, for
 * TCP, connect to @port; nothing else on the network (seccomp, Landlock).
 */
int blk_confine__allow_connect(int family, unsigned int port);
/*
 * Main thread, before blk_confine__early: the backend's library runs
 * threads of its own (blk_dev.library_threads): no Landlock network rule
 * for the server's threads, and blk_confine__process loads a filter that
 * refuses a list of calls instead of one that allows one.
 */
void blk_confine__library_threads(void);
/*
 * The thread that starts a library's threads (they inherit it), before it
 * does: drop every capability and set no_new_privs; then, once it knows
 * the library's files, _library_domain: a Landlock domain that may read
 * the system's shared files and @reads, write @writes, and bind no port.
 */
int blk_confine__library_opener(void);
int blk_confine__library_domain(const char *const *reads, unsigned int nr_reads,
				const char *const *writes, unsigned int nr_writes);
/* Restrict a disabled ring to the SQE opcodes @ops, then enable it. */
int blk_confine__ring(struct io_uring *ring, const uint8_t *ops, unsigned int nr_ops);
/* Queue thread, its ring ready: drop every capability of this thread. */
int blk_confine__queue_thread(void);
/*
 * Main thread, the device started and every file it needs open: keep only
 * CAP_SYS_ADMIN (STOP_DEV, DEL_DEV), set no_new_privs, and load the seccomp
 * filter into every thread.
 */
int blk_confine__process(void);
#ifdef BLK_CONFINE_TEST
/* Main thread, test build only: try what the confinement must refuse. */
void blk_confine__test_attempts(struct blk_dev *dev);
/* On SIGUSR2: a call the filter neither allows nor refuses; it kills. */
void blk_confine__test_unlisted(void);
#endif

/* ---- blk_queue.c: the data path ----------------------------------------- */

/*
 * Map the stats region of @fd (from boostd), or a private one when @fd < 0,
 * with a slot for each of dev->cfg.nr_queues.
 */
int blk_dev__map_stats(struct blk_dev *dev, int fd);
void blk_dev__unmap_stats(struct blk_dev *dev);
/* Write the device's id and geometry into the stats region's header. */
void blk_dev__publish_geometry(struct blk_dev *dev);
/*
 * The queues' memory (buffers, keyed ciphers): what needs no /dev/ublkcN,
 * so a server that waits to take a device over (--wait-fd) has it ready.
 */
int blk_dev__alloc_queues(struct blk_dev *dev);
/* /dev/ublkcN and each queue's descriptors; allocates first if not yet. */
int blk_dev__open_queues(struct blk_dev *dev);
int blk_dev__start_queues(struct blk_dev *dev);
void blk_dev__stop_queues(struct blk_dev *dev);
void blk_dev__close_queues(struct blk_dev *dev);

/* Queue thread: an SQE to fill, submitting first if the ring is full. */
struct io_uring_sqe *blk_queue__get_sqe(struct blk_queue *q);
/*
 * Queue thread: an SQE for the backend's own operation on request TAG,
 * tagged with SUB for ->complete and counted in flight; NULL if the ring
 * stays full.
 */
struct io_uring_sqe *blk_queue__backend_sqe(struct blk_queue *q, unsigned int tag,
					    unsigned int sub);
/* Queue thread: finish request TAG with RESULT (bytes or -errno). */
void blk_queue__complete(struct blk_queue *q, unsigned int tag, int result);
/* Queue thread: serve request TAG, which the caps let go. */
void blk_queue__serve(struct blk_queue *q, unsigned int tag);

static inline void *blk_queue__buf(const struct blk_queue *q, unsigned int tag)
{
	return q->bufs + (size_t)tag * BLK_MAX_IO_BYTES;
}

static inline uint64_t blk_iod_offset(const struct ublksrv_io_desc *iod)
{
	return iod->start_sector << BLK_SECTOR_SHIFT;
}

static inline uint32_t blk_iod_bytes(const struct ublksrv_io_desc *iod)
{
	return iod->nr_sectors << BLK_SECTOR_SHIFT;
}

#endif
