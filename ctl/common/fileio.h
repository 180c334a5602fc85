/* SPDX-License-Identifier: GPL-2.0-only */
/* Whole-file reads and writes, for logs, blobs and quote files. */
#ifndef BOOST_FILEIO_H
#define BOOST_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read all of @path (standard input if NULL) until EOF, also from files that
 * report no size (securityfs). @flags are added to O_RDONLY | O_CLOEXEC
 * (e.g. O_NOFOLLOW). The buffer (malloc'ed) has a NUL after the last byte.
 * Returns 0, -EFBIG past @max bytes, or -errno.
 */
int fileio__read(const char *path, size_t max, int flags, uint8_t **ret_buf, size_t *ret_len);

/* The same from the current offset of @fd, which stays open: for callers that need the fd after. */
int fileio__read_fd(int fd, size_t max, uint8_t **ret_buf, size_t *ret_len);

/* Write @len bytes to @path (created with @mode, truncated; standard output if NULL). */
int fileio__write(const char *path, const void *buf, size_t len, mode_t mode);

/*
 * Write @name in the directory @dirfd, never through a symbolic link
 * (O_NOFOLLOW): for directories named by someone else, opened once.
 */
int fileio__write_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode);

/*
 * Replace @path with @len bytes atomically: a temporary file beside it,
 * fsync, rename. A reader sees the old contents or the new, never a part.
 */
int fileio__write_atomic(const char *path, const void *buf, size_t len, mode_t mode);

#endif
