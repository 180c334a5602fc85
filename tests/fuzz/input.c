// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "input.h"

size_t fuzz_split(const uint8_t *data, size_t len, struct fuzz_part *parts, size_t max)
{
	const size_t seplen = sizeof(FUZZ_SPLIT) - 1;
	size_t n = 0;

	while (n + 1 < max) {
		const uint8_t *sep = memmem(data, len, FUZZ_SPLIT, seplen);

		if (!sep)
			break;
		parts[n].data = data;
		parts[n++].len = sep - data;
		len -= sep - data + seplen;
		data = sep + seplen;
	}
	parts[n].data = data;
	parts[n++].len = len;
	return n;
}

char *fuzz_cstr(const uint8_t *data, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = '\0';
	return s;
}

static char tmpdir[PATH_MAX];

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void tmpdir_remove(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0])
		return tmpdir;
	if ((!base || !*base) && access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	snprintf(tmpdir, sizeof(tmpdir), "%s/boost-fuzz.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	/* A finding ends the process without exit: tests/fuzz/run removes $TMPDIR. */
	atexit(tmpdir_remove);
	return tmpdir;
}

void fuzz_empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		nftw(p, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	closedir(d);
}

const char *fuzz_file(const uint8_t *data, size_t len)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("boost-fuzz-input", MFD_CLOEXEC);
		if (fd < 0) {
			perror("fuzz: memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (len && pwrite(fd, data, len, 0) != (ssize_t)len)) {
		perror("fuzz: memfd");
		abort();
	}
	return path;
}

/* The framing of the binary log: pcr, SHA-1 digest, name length, name, data length, data. */
#define IMA_DIGEST_OFF 4
#define IMA_HDR_LEN (4 + 20 + 4)

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

void fuzz_ima_fix_digests(uint8_t *log, size_t len)
{
	static const uint8_t zero[20];
	size_t off = 0;

	while (len - off >= IMA_HDR_LEN) {
		uint8_t *entry = log + off;
		uint32_t name_len = get_le32(entry + IMA_HDR_LEN - 4), data_len;
		size_t pos = off + IMA_HDR_LEN;

		if (name_len > len - pos || len - pos - name_len < 4)
			return;
		pos += name_len;
		data_len = get_le32(log + pos);
		pos += 4;
		if (data_len > len - pos)
			return;
		if (memcmp(entry + IMA_DIGEST_OFF, zero, sizeof(zero)) != 0)
			EVP_Digest(log + pos, data_len, entry + IMA_DIGEST_OFF, NULL, EVP_sha1(),
				   NULL);
		off = pos + data_len;
	}
}

uint8_t *fuzz_ima_log(const uint8_t *data, size_t size, size_t *ret_len)
{
	uint8_t *log;

	if (size < 1)
		return NULL;
	log = malloc(size);
	if (!log)
		abort();
	memcpy(log, data + 1, size - 1);
	if (data[0] & 0x80)
		fuzz_ima_fix_digests(log, size - 1);
	*ret_len = size - 1;
	return log;
}
