// SPDX-License-Identifier: GPL-2.0-only
/*
 * boost-xsk confined (see xsk_confine.h). Its sockets are bound and in
 * their XSKMAPs before this: receiving, sending (sendto on an AF_XDP
 * socket, which copy mode needs) and polling need no capability. So every
 * capability goes, from the bounding set too, no_new_privs is set, and a
 * seccomp filter allows the calls of the loop (poll, sendto, the counters'
 * atomic write: open, write, fsync, rename), of malloc and of the exit;
 * a few an intruder would try first (execve, socket, bpf, ptrace, open by
 * handle) fail with EPERM, and anything else kills the process.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <seccomp.h>

#include "xsk_confine.h"

#ifdef __SANITIZE_ADDRESS__
#define XSK_SANITIZED 1
#else
#define XSK_SANITIZED 0
#endif

static const int xsk_allowed[] = {
	SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(sendto), SCMP_SYS(recvfrom),
	SCMP_SYS(getsockopt), /* libxdp's ring checks */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(close),
	SCMP_SYS(openat), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(fchmod),
	SCMP_SYS(getrandom), SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise), SCMP_SYS(mremap),
	SCMP_SYS(futex), SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction), SCMP_SYS(getpid), SCMP_SYS(gettid),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* A poll with a timeout that a stop (SIGSTOP, a debugger) interrupted goes on through it. */
	SCMP_SYS(restart_syscall),
};

static const int xsk_refused[] = {
	SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(socket), SCMP_SYS(bpf),
	SCMP_SYS(ptrace), SCMP_SYS(open_by_handle_at), SCMP_SYS(setsockopt),
	SCMP_SYS(bind), SCMP_SYS(connect), SCMP_SYS(ioctl),
};

static int xsk_confine_caps(void)
{
	cap_t none = cap_init();
	int err = 0;

	if (!none)
		return -errno;
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (CAP_IS_SUPPORTED(c) && cap_drop_bound(c) && errno != EINVAL) {
			err = -errno;
			break;
		}
	if (!err && cap_set_proc(none))
		err = -errno;
	cap_free(none);
	return err;
}

static int xsk_confine_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err = 0;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; !err && i < sizeof(xsk_allowed) / sizeof(xsk_allowed[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, xsk_allowed[i], 0);
	for (size_t i = 0; !err && i < sizeof(xsk_refused) / sizeof(xsk_refused[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), xsk_refused[i], 0);
	/* malloc may map memory, never executable memory. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

int xsk_confine__enter(const char *stats)
{
	int err = xsk_confine_caps();

	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		err = -errno;
	if (err)
		return err;
	/* ASan's and LeakSanitizer's calls at exit are not the worker's: no filter. */
	if (XSK_SANITIZED) {
		fprintf(stderr, "boost-xsk: sanitizer build: no seccomp filter\n");
		return 0;
	}
	return xsk_confine_seccomp();
}
