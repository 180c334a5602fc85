/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A dynamically linked executable's closure (docs/trust.md,
 * "boost-ublk-rbd and librbd"): the shared objects ld.so maps for it on
 * this machine, each by the path ld.so opens and its SHA-256, as
 * scripts/ublk-closure writes it at build time and the build signs it:
 *
 *   {"executable": "boost-ublk-rbd",
 *    "libraries": [{"path": "/lib/x86_64-linux-gnu/librbd.so.1",
 *                   "sha256": "<64 hex>"}, ...]}
 *
 * An unknown key, a wrong type, a relative path, a repeated path or a
 * digest that is not 32 bytes is an error naming the field.
 */
#ifndef BOOST_TRUST_CLOSURE_H
#define BOOST_TRUST_CLOSURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define TRUST_CLOSURE_MAX_LIBS 128
#define TRUST_CLOSURE_MAX_BYTES (64 * 1024)
#define TRUST_CLOSURE_MAX_PATH 256
#define TRUST_CLOSURE_MAX_EXE 64
/* A shared object larger than this is refused (libceph-common is 20 MB). */
#define TRUST_CLOSURE_MAX_LIB_BYTES (256u << 20)

struct trust_closure_lib {
	char path[TRUST_CLOSURE_MAX_PATH];
	uint8_t sha256[32];
};

struct trust_closure {
	char executable[TRUST_CLOSURE_MAX_EXE];
	size_t n;
	struct trust_closure_lib libs[TRUST_CLOSURE_MAX_LIBS];
};

/* Parse @len bytes of @text. -EINVAL (or -ENOMEM), @err saying why, on error. */
int trust_closure__parse(const char *text, size_t len, struct trust_closure *c, char *err,
			 size_t errlen);

/*
 * Which file a library was when it was checked: a replaced file (a
 * package update renames a new one in) has another inode, one written in
 * place another change time.
 */
struct trust_closure_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

/*
 * Read each library of @c as ld.so would open it (symbolic links
 * followed) and compare its SHA-256 with the closure's: 0 when all match;
 * -EBADMSG naming the first library whose bytes differ, or -errno naming
 * one that cannot be read. With @seen (c->n of them), each file's identity
 * as it was read, for trust_closure__unchanged.
 */
int trust_closure__check(const struct trust_closure *c, struct trust_closure_file *seen,
			 char *err, size_t errlen);

/*
 * Is each library still the file trust_closure__check read (@seen)? A
 * stat of each, no read: cheap enough for every start of the executable.
 * 0, or -ESTALE naming the first that changed (-errno: cannot stat it).
 */
int trust_closure__unchanged(const struct trust_closure *c, const struct trust_closure_file *seen,
			     char *err, size_t errlen);

#endif
