// SPDX-License-Identifier: GPL-2.0-only
/*
 * crypt_bench [SECONDS] [SECTOR_SIZE]: boost-ublk's encryption loop
 * (blk_crypt__run, as a queue thread runs it on a 4 KiB write) on one
 * thread for SECONDS (default 3), over 4 KiB blocks of one 256 KiB
 * buffer (a queue's IO buffer), sector size SECTOR_SIZE (4096 default).
 * Prints "encrypt_bytes_per_s N" and "decrypt_bytes_per_s N", per second
 * of this process's CPU time, as `openssl speed` counts its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "blk_crypt.h"

static double now_s(void)
{
	struct timespec ts;

	/* CPU time, as openssl speed counts it (its user time): a busy machine does not skew it. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(struct blk_crypt *c, struct blk_crypt_ctx *x, bool enc, uint8_t *buf,
		  size_t len, double secs)
{
	double start = now_s(), t;
	uint64_t bytes = 0, sector = 0;

	do {
		for (int i = 0; i < 256; i++) {
			size_t off = (size_t)(i % (len / 4096)) * 4096;

			if (blk_crypt__run(c, x, enc, buf + off, 4096, sector)) {
				fprintf(stderr, "crypt_bench: blk_crypt__run failed\n");
				exit(1);
			}
			sector += 4096 >> 9;
			bytes += 4096;
		}
		t = now_s() - start;
	} while (t < secs);
	return (double)bytes / t;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	uint32_t ss = argc > 2 ? (uint32_t)atoi(argv[2]) : 4096;
	static uint8_t buf[256 << 10];
	uint8_t key[BLK_CRYPT_KEY_BYTES];
	struct blk_crypt c = { .key = key, .sector_size = ss, .sector_shift = ss == 4096 ? 12 : 9 };
	struct blk_crypt_ctx x;

	if (ss != 512 && ss != 4096) {
		fprintf(stderr, "crypt_bench: SECTOR_SIZE must be 512 or 4096\n");
		return 2;
	}
	if (RAND_bytes(key, sizeof(key)) != 1 || RAND_bytes(buf, sizeof(buf)) != 1 ||
	    blk_crypt__ctx_init(&c, &x)) {
		fprintf(stderr, "crypt_bench: cannot set up AES-256-XTS\n");
		return 1;
	}
	printf("encrypt_bytes_per_s %.0f\n", run(&c, &x, true, buf, sizeof(buf), secs));
	printf("decrypt_bytes_per_s %.0f\n", run(&c, &x, false, buf, sizeof(buf), secs));
	blk_crypt__ctx_free(&x);
	return 0;
}
