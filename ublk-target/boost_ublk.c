// SPDX-License-Identifier: GPL-2.0-only
/*
 * boost-ublk: serve one ublk block device from a backend, in the foreground.
 *
 *   boost-ublk add --backend BACKEND [--queues N] [--depth D]
 *                  [--block-size 512|4096] [--size SIZE] [--id ID] [--no-recovery]
 *                  [--stats-fd FD] [--reconnect-timeout SECONDS] [--key-fd FD]
 *   boost-ublk recover DEV --backend BACKEND [--stats-fd FD]
 *                  [--reconnect-timeout SECONDS] [--key-fd FD] [--wait-fd FD]
 *   boost-ublk del DEV
 *   boost-ublk list
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "blk.h"

/*
 * The build's security version, inside the signed bytes: boostd reads
 * section .boost.svn (4 bytes, little-endian) of the verified image and
 * refuses a build below its rollback floor (docs/trust.md).
 */
#ifndef BOOST_SVN
#define BOOST_SVN 1
#endif
__attribute__((used, retain, section(".boost.svn"))) static const uint32_t boost_svn = BOOST_SVN;

_Static_assert(BLK_MAX_QUEUES == UBLK_MAX_NR_QUEUES, "blk_limits.h: the driver's queues");
_Static_assert(BLK_MAX_DEPTH == UBLK_MAX_QUEUE_DEPTH, "blk_limits.h: the driver's depth");

#define EXIT_USAGE 2

static void blk_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void blk_err(const char *fmt, ...)
{
	va_list ap;

	fputs("boost-ublk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: boost-ublk add --backend BACKEND [--queues N] [--depth D]\n"
		"                      [--block-size 512|4096] [--size SIZE] [--id ID]\n"
		"                      [--no-recovery] [--stats-fd FD]\n"
		"                      [--reconnect-timeout SECONDS] [--key-fd FD]\n"
		"       boost-ublk recover DEV --backend BACKEND [--stats-fd FD]\n"
		"                      [--reconnect-timeout SECONDS] [--key-fd FD]\n"
		"                      [--wait-fd FD]\n"
		"       boost-ublk del DEV\n"
		"       boost-ublk list\n"
		"       boost-ublk --version\n"
		"where  BACKEND := ");
	blk_backend__print_usage(f);
	fprintf(f,
		"       DEV := ID | /dev/ublkbID | /dev/ublkcID\n"
		"       SIZE := BYTES[K|M|G|T]\n"
		"add serves the device in the foreground and prints \"id ID dev /dev/ublkbID\"\n"
		"once it is up; SIGTERM or SIGINT stops and deletes it. --stats-fd: the\n"
		"counters go to the shared region FD (made by boostd, see blk_stats.h).\n"
		"--reconnect-timeout: a remote backend (nbd) holds IO while it reconnects,\n"
		"and fails it with EIO this long after the loss (default 30, 1 to 3600).\n"
		"--key-fd: encrypt the device (aes-xts-plain64, a LUKS2 volume's data\n"
		"segment): its key and geometry are read from FD (boostd writes them,\n"
		"see blk_crypt.h), never from the command line. --wait-fd: recover gets\n"
		"ready while another server still serves the device, prints \"ready\", and\n"
		"takes the device over only once a byte arrives on FD (an upgrade).\n");
}

static void blk_dev_init(struct blk_dev *dev)
{
	memset(dev, 0, sizeof(*dev));
	dev->cfg.dev_id = -1;
	dev->ctrl_fd = dev->cdev_fd = dev->stop_efd = dev->exit_efd = -1;
	pthread_mutex_init(&dev->lock, NULL);
	pthread_cond_init(&dev->cond, NULL);
}

static int parse_uint(const char *s, unsigned int min, unsigned int max,
		      unsigned int *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		return -EINVAL;
	*ret = (unsigned int)v;
	return 0;
}

/* DEV := ID | /dev/ublkbID | /dev/ublkcID */
static int parse_dev(const char *s, int *ret_id)
{
	unsigned int id;

	if (strncmp(s, "/dev/ublkb", 10) == 0 || strncmp(s, "/dev/ublkc", 10) == 0)
		s += 10;
	if (parse_uint(s, 0, (1u << 20) - 1, &id))
		return -EINVAL;
	*ret_id = (int)id;
	return 0;
}

/* The message for a backend's open failure. */
static void report_backend_error(const char *spec, const struct blk_backend_ops *ops,
				 const char *arg, int err)
{
	switch (err) {
	case -EALREADY:
		/* The backend said why, itself. */
		break;
	case -EINVAL:
		blk_err("backend %s: bad argument (expected %s)", spec, ops->usage);
		break;
	case -EFBIG:
		blk_err("backend %s: --size is larger than the backing store", spec);
		break;
	case -ENODATA:
		blk_err("backend %s: the backing store is empty", spec);
		break;
	default:
		blk_err("backend %s: cannot open %s: %s", spec, arg ? arg : "",
			strerror(-err));
	}
}

static int check_size(const struct blk_dev *dev)
{
	if (!dev->cfg.size) {
		blk_err("device size: none given (--size SIZE, or a backend with a size)");
		return -EINVAL;
	}
	if (dev->cfg.size % dev->cfg.block_size) {
		blk_err("device size %" PRIu64 ": not a multiple of the block size %u",
			dev->cfg.size, dev->cfg.block_size);
		return -EINVAL;
	}
	return 0;
}

/*
 * Serve until SIGTERM/SIGINT/SIGHUP (then stop and delete the device) or
 * until the queues end by themselves (someone deleted the device).
 */
static int serve(struct blk_dev *dev, int sfd)
{
	struct pollfd pfd[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = dev->exit_efd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	int err = 0;

	for (;;) {
		while (poll(pfd, 2, -1) < 0) {
			if (errno != EINTR)
				return -errno;
		}
		if (!(pfd[0].revents & POLLIN))
			break;
		if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
#ifdef BLK_CONFINE_TEST
			if (si.ssi_signo == SIGUSR1) {
				blk_confine__test_attempts(dev);
				continue;
			}
			if (si.ssi_signo == SIGUSR2) {
				blk_confine__test_unlisted();
				continue;
			}
#endif
			fprintf(stderr, "boost-ublk: device %d: %s, stopping\n",
				dev->cfg.dev_id, strsignal((int)si.ssi_signo));
		}
		/*
		 * Synchronous: when it returns, the disk is gone and IO drained.
		 * Requests a cap holds go at once rather than at their time.
		 */
		blk_qos__release_all(dev);
		err = blk_ctrl__stop(dev);
		if (err && err != -ENODEV)
			blk_err("device %d: stop: %s", dev->cfg.dev_id, strerror(-err));
		return 0;
	}
	fprintf(stderr, "boost-ublk: device %d: the kernel ended its queues (deleted?)\n",
		dev->cfg.dev_id);
	return err;
}

/* Stop the queue threads, close the device's files, delete it. */
static void teardown(struct blk_dev *dev, bool del)
{
	unsigned int i;
	int err;

	blk_dev__stop_queues(dev);
	for (i = 0; dev->queues && i < dev->cfg.nr_queues; i++) {
		if (dev->queues[i].error && dev->queues[i].error != -ECANCELED)
			blk_err("device %d: queue %u: %s", dev->cfg.dev_id, i,
				strerror(-dev->queues[i].error));
	}
	blk_dev__close_queues(dev);
	if (del) {
		err = blk_ctrl__del(dev);
		if (err && err != -ENODEV)
			blk_err("device %d: delete: %s", dev->cfg.dev_id, strerror(-err));
	}
}

static int block_signals(void)
{
	sigset_t set;
	int sfd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
#ifdef BLK_CONFINE_TEST
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
#endif
	/* Before any thread exists, so that every thread inherits the mask. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -EINVAL;
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	return sfd < 0 ? -errno : sfd;
}

static int ctrl_open_or_report(struct blk_dev *dev)
{
	int err = blk_ctrl__open(dev);

	if (err)
		blk_err("/dev/ublk-control: cannot open: %s%s", strerror(-err),
			err == -ENOENT ? " (is the ublk_drv module loaded?)" : "");
	return err;
}

static int confine_early_or_report(void)
{
	int err = blk_confine__early();

	if (err)
		blk_err("capabilities: cannot drop: %s", strerror(-err));
	return err;
}

static int confine_or_report(const struct blk_dev *dev)
{
	int err = blk_confine__process();

	if (err)
		blk_err("device %d: cannot confine the server: %s", dev->cfg.dev_id,
			strerror(-err));
	return err;
}

static void print_started(const struct blk_dev *dev)
{
	printf("id %d dev /dev/ublkb%d\n", dev->cfg.dev_id, dev->cfg.dev_id);
	fflush(stdout);
}

enum { OPT_NO_RECOVERY = 256, OPT_STATS_FD, OPT_RECONNECT_TIMEOUT, OPT_KEY_FD, OPT_WAIT_FD };

static const struct option add_options[] = {
	{ "backend", required_argument, NULL, 'b' },
	{ "queues", required_argument, NULL, 'q' },
	{ "depth", required_argument, NULL, 'd' },
	{ "block-size", required_argument, NULL, 'B' },
	{ "size", required_argument, NULL, 's' },
	{ "id", required_argument, NULL, 'i' },
	{ "no-recovery", no_argument, NULL, OPT_NO_RECOVERY },
	{ "stats-fd", required_argument, NULL, OPT_STATS_FD },
	{ "reconnect-timeout", required_argument, NULL, OPT_RECONNECT_TIMEOUT },
	{ "key-fd", required_argument, NULL, OPT_KEY_FD },
	{ "wait-fd", required_argument, NULL, OPT_WAIT_FD },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/*
 * Options of add and recover; recover takes only --backend, --stats-fd,
 * --reconnect-timeout, --key-fd and --wait-fd (@ret_wait_fd NULL: add).
 */
static int parse_add_options(int argc, char **argv, struct blk_dev *dev,
			     const char **ret_spec, int *ret_stats_fd, int *ret_key_fd,
			     int *ret_wait_fd)
{
	const char *spec = NULL;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool recover = ret_wait_fd != NULL;
	int c;

	dev->cfg.nr_queues = ncpu > 0 ? (unsigned int)ncpu : 1;
	dev->cfg.depth = BLK_DEFAULT_DEPTH;
	dev->cfg.block_size = 512;
	dev->cfg.recovery = true;
	dev->cfg.reconnect_timeout_s = 30;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:q:d:B:s:i:h", add_options, NULL)) != -1) {
		if (recover && c != 'b' && c != 'h' && c != OPT_STATS_FD &&
		    c != OPT_RECONNECT_TIMEOUT && c != OPT_KEY_FD && c != OPT_WAIT_FD) {
			blk_err("recover: only --backend, --stats-fd, --reconnect-timeout, "
				"--key-fd and --wait-fd may be given; the device keeps its geometry");
			return -EINVAL;
		}
		if (!recover && c == OPT_WAIT_FD) {
			blk_err("add: --wait-fd is for recover only");
			return -EINVAL;
		}
		switch (c) {
		case 'b':
			spec = optarg;
			break;
		case 'q':
			if (parse_uint(optarg, 1, BLK_MAX_QUEUES, &dev->cfg.nr_queues)) {
				blk_err("--queues %s: not a number from 1 to %u", optarg,
					UBLK_MAX_NR_QUEUES);
				return -EINVAL;
			}
			break;
		case 'd':
			if (parse_uint(optarg, 1, BLK_MAX_DEPTH, &dev->cfg.depth)) {
				blk_err("--depth %s: not a number from 1 to %u", optarg,
					UBLK_MAX_QUEUE_DEPTH);
				return -EINVAL;
			}
			break;
		case 'B':
			if (parse_uint(optarg, BLK_MIN_BLOCK_SIZE, BLK_MAX_BLOCK_SIZE,
				       &dev->cfg.block_size) ||
			    !blk_block_size_ok(dev->cfg.block_size)) {
				blk_err("--block-size %s: must be 512 or 4096", optarg);
				return -EINVAL;
			}
			break;
		case 's':
			if (blk_parse_size(optarg, &dev->cfg.size) || !dev->cfg.size) {
				blk_err("--size %s: not a size (BYTES[K|M|G|T], above 0)", optarg);
				return -EINVAL;
			}
			break;
		case 'i': {
			unsigned int id;

			if (parse_uint(optarg, 0, BLK_MAX_ID, &id)) {
				blk_err("--id %s: not a device id", optarg);
				return -EINVAL;
			}
			dev->cfg.dev_id = (int)id;
			break;
		}
		case OPT_NO_RECOVERY:
			dev->cfg.recovery = false;
			break;
		case OPT_RECONNECT_TIMEOUT:
			if (parse_uint(optarg, 1, 3600, &dev->cfg.reconnect_timeout_s)) {
				blk_err("--reconnect-timeout %s: not a number of seconds from 1 to 3600",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_STATS_FD: {
			unsigned int fd;

			if (parse_uint(optarg, 3, INT32_MAX, &fd)) {
				blk_err("--stats-fd %s: not a file descriptor above 2", optarg);
				return -EINVAL;
			}
			*ret_stats_fd = (int)fd;
			break;
		}
		case OPT_KEY_FD: {
			unsigned int fd;

			if (parse_uint(optarg, 3, INT32_MAX, &fd)) {
				blk_err("--key-fd %s: not a file descriptor above 2", optarg);
				return -EINVAL;
			}
			*ret_key_fd = (int)fd;
			break;
		}
		case OPT_WAIT_FD: {
			unsigned int fd;

			if (parse_uint(optarg, 3, INT32_MAX, &fd)) {
				blk_err("--wait-fd %s: not a file descriptor above 2", optarg);
				return -EINVAL;
			}
			*ret_wait_fd = (int)fd;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	if (!spec) {
		blk_err("%s: --backend is required", recover ? "recover" : "add");
		return -EINVAL;
	}
	*ret_spec = spec;
	return 0;
}

/*
 * The key of an encrypted device, from boostd's descriptor, which is then
 * closed. The process is not dumpable from here on: no core dump and no
 * ptrace by anyone but root, with the key in its memory.
 */
static int read_key_or_report(struct blk_dev *dev, int fd)
{
	int err;

	if (fd < 0)
		return 0;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	err = blk_crypt__read_key(fd, &dev->crypt);
	close(fd);
	if (err) {
		blk_err("--key-fd %d: %s", fd,
			err == -EBADMSG ? "not a key message (blk_crypt.h)" :
			err == -EPROTO ? "a key this build cannot use (only aes-xts-plain64, "
					 "512 bits, 512- or 4096-byte sectors)" :
			strerror(-err));
		return err;
	}
	dev->crypt_on = true;
	return 0;
}

/* An encrypted device needs whole sectors of its volume in each block. */
static int check_crypt(const struct blk_dev *dev)
{
	if (dev->crypt_on && dev->cfg.block_size < dev->crypt.sector_size) {
		blk_err("encryption: the volume's sectors are %u bytes, larger than the block "
			"size %u (--block-size %u)", dev->crypt.sector_size, dev->cfg.block_size,
			dev->crypt.sector_size);
		return -EINVAL;
	}
	return 0;
}

static int open_backend(struct blk_dev *dev, const char *spec)
{
	uint64_t off = dev->crypt_on ? dev->crypt.data_offset : 0;
	const char *arg;
	int err;

	dev->ops = blk_backend__find(spec, &arg);
	if (!dev->ops) {
		fprintf(stderr, "boost-ublk: backend %s: unknown; expected ", spec);
		blk_backend__print_usage(stderr);
		return -ENOENT;
	}
	/*
	 * Encrypted, the backend holds the header, then the data segment:
	 * it must have room for both, and the device is the segment.
	 */
	if (dev->cfg.size)
		dev->cfg.size += off;
	err = dev->ops->open(dev, arg);
	if (err) {
		report_backend_error(spec, dev->ops, arg, err);
		dev->ops = NULL;
		return err;
	}
	if (dev->library_threads)
		blk_confine__library_threads();
	if (dev->net_family) {
		err = blk_confine__allow_connect(dev->net_family, dev->net_port);
		if (err)
			blk_err("backend %s: cannot confine its network: %s", spec, strerror(-err));
	}
	if (off && dev->cfg.size <= off) {
		blk_err("backend %s: no room for data after the %" PRIu64 "-byte LUKS2 header",
			spec, off);
		return -EFBIG;
	}
	dev->cfg.size -= off;
	/* Discard would read back as garbage through the cipher: off, as dm-crypt's default. */
	if (dev->crypt_on)
		dev->discard = false;
	return 0;
}

static int map_stats_or_report(struct blk_dev *dev, int fd)
{
	int err = blk_dev__map_stats(dev, fd);

	if (err)
		blk_err("device %d: --stats-fd %d: %s", dev->cfg.dev_id, fd,
			err == -EMSGSIZE || err == -EBADMSG ?
			"not a stats region with a slot for every queue" : strerror(-err));
	return err;
}

/* Close what add and recover opened: the control fd, the backend, the signalfd, the stats. */
static void release(struct blk_dev *dev, int sfd)
{
	blk_dev__unmap_stats(dev);
	blk_ctrl__close(dev);
	if (dev->ops && dev->ops->close)
		dev->ops->close(dev);
	if (dev->crypt_on)
		blk_crypt__wipe(&dev->crypt);
	if (sfd >= 0)
		close(sfd);
}

/* Map the queues of the device, and start a thread for each. */
static int run_queues_or_report(struct blk_dev *dev)
{
	int err = blk_dev__open_queues(dev);

	if (err) {
		blk_err("device %d: /dev/ublkc%d: cannot map the queues: %s", dev->cfg.dev_id,
			dev->cfg.dev_id, strerror(-err));
		return err;
	}
	err = blk_dev__start_queues(dev);
	if (err)
		blk_err("device %d: cannot start the queue threads: %s", dev->cfg.dev_id,
			strerror(-err));
	return err;
}

/*
 * Recovery: take device @id's geometry from the driver, which kept it when
 * its server died, rather than from the command line.
 */
static int adopt_device(struct blk_dev *dev, int id)
{
	struct ublk_params p;
	int err;

	err = blk_ctrl__get_info(dev, id);
	if (err) {
		blk_err("device %d: %s", id, err == -ENODEV ? "no such ublk device" : strerror(-err));
		return err;
	}
	dev->cfg.dev_id = id;
	if (!(dev->info.flags & UBLK_F_USER_RECOVERY)) {
		blk_err("device %d: was added without user recovery", id);
		return -EINVAL;
	}
	if (dev->info.max_io_buf_bytes > BLK_MAX_IO_BYTES) {
		blk_err("device %d: its IO size %u is larger than boost-ublk's %u", id,
			dev->info.max_io_buf_bytes, BLK_MAX_IO_BYTES);
		return -EINVAL;
	}
	err = blk_ctrl__get_params(dev, &p);
	if (err) {
		blk_err("device %d: cannot read its parameters: %s", id, strerror(-err));
		return err;
	}
	dev->cfg.nr_queues = dev->info.nr_hw_queues;
	dev->cfg.depth = dev->info.queue_depth;
	dev->cfg.block_size = 1u << p.basic.logical_bs_shift;
	dev->cfg.size = p.basic.dev_sectors << BLK_SECTOR_SHIFT;
	dev->cfg.recovery = true;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/*
 * The dead server's files are released, and the device quiesced, a moment
 * after it ended (its io_uring is torn down by a kernel worker): retry
 * every 2 ms, 5 s at most, as each of those milliseconds is a stall of
 * the device's IO. The wait goes to *@ret_ms.
 */
static int start_recovery_or_report(struct blk_dev *dev, unsigned int *ret_ms)
{
	struct timespec t0, t;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		err = blk_ctrl__start_recovery(dev);
		clock_gettime(CLOCK_MONOTONIC, &t);
		*ret_ms = (unsigned int)((t.tv_sec - t0.tv_sec) * 1000 +
					 (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (err != -EBUSY || *ret_ms >= 5000)
			break;
		usleep(2000);
	}
	if (err)
		blk_err("device %d: cannot start recovery: %s%s", dev->cfg.dev_id,
			strerror(-err), err == -EBUSY ? " (is its server still running?)" : "");
	return err;
}

static int do_add(int argc, char **argv)
{
	struct blk_dev dev;
	const char *spec;
	bool added = false;
	int sfd = -1, stats_fd = -1, key_fd = -1, err;

	blk_dev_init(&dev);
	if (parse_add_options(argc, argv, &dev, &spec, &stats_fd, &key_fd, NULL))
		return EXIT_USAGE;
	if (optind < argc) {
		blk_err("add: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	/* Everything that can be refused is refused before the device exists. */
	err = read_key_or_report(&dev, key_fd);
	if (err)
		return 1;
	err = check_crypt(&dev);
	if (!err)
		err = open_backend(&dev, spec);
	if (err) {
		release(&dev, -1);
		return 1;
	}
	err = check_size(&dev);
	if (err)
		goto out;
	sfd = block_signals();
	if (sfd < 0) {
		err = sfd;
		blk_err("signals: %s", strerror(-err));
		goto out;
	}
	err = confine_early_or_report();
	if (err)
		goto out;
	err = ctrl_open_or_report(&dev);
	if (err)
		goto out;
	err = blk_ctrl__add(&dev);
	if (err) {
		if (dev.cfg.dev_id >= 0)
			blk_err("device %d: cannot add: %s", dev.cfg.dev_id, strerror(-err));
		else
			blk_err("device: cannot add: %s", strerror(-err));
		goto out;
	}
	added = true;
	if (dev.info.max_io_buf_bytes > BLK_MAX_IO_BYTES) {
		blk_err("device %d: the kernel's IO size %u is larger than boost-ublk's %u",
			dev.cfg.dev_id, dev.info.max_io_buf_bytes, BLK_MAX_IO_BYTES);
		err = -EOVERFLOW;
		goto out;
	}
	err = blk_ctrl__set_params(&dev);
	if (err) {
		blk_err("device %d: cannot set parameters: %s", dev.cfg.dev_id, strerror(-err));
		goto out;
	}
	err = map_stats_or_report(&dev, stats_fd);
	if (err)
		goto out;
	blk_dev__publish_geometry(&dev);
	err = run_queues_or_report(&dev);
	if (err)
		goto out;
	err = blk_ctrl__start(&dev);
	if (err) {
		blk_err("device %d: cannot start: %s", dev.cfg.dev_id, strerror(-err));
		goto out;
	}
	/* Every file the server needs is open: from here on, the fewest privileges. */
	err = confine_or_report(&dev);
	if (err) {
		blk_ctrl__stop(&dev);
		goto out;
	}
	print_started(&dev);
	err = serve(&dev, sfd);
out:
	if (added)
		teardown(&dev, true);
	release(&dev, sfd);
	return err ? 1 : 0;
}

/*
 * --wait-fd: everything that can be made ready while another server still
 * serves the device is (the backend open, the counters mapped): say
 * "ready" on stdout, then wait for a byte on @fd, sent once that server is
 * dead (an upgrade: docs/storage.md). End of file or a signal first: the
 * device was not ours to take, and it is left as it is.
 */
static int wait_for_go(struct blk_dev *dev, int fd, int sfd)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
	char go;
	ssize_t n;

	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			blk_err("device %d: poll: %s", dev->cfg.dev_id, strerror(errno));
			return -errno;
		}
		if (p[1].revents) {
			blk_err("device %d: signalled before it was told to take over: left as it "
				"is", dev->cfg.dev_id);
			return -EINTR;
		}
		if (p[0].revents)
			break;
	}
	n = read(fd, &go, 1);
	close(fd);
	if (n != 1) {
		blk_err("device %d: never told to take over (--wait-fd closed): left as it is",
			dev->cfg.dev_id);
		return -ECANCELED;
	}
	return 0;
}

/*
 * A device added with user recovery whose server died is quiesced: its
 * node stays and IO waits. A new server takes its queues over.
 */
static int do_recover(int argc, char **argv)
{
	struct blk_dev dev;
	const char *spec;
	bool started_recovery = false;
	unsigned int waited_ms = 0;
	uint64_t t[3];
	int id, sfd = -1, stats_fd = -1, key_fd = -1, wait_fd = -1, err;

	blk_dev_init(&dev);
	if (argc < 2 || parse_dev(argv[1], &id)) {
		blk_err("recover: DEV (ID or /dev/ublkbID) is required first");
		return EXIT_USAGE;
	}
	if (parse_add_options(argc - 1, argv + 1, &dev, &spec, &stats_fd, &key_fd, &wait_fd))
		return EXIT_USAGE;
	if (read_key_or_report(&dev, key_fd))
		return 1;
	/* Before the first control command; the backend then opens as bare uid 0. */
	if (confine_early_or_report() || ctrl_open_or_report(&dev))
		return 1;
	err = adopt_device(&dev, id);
	if (!err)
		err = check_crypt(&dev);
	if (err)
		goto out;
	err = open_backend(&dev, spec);
	if (err)
		goto out;
	if (dev.ops->data_dies_with_server) {
		blk_err("backend %s: its data died with the server; delete device %d instead",
			spec, id);
		err = -EINVAL;
		goto out;
	}
	err = map_stats_or_report(&dev, stats_fd);
	if (err)
		goto out;
	blk_dev__publish_geometry(&dev);
	sfd = block_signals();
	if (sfd < 0) {
		err = sfd;
		goto out;
	}
	if (wait_fd >= 0) {
		err = blk_dev__alloc_queues(&dev);
		if (err) {
			blk_err("device %d: cannot allocate its queues: %s", id, strerror(-err));
			goto out;
		}
		err = wait_for_go(&dev, wait_fd, sfd);
		if (err)
			goto out;
	}
	t[0] = now_ms();
	err = start_recovery_or_report(&dev, &waited_ms);
	if (err)
		goto out;
	started_recovery = true;
	err = run_queues_or_report(&dev);
	if (err)
		goto out;
	t[1] = now_ms();
	err = blk_ctrl__end_recovery(&dev);
	if (err) {
		blk_err("device %d: cannot end recovery: %s", id, strerror(-err));
		goto out;
	}
	t[2] = now_ms();
	err = confine_or_report(&dev);
	if (err)
		goto out;
	/* Where a takeover's time goes: the stall of an upgrade (docs/storage.md). */
	fprintf(stderr, "boost-ublk: device %d: recovered: the kernel let it go after %u ms, "
		"the queues were up %u ms later, IO resumed %u ms later, confined %u ms later\n",
		id, waited_ms, (unsigned int)(t[1] - t[0]) - waited_ms,
		(unsigned int)(t[2] - t[1]), (unsigned int)(now_ms() - t[2]));
	print_started(&dev);
	err = serve(&dev, sfd);
	teardown(&dev, true);
	started_recovery = false;
out:
	/* A failed recovery leaves the device quiesced, for another try or del. */
	if (started_recovery)
		teardown(&dev, false);
	else
		blk_dev__close_queues(&dev); /* allocated before a --wait-fd, if at all */
	release(&dev, sfd);
	return err ? 1 : 0;
}

static int do_del(int argc, char **argv)
{
	struct blk_dev dev;
	int id, err;

	blk_dev_init(&dev);
	if (argc != 2 || parse_dev(argv[1], &id)) {
		blk_err("del: expected one DEV (ID or /dev/ublkbID)");
		return EXIT_USAGE;
	}
	if (ctrl_open_or_report(&dev))
		return 1;
	err = blk_ctrl__get_info(&dev, id);
	if (!err) {
		dev.cfg.dev_id = id;
		/* Stops it too, then waits until its server has let go. */
		err = blk_ctrl__del(&dev);
	}
	if (err)
		blk_err("device %d: %s", id,
			err == -ENODEV ? "no such ublk device" : strerror(-err));
	blk_ctrl__close(&dev);
	return err ? 1 : 0;
}

static const char *state_name(unsigned int state)
{
	switch (state) {
	case UBLK_S_DEV_DEAD: return "dead";
	case UBLK_S_DEV_LIVE: return "live";
	case UBLK_S_DEV_QUIESCED: return "quiesced";
	default: return "unknown";
	}
}

static int do_list(int argc, char **argv)
{
	struct blk_dev dev;
	struct dirent *de;
	DIR *d;
	int err = 0;

	blk_dev_init(&dev);
	if (argc != 1) {
		blk_err("list: takes no arguments");
		return EXIT_USAGE;
	}
	if (ctrl_open_or_report(&dev))
		return 1;
	d = opendir("/dev");
	if (!d) {
		err = -errno;
		blk_err("/dev: cannot list: %s", strerror(-err));
		goto out;
	}
	while ((de = readdir(d))) {
		struct ublk_params p;
		int id;

		if (strncmp(de->d_name, "ublkc", 5) || parse_dev(de->d_name + 5, &id))
			continue;
		if (blk_ctrl__get_info(&dev, id))
			continue;
		dev.cfg.dev_id = id;
		if (blk_ctrl__get_params(&dev, &p))
			memset(&p, 0, sizeof(p));
		printf("%d %s queues %u depth %u block-size %u size %llu pid %d%s dev /dev/ublkb%d\n",
		       id, state_name(dev.info.state), dev.info.nr_hw_queues,
		       dev.info.queue_depth, 1u << p.basic.logical_bs_shift,
		       (unsigned long long)p.basic.dev_sectors << BLK_SECTOR_SHIFT,
		       dev.info.ublksrv_pid,
		       dev.info.flags & UBLK_F_USER_RECOVERY ? " recovery" : "", id);
	}
	closedir(d);
out:
	blk_ctrl__close(&dev);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "add", do_add },
		{ "recover", do_recover },
		{ "del", do_del },
		{ "list", do_list },
	};
	static char stdout_buf[BUFSIZ];
	size_t i;

	/*
	 * Started by boostd from a memfd (fexecve), the kernel names the
	 * process after the descriptor ("64"): give it its own name for ps,
	 * pgrep and the log. Threads made later inherit it.
	 */
	prctl(PR_SET_NAME, "boost-ublk", 0, 0, 0);
	/*
	 * A reader of our one line that has gone away must not kill a server
	 * with a live device: the write fails instead, and the device is served.
	 */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * A buffer of our own: stdio would otherwise fstat stdout at the
	 * first printf, which comes after the seccomp filter allows no fstat.
	 */
	setvbuf(stdout, stdout_buf, _IOLBF, sizeof(stdout_buf));
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("boost-ublk v%s\n", BOOST_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	}
	blk_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
