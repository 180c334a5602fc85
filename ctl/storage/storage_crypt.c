// SPDX-License-Identifier: GPL-2.0-only
/* An encrypted device's LUKS2 volume: libcryptsetup and the TPM seal (storage_crypt.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libcryptsetup.h>
#include <libnbd.h>
#include <openssl/crypto.h>

#include "common/fileio.h"
#include "common/hex.h"
#include "daemon/object.h"
#include "nbd_conn.h"
#include "storage_crypt.h"

/* The TPM keyslot's passphrase: 256 random bits. */
#define PASS_BYTES 32
/* The largest recovery passphrase file read. */
#define RECOVERY_MAX 512
/* A token's JSON and its blob, at most (LUKS2's JSON area is 12 KiB by default). */
#define BLOB_MAX 4096
/* LUKS2's magic, at offset 0 of a header. */
static const uint8_t luks_magic[6] = { 'L', 'U', 'K', 'S', 0xba, 0xbe };

/*
 * libcryptsetup's last error, for the reason of a failure. Its log
 * callback is process-wide: storage_crypt__open runs one at a time.
 */
static pthread_mutex_t cs_lock = PTHREAD_MUTEX_INITIALIZER;
static char cs_last[256];

static void cs_log(int level, const char *msg, void *usrptr)
{
	size_t n;

	if (level != CRYPT_LOG_ERROR)
		return;
	snprintf(cs_last, sizeof(cs_last), "%s", msg);
	n = strlen(cs_last);
	while (n && (cs_last[n - 1] == '\n' || cs_last[n - 1] == '.'))
		cs_last[--n] = '\0';
}

/* " (libcryptsetup: ...)" or "", for a message. */
static const char *cs_why(char *buf, size_t len)
{
	if (!cs_last[0])
		return "";
	snprintf(buf, len, " (libcryptsetup: %s)", cs_last);
	return buf;
}

int storage_crypt__token_parse(const char *json, uint8_t **ret_blob, size_t *ret_len,
			       uint32_t *ret_pcr, char *err, size_t errlen)
{
	json_object *o = json_tokener_parse(json), *v;
	int64_t pcr;
	int ret = -EBADMSG;

	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "token: not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "type", &v) || !json_object_is_type(v, json_type_string) ||
	    strcmp(json_object_get_string(v), STORAGE_CRYPT_TOKEN) != 0) {
		snprintf(err, errlen, "token: not of type %s", STORAGE_CRYPT_TOKEN);
		goto out;
	}
	if (!json_object_object_get_ex(o, "pcr", &v) || !json_object_is_type(v, json_type_int) ||
	    (pcr = json_object_get_int64(v)) < 0 || pcr > 23) {
		snprintf(err, errlen, "token: 'pcr' must be a PCR from 0 to 23");
		goto out;
	}
	if (!json_object_object_get_ex(o, "blob", &v) || !json_object_is_type(v, json_type_string) ||
	    hex__decode_alloc(json_object_get_string(v), BLOB_MAX, ret_blob, ret_len)) {
		snprintf(err, errlen, "token: 'blob' must be a sealed blob, in hex");
		goto out;
	}
	*ret_pcr = (uint32_t)pcr;
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

/* The token's JSON for @blob sealed to @pcr, opening @keyslot. */
static char *token_json(int keyslot, uint32_t pcr, const uint8_t *blob, size_t len)
{
	json_object *o = json_object_new_object(), *slots = json_object_new_array();
	char slot[16], *hex = hex__encode_alloc(blob, len), *text = NULL;

	if (hex) {
		snprintf(slot, sizeof(slot), "%d", keyslot);
		json_object_array_add(slots, json_object_new_string(slot));
		json_object_object_add(o, "type", json_object_new_string(STORAGE_CRYPT_TOKEN));
		json_object_object_add(o, "keyslots", slots);
		json_object_object_add(o, "pcr", json_object_new_int((int)pcr));
		json_object_object_add(o, "blob", json_object_new_string(hex));
		text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else {
		json_object_put(slots);
	}
	json_object_put(o);
	free(hex);
	return text;
}

/* How messages name @vol. */
static const char *vname(const struct storage_crypt_vol *vol)
{
	return vol->name ? vol->name : vol->header;
}

/*
 * Does @path hold a LUKS header's magic? 1 yes, 0 no and its first 4 KiB
 * are zero (a new backing file), -ENOTEMPTY no but it holds data, or -errno.
 */
static int header_state(const char *path)
{
	uint8_t buf[4096] = { 0 };
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(luks_magic) && memcmp(buf, luks_magic, sizeof(luks_magic)) == 0)
		return 1;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i])
			return -ENOTEMPTY;
	return 0;
}

/* The recovery passphrase from @path, one trailing newline dropped. */
static int read_recovery(const char *path, uint8_t **ret, size_t *ret_len, char *err,
			 size_t errlen)
{
	int r = fileio__read(path, RECOVERY_MAX, O_NOFOLLOW, ret, ret_len);

	if (r) {
		snprintf(err, errlen, "recovery passphrase file %s: %s", path,
			 r == -EFBIG ? "longer than 512 bytes" : strerror(-r));
		return r;
	}
	if (*ret_len && (*ret)[*ret_len - 1] == '\n')
		(*ret)[--*ret_len] = '\0';
	if (*ret_len == 0) {
		snprintf(err, errlen, "recovery passphrase file %s: empty", path);
		free(*ret);
		return -EINVAL;
	}
	return 0;
}

/*
 * Format @cd as LUKS2 aes-xts-plain64 with a 512-bit key, a TPM keyslot
 * whose passphrase goes to @pass, and the recovery keyslot if asked.
 */
static int format(struct crypt_device *cd, const struct storage_crypt_vol *vol,
		  const char *data_device, struct boostd_loader *loader, uint8_t pass[PASS_BYTES],
		  char *err, size_t errlen)
{
	struct crypt_params_luks2 params = {
		.sector_size = vol->sector_size,
		.data_device = data_device,
	};
	struct crypt_pbkdf_type fast = {
		.type = CRYPT_KDF_PBKDF2, .hash = "sha256", .iterations = 1000,
		.flags = CRYPT_PBKDF_NO_BENCHMARK,
	};
	uint8_t *rec = NULL, *blob = NULL;
	size_t rec_len = 0, blob_len = 0;
	char *token = NULL, why[300];
	uint32_t pcr = 0;
	int r, slot;

	if (vol->recovery_passphrase &&
	    (r = read_recovery(vol->recovery_passphrase, &rec, &rec_len, err, errlen)))
		return r;
	if (getrandom(pass, PASS_BYTES, 0) != PASS_BYTES) {
		r = -errno;
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		goto out;
	}
	/* Sealed first: a host that may not seal gets no header written. */
	r = boostd_loader__seal(loader, pass, PASS_BYTES, &blob, &blob_len, &pcr, err, errlen);
	if (r)
		goto out;
	r = crypt_format(cd, CRYPT_LUKS2, "aes", "xts-plain64", NULL, NULL, BLK_CRYPT_KEY_BYTES,
			 &params);
	if (r) {
		snprintf(err, errlen, "cannot format %s as LUKS2: %s%s", vname(vol), strerror(-r),
			 cs_why(why, sizeof(why)));
		goto out;
	}
	r = crypt_set_pbkdf_type(cd, &fast);
	slot = r ? r : crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0,
						       (const char *)pass, PASS_BYTES);
	if (slot < 0) {
		r = slot;
		snprintf(err, errlen, "%s: cannot add the TPM keyslot: %s%s", vname(vol),
			 strerror(-r), cs_why(why, sizeof(why)));
		goto out;
	}
	token = token_json(slot, pcr, blob, blob_len);
	if (!token) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r = crypt_token_json_set(cd, CRYPT_ANY_TOKEN, token);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot write the %s token: %s%s", vname(vol),
			 STORAGE_CRYPT_TOKEN, strerror(-r), cs_why(why, sizeof(why)));
		goto out;
	}
	if (rec) {
		/* A passphrase a person chose: libcryptsetup's default KDF (argon2id), 1 s. */
		struct crypt_pbkdf_type slow = *crypt_get_pbkdf_default(CRYPT_LUKS2);

		slow.time_ms = 1000;
		r = crypt_set_pbkdf_type(cd, &slow);
		if (!r)
			r = crypt_keyslot_add_by_volume_key(cd, CRYPT_ANY_SLOT, NULL, 0,
							    (const char *)rec, rec_len);
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot add the recovery keyslot: %s%s",
				 vname(vol), strerror(-r), cs_why(why, sizeof(why)));
			goto out;
		}
	}
	r = 0;
out:
	if (rec) {
		OPENSSL_cleanse(rec, rec_len);
		free(rec);
	}
	free(blob);
	free(token);
	return r;
}

/* The passphrase of the boost-tpm2 token of @cd, unsealed. */
static int unseal_token(struct crypt_device *cd, const struct storage_crypt_vol *vol,
			struct boostd_loader *loader, uint8_t pass[PASS_BYTES], char *err,
			size_t errlen)
{
	char why[512] = "";
	uint8_t *blob = NULL, *secret = NULL;
	size_t blob_len, len;
	uint32_t pcr;
	int r;

	for (int t = 0; t < 32; t++) {
		const char *type, *json;

		if (crypt_token_status(cd, t, &type) == CRYPT_TOKEN_INACTIVE || !type ||
		    strcmp(type, STORAGE_CRYPT_TOKEN) != 0 || crypt_token_json_get(cd, t, &json) < 0)
			continue;
		if (storage_crypt__token_parse(json, &blob, &blob_len, &pcr, why, sizeof(why)) == 0)
			break;
	}
	if (!blob) {
		snprintf(err, errlen, "LUKS2 header %s: no usable %s token (%s): not a volume boostd "
			 "formatted; its recovery passphrase opens it with cryptsetup", vname(vol),
			 STORAGE_CRYPT_TOKEN, why[0] ? why : "none");
		return -ENOKEY;
	}
	r = boostd_loader__unseal(loader, blob, blob_len, &secret, &len, why, sizeof(why));
	free(blob);
	if (r) {
		snprintf(err, errlen, "cannot unseal the volume's key: %s", why);
		return r;
	}
	if (len != PASS_BYTES) {
		OPENSSL_cleanse(secret, len);
		free(secret);
		snprintf(err, errlen, "LUKS2 header %s: its %s token holds a secret of %zu bytes, "
			 "not %d", vname(vol), STORAGE_CRYPT_TOKEN, len, PASS_BYTES);
		return -EBADMSG;
	}
	memcpy(pass, secret, PASS_BYTES);
	OPENSSL_cleanse(secret, len);
	free(secret);
	return 0;
}

/* Make a new detached header file (mode 0600), replacing any. */
static int new_header_file(const char *path, bool replace, char *err, size_t errlen)
{
	int fd;

	if (replace && unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "LUKS2 header %s: cannot replace: %s", path, strerror(errno));
		return -errno;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	/* libcryptsetup writes a header only into a file with room for its first area. */
	if (fd < 0 || ftruncate(fd, 4096) < 0) {
		snprintf(err, errlen, "LUKS2 header %s: cannot create: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

/* A stand-in data device for a header with none (mem): an empty file, gone after. */
static int placeholder(const char *header, char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "%s.data-XXXXXX", header);
	fd = mkostemp(buf, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Its size only needs to hold a sector: the device's size is boost-ublk's. */
	if (ftruncate(fd, 1 << 20) < 0) {
		close(fd);
		unlink(buf);
		return -errno;
	}
	close(fd);
	return 0;
}

/* storage_crypt__open of a volume whose header libcryptsetup reaches at vol->header. */
static int open_volume(const struct storage_crypt_vol *vol, struct boostd_loader *loader,
		       struct blk_crypt_msg *ret, bool *formatted, char *err, size_t errlen)
{
	struct crypt_device *cd = NULL;
	uint8_t pass[PASS_BYTES];
	char why[300], ph[4200] = "";
	const char *mode, *cipher;
	size_t key_len = BLK_CRYPT_KEY_BYTES;
	bool do_format = false;
	int r;

	*formatted = false;
	cs_last[0] = '\0';
	crypt_set_log_callback(NULL, cs_log, NULL);
	if (vol->fresh) {
		do_format = true;
	} else if (vol->detached) {
		do_format = access(vol->header, F_OK) < 0 && errno == ENOENT;
	} else {
		r = header_state(vol->header);
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", vname(vol), r == -ENOTEMPTY ?
				 "holds data but no LUKS2 header: boostd formats only a backing store "
				 "whose first 4 KiB are zero (wipe it, or give the volume's header)" :
				 strerror(-r));
			return r;
		}
		do_format = r == 0;
	}
	if (do_format && vol->detached && (r = new_header_file(vol->header, vol->fresh, err, errlen)))
		return r;
	r = crypt_init(&cd, vol->header);
	if (r) {
		snprintf(err, errlen, "LUKS2 header %s: %s%s", vname(vol), strerror(-r),
			 cs_why(why, sizeof(why)));
		goto out_unlink;
	}
	crypt_set_log_callback(cd, cs_log, NULL);
	if (do_format) {
		const char *data = vol->data;

		if (vol->detached && !data) {
			r = placeholder(vol->header, ph, sizeof(ph));
			if (r) {
				snprintf(err, errlen, "%s: %s", vname(vol), strerror(-r));
				goto out;
			}
			data = ph;
		}
		r = format(cd, vol, vol->detached ? data : NULL, loader, pass, err, errlen);
		if (ph[0])
			unlink(ph);
		if (r)
			goto out;
		*formatted = true;
	} else {
		r = crypt_load(cd, CRYPT_LUKS2, NULL);
		if (r) {
			snprintf(err, errlen, "LUKS2 header %s: cannot be read: damaged, truncated or "
				 "not LUKS2%s", vname(vol), cs_why(why, sizeof(why)));
			r = -EBADMSG;
			goto out;
		}
		cipher = crypt_get_cipher(cd);
		mode = crypt_get_cipher_mode(cd);
		if (!cipher || !mode || strcmp(cipher, "aes") || strcmp(mode, "xts-plain64") ||
		    crypt_get_volume_key_size(cd) != BLK_CRYPT_KEY_BYTES) {
			snprintf(err, errlen, "LUKS2 volume %s: cipher %s-%s with a %d-bit key: boost "
				 "runs aes-xts-plain64 with a 512-bit key only", vname(vol),
				 cipher ? cipher : "?", mode ? mode : "?",
				 crypt_get_volume_key_size(cd) * 8);
			r = -EPROTO;
			goto out;
		}
		/* boost-ublk counts IVs from the segment's start, as boostd formats it. */
		if (crypt_get_iv_offset(cd) != 0) {
			snprintf(err, errlen, "LUKS2 volume %s: its IVs start at %" PRIu64 ", not 0: "
				 "boost runs only volumes whose IVs start with the segment",
				 vname(vol), (uint64_t)crypt_get_iv_offset(cd));
			r = -EPROTO;
			goto out;
		}
		r = unseal_token(cd, vol, loader, pass, err, errlen);
		if (r)
			goto out;
	}
	memset(ret, 0, sizeof(*ret));
	r = crypt_volume_key_get(cd, CRYPT_ANY_SLOT, (char *)ret->key, &key_len,
				 (const char *)pass, PASS_BYTES);
	OPENSSL_cleanse(pass, sizeof(pass));
	if (r < 0 || key_len != BLK_CRYPT_KEY_BYTES) {
		snprintf(err, errlen, "LUKS2 volume %s: the unsealed passphrase opens no keyslot "
			 "(a header of another volume?)%s", vname(vol), cs_why(why, sizeof(why)));
		r = -EKEYREJECTED;
		goto out;
	}
	memcpy(ret->magic, BLK_CRYPT_MAGIC, sizeof(ret->magic));
	ret->version = BLK_CRYPT_VERSION;
	ret->sector_size = (uint32_t)crypt_get_sector_size(cd);
	ret->data_offset = crypt_get_data_offset(cd) * 512;
	ret->key_len = BLK_CRYPT_KEY_BYTES;
	r = 0;
out:
	OPENSSL_cleanse(pass, sizeof(pass));
	crypt_free(cd);
out_unlink:
	/* A header boostd just made for a volume it could not set up: gone. */
	if (r && do_format && vol->detached)
		unlink(vol->header);
	if (r)
		OPENSSL_cleanse(ret, sizeof(*ret));
	return r;
}

/*
 * An NBD export's start, where its LUKS2 header is, mirrored in a memfd
 * that libcryptsetup opens by its /proc/self/fd path: read from the
 * server before, written back after a format.
 */
struct remote {
	struct nbd_handle *h;
	uint64_t size;        /* the export's */
	int fd;
	uint64_t len;         /* bytes mirrored */
	char path[64];
};

/* The server's start at most: LUKS2's default data offset, and room for a format. */
#define REMOTE_MIRROR (20u << 20)
/* A header whose data starts further than this is refused. */
#define REMOTE_MIRROR_MAX (256u << 20)
#define REMOTE_CHUNK (1u << 20)
#define REMOTE_OPEN_MS 10000

static void remote_close(struct remote *r)
{
	if (r->h) {
		nbd_shutdown(r->h, 0);
		nbd_close(r->h);
	}
	if (r->fd >= 0)
		close(r->fd);
}

/* Mirror the export's first @len bytes. */
static int remote_read(struct remote *r, uint64_t len, const char *name, char *err,
		       size_t errlen)
{
	uint8_t *buf = malloc(REMOTE_CHUNK);
	int ret = 0;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (ftruncate(r->fd, 0) < 0 || ftruncate(r->fd, (off_t)len) < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot mirror its header: %s", name, strerror(errno));
		goto out;
	}
	for (uint64_t off = 0; off < len; off += REMOTE_CHUNK) {
		size_t n = len - off < REMOTE_CHUNK ? (size_t)(len - off) : REMOTE_CHUNK;

		if (nbd_pread(r->h, buf, n, off, 0) == -1) {
			ret = -nbd_conn__errno_or(EIO);
			snprintf(err, errlen, "%s: cannot read its header: %s", name,
				 nbd_conn__reason());
			goto out;
		}
		if (pwrite(r->fd, buf, n, (off_t)off) != (ssize_t)n) {
			ret = -EIO;
			snprintf(err, errlen, "%s: cannot mirror its header", name);
			goto out;
		}
	}
	r->len = len;
out:
	free(buf);
	return ret;
}

/*
 * Write the first @len bytes of the mirror back to the server: all but
 * the first 4 KiB, a flush, then the first 4 KiB (LUKS2's magic) and a
 * flush, so that a format cut short leaves no half header that looks
 * whole: the start stays zero, and the next add formats again.
 */
static int remote_write(struct remote *r, uint64_t len, const char *name, char *err,
			size_t errlen)
{
	uint8_t *buf = malloc(REMOTE_CHUNK);
	uint64_t starts[] = { 4096, 0 }, ends[] = { len, 4096 };
	int ret = 0;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t off = starts[pass]; off < ends[pass]; off += REMOTE_CHUNK) {
			size_t n = ends[pass] - off < REMOTE_CHUNK ? (size_t)(ends[pass] - off) :
								      REMOTE_CHUNK;

			if (pread(r->fd, buf, n, (off_t)off) != (ssize_t)n) {
				ret = -EIO;
				snprintf(err, errlen, "%s: cannot read back its new header", name);
				goto out;
			}
			if (nbd_pwrite(r->h, buf, n, off, 0) == -1)
				goto fail;
		}
		if (nbd_can_flush(r->h) == 1 && nbd_flush(r->h, 0) == -1)
			goto fail;
	}
	goto out;
fail:
	ret = -nbd_conn__errno_or(EIO);
	snprintf(err, errlen, "%s: cannot write its new header: %s", name, nbd_conn__reason());
out:
	free(buf);
	return ret;
}

/* Connect to @vol's server and mirror the start of its export. */
static int remote_open(const struct storage_crypt_vol *vol, struct remote *r, char *err,
		       size_t errlen)
{
	struct nbd_uri *u = malloc(sizeof(*u));
	char why[512];
	int64_t size;
	int e, ret;

	*r = (struct remote){ .fd = -1 };
	if (!u) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = nbd_uri__parse(vol->nbd, u, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s: %s", vol->name, why);
		goto out;
	}
	r->h = nbd_conn__open(u, REMOTE_OPEN_MS, why, sizeof(why), &e);
	if (!r->h) {
		ret = -e;
		snprintf(err, errlen, "%s: %s", vol->name, why);
		goto out;
	}
	size = nbd_get_size(r->h);
	if (size <= 0) {
		ret = -ENODATA;
		snprintf(err, errlen, "%s: the server gives no size", vol->name);
		goto out;
	}
	r->size = (uint64_t)size;
	r->fd = memfd_create("boost-luks2-header", MFD_CLOEXEC);
	if (r->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: memfd: %s", vol->name, strerror(errno));
		goto out;
	}
	snprintf(r->path, sizeof(r->path), "/proc/self/fd/%d", r->fd);
	ret = remote_read(r, r->size < REMOTE_MIRROR ? r->size : REMOTE_MIRROR, vol->name, err,
			  errlen);
out:
	free(u);
	return ret;
}

static int open_any(const struct storage_crypt_vol *vol, struct boostd_loader *loader,
		    struct blk_crypt_msg *ret, bool *formatted, char *err, size_t errlen)
{
	struct storage_crypt_vol in = *vol;
	struct remote r;
	int rc;

	if (!vol->nbd)
		return open_volume(vol, loader, ret, formatted, err, errlen);
	rc = remote_open(vol, &r, err, errlen);
	if (rc)
		goto out;
	in.header = r.path;
	rc = open_volume(&in, loader, ret, formatted, err, errlen);
	/* A header whose keyslots reach past the mirror: again, with all of them. */
	if (!rc && !*formatted && ret->data_offset > r.len) {
		uint64_t off = ret->data_offset;

		OPENSSL_cleanse(ret, sizeof(*ret));
		if (off > REMOTE_MIRROR_MAX || off >= r.size) {
			snprintf(err, errlen, "%s: its LUKS2 data segment starts at %" PRIu64
				 ", beyond the export or %u MiB", vol->name, off,
				 REMOTE_MIRROR_MAX >> 20);
			rc = -EFBIG;
			goto out;
		}
		rc = remote_read(&r, off, vol->name, err, errlen);
		if (!rc)
			rc = open_volume(&in, loader, ret, formatted, err, errlen);
	}
	if (!rc && *formatted) {
		if (ret->data_offset >= r.size) {
			snprintf(err, errlen, "%s: the export (%" PRIu64 " bytes) has no room for "
				 "data after its %" PRIu64 "-byte LUKS2 header", vol->name, r.size,
				 ret->data_offset);
			rc = -EFBIG;
		} else {
			rc = remote_write(&r, ret->data_offset, vol->name, err, errlen);
		}
	}
out:
	if (rc)
		OPENSSL_cleanse(ret, sizeof(*ret));
	remote_close(&r);
	return rc;
}

int storage_crypt__open(const struct storage_crypt_vol *vol, struct boostd_loader *loader,
			struct blk_crypt_msg *ret, bool *formatted, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&cs_lock);
	rc = open_any(vol, loader, ret, formatted, err, errlen);
	pthread_mutex_unlock(&cs_lock);
	return rc;
}
