// SPDX-License-Identifier: GPL-2.0-only
/*
 * Confinement: once the device is started, the server keeps only what the
 * data path and the shutdown path use (docs/storage.md, "Confinement").
 *
 * Capabilities are per thread in Linux. A queue thread needs none once its
 * ring exists: the ublk char device's io_uring commands were authorized
 * when /dev/ublkcN was opened. The main thread
 * keeps CAP_SYS_ADMIN only, because the driver checks it on every control
 * command of a device added without UBLK_F_UNPRIVILEGED_DEV, and STOP_DEV
 * and DEL_DEV come at shutdown.
 *
 * Every thread then sets no_new_privs and enters one Landlock domain that
 * grants no filesystem access at all (where the kernel has Landlock): every
 * file the server uses is open by then, and Landlock checks only opens and
 * path operations. Landlock, unlike seccomp, binds only the calling thread,
 * so each queue thread enters it itself, and the main thread last.
 *
 * Then the main thread loads one seccomp filter for
 * every thread at once (TSYNC): the calls the steady state and shutdown
 * make are allowed, a few an intruder would try first fail with EPERM (so
 * the device keeps being served, and the test sees the refusal of the very
 * filter that ships), and everything else kills the process. io_uring
 * opcodes pass no seccomp filter, so each ring is restricted to the
 * opcodes it uses before it is enabled (blk_confine__ring).
 *
 * A backend whose library runs threads of its own (librbd) has them
 * started by a thread that first dropped every capability and entered a
 * Landlock domain of the library's files (blk_confine__library_opener and
 * _domain), so they inherit that. Their calls cannot all be listed, so the
 * filter of such a server refuses a list of calls and allows the rest
 * (blk_confine_seccomp_library).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <seccomp.h>
#include <linux/landlock.h>

#include "blk.h"

#ifdef __SANITIZE_ADDRESS__
#define BLK_SANITIZED 1
#else
#define BLK_SANITIZED 0
#endif

/* The Landlock ruleset every thread enters, made by blk_confine__early; -1: none. */
static int blk_landlock_fd = -1;
/* Landlock's ABI, 0 before blk_landlock_ruleset or without Landlock. */
static long blk_landlock_abi;
/* A network backend's family and TCP port (blk_confine__allow_connect); 0: none. */
static int blk_net_family;
static unsigned int blk_net_port;
/* The backend's library runs threads of its own (blk_confine__library_threads). */
static bool blk_library_threads;

/*
 * Landlock's network rights (ABI 4, Linux 6.7), which Debian's 6.1 UAPI
 * header lacks: the values are the kernel's ABI.
 */
#define BLK_LANDLOCK_ACCESS_NET_BIND_TCP (1ull << 0)
#define BLK_LANDLOCK_ACCESS_NET_CONNECT_TCP (1ull << 1)
#define BLK_LANDLOCK_RULE_NET_PORT 2
struct blk_landlock_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
};
struct blk_landlock_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
} __attribute__((packed));

/* The ruleset exists and Landlock handles TCP: let connect reach the backend's port. */
static int blk_landlock_net_rule(void)
{
	struct blk_landlock_net_port_attr np = {
		.allowed_access = BLK_LANDLOCK_ACCESS_NET_CONNECT_TCP,
		.port = blk_net_port,
	};

	if (blk_landlock_fd < 0 || blk_landlock_abi < 4 || !blk_net_port ||
	    (blk_net_family != AF_INET && blk_net_family != AF_INET6))
		return 0;
	if (syscall(__NR_landlock_add_rule, blk_landlock_fd, BLK_LANDLOCK_RULE_NET_PORT, &np, 0))
		return -errno;
	return 0;
}

void blk_confine__library_threads(void)
{
	blk_library_threads = true;
}

int blk_confine__allow_connect(int family, unsigned int port)
{
	blk_net_family = family;
	blk_net_port = port;
	return blk_landlock_net_rule();
}
/* The seccomp filter is in place. */
static bool blk_seccomp_loaded;

/*
 * The calling thread keeps the capabilities in @keep (a mask of
 * CAP_TO_MASK bits) that it has, in its effective and permitted sets, and
 * only those in its bounding set: both are per thread.
 */
static int blk_confine_caps(uint64_t keep)
{
	cap_flag_value_t setpcap = CAP_CLEAR, has;
	cap_t cur, want;
	cap_value_t c;
	int err = 0;

	cur = cap_get_proc();
	if (!cur)
		return -errno;
	want = cap_init();
	if (!want) {
		err = -errno;
		goto out;
	}
	/* The bounding set first: dropping it needs CAP_SETPCAP, maybe dropped next. */
	cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &setpcap);
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		if (!CAP_IS_SUPPORTED(c))
			continue;
		if (keep & (1ull << c)) {
			if (cap_get_flag(cur, c, CAP_PERMITTED, &has) == 0 && has == CAP_SET &&
			    (cap_set_flag(want, CAP_PERMITTED, 1, &c, CAP_SET) ||
			     cap_set_flag(want, CAP_EFFECTIVE, 1, &c, CAP_SET))) {
				err = -errno;
				goto out;
			}
			continue;
		}
		if (setpcap == CAP_SET && cap_drop_bound(c) && errno != EINVAL) {
			err = -errno;
			goto out;
		}
	}
	if (cap_set_proc(want))
		err = -errno;
out:
	cap_free(want);
	cap_free(cur);
	return err;
}

#define BLK_CAP(c) (1ull << (c))

/*
 * The Landlock ruleset: every filesystem right this build and the kernel
 * know of (ABI 1: execute, read, write, create and remove; ABI 2 adds
 * linking or renaming across directories) is handled, and none is granted,
 * except, in a sanitizer build, reading /proc (ASan and LeakSanitizer read
 * /proc/self/maps). A kernel without Landlock leaves the ruleset out, and
 * says so.
 */
/*
 * A ruleset that handles what of @attr this kernel knows: REFER from ABI
 * 2, the network rights, with @net, from ABI 4 (before it the kernel
 * knows neither them nor the field). Its fd and, in @abi, Landlock's ABI;
 * -EOPNOTSUPP: this kernel has no Landlock; else -errno.
 */
static int blk_landlock_create(struct blk_landlock_ruleset_attr attr, bool net, long *abi)
{
	size_t attr_size = sizeof(attr);
	int fd;

	*abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (*abi < 0)
		return errno == ENOSYS || errno == EOPNOTSUPP ? -EOPNOTSUPP : -errno;
	if (*abi < 2)
		attr.handled_access_fs &= ~LANDLOCK_ACCESS_FS_REFER;
	if (*abi < 4 || !net)
		attr_size = sizeof(attr.handled_access_fs);
	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size, 0);
	return fd < 0 ? -errno : fd;
}

static int blk_landlock_ruleset(void)
{
	const struct blk_landlock_ruleset_attr attr = {
		.handled_access_fs = (LANDLOCK_ACCESS_FS_REFER << 1) - 1,
		/* No TCP bind, and TCP connect only to a network backend's port. */
		.handled_access_net = BLK_LANDLOCK_ACCESS_NET_BIND_TCP |
				      BLK_LANDLOCK_ACCESS_NET_CONNECT_TCP,
	};
	struct landlock_path_beneath_attr proc = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
	};
	long abi;
	int fd, err = 0;

	/*
	 * A library with threads of its own (librbd) connects to ports it
	 * learns from its cluster: no network rule then.
	 */
	fd = blk_landlock_create(attr, !blk_library_threads, &abi);
	if (fd == -EOPNOTSUPP) {
		fprintf(stderr, "boost-ublk: this kernel has no Landlock: "
				"the file system is not restricted\n");
		return 0;
	}
	if (fd < 0)
		return fd;
	blk_landlock_abi = abi;
	if (BLK_SANITIZED) {
		proc.parent_fd = open("/proc", O_PATH | O_CLOEXEC);
		if (proc.parent_fd < 0 ||
		    syscall(__NR_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &proc, 0))
			err = -errno;
		if (proc.parent_fd >= 0)
			close(proc.parent_fd);
	}
	if (err) {
		close(fd);
		return err;
	}
	blk_landlock_fd = fd;
	return blk_landlock_net_rule();
}

/* The calling thread: no_new_privs (Landlock needs it), then the ruleset. */
static int blk_landlock_enter(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (blk_landlock_fd >= 0 && syscall(__NR_landlock_restrict_self, blk_landlock_fd, 0))
		return -errno;
	return 0;
}

/*
 * Main thread, before its first control command: io_uring runs control
 * commands in an io-wq worker, which keeps the credentials of the thread
 * that made it for as long as the process lives. Made now, it holds
 * CAP_SYS_ADMIN (the control commands), CAP_IPC_LOCK (a ring created with
 * it does not count its registered buffers against RLIMIT_MEMLOCK: the
 * queue threads, made later, need it when they create theirs) and
 * CAP_SETPCAP (to empty the bounding sets later), and nothing else.
 */
int blk_confine__early(void)
{
	int err;

	err = blk_confine_caps(BLK_CAP(CAP_SYS_ADMIN) | BLK_CAP(CAP_IPC_LOCK) |
			       BLK_CAP(CAP_SETPCAP));
	if (err)
		return err;
	return blk_landlock_ruleset();
}

/*
 * Any thread, its ring set up and not yet enabled (IORING_SETUP_R_DISABLED):
 * the ring accepts only the SQE opcodes in @ops, of the SQE flags only
 * IOSQE_FIXED_FILE, and of the register opcodes only
 * IORING_UNREGISTER_RING_FDS (io_uring_queue_exit). io_uring
 * opcodes pass no seccomp filter: without this, an IORING_OP_OPENAT or
 * IORING_OP_SOCKET on one of our rings would do what the filter refuses.
 */
int blk_confine__ring(struct io_uring *ring, const uint8_t *ops, unsigned int nr_ops)
{
	struct io_uring_restriction res[16];
	unsigned int i, n = 0;

	if (nr_ops + 2 > sizeof(res) / sizeof(res[0]))
		return -E2BIG;
	memset(res, 0, sizeof(res));
	for (i = 0; i < nr_ops; i++) {
		res[n].opcode = IORING_RESTRICTION_SQE_OP;
		res[n++].sqe_op = ops[i];
	}
	res[n].opcode = IORING_RESTRICTION_REGISTER_OP;
	res[n++].register_op = IORING_UNREGISTER_RING_FDS;
	/* A restricted ring refuses every SQE flag not allowed here. */
	res[n].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[n++].sqe_flags = IOSQE_FIXED_FILE;
	/*
	 * The raw calls: Debian's liburing 2.3 has io_uring_register_restrictions
	 * and io_uring_enable_rings in its static library only, not its .so.
	 */
	if (syscall(__NR_io_uring_register, ring->ring_fd, IORING_REGISTER_RESTRICTIONS,
		    res, n) < 0 ||
	    syscall(__NR_io_uring_register, ring->ring_fd, IORING_REGISTER_ENABLE_RINGS,
		    NULL, 0) < 0)
		return -errno;
	return 0;
}

/*
 * A thread about to start a library's own threads (librbd's: its
 * messengers, timers and finishers), which inherit what it keeps. No
 * capability in any set (the bounding set too: CAP_SETPCAP goes last, with
 * the rest), and no_new_privs, which blk_confine__library_domain needs.
 */
int blk_confine__library_opener(void)
{
	int err = blk_confine_caps(0);

	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	return err;
}

/*
 * What any library reads at run time, whole trees: its own files and
 * plugins (/usr; /lib is a link into it), and the kernel's views of the
 * process and the machine (CPUs, NUMA, its own maps).
 */
static const char *const blk_library_trees[] = { "/usr", "/proc", "/sys" };
/* And single files: the dynamic linker's cache, name resolution, time, randomness. */
static const char *const blk_library_files[] = {
	"/etc/ld.so.cache", "/etc/hosts", "/etc/host.conf", "/etc/resolv.conf",
	"/etc/nsswitch.conf", "/etc/gai.conf", "/etc/localtime", "/dev/urandom",
	"/dev/random",
};

/*
 * Let the ruleset @fd read @path (a file, or a directory and what is
 * beneath it), or, with @write, write it (a file). A path that does not
 * exist is skipped: nothing there to read.
 */
static int blk_landlock_allow(int fd, const char *path, bool write)
{
	struct landlock_path_beneath_attr pb = { 0 };
	struct stat st;
	int err = 0;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(pb.parent_fd, &st))
		err = -errno;
	else if (S_ISDIR(st.st_mode))
		pb.allowed_access = write ? 0 : LANDLOCK_ACCESS_FS_READ_FILE |
						LANDLOCK_ACCESS_FS_READ_DIR;
	else
		pb.allowed_access = write ? LANDLOCK_ACCESS_FS_WRITE_FILE :
					    LANDLOCK_ACCESS_FS_READ_FILE;
	if (!err && pb.allowed_access &&
	    syscall(__NR_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0))
		err = -errno;
	close(pb.parent_fd);
	return err;
}

int blk_confine__library_domain(const char *const *reads, unsigned int nr_reads,
				const char *const *writes, unsigned int nr_writes)
{
	const struct blk_landlock_ruleset_attr attr = {
		.handled_access_fs = (LANDLOCK_ACCESS_FS_REFER << 1) - 1,
		/* Connect stays open (the OSDs' ports come from the cluster); bind is not. */
		.handled_access_net = BLK_LANDLOCK_ACCESS_NET_BIND_TCP,
	};
	unsigned int i;
	long abi;
	int fd, err = 0;

	fd = blk_landlock_create(attr, true, &abi);
	if (fd == -EOPNOTSUPP)
		return 0; /* said by blk_confine__early */
	if (fd < 0)
		return fd;
	for (i = 0; !err && i < sizeof(blk_library_trees) / sizeof(blk_library_trees[0]); i++)
		err = blk_landlock_allow(fd, blk_library_trees[i], false);
	for (i = 0; !err && i < sizeof(blk_library_files) / sizeof(blk_library_files[0]); i++)
		err = blk_landlock_allow(fd, blk_library_files[i], false);
	for (i = 0; !err && i < nr_reads; i++)
		err = blk_landlock_allow(fd, reads[i], false);
	for (i = 0; !err && i < nr_writes; i++)
		err = blk_landlock_allow(fd, writes[i], true);
	if (!err && syscall(__NR_landlock_restrict_self, fd, 0))
		err = -errno;
	close(fd);
	return err;
}

/* Queue thread, its ring set up: nothing left that needs a capability or a path. */
int blk_confine__queue_thread(void)
{
	int err = blk_confine_caps(0);

	return err ? err : blk_landlock_enter();
}

static const int blk_allowed[] = {
	/* The data path: wait for CQEs and submit commits in one call. */
	SCMP_SYS(io_uring_enter),
	/* The queue threads' eventfd and the main thread's signalfd. */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(writev),
	SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	/* pthread_join, mutexes; a thread's exit. */
	SCMP_SYS(futex), SCMP_SYS(sched_yield), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(gettid), SCMP_SYS(getpid),
	/*
	 * A call with a timeout that a stop interrupted (SIGSTOP, a debugger
	 * or strace attaching) goes on through restart_syscall once
	 * continued: refused, the stop killed the server.
	 */
	SCMP_SYS(restart_syscall),
	/* Teardown: unmapping rings and buffers, free(), closing files. */
	SCMP_SYS(munmap), SCMP_SYS(madvise), SCMP_SYS(brk), SCMP_SYS(close),
	/* The cache's clean close: its index and header, to a file already open. */
	SCMP_SYS(pwrite64), SCMP_SYS(fdatasync),
};

/* What an intruder tries first: refused, not fatal (see the top comment). */
static const int blk_refused[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
	SCMP_SYS(socket), SCMP_SYS(socketpair),
	SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2),
	SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(clone), SCMP_SYS(clone3),
};

/*
 * A network backend (nbd) reconnects from its confined queue threads,
 * through libnbd: a socket of its family only, non-blocking; TCP_NODELAY,
 * the one option libnbd sets; connect, SO_ERROR; the data; our dup of the
 * socket, for the ring's polls, and its shutdown.
 */
static int blk_confine_seccomp_net(scmp_filter_ctx ctx)
{
	static const int calls[] = {
		SCMP_SYS(connect), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
		SCMP_SYS(shutdown), SCMP_SYS(dup),
	};
	int err = 0;

	err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 3,
			       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)blk_net_family),
			       SCMP_A1(SCMP_CMP_EQ, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC),
			       SCMP_A2(SCMP_CMP_EQ, 0));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
				       SCMP_A1(SCMP_CMP_EQ, IPPROTO_TCP),
				       SCMP_A2(SCMP_CMP_EQ, TCP_NODELAY));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2,
				       SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
				       SCMP_A2(SCMP_CMP_EQ, SO_ERROR));
	for (unsigned int i = 0; !err && i < sizeof(calls) / sizeof(calls[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0);
	return err;
}

static int blk_confine_seccomp(void)
{
	scmp_filter_ctx ctx;
	unsigned int i;
	int err = 0;

	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; !err && i < sizeof(blk_allowed) / sizeof(blk_allowed[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, blk_allowed[i], 0);
	for (i = 0; !err && i < sizeof(blk_refused) / sizeof(blk_refused[0]); i++) {
		/* A network backend's sockets are allowed above, any other kills. */
		if (blk_net_family && blk_refused[i] == SCMP_SYS(socket))
			continue;
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), blk_refused[i], 0);
	}
	/* malloc may map memory, never executable memory. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!err && blk_net_family)
		err = blk_confine_seccomp_net(ctx);
	/* io_uring_queue_exit lets go of a registered ring fd; nothing else. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(io_uring_register), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0x7fffffffu,
					       IORING_UNREGISTER_RING_FDS));
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

/*
 * What no thread of a server with a library's threads (librbd's) has a
 * reason to call, refused with EPERM: running another program, reading or
 * changing other processes, a child process, mounts, namespaces, modules,
 * kernels, BPF, the keyrings, identities, the clocks, and raw or packet
 * sockets.
 */
static const int blk_library_refused[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(pidfd_getfd),
	SCMP_SYS(kcmp), SCMP_SYS(fork), SCMP_SYS(vfork),
	SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
	SCMP_SYS(fsopen), SCMP_SYS(fsconfig), SCMP_SYS(fsmount), SCMP_SYS(fspick),
	SCMP_SYS(move_mount), SCMP_SYS(open_tree), SCMP_SYS(mount_setattr),
	SCMP_SYS(setns), SCMP_SYS(unshare),
	SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module),
	SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load), SCMP_SYS(reboot),
	SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
	SCMP_SYS(userfaultfd), SCMP_SYS(io_uring_setup),
	SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
	SCMP_SYS(mknod), SCMP_SYS(mknodat),
	SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid), SCMP_SYS(setregid),
	SCMP_SYS(setresuid), SCMP_SYS(setresgid), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid),
	SCMP_SYS(setgroups), SCMP_SYS(capset),
	SCMP_SYS(settimeofday), SCMP_SYS(clock_settime), SCMP_SYS(clock_adjtime),
	SCMP_SYS(adjtimex), SCMP_SYS(sethostname), SCMP_SYS(setdomainname),
	SCMP_SYS(iopl), SCMP_SYS(ioperm), SCMP_SYS(acct), SCMP_SYS(quotactl),
	SCMP_SYS(syslog), SCMP_SYS(personality),
};

/*
 * The filter of a server whose library runs threads of its own: every call
 * librbd's threads make cannot be listed (they differ with the cluster's
 * state: a monitor or an OSD lost, a map changed), and one call killed
 * would kill the device, so this filter allows by default and refuses
 * what is listed above, and: a clone that makes a process rather than a
 * thread; clone3 (ENOSYS: glibc then makes its threads with clone);
 * executable memory, new or changed (no code is loaded once the device
 * runs); raw and packet sockets. Each refusal is logged by the kernel
 * (SECCOMP_FILTER_FLAG_LOG: an audit record, type 1326, in its log).
 */
static int blk_confine_seccomp_library(void)
{
	scmp_filter_ctx ctx;
	unsigned int i;
	int err = 0;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	for (i = 0; !err && i < sizeof(blk_library_refused) / sizeof(blk_library_refused[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), blk_library_refused[i], 0);
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pkey_mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, AF_PACKET));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW));
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

/* Main thread, the device started: see the top comment. */
int blk_confine__process(void)
{
	int err;

	err = blk_confine_caps(BLK_CAP(CAP_SYS_ADMIN));
	if (!err)
		err = blk_landlock_enter();
	if (blk_landlock_fd >= 0)
		close(blk_landlock_fd);
	blk_landlock_fd = -1;
	if (err)
		return err;
	/*
	 * A sanitizer build (make SANITIZE=1, for tests only) reads
	 * /proc/self/maps and runs LeakSanitizer's ptrace'd tracer at exit,
	 * which the filter refuses: it runs without the filter, and says so.
	 */
	if (BLK_SANITIZED) {
		fprintf(stderr, "boost-ublk: sanitizer build: no seccomp filter\n");
		return 0;
	}
	/* librbd's threads: docs/trust.md, "boost-ublk-rbd and librbd". */
	if (blk_library_threads) {
		err = blk_confine_seccomp_library();
		blk_seccomp_loaded = !err;
		return err;
	}
#ifdef BLK_CONFINE_TEST
	/* The test build, to show what Landlock and the capabilities refuse alone. */
	if (getenv("BLK_CONFINE_TEST_NO_SECCOMP")) {
		fprintf(stderr, "boost-ublk: confine test: no seccomp filter\n");
		return 0;
	}
#endif
	err = blk_confine_seccomp();
	blk_seccomp_loaded = !err;
	return err;
}

#ifdef BLK_CONFINE_TEST
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

static void blk_confine_report(const char *what, int ret)
{
	if (ret < 0)
		fprintf(stderr, "boost-ublk: confine test: %s: refused (%s)\n", what,
			strerror(errno));
	else
		fprintf(stderr, "boost-ublk: confine test: %s: ALLOWED\n", what);
}

/* The same open through the control ring, where seccomp does not look. */
static int blk_confine_ring_open(struct blk_dev *dev, const char *path)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&dev->ctrl_ring);
	struct io_uring_cqe *cqe;
	int res;

	if (!sqe) {
		errno = EBUSY;
		return -1;
	}
	io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	res = io_uring_submit_and_wait(&dev->ctrl_ring, 1);
	if (res >= 0)
		res = io_uring_wait_cqe(&dev->ctrl_ring, &cqe);
	if (res < 0) {
		errno = -res;
		return -1;
	}
	res = cqe->res;
	io_uring_cqe_seen(&dev->ctrl_ring, cqe);
	if (res < 0) {
		errno = -res;
		return -1;
	}
	return res;
}

/* Main thread (the one that kept CAP_SYS_ADMIN), on SIGUSR1 in the test build. */
void blk_confine__test_attempts(struct blk_dev *dev)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	int fd;

	blk_confine_report("execve /bin/true", execve(argv[0], argv, envp));
	/* Only the filter refuses it; allowed, it would hand us to our parent. */
	if (blk_seccomp_loaded)
		blk_confine_report("ptrace PTRACE_TRACEME",
				   (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
	blk_confine_report("open /etc/shadow", fd);
	if (fd >= 0)
		close(fd);
	fd = blk_confine_ring_open(dev, "/etc/shadow");
	blk_confine_report("io_uring openat /etc/shadow", fd);
	if (fd >= 0)
		close(fd);
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	blk_confine_report("socket AF_INET SOCK_RAW", fd);
	if (fd >= 0)
		close(fd);
	fprintf(stderr, "boost-ublk: confine test: done\n");
}

void blk_confine__test_unlisted(void)
{
	fprintf(stderr, "boost-ublk: confine test: swapoff, in no list of the filter\n");
	blk_confine_report("swapoff", (int)syscall(SYS_swapoff, "/nonexistent"));
}
#endif
