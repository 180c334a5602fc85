/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the libFuzzer harnesses (tests/fuzz/fuzz_*.c) share: cutting an
 * input into parts, a private temporary directory, inputs handed to
 * parsers that only read paths, and IMA logs whose template digests the
 * fuzzer cannot compute itself.
 */
#ifndef BOOST_FUZZ_INPUT_H
#define BOOST_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* Separates the parts of a multi-part input (also in each harness's dictionary). */
#define FUZZ_SPLIT "@@boost@@"

/* A part of an input: points into it. */
struct fuzz_part {
	const uint8_t *data;
	size_t len;
};

/*
 * Cut @data at each FUZZ_SPLIT into at most @max parts; the last part takes
 * the rest, separators included. Returns the number of parts (at least 1).
 */
size_t fuzz_split(const uint8_t *data, size_t len, struct fuzz_part *parts, size_t max);

/* A NUL-terminated copy of @data (malloc'ed; aborts when out of memory). */
char *fuzz_cstr(const uint8_t *data, size_t len);

/*
 * The harness's own temporary directory, made at the first call in
 * $TMPDIR, else on /dev/shm when it can (so that fsync costs nothing), and
 * removed at exit. Nothing a harness writes goes anywhere else.
 */
const char *fuzz_tmpdir(void);

/* Empty the directory @path (under fuzz_tmpdir()), keeping it. */
void fuzz_empty_dir(const char *path);

/*
 * A path that reads as @data: a memfd's /proc/self/fd/N, rewritten at each
 * call, for parsers that take only a path. The path stays the same.
 */
const char *fuzz_file(const uint8_t *data, size_t len);

/*
 * Set the SHA-1 template digest of each entry of the binary IMA log @log
 * (modified in place) to the SHA-1 of its template data, as far as its
 * framing holds, so that the fuzzer reaches the field decoding behind the
 * digest check. All-zero digests (violations) are kept.
 */
void fuzz_ima_fix_digests(uint8_t *log, size_t len);

/*
 * The log of an input that is a flags byte then a binary IMA log: a
 * malloc'ed copy, its digests set right (fuzz_ima_fix_digests) when bit 7
 * of the flags is set. NULL for an empty input.
 */
uint8_t *fuzz_ima_log(const uint8_t *data, size_t size, size_t *ret_len);

#endif
