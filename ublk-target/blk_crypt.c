// SPDX-License-Identifier: GPL-2.0-only
/* aes-xts-plain64 in boost-ublk's queue threads (see blk_crypt.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "blk_crypt.h"

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

/* The locked page that holds the message, and so the key. */
static struct blk_crypt_msg *key_page;

static void key_page_free(void)
{
	if (!key_page)
		return;
	OPENSSL_cleanse(key_page, page_size());
	/* munmap unlocks it too: munlock is not in the confined server's filter. */
	munmap(key_page, page_size());
	key_page = NULL;
}

int blk_crypt__read_key(int fd, struct blk_crypt *ret)
{
	struct blk_crypt_msg *m;
	size_t got = 0;
	ssize_t n;
	int err;

	_Static_assert(sizeof(struct blk_crypt_msg) == 96, "blk_crypt_msg: its wire size");
	if (key_page)
		return -EBUSY;
	/* Never a configuration file: no provider or engine loaded from disk. */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	m = mmap(NULL, page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -errno;
	key_page = m;
	/* Never swapped out, never in a core dump: before a byte of the key arrives. */
	if (mlock(m, page_size()) || madvise(m, page_size(), MADV_DONTDUMP)) {
		err = -errno;
		goto err;
	}
	while (got < sizeof(*m)) {
		n = read(fd, (char *)m + got, sizeof(*m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got != sizeof(*m) || memcmp(m->magic, BLK_CRYPT_MAGIC, sizeof(m->magic))) {
		err = -EBADMSG;
		goto err;
	}
	if (m->version != BLK_CRYPT_VERSION || m->key_len != BLK_CRYPT_KEY_BYTES ||
	    (m->sector_size != 512 && m->sector_size != 4096) || m->data_offset % 512 ||
	    m->reserved) {
		err = -EPROTO;
		goto err;
	}
	ret->key = m->key;
	ret->sector_size = m->sector_size;
	ret->sector_shift = m->sector_size == 4096 ? 12 : 9;
	ret->data_offset = m->data_offset;
	return 0;
err:
	key_page_free();
	return err;
}

void blk_crypt__wipe(struct blk_crypt *c)
{
	key_page_free();
	c->key = NULL;
}

int blk_crypt__ctx_init(const struct blk_crypt *c, struct blk_crypt_ctx *ret)
{
	EVP_CIPHER_CTX *enc = EVP_CIPHER_CTX_new(), *dec = EVP_CIPHER_CTX_new();
	const EVP_CIPHER *cipher = EVP_aes_256_xts();
	int err = -ENOMEM;

	if (!enc || !dec)
		goto err;
	err = -ENOTSUP;
	if (!cipher || EVP_CIPHER_get_key_length(cipher) != BLK_CRYPT_KEY_BYTES)
		goto err;
	/* OpenSSL refuses an XTS key whose halves are equal (-EKEYREJECTED). */
	if (!EVP_EncryptInit_ex2(enc, cipher, c->key, NULL, NULL) ||
	    !EVP_DecryptInit_ex2(dec, cipher, c->key, NULL, NULL)) {
		err = -EKEYREJECTED;
		goto err;
	}
	ret->enc = enc;
	ret->dec = dec;
	return 0;
err:
	EVP_CIPHER_CTX_free(enc);
	EVP_CIPHER_CTX_free(dec);
	return err;
}

void blk_crypt__ctx_free(struct blk_crypt_ctx *x)
{
	/* OpenSSL cleanses the contexts' key schedules as it frees them. */
	EVP_CIPHER_CTX_free(x->enc);
	EVP_CIPHER_CTX_free(x->dec);
	x->enc = x->dec = NULL;
}

int blk_crypt__run(const struct blk_crypt *c, struct blk_crypt_ctx *x, bool enc, uint8_t *buf,
		   size_t len, uint64_t sector)
{
	EVP_CIPHER_CTX *ctx = enc ? x->enc : x->dec;
	size_t ss = c->sector_size, off;
	uint8_t iv[16] = { 0 };
	int outl;

	if (len % ss)
		return -EINVAL;
	for (off = 0; off < len; off += ss, sector += ss >> 9) {
		/* plain64: the sector number, little-endian, in 16 bytes. */
		for (int i = 0; i < 8; i++)
			iv[i] = (uint8_t)(sector >> (8 * i));
		if (!EVP_CipherInit_ex2(ctx, NULL, NULL, iv, -1, NULL) ||
		    !EVP_CipherUpdate(ctx, buf + off, &outl, buf + off, (int)ss) ||
		    (size_t)outl != ss)
			return -EIO;
	}
	return 0;
}
