// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of ublk-target/blk_crypt.c: the data path's aes-xts-plain64
 * loop against IEEE 1619's XTS-AES-256 vector 10, against OpenSSL's
 * one-shot per sector (IVs in 512-byte units, as dm-crypt runs LUKS2),
 * and against the kernel's xts(aes) through AF_ALG (what dm-crypt runs);
 * and the key message's checks (--key-fd).
 */
#include <check.h>
#include <errno.h>
#include <linux/if_alg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "blk_crypt.h"
#include "../check_run.h"

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

static void unhex(const char *s, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned int b;

		ck_assert_int_eq(sscanf(s + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
}

/* IEEE 1619-2007, XTS-AES-256 vector 10: data unit 0xff, 512 bytes. */
static const char v10_key[] =
	"2718281828459045235360287471352662497757247093699959574966967627"
	"3141592653589793238462643383279502884197169399375105820974944592";
static const char v10_ct[] =
	"1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b"
	"5d31e276f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd"
	"5776926c49a3095eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0"
	"c5cd4d5fff9dac89aeba122961d03a757123e9870f8acf1000020887891429ca"
	"2a3e7a7d7df7b10355165c8b9a6d0a7de8b062c4500dc4cd120c0f7418dae3d0"
	"b5781c34803fa75421c790dfe1de1834f280d7667b327f6c8cd7557e12ac3a0f"
	"93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c50841473d1a8cc81ec"
	"583e9645e07b8d9670655ba5bbcfecc6dc3966380ad8fecb17b6ba02469a020a"
	"84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140f1"
	"505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae"
	"9be69a2ffeceb1bec9de244fbe15992b11b77c040f12bd8f6a975a44a0f90c29"
	"a9abc3d4d893927284c58754cce294529f8614dcd2aba991925fedc4ae74ffac"
	"6e333b93eb4aff0479da9a410e4450e0dd7ae4c6e2910900575da401fc07059f"
	"645e8b7e9bfdef33943054ff84011493c27b3429eaedb4ed5376441a77ed4385"
	"1ad77f16f541dfd269d50d6a5f14fb0aab1cbb4c1550be97f7ab4066193c4caa"
	"773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea70b9c6e693e148c151";

static struct blk_crypt crypt_of(uint8_t *key, uint32_t sector_size)
{
	return (struct blk_crypt){ .key = key, .sector_size = sector_size,
				   .sector_shift = sector_size == 4096 ? 12 : 9 };
}

START_TEST(test_ieee_vector_10)
{
	uint8_t key[64], buf[512], ct[512];
	struct blk_crypt c;
	struct blk_crypt_ctx x;

	unhex(v10_key, key, sizeof(key));
	unhex(v10_ct, ct, sizeof(ct));
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)i;
	c = crypt_of(key, 512);
	ck_assert_int_eq(blk_crypt__ctx_init(&c, &x), 0);
	ck_assert_int_eq(blk_crypt__run(&c, &x, true, buf, sizeof(buf), 0xff), 0);
	ck_assert_mem_eq(buf, ct, sizeof(ct));
	ck_assert_int_eq(blk_crypt__run(&c, &x, false, buf, sizeof(buf), 0xff), 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], (uint8_t)i);
	blk_crypt__ctx_free(&x);
}
END_TEST

/* One sector the long way: a fresh context, the key, the IV, update, final. */
static void oneshot(const uint8_t *key, uint64_t sector, const uint8_t *in, uint8_t *out,
		    int len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t iv[16] = { 0 };
	int outl = 0, fin = 0;

	for (int i = 0; i < 8; i++)
		iv[i] = (uint8_t)(sector >> (8 * i));
	ck_assert_int_eq(EVP_EncryptInit_ex(ctx, EVP_aes_256_xts(), NULL, key, iv), 1);
	ck_assert_int_eq(EVP_EncryptUpdate(ctx, out, &outl, in, len), 1);
	ck_assert_int_eq(EVP_EncryptFinal_ex(ctx, out + outl, &fin), 1);
	ck_assert_int_eq(outl + fin, len);
	EVP_CIPHER_CTX_free(ctx);
}

static void check_oneshot(uint32_t ss, uint64_t first)
{
	enum { N = 8 };
	size_t len = (size_t)ss * N;
	uint8_t key[64], *plain = malloc(len), *buf = malloc(len), *want = malloc(len);
	struct blk_crypt c;
	struct blk_crypt_ctx x;

	ck_assert(plain && buf && want);
	ck_assert_int_eq(RAND_bytes(key, sizeof(key)), 1);
	ck_assert_int_eq(RAND_bytes(plain, (int)len), 1);
	/* IVs in 512-byte units, as dm-crypt on LUKS2: a 4096-byte sector steps by 8. */
	for (int i = 0; i < N; i++)
		oneshot(key, first + (uint64_t)i * (ss / 512), plain + (size_t)i * ss,
			want + (size_t)i * ss, (int)ss);
	c = crypt_of(key, ss);
	ck_assert_int_eq(blk_crypt__ctx_init(&c, &x), 0);
	memcpy(buf, plain, len);
	ck_assert_int_eq(blk_crypt__run(&c, &x, true, buf, len, first), 0);
	ck_assert_mem_eq(buf, want, len);
	/* The same context again: each sector starts from its own IV. */
	memcpy(buf, plain, len);
	ck_assert_int_eq(blk_crypt__run(&c, &x, true, buf, len, first), 0);
	ck_assert_mem_eq(buf, want, len);
	ck_assert_int_eq(blk_crypt__run(&c, &x, false, buf, len, first), 0);
	ck_assert_mem_eq(buf, plain, len);
	/* A sector decrypted under its neighbour's number is garbage. */
	ck_assert_int_eq(blk_crypt__run(&c, &x, false, want, ss, first + ss / 512), 0);
	ck_assert(memcmp(want, plain, ss) != 0);
	blk_crypt__ctx_free(&x);
	free(plain);
	free(buf);
	free(want);
}

START_TEST(test_oneshot_4096)
{
	check_oneshot(4096, 0);
	check_oneshot(4096, 0x123456789ab8ull); /* the IV's high bytes too */
}
END_TEST

START_TEST(test_oneshot_512)
{
	check_oneshot(512, 7);
	check_oneshot(512, UINT64_MAX - 3); /* wraps as a 64-bit counter, as plain64 */
	check_oneshot(4096, UINT64_MAX - 15);
}
END_TEST

START_TEST(test_misaligned)
{
	uint8_t key[64], buf[4096];
	struct blk_crypt c;
	struct blk_crypt_ctx x;

	memset(key, 1, 32);
	memset(key + 32, 2, 32);
	c = crypt_of(key, 4096);
	ck_assert_int_eq(blk_crypt__ctx_init(&c, &x), 0);
	ck_assert_int_eq(blk_crypt__run(&c, &x, true, buf, 512, 0), -EINVAL);
	blk_crypt__ctx_free(&x);
}
END_TEST

/*
 * The kernel's xts(aes), as dm-crypt runs it, through AF_ALG: the same
 * ciphertext for every sector. Skipped where the kernel has no AF_ALG.
 */
START_TEST(test_kernel_xts)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "skcipher",
				   .salg_name = "xts(aes)" };
	uint8_t key[64], plain[4 * 4096], ours[sizeof(plain)], theirs[4096];
	struct blk_crypt c;
	struct blk_crypt_ctx x;
	int tfm, op;

	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("SKIP-PART: no AF_ALG xts(aes) here: %s\n", strerror(errno));
		if (tfm >= 0)
			close(tfm);
		return;
	}
	ck_assert_int_eq(RAND_bytes(key, sizeof(key)), 1);
	ck_assert_int_eq(RAND_bytes(plain, sizeof(plain)), 1);
	ck_assert_int_eq(setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, sizeof(key)), 0);
	c = crypt_of(key, 4096);
	ck_assert_int_eq(blk_crypt__ctx_init(&c, &x), 0);
	memcpy(ours, plain, sizeof(plain));
	ck_assert_int_eq(blk_crypt__run(&c, &x, true, ours, sizeof(ours), 1000), 0);
	for (int s = 0; s < 4; s++) {
		char cbuf[CMSG_SPACE(sizeof(uint32_t)) +
			  CMSG_SPACE(sizeof(struct af_alg_iv) + 16)] = { 0 };
		struct iovec iov = { .iov_base = plain + s * 4096, .iov_len = 4096 };
		struct msghdr msg = { .msg_control = cbuf, .msg_controllen = sizeof(cbuf),
				      .msg_iov = &iov, .msg_iovlen = 1 };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
		struct af_alg_iv *iv;
		uint64_t sector = 1000 + s * 8; /* 512-byte units */

		cm->cmsg_level = SOL_ALG;
		cm->cmsg_type = ALG_SET_OP;
		cm->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		*(uint32_t *)CMSG_DATA(cm) = ALG_OP_ENCRYPT;
		cm = CMSG_NXTHDR(&msg, cm);
		cm->cmsg_level = SOL_ALG;
		cm->cmsg_type = ALG_SET_IV;
		cm->cmsg_len = CMSG_LEN(sizeof(struct af_alg_iv) + 16);
		iv = (struct af_alg_iv *)CMSG_DATA(cm);
		iv->ivlen = 16;
		memset(iv->iv, 0, 16);
		for (int i = 0; i < 8; i++)
			iv->iv[i] = (uint8_t)(sector >> (8 * i));
		op = accept(tfm, NULL, 0);
		ck_assert_int_ge(op, 0);
		ck_assert_int_eq(sendmsg(op, &msg, 0), 4096);
		ck_assert_int_eq(read(op, theirs, sizeof(theirs)), 4096);
		close(op);
		ck_assert_mem_eq(ours + s * 4096, theirs, 4096);
	}
	blk_crypt__ctx_free(&x);
	close(tfm);
}
END_TEST

/* A message on a pipe, as boostd writes it; -errno of reading it. */
static int read_msg(const void *m, size_t len, struct blk_crypt *c)
{
	int p[2], err;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], m, len), (ssize_t)len);
	close(p[1]);
	err = blk_crypt__read_key(p[0], c);
	close(p[0]);
	return err;
}

static struct blk_crypt_msg good_msg(void)
{
	struct blk_crypt_msg m = { .version = BLK_CRYPT_VERSION, .sector_size = 4096,
				   .data_offset = 16 << 20, .key_len = BLK_CRYPT_KEY_BYTES };

	memcpy(m.magic, BLK_CRYPT_MAGIC, sizeof(m.magic));
	for (int i = 0; i < BLK_CRYPT_KEY_BYTES; i++)
		m.key[i] = (uint8_t)(i + 1);
	return m;
}

/* The locked memory of this process, in kB (VmLck of /proc/self/status). */
static long vm_locked_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

START_TEST(test_key_message)
{
	struct blk_crypt_msg m = good_msg(), bad;
	struct blk_crypt c = { 0 };
	long before = vm_locked_kb();

	ck_assert_int_eq(read_msg(&m, sizeof(m), &c), 0);
	ck_assert_uint_eq(c.sector_size, 4096);
	ck_assert_uint_eq(c.sector_shift, 12);
	ck_assert_uint_eq(c.data_offset, 16 << 20);
	ck_assert_mem_eq(c.key, m.key, BLK_CRYPT_KEY_BYTES);
	/* The key's page is locked (ASan makes mlock a no-op), and a second key is refused. */
	if (!SANITIZED)
		ck_assert_int_gt(vm_locked_kb(), before);
	ck_assert_int_eq(read_msg(&m, sizeof(m), &c), -EBUSY);
	blk_crypt__wipe(&c);
	ck_assert_ptr_null(c.key);
	ck_assert_int_eq(vm_locked_kb(), before);

	ck_assert_int_eq(read_msg(&m, sizeof(m) - 1, &c), -EBADMSG); /* short */
	ck_assert_int_eq(read_msg(&m, 0, &c), -EBADMSG);             /* empty */
	bad = m;
	bad.magic[0] = 'X';
	ck_assert_int_eq(read_msg(&bad, sizeof(bad), &c), -EBADMSG);
	bad = m;
	bad.version = 2;
	ck_assert_int_eq(read_msg(&bad, sizeof(bad), &c), -EPROTO);
	bad = m;
	bad.key_len = 32;
	ck_assert_int_eq(read_msg(&bad, sizeof(bad), &c), -EPROTO);
	bad = m;
	bad.sector_size = 1024;
	ck_assert_int_eq(read_msg(&bad, sizeof(bad), &c), -EPROTO);
	bad = m;
	bad.data_offset = 100;
	ck_assert_int_eq(read_msg(&bad, sizeof(bad), &c), -EPROTO);
	ck_assert_ptr_null(c.key);
	ck_assert_int_eq(vm_locked_kb(), before);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blk_crypt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_ieee_vector_10);
	tcase_add_test(tc, test_oneshot_4096);
	tcase_add_test(tc, test_oneshot_512);
	tcase_add_test(tc, test_misaligned);
	tcase_add_test(tc, test_kernel_xts);
	tcase_add_test(tc, test_key_message);
	suite_add_tcase(s, tc);
	return check_run(s);
}
