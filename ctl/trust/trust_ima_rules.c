// SPDX-License-Identifier: GPL-2.0-only
/* Kernel IMA rules for boost's artifacts (trust_ima_rules.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "trust_ima_rules.h"
#include "trust_manifest.h"
#include "trust_sig.h"

#define ARTIFACT_MAX_BYTES (256u << 20)

struct rules {
	const struct trust_certs *certs; /* NULL unless appraising */
	uid_t owner;
	size_t n;
	uint8_t *text;
};

/* With appraisal: @path's security.ima must verify, as the kernel checks it. */
static int check_xattr(const struct rules *r, const char *path, char *err, size_t errlen)
{
	const struct trust_signer *signer;
	uint8_t *data, sha[32], sig[TRUST_SIG_MAX_LEN];
	char why[512];
	ssize_t n;
	size_t len;
	int ret;

	n = getxattr(path, "security.ima", sig, sizeof(sig));
	if (n < 0)
		return errmsg__set(err, errlen, errno == ENODATA ? -ENODATA : -errno,
				   "artifact %s: no security.ima signature (%s): under the appraise "
				   "rules the kernel would refuse boostd to open it", path,
				   strerror(errno));
	ret = fileio__read(path, ARTIFACT_MAX_BYTES, O_NOFOLLOW, &data, &len);
	if (ret)
		return errmsg__set(err, errlen, ret, "artifact %s: %s", path, strerror(-ret));
	ret = EVP_Digest(data, len, sha, NULL, EVP_sha256(), NULL) ? 0 : -EIO;
	free(data);
	if (ret)
		return errmsg__set(err, errlen, ret, "artifact %s: SHA-256 failed", path);
	ret = trust_sig__verify(r->certs, sig, n, sha, &signer, why, sizeof(why));
	if (ret)
		return errmsg__set(err, errlen, ret, "artifact %s: its security.ima signature: %s",
				   path, why);
	return 0;
}

/* @path is one the rules select: owned like the others, by no root, its signature file not. */
static int add_file(struct rules *r, const char *path, char *err, size_t errlen)
{
	char sig_path[PATH_MAX];
	struct stat st;

	if (lstat(path, &st))
		return errmsg__set(err, errlen, -errno, "artifact %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return errmsg__set(err, errlen, -EINVAL, "artifact %s: not a regular file", path);
	if (st.st_uid == 0)
		return errmsg__set(err, errlen, -EPERM, "artifact %s: owned by root: a rule on "
				   "fowner=0 would measure every file root owns; give boost's "
				   "artifacts an owner of their own (docs/keylime.md)", path);
	if (r->n && st.st_uid != r->owner)
		return errmsg__set(err, errlen, -EPERM, "artifact %s: owned by uid %u, the artifacts "
				   "before it by uid %u: the rules select one owner", path,
				   (unsigned)st.st_uid, (unsigned)r->owner);
	r->owner = st.st_uid;
	r->n++;
	if (snprintf(sig_path, sizeof(sig_path), "%s.sig", path) >= (int)sizeof(sig_path))
		return errmsg__set(err, errlen, -ENAMETOOLONG, "artifact %s: name too long", path);
	if (!lstat(sig_path, &st) && st.st_uid == r->owner)
		return errmsg__set(err, errlen, -EPERM, "signature %s: owned by uid %u like the "
				   "artifacts: the kernel would measure it too%s", sig_path,
				   (unsigned)st.st_uid, r->certs ? ", and refuse boostd to read it" : "");
	return r->certs ? check_xattr(r, path, err, errlen) : 0;
}

static int walk_manifest(void *ctx, const char *path, const uint8_t **ret_text, size_t *ret_len,
			 char *err, size_t errlen)
{
	struct rules *r = ctx;
	int ret = add_file(r, path, err, errlen);

	if (ret)
		return ret;
	free(r->text);
	r->text = NULL;
	ret = fileio__read(path, TRUST_MANIFEST_MAX_BYTES, O_NOFOLLOW, &r->text, ret_len);
	if (ret)
		return errmsg__set(err, errlen, ret, "manifest %s: %s", path, strerror(-ret));
	*ret_text = r->text;
	return 0;
}

/* Owners only: the digests are the start's business (and set b's may be old). */
static int walk_artifact(void *ctx, const char *path, const struct trust_manifest_artifact *a,
			 uint8_t ret_sha256[32], char *err, size_t errlen)
{
	memcpy(ret_sha256, a->sha256, 32);
	return add_file(ctx, path, err, errlen);
}

static int add_sets(struct rules *r, const char *sets, char *err, size_t errlen)
{
	static const struct trust_manifest_walk walk = {
		.manifest = walk_manifest,
		.artifact = walk_artifact,
	};
	char path[PATH_MAX];
	int ret = trust_manifest__walk(sets, 'a', &walk, r, err, errlen);

	/* Set b is what a start falls back to, when there is one. */
	snprintf(path, sizeof(path), "%s/b/%s", sets, TRUST_MANIFEST_NAME);
	if (!ret && !access(path, F_OK))
		ret = trust_manifest__walk(sets, 'b', &walk, r, err, errlen);
	return ret;
}

int trust_ima_rules__text(const struct trust_policy *pol, bool appraise, char **ret_text,
			  char *err, size_t errlen)
{
	struct trust_certs *certs = NULL;
	struct rules r = { 0 };
	char *text = NULL;
	int ret = 0;

	if (appraise) {
		certs = trust_certs__new();
		if (!certs)
			return errmsg__set(err, errlen, -ENOMEM, "out of memory");
		for (size_t i = 0; !ret && i < pol->nsigners; i++)
			ret = trust_certs__add(certs, pol->signers[i], err, errlen);
		r.certs = certs;
	}
	if (!ret && pol->sets)
		ret = add_sets(&r, pol->sets, err, errlen);
	for (size_t i = 0; !ret && i < pol->nartifacts; i++)
		ret = add_file(&r, pol->artifacts[i].path, err, errlen);
	if (!ret && !r.n)
		ret = errmsg__set(err, errlen, -ENOENT, "policy %s: no artifact", pol->path);
	if (!ret && asprintf(&text,
			     "# boost's artifacts (%zu files of owner uid %u, from %s): measured into\n"
			     "# PCR 10 with their signatures when boostd reads or executes them%s.\n"
			     "measure func=FILE_CHECK mask=MAY_READ fowner=%u template=ima-sig\n"
			     "measure func=BPRM_CHECK mask=MAY_EXEC fowner=%u template=ima-sig\n",
			     r.n, (unsigned)r.owner, pol->path,
			     appraise ? ",\n# and opened only if their security.ima verifies" : "",
			     (unsigned)r.owner, (unsigned)r.owner) < 0)
		text = NULL;
	if (!ret && text && appraise) {
		char *all;

		if (asprintf(&all,
			     "%sappraise func=FILE_CHECK mask=MAY_READ fowner=%u appraise_type=imasig\n"
			     "appraise func=BPRM_CHECK mask=MAY_EXEC fowner=%u appraise_type=imasig\n",
			     text, (unsigned)r.owner, (unsigned)r.owner) < 0)
			all = NULL;
		free(text);
		text = all;
	}
	if (!ret && !text)
		ret = errmsg__set(err, errlen, -ENOMEM, "out of memory");
	free(r.text);
	trust_certs__free(certs);
	if (!ret)
		*ret_text = text;
	return ret;
}
