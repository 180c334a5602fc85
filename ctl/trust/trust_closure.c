// SPDX-License-Identifier: GPL-2.0-only
/* A dynamically linked executable's closure: parsed with json-c, checked against the disk. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_arg.h"
#include "trust_closure.h"

static int parse_lib(json_object *o, size_t i, struct trust_closure *c, char *err, size_t errlen)
{
	struct trust_closure_lib *l = &c->libs[i];
	const char *path, *sha;
	size_t len;

	if (!json_object_is_type(o, json_type_object))
		return errmsg__set(err, errlen, -EINVAL, "libraries[%zu]: expected an object", i);
	json_object_object_foreach(o, key, v) {
		(void)v;
		if (strcmp(key, "path") && strcmp(key, "sha256"))
			return errmsg__set(err, errlen, -EINVAL, "libraries[%zu]: unknown field '%s'",
					   i, key);
	}
	path = json_arg__str(o, "path");
	sha = json_arg__str(o, "sha256");
	if (!path || path[0] != '/' || strlen(path) >= sizeof(l->path))
		return errmsg__set(err, errlen, -EINVAL, "libraries[%zu].path: expected an absolute "
				   "path of at most %d bytes", i, TRUST_CLOSURE_MAX_PATH - 1);
	if (!sha || hex__decode(sha, l->sha256, sizeof(l->sha256), &len) || len != 32)
		return errmsg__set(err, errlen, -EINVAL,
				   "libraries[%zu].sha256: expected 64 hex digits", i);
	snprintf(l->path, sizeof(l->path), "%s", path);
	for (size_t j = 0; j < i; j++)
		if (strcmp(c->libs[j].path, l->path) == 0)
			return errmsg__set(err, errlen, -EINVAL, "libraries[%zu].path: %s is listed "
					   "twice", i, path);
	return 0;
}

int trust_closure__parse(const char *text, size_t len, struct trust_closure *c, char *err,
			 size_t errlen)
{
	static const char *const keys[] = { "executable", "libraries", NULL };
	json_object *doc, *libs;
	const char *exe;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	if (len > TRUST_CLOSURE_MAX_BYTES)
		return errmsg__set(err, errlen, -EINVAL, "more than %d bytes",
				   TRUST_CLOSURE_MAX_BYTES);
	ret = json_arg__parse_object(text, len, keys, &doc, err, errlen);
	if (ret)
		return ret;
	exe = json_arg__str(doc, "executable");
	if (!exe || !*exe || *exe == '.' || strchr(exe, '/') || strlen(exe) >= sizeof(c->executable)) {
		ret = errmsg__set(err, errlen, -EINVAL, "executable: expected a file name (no '/', "
				  "no leading '.', at most %d bytes)", TRUST_CLOSURE_MAX_EXE - 1);
		goto out;
	}
	snprintf(c->executable, sizeof(c->executable), "%s", exe);
	libs = json_arg__get(doc, "libraries", json_type_array);
	if (!libs || json_object_array_length(libs) == 0 ||
	    json_object_array_length(libs) > TRUST_CLOSURE_MAX_LIBS) {
		ret = errmsg__set(err, errlen, -EINVAL, "libraries: expected an array of 1 to %d "
				  "libraries", TRUST_CLOSURE_MAX_LIBS);
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(libs); i++) {
		ret = parse_lib(json_object_array_get_idx(libs, i), i, c, err, errlen);
		if (ret)
			goto out;
		c->n = i + 1;
	}
out:
	json_object_put(doc);
	return ret;
}

static void file_id(const struct stat *st, struct trust_closure_file *f)
{
	*f = (struct trust_closure_file){ .dev = st->st_dev, .ino = st->st_ino,
					  .size = st->st_size, .mtime = st->st_mtim,
					  .ctime = st->st_ctim };
}

/* @l's bytes, and the file they came from: read once, through its links. */
static int read_lib(const struct trust_closure_lib *l, uint8_t **ret_buf, size_t *ret_len,
		    struct trust_closure_file *ret_id)
{
	struct stat st;
	int fd = open(l->path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = fstat(fd, &st) ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
	if (!ret)
		ret = fileio__read_fd(fd, TRUST_CLOSURE_MAX_LIB_BYTES, ret_buf, ret_len);
	close(fd);
	if (!ret)
		file_id(&st, ret_id);
	return ret;
}

int trust_closure__check(const struct trust_closure *c, struct trust_closure_file *seen,
			 char *err, size_t errlen)
{
	struct trust_closure_file id;
	uint8_t *buf, md[32];
	char want[65], got[65];
	unsigned int mdlen;
	size_t len;
	int ret;

	for (size_t i = 0; i < c->n; i++) {
		const struct trust_closure_lib *l = &c->libs[i];

		/* ld.so follows the links (librbd.so.1 -> librbd.so.1.16.0): so do we. */
		ret = read_lib(l, &buf, &len, &id);
		if (ret)
			return errmsg__set(err, errlen, ret, "%s: library %s: cannot read it: %s",
					   c->executable, l->path, strerror(-ret));
		ret = EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) ? 0 : -ENOMEM;
		free(buf);
		if (ret)
			return errmsg__set(err, errlen, ret, "%s: library %s: cannot hash it",
					   c->executable, l->path);
		if (memcmp(md, l->sha256, sizeof(md))) {
			hex__encode(l->sha256, 32, want);
			hex__encode(md, 32, got);
			return errmsg__set(err, errlen, -EBADMSG, "%s: library %s: its SHA-256 is %s, "
					   "not the signed closure's %s", c->executable, l->path,
					   got, want);
		}
		if (seen)
			seen[i] = id;
	}
	return 0;
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

int trust_closure__unchanged(const struct trust_closure *c, const struct trust_closure_file *seen,
			     char *err, size_t errlen)
{
	struct trust_closure_file now;
	struct stat st;

	for (size_t i = 0; i < c->n; i++) {
		const char *path = c->libs[i].path;

		if (stat(path, &st)) {
			int e = errno;

			return errmsg__set(err, errlen, -e, "%s: library %s: %s", c->executable,
					   path, strerror(e));
		}
		file_id(&st, &now);
		if (now.dev != seen[i].dev || now.ino != seen[i].ino ||
		    now.size != seen[i].size || !same_time(now.mtime, seen[i].mtime) ||
		    !same_time(now.ctime, seen[i].ctime))
			return errmsg__set(err, errlen, -ESTALE, "%s: library %s: changed since "
					   "boostd measured it (a package update?): verify its "
					   "closure again ('boostctl trust load')", c->executable,
					   path);
	}
	return 0;
}
