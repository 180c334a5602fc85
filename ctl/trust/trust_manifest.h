/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A set's manifest (docs/trust.md, "Last known good"): what one set of
 * artifacts holds, by file name in the set's directory, with each file's
 * kind, SHA-256 and security version. It is signed like an artifact
 * (manifest.json.sig, IMA signature v2), and boostd runs a set only if its
 * manifest verifies and every artifact verifies and matches it.
 *
 *   {"boost_manifest": 1,
 *    "artifacts": [{"file": "net_xdp.bpf.o", "kind": "bpf",
 *                   "sha256": "<64 hex>", "svn": 1}, ...]}
 *
 * An unknown key, a wrong type, a file name with a slash, a repeated file
 * or a digest that is not 32 bytes is an error naming the field.
 */
#ifndef BOOST_TRUST_MANIFEST_H
#define BOOST_TRUST_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "trust_policy.h"

#define TRUST_MANIFEST_NAME "manifest.json"
#define TRUST_MANIFEST_MAX_ARTIFACTS 32
#define TRUST_MANIFEST_MAX_BYTES (64 * 1024)
#define TRUST_MANIFEST_MAX_FILE 128

struct trust_manifest_artifact {
	char file[TRUST_MANIFEST_MAX_FILE];
	enum trust_kind kind;
	uint8_t sha256[32];
	uint32_t svn;
};

struct trust_manifest {
	size_t n;
	struct trust_manifest_artifact a[TRUST_MANIFEST_MAX_ARTIFACTS];
};

/* Parse @len bytes of @text. -EINVAL (or -ENOMEM), @err saying why, on error. */
int trust_manifest__parse(const char *text, size_t len, struct trust_manifest *m, char *err,
			  size_t errlen);

/*
 * The manifest of the files in @dir (every regular file but the manifest
 * and the *.sig files; kind bpf for *.bpf.o, else exec), as JSON text,
 * malloc'ed. The caller writes and signs it.
 */
int trust_manifest__build(const char *dir, char **ret_text, char *err, size_t errlen);

/*
 * What a clean start opens of one set ('a' or 'b') under the policy's
 * sets directory, in the order it opens them: the manifest, then each
 * artifact it lists. manifest() reads (or verifies) the manifest and lends
 * its bytes until the walk returns; artifact() reads (or verifies) one
 * listed artifact and returns its SHA-256, which the walk checks against
 * the manifest's. Both return 0 or -errno with @err saying why.
 */
struct trust_manifest_walk {
	int (*manifest)(void *ctx, const char *path, const uint8_t **ret_text, size_t *ret_len,
			char *err, size_t errlen);
	int (*artifact)(void *ctx, const char *path, const struct trust_manifest_artifact *a,
			uint8_t ret_sha256[32], char *err, size_t errlen);
};

/*
 * Walk set @set of @sets with @w. 0, or the first error: @err names the
 * file and the reason (a digest that differs from the manifest's is
 * -EKEYREJECTED).
 */
int trust_manifest__walk(const char *sets, char set, const struct trust_manifest_walk *w,
			 void *ctx, char *err, size_t errlen);

#endif
