// SPDX-License-Identifier: GPL-2.0-only
/* A set's manifest: parsed with json-c, built from a directory (trust_manifest.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_arg.h"
#include "trust_manifest.h"
#include "trust_svn.h"

#define ARTIFACT_MAX_BYTES (256u << 20)

/* A file name of the set's own directory: no path, no dot file, not the manifest. */
static bool file_name_ok(const char *s)
{
	return *s && *s != '.' && !strchr(s, '/') && strlen(s) < TRUST_MANIFEST_MAX_FILE &&
	       strcmp(s, TRUST_MANIFEST_NAME) != 0;
}

static int parse_artifact(json_object *o, size_t i, struct trust_manifest *m, char *err,
			  size_t errlen)
{
	struct trust_manifest_artifact *a = &m->a[i];
	const char *file = json_arg__str(o, "file"), *kind = json_arg__str(o, "kind");
	const char *sha = json_arg__str(o, "sha256");
	size_t len;
	int64_t svn;

	if (!json_object_is_type(o, json_type_object))
		return errmsg__set(err, errlen, -EINVAL, "artifacts[%zu]: expected an object", i);
	json_object_object_foreach(o, key, v) {
		(void)v;
		if (strcmp(key, "file") && strcmp(key, "kind") && strcmp(key, "sha256") &&
		    strcmp(key, "svn"))
			return errmsg__set(err, errlen, -EINVAL, "artifacts[%zu]: unknown field '%s'",
					   i, key);
	}
	if (!file || !file_name_ok(file))
		return errmsg__set(err, errlen, -EINVAL, "artifacts[%zu].file: expected a file "
				   "name of the set's directory (no '/', no leading '.')", i);
	if (!kind || trust_kind__parse(kind, &a->kind))
		return errmsg__set(err, errlen, -EINVAL,
				   "artifacts[%zu].kind: expected \"bpf\", \"exec\" or "
				   "\"closure\"", i);
	if (!sha || hex__decode(sha, a->sha256, sizeof(a->sha256), &len) || len != 32)
		return errmsg__set(err, errlen, -EINVAL,
				   "artifacts[%zu].sha256: expected 64 hex digits", i);
	if (json_arg__int(o, "svn", 0, UINT32_MAX, &svn))
		return errmsg__set(err, errlen, -EINVAL,
				   "artifacts[%zu].svn: expected an integer from 0 to %u", i,
				   UINT32_MAX);
	a->svn = svn;
	snprintf(a->file, sizeof(a->file), "%s", file);
	for (size_t j = 0; j < i; j++)
		if (strcmp(m->a[j].file, a->file) == 0)
			return errmsg__set(err, errlen, -EINVAL, "artifacts[%zu].file: %s is listed "
					   "twice", i, file);
	return 0;
}

int trust_manifest__parse(const char *text, size_t len, struct trust_manifest *m, char *err,
			  size_t errlen)
{
	static const char *const keys[] = { "boost_manifest", "artifacts", NULL };
	json_object *doc, *arts;
	int64_t version;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	if (len > TRUST_MANIFEST_MAX_BYTES)
		return errmsg__set(err, errlen, -EINVAL, "more than %d bytes",
				   TRUST_MANIFEST_MAX_BYTES);
	ret = json_arg__parse_object(text, len, keys, &doc, err, errlen);
	if (ret)
		return ret;
	if (json_arg__int(doc, "boost_manifest", 1, 1, &version)) {
		ret = errmsg__set(err, errlen, -EINVAL, "boost_manifest: expected 1");
		goto out;
	}
	arts = json_arg__get(doc, "artifacts", json_type_array);
	if (!arts || json_object_array_length(arts) == 0 ||
	    json_object_array_length(arts) > TRUST_MANIFEST_MAX_ARTIFACTS) {
		ret = errmsg__set(err, errlen, -EINVAL, "artifacts: expected an array of 1 to %d "
				  "artifacts", TRUST_MANIFEST_MAX_ARTIFACTS);
		goto out;
	}
	for (size_t i = 0; i < json_object_array_length(arts); i++) {
		ret = parse_artifact(json_object_array_get_idx(arts, i), i, m, err, errlen);
		if (ret)
			goto out;
		m->n = i + 1;
	}
out:
	json_object_put(doc);
	return ret;
}

/* ---- building ------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One artifact's entry: its digest and version from its bytes. */
static int build_artifact(const char *dir, const char *name, json_object *arts, char *err,
			  size_t errlen)
{
	char path[PATH_MAX], hex[65];
	uint8_t *buf, sha[32];
	json_object *o;
	uint32_t svn = 0;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = fileio__read(path, ARTIFACT_MAX_BYTES, O_NOFOLLOW, &buf, &len);
	if (ret)
		return errmsg__set(err, errlen, ret, "%s: %s", path, strerror(-ret));
	if (!EVP_Digest(buf, len, sha, NULL, EVP_sha256(), NULL)) {
		free(buf);
		return errmsg__set(err, errlen, -EIO, "%s: cannot hash it", path);
	}
	ret = trust_svn__read(buf, len, TRUST_SVN_SECTION, &svn);
	free(buf);
	if (ret == -EBADMSG && ends_with(name, ".bpf.o"))
		return errmsg__set(err, errlen, ret, "%s: section %s: not a 4-byte version", path,
				   TRUST_SVN_SECTION);
	if (ret)
		svn = 0; /* no section, or no ELF file: version 0 */
	hex__encode(sha, sizeof(sha), hex);
	o = json_object_new_object();
	json_object_object_add(o, "file", json_object_new_string(name));
	json_object_object_add(o, "kind",
			       json_object_new_string(ends_with(name, ".bpf.o") ? "bpf" : "exec"));
	json_object_object_add(o, "sha256", json_object_new_string(hex));
	json_object_object_add(o, "svn", json_object_new_int64(svn));
	json_object_array_add(arts, o);
	return 0;
}

int trust_manifest__build(const char *dir, char **ret_text, char *err, size_t errlen)
{
	json_object *doc = json_object_new_object(), *arts = json_object_new_array();
	char **names = NULL, path[PATH_MAX];
	size_t n = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0;

	json_object_object_add(doc, "boost_manifest", json_object_new_int(1));
	json_object_object_add(doc, "artifacts", arts);
	d = opendir(dir);
	if (!d) {
		ret = errmsg__set(err, errlen, -errno, "%s: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		char **grown;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!file_name_ok(de->d_name) || ends_with(de->d_name, ".sig") ||
		    lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (n == TRUST_MANIFEST_MAX_ARTIFACTS) {
			ret = errmsg__set(err, errlen, -E2BIG, "%s: more than %d artifacts", dir,
					  TRUST_MANIFEST_MAX_ARTIFACTS);
			break;
		}
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = strdup(de->d_name))) {
			names = grown ? grown : names;
			ret = errmsg__set(err, errlen, -ENOMEM, "out of memory");
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (!ret && !n)
		ret = errmsg__set(err, errlen, -ENOENT, "%s: no artifact in it", dir);
	if (!ret)
		qsort(names, n, sizeof(*names), names_cmp); /* the same bytes every time */
	for (size_t i = 0; !ret && i < n; i++)
		ret = build_artifact(dir, names[i], arts, err, errlen);
	if (!ret) {
		*ret_text = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
									   JSON_C_TO_STRING_NOSLASHESCAPE));
		if (!*ret_text)
			ret = errmsg__set(err, errlen, -ENOMEM, "out of memory");
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	json_object_put(doc);
	return ret;
}

int trust_manifest__walk(const char *sets, char set, const struct trust_manifest_walk *w, void *ctx,
			 char *err, size_t errlen)
{
	struct trust_manifest *m = malloc(sizeof(*m));
	char path[PATH_MAX + TRUST_MANIFEST_MAX_FILE], why[1024];
	const uint8_t *text;
	uint8_t sha[32];
	size_t len;
	int ret;

	if (!m)
		return errmsg__set(err, errlen, -ENOMEM, "set %c: out of memory", set);
	snprintf(path, sizeof(path), "%s/%c/%s", sets, set, TRUST_MANIFEST_NAME);
	ret = w->manifest(ctx, path, &text, &len, err, errlen);
	if (ret)
		goto out;
	ret = trust_manifest__parse((const char *)text, len, m, why, sizeof(why));
	if (ret) {
		errmsg__set(err, errlen, ret, "manifest %s: %s", path, why);
		goto out;
	}
	for (size_t i = 0; i < m->n; i++) {
		snprintf(path, sizeof(path), "%s/%c/%s", sets, set, m->a[i].file);
		ret = w->artifact(ctx, path, &m->a[i], sha, err, errlen);
		if (ret)
			goto out;
		if (memcmp(sha, m->a[i].sha256, sizeof(sha))) {
			ret = errmsg__set(err, errlen, -EKEYREJECTED, "artifact %s: its digest is "
					  "not the one its manifest lists", path);
			goto out;
		}
	}
out:
	free(m);
	return ret;
}
