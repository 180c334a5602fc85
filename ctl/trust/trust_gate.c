// SPDX-License-Identifier: GPL-2.0-only
/* The trust gate: verify, measure, then hand over the same bytes. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/close_range.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/log.h"
#include "trust_gate.h"
#include "trust_log.h"
#include "trust_sig.h"
#include "trust_tpm.h"

#define ARTIFACT_MAX_SIZE (256u << 20)
#define LOG_MAX_SIZE (64u << 20)

struct trust_gate {
	const struct trust_policy *pol;
	struct trust_certs *certs;
	struct trust_tpm *tpm;
	uint16_t banks[TRUST_TPM_MAX_BANKS];
	int nbanks;
	int bin_fd, ascii_fd;
	char *bin_path, *ascii_path;
	unsigned measured, refused;
};

int trust_gate__check_log(struct trust_gate *g, const char *bank, char *err, size_t errlen)
{
	struct trust_tpm_digest pcr;
	uint8_t *buf = NULL, value[TRUST_LOG_DIGEST_MAX];
	char why[256];
	size_t len = 0, vlen;
	uint16_t alg = trust_quote__alg_from_name(bank);
	int ret;

	ret = fileio__read(g->bin_path, LOG_MAX_SIZE, O_NOFOLLOW, &buf, &len);
	if (ret == -ENOENT)
		ret = 0; /* no log yet: nothing measured */
	if (ret)
		return errmsg__set(err, errlen, ret, "measurement log %s: %s", g->bin_path,
				   strerror(-ret));
	ret = trust_log__fold(buf, len, g->pol->pcr, bank, NULL, value, &vlen, why, sizeof(why));
	if (ret) {
		ret = errmsg__set(err, errlen, -EBADMSG, "measurement log %s: %s", g->bin_path,
				  why);
		goto out;
	}
	ret = trust_tpm__pcr_read(g->tpm, alg, g->pol->pcr, &pcr, why, sizeof(why));
	if (ret) {
		ret = errmsg__set(err, errlen, ret, "TPM: reading PCR %u: %s", g->pol->pcr, why);
		goto out;
	}
	if (pcr.len != vlen || memcmp(pcr.value, value, vlen) != 0)
		ret = errmsg__set(err, errlen, -EBADMSG,
				  "measurement log %s does not replay to PCR %u (%s bank)",
				  g->bin_path, g->pol->pcr, bank);
out:
	free(buf);
	return ret;
}

static bool all_zero(const uint8_t *b, size_t n)
{
	while (n--)
		if (*b++)
			return false;
	return true;
}

/*
 * A log left from an earlier boot (the PCR is back at zero but the log is
 * not empty) is moved aside, so the log always describes this boot.
 */
static int rotate_stale_log(struct trust_gate *g, char *err, size_t errlen)
{
	struct trust_tpm_digest pcr;
	struct stat st;
	char old[PATH_MAX];
	int ret;

	if (stat(g->bin_path, &st) < 0 || st.st_size == 0)
		return 0;
	ret = trust_tpm__pcr_read(g->tpm, trust_quote__alg_from_name("sha256"), g->pol->pcr, &pcr,
				  err, errlen);
	if (ret || !all_zero(pcr.value, pcr.len))
		return ret;
	snprintf(old, sizeof(old), "%s.previous", g->bin_path);
	rename(g->bin_path, old);
	snprintf(old, sizeof(old), "%s.previous", g->ascii_path);
	rename(g->ascii_path, old);
	log_info("measurement log: PCR %u is zero (a new boot): earlier log moved to *.previous",
		 g->pol->pcr);
	return 0;
}

int trust_gate__open(const struct trust_policy *pol, const char *state_dir,
		     struct trust_gate **ret_gate, char *err, size_t errlen)
{
	const char *tcti = getenv("BOOST_TCTI");
	struct trust_gate *g;
	uint8_t d[TRUST_LOG_DIGEST_MAX];
	char why[512];
	size_t dlen;
	int ret, i;

	g = calloc(1, sizeof(*g));
	if (!g)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	g->pol = pol;
	g->bin_fd = g->ascii_fd = -1;

	g->certs = trust_certs__new();
	if (!g->certs) {
		ret = errmsg__set(err, errlen, -ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t s = 0; s < pol->nsigners; s++) {
		ret = trust_certs__add(g->certs, pol->signers[s], why, sizeof(why));
		if (ret) {
			errmsg__set(err, errlen, ret, "trusted signer: %s", why);
			goto fail;
		}
	}

	if (!tcti || !*tcti)
		tcti = pol->tcti;
	ret = trust_tpm__open(tcti, &g->tpm, why, sizeof(why));
	if (ret) {
		errmsg__set(err, errlen, ret, "%s", why);
		goto fail;
	}
	ret = trust_tpm__banks(g->tpm, g->banks, &g->nbanks);
	if (ret) {
		errmsg__set(err, errlen, ret, "TPM: listing PCR banks: %s", strerror(-ret));
		goto fail;
	}
	for (i = 0; i < g->nbanks; i++) {
		struct trust_log_entry probe = { .pcr = pol->pcr, .path = "probe" };

		if (trust_log__template_digest(&probe, trust_quote__alg_name(g->banks[i]), d, &dlen)) {
			ret = errmsg__set(err, errlen, -EOPNOTSUPP,
					  "TPM: PCR bank %s is allocated, and boost cannot compute "
					  "its digests", trust_quote__alg_name(g->banks[i]));
			goto fail;
		}
	}

	if (mkdir(state_dir, 0700) < 0 && errno != EEXIST) {
		ret = errmsg__set(err, errlen, -errno, "state directory %s: %s", state_dir,
				  strerror(errno));
		goto fail;
	}
	if (asprintf(&g->bin_path, "%s/%s", state_dir, TRUST_LOG_BINARY) < 0 ||
	    asprintf(&g->ascii_path, "%s/%s", state_dir, TRUST_LOG_ASCII) < 0) {
		g->bin_path = g->ascii_path = NULL;
		ret = errmsg__set(err, errlen, -ENOMEM, "out of memory");
		goto fail;
	}
	ret = rotate_stale_log(g, why, sizeof(why));
	if (ret) {
		errmsg__set(err, errlen, ret, "TPM: reading PCR %u: %s", pol->pcr, why);
		goto fail;
	}
	g->bin_fd = open(g->bin_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	g->ascii_fd = open(g->ascii_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			   0600);
	if (g->bin_fd < 0 || g->ascii_fd < 0) {
		ret = errmsg__set(err, errlen, -errno, "measurement log in %s: %s", state_dir,
				  strerror(errno));
		goto fail;
	}
	*ret_gate = g;
	return 0;
fail:
	trust_gate__close(g);
	return ret;
}

void trust_gate__close(struct trust_gate *g)
{
	if (!g)
		return;
	trust_certs__free(g->certs);
	trust_tpm__close(g->tpm);
	if (g->bin_fd >= 0)
		close(g->bin_fd);
	if (g->ascii_fd >= 0)
		close(g->ascii_fd);
	free(g->bin_path);
	free(g->ascii_path);
	free(g);
}

void trust_artifact__free(struct trust_artifact *a)
{
	if (!a)
		return;
	if (a->data)
		munmap((void *)a->data, a->len);
	if (a->memfd >= 0)
		close(a->memfd);
	free(a->path);
	free(a->signer);
	free(a->closure);
	free(a->closure_files);
	free(a);
}

/*
 * Step 1: the artifact's bytes, read once, in a sealed memfd. The opened
 * file stays open in *ret_fd, for its security.ima xattr.
 */
static int copy_sealed(const char *path, struct trust_artifact *a, int *ret_fd, char *err,
		       size_t errlen)
{
	char buf[65536], *name, *copy;
	struct stat st;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ELOOP)
			return errmsg__set(err, errlen, -ELOOP, "is a symbolic link (refused)");
		return errmsg__set(err, errlen, -errno, "%s", strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		ret = errmsg__set(err, errlen, -errno, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = errmsg__set(err, errlen, -EINVAL, "not a regular file");
		goto out;
	}
	if (st.st_size == 0 || (size_t)st.st_size > ARTIFACT_MAX_SIZE) {
		ret = errmsg__set(err, errlen, -EFBIG, "size %lld is not in 1..%u bytes",
				  (long long)st.st_size, ARTIFACT_MAX_SIZE);
		goto out;
	}

	copy = strdup(path);
	name = copy ? basename(copy) : "artifact";
	a->memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	free(copy);
	if (a->memfd < 0) {
		ret = errmsg__set(err, errlen, -errno, "memfd: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = errmsg__set(err, errlen, -errno, "read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (a->len + n > ARTIFACT_MAX_SIZE) {
			ret = errmsg__set(err, errlen, -EFBIG, "grew past %u bytes while read",
					  ARTIFACT_MAX_SIZE);
			goto out;
		}
		if (write(a->memfd, buf, n) != n) {
			ret = errmsg__set(err, errlen, -EIO, "memfd write: %s", strerror(errno));
			goto out;
		}
		a->len += n;
	}
	if (a->len == 0) {
		ret = errmsg__set(err, errlen, -EFBIG, "is empty");
		goto out;
	}
	if (fcntl(a->memfd, F_ADD_SEALS,
		  F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
		ret = errmsg__set(err, errlen, -errno, "sealing memfd: %s", strerror(errno));
		goto out;
	}
	a->data = mmap(NULL, a->len, PROT_READ, MAP_SHARED, a->memfd, 0);
	if (a->data == MAP_FAILED) {
		a->data = NULL;
		ret = errmsg__set(err, errlen, -errno, "mmap: %s", strerror(errno));
		goto out;
	}
	*ret_fd = fd;
	return 0;
out:
	close(fd);
	return ret;
}

/* Step 2: the signature, verified over the digest of the sealed bytes. */
static int verify_signature(struct trust_gate *g, const char *path, int fd,
			    struct trust_artifact *a, uint8_t **ret_sig, size_t *ret_sig_len,
			    char *err, size_t errlen)
{
	const struct trust_signer *signer;
	uint8_t *sig = NULL;
	size_t sig_len;
	int ret;

	if (!EVP_Digest(a->data, a->len, a->sha256, NULL, EVP_sha256(), NULL))
		return errmsg__set(err, errlen, -EIO, "SHA-256 failed");
	ret = trust_sig__read_for(fd, path, &sig, &sig_len, err, errlen);
	if (ret)
		return ret;
	ret = trust_sig__verify(g->certs, sig, sig_len, a->sha256, &signer, err, errlen);
	if (ret) {
		free(sig);
		return ret;
	}
	a->signer = strdup(signer->subject ? signer->subject : "?");
	*ret_sig = sig;
	*ret_sig_len = sig_len;
	return 0;
}

/* Steps 3 and 4: one extend in every bank, then the log entry. */
static int measure(struct trust_gate *g, const struct trust_log_entry *e, char *err,
		   size_t errlen)
{
	struct trust_tpm_digest digests[TRUST_TPM_MAX_BANKS];
	char why[512];
	size_t dlen;
	int i, ret;

	for (i = 0; i < g->nbanks; i++) {
		digests[i].alg = g->banks[i];
		ret = trust_log__template_digest(e, trust_quote__alg_name(g->banks[i]),
						 digests[i].value, &dlen);
		if (ret)
			return errmsg__set(err, errlen, ret, "log entry digest (%s): %s",
					   trust_quote__alg_name(g->banks[i]), strerror(-ret));
		digests[i].len = dlen;
	}
	ret = trust_tpm__extend(g->tpm, g->pol->pcr, digests, g->nbanks, why, sizeof(why));
	if (ret)
		return errmsg__set(err, errlen, ret, "TPM: extending PCR %u: %s", g->pol->pcr, why);
	ret = trust_log__append(g->bin_fd, g->ascii_fd, e);
	if (ret)
		return errmsg__set(err, errlen, ret,
				   "measured into PCR %u, but appending to the measurement log "
				   "failed (%s): attestation will fail until the next boot",
				   g->pol->pcr, strerror(-ret));
	return 0;
}

/* A closure's text parsed, and its libraries checked against the disk. */
static int closure_check(struct trust_artifact *a, char *err, size_t errlen)
{
	char why[640];
	int ret;

	a->closure = malloc(sizeof(*a->closure));
	if (!a->closure)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	ret = trust_closure__parse((const char *)a->data, a->len, a->closure, why, sizeof(why));
	if (ret)
		return errmsg__set(err, errlen, ret, "not a closure: %s", why);
	a->closure_files = calloc(a->closure->n, sizeof(*a->closure_files));
	if (!a->closure_files)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	ret = trust_closure__check(a->closure, a->closure_files, why, sizeof(why));
	if (ret)
		return errmsg__set(err, errlen, ret, "%s", why);
	return 0;
}

/* Steps 3 and 4 for each library of a checked closure, after the closure's own entry. */
static int closure_measure(struct trust_gate *g, const struct trust_artifact *a, char *err,
			   size_t errlen)
{
	char why[640];
	int ret;

	for (size_t i = 0; i < a->closure->n; i++) {
		struct trust_log_entry e = { .pcr = g->pol->pcr, .path = a->closure->libs[i].path };

		memcpy(e.file_sha256, a->closure->libs[i].sha256, sizeof(e.file_sha256));
		ret = measure(g, &e, why, sizeof(why));
		if (ret)
			return errmsg__set(err, errlen, ret, "library %s: %s", e.path, why);
	}
	return 0;
}

int trust_gate__verify(struct trust_gate *g, const char *path, enum trust_kind kind,
		       struct trust_artifact **ret_art, char *err, size_t errlen)
{
	struct trust_artifact *a;
	struct trust_log_entry e = { 0 };
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	char reason[768];
	int fd = -1, ret;

	a = calloc(1, sizeof(*a));
	if (!a)
		return errmsg__set(err, errlen, -ENOMEM, "artifact %s: out of memory", path);
	a->memfd = -1;
	a->kind = kind;
	a->path = strdup(path);
	if (!a->path) {
		ret = errmsg__set(reason, sizeof(reason), -ENOMEM, "out of memory");
		goto refuse;
	}
	ret = copy_sealed(path, a, &fd, reason, sizeof(reason));
	if (ret)
		goto refuse;
	ret = verify_signature(g, path, fd, a, &sig, &sig_len, reason, sizeof(reason));
	close(fd);
	if (ret)
		goto refuse;
	e.pcr = g->pol->pcr;
	e.path = path;
	memcpy(e.file_sha256, a->sha256, sizeof(e.file_sha256));
	e.sig = sig;
	e.sig_len = sig_len;
	if (kind == TRUST_KIND_CLOSURE) {
		ret = closure_check(a, reason, sizeof(reason));
		if (ret)
			goto refuse;
	}
	ret = measure(g, &e, reason, sizeof(reason));
	if (!ret && kind == TRUST_KIND_CLOSURE)
		ret = closure_measure(g, a, reason, sizeof(reason));
	if (ret)
		goto refuse;
	free(sig);
	g->measured++;
	if (a->closure)
		log_info("artifact %s: verified (signer %s), its %zu libraries checked, all "
			 "measured into PCR %u", path, a->signer, a->closure->n, g->pol->pcr);
	else
		log_info("artifact %s: verified (signer %s) and measured into PCR %u", path,
			 a->signer, g->pol->pcr);
	*ret_art = a;
	return 0;
refuse:
	free(sig);
	trust_artifact__free(a);
	g->refused++;
	snprintf(err, errlen, "artifact %s: %s", path, reason);
	log_warn("refused %s", err);
	return ret;
}

int trust_gate__measure_event(struct trust_gate *g, const char *name, const char *text,
			      char *err, size_t errlen)
{
	struct trust_log_entry e = { .pcr = g->pol->pcr };
	char path[256], why[768];
	int ret;

	snprintf(path, sizeof(path), "%s%s", TRUST_LOG_EVENT_PREFIX, name);
	e.path = path;
	if (!EVP_Digest(text, strlen(text), e.file_sha256, NULL, EVP_sha256(), NULL))
		return errmsg__set(err, errlen, -EIO, "event %s: cannot hash it", path);
	ret = measure(g, &e, why, sizeof(why));
	if (ret)
		return errmsg__set(err, errlen, ret, "event %s: %s", path, why);
	log_info("event %s measured into PCR %u: %s", path, g->pol->pcr, text);
	return 0;
}

/* In the child: put fds[i] at fd i (clearing close-on-exec), moving everything out of the way first. */
static int child_place_fds(int *memfd, const int *fds, int nfds)
{
	int moved[TRUST_SPAWN_MAX_FDS];

	*memfd = fcntl(*memfd, F_DUPFD_CLOEXEC, 64);
	if (*memfd < 0)
		return -errno;
	for (int i = 0; i < nfds; i++) {
		moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 64);
		if (moved[i] < 0)
			return -errno;
	}
	for (int i = 0; i < nfds; i++) {
		if (dup2(moved[i], i) < 0)
			return -errno;
	}
	return 0;
}

int trust_artifact__spawn_fds(const struct trust_artifact *a, char *const argv[],
			      char *const envp[], const int *fds, int nfds, pid_t *ret_pid)
{
	int pipefd[2], child_errno = 0, memfd = a->memfd, ret;
	ssize_t n;
	pid_t pid;

	if (a->kind != TRUST_KIND_EXEC || nfds < 0 || nfds > TRUST_SPAWN_MAX_FDS)
		return -EINVAL;
	/* The child reports a failed exec through a pipe that exec closes. */
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return ret;
	}
	if (pid == 0) {
		close(pipefd[0]);
		ret = 0;
		if (nfds) {
			sigset_t none;

			/* Its own session: a signal to the parent's group is not its. */
			setsid();
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			/* The report pipe must not be one of the fds overwritten. */
			n = fcntl(pipefd[1], F_DUPFD_CLOEXEC, 64);
			if (n >= 0)
				pipefd[1] = (int)n;
			ret = child_place_fds(&memfd, fds, nfds);
		}
		/*
		 * Nothing else crosses the exec: descriptors the parent inherited
		 * or a library opened without close-on-exec (the TPM's TCTI) are
		 * marked close-on-exec, the memfd and the report pipe already are.
		 */
		if (!ret && close_range(nfds > 3 ? nfds : 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
			ret = -errno;
		if (!ret)
			fexecve(memfd, argv, envp);
		child_errno = ret ? -ret : errno;
		if (write(pipefd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	do
		n = read(pipefd[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == sizeof(child_errno)) {
		waitpid(pid, NULL, 0);
		return -child_errno;
	}
	*ret_pid = pid;
	return 0;
}

int trust_artifact__spawn(const struct trust_artifact *a, char *const argv[],
			  char *const envp[], pid_t *ret_pid)
{
	return trust_artifact__spawn_fds(a, argv, envp, NULL, 0, ret_pid);
}

void trust_gate__stats(const struct trust_gate *g, struct trust_gate_stats *ret)
{
	ret->measured = g->measured;
	ret->refused = g->refused;
	ret->tpm_commands = trust_tpm__commands(g->tpm);
}

struct trust_tpm *trust_gate__tpm(struct trust_gate *g)
{
	return g->tpm;
}

const char *trust_gate__log_path(const struct trust_gate *g, int ascii)
{
	return ascii ? g->ascii_path : g->bin_path;
}
