// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of ctl/trust/trust_log.c: the measurement log in IMA's formats. */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/hex.h"
#include "trust/trust_log.h"
#include "../check_run.h"

/*
 * Golden vectors, computed by a separate script from the layout of the
 * kernel's ima_fs.c and ima_template_lib.c (not from this module), for
 * the entry below; evmctl 1.4 replayed logs built by that script.
 */
#define GOLDEN_PATH "/usr/lib/boost/bpf/net.bpf.o"
static const char golden_file_sha256[] = /* sha256("hello\n") */
	"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
static const char golden_sig[] = "030204aabbccdd00020102";
static const char golden_data[] =
	"28000000" "7368613235363a00"
	"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	"1d000000" "2f7573722f6c69622f626f6f73742f6270662f6e65742e6270662e6f00"
	"0b000000" "030204aabbccdd00020102";
static const struct {
	const char *bank;
	const char *digest;
} golden_digests[] = {
	{ "sha1", "72d497fc7035d04c2b82c12cb4e32e215ac78cb9" },
	{ "sha256", "432e7d9ab9d1def62317473cb15b18decc10305ab06f6ddddfa3b8d1aaf11c76" },
	{ "sha384", "602b858ad693c8862c36f0492aadfaf934badfbc0591a7a59aca19eae22493c2"
		    "f4ab6c3b99d7f343145a2fe99fc40455" },
	{ "sha512", "7486738a905c35523aa5bbfac2954bbff5ecdcf5d47aad656dd5ece590f3bfdb"
		    "ee36a8130493f4617b4a92d4be54bc3b72fcfc6bb42b39b737eac94ffb00aad9" },
};
static const char golden_record[] =
	"0b000000" "72d497fc7035d04c2b82c12cb4e32e215ac78cb9" "07000000" "696d612d736967"
	"5c000000"
	"280000007368613235363a005891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d082"
	"86a2e846f6be031d0000002f7573722f6c69622f626f6f73742f6270662f6e65742e627066"
	"2e6f000b000000030204aabbccdd00020102";
static const char golden_line[] =
	"11 72d497fc7035d04c2b82c12cb4e32e215ac78cb9 ima-sig "
	"sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 "
	GOLDEN_PATH " 030204aabbccdd00020102\n";

static uint8_t sig_bytes[16];

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n;

	ck_assert_int_eq(hex__decode(hex, out, max, &n), 0);
	return n;
}

/* @err says where: "entry @entry at byte @offset: REASON". */
static void assert_where(const char *err, size_t entry, size_t offset)
{
	char want[64];

	snprintf(want, sizeof(want), "entry %zu at byte %zu: ", entry, offset);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "'%s' does not begin '%s'", err, want);
}

static struct trust_log_entry golden_entry(void)
{
	struct trust_log_entry e = { .pcr = 11, .path = GOLDEN_PATH };

	unhex(golden_file_sha256, e.file_sha256, sizeof(e.file_sha256));
	e.sig_len = unhex(golden_sig, sig_bytes, sizeof(sig_bytes));
	e.sig = sig_bytes;
	return e;
}

static struct trust_log_entry entry(uint32_t pcr, const char *path, uint8_t fill)
{
	struct trust_log_entry e = { .pcr = pcr, .path = path };

	memset(e.file_sha256, fill, sizeof(e.file_sha256));
	return e;
}

/* An in-memory log, built record by record. */
struct log {
	uint8_t *buf;
	size_t len;
};

static void log_add_raw(struct log *l, const void *p, size_t n)
{
	l->buf = realloc(l->buf, l->len + n);
	ck_assert_ptr_nonnull(l->buf);
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static void log_add_u32(struct log *l, uint32_t v)
{
	v = htole32(v);
	log_add_raw(l, &v, 4);
}

/* A record assembled here, from parts, with its SHA-1 header computed
 * here (or all zeros for a violation). */
static void log_add_record(struct log *l, uint32_t pcr, const char *name, const uint8_t *data,
			   size_t len, bool violation)
{
	uint8_t sha1[20] = { 0 };

	if (!violation)
		ck_assert(EVP_Digest(data, len, sha1, NULL, EVP_sha1(), NULL));
	log_add_u32(l, pcr);
	log_add_raw(l, sha1, 20);
	log_add_u32(l, strlen(name));
	log_add_raw(l, name, strlen(name));
	log_add_u32(l, len);
	log_add_raw(l, data, len);
}

static void log_add_entry(struct log *l, const struct trust_log_entry *e)
{
	uint8_t *data;
	size_t len;

	ck_assert_int_eq(trust_log__template_data(e, &data, &len), 0);
	log_add_record(l, e->pcr, "ima-sig", data, len, false);
	free(data);
}

/* Template data from explicit fields: (len, bytes) pairs. */
static void data_field(struct log *d, const void *p, size_t n)
{
	log_add_u32(d, n);
	log_add_raw(d, p, n);
}

/* A log in a temporary file: read it back whole. */
static struct log read_back(int fd)
{
	struct log l = { 0 };
	struct stat st;

	ck_assert_int_eq(fstat(fd, &st), 0);
	l.len = (size_t)st.st_size;
	l.buf = malloc(l.len + 1);
	ck_assert_int_eq(pread(fd, l.buf, l.len, 0), (ssize_t)l.len);
	l.buf[l.len] = 0;
	return l;
}

static int temp_file(void)
{
	char name[] = "/tmp/boost-test-trust-log-XXXXXX";
	int fd = mkstemp(name);

	ck_assert_int_ge(fd, 0);
	unlink(name);
	return fd;
}

START_TEST(test_golden_template_data)
{
	struct trust_log_entry e = golden_entry();
	uint8_t want[256], *data;
	size_t want_len = unhex(golden_data, want, sizeof(want)), len;

	ck_assert_int_eq(trust_log__template_data(&e, &data, &len), 0);
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(data, want, len);
	free(data);
}
END_TEST

START_TEST(test_golden_template_digest)
{
	struct trust_log_entry e = golden_entry();
	uint8_t got[TRUST_LOG_DIGEST_MAX], want[TRUST_LOG_DIGEST_MAX];
	size_t len, want_len = unhex(golden_digests[_i].digest, want, sizeof(want));

	ck_assert_int_eq(trust_log__template_digest(&e, golden_digests[_i].bank, got, &len), 0);
	ck_assert_uint_eq(len, want_len);
	ck_assert_mem_eq(got, want, len);
}
END_TEST

START_TEST(test_bad_entries_refused)
{
	struct trust_log_entry e = golden_entry();
	uint8_t d[TRUST_LOG_DIGEST_MAX];
	size_t len;

	ck_assert_int_eq(trust_log__template_digest(&e, "md5", d, &len), -EOPNOTSUPP);
	ck_assert_int_eq(trust_log__template_digest(&e, "sm3_256", d, &len), -EOPNOTSUPP);
	e.pcr = 24;
	ck_assert_int_eq(trust_log__template_digest(&e, "sha256", d, &len), -EINVAL);
	e = golden_entry();
	e.path = "";
	ck_assert_int_eq(trust_log__template_digest(&e, "sha256", d, &len), -EINVAL);
	e.path = "/a\nb";
	ck_assert_int_eq(trust_log__template_digest(&e, "sha256", d, &len), -EINVAL);
	e.path = NULL;
	ck_assert_int_eq(trust_log__template_digest(&e, "sha256", d, &len), -EINVAL);
	e = golden_entry();
	e.sig = NULL;
	ck_assert_int_eq(trust_log__template_digest(&e, "sha256", d, &len), -EINVAL);
}
END_TEST

START_TEST(test_append_golden)
{
	struct trust_log_entry e = golden_entry(), e2 = entry(1, "/x", 7);
	int bin = temp_file(), ascii = temp_file();
	uint8_t want[256];
	size_t want_len = unhex(golden_record, want, sizeof(want));
	struct log b, a;

	ck_assert_int_eq(trust_log__append(bin, ascii, &e), 0);
	b = read_back(bin);
	a = read_back(ascii);
	ck_assert_uint_eq(b.len, want_len);
	ck_assert_mem_eq(b.buf, want, want_len);
	ck_assert_str_eq((char *)a.buf, golden_line);
	free(b.buf);
	free(a.buf);

	/* A second entry goes after the first; a one-digit PCR is padded to
	 * two columns and an empty sig leaves a trailing space, as in
	 * ascii_runtime_measurements. */
	ck_assert_int_eq(trust_log__append(bin, ascii, &e2), 0);
	b = read_back(bin);
	a = read_back(ascii);
	ck_assert_mem_eq(b.buf, want, want_len);
	ck_assert_uint_gt(b.len, want_len);
	ck_assert_ptr_nonnull(strstr((char *)a.buf, "\n 1"));
	ck_assert_str_eq(strchr((char *)a.buf, '\n') + 1 + 44,
			 "ima-sig sha256:07070707070707070707070707070707070707070707070707070707"
			 "07070707 /x \n");
	free(b.buf);
	free(a.buf);
	close(bin);
	close(ascii);
}
END_TEST

/* When a write fails, neither log keeps a part of the entry. */
START_TEST(test_append_all_or_nothing)
{
	struct trust_log_entry e = golden_entry();
	char name[] = "/tmp/boost-test-trust-log-XXXXXX";
	int bin = temp_file(), ascii, ro;
	struct log b;

	ascii = mkstemp(name);
	ck_assert_int_ge(ascii, 0);
	ck_assert_int_eq(trust_log__append(bin, ascii, &e), 0);
	b = read_back(bin);
	free(b.buf);

	/* The ASCII log opened read-only: its write fails after the
	 * binary one succeeded. */
	ro = open(name, O_RDONLY);
	ck_assert_int_ge(ro, 0);
	ck_assert_int_eq(trust_log__append(bin, ro, &e), -EBADF);
	ck_assert_int_eq(lseek(bin, 0, SEEK_END), (off_t)b.len);
	ck_assert_int_eq(lseek(ascii, 0, SEEK_END), (off_t)strlen(golden_line));

	/* A bad entry writes nothing at all. */
	e.pcr = 99;
	ck_assert_int_eq(trust_log__append(bin, ascii, &e), -EINVAL);
	ck_assert_int_eq(lseek(bin, 0, SEEK_END), (off_t)b.len);

	/* Without an ASCII log, only the binary one. */
	e = golden_entry();
	ck_assert_int_eq(trust_log__append(bin, -1, &e), 0);
	ck_assert_int_eq(lseek(bin, 0, SEEK_END), (off_t)(2 * b.len));

	unlink(name);
	close(ro);
	close(ascii);
	close(bin);
}
END_TEST

struct collected {
	int n;
	struct trust_log_entry e[4];
	char paths[4][32];
	uint8_t sigs[4][16];
	int stop_at;
};

static int collect(const struct trust_log_entry *e, void *arg)
{
	struct collected *c = arg;

	if (c->n == c->stop_at)
		return 42;
	ck_assert_int_lt(c->n, 4);
	c->e[c->n] = *e;
	snprintf(c->paths[c->n], sizeof(c->paths[0]), "%s", e->path);
	ck_assert_uint_le(e->sig_len, sizeof(c->sigs[0]));
	if (e->sig_len)
		memcpy(c->sigs[c->n], e->sig, e->sig_len);
	c->n++;
	return 0;
}

START_TEST(test_parse_round_trip)
{
	struct trust_log_entry e0 = golden_entry(), e1 = entry(10, "/b", 1), e2 = entry(23, "/c", 2);
	struct collected c = { .stop_at = -1 };
	struct log l = { 0 };

	log_add_entry(&l, &e0);
	log_add_entry(&l, &e1);
	log_add_entry(&l, &e2);
	ck_assert_int_eq(trust_log__parse(l.buf, l.len, collect, &c, NULL, 0), 0);
	ck_assert_int_eq(c.n, 3);
	ck_assert_uint_eq(c.e[0].pcr, 11);
	ck_assert_str_eq(c.paths[0], GOLDEN_PATH);
	ck_assert_mem_eq(c.e[0].file_sha256, e0.file_sha256, 32);
	ck_assert_uint_eq(c.e[0].sig_len, e0.sig_len);
	ck_assert_mem_eq(c.sigs[0], e0.sig, e0.sig_len);
	ck_assert_uint_eq(c.e[1].pcr, 10);
	ck_assert_str_eq(c.paths[1], "/b");
	ck_assert_uint_eq(c.e[1].sig_len, 0);
	ck_assert_ptr_null(c.e[1].sig);
	ck_assert_uint_eq(c.e[2].pcr, 23);
	ck_assert_uint_eq(c.e[2].file_sha256[0], 2);

	/* The callback can stop the walk. */
	memset(&c, 0, sizeof(c));
	c.stop_at = 1;
	ck_assert_int_eq(trust_log__parse(l.buf, l.len, collect, &c, NULL, 0), 42);
	ck_assert_int_eq(c.n, 1);

	ck_assert_int_eq(trust_log__parse(NULL, 0, collect, &c, NULL, 0), 0);
	free(l.buf);
}
END_TEST

/* An ima-ng entry (no sig field), as the kernel's default template. */
START_TEST(test_parse_ima_ng)
{
	struct collected c = { .stop_at = -1 };
	struct log d = { 0 }, l = { 0 };
	uint8_t dng[40];

	memcpy(dng, "sha256:", 8);
	memset(dng + 8, 0xab, 32);
	data_field(&d, dng, sizeof(dng));
	data_field(&d, "/boot/x", 8);
	log_add_record(&l, 10, "ima-ng", d.buf, d.len, false);
	ck_assert_int_eq(trust_log__parse(l.buf, l.len, collect, &c, NULL, 0), 0);
	ck_assert_int_eq(c.n, 1);
	ck_assert_str_eq(c.paths[0], "/boot/x");
	ck_assert_uint_eq(c.e[0].file_sha256[31], 0xab);
	ck_assert_uint_eq(c.e[0].sig_len, 0);
	free(d.buf);
	free(l.buf);
}
END_TEST

static int never(const struct trust_log_entry *e, void *arg)
{
	return 0;
}

/* Every strict prefix of a two-entry log is refused, naming the entry
 * that is cut and where it starts. Exact-size buffers: ASan sees any
 * read past the end. */
START_TEST(test_parse_every_truncation)
{
	struct trust_log_entry e0 = golden_entry(), e1 = entry(11, "/b", 1);
	char where[256];
	struct log l = { 0 };
	size_t first, n;
	uint8_t *cut;

	log_add_entry(&l, &e0);
	first = l.len;
	log_add_entry(&l, &e1);
	for (n = 1; n < l.len; n++) {
		if (n == first)
			continue;
		cut = malloc(n);
		memcpy(cut, l.buf, n);
		where[0] = '\0';
		ck_assert_int_eq(trust_log__parse(cut, n, never, NULL, where, sizeof(where)),
				 -EBADMSG);
		assert_where(where, n < first ? 1 : 2, n < first ? 0 : first);
		ck_assert_int_eq(trust_log__replay(cut, n, 11, "sha256", NULL,
						   (uint8_t[32]){ 1 }, 32, &(struct trust_log_position){ 0 },
						   where, sizeof(where)), -EBADMSG);
		free(cut);
	}
	free(l.buf);
}
END_TEST

/* Malformed records, each built here from parts. */
enum bad_kind {
	BAD_PCR,
	BAD_NAME_LEN_0,
	BAD_NAME_LEN_HUGE,
	BAD_NAME_NUL,
	BAD_DATA_LEN_HUGE,
	BAD_HEADER_DIGEST,
	BAD_FIELD_PAST_DATA,
	BAD_FIELD_SHORT_PREFIX,
	BAD_PATH_UNTERMINATED,
	BAD_PATH_EMPTY,
	BAD_PATH_INNER_NUL,
	BAD_SIG_MISSING,
	BAD_EXTRA_FIELD,
	BAD_IMA_TEMPLATE,
	BAD_OTHER_TEMPLATE,
	BAD_SHA1_FILE_DIGEST,
	BAD_VIOLATION,
	BAD_KINDS,
};

static const struct {
	const char *what;
	int err;
	const char *reason;
} bad_kinds[BAD_KINDS] = {
	[BAD_PCR] = { "PCR 24", -EBADMSG, "PCR index out of range" },
	[BAD_NAME_LEN_0] = { "empty template name", -EBADMSG, "template name length" },
	[BAD_NAME_LEN_HUGE] = { "name length 2^32-1", -EBADMSG, "template name length" },
	[BAD_NAME_NUL] = { "NUL in name", -EBADMSG, "NUL" },
	[BAD_DATA_LEN_HUGE] = { "data length 2^32-1", -EBADMSG, "past the end" },
	[BAD_HEADER_DIGEST] = { "header digest of other data", -EBADMSG, "does not match" },
	[BAD_FIELD_PAST_DATA] = { "field longer than data", -EBADMSG, "do not fill" },
	[BAD_FIELD_SHORT_PREFIX] = { "2 bytes after last field", -EBADMSG, "do not fill" },
	[BAD_PATH_UNTERMINATED] = { "path without NUL", -EBADMSG, "path" },
	[BAD_PATH_EMPTY] = { "empty path", -EBADMSG, "path" },
	[BAD_PATH_INNER_NUL] = { "NUL inside path", -EBADMSG, "path" },
	[BAD_SIG_MISSING] = { "ima-sig without sig", -EBADMSG, "signature field missing" },
	[BAD_EXTRA_FIELD] = { "ima-ng with 3 fields", -EBADMSG, "more fields" },
	[BAD_IMA_TEMPLATE] = { "old ima template", -EOPNOTSUPP, "\"ima\"" },
	[BAD_OTHER_TEMPLATE] = { "ima-buf", -EOPNOTSUPP, "neither" },
	[BAD_SHA1_FILE_DIGEST] = { "sha1: file digest", -EOPNOTSUPP, "sha256" },
	[BAD_VIOLATION] = { "violation", -EOPNOTSUPP, "violation" },
};

static void bad_log(enum bad_kind kind, struct log *l)
{
	const char *name = "ima-sig", *path = "/p";
	struct log d = { 0 };
	uint8_t dng[40], sha1[20] = { 0 };
	size_t path_len = 3;

	memcpy(dng, "sha256:", 8);
	memset(dng + 8, 0x11, 32);
	if (kind == BAD_SHA1_FILE_DIGEST)
		memcpy(dng, "sha1:\0\0\0", 8);
	data_field(&d, dng, sizeof(dng));
	if (kind == BAD_PATH_UNTERMINATED)
		path_len = 2;
	if (kind == BAD_PATH_EMPTY)
		path = "", path_len = 1;
	if (kind == BAD_PATH_INNER_NUL)
		path = "/p\0q", path_len = 5;
	data_field(&d, path, path_len);
	if (kind != BAD_SIG_MISSING)
		data_field(&d, "", 0);
	if (kind == BAD_EXTRA_FIELD)
		name = "ima-ng";
	if (kind == BAD_FIELD_PAST_DATA)
		log_add_u32(&d, 1000);
	if (kind == BAD_FIELD_SHORT_PREFIX)
		log_add_raw(&d, "\0\0", 2);
	if (kind == BAD_IMA_TEMPLATE)
		name = "ima";
	if (kind == BAD_OTHER_TEMPLATE)
		name = "ima-buf";

	switch (kind) {
	case BAD_PCR:
		log_add_record(l, 24, name, d.buf, d.len, false);
		break;
	case BAD_NAME_LEN_0:
	case BAD_NAME_LEN_HUGE:
		log_add_u32(l, 11);
		log_add_raw(l, sha1, 20);
		log_add_u32(l, kind == BAD_NAME_LEN_0 ? 0 : 0xffffffff);
		log_add_raw(l, "ima-sig", 7);
		break;
	case BAD_NAME_NUL:
		log_add_u32(l, 11);
		log_add_raw(l, sha1, 20);
		log_add_u32(l, 7);
		log_add_raw(l, "ima\0sig", 7);
		log_add_u32(l, d.len);
		log_add_raw(l, d.buf, d.len);
		break;
	case BAD_DATA_LEN_HUGE:
		log_add_u32(l, 11);
		log_add_raw(l, sha1, 20);
		log_add_u32(l, 7);
		log_add_raw(l, "ima-sig", 7);
		log_add_u32(l, 0xffffffff);
		log_add_raw(l, d.buf, d.len);
		break;
	case BAD_HEADER_DIGEST:
		log_add_record(l, 11, name, d.buf, d.len, false);
		l->buf[l->len - d.len + 20] ^= 1;	/* file digest changed after hashing */
		break;
	case BAD_VIOLATION:
		log_add_record(l, 11, name, d.buf, d.len, true);
		break;
	default:
		log_add_record(l, 11, name, d.buf, d.len, false);
	}
	free(d.buf);
}

START_TEST(test_parse_malformed)
{
	struct trust_log_entry good = golden_entry();
	char where[256] = "";
	struct log l = { 0 };
	size_t first;
	int err;

	/* After one good entry, so that the position is checked too. */
	log_add_entry(&l, &good);
	first = l.len;
	bad_log(_i, &l);
	err = trust_log__parse(l.buf, l.len, never, NULL, where, sizeof(where));
	ck_assert_msg(err == bad_kinds[_i].err, "%s: got %d, want %d", bad_kinds[_i].what, err,
		      bad_kinds[_i].err);
	assert_where(where, 2, first);
	ck_assert_msg(strstr(where, bad_kinds[_i].reason), "%s: reason '%s'", bad_kinds[_i].what,
		      where);
	free(l.buf);
}
END_TEST

/* PCR value after extending @digests (each @size bytes) from zero,
 * computed here with EVP directly. */
static void fold_by_hand(const EVP_MD *md, const uint8_t *const *digests, int n, uint8_t *value)
{
	size_t size = (size_t)EVP_MD_get_size(md);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int i;

	memset(value, 0, size);
	for (i = 0; i < n; i++) {
		ck_assert(EVP_DigestInit_ex(ctx, md, NULL));
		ck_assert(EVP_DigestUpdate(ctx, value, size));
		ck_assert(EVP_DigestUpdate(ctx, digests[i], size));
		ck_assert(EVP_DigestFinal_ex(ctx, value, NULL));
	}
	EVP_MD_CTX_free(ctx);
}

START_TEST(test_fold_golden)
{
	struct trust_log_entry e = golden_entry(), other = entry(10, "/other", 3);
	uint8_t d[TRUST_LOG_DIGEST_MAX], want[TRUST_LOG_DIGEST_MAX], got[TRUST_LOG_DIGEST_MAX];
	const uint8_t *ds[2] = { d, d };
	struct log l = { 0 };
	size_t len;
	const EVP_MD *md = EVP_get_digestbyname(golden_digests[_i].bank);

	unhex(golden_digests[_i].digest, d, sizeof(d));
	/* The golden entry twice on PCR 11, another on PCR 10 between. */
	log_add_entry(&l, &e);
	log_add_entry(&l, &other);
	log_add_entry(&l, &e);
	fold_by_hand(md, ds, 2, want);
	ck_assert_int_eq(trust_log__fold(l.buf, l.len, 11, golden_digests[_i].bank, NULL, got, &len,
					 NULL, 0), 0);
	ck_assert_uint_eq(len, (size_t)EVP_MD_get_size(md));
	ck_assert_mem_eq(got, want, len);
	/* A PCR without entries stays zero. */
	ck_assert_int_eq(trust_log__fold(l.buf, l.len, 12, golden_digests[_i].bank, NULL, got, &len,
					 NULL, 0), 0);
	memset(want, 0, sizeof(want));
	ck_assert_mem_eq(got, want, len);
	free(l.buf);
}
END_TEST

/* A violation (all-zero template digest) is extended as all 0xff. */
START_TEST(test_fold_violation)
{
	struct log l = { 0 }, d = { 0 };
	uint8_t ff[32], want[32], got[32], dng[40] = "sha256:";
	const uint8_t *ds[1] = { ff };
	size_t len;

	data_field(&d, dng, sizeof(dng));
	data_field(&d, "/tmp/x", 7);
	log_add_record(&l, 10, "ima-ng", d.buf, d.len, true);
	memset(ff, 0xff, sizeof(ff));
	fold_by_hand(EVP_sha256(), ds, 1, want);
	ck_assert_int_eq(trust_log__fold(l.buf, l.len, 10, "sha256", NULL, got, &len, NULL, 0), 0);
	ck_assert_mem_eq(got, want, 32);
	free(l.buf);
	free(d.buf);
}
END_TEST

/* The log a host would hold: a, b on PCR 11 with x on PCR 10 between,
 * then c on PCR 11 appended after the quote. */
struct quoted_log {
	struct log l;
	size_t end_of_b;
	uint8_t quote[32];	/* PCR 11 after a, b */
	uint8_t quote_c[32];	/* PCR 11 after a, b, c */
};

static void quoted_log(struct quoted_log *q, uint8_t tamper)
{
	struct trust_log_entry a = entry(11, "/a", 0xa), b = entry(11, "/b", 0xb);
	struct trust_log_entry x = entry(10, "/x", 0x1), c = entry(11, "/c", 0xc);
	uint8_t da[32], db[32], dc[32];
	const uint8_t *ds[3] = { da, db, dc };
	size_t len;

	ck_assert_int_eq(trust_log__template_digest(&a, "sha256", da, &len), 0);
	ck_assert_int_eq(trust_log__template_digest(&b, "sha256", db, &len), 0);
	ck_assert_int_eq(trust_log__template_digest(&c, "sha256", dc, &len), 0);
	fold_by_hand(EVP_sha256(), ds, 2, q->quote);
	fold_by_hand(EVP_sha256(), ds, 3, q->quote_c);
	/* Tampering: a different file digest, with a consistent header. */
	a.file_sha256[0] ^= tamper;
	memset(&q->l, 0, sizeof(q->l));
	log_add_entry(&q->l, &a);
	log_add_entry(&q->l, &x);
	log_add_entry(&q->l, &b);
	q->end_of_b = q->l.len;
	log_add_entry(&q->l, &c);
}

START_TEST(test_replay_prefix)
{
	struct trust_log_position pos;
	struct quoted_log q;
	uint8_t zero[32] = { 0 };

	quoted_log(&q, 0);
	/* c came after the quote: still accepted, at the prefix a, x, b. */
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "sha256", NULL, q.quote, 32, &pos,
					   NULL, 0), 0);
	ck_assert_uint_eq(pos.entries, 3);
	ck_assert_uint_eq(pos.offset, q.end_of_b);
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "sha256", NULL, q.quote_c, 32,
					   &pos, NULL, 0), 0);
	ck_assert_uint_eq(pos.entries, 4);
	ck_assert_uint_eq(pos.offset, q.l.len);

	/* Attesting again from the stored position: only c is new. */
	ck_assert_int_eq(trust_log__replay(q.l.buf + q.end_of_b, q.l.len - q.end_of_b, 11, "sha256",
					   q.quote, q.quote_c, 32, &pos, NULL, 0), 0);
	ck_assert_uint_eq(pos.entries, 1);

	/* Nothing measured yet: the empty prefix. */
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "sha256", NULL, zero, 32, &pos,
					   NULL, 0), 0);
	ck_assert_uint_eq(pos.entries, 0);
	ck_assert_uint_eq(pos.offset, 0);

	/* A value the log never reaches. */
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 10, "sha256", NULL, q.quote, 32, &pos,
					   NULL, 0), -ENOENT);
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "sha256", NULL, q.quote, 20, &pos,
					   NULL, 0), -EINVAL);
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "md5", NULL, q.quote, 16, &pos,
					   NULL, 0), -EOPNOTSUPP);
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 24, "sha256", NULL, q.quote, 32, &pos,
					   NULL, 0), -EINVAL);
	free(q.l.buf);
}
END_TEST

START_TEST(test_replay_tampered)
{
	struct trust_log_position pos;
	char where[256];
	struct quoted_log q;

	/* A consistent forgery of entry a: no prefix meets the quote. */
	quoted_log(&q, 0x80);
	ck_assert_int_eq(trust_log__parse(q.l.buf, q.l.len, never, NULL, NULL, 0), 0);
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "sha256", NULL, q.quote, 32, &pos,
					   NULL, 0), -ENOENT);
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "sha256", NULL, q.quote_c, 32,
					   &pos, NULL, 0), -ENOENT);
	free(q.l.buf);

	/* A flipped byte in b's path ("/b", then NUL and an empty sig): its
	 * header digest gives it away. */
	quoted_log(&q, 0);
	ck_assert_uint_eq(q.l.buf[q.end_of_b - 6], 'b');
	q.l.buf[q.end_of_b - 6] ^= 1;
	ck_assert_int_eq(trust_log__replay(q.l.buf, q.l.len, 11, "sha256", NULL, q.quote, 32, &pos,
					   where, sizeof(where)), -EBADMSG);
	ck_assert_msg(!strncmp(where, "entry 3 at byte ", 16), "%s", where);
	free(q.l.buf);
}
END_TEST

static Suite *trust_log_suite(void)
{
	Suite *s = suite_create("trust_log");
	TCase *format = tcase_create("format");
	TCase *parse = tcase_create("parse");
	TCase *replay = tcase_create("replay");
	int n_golden = sizeof(golden_digests) / sizeof(golden_digests[0]);

	tcase_add_test(format, test_golden_template_data);
	tcase_add_loop_test(format, test_golden_template_digest, 0, n_golden);
	tcase_add_test(format, test_bad_entries_refused);
	tcase_add_test(format, test_append_golden);
	tcase_add_test(format, test_append_all_or_nothing);
	suite_add_tcase(s, format);

	tcase_add_test(parse, test_parse_round_trip);
	tcase_add_test(parse, test_parse_ima_ng);
	tcase_add_test(parse, test_parse_every_truncation);
	tcase_add_loop_test(parse, test_parse_malformed, 0, BAD_KINDS);
	suite_add_tcase(s, parse);

	tcase_add_loop_test(replay, test_fold_golden, 0, n_golden);
	tcase_add_test(replay, test_fold_violation);
	tcase_add_test(replay, test_replay_prefix);
	tcase_add_test(replay, test_replay_tampered);
	suite_add_tcase(s, replay);
	return s;
}

int main(void)
{
	return check_run(trust_log_suite());
}
