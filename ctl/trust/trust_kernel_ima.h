/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's own IMA, where it runs (the guest of scripts/vm): read its
 * measurement log, replay it against PCR 10, and tell whether the kernel
 * measured boost's programs when they were executed.
 */
#ifndef BOOST_TRUST_KERNEL_IMA_H
#define BOOST_TRUST_KERNEL_IMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trust_tpm;

#define TRUST_KERNEL_IMA_DIR "/sys/kernel/security/ima"
#define TRUST_KERNEL_IMA_PCR 10

struct trust_kernel_ima {
	bool present;         /* the kernel has IMA (securityfs shows its log) */
	bool replays;         /* its log folds to PCR 10 in the sha256 bank */
	size_t entries;
	bool boostd_measured; /* an entry for the running boostd's path */
	bool ublk_measured;   /* an entry for a file named boost-ublk */
	char boostd_path[256];
	char reason[256];     /* why not, when present but not replaying or not read */
};

/*
 * Fill @ret. @dir is TRUST_KERNEL_IMA_DIR, or another directory holding the
 * two logs (for tests). Returns 0, or -errno if the check could not run,
 * with the reason in @err; a kernel without IMA is 0 with present = false.
 */
int trust_kernel_ima__check(struct trust_tpm *tpm, const char *dir, struct trust_kernel_ima *ret,
			    char *err, size_t errlen);

/*
 * The part of the check that reads the log, from memory: fold the binary
 * log @bin into PCR 10's sha256 value (@ret_value, TRUST_LOG_DIGEST_MAX
 * bytes, and @ret_len) and count its entries into @r (entries, *_measured
 * for r->boostd_path, and reason if the scan stops early). -errno with
 * @err if the log does not fold.
 */
int trust_kernel_ima__scan(const uint8_t *bin, size_t len, struct trust_kernel_ima *r,
			   uint8_t *ret_value, size_t *ret_len, char *err, size_t errlen);

#endif
