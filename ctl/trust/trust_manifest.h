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

#endif
