// SPDX-License-Identifier: GPL-2.0-only
/* PCR prediction from a trust policy and its artifacts (trust_predict.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "trust_manifest.h"
#include "trust_predict.h"
#include "trust_sig.h"

#define ARTIFACT_MAX_BYTES (256u << 20)

/*
 * Measure @path as the gate would: its bytes' SHA-256, its signature
 * (which must verify), the entry appended to @fd. *@ret_sha256 is the
 * digest, and *@ret_data the bytes if asked for (malloc'ed).
 */
static int predict_one(const struct trust_certs *certs, uint32_t pcr, const char *path, int fd,
		       uint8_t ret_sha256[32], uint8_t **ret_data, size_t *ret_len, char *err,
		       size_t errlen)
{
	struct trust_log_entry e = { .pcr = pcr, .path = path };
	const struct trust_signer *signer;
	uint8_t *data = NULL, *sig = NULL;
	size_t len, sig_len;
	char why[512];
	int afd, ret;

	ret = fileio__read(path, ARTIFACT_MAX_BYTES, O_NOFOLLOW, &data, &len);
	if (ret)
		return errmsg__set(err, errlen, ret, "artifact %s: %s", path, strerror(-ret));
	if (!EVP_Digest(data, len, e.file_sha256, NULL, EVP_sha256(), NULL)) {
		ret = errmsg__set(err, errlen, -EIO, "artifact %s: SHA-256 failed", path);
		goto out;
	}
	afd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (afd < 0) {
		ret = errmsg__set(err, errlen, -errno, "artifact %s: %s", path, strerror(errno));
		goto out;
	}
	ret = trust_sig__read_for(afd, path, &sig, &sig_len, why, sizeof(why));
	close(afd);
	if (!ret)
		ret = trust_sig__verify(certs, sig, sig_len, e.file_sha256, &signer, why,
					sizeof(why));
	if (ret) {
		errmsg__set(err, errlen, ret, "artifact %s: %s: a start would refuse it", path, why);
		goto out;
	}
	e.sig = sig;
	e.sig_len = sig_len;
	ret = trust_log__append(fd, -1, &e);
	if (ret) {
		errmsg__set(err, errlen, ret, "the predicted log: %s", strerror(-ret));
		goto out;
	}
	memcpy(ret_sha256, e.file_sha256, 32);
	if (ret_data) {
		*ret_data = data;
		*ret_len = len;
		data = NULL;
	}
out:
	free(sig);
	free(data);
	return ret;
}

struct predict_walk {
	const struct trust_certs *certs;
	uint32_t pcr;
	int fd;
	uint8_t *text;
	size_t entries;
};

static int predict_walk_manifest(void *ctx, const char *path, const uint8_t **ret_text,
				 size_t *ret_len, char *err, size_t errlen)
{
	struct predict_walk *w = ctx;
	uint8_t sha[32];
	int ret = predict_one(w->certs, w->pcr, path, w->fd, sha, &w->text, ret_len, err, errlen);

	if (!ret) {
		*ret_text = w->text;
		w->entries++;
	}
	return ret;
}

static int predict_walk_artifact(void *ctx, const char *path,
				 const struct trust_manifest_artifact *a, uint8_t ret_sha256[32],
				 char *err, size_t errlen)
{
	struct predict_walk *w = ctx;
	int ret = predict_one(w->certs, w->pcr, path, w->fd, ret_sha256, NULL, NULL, err, errlen);

	(void)a;
	if (!ret)
		w->entries++;
	return ret;
}

/* With sets: what a start on set a measures; one that would fall back is an error. */
static int predict_set(const struct trust_policy *pol, const struct trust_certs *certs, int fd,
		       size_t *ret_entries, char *err, size_t errlen)
{
	static const struct trust_manifest_walk walk = {
		.manifest = predict_walk_manifest,
		.artifact = predict_walk_artifact,
	};
	struct predict_walk w = { .certs = certs, .pcr = pol->pcr, .fd = fd };
	int ret = trust_manifest__walk(pol->sets, 'a', &walk, &w, err, errlen);

	if (ret == -EKEYREJECTED)
		snprintf(err + strlen(err), errlen - strlen(err), ": a start would fall back to set b");
	*ret_entries = w.entries;
	free(w.text);
	return ret;
}

int trust_predict__log(const struct trust_policy *pol, int fd, size_t *ret_entries, char *err,
		       size_t errlen)
{
	struct trust_certs *certs = trust_certs__new();
	int ret = 0;

	*ret_entries = 0;
	if (!certs)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; !ret && i < pol->nsigners; i++)
		ret = trust_certs__add(certs, pol->signers[i], err, errlen);
	if (!ret && pol->sets)
		ret = predict_set(pol, certs, fd, ret_entries, err, errlen);
	for (size_t i = 0; !ret && i < pol->nartifacts; i++) {
		uint8_t sha[32];

		ret = predict_one(certs, pol->pcr, pol->artifacts[i].path, fd, sha, NULL, NULL, err,
				  errlen);
		if (!ret)
			++*ret_entries;
	}
	trust_certs__free(certs);
	return ret;
}

int trust_predict__pcr(const struct trust_policy *pol, const char *bank, uint8_t *ret,
		       size_t *ret_len, size_t *ret_entries, char *err, size_t errlen)
{
	int fd = memfd_create("predicted-log", MFD_CLOEXEC), rc;
	uint8_t *log = NULL;
	struct stat st;

	if (fd < 0)
		return errmsg__set(err, errlen, -errno, "memfd: %s", strerror(errno));
	rc = trust_predict__log(pol, fd, ret_entries, err, errlen);
	if (!rc && fstat(fd, &st))
		rc = errmsg__set(err, errlen, -errno, "memfd: %s", strerror(errno));
	if (!rc && st.st_size) {
		log = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (log == MAP_FAILED) {
			log = NULL;
			rc = errmsg__set(err, errlen, -errno, "memfd: %s", strerror(errno));
		}
	}
	if (!rc)
		rc = trust_log__fold(log, log ? st.st_size : 0, pol->pcr, bank, NULL, ret, ret_len,
				     err, errlen);
	if (log)
		munmap(log, st.st_size);
	close(fd);
	return rc;
}
