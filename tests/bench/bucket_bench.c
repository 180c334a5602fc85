// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which rate bucket the policy core should keep (docs/network.md, "Rate
 * limits"): the cost per frame of each candidate of bucket.bpf.c through
 * BPF_PROG_TEST_RUN, with one CPU running it and with every CPU running it
 * at once on the same bucket (a thread pinned to each, started together),
 * where a shared bucket's cache line moves between them. Rounds
 * interleave the candidates; medians are printed.
 *
 *   bucket_bench BUILD_DIR [ROUNDS] [REPEAT]
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define die(...)                                                  \
	do {                                                      \
		fprintf(stderr, "bucket_bench: " __VA_ARGS__);    \
		fprintf(stderr, "\n");                            \
		exit(1);                                          \
	} while (0)

struct bucket {
	__u64 tat, ns_per_kb, burst_ns;
};

static const char *const progs[] = { "bucket_lookup", "bucket_percpu", "bucket_atomic",
				     "bucket_spinlock" };
#define NPROGS (sizeof(progs) / sizeof(progs[0]))
#define MAX_CPUS 64

struct run {
	int fd, cpu;
	unsigned repeat, ns;
	pthread_barrier_t *start;
};

static void *run_on_cpu(void *arg)
{
	struct run *r = arg;
	unsigned char frame[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = r->repeat);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
		die("cannot pin a thread to CPU %d", r->cpu);
	pthread_barrier_wait(r->start);
	if (bpf_prog_test_run_opts(r->fd, &opts))
		die("BPF_PROG_TEST_RUN: %s", strerror(errno));
	if (opts.retval != XDP_PASS)
		die("a frame was dropped: the bench's rate must pass them all");
	r->ns = opts.duration;
	return NULL;
}

/* ns per frame of @fd on @ncpu CPUs at once: the mean of the CPUs'. */
static unsigned run(int fd, int ncpu, unsigned repeat)
{
	struct run r[MAX_CPUS];
	pthread_t t[MAX_CPUS];
	pthread_barrier_t start;
	unsigned sum = 0;

	pthread_barrier_init(&start, NULL, ncpu);
	for (int c = 0; c < ncpu; c++) {
		r[c] = (struct run){ .fd = fd, .cpu = c, .repeat = repeat, .start = &start };
		if (pthread_create(&t[c], NULL, run_on_cpu, &r[c]))
			die("cannot start a thread");
	}
	for (int c = 0; c < ncpu; c++) {
		pthread_join(t[c], NULL);
		sum += r[c].ns;
	}
	pthread_barrier_destroy(&start);
	return sum / ncpu;
}

static int cmp(const void *a, const void *b)
{
	return *(const unsigned *)a - *(const unsigned *)b;
}

int main(int argc, char **argv)
{
	unsigned rounds = argc > 2 ? atoi(argv[2]) : 7, repeat = argc > 3 ? atoi(argv[3]) : 1000000;
	int ncpus = libbpf_num_possible_cpus();
	/* 1 ns a KiB (8 Tbit/s), a second of burst: every frame passes. */
	struct bucket b = { .ns_per_kb = 1, .burst_ns = 1000000000ull };
	unsigned t[NPROGS][2][64];
	struct bpf_object *o;
	char path[4096];
	int fds[NPROGS];
	__u32 zero = 0;

	if (argc < 2 || !rounds || rounds > 64 || !repeat)
		die("usage: bucket_bench BUILD_DIR [ROUNDS (1-64)] [REPEAT]");
	if (ncpus < 1 || ncpus > MAX_CPUS)
		die("%d CPUs: from 1 to %d", ncpus, MAX_CPUS);
	snprintf(path, sizeof(path), "%s/tests/bench/bucket.bpf.o", argv[1]);
	libbpf_set_print(NULL);
	o = bpf_object__open_file(path, NULL);
	if (!o || bpf_object__load(o))
		die("cannot load %s", path);
	for (size_t p = 0; p < NPROGS; p++)
		fds[p] = bpf_program__fd(bpf_object__find_program_by_name(o, progs[p]));
	{
		struct bucket *pc = calloc(ncpus, sizeof(*pc));
		/* The lock's word first (struct locked_bucket), zero. */
		struct { __u32 lock, pad; struct bucket b; } lb = { .b = b };

		if (!pc)
			die("out of memory");
		for (int c = 0; c < ncpus; c++)
			pc[c] = b;
		if (bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(o, "percpu")),
					&zero, pc, 0) ||
		    bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(o, "shared")),
					&zero, &b, 0) ||
		    bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(o, "locked")),
					&zero, &lb, 0))
			die("cannot write the buckets: %s", strerror(errno));
		free(pc);
	}
	for (unsigned r = 0; r < rounds; r++)
		for (size_t p = 0; p < NPROGS; p++)
			for (int k = 0; k < 2; k++)
				t[p][k][r] = run(fds[p], k ? ncpus : 1, repeat);
	printf("%-28s %12s %12s\n", "bucket, 64-byte frame", "1 CPU ns", "all CPUs ns");
	for (size_t p = 0; p < NPROGS; p++) {
		for (int k = 0; k < 2; k++)
			qsort(t[p][k], rounds, sizeof(unsigned), cmp);
		printf("%-28s %12u %12u\n", progs[p], t[p][0][rounds / 2], t[p][1][rounds / 2]);
	}
	printf("(median of %u interleaved rounds of %u runs; all CPUs: %d threads at once on one "
	       "bucket, the mean of theirs)\n", rounds, repeat, ncpus);
	bpf_object__close(o);
	return 0;
}
