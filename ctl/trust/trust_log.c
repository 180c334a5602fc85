// SPDX-License-Identifier: GPL-2.0-only
/*
 * The measurement log in the kernel IMA's template format: build, append,
 * parse, replay. Every read of a log is bounded by its length; a log comes
 * from disk or from another host and is never trusted to be well formed.
 */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED

#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/hex.h"
#include "common/errmsg.h"
#include "trust_log.h"

#define TRUST_LOG_SHA1_LEN 20
/* Entry header: pcr, SHA-1 template digest, template name length. */
#define TRUST_LOG_HDR_LEN (4 + TRUST_LOG_SHA1_LEN + 4)
/* evmctl refuses longer template names. */
#define TRUST_LOG_NAME_MAX 255
#define TRUST_LOG_SIG_MAX 65536
/* d-ng of a SHA-256 digest: "sha256:" '\0' digest. */
#define TRUST_LOG_DNG_PREFIX "sha256:"
#define TRUST_LOG_DNG_LEN (sizeof(TRUST_LOG_DNG_PREFIX) + TRUST_LOG_FILE_DIGEST_LEN)

/*
 * The banks' digests, fetched once: EVP_sha256() and its kin make OpenSSL 3
 * fetch the implementation again at each use, which was most of a
 * replay's time (docs/trust.md, "Periodic attestation").
 */
static const char *const trust_log_bank_names[] = { "sha1", "sha256", "sha384", "sha512" };
static EVP_MD *trust_log_mds[4];
static pthread_once_t trust_log_mds_once = PTHREAD_ONCE_INIT;

static void trust_log_fetch_mds(void)
{
	for (size_t i = 0; i < 4; i++)
		trust_log_mds[i] = EVP_MD_fetch(NULL, trust_log_bank_names[i], NULL);
}

static const EVP_MD *trust_log_bank_md(const char *bank)
{
	if (!bank)
		return NULL;
	pthread_once(&trust_log_mds_once, trust_log_fetch_mds);
	for (size_t i = 0; i < 4; i++)
		if (strcmp(bank, trust_log_bank_names[i]) == 0)
			return trust_log_mds[i];
	return NULL;
}

static uint8_t *trust_log_put_u32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
	return p + sizeof(v);
}

static uint32_t trust_log_get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static int trust_log_check_entry(const struct trust_log_entry *e)
{
	size_t n;

	if (e->pcr >= TRUST_LOG_NUM_PCRS || !e->path)
		return -EINVAL;
	n = strlen(e->path);
	/* A newline would split the ASCII log's line. */
	if (n == 0 || n >= PATH_MAX || strchr(e->path, '\n'))
		return -EINVAL;
	if ((e->sig_len && !e->sig) || e->sig_len > TRUST_LOG_SIG_MAX)
		return -EINVAL;
	return 0;
}

int trust_log__template_data(const struct trust_log_entry *e, uint8_t **ret_data,
			     size_t *ret_len)
{
	size_t path_len, len;
	uint8_t *data, *p;
	int ret;

	ret = trust_log_check_entry(e);
	if (ret)
		return ret;
	path_len = strlen(e->path) + 1;
	len = 4 + TRUST_LOG_DNG_LEN + 4 + path_len + 4 + e->sig_len;
	data = malloc(len);
	if (!data)
		return -ENOMEM;
	p = trust_log_put_u32(data, TRUST_LOG_DNG_LEN);
	memcpy(p, TRUST_LOG_DNG_PREFIX, sizeof(TRUST_LOG_DNG_PREFIX));
	p += sizeof(TRUST_LOG_DNG_PREFIX);
	memcpy(p, e->file_sha256, TRUST_LOG_FILE_DIGEST_LEN);
	p += TRUST_LOG_FILE_DIGEST_LEN;
	p = trust_log_put_u32(p, (uint32_t)path_len);
	memcpy(p, e->path, path_len);
	p += path_len;
	p = trust_log_put_u32(p, (uint32_t)e->sig_len);
	if (e->sig_len)
		memcpy(p, e->sig, e->sig_len);
	*ret_data = data;
	*ret_len = len;
	return 0;
}

static int trust_log_hash(const EVP_MD *md, const uint8_t *data, size_t len, uint8_t *ret_digest,
			  size_t *ret_len)
{
	unsigned int n;

	if (!EVP_Digest(data, len, ret_digest, &n, md, NULL))
		return -ENOMEM;
	*ret_len = n;
	return 0;
}

int trust_log__template_digest(const struct trust_log_entry *e, const char *bank,
			       uint8_t *ret_digest, size_t *ret_len)
{
	const EVP_MD *md = trust_log_bank_md(bank);
	uint8_t *data;
	size_t len;
	int ret;

	if (!md)
		return -EOPNOTSUPP;
	ret = trust_log__template_data(e, &data, &len);
	if (ret)
		return ret;
	ret = trust_log_hash(md, data, len, ret_digest, ret_len);
	free(data);
	return ret;
}

static int trust_log_write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The line ascii_runtime_measurements would show for @e; as the kernel,
 * an empty sig field leaves a trailing space. */
static char *trust_log_ascii_line(const struct trust_log_entry *e,
				  const uint8_t sha1[TRUST_LOG_SHA1_LEN])
{
	char sha1_hex[HEX_LEN(TRUST_LOG_SHA1_LEN)], file_hex[HEX_LEN(TRUST_LOG_FILE_DIGEST_LEN)];
	char *sig_hex, *line = NULL;

	sig_hex = hex__encode_alloc(e->sig, e->sig_len);
	if (!sig_hex)
		return NULL;
	hex__encode(sha1, TRUST_LOG_SHA1_LEN, sha1_hex);
	hex__encode(e->file_sha256, TRUST_LOG_FILE_DIGEST_LEN, file_hex);
	if (asprintf(&line, "%2u %s %s sha256:%s %s %s\n", e->pcr, sha1_hex, TRUST_LOG_TEMPLATE,
		     file_hex, e->path, sig_hex) < 0)
		line = NULL;
	free(sig_hex);
	return line;
}

int trust_log__append(int bin_fd, int ascii_fd, const struct trust_log_entry *e)
{
	uint8_t sha1[EVP_MAX_MD_SIZE], *data = NULL, *rec = NULL, *p;
	off_t bin_end = -1, ascii_end = -1;
	size_t data_len, rec_len, sha1_len;
	char *line = NULL;
	int ret;

	ret = trust_log__template_data(e, &data, &data_len);
	if (ret)
		return ret;
	ret = trust_log_hash(EVP_sha1(), data, data_len, sha1, &sha1_len);
	if (ret)
		goto out;
	rec_len = TRUST_LOG_HDR_LEN + strlen(TRUST_LOG_TEMPLATE) + 4 + data_len;
	rec = malloc(rec_len);
	if (!rec) {
		ret = -ENOMEM;
		goto out;
	}
	p = trust_log_put_u32(rec, e->pcr);
	memcpy(p, sha1, TRUST_LOG_SHA1_LEN);
	p += TRUST_LOG_SHA1_LEN;
	p = trust_log_put_u32(p, strlen(TRUST_LOG_TEMPLATE));
	memcpy(p, TRUST_LOG_TEMPLATE, strlen(TRUST_LOG_TEMPLATE));
	p += strlen(TRUST_LOG_TEMPLATE);
	p = trust_log_put_u32(p, (uint32_t)data_len);
	memcpy(p, data, data_len);
	if (ascii_fd >= 0) {
		line = trust_log_ascii_line(e, sha1);
		if (!line) {
			ret = -ENOMEM;
			goto out;
		}
	}

	bin_end = lseek(bin_fd, 0, SEEK_END);
	if (bin_end < 0) {
		ret = -errno;
		goto out;
	}
	if (ascii_fd >= 0) {
		ascii_end = lseek(ascii_fd, 0, SEEK_END);
		if (ascii_end < 0) {
			ret = -errno;
			bin_end = -1;	/* nothing written yet */
			goto out;
		}
	}
	ret = trust_log_write_all(bin_fd, rec, rec_len);
	if (!ret && ascii_fd >= 0)
		ret = trust_log_write_all(ascii_fd, line, strlen(line));
	if (!ret && fsync(bin_fd) < 0)
		ret = -errno;
	if (!ret && ascii_fd >= 0 && fsync(ascii_fd) < 0)
		ret = -errno;
out:
	if (ret) {
		/* Best effort: the first error is the one to report. */
		if (bin_end >= 0 && ftruncate(bin_fd, bin_end) == 0)
			(void)fsync(bin_fd);
		if (ascii_end >= 0 && ftruncate(ascii_fd, ascii_end) == 0)
			(void)fsync(ascii_fd);
	}
	free(line);
	free(rec);
	free(data);
	return ret;
}

/* One entry of a binary log, as found: nothing decoded but the framing. */
struct trust_log_record {
	uint32_t pcr;
	const uint8_t *sha1;
	const char *name;
	size_t name_len;
	const uint8_t *data;
	size_t data_len;
	bool violation;		/* all-zero template digest */
};

/* "entry N at byte B: REASON" into @ret; returns @ret. */
static int trust_log_bad(char *err, size_t errlen, size_t entry, size_t offset, int ret,
			 const char *reason)
{
	return errmsg__set(err, errlen, ret, "entry %zu at byte %zu: %s", entry, offset, reason);
}

/* The template data must be length-prefixed fields filling it exactly. */
static bool trust_log_fields_tile(const uint8_t *data, size_t len)
{
	size_t off = 0, n;

	while (off < len) {
		if (len - off < 4)
			return false;
		n = trust_log_get_u32(data + off);
		off += 4;
		if (n > len - off)
			return false;
		off += n;
	}
	return true;
}

/*
 * H(@a || @b) with @ctx, which a walk of the log keeps for all its entries: a
 * one-shot EVP_Digest allocates and frees a context each time, which was
 * half the cost of a replay.
 */
static int trust_log_ctx_hash(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *a, size_t alen,
			      const uint8_t *b, size_t blen, uint8_t *ret_digest)
{
	return EVP_DigestInit_ex2(ctx, md, NULL) && EVP_DigestUpdate(ctx, a, alen) &&
	       (!blen || EVP_DigestUpdate(ctx, b, blen)) &&
	       EVP_DigestFinal_ex(ctx, ret_digest, NULL) ? 0 : -ENOMEM;
}

/*
 * Take the entry at *@off of @buf (entry number @index) and move *@off past
 * it. Checks the framing, the PCR index and, with @ctx, the SHA-1 template
 * digest (a replay to another bank does without: what it extends is its
 * own digest of the template data, and a SHA-1 field there changes
 * nothing but the violation mark).
 */
static int trust_log_next(EVP_MD_CTX *ctx, const uint8_t *buf, size_t len, size_t *off,
			  size_t index, struct trust_log_record *ret_rec, char *err, size_t errlen)
{
	static const uint8_t zero[TRUST_LOG_SHA1_LEN];
	uint8_t sha1[EVP_MAX_MD_SIZE];
	struct trust_log_record r;
	size_t start = *off, pos = *off;
	int ret;

	if (len - pos < TRUST_LOG_HDR_LEN)
		return trust_log_bad(err, errlen, index, start, -EBADMSG, "truncated entry header");
	r.pcr = trust_log_get_u32(buf + pos);
	r.sha1 = buf + pos + 4;
	r.name_len = trust_log_get_u32(buf + pos + 4 + TRUST_LOG_SHA1_LEN);
	pos += TRUST_LOG_HDR_LEN;
	if (r.pcr >= TRUST_LOG_NUM_PCRS)
		return trust_log_bad(err, errlen, index, start, -EBADMSG, "PCR index out of range");
	if (r.name_len == 0 || r.name_len > TRUST_LOG_NAME_MAX)
		return trust_log_bad(err, errlen, index, start, -EBADMSG,
				     "template name length out of range");
	if (len - pos < r.name_len)
		return trust_log_bad(err, errlen, index, start, -EBADMSG,
				     "truncated template name");
	r.name = (const char *)buf + pos;
	pos += r.name_len;
	if (memchr(r.name, '\0', r.name_len))
		return trust_log_bad(err, errlen, index, start, -EBADMSG,
				     "template name has a NUL byte");
	/* "ima" data has no length prefix and a digest over padded fields. */
	if (r.name_len == 3 && memcmp(r.name, "ima", 3) == 0)
		return trust_log_bad(err, errlen, index, start, -EOPNOTSUPP,
				     "the old \"ima\" template is not supported");
	if (len - pos < 4)
		return trust_log_bad(err, errlen, index, start, -EBADMSG,
				     "truncated template data length");
	r.data_len = trust_log_get_u32(buf + pos);
	pos += 4;
	if (len - pos < r.data_len)
		return trust_log_bad(err, errlen, index, start, -EBADMSG,
				     "template data runs past the end of the log");
	r.data = buf + pos;
	pos += r.data_len;
	if (!trust_log_fields_tile(r.data, r.data_len))
		return trust_log_bad(err, errlen, index, start, -EBADMSG,
				     "template fields do not fill the template data");
	r.violation = memcmp(r.sha1, zero, TRUST_LOG_SHA1_LEN) == 0;
	if (!r.violation && ctx) {
		ret = trust_log_ctx_hash(ctx, trust_log_bank_md("sha1"), r.data, r.data_len, NULL,
					 0, sha1);
		if (ret)
			return trust_log_bad(err, errlen, index, start, ret,
					     "cannot hash the template data");
		if (memcmp(sha1, r.sha1, TRUST_LOG_SHA1_LEN) != 0)
			return trust_log_bad(err, errlen, index, start, -EBADMSG,
					     "template digest does not match the template data");
	}
	*ret_rec = r;
	*off = pos;
	return 0;
}

/* Decode the fields of an ima-sig or ima-ng entry. */
static int trust_log_decode(const struct trust_log_record *r, size_t index, size_t offset,
			    struct trust_log_entry *ret_e, char *err, size_t errlen)
{
	struct trust_log_entry e = { .pcr = r->pcr };
	const uint8_t *p = r->data, *end = r->data + r->data_len;
	bool has_sig;
	size_t n;

	if (r->name_len == 7 && memcmp(r->name, "ima-sig", 7) == 0)
		has_sig = true;
	else if (r->name_len == 6 && memcmp(r->name, "ima-ng", 6) == 0)
		has_sig = false;
	else
		return trust_log_bad(err, errlen, index, offset, -EOPNOTSUPP,
				     "template is neither ima-sig nor ima-ng");
	if (r->violation)
		return trust_log_bad(err, errlen, index, offset, -EOPNOTSUPP,
				     "entry is a measurement violation");
	/* The fields tile the data (checked), so each prefix is in bounds
	 * as long as a field is left. */
	if (p == end)
		return trust_log_bad(err, errlen, index, offset, -EBADMSG, "file digest missing");
	n = trust_log_get_u32(p);
	p += 4;
	if (n != TRUST_LOG_DNG_LEN ||
	    memcmp(p, TRUST_LOG_DNG_PREFIX, sizeof(TRUST_LOG_DNG_PREFIX)) != 0)
		return trust_log_bad(err, errlen, index, offset, -EOPNOTSUPP,
				     "file digest is not \"sha256:\" and 32 bytes");
	memcpy(e.file_sha256, p + sizeof(TRUST_LOG_DNG_PREFIX), TRUST_LOG_FILE_DIGEST_LEN);
	p += n;
	if (p == end)
		return trust_log_bad(err, errlen, index, offset, -EBADMSG, "path missing");
	n = trust_log_get_u32(p);
	p += 4;
	if (n < 2 || p[n - 1] != '\0' || strlen((const char *)p) != n - 1)
		return trust_log_bad(err, errlen, index, offset, -EBADMSG,
				     "path is empty, unterminated or has a NUL byte");
	e.path = (const char *)p;
	p += n;
	if (has_sig) {
		if (p == end)
			return trust_log_bad(err, errlen, index, offset, -EBADMSG,
					     "signature field missing");
		n = trust_log_get_u32(p);
		p += 4;
		e.sig = n ? p : NULL;
		e.sig_len = n;
		p += n;
	}
	if (p != end)
		return trust_log_bad(err, errlen, index, offset, -EBADMSG,
				     "template has more fields than its name says");
	*ret_e = e;
	return 0;
}

int trust_log__parse(const uint8_t *buf, size_t len,
		     int (*cb)(const struct trust_log_entry *e, void *arg), void *arg,
		     char *err, size_t errlen)
{
	struct trust_log_record r;
	struct trust_log_entry e;
	size_t off = 0, start, index;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret = 0;

	if (!ctx)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	for (index = 1; !ret && off < len; index++) {
		start = off;
		ret = trust_log_next(ctx, buf, len, &off, index, &r, err, errlen);
		if (!ret)
			ret = trust_log_decode(&r, index, start, &e, err, errlen);
		if (!ret)
			ret = cb(&e, arg);
	}
	EVP_MD_CTX_free(ctx);
	return ret;
}

/*
 * Walk the log extending @pcr of the bank @md into @value. With @quoted,
 * stop at the first prefix where @value equals it and report it.
 */
static int trust_log_walk(const uint8_t *buf, size_t len, uint32_t pcr, const EVP_MD *md,
			  bool check_sha1, uint8_t *value, const uint8_t *quoted,
			  struct trust_log_position *ret_pos, char *err, size_t errlen)
{
	size_t size = (size_t)EVP_MD_get_size(md), off = 0, index;
	uint8_t digest[EVP_MAX_MD_SIZE];
	struct trust_log_record r;
	EVP_MD_CTX *ctx;
	int ret = 0;

	if (quoted && memcmp(value, quoted, size) == 0) {
		ret_pos->entries = 0;
		ret_pos->offset = 0;
		return 0;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	for (index = 1; off < len; index++) {
		ret = trust_log_next(check_sha1 ? ctx : NULL, buf, len, &off, index, &r, err,
				     errlen);
		if (ret)
			goto out;
		if (r.pcr != pcr)
			continue;
		if (r.violation) {
			memset(digest, 0xff, size);
		} else {
			ret = trust_log_ctx_hash(ctx, md, r.data, r.data_len, NULL, 0, digest);
			if (ret) {
				trust_log_bad(err, errlen, index, off - r.data_len, ret,
					      "cannot hash the template data");
				goto out;
			}
		}
		/* The extend: value = H(value || digest). */
		ret = trust_log_ctx_hash(ctx, md, value, size, digest, size, value);
		if (ret) {
			trust_log_bad(err, errlen, index, off, ret, "cannot extend the PCR");
			goto out;
		}
		if (quoted && memcmp(value, quoted, size) == 0) {
			ret_pos->entries = index;
			ret_pos->offset = off;
			goto out;
		}
	}
	if (quoted)
		ret = errmsg__set(err, errlen, -ENOENT,
				  "no prefix of the log replays to the quoted value");
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int trust_log__fold(const uint8_t *buf, size_t len, uint32_t pcr, const char *bank,
		    const uint8_t *initial, uint8_t *ret_value, size_t *ret_len,
		    char *err, size_t errlen)
{
	const EVP_MD *md = trust_log_bank_md(bank);
	uint8_t value[EVP_MAX_MD_SIZE] = { 0 };
	size_t size;
	int ret;

	if (!md)
		return errmsg__set(err, errlen, -EOPNOTSUPP, "bank %s is not supported",
				   bank ? bank : "(none)");
	if (pcr >= TRUST_LOG_NUM_PCRS)
		return errmsg__set(err, errlen, -EINVAL, "PCR %u is not 0 to %d", pcr,
				   TRUST_LOG_NUM_PCRS - 1);
	size = (size_t)EVP_MD_get_size(md);
	if (initial)
		memcpy(value, initial, size);
	ret = trust_log_walk(buf, len, pcr, md, true, value, NULL, NULL, err, errlen);
	if (ret)
		return ret;
	memcpy(ret_value, value, size);
	*ret_len = size;
	return 0;
}

int trust_log__replay(const uint8_t *buf, size_t len, uint32_t pcr, const char *bank,
		      const uint8_t *initial, const uint8_t *quoted, size_t quoted_len,
		      struct trust_log_position *ret_pos, char *err, size_t errlen)
{
	const EVP_MD *md = trust_log_bank_md(bank);
	uint8_t value[EVP_MAX_MD_SIZE] = { 0 };
	struct trust_log_position pos;
	size_t size;
	int ret;

	if (!md)
		return errmsg__set(err, errlen, -EOPNOTSUPP, "bank %s is not supported",
				   bank ? bank : "(none)");
	size = (size_t)EVP_MD_get_size(md);
	if (pcr >= TRUST_LOG_NUM_PCRS)
		return errmsg__set(err, errlen, -EINVAL, "PCR %u is not 0 to %d", pcr,
				   TRUST_LOG_NUM_PCRS - 1);
	if (!quoted || quoted_len != size)
		return errmsg__set(err, errlen, -EINVAL, "the quoted value has %zu bytes, not %zu",
				   quoted ? quoted_len : 0, size);
	if (initial)
		memcpy(value, initial, size);
	/*
	 * The SHA-1 template digests only when they are the bank's, or to
	 * name the entry that breaks a replay that failed: a quarter of the
	 * cost of a good one.
	 */
	ret = trust_log_walk(buf, len, pcr, md, md == trust_log_bank_md("sha1"), value, quoted,
			     &pos, err, errlen);
	if (ret == -ENOENT && md != trust_log_bank_md("sha1")) {
		char why[512];

		memset(value, 0, size);
		if (initial)
			memcpy(value, initial, size);
		if (trust_log_walk(buf, len, pcr, md, true, value, quoted, &pos, why,
				   sizeof(why)) == -EBADMSG)
			return errmsg__set(err, errlen, -EBADMSG, "%s", why);
	}
	if (ret)
		return ret;
	*ret_pos = pos;
	return 0;
}
