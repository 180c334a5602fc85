/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The trust gate: the one way anything gets loaded or executed.
 *
 * trust_gate__verify() takes an artifact's path and gives back its bytes,
 * verified and measured, in a sealed memfd that every loader uses:
 *   1. open the path once (O_NOFOLLOW) and copy it into a memfd; seal the
 *      memfd so the bytes can no longer change, and map it;
 *   2. compute the SHA-256 of the mapped bytes and verify the artifact's
 *      IMA signature v2 (FILE.sig or security.ima) against the trusted
 *      signers;
 *   3. extend boost's PCR in every allocated bank, each with that bank's
 *      digest of the log entry, in one TPM2_PCR_Extend;
 *   4. append the entry to the measurement log (IMA ima-sig template);
 *   5. hand over the same mapped bytes (BPF: bpf_object__open_mem) or the
 *      sealed memfd (executables: fexecve).
 * A closure (kind closure, trust_closure.h) is also parsed and each library
 * it lists checked against the disk before step 3; after the closure's own
 * entry, each library gets one of its own: its path and SHA-256, no
 * signature (Debian signs none with boost's keys), as the kernel's IMA
 * logs a library it maps. A verifier accepts those by the signed closure
 * (attestation.golden.closures, attest.c).
 * A failure at any step returns an error naming the artifact and the
 * reason, logs the refusal, and leaves nothing measured as good.
 */
#ifndef BOOST_TRUST_GATE_H
#define BOOST_TRUST_GATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trust_closure.h"
#include "trust_log.h"
#include "trust_policy.h"

struct trust_gate;
struct trust_tpm;

struct trust_artifact {
	char *path;
	enum trust_kind kind;
	int memfd;          /* sealed: F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK */
	const uint8_t *data; /* a read-only mapping of memfd */
	size_t len;
	uint8_t sha256[32];
	char *signer;       /* the subject of the certificate that verified it */
	/* Kind closure: the parsed closure, and each library's file as checked. */
	struct trust_closure *closure;
	struct trust_closure_file *closure_files;
};

struct trust_gate_stats {
	unsigned measured;
	unsigned refused;
	unsigned tpm_commands;
};

/*
 * Open the TPM ($BOOST_TCTI, else the policy's TCTI), load the trusted
 * certificates and open the log in @state_dir. @pol must outlive the gate.
 */
int trust_gate__open(const struct trust_policy *pol, const char *state_dir,
		     struct trust_gate **ret_gate, char *err, size_t errlen);
void trust_gate__close(struct trust_gate *gate);

int trust_gate__verify(struct trust_gate *gate, const char *path, enum trust_kind kind,
		       struct trust_artifact **ret_art, char *err, size_t errlen);
void trust_artifact__free(struct trust_artifact *art);

/*
 * Start an executable artifact: fork, then fexecve() of its sealed memfd,
 * so what runs is the verified bytes, whatever the path holds now. The
 * artifact must be of kind exec and an ELF binary (a script cannot run
 * from a close-on-exec memfd). Returns 0 with the child's pid, or -errno
 * when the exec itself failed (the child has then exited).
 */
int trust_artifact__spawn(const struct trust_artifact *art, char *const argv[],
			  char *const envp[], pid_t *ret_pid);

/*
 * The same, with the child's first @nfds descriptors set: fds[i] becomes
 * its fd i (0, 1, 2: standard input, output, error; 3...: inherited, e.g. a
 * shared memory region), every other descriptor of the parent that is
 * close-on-exec stays behind. The child runs in a session of its own, so a
 * signal to the parent's process group (a terminal's Ctrl-C) is not its.
 */
#define TRUST_SPAWN_MAX_FDS 8
int trust_artifact__spawn_fds(const struct trust_artifact *art, char *const argv[],
			      char *const envp[], const int *fds, int nfds, pid_t *ret_pid);

/*
 * Measure an event (trust_log.h: TRUST_LOG_EVENT_PREFIX @name, the digest
 * of @text), so that a quote shows it happened: steps 3 and 4 alone.
 */
int trust_gate__measure_event(struct trust_gate *gate, const char *name, const char *text,
			      char *err, size_t errlen);

void trust_gate__stats(const struct trust_gate *gate, struct trust_gate_stats *ret);
struct trust_tpm *trust_gate__tpm(struct trust_gate *gate);
const char *trust_gate__log_path(const struct trust_gate *gate, int ascii);

/*
 * Check the log against the TPM: replay it in @bank and compare with the
 * PCR. Returns 0 when they agree, -EBADMSG with a reason when they do not.
 */
int trust_gate__check_log(struct trust_gate *gate, const char *bank, char *err, size_t errlen);

#endif
