/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Encryption at rest in boost-ublk: aes-xts-plain64, as dm-crypt runs it on
 * a LUKS2 volume, over any backend. boostd reads the LUKS2 header with
 * libcryptsetup and hands the volume key over a descriptor (--key-fd), in
 * one struct blk_crypt_msg; boost-ublk never sees a header, a passphrase or
 * a path of the key.
 *
 * The data path: a write is encrypted in its buffer before the backend
 * sees it, a read decrypted in its buffer after the backend filled it,
 * one sector (the volume's sector size, 512 or 4096) at a time, its IV the
 * number of its first byte in 512-byte units counted from the start of the
 * data segment, little-endian, zero-padded to 16 bytes: aes-xts-plain64 as
 * dm-crypt runs a LUKS2 volume, whose IVs stay in 512-byte units whatever
 * the sector size (no iv_large_sectors; a 4096-byte sector's IVs go 0, 8,
 * 16...). The backend sees the data segment at its offset in the backing
 * store (the header before it).
 *
 * The key lives in one locked page (mlock, MADV_DONTDUMP), wiped when the
 * server ends; each queue thread has its own pair of OpenSSL contexts made
 * from it, freed (OpenSSL clears their key schedule) when the queues end.
 */
#ifndef BOOST_BLK_CRYPT_H
#define BOOST_BLK_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The one cipher: AES-256 in XTS, two 256-bit keys. */
#define BLK_CRYPT_KEY_BYTES 64
#define BLK_CRYPT_MAGIC "BOOSTKEY"
#define BLK_CRYPT_VERSION 1

/* What boostd writes to --key-fd, little-endian, then closes its end. */
struct blk_crypt_msg {
	char magic[8];        /* BLK_CRYPT_MAGIC, no NUL */
	uint32_t version;     /* BLK_CRYPT_VERSION */
	uint32_t sector_size; /* 512 or 4096: the LUKS2 segment's sector size */
	uint64_t data_offset; /* bytes: where the data segment starts in the backend */
	uint32_t key_len;     /* BLK_CRYPT_KEY_BYTES */
	uint32_t reserved;    /* 0 */
	uint8_t key[BLK_CRYPT_KEY_BYTES];
};

/* The device's key and geometry; key points into a locked page. */
struct blk_crypt {
	uint8_t *key;
	uint32_t sector_size;
	unsigned int sector_shift;
	uint64_t data_offset;
};

/* A queue thread's contexts, keyed once. */
struct blk_crypt_ctx {
	void *enc; /* EVP_CIPHER_CTX * */
	void *dec;
};

/*
 * Read one message from @fd (until EOF, at most its size), check it, and
 * keep the key in a locked page; the message's copy is wiped. 0, or
 * -errno: -EBADMSG for a message that is not one, -EPROTO for a version
 * or a cipher geometry this build does not run.
 */
int blk_crypt__read_key(int fd, struct blk_crypt *ret);
/* Wipe and unlock the key. */
void blk_crypt__wipe(struct blk_crypt *c);

/* A pair of contexts from @c's key: 0 or -errno (-ENOTSUP: no AES-256-XTS). */
int blk_crypt__ctx_init(const struct blk_crypt *c, struct blk_crypt_ctx *ret);
void blk_crypt__ctx_free(struct blk_crypt_ctx *x);

/*
 * Encrypt (@enc) or decrypt @len bytes of @buf in place, sectors of
 * @c->sector_size, the first at 512-byte sector @sector of the data
 * segment (its IV; the next one's is @sector + sector_size / 512). @len
 * must be a multiple of the sector size. 0, or -EIO if OpenSSL fails,
 * -EINVAL if misaligned.
 */
int blk_crypt__run(const struct blk_crypt *c, struct blk_crypt_ctx *x, bool enc, uint8_t *buf,
		   size_t len, uint64_t sector);

#endif
