// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostd's trust object (requests "trust" and "attest"): the trust policy,
 * the gate, the verified artifacts, sealing, quotes, and boostd's
 * attestation of its own host. It lives in the daemon because it is the
 * daemon's loader (object.h): the other objects get every BPF object and
 * executable from it, verified, measured, and only on an attested host.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "boostd.h"
#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "common/json_arg.h"
#include "common/log.h"
#include "common/prom.h"
#include "common/proto.h"
#include "trust/attest.h"
#include "trust/trust_gate.h"
#include "trust/trust_kernel_ima.h"
#include "trust/trust_manifest.h"
#include "trust/trust_policy.h"
#include "trust/trust_svn.h"
#include "trust/trust_tpm.h"

#define SECRET_HEX_MAX (TRUST_TPM_MAX_SECRET * 2)
#define BLOB_HEX_MAX (16 * 1024)

/* ---- helpers ------------------------------------------------------------ */

static json_object *hex_string(const uint8_t *buf, size_t len)
{
	char *s = hex__encode_alloc(buf, len);
	json_object *o = s ? json_object_new_string(s) : NULL;

	free(s);
	return o;
}

/* Decode args[@key], a hex string of 1 to @max bytes. */
static int hex_arg(json_object *args, const char *key, size_t max, uint8_t **ret_buf,
		   size_t *ret_len)
{
	const char *s = json_arg__str(args, key);

	return s ? hex__decode_alloc(s, max, ret_buf, ret_len) : -EINVAL;
}

/*
 * The trust object's state; to the other objects, it is their loader.
 *
 * Every request runs as a job (object.h), one at a time: a TPM command may
 * take tens of milliseconds on hardware, and the loop must not wait for it.
 * Only the job's thread talks to the TPM once boostd runs. What a job
 * changes (a new artifact, a new verdict) is installed by its end on the
 * loop, under @lock, because the other objects' jobs (net attach) call the
 * loader from their own threads: they hold @lock to read.
 */
struct boostd_loader {
	const char *state_dir;
	const char *policy_path;
	struct trust_policy *pol;
	struct trust_gate *gate;
	char trust_error[768]; /* why the trust chain is unavailable, "" if it is up */
	struct boostd_jobs *jobs;
	pthread_rwlock_t lock;
	/*
	 * The TPM, one user at a time: held by each trust job as it works and
	 * by the seal and unseal the other objects ask for on the loop's
	 * thread (boostd_loader__seal). Taken before @lock, never after.
	 */
	pthread_mutex_t tpm_lock;
	struct trust_artifact **artifacts;
	size_t nartifacts;
	/*
	 * Executables a `trust load` of their path superseded, the newest
	 * last: a device's server may still run one, and a storage upgrade
	 * that fails starts it again (boostd_loader__spawn_build).
	 */
	struct trust_artifact *superseded[BOOSTD_LOADER_SUPERSEDED];
	size_t nsuperseded;
	struct attest_verdict attest; /* this host's own attestation, the last one */
	time_t attested_at;
	/* The rollback floor, as read at start or after a commit (trust_svn.h). */
	struct trust_tpm_floor floor;
	/*
	 * With the policy's "sets": the set the artifacts came from ('a',
	 * 'b', or 0 when neither verifies and nothing may run), and why set a
	 * was not used (a fallback) or why neither was.
	 */
	char set_active;
	char set_reason[1536];
	/* Who hears of a change of the verdict (object.h), and the periodic attestation. */
	struct {
		boostd_verdict_fn fn;
		void *ctx;
	} watchers[BOOSTD_LOADER_MAX_WATCHERS];
	int nwatchers;
	struct boostd_timer *attest_timer;
	unsigned int attest_interval;
	uint64_t attest_runs, attest_failures;
};

/*
 * A request's work runs on the job's thread and returns the answer; what it
 * changes waits in the job for job_done, on the loop, to install.
 */
struct trust_job;
typedef json_object *(*trust_work_fn)(struct boostd_loader *d, json_object *args,
				      struct trust_job *job);

struct trust_job {
	const char *what; /* the request: "trust load", ... */
	struct boostd_loader *d;
	struct boostd_request *req;
	json_object *args;
	trust_work_fn work;
	json_object *resp;
	struct trust_artifact *art; /* verified and measured: the newest of its name */
	bool attested;              /* @verdict is this host's from now on */
	struct attest_verdict verdict;
	time_t attested_at;
	bool floor_read;            /* @floor is the TPM's from now on */
	struct trust_tpm_floor floor;
	struct trust_artifact **set_arts; /* a promoted set's, to install */
	size_t set_n;
};

static json_object *trust_down(struct boostd_loader *d)
{
	return proto__error("trust chain unavailable: %s", d->trust_error);
}

/* ---- verified artifacts -------------------------------------------------- */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* A BPF object opened from @a's verified bytes, never the path again; NULL with errno. */
static struct bpf_object *open_bytes(const struct trust_artifact *a, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "boost");
	struct bpf_object *obj;
	char why[128];
	int ret;

	libbpf_set_print(libbpf_quiet);
	obj = bpf_object__open_mem(a->data, a->len, &opts);
	if (!obj) {
		ret = -errno;
		libbpf_strerror(ret, why, sizeof(why));
		snprintf(err, errlen, "artifact %s: not a BPF object libbpf can open: %s", a->path,
			 why);
		errno = -ret;
		return NULL;
	}
	return obj;
}

/* An artifact's name: its file name up to the first dot ("net_xdp", "boost-ublk"). */
static size_t artifact_name(const struct trust_artifact *a, const char **ret)
{
	const char *slash = strrchr(a->path, '/');

	*ret = slash ? slash + 1 : a->path;
	return strcspn(*ret, ".");
}

static bool artifact_same_name(const struct trust_artifact *a, const struct trust_artifact *b)
{
	const char *na, *nb;
	size_t la = artifact_name(a, &na), lb = artifact_name(b, &nb);

	return la == lb && strncmp(na, nb, la) == 0;
}

static bool artifact_named(const struct trust_artifact *a, const char *name)
{
	const char *base;
	size_t n = artifact_name(a, &base);

	return strlen(name) == n && strncmp(base, name, n) == 0;
}

/*
 * @a's security version (trust_svn.h): 0 for an image without the section
 * (a build from before versions) or that is no ELF file (a script).
 */
static int artifact_svn(const struct trust_artifact *a, uint32_t *svn, char *err, size_t errlen)
{
	int ret = trust_svn__read(a->data, a->len, TRUST_SVN_SECTION, svn);

	if (ret == -ENOENT || (ret == -EBADMSG && (a->len < 4 || memcmp(a->data, "\177ELF", 4)))) {
		*svn = 0;
		return 0;
	}
	if (ret)
		snprintf(err, errlen, "artifact %s: section %s: not a 4-byte version", a->path,
			 TRUST_SVN_SECTION);
	return ret;
}

/*
 * Verify and measure @path (any thread), and refuse it below the rollback
 * floor of its kind. *ret_measured says whether it got as far as the
 * measurement, which moves the PCR and the log.
 */
static int artifact_verify(struct boostd_loader *d, const char *path, enum trust_kind kind,
			   struct trust_artifact **ret, bool *ret_measured, char *err,
			   size_t errlen)
{
	struct trust_artifact *art;
	uint32_t svn, floor;
	int ret_code;

	ret_code = trust_gate__verify(d->gate, path, kind, &art, err, errlen);
	if (ret_code)
		return ret_code;
	*ret_measured = true;
	if (kind == TRUST_KIND_BPF) {
		/* Refused now if libbpf cannot parse it; the kernel sees it at attach. */
		struct bpf_object *obj = open_bytes(art, err, errlen);

		if (!obj) {
			ret_code = -errno;
			log_warn("%s", err);
			trust_artifact__free(art);
			return ret_code;
		}
		bpf_object__close(obj);
	}
	ret_code = artifact_svn(art, &svn, err, errlen);
	floor = trust_svn__floor(d->floor.bits, kind);
	if (!ret_code && svn < floor) {
		snprintf(err, errlen, "artifact %s: security version %u is below this host's "
			 "floor %u for %s artifacts (raised by 'boostctl trust commit-version'): "
			 "refused as a rollback", path, svn, floor, trust_kind__name(kind));
		ret_code = -EKEYREJECTED;
	}
	if (ret_code) {
		log_warn("%s", err);
		trust_artifact__free(art);
		return ret_code;
	}
	*ret = art;
	return 0;
}

/*
 * On the loop: @art replaces any artifact of the same path, and is the
 * newest of its name (artifact_get). Takes @art, freed on failure.
 */
static int artifact_install(struct boostd_loader *d, struct trust_artifact *art, char *err,
			    size_t errlen)
{
	struct trust_artifact *old = NULL, **grown = NULL;
	size_t i;

	pthread_rwlock_wrlock(&d->lock);
	for (i = 0; i < d->nartifacts; i++)
		if (strcmp(d->artifacts[i]->path, art->path) == 0)
			break;
	if (i < d->nartifacts) {
		/* A path loaded again: the new bytes are the newest of their name. */
		old = d->artifacts[i];
		memmove(&d->artifacts[i], &d->artifacts[i + 1],
			(d->nartifacts - i - 1) * sizeof(*d->artifacts));
		d->artifacts[d->nartifacts - 1] = art;
	} else if ((grown = realloc(d->artifacts, (d->nartifacts + 1) * sizeof(*grown)))) {
		d->artifacts = grown;
		d->artifacts[d->nartifacts++] = art;
	}
	if (old && old->kind == TRUST_KIND_EXEC) {
		if (d->nsuperseded == BOOSTD_LOADER_SUPERSEDED) {
			trust_artifact__free(d->superseded[0]);
			memmove(&d->superseded[0], &d->superseded[1],
				--d->nsuperseded * sizeof(*d->superseded));
		}
		d->superseded[d->nsuperseded++] = old;
		old = NULL;
		grown = d->artifacts;
	}
	pthread_rwlock_unlock(&d->lock);
	trust_artifact__free(old);
	if (!old && !grown) {
		snprintf(err, errlen, "artifact %s: out of memory", art->path);
		trust_artifact__free(art);
		return -ENOMEM;
	}
	return 0;
}

/* ---- attestation of the own host ---------------------------------------- */

static int copy_file(const char *from, const char *to)
{
	uint8_t *buf;
	size_t len;
	int ret;

	ret = fileio__read(from, 256u << 20, O_NOFOLLOW, &buf, &len);
	if (ret)
		return ret;
	ret = fileio__write(to, buf, len, 0644);
	free(buf);
	return ret;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Write a quote of boost's PCR with @nonce and the logs into @dir. */
static int write_quote(struct boostd_loader *d, const uint8_t *nonce, size_t nonce_len,
		       const char *dir, char *err, size_t errlen)
{
	struct trust_tpm *tpm = trust_gate__tpm(d->gate);
	char to[4096], why[512];
	int ret, ascii;

	ret = trust_tpm__quote(tpm, trust_quote__alg_from_name(d->pol->bank), 1u << d->pol->pcr,
			       nonce, nonce_len, dir, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "quote into %s: %s", dir, why);
		return ret;
	}
	for (ascii = 0; ascii <= 1; ascii++) {
		snprintf(to, sizeof(to), "%s/%s", dir, ascii ? TRUST_LOG_ASCII : TRUST_LOG_BINARY);
		ret = copy_file(trust_gate__log_path(d->gate, ascii), to);
		if (ret) {
			snprintf(err, errlen, "copying the measurement log to %s: %s", to,
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* A new private directory in the state directory, for files before they are copied out. */
static int state_tmpdir(struct boostd_loader *d, const char *what, char *dir, size_t len,
			char *err, size_t errlen)
{
	int ret;

	if (mkdir(d->state_dir, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "state directory %s: %s", d->state_dir, strerror(errno));
		return ret;
	}
	snprintf(dir, len, "%s/%s.XXXXXX", d->state_dir, what);
	if (!mkdtemp(dir)) {
		ret = -errno;
		snprintf(err, errlen, "cannot make %s: %s", dir, strerror(errno));
		return ret;
	}
	return 0;
}

/*
 * This host's own attestation, now, into @v (any thread): the log replayed
 * from where the last trusted one ended (attest.h), or from the start.
 */
static void attest_run(struct boostd_loader *d, struct attest_verdict *v)
{
	struct attest_position from = d->attest.trusted ? d->attest.pos : (struct attest_position){ 0 };

	uint8_t nonce[TRUST_TPM_MAX_NONCE];
	char dir[4096], ak[4200], err[512];
	int ret;

	memset(v, 0, sizeof(*v));
	if (state_tmpdir(d, "self-attest", dir, sizeof(dir), v->reasons[0],
			 sizeof(v->reasons[0]))) {
		v->nreasons = 1;
		return;
	}
	if (RAND_bytes(nonce, d->pol->nonce_bytes) != 1) {
		snprintf(v->reasons[0], sizeof(v->reasons[0]), "no random nonce");
		v->nreasons = 1;
		goto out;
	}
	ret = write_quote(d, nonce, d->pol->nonce_bytes, dir, err, sizeof(err));
	if (ret) {
		snprintf(v->reasons[0], sizeof(v->reasons[0]), "%s", err);
		v->nreasons = 1;
		goto out;
	}
	snprintf(ak, sizeof(ak), "%s/%s", dir, TRUST_TPM_AK_PEM);
	attest__verify_from(d->pol, dir, ak, nonce, d->pol->nonce_bytes,
			    from.pcr_len ? &from : NULL, v, NULL, 0);
out:
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* On the loop: @v is this host's verdict from now on; the watchers hear of a change. */
static void attest_install(struct boostd_loader *d, const struct attest_verdict *v, time_t at)
{
	bool was = d->attest.trusted, first = !d->attested_at;

	pthread_rwlock_wrlock(&d->lock);
	d->attest = *v;
	d->attested_at = at;
	pthread_rwlock_unlock(&d->lock);
	d->attest_runs++;
	if (v->trusted) {
		log_info("attestation of this host: passed (%zu entries replayed)", v->replayed);
	} else {
		d->attest_failures++;
		log_warn("attestation of this host: FAILED: %s", v->reasons[0]);
	}
	if (first || was == v->trusted)
		return;
	for (int i = 0; i < d->nwatchers; i++)
		d->watchers[i].fn(d->watchers[i].ctx, v->trusted, v->trusted ? "" : v->reasons[0]);
}

int boostd_loader__watch_verdict(struct boostd_loader *d, boostd_verdict_fn fn, void *ctx)
{
	if (d->nwatchers == BOOSTD_LOADER_MAX_WATCHERS)
		return -ENOSPC;
	d->watchers[d->nwatchers].fn = fn;
	d->watchers[d->nwatchers++].ctx = ctx;
	return 0;
}

/* ---- the loader ----------------------------------------------------------- */

/* May a data path attach, by verdict @v? false, with the reason in @why, if not. */
static bool verdict_allows(const struct boostd_loader *d, const struct attest_verdict *v,
			   char *why, size_t len)
{
	if (d->trust_error[0]) {
		snprintf(why, len, "trust chain unavailable: %s", d->trust_error);
		return false;
	}
	if (d->pol->sets && !d->set_active) {
		snprintf(why, len, "no set of artifacts verifies: %s", d->set_reason);
		return false;
	}
	if (!v->trusted) {
		snprintf(why, len, "this host failed its own attestation: %s",
			 v->nreasons ? v->reasons[0] : "not attested");
		return false;
	}
	return true;
}

bool boostd_loader__may_attach(struct boostd_loader *d, char *why, size_t len)
{
	bool ok;

	pthread_rwlock_rdlock(&d->lock);
	ok = verdict_allows(d, &d->attest, why, len);
	pthread_rwlock_unlock(&d->lock);
	return ok;
}

/*
 * The verified artifact @name of @kind, on an attested host; else NULL and
 * @err says why. Called with @lock held, which keeps it alive.
 */
static const struct trust_artifact *artifact_get(struct boostd_loader *d, const char *name,
						 enum trust_kind kind, char *err, size_t errlen)
{
	char why[1024];

	if (!verdict_allows(d, &d->attest, why, sizeof(why))) {
		snprintf(err, errlen, "refused: %s", why);
		errno = EPERM;
		return NULL;
	}
	/* The newest of that name: `trust load` of a new build supersedes the policy's. */
	for (size_t i = d->nartifacts; i-- > 0;)
		if (d->artifacts[i]->kind == kind && artifact_named(d->artifacts[i], name))
			return d->artifacts[i];
	snprintf(err, errlen, "artifact %s: not verified: list it in the trust policy's "
		 "artifacts or load it with 'boostctl trust load --kind %s'", name,
		 trust_kind__name(kind));
	errno = ENOENT;
	return NULL;
}

struct bpf_object *boostd_loader__open_bpf(struct boostd_loader *d, const char *name,
					   char *err, size_t errlen)
{
	const struct trust_artifact *a;
	struct bpf_object *obj = NULL;
	int ret = 0;

	pthread_rwlock_rdlock(&d->lock);
	a = artifact_get(d, name, TRUST_KIND_BPF, err, errlen);
	if (a)
		obj = open_bytes(a, err, errlen);
	if (!obj)
		ret = errno;
	pthread_rwlock_unlock(&d->lock);
	errno = ret;
	return obj;
}

/* The SHA-256 of the newest verified artifact @name of @kind. */
static int artifact_digest(struct boostd_loader *d, const char *name, enum trust_kind kind,
			   uint8_t sha256[32], char *err, size_t errlen)
{
	const struct trust_artifact *a;
	int ret = 0;

	pthread_rwlock_rdlock(&d->lock);
	a = artifact_get(d, name, kind, err, errlen);
	if (a)
		memcpy(sha256, a->sha256, 32);
	else
		ret = -errno;
	pthread_rwlock_unlock(&d->lock);
	return ret;
}

int boostd_loader__bpf_digest(struct boostd_loader *d, const char *name, uint8_t sha256[32],
			      char *err, size_t errlen)
{
	return artifact_digest(d, name, TRUST_KIND_BPF, sha256, err, errlen);
}

int boostd_loader__bpf_svn(struct boostd_loader *d, const char *name, const char *section,
			   uint32_t *svn, char *err, size_t errlen)
{
	const struct trust_artifact *a;
	int ret;

	pthread_rwlock_rdlock(&d->lock);
	a = artifact_get(d, name, TRUST_KIND_BPF, err, errlen);
	if (!a) {
		ret = -errno;
		goto out;
	}
	ret = trust_svn__read(a->data, a->len, section, svn);
	if (ret == -ENOENT) {
		*svn = 0;
		ret = 0;
	} else if (ret) {
		snprintf(err, errlen, "artifact %s: section %s: not a 4-byte version", a->path,
			 section);
	}
out:
	pthread_rwlock_unlock(&d->lock);
	return ret;
}

int boostd_loader__exec_digest(struct boostd_loader *d, const char *name, uint8_t sha256[32],
			       char *err, size_t errlen)
{
	return artifact_digest(d, name, TRUST_KIND_EXEC, sha256, err, errlen);
}

/* Of the verified executables @name, the newest, or with @sha256 the one of those bytes. */
static const struct trust_artifact *exec_get(struct boostd_loader *d, const char *name,
					     const uint8_t *sha256, char *err, size_t errlen)
{
	const struct trust_artifact *a = artifact_get(d, name, TRUST_KIND_EXEC, err, errlen);
	char hex[17];

	if (!a || !sha256 || !memcmp(a->sha256, sha256, 32))
		return a;
	for (size_t i = d->nartifacts + d->nsuperseded; i-- > 0;) {
		a = i < d->nartifacts ? d->artifacts[i] : d->superseded[i - d->nartifacts];
		if (a->kind == TRUST_KIND_EXEC && artifact_named(a, name) &&
		    !memcmp(a->sha256, sha256, 32))
			return a;
	}
	hex__encode(sha256, 8, hex);
	snprintf(err, errlen, "artifact %s: no verified build with SHA-256 %s... is held any more",
		 name, hex);
	errno = ENOENT;
	return NULL;
}

/*
 * May the verified executable @a (named @name) run? A static one always;
 * a dynamic one only with a verified closure of its name whose libraries
 * are still the files the gate checked (trust_closure.h): ld.so maps them
 * from disk, unverified. 0, or -errno with @err naming what is missing or
 * changed. Called with @lock held.
 */
static int closure_ready(struct boostd_loader *d, const struct trust_artifact *a,
			 const char *name, char *err, size_t errlen)
{
	const struct trust_artifact *c;
	char why[1024];
	int ret = trust_svn__dynamic(a->data, a->len);

	if (ret < 0)
		snprintf(err, errlen, "artifact %s: not an ELF executable", a->path);
	if (ret <= 0)
		return ret;
	c = artifact_get(d, name, TRUST_KIND_CLOSURE, why, sizeof(why));
	if (!c) {
		snprintf(err, errlen, "artifact %s: linked dynamically, and no verified closure "
			 "of %s lists its libraries: list %s.libs in the trust policy's artifacts "
			 "(kind closure) or load it with 'boostctl trust load --kind closure'",
			 a->path, name, name);
		return -ENOENT;
	}
	if (strcmp(c->closure->executable, name)) {
		snprintf(err, errlen, "artifact %s: the closure %s is %s's, not %s's", a->path,
			 c->path, c->closure->executable, name);
		return -EINVAL;
	}
	ret = trust_closure__unchanged(c->closure, c->closure_files, why, sizeof(why));
	if (ret)
		snprintf(err, errlen, "artifact %s: %s", a->path, why);
	return ret;
}

int boostd_loader__spawn(struct boostd_loader *d, const char *name, char *const argv[],
			 char *const envp[], const int *fds, int nfds, pid_t *ret_pid, char *err,
			 size_t errlen)
{
	return boostd_loader__spawn_build(d, name, NULL, argv, envp, fds, nfds, ret_pid, err,
					  errlen);
}

int boostd_loader__spawn_build(struct boostd_loader *d, const char *name, const uint8_t *sha256,
			       char *const argv[], char *const envp[], const int *fds, int nfds,
			       pid_t *ret_pid, char *err, size_t errlen)
{
	const struct trust_artifact *a;
	int ret;

	pthread_rwlock_rdlock(&d->lock);
	a = exec_get(d, name, sha256, err, errlen);
	if (!a) {
		ret = -errno;
	} else if (!(ret = closure_ready(d, a, name, err, errlen))) {
		ret = trust_artifact__spawn_fds(a, argv, envp, fds, nfds, ret_pid);
		if (ret)
			snprintf(err, errlen, "artifact %s: cannot execute: %s", a->path,
				 strerror(-ret));
	}
	pthread_rwlock_unlock(&d->lock);
	return ret;
}

/* What a seal binds: boost's PCR, and the policy's seal_pcrs. */
static uint32_t seal_mask(const struct boostd_loader *d)
{
	return 1u << d->pol->pcr | d->pol->seal_mask;
}

static json_object *pcrs_json(uint32_t mask)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < TRUST_TPM_NUM_PCRS; i++)
		if (mask & (1u << i))
			json_object_array_add(a, json_object_new_int(i));
	return a;
}

/*
 * Take the TPM for a seal or an unseal (@what), on a host whose own
 * attestation passed: 0 with the locks held (tpm_leave), or -EPERM with
 * none and @err saying why. A host that failed it seals and unseals nothing.
 */
static int tpm_enter(struct boostd_loader *d, const char *what, char *err, size_t errlen)
{
	char why[1024];

	pthread_mutex_lock(&d->tpm_lock);
	pthread_rwlock_rdlock(&d->lock);
	if (verdict_allows(d, &d->attest, why, sizeof(why)))
		return 0;
	pthread_rwlock_unlock(&d->lock);
	pthread_mutex_unlock(&d->tpm_lock);
	snprintf(err, errlen, "%s: refused: %s", what, why);
	return -EPERM;
}

static void tpm_leave(struct boostd_loader *d)
{
	pthread_rwlock_unlock(&d->lock);
	pthread_mutex_unlock(&d->tpm_lock);
}

int boostd_loader__seal(struct boostd_loader *d, const uint8_t *secret, size_t len,
			uint8_t **ret_blob, size_t *ret_len, uint32_t *ret_pcr, char *err,
			size_t errlen)
{
	int ret = tpm_enter(d, "seal", err, errlen);

	if (ret)
		return ret;
	*ret_pcr = d->pol->pcr;
	ret = trust_tpm__seal(trust_gate__tpm(d->gate), seal_mask(d), secret, len, ret_blob,
			      ret_len, err, errlen);
	tpm_leave(d);
	return ret;
}

int boostd_loader__unseal(struct boostd_loader *d, const uint8_t *blob, size_t len,
			  uint8_t **ret_secret, size_t *ret_len, char *err, size_t errlen)
{
	int ret = tpm_enter(d, "unseal", err, errlen);

	if (ret)
		return ret;
	ret = trust_tpm__unseal(trust_gate__tpm(d->gate), blob, len, ret_secret, ret_len, err,
				errlen);
	tpm_leave(d);
	return ret;
}

/* ---- the periodic attestation -------------------------------------------- */

static json_object *work_self(struct boostd_loader *d, json_object *args, struct trust_job *job);
static void job_run(void *arg);
static void job_done(void *arg, bool stopping);

/*
 * Every attest_interval seconds: attest this host again, as a job; a
 * failure reaches the watchers (the network detaches). A tick that finds
 * a job running waits for the next one: that job may be an attestation.
 */
static void attest_tick(void *ctx)
{
	struct boostd_loader *d = ctx;
	struct trust_job *job;

	if (boostd_jobs__running(d->jobs))
		return;
	job = calloc(1, sizeof(*job));
	if (!job)
		return;
	*job = (struct trust_job){ .what = "periodic attestation", .d = d, .work = work_self };
	if (boostd_jobs__start(d->jobs, job_run, job_done, job)) {
		log_warn("periodic attestation: cannot start its job");
		free(job);
	}
}

/* ---- the sets of artifacts: last known good ------------------------------ */

static void arts_free(struct trust_artifact **arts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		trust_artifact__free(arts[i]);
	free(arts);
}

struct set_walk {
	struct boostd_loader *d;
	struct trust_artifact *man, **arts;
	size_t n;
};

/* Verified and measured like an artifact; its kind does not matter. */
static int set_walk_manifest(void *ctx, const char *path, const uint8_t **ret_text,
			     size_t *ret_len, char *err, size_t errlen)
{
	struct set_walk *w = ctx;
	int ret = trust_gate__verify(w->d->gate, path, TRUST_KIND_EXEC, &w->man, err, errlen);

	if (!ret) {
		*ret_text = w->man->data;
		*ret_len = w->man->len;
	}
	return ret;
}

static int set_walk_artifact(void *ctx, const char *path, const struct trust_manifest_artifact *a,
			     uint8_t ret_sha256[32], char *err, size_t errlen)
{
	struct set_walk *w = ctx;
	struct trust_artifact *art;
	uint32_t svn;
	bool measured;
	int ret;

	ret = artifact_verify(w->d, path, a->kind, &art, &measured, err, errlen);
	if (ret)
		return ret;
	w->arts[w->n++] = art;
	memcpy(ret_sha256, art->sha256, 32);
	if (memcmp(art->sha256, a->sha256, 32))
		return 0; /* the walk says so */
	if (artifact_svn(art, &svn, err, errlen))
		return -EKEYREJECTED;
	if (svn != a->svn)
		return errmsg__set(err, errlen, -EKEYREJECTED, "artifact %s: its security version "
				   "is not the one its manifest lists (%u)", path, a->svn);
	return 0;
}

/*
 * Verify set @set ('a' or 'b') of the policy's sets: its signed manifest,
 * then each artifact it lists, which must verify, be at or above the floor
 * and match the manifest's digest and version. 0 with the verified
 * artifacts, or -errno and @err says why (what was measured stays in the
 * log). Any thread.
 */
static int set_verify(struct boostd_loader *d, char set, struct trust_artifact ***ret_arts,
		      size_t *ret_n, char *err, size_t errlen)
{
	static const struct trust_manifest_walk walk = {
		.manifest = set_walk_manifest,
		.artifact = set_walk_artifact,
	};
	struct set_walk w = { .d = d, .arts = calloc(TRUST_MANIFEST_MAX_ARTIFACTS, sizeof(*w.arts)) };
	char why[1024];
	int ret;

	if (!w.arts)
		return errmsg__set(err, errlen, -ENOMEM, "set %c: out of memory", set);
	ret = trust_manifest__walk(d->pol->sets, set, &walk, &w, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "set %c: %s", set, why);
		arts_free(w.arts, w.n);
	} else {
		*ret_arts = w.arts;
		*ret_n = w.n;
	}
	trust_artifact__free(w.man);
	return ret;
}

/* On the loop (or at start): @arts are the artifacts in use, from set @set. */
static void set_install(struct boostd_loader *d, char set, struct trust_artifact **arts,
			size_t n)
{
	char err[1024];

	for (size_t i = 0; i < n; i++)
		if (artifact_install(d, arts[i], err, sizeof(err)))
			log_warn("%s", err);
	free(arts);
	pthread_rwlock_wrlock(&d->lock);
	d->set_active = set;
	pthread_rwlock_unlock(&d->lock);
}

/*
 * At start: set a, the running one; else set b, the previous, and the
 * fallback is logged, measured (the quote shows it) and kept for status;
 * else nothing may run.
 */
static void sets_start(struct boostd_loader *d)
{
	struct trust_artifact **arts;
	char err_a[1024], err_b[1024], err[1024];
	size_t n;

	if (!set_verify(d, 'a', &arts, &n, err_a, sizeof(err_a))) {
		set_install(d, 'a', arts, n);
		log_info("running on set a: %s/a", d->pol->sets);
		return;
	}
	if (!set_verify(d, 'b', &arts, &n, err_b, sizeof(err_b))) {
		set_install(d, 'b', arts, n);
		snprintf(d->set_reason, sizeof(d->set_reason), "%s", err_a);
		log_warn("FALLBACK to set b (the previous one), %s/b: %s", d->pol->sets, err_a);
		if (trust_gate__measure_event(d->gate, "fallback-to-set-b", err_a, err, sizeof(err)))
			log_warn("%s", err);
		return;
	}
	snprintf(d->set_reason, sizeof(d->set_reason), "%s; %s", err_a, err_b);
	log_err("no set of artifacts verifies, nothing will run: %s", d->set_reason);
	if (trust_gate__measure_event(d->gate, "no-good-set", d->set_reason, err, sizeof(err)))
		log_warn("%s", err);
}

/* ---- start and stop ----------------------------------------------------- */

static void *trust_start(const struct boostd_env *env)
{
	struct boostd_loader *d = calloc(1, sizeof(*d));
	struct attest_verdict v;
	struct trust_artifact *art;
	bool measured;
	char err[768];
	int ret;

	if (!d)
		return NULL;
	d->jobs = boostd_jobs__new(env->loop, d);
	if (!d->jobs || pthread_rwlock_init(&d->lock, NULL) ||
	    pthread_mutex_init(&d->tpm_lock, NULL)) {
		free(d->jobs);
		free(d);
		return NULL;
	}
	d->state_dir = env->state_dir;
	d->policy_path = env->trust_policy;
	ret = trust_policy__load(d->policy_path, &d->pol, d->trust_error, sizeof(d->trust_error));
	if (ret) {
		log_err("%s", d->trust_error);
		return d;
	}
	ret = trust_gate__open(d->pol, d->state_dir, &d->gate, d->trust_error,
			       sizeof(d->trust_error));
	if (ret) {
		log_err("%s", d->trust_error);
		trust_policy__free(d->pol);
		d->pol = NULL;
		return d;
	}
	/* Without the floor no rollback can be refused: the chain is down. */
	ret = trust_tpm__floor_read(trust_gate__tpm(d->gate), TRUST_TPM_FLOOR_INDEX, &d->floor,
				    err, sizeof(err));
	if (ret) {
		snprintf(d->trust_error, sizeof(d->trust_error), "rollback floor: %s", err);
		log_err("%s", d->trust_error);
		trust_gate__close(d->gate);
		d->gate = NULL;
		trust_policy__free(d->pol);
		d->pol = NULL;
		return d;
	}
	if (trust_gate__check_log(d->gate, d->pol->bank, err, sizeof(err)))
		log_warn("%s", err);
	/* Before the loop runs: no job, no other thread yet. */
	if (d->pol->sets)
		sets_start(d);
	for (size_t i = 0; i < d->pol->nartifacts; i++)
		if (artifact_verify(d, d->pol->artifacts[i].path, d->pol->artifacts[i].kind, &art,
				    &measured, err, sizeof(err)) ||
		    artifact_install(d, art, err, sizeof(err)))
			log_warn("%s", err);
	attest_run(d, &v);
	attest_install(d, &v, time(NULL));
	if (env->attest_interval) {
		d->attest_interval = env->attest_interval;
		d->attest_timer = boostd_timer__new(env->loop, attest_tick, d);
		if (!d->attest_timer || boostd_timer__arm(d->attest_timer,
							  env->attest_interval * 1000ull,
							  env->attest_interval * 1000ull))
			log_err("periodic attestation: cannot make its timer: %s", strerror(errno));
	}
	return d;
}

static void trust_stop(void *obj)
{
	struct boostd_loader *d = obj;

	boostd_timer__free(d->attest_timer);
	/* A TPM that does not answer must not hold boostd's stop. */
	if (!boostd_jobs__free(d->jobs, "trust", 1000))
		return; /* the job still holds d */
	pthread_rwlock_destroy(&d->lock);
	pthread_mutex_destroy(&d->tpm_lock);
	for (size_t i = 0; i < d->nartifacts; i++)
		trust_artifact__free(d->artifacts[i]);
	for (size_t i = 0; i < d->nsuperseded; i++)
		trust_artifact__free(d->superseded[i]);
	free(d->artifacts);
	trust_gate__close(d->gate);
	trust_policy__free(d->pol);
	free(d);
}

/* boostd's `status show`: the trust chain and whether data paths may attach. */
static json_object *set_json(const struct boostd_loader *d);

static void trust_status(void *obj, json_object *r)
{
	struct boostd_loader *d = obj;
	const struct trust_job *job;
	char why[1024] = "";

	if (d->trust_error[0]) {
		json_object_object_add(r, "trust", json_object_new_string(d->trust_error));
	} else {
		json_object *reasons = json_object_new_array();

		json_object_object_add(r, "attested", json_object_new_boolean(d->attest.trusted));
		for (size_t i = 0; i < d->attest.nreasons; i++)
			json_object_array_add(reasons, json_object_new_string(d->attest.reasons[i]));
		json_object_object_add(r, "attestation", reasons);
		if (d->pol->sets)
			json_object_object_add(r, "trust_set", set_json(d));
	}
	if ((job = boostd_jobs__running(d->jobs)))
		json_object_object_add(r, "trust_running", json_object_new_string(job->what));
	json_object_object_add(r, "data_paths_allowed",
			       json_object_new_boolean(boostd_loader__may_attach(d, why, sizeof(why))));
	if (why[0])
		json_object_object_add(r, "data_paths_refused", json_object_new_string(why));
}

/* The trust object's metrics: where the artifacts came from, and the floor. */
static void trust_metrics(void *obj, FILE *out)
{
	struct boostd_loader *d = obj;

	if (d->trust_error[0])
		return;
	if (d->pol->sets) {
		prom__family(out, "boost_trust_set_fallback", "gauge",
			     "1 if boostd runs on set b, the previous set of artifacts, because set "
			     "a did not verify");
		prom__u64(out, "boost_trust_set_fallback", d->set_active == 'b', NULL);
		prom__family(out, "boost_trust_set_none", "gauge",
			     "1 if neither set of artifacts verifies and nothing may run");
		prom__u64(out, "boost_trust_set_none", d->set_active == 0, NULL);
	}
	prom__family(out, "boost_trust_attested", "gauge",
		     "1 if this host passed its last own attestation");
	prom__u64(out, "boost_trust_attested", d->attest.trusted, NULL);
	prom__family(out, "boost_trust_attestations_total", "counter",
		     "Own attestations of this host: at start, periodic, asked for");
	prom__u64(out, "boost_trust_attestations_total", d->attest_runs, NULL);
	prom__family(out, "boost_trust_attestation_failures_total", "counter",
		     "Own attestations of this host that failed");
	prom__u64(out, "boost_trust_attestation_failures_total", d->attest_failures, NULL);
	prom__family(out, "boost_trust_floor", "gauge",
		     "The rollback floor per kind of artifact: lower security versions are "
		     "refused");
	prom__u64(out, "boost_trust_floor", trust_svn__floor(d->floor.bits, TRUST_KIND_BPF), "kind",
		  "bpf", NULL);
	prom__u64(out, "boost_trust_floor", trust_svn__floor(d->floor.bits, TRUST_KIND_EXEC),
		  "kind", "exec", NULL);
}

/* ---- handlers ----------------------------------------------------------- */

static json_object *artifact_json(const struct trust_artifact *a)
{
	json_object *o = json_object_new_object();
	char err[512];
	uint32_t svn;

	json_object_object_add(o, "path", json_object_new_string(a->path));
	json_object_object_add(o, "kind", json_object_new_string(trust_kind__name(a->kind)));
	json_object_object_add(o, "sha256", hex_string(a->sha256, 32));
	json_object_object_add(o, "size", json_object_new_uint64(a->len));
	json_object_object_add(o, "signer", json_object_new_string(a->signer));
	if (!artifact_svn(a, &svn, err, sizeof(err)))
		json_object_object_add(o, "svn", json_object_new_int64(svn));
	return o;
}

/* Where the artifacts came from, with the policy's sets. */
static json_object *set_json(const struct boostd_loader *d)
{
	json_object *o = json_object_new_object();
	char active[2] = { d->set_active, 0 };

	json_object_object_add(o, "dir", json_object_new_string(d->pol->sets));
	json_object_object_add(o, "active", d->set_active ? json_object_new_string(active) : NULL);
	json_object_object_add(o, "fallback", json_object_new_boolean(d->set_active == 'b'));
	if (d->set_reason[0])
		json_object_object_add(o, "reason", json_object_new_string(d->set_reason));
	return o;
}

/* The rollback floor @f: its index, whether it is protected, each kind's floor. */
static json_object *floor_json(const struct trust_tpm_floor *f)
{
	json_object *o = json_object_new_object();
	char index[16];

	snprintf(index, sizeof(index), "0x%08x", TRUST_TPM_FLOOR_INDEX);
	json_object_object_add(o, "index", json_object_new_string(index));
	json_object_object_add(o, "defined", json_object_new_boolean(f->defined));
	if (f->defined)
		json_object_object_add(o, "protected", json_object_new_boolean(f->protected));
	json_object_object_add(o, "bpf",
			       json_object_new_int64(trust_svn__floor(f->bits, TRUST_KIND_BPF)));
	json_object_object_add(o, "exec",
			       json_object_new_int64(trust_svn__floor(f->bits, TRUST_KIND_EXEC)));
	return o;
}

static json_object *attest_json(const struct attest_verdict *v, time_t at)
{
	json_object *o = json_object_new_object(), *reasons = json_object_new_array();

	json_object_object_add(o, "trusted", json_object_new_boolean(v->trusted));
	json_object_object_add(o, "at", json_object_new_int64(at));
	json_object_object_add(o, "entries", json_object_new_uint64(v->pos.entries));
	json_object_object_add(o, "replayed", json_object_new_uint64(v->replayed));
	for (size_t i = 0; i < v->nreasons; i++)
		json_object_array_add(reasons, json_object_new_string(v->reasons[i]));
	json_object_object_add(o, "reasons", reasons);
	return o;
}

/* The kernel's IMA ($BOOST_KERNEL_IMA_DIR for tests), checked at each request. */
static json_object *kernel_ima_json(struct boostd_loader *d)
{
	const char *dir = getenv("BOOST_KERNEL_IMA_DIR");
	struct trust_kernel_ima k;
	json_object *o = json_object_new_object();
	char err[256];

	if (trust_kernel_ima__check(trust_gate__tpm(d->gate),
				    dir && *dir ? dir : TRUST_KERNEL_IMA_DIR, &k, err, sizeof(err)))
		snprintf(k.reason, sizeof(k.reason), "%s", err);
	json_object_object_add(o, "present", json_object_new_boolean(k.present));
	if (!k.present)
		return o;
	json_object_object_add(o, "replays", json_object_new_boolean(k.replays));
	json_object_object_add(o, "entries", json_object_new_uint64(k.entries));
	json_object_object_add(o, "boostd", json_object_new_string(k.boostd_path));
	json_object_object_add(o, "boostd_measured", json_object_new_boolean(k.boostd_measured));
	json_object_object_add(o, "boost_ublk_measured", json_object_new_boolean(k.ublk_measured));
	if (k.reason[0])
		json_object_object_add(o, "reason", json_object_new_string(k.reason));
	return o;
}

/* ---- requests, as jobs ------------------------------------------------- */

/* On the job's thread: attest this host now; job_done installs the verdict. */
static void job_attest(struct boostd_loader *d, struct trust_job *job)
{
	attest_run(d, &job->verdict);
	job->attested_at = time(NULL);
	job->attested = true;
}

static void job_run(void *arg)
{
	struct trust_job *job = arg;

	pthread_mutex_lock(&job->d->tpm_lock);
	job->resp = job->work(job->d, job->args, job);
	pthread_mutex_unlock(&job->d->tpm_lock);
}

static void job_done(void *arg, bool stopping)
{
	struct trust_job *job = arg;
	struct boostd_loader *d = job->d;
	json_object *resp = job->resp;
	char err[1024];

	if (job->art && artifact_install(d, job->art, err, sizeof(err))) {
		json_object_put(resp);
		resp = proto__error("%s", err);
	}
	if (job->attested)
		attest_install(d, &job->verdict, job->attested_at);
	if (job->set_arts) {
		set_install(d, 'a', job->set_arts, job->set_n);
		pthread_rwlock_wrlock(&d->lock);
		d->set_reason[0] = '\0';
		pthread_rwlock_unlock(&d->lock);
		log_info("promoted: set b is set a now, %s/a", d->pol->sets);
	}
	if (job->floor_read) {
		d->floor = job->floor;
		log_info("rollback floor raised: bpf %u, exec %u",
			 trust_svn__floor(d->floor.bits, TRUST_KIND_BPF),
			 trust_svn__floor(d->floor.bits, TRUST_KIND_EXEC));
	}
	if (stopping) {
		json_object_put(resp);
		resp = proto__error("trust: boostd is stopping");
	}
	if (job->req)
		boostd_request__reply(job->req, resp);
	else
		json_object_put(resp); /* the periodic attestation's: no one asked */
	json_object_put(job->args);
	free(job);
}

/* Run @work as a job, after the job running now if there is one. */
static json_object *job_request(struct boostd_loader *d, json_object *args,
				struct boostd_request *req, const char *what,
				boostd_handler_fn self, trust_work_fn work)
{
	struct trust_job *job;
	int ret;

	if (boostd_jobs__running(d->jobs))
		return boostd_jobs__keep(d->jobs, self, args, req);
	if (d->trust_error[0])
		return trust_down(d);
	job = calloc(1, sizeof(*job));
	if (!job)
		return proto__error("trust: out of memory");
	*job = (struct trust_job){ .what = what, .d = d, .req = req,
				   .args = json_object_get(args), .work = work };
	ret = boostd_jobs__start(d->jobs, job_run, job_done, job);
	if (!ret)
		return NULL;
	json_object_put(job->args);
	free(job);
	return proto__error("trust: cannot start a job: %s", strerror(-ret));
}

static json_object *work_status(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	json_object *r = json_object_new_object(), *arts, *banks;
	struct trust_gate_stats st;
	uint16_t algs[TRUST_TPM_MAX_BANKS];
	int n = 0;

	trust_gate__stats(d->gate, &st);
	json_object_object_add(r, "up", json_object_new_boolean(1));
	json_object_object_add(r, "policy", json_object_new_string(d->pol->path));
	json_object_object_add(r, "pcr", json_object_new_int(d->pol->pcr));
	banks = json_object_new_array();
	trust_tpm__banks(trust_gate__tpm(d->gate), algs, &n);
	for (int i = 0; i < n; i++)
		json_object_array_add(banks,
				      json_object_new_string(trust_quote__alg_name(algs[i])));
	json_object_object_add(r, "banks", banks);
	json_object_object_add(r, "log", json_object_new_string(trust_gate__log_path(d->gate, 0)));
	json_object_object_add(r, "measured", json_object_new_int(st.measured));
	json_object_object_add(r, "refused", json_object_new_int(st.refused));
	json_object_object_add(r, "tpm_commands", json_object_new_int(st.tpm_commands));
	arts = json_object_new_array();
	for (size_t i = 0; i < d->nartifacts; i++)
		json_object_array_add(arts, artifact_json(d->artifacts[i]));
	json_object_object_add(r, "artifacts", arts);
	arts = json_object_new_array();
	for (size_t i = 0; i < d->nsuperseded; i++)
		json_object_array_add(arts, artifact_json(d->superseded[i]));
	json_object_object_add(r, "superseded", arts);
	json_object_object_add(r, "attestation", attest_json(&d->attest, d->attested_at));
	if (d->attest_interval)
		json_object_object_add(r, "attest_interval", json_object_new_int(d->attest_interval));
	json_object_object_add(r, "attestations", json_object_new_uint64(d->attest_runs));
	json_object_object_add(r, "attestation_failures",
			       json_object_new_uint64(d->attest_failures));
	json_object_object_add(r, "floor", floor_json(&d->floor));
	if (d->pol->sets)
		json_object_object_add(r, "set", set_json(d));
	json_object_object_add(r, "kernel_ima", kernel_ima_json(d));
	return proto__ok(r);
}

static json_object *work_load(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	const char *path = json_arg__str(args, "path"), *kind_name = json_arg__str(args, "kind");
	enum trust_kind kind;
	bool measured = false;
	char err[1024];
	int ret;

	if (!path || path[0] != '/')
		return proto__error("trust load: 'path' must be an absolute path");
	if (!kind_name || trust_kind__parse(kind_name, &kind))
		return proto__error("trust load: 'kind' must be \"bpf\", \"exec\" or \"closure\"");
	ret = artifact_verify(d, path, kind, &job->art, &measured, err, sizeof(err));
	/* Measured: the PCR and the log moved, so the host's verdict must follow. */
	if (measured)
		job_attest(d, job);
	if (ret)
		return proto__error("%s", err);
	return proto__ok(artifact_json(job->art));
}

static json_object *work_seal(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	char err[1024];
	struct trust_tpm *tpm;
	uint8_t *secret = NULL, *blob = NULL;
	size_t len, blob_len;
	json_object *r;
	int ret;

	if (hex_arg(args, "secret", TRUST_TPM_MAX_SECRET, &secret, &len))
		return proto__error("trust seal: 'secret' must be 1 to %d bytes, in hex",
				    TRUST_TPM_MAX_SECRET);
	tpm = trust_gate__tpm(d->gate);
	ret = trust_tpm__seal(tpm, seal_mask(d), secret, len, &blob, &blob_len, err, sizeof(err));
	OPENSSL_cleanse(secret, len);
	free(secret);
	if (ret)
		return proto__error("trust seal: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "pcr", json_object_new_int(d->pol->pcr));
	if (d->pol->seal_mask)
		json_object_object_add(r, "pcrs", pcrs_json(seal_mask(d)));
	json_object_object_add(r, "blob", hex_string(blob, blob_len));
	free(blob);
	return proto__ok(r);
}

static json_object *work_unseal(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	char err[1024];
	struct trust_tpm *tpm;
	uint8_t *secret = NULL, *blob = NULL;
	size_t len, blob_len;
	json_object *r;
	int ret;

	if (hex_arg(args, "blob", BLOB_HEX_MAX, &blob, &blob_len))
		return proto__error("trust unseal: 'blob' must be a sealed blob, in hex");
	/* A host that fails its attestation unseals nothing: check it now. */
	job_attest(d, job);
	if (!verdict_allows(d, &job->verdict, err, sizeof(err))) {
		free(blob);
		return proto__error("trust unseal: refused: %s", err);
	}
	tpm = trust_gate__tpm(d->gate);
	ret = trust_tpm__unseal(tpm, blob, blob_len, &secret, &len, err, sizeof(err));
	free(blob);
	if (ret)
		return proto__error("trust unseal: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "secret", hex_string(secret, len));
	OPENSSL_cleanse(secret, len);
	free(secret);
	return proto__ok(r);
}

/*
 * The directory a quote goes to, opened once: one boostd makes, or one that
 * root owns and nobody else may write, so that no one can plant a link in
 * it for root to write through.
 */
static int open_out_dir(const char *out, int *ret_fd, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	if (mkdir(out, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", out, strerror(errno));
		return ret;
	}
	fd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", out,
			 errno == ELOOP || errno == ENOTDIR ? "not a directory (or a symbolic link)"
							    : strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		snprintf(err, errlen, "%s: must be owned by root and not writable by group or "
			 "others (owner uid %u, mode %03o)", out, (unsigned)st.st_uid,
			 (unsigned)(st.st_mode & 0777));
		close(fd);
		return -EPERM;
	}
	*ret_fd = fd;
	return 0;
}

/* Copy files @names (NULL-ended) from @from (boostd's own) into @dirfd. */
static int copy_files(const char *from, const char *const *names, int dirfd, const char *out,
		      char *err, size_t errlen)
{
	char path[4200];
	uint8_t *buf;
	size_t len;
	int ret;

	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", from, names[i]);
		ret = fileio__read(path, 256u << 20, O_NOFOLLOW, &buf, &len);
		if (!ret) {
			ret = fileio__write_at(dirfd, names[i], buf, len, 0644);
			free(buf);
		}
		if (ret) {
			snprintf(err, errlen, "%s/%s: %s", out, names[i], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static json_object *work_quote(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	const char *out = json_arg__str(args, "out");
	uint8_t *nonce = NULL;
	size_t nonce_len;
	char err[1024], tmp[4096];
	json_object *r;
	int ret, dirfd = -1;

	if (hex_arg(args, "nonce", TRUST_TPM_MAX_NONCE, &nonce, &nonce_len) ||
	    nonce_len < TRUST_TPM_MIN_NONCE) {
		free(nonce);
		return proto__error("attest quote: the nonce must be %d to %d bytes (at least "
				    "128 bits), in hex", TRUST_TPM_MIN_NONCE, TRUST_TPM_MAX_NONCE);
	}
	if (!out || out[0] != '/') {
		free(nonce);
		return proto__error("attest quote: 'out' must be an absolute path");
	}
	ret = open_out_dir(out, &dirfd, err, sizeof(err));
	if (!ret)
		ret = state_tmpdir(d, "quote", tmp, sizeof(tmp), err, sizeof(err));
	if (!ret) {
		static const char *const names[] = { TRUST_TPM_AK_PEM, TRUST_TPM_QUOTE_MSG,
						     TRUST_TPM_QUOTE_SIG, TRUST_TPM_QUOTE_PCRS,
						     TRUST_LOG_BINARY, TRUST_LOG_ASCII, NULL };

		ret = write_quote(d, nonce, nonce_len, tmp, err, sizeof(err));
		if (!ret)
			ret = copy_files(tmp, names, dirfd, out, err, sizeof(err));
		nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	free(nonce);
	if (dirfd >= 0)
		close(dirfd);
	if (ret)
		return proto__error("attest quote: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "out", json_object_new_string(out));
	json_object_object_add(r, "pcr", json_object_new_int(d->pol->pcr));
	json_object_object_add(r, "bank", json_object_new_string(d->pol->bank));
	return proto__ok(r);
}

static json_object *work_self(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	job_attest(d, job);
	return proto__ok(attest_json(&job->verdict, job->attested_at));
}


/*
 * The lowest version among the artifacts of @kind in use (the newest of
 * each name): what the floor may rise to without refusing any of them.
 * false if there is none of that kind.
 */
static bool kind_version(struct boostd_loader *d, enum trust_kind kind, uint32_t *ret,
			 char *err, size_t errlen)
{
	bool any = false;

	for (size_t i = d->nartifacts; i-- > 0;) {
		const struct trust_artifact *a = d->artifacts[i];
		uint32_t svn;
		bool newer = false;

		for (size_t j = i + 1; j < d->nartifacts; j++)
			if (d->artifacts[j]->kind == kind &&
			    artifact_same_name(d->artifacts[j], a))
				newer = true;
		if (a->kind != kind || newer || artifact_svn(a, &svn, err, errlen))
			continue;
		if (!any || svn < *ret)
			*ret = svn;
		any = true;
	}
	return any;
}

/*
 * `trust commit-version`: raise the floor of each kind (or of args' "kind")
 * to the lowest version in use, after a new version has run well. Never
 * done by itself: a bad update must leave a way back.
 */
static json_object *work_commit(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	static const enum trust_kind kinds[] = { TRUST_KIND_BPF, TRUST_KIND_EXEC };
	const char *only = json_arg__str(args, "kind");
	json_object *r, *was = json_object_new_object();
	uint64_t bits = 0, bit;
	enum trust_kind only_kind;
	char err[1024];
	uint32_t svn = 0;
	int ret;

	if (only && (trust_kind__parse(only, &only_kind) || only_kind == TRUST_KIND_CLOSURE)) {
		json_object_put(was);
		return proto__error("trust commit-version: 'kind' must be \"bpf\" or \"exec\"");
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		uint32_t floor = trust_svn__floor(d->floor.bits, kinds[i]);

		json_object_object_add(was, trust_kind__name(kinds[i]), json_object_new_int64(floor));
		if ((only && kinds[i] != only_kind) || !kind_version(d, kinds[i], &svn, err,
								     sizeof(err)) || svn <= floor)
			continue;
		if (trust_svn__floor_bit(kinds[i], svn, &bit)) {
			json_object_put(was);
			return proto__error("trust commit-version: %s artifacts: security version "
					    "%u is beyond what the floor holds (1 to %d)",
					    trust_kind__name(kinds[i]), svn, TRUST_SVN_FLOOR_MAX);
		}
		bits |= bit;
	}
	job->floor = d->floor;
	if (bits) {
		ret = trust_tpm__floor_set(trust_gate__tpm(d->gate), TRUST_TPM_FLOOR_INDEX, bits, err,
					   sizeof(err));
		if (!ret)
			ret = trust_tpm__floor_read(trust_gate__tpm(d->gate), TRUST_TPM_FLOOR_INDEX,
						    &job->floor, err, sizeof(err));
		if (ret) {
			json_object_put(was);
			return proto__error("trust commit-version: %s", err);
		}
		job->floor_read = true;
	}
	r = floor_json(&job->floor);
	json_object_object_add(r, "was", was);
	return proto__ok(r);
}

/*
 * `trust promote`: set b (an update staged there) becomes set a, the
 * running one, and set a becomes b, the previous. Set b is verified where
 * it is; only then are the two directories exchanged, in one rename, and
 * its artifacts (their bytes sealed already) named by their new paths. If
 * it does not verify, nothing changed. The objects take the new artifacts
 * at their next load (`net upgrade`).
 */
static json_object *work_promote(struct boostd_loader *d, json_object *args,
				 struct trust_job *job)
{
	char a[4200], b[4200], err[2048];
	json_object *r, *arts;
	size_t blen;

	if (!d->pol->sets)
		return proto__error("trust promote: the trust policy %s names no 'sets'",
				    d->pol->path);
	snprintf(a, sizeof(a), "%s/a/", d->pol->sets);
	snprintf(b, sizeof(b), "%s/b/", d->pol->sets);
	if (set_verify(d, 'b', &job->set_arts, &job->set_n, err, sizeof(err)))
		return proto__error("trust promote: the staged set does not verify, nothing "
				    "changed: %s", err);
	a[strlen(a) - 1] = b[strlen(b) - 1] = '\0';
	if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) < 0) {
		arts_free(job->set_arts, job->set_n);
		job->set_arts = NULL;
		return proto__error("trust promote: cannot exchange %s and %s: %s", a, b,
				    strerror(errno));
	}
	/* SETS/b/FILE is SETS/a/FILE now: the same length, one letter apart. */
	blen = strlen(b);
	for (size_t i = 0; i < job->set_n; i++)
		job->set_arts[i]->path[blen - 1] = 'a';
	r = json_object_new_object();
	json_object_object_add(r, "active", json_object_new_string("a"));
	json_object_object_add(r, "dir", json_object_new_string(a));
	arts = json_object_new_array();
	for (size_t i = 0; i < job->set_n; i++)
		json_object_array_add(arts, artifact_json(job->set_arts[i]));
	json_object_object_add(r, "artifacts", arts);
	return proto__ok(r);
}

/*
 * `attest enroll`: what a verifier needs to bind this host's AK to its EK
 * (trust_tpm.h): the EK and the AK, public, and the EK certificate where
 * the TPM has one, into the directory 'out'.
 */
static json_object *work_enroll(struct boostd_loader *d, json_object *args, struct trust_job *job)
{
	static const char *const names[] = { TRUST_TPM_EK_PUB, TRUST_TPM_EK_PEM, TRUST_TPM_AK_PUB,
					     TRUST_TPM_AK_PEM, NULL };
	static const char *const cert[] = { TRUST_TPM_EK_CRT, NULL };
	const char *out = json_arg__str(args, "out");
	char err[1024], tmp[4096];
	bool has_cert = false;
	json_object *r;
	int ret, dirfd = -1;

	if (!out || out[0] != '/')
		return proto__error("attest enroll: 'out' must be an absolute path");
	ret = open_out_dir(out, &dirfd, err, sizeof(err));
	if (!ret)
		ret = state_tmpdir(d, "enroll", tmp, sizeof(tmp), err, sizeof(err));
	if (!ret) {
		ret = trust_tpm__enroll(trust_gate__tpm(d->gate), tmp, &has_cert, err, sizeof(err));
		if (!ret)
			ret = copy_files(tmp, names, dirfd, out, err, sizeof(err));
		if (!ret && has_cert)
			ret = copy_files(tmp, cert, dirfd, out, err, sizeof(err));
		nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	}
	if (dirfd >= 0)
		close(dirfd);
	if (ret)
		return proto__error("attest enroll: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "out", json_object_new_string(out));
	json_object_object_add(r, "ek_certificate", json_object_new_boolean(has_cert));
	return proto__ok(r);
}

/* `attest activate`: the secret of a verifier's credential, if it is for this AK and EK. */
static json_object *work_activate(struct boostd_loader *d, json_object *args,
				  struct trust_job *job)
{
	uint8_t *cred = NULL, *secret = NULL;
	size_t cred_len, len;
	char err[1024];
	json_object *r;
	int ret;

	if (hex_arg(args, "credential", 4096, &cred, &cred_len))
		return proto__error("attest activate: 'credential' must be a credential file, in "
				    "hex");
	ret = trust_tpm__activate(trust_gate__tpm(d->gate), cred, cred_len, &secret, &len, err,
				  sizeof(err));
	free(cred);
	if (ret)
		return proto__error("attest activate: %s", err);
	r = json_object_new_object();
	json_object_object_add(r, "secret", hex_string(secret, len));
	OPENSSL_cleanse(secret, len);
	free(secret);
	return proto__ok(r);
}

static json_object *handle_status(void *obj, json_object *args, struct boostd_request *req)
{
	struct boostd_loader *d = obj;
	json_object *r;

	if (!d->trust_error[0])
		return job_request(d, args, req, "trust status", handle_status, work_status);
	r = json_object_new_object();
	json_object_object_add(r, "up", json_object_new_boolean(0));
	json_object_object_add(r, "error", json_object_new_string(d->trust_error));
	return proto__ok(r);
}

/* The other requests: their work, as a job. */
#define TRUST_JOB_HANDLER(object, what)                                                       \
	static json_object *handle_##what(void *obj, json_object *args,                       \
					  struct boostd_request *req)                         \
	{                                                                                     \
		return job_request(obj, args, req, #object " " #what, handle_##what,           \
				   work_##what);                                              \
	}
TRUST_JOB_HANDLER(trust, load)
TRUST_JOB_HANDLER(trust, seal)
TRUST_JOB_HANDLER(trust, unseal)
TRUST_JOB_HANDLER(trust, commit)
TRUST_JOB_HANDLER(trust, promote)
TRUST_JOB_HANDLER(attest, quote)
TRUST_JOB_HANDLER(attest, self)
TRUST_JOB_HANDLER(attest, enroll)
TRUST_JOB_HANDLER(attest, activate)

static const struct boostd_handler trust_handlers[] = {
	{ "trust", "status", handle_status },
	{ "trust", "load", handle_load },
	{ "trust", "seal", handle_seal },
	{ "trust", "unseal", handle_unseal },
	{ "trust", "commit-version", handle_commit },
	{ "trust", "promote", handle_promote },
	{ "attest", "quote", handle_quote },
	{ "attest", "self", handle_self },
	{ "attest", "enroll", handle_enroll },
	{ "attest", "activate", handle_activate },
	{ 0 },
};

const struct boostd_object trust_object = {
	.name = "trust",
	.start = trust_start,
	.stop = trust_stop,
	.status = trust_status,
	.metrics = trust_metrics,
	.handlers = trust_handlers,
};
