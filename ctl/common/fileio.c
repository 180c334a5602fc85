// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

int fileio__read_fd(int fd, size_t max, uint8_t **ret_buf, size_t *ret_len)
{
	size_t len = 0, cap = 4096;
	uint8_t *buf = malloc(cap), *grown;
	ssize_t n;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			if (len > max)
				break;
			grown = realloc(buf, cap * 2);
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
		len += n;
	}
	if (!ret && len > max)
		ret = -EFBIG;
	if (ret) {
		explicit_bzero(buf, len); /* it may be a secret */
		free(buf);
		return ret;
	}
	buf[len] = '\0';
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int fileio__read(const char *path, size_t max, int flags, uint8_t **ret_buf, size_t *ret_len)
{
	int fd, ret;

	if (!path)
		return fileio__read_fd(STDIN_FILENO, max, ret_buf, ret_len);
	fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	ret = fileio__read_fd(fd, max, ret_buf, ret_len);
	close(fd);
	return ret;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += n;
	}
	return 0;
}

/* Create or truncate @name in @dirfd with @flags added, and write @len bytes. */
static int write_file(int dirfd, const char *name, int flags, const void *buf, size_t len,
		      mode_t mode)
{
	int fd, ret;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | flags, mode);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, buf, len);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

int fileio__write(const char *path, const void *buf, size_t len, mode_t mode)
{
	if (!path)
		return write_all(STDOUT_FILENO, buf, len);
	return write_file(AT_FDCWD, path, 0, buf, len, mode);
}

int fileio__write_at(int dirfd, const char *name, const void *buf, size_t len, mode_t mode)
{
	return write_file(dirfd, name, O_NOFOLLOW, buf, len, mode);
}

int fileio__write_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, ret;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	ret = fileio__write(tmp, buf, len, mode);
	if (ret)
		goto out;
	fd = open(tmp, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
out:
	if (ret)
		unlink(tmp);
	return ret;
}
