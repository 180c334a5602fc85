// SPDX-License-Identifier: GPL-2.0-only
/*
 * trust_bench POLICY STATE_DIR ARTIFACT ROUNDS
 *
 * The cost of the trust gate, from one run, on one artifact:
 *   plain read:     open + read into memory (what a loader does anyway)
 *   gate:           trust_gate__verify (sealed memfd, SHA-256, signature,
 *                   one PCR extend, log append)
 *   plain BPF load: read + bpf_object__open_mem + bpf_object__load
 *   verified load:  trust_gate__verify + bpf_object__open_mem + load
 * and the TPM commands the gate sends per artifact. The TPM is
 * $BOOST_TCTI (swtpm in make bench).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "common/fileio.h"
#include "common/log.h"
#include "trust/trust_gate.h"
#include "trust/trust_policy.h"
#include "trust/trust_tpm.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static uint8_t *plain_read(const char *path, size_t *ret_len)
{
	uint8_t *buf;

	if (fileio__read(path, SIZE_MAX, 0, &buf, ret_len))
		exit(1);
	return buf;
}

static void bpf_load(const void *data, size_t len)
{
	struct bpf_object *obj = bpf_object__open_mem(data, len, NULL);

	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "trust_bench: BPF load failed\n");
		exit(1);
	}
	bpf_object__close(obj);
}

int main(int argc, char **argv)
{
	struct trust_policy *pol;
	struct trust_gate *gate;
	struct trust_artifact *art;
	struct trust_gate_stats s0, s1;
	double t, plain, gated, plain_bpf, gated_bpf;
	char err[1024];
	size_t len;
	int rounds, i;

	if (argc != 5) {
		fprintf(stderr, "usage: trust_bench POLICY STATE_DIR ARTIFACT ROUNDS\n");
		return 2;
	}
	rounds = atoi(argv[4]);
	log__init("trust_bench", false);
	libbpf_set_print(quiet);
	if (trust_policy__load(argv[1], &pol, err, sizeof(err)) ||
	    trust_gate__open(pol, argv[2], &gate, err, sizeof(err))) {
		fprintf(stderr, "trust_bench: %s\n", err);
		return 1;
	}
	/* Quiet: the gate logs each load at info level. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;

	t = now();
	for (i = 0; i < rounds; i++)
		free(plain_read(argv[3], &len));
	plain = (now() - t) / rounds;

	trust_gate__stats(gate, &s0);
	t = now();
	for (i = 0; i < rounds; i++) {
		if (trust_gate__verify(gate, argv[3], TRUST_KIND_BPF, &art, err, sizeof(err)))
			return 1;
		trust_artifact__free(art);
	}
	gated = (now() - t) / rounds;
	trust_gate__stats(gate, &s1);

	t = now();
	for (i = 0; i < rounds; i++) {
		uint8_t *buf = plain_read(argv[3], &len);

		bpf_load(buf, len);
		free(buf);
	}
	plain_bpf = (now() - t) / rounds;

	t = now();
	for (i = 0; i < rounds; i++) {
		if (trust_gate__verify(gate, argv[3], TRUST_KIND_BPF, &art, err, sizeof(err)))
			return 1;
		bpf_load(art->data, art->len);
		trust_artifact__free(art);
	}
	gated_bpf = (now() - t) / rounds;

	printf("%-52s %10s %8s\n", "trust gate, one artifact", "us/load", "ratio");
	printf("%-52s %10.1f %8s\n", "plain read (baseline)", plain * 1e6, "1.00");
	printf("%-52s %10.1f %8.2f\n", "gate: verify + measure + log", gated * 1e6, gated / plain);
	printf("%-52s %10.1f %8s\n", "plain BPF load: read + open_mem + load (baseline)",
	       plain_bpf * 1e6, "1.00");
	printf("%-52s %10.1f %8.2f\n", "verified BPF load: gate + open_mem + load",
	       gated_bpf * 1e6, gated_bpf / plain_bpf);
	printf("TPM commands per artifact: %.2f (target: 1, one extend of all %s)\n",
	       (double)(s1.tpm_commands - s0.tpm_commands) / rounds, "banks");
	printf("(mean of %d rounds; TPM: swtpm over a Unix socket)\n", rounds);
	trust_gate__close(gate);
	trust_policy__free(pol);
	return 0;
}
