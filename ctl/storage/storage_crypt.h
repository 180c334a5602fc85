/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An encrypted device's LUKS2 volume, on boostd's side (docs/storage.md):
 * libcryptsetup formats the header and its keyslots and gives the volume
 * key; the TPM seals the keyslot's passphrase; boost-ublk gets the key and
 * the data segment's geometry as one struct blk_crypt_msg over a pipe.
 *
 * The keyslot boostd opens has a random 32-byte passphrase (PBKDF2, 1000
 * iterations: it has 256 bits of entropy, a slow KDF adds nothing), sealed
 * to boost's PCR with the trust object's seal; the blob is in the header,
 * in a LUKS2 token of type "boost-tpm2" ({"type", "keyslots", "pcr",
 * "blob"}), so the volume carries what opens it. An optional second
 * keyslot has a recovery passphrase (argon2id), for `cryptsetup open` on
 * any machine.
 */
#ifndef BOOST_STORAGE_CRYPT_H
#define BOOST_STORAGE_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blk_crypt.h"

struct boostd_loader;

#define STORAGE_CRYPT_TOKEN "boost-tpm2"

/* Where a volume is, and what to do when it has no header yet. */
struct storage_crypt_vol {
	/* The LUKS2 header: the backing file (embedded) or a detached file. */
	const char *header;
	/*
	 * Or an NBD server's export, by its URI (nbd_uri.h): the header at its
	 * start, read and written through libnbd (header is then NULL).
	 */
	const char *nbd;
	/* How messages name the volume; NULL: by its header. */
	const char *name;
	/* A detached header's data device, for its geometry at format; NULL: none (mem). */
	const char *data;
	bool detached;
	/*
	 * Format it anew whatever it holds (mem: a new, empty device);
	 * otherwise only a volume with no header yet is formatted: a detached
	 * header file that does not exist, or a backing file whose first 4 KiB
	 * are zero. Anything else without a valid LUKS2 header is refused.
	 */
	bool fresh;
	uint32_t sector_size;            /* at format: 512 or 4096 */
	const char *recovery_passphrase; /* a file, read at format only; NULL: none */
};

/*
 * Open (or format) @vol and get its volume key into @ret, unsealing with
 * @loader: 0, with *@formatted, or -errno and @err saying why (damaged or
 * truncated header, not boost's, another cipher, a host that may not
 * unseal, a PCR that changed, a server that cannot be reached). The
 * caller wipes @ret. Blocks on the TPM, the KDFs and the NBD server: a
 * job's thread, one at a time (libcryptsetup's log is process-wide).
 */
int storage_crypt__open(const struct storage_crypt_vol *vol, struct boostd_loader *loader,
			struct blk_crypt_msg *ret, bool *formatted, char *err, size_t errlen);

/*
 * The sealed blob in a boost-tpm2 token's JSON @json: 0 with the blob
 * (malloc'ed) and its PCR, or -EBADMSG and @err says why. A parser of
 * header text: tests/fuzz/fuzz_storage_crypt_token.c.
 */
int storage_crypt__token_parse(const char *json, uint8_t **ret_blob, size_t *ret_len,
			       uint32_t *ret_pcr, char *err, size_t errlen);

#endif
