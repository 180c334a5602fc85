/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boost's measurement log, in the kernel IMA's formats so that ordinary
 * tools replay it (`evmctl ima_measurement --pcrs sha256,FILE LOG`): one
 * "ima-sig" entry per measured artifact, appended to a binary log (as
 * binary_runtime_measurements) and an ASCII one (as
 * ascii_runtime_measurements). docs/trust-formats.md has the byte layout.
 *
 * The template data of an entry is three length-prefixed fields:
 *   d-ng  "sha256:" '\0' SHA-256 of the artifact
 *   n-ng  the artifact's path, '\0'-terminated
 *   sig   its IMA signature v2 blob (may be empty)
 * and each PCR bank is extended with that bank's own hash of the template
 * data; the binary log carries the SHA-1 one, as the kernel's does.
 */
#ifndef BOOST_TRUST_LOG_H
#define BOOST_TRUST_LOG_H

#include <stddef.h>
#include <stdint.h>

/* The names of the log files, in the state directory and in a quote directory. */
#define TRUST_LOG_BINARY "binary_runtime_measurements"
#define TRUST_LOG_ASCII "ascii_runtime_measurements"

#define TRUST_LOG_TEMPLATE "ima-sig"
#define TRUST_LOG_NUM_PCRS 24
#define TRUST_LOG_DIGEST_MAX 64		/* the largest bank digest, SHA-512 */
#define TRUST_LOG_FILE_DIGEST_LEN 32	/* SHA-256 */
/*
 * An entry that records an event of boostd's (a fallback to the previous
 * set of artifacts), not a file: its name starts so, its digest is the
 * SHA-256 of the event's text, and it has no signature. A verifier reports
 * it and loads nothing by it.
 */
#define TRUST_LOG_EVENT_PREFIX "boost-event:"

/* One measurement. In entries from trust_log__parse() the pointers point
 * into the parsed buffer. */
struct trust_log_entry {
	uint32_t pcr;
	const char *path;
	uint8_t file_sha256[TRUST_LOG_FILE_DIGEST_LEN];
	const uint8_t *sig;	/* IMA signature v2 blob; NULL when sig_len is 0 */
	size_t sig_len;
};

/* Where a replay met the quoted PCR value. */
struct trust_log_position {
	size_t entries;		/* entries of the log (on any PCR) up to the match */
	size_t offset;		/* bytes of the log up to the match */
};

/*
 * The template data of @e (malloc'ed). -EINVAL for an entry that cannot be
 * logged: PCR not below 24, empty path or one with a newline, a sig_len
 * without sig.
 */
int trust_log__template_data(const struct trust_log_entry *e, uint8_t **ret_data,
			     size_t *ret_len);

/*
 * The digest that bank @bank ("sha1", "sha256", "sha384" or "sha512"; else
 * -EOPNOTSUPP) of the entry's PCR is extended with: that bank's hash of the
 * template data. @ret_digest holds TRUST_LOG_DIGEST_MAX bytes.
 */
int trust_log__template_digest(const struct trust_log_entry *e, const char *bank,
			       uint8_t *ret_digest, size_t *ret_len);

/*
 * Append @e to the binary log @bin_fd and, unless @ascii_fd is negative,
 * to the ASCII log, and fsync both. All or nothing: on a failure both
 * files are truncated back to their former size. One writer at a time.
 */
int trust_log__append(int bin_fd, int ascii_fd, const struct trust_log_entry *e);

/*
 * Call @cb for each entry of the binary log @buf, in order; a non-zero
 * return of @cb stops the walk and is returned. -EBADMSG for a malformed
 * log (truncated, lengths that disagree, a PCR index out of range, a
 * template digest that does not match its data), -EOPNOTSUPP for an entry
 * of another template than ima-sig or ima-ng or with a file digest other
 * than SHA-256; then @err (may be NULL) says where and why, for
 * "log L: REASON": "entry N at byte B: template digest does not match the
 * template data" (entries counted from 1, B the offset of the entry).
 */
int trust_log__parse(const uint8_t *buf, size_t len,
		     int (*cb)(const struct trust_log_entry *e, void *arg), void *arg,
		     char *err, size_t errlen);

/*
 * The value of PCR @pcr in bank @bank after the log's entries are extended
 * into it, from @initial (NULL: all zeros, as after reset). Replay accepts
 * any template whose data is length-prefixed fields (all but the old "ima"),
 * and extends a violation (all-zero template digest) as all 0xff, as the
 * kernel does, so it also replays a kernel IMA log. Errors as parse's.
 */
int trust_log__fold(const uint8_t *buf, size_t len, uint32_t pcr, const char *bank,
		    const uint8_t *initial, uint8_t *ret_value, size_t *ret_len,
		    char *err, size_t errlen);

/*
 * Find the prefix of the log at which PCR @pcr in bank @bank, replayed from
 * @initial (NULL: zeros), equals @quoted (a quoted PCR value): entries
 * appended after a quote are fine. On success *ret_pos is the shortest such
 * prefix (0 entries when @quoted equals the initial value); a verifier keeps
 * it, and the quoted value, to attest again from there. -ENOENT when no
 * prefix matches; -EINVAL when @quoted_len is not the bank's digest size.
 */
int trust_log__replay(const uint8_t *buf, size_t len, uint32_t pcr, const char *bank,
		      const uint8_t *initial, const uint8_t *quoted, size_t quoted_len,
		      struct trust_log_position *ret_pos, char *err, size_t errlen);

#endif
