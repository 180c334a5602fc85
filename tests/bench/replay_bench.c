// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_bench DIR N...
 *
 * The verifier's cost on a log of N entries (the same signed artifact
 * measured N times, in boost's ima-sig format), against reading the log:
 *   read:         fileio__read of the log (page cache warm): the baseline
 *   replay:       trust_log__replay to the final PCR (sha256): the hashing
 *   full check:   replay + every entry's signature verified (what
 *                 attest__verify does on a first quote)
 *   incremental:  replay + check of the one entry after the last position
 *                 (attest__verify_from, Keylime's incremental replay)
 * DIR holds the key and the log. One run; ratios against read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/fileio.h"
#include "trust/trust_log.h"
#include "trust/trust_sig.h"

struct check {
	struct trust_certs *certs;
	size_t verified;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *err)
{
	fprintf(stderr, "replay_bench: %s: %s\n", what, err);
	exit(1);
}

static int verify_entry(const struct trust_log_entry *e, void *arg)
{
	struct check *c = arg;
	const struct trust_signer *signer;

	if (trust_sig__verify(c->certs, e->sig, e->sig_len, e->file_sha256, &signer, NULL, 0))
		return -EKEYREJECTED;
	c->verified++;
	return 0;
}

static void bench(const char *dir, struct check *c, const struct trust_log_entry *e, size_t n)
{
	char path[4096], err[512];
	struct trust_log_position pos, last;
	uint8_t final[TRUST_LOG_DIGEST_MAX], before[TRUST_LOG_DIGEST_MAX], *log;
	size_t len, dlen, blen;
	double t, t_read, t_replay, t_full, t_incr;
	int fd;

	snprintf(path, sizeof(path), "%s/log-%zu", dir, n);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die(path, strerror(errno));
	for (size_t i = 0; i < n; i++)
		if (trust_log__append(fd, -1, e))
			die(path, "append failed");
	close(fd);
	if (fileio__read(path, SIZE_MAX, 0, &log, &len))
		die(path, "read failed");
	free(log);

	t = now();
	if (fileio__read(path, SIZE_MAX, 0, &log, &len))
		die(path, "read failed");
	t_read = now() - t;
	/* The quoted values: after all entries, and after all but the last. */
	if (trust_log__fold(log, len, 11, "sha256", NULL, final, &dlen, err, sizeof(err)))
		die("fold", err);
	if (trust_log__replay(log, len, 11, "sha256", NULL, final, dlen, &last, err, sizeof(err)))
		die("replay", err);
	if (trust_log__fold(log, len - (len / n), 11, "sha256", NULL, before, &blen, err,
			    sizeof(err)))
		die("fold", err);

	t = now();
	if (trust_log__replay(log, len, 11, "sha256", NULL, final, dlen, &pos, err, sizeof(err)))
		die("replay", err);
	t_replay = now() - t;

	t = now();
	if (trust_log__replay(log, len, 11, "sha256", NULL, final, dlen, &pos, err, sizeof(err)) ||
	    trust_log__parse(log, pos.offset, verify_entry, c, err, sizeof(err)) < 0)
		die("full check", err);
	t_full = now() - t;

	/* From the position before the last entry, with the PCR's value there. */
	t = now();
	if (trust_log__replay(log + len - len / n, len / n, 11, "sha256", before, final, dlen, &pos,
			      err, sizeof(err)) ||
	    trust_log__parse(log + len - len / n, pos.offset, verify_entry, c, err,
			     sizeof(err)) < 0)
		die("incremental check", err);
	t_incr = now() - t;

	printf("%8zu entries, %6.1f MiB | read %8.2f ms | replay %8.2f ms (%5.2fx read) | "
	       "full check %9.2f ms (%7.1fx) | incremental %7.3f ms (%5.3fx)\n", n,
	       len / 1048576.0, t_read * 1e3, t_replay * 1e3, t_replay / t_read, t_full * 1e3,
	       t_full / t_read, t_incr * 1e3, t_incr / t_read);
	free(log);
	unlink(path);
}

int main(int argc, char **argv)
{
	struct trust_log_entry e = { .pcr = 11, .path = "/usr/lib/boost/bpf/net_xdp.bpf.o" };
	char key[4096], cert[4096], err[512];
	struct check c = { 0 };
	EVP_PKEY *pkey;
	uint8_t *sig;
	size_t sig_len;

	if (argc < 3) {
		fprintf(stderr, "usage: replay_bench DIR N...\n");
		return 2;
	}
	snprintf(key, sizeof(key), "%s/bench.key", argv[1]);
	snprintf(cert, sizeof(cert), "%s/bench.crt", argv[1]);
	if (trust_sig__keygen(key, cert, "replay bench", 1, TRUST_KEY_EC_P256, err, sizeof(err)) ||
	    trust_sig__load_key(key, &pkey, err, sizeof(err)))
		die("key", err);
	RAND_bytes(e.file_sha256, sizeof(e.file_sha256));
	if (trust_sig__sign(pkey, e.file_sha256, &sig, &sig_len))
		die("sign", "failed");
	e.sig = sig;
	e.sig_len = sig_len;
	c.certs = trust_certs__new();
	if (!c.certs || trust_certs__add(c.certs, cert, err, sizeof(err)))
		die("certs", err);
	for (int i = 2; i < argc; i++)
		bench(argv[1], &c, &e, strtoul(argv[i], NULL, 10));
	trust_certs__free(c.certs);
	EVP_PKEY_free(pkey);
	free(sig);
	return 0;
}
