// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/errmsg.h"
#include "common/fileio.h"
#include "trust_kernel_ima.h"
#include "trust_log.h"
#include "trust_tpm.h"


static int scan_entry(const struct trust_log_entry *e, void *arg)
{
	struct trust_kernel_ima *r = arg;
	const char *base = strrchr(e->path, '/');

	r->entries++;
	if (r->boostd_path[0] && strcmp(e->path, r->boostd_path) == 0)
		r->boostd_measured = true;
	if (strcmp(base ? base + 1 : e->path, "boost-ublk") == 0)
		r->ublk_measured = true;
	return 0;
}

int trust_kernel_ima__scan(const uint8_t *bin, size_t len, struct trust_kernel_ima *r,
			   uint8_t *ret_value, size_t *ret_len, char *err, size_t errlen)
{
	char why[256];
	int ret;

	ret = trust_log__fold(bin, len, TRUST_KERNEL_IMA_PCR, "sha256", NULL, ret_value, ret_len,
			      why, sizeof(why));
	if (ret)
		return errmsg__set(err, errlen, ret, "kernel IMA log: %s", why);
	/* The kernel's templates other than ima-ng and ima-sig stop the scan. */
	if (trust_log__parse(bin, len, scan_entry, r, why, sizeof(why)) < 0)
		snprintf(r->reason, sizeof(r->reason), "kernel IMA log: not read to the end: %s",
			 why);
	return 0;
}

int trust_kernel_ima__check(struct trust_tpm *tpm, const char *dir, struct trust_kernel_ima *r,
			    char *err, size_t errlen)
{
	uint8_t *bin = NULL, value[TRUST_LOG_DIGEST_MAX];
	struct trust_tpm_digest pcr;
	char path[512], why[256];
	size_t bin_len = 0, vlen;
	ssize_t n;
	int ret;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/binary_runtime_measurements", dir);
	if (access(path, R_OK) < 0)
		return 0; /* no IMA here */
	r->present = true;

	ret = fileio__read(path, 256u << 20, 0, &bin, &bin_len);
	if (ret) {
		errmsg__set(err, errlen, ret, "kernel IMA log %s: %s", path, strerror(-ret));
		goto out;
	}
	n = readlink("/proc/self/exe", r->boostd_path, sizeof(r->boostd_path) - 1);
	r->boostd_path[n > 0 ? n : 0] = '\0';
	ret = trust_kernel_ima__scan(bin, bin_len, r, value, &vlen, err, errlen);
	if (ret)
		goto out;
	ret = trust_tpm__pcr_read(tpm, trust_quote__alg_from_name("sha256"), TRUST_KERNEL_IMA_PCR,
				  &pcr, why, sizeof(why));
	if (ret) {
		errmsg__set(err, errlen, ret, "TPM: reading PCR %d: %s", TRUST_KERNEL_IMA_PCR, why);
		goto out;
	}
	r->replays = pcr.len == vlen && memcmp(pcr.value, value, vlen) == 0;
	/* A log not read to the end says so first. */
	if (!r->replays && !r->reason[0])
		snprintf(r->reason, sizeof(r->reason),
			 "the kernel's IMA log does not replay to PCR 10 (sha256 bank)");
	ret = 0;
out:
	free(bin);
	return ret;
}
