// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "attest.h"
#include "common/errmsg.h"
#include "common/fileio.h"
#include "common/hex.h"
#include "trust_closure.h"
#include "trust_log.h"
#include "trust_sig.h"
#include "trust_quote.h"

#define ATTEST_LOG_MAX (64u << 20)

static void reason(struct attest_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(struct attest_verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (v->nreasons >= ATTEST_MAX_REASONS)
		return;
	va_start(ap, fmt);
	vsnprintf(v->reasons[v->nreasons++], sizeof(v->reasons[0]), fmt, ap);
	va_end(ap);
}

struct golden_check {
	const struct trust_policy *pol;
	struct trust_certs *certs;
	struct trust_closure *closures; /* the golden ones, signed by a golden signer */
	size_t nclosures;
	size_t libraries;               /* unsigned entries a golden closure lists */
	struct attest_verdict *v;
	size_t index, limit; /* entries seen, entries in the replayed prefix */
	size_t checked;
	size_t events;
	char last_event[128];
};

static bool digest_allowed(const struct trust_golden *g, const uint8_t d[32])
{
	if (!g->ndigests)
		return true;
	for (size_t i = 0; i < g->ndigests; i++)
		if (memcmp(g->digests[i], d, 32) == 0)
			return true;
	return false;
}

/* A shared library that a golden closure lists with this path and digest. */
static bool closure_lists(const struct golden_check *c, const struct trust_log_entry *e)
{
	for (size_t i = 0; i < c->nclosures; i++)
		for (size_t j = 0; j < c->closures[i].n; j++)
			if (!strcmp(c->closures[i].libs[j].path, e->path) &&
			    !memcmp(c->closures[i].libs[j].sha256, e->file_sha256, 32))
				return true;
	return false;
}

/*
 * The policy's golden closures, each verified against the golden signers
 * (its PATH.sig or security.ima) and parsed. 0, or -errno with @err.
 */
static int load_closures(struct golden_check *c, char *err, size_t errlen)
{
	const struct trust_golden *g = &c->pol->golden;
	const struct trust_signer *signer;
	uint8_t *text = NULL, *sig = NULL, md[32];
	char why[640];
	size_t len, sig_len;
	int fd = -1, ret = 0;

	if (!g->nclosures)
		return 0;
	c->closures = calloc(g->nclosures, sizeof(*c->closures));
	if (!c->closures)
		return errmsg__set(err, errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < g->nclosures && !ret; i++) {
		const char *path = g->closures[i];

		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		ret = fd < 0 ? -errno : fileio__read_fd(fd, TRUST_CLOSURE_MAX_BYTES, &text, &len);
		if (ret) {
			ret = errmsg__set(err, errlen, ret, "golden closure %s: %s", path,
					  strerror(-ret));
			break;
		}
		ret = EVP_Digest(text, len, md, NULL, EVP_sha256(), NULL) ? 0 : -ENOMEM;
		if (!ret)
			ret = trust_sig__read_for(fd, path, &sig, &sig_len, why, sizeof(why));
		if (!ret)
			ret = trust_sig__verify(c->certs, sig, sig_len, md, &signer, why,
						sizeof(why));
		if (!ret)
			ret = trust_closure__parse((const char *)text, len, &c->closures[i], why,
						   sizeof(why));
		if (ret)
			ret = errmsg__set(err, errlen, ret, "golden closure %s: %s", path, why);
		else
			c->nclosures = i + 1;
		free(text);
		free(sig);
		text = NULL;
		sig = NULL;
		close(fd);
	}
	return ret;
}

static int check_entry(const struct trust_log_entry *e, void *arg)
{
	struct golden_check *c = arg;
	const struct trust_signer *signer;
	char why[256];
	int ret;

	if (++c->index > c->limit)
		return 1; /* past the quoted prefix: stop */
	if (e->pcr != c->pol->pcr)
		return 0;
	if (!e->sig_len && !strncmp(e->path, TRUST_LOG_EVENT_PREFIX, strlen(TRUST_LOG_EVENT_PREFIX))) {
		/* boostd's own record of an event: loads nothing, reported below. */
		c->events++;
		snprintf(c->last_event, sizeof(c->last_event), "%s", e->path);
		return 0;
	}
	c->checked++;
	if (!e->sig_len && closure_lists(c, e)) {
		c->libraries++;
		return 0;
	}
	if (!e->sig_len) {
		reason(c->v, "log entry %zu (%s): not signed%s", c->index, e->path,
		       c->nclosures ? ", and no golden closure lists it with that digest" : "");
		return 0;
	}
	ret = trust_sig__verify(c->certs, e->sig, e->sig_len, e->file_sha256, &signer, why,
				sizeof(why));
	if (ret)
		reason(c->v, "log entry %zu (%s): %s (golden signers)", c->index, e->path, why);
	if (!digest_allowed(&c->pol->golden, e->file_sha256))
		reason(c->v, "log entry %zu (%s): digest is not on the golden list", c->index,
		       e->path);
	return 0;
}

/* The check could not run: the verdict says so too. */
static int attest_fail(struct attest_verdict *v, char *err, size_t errlen, int ret,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int attest_fail(struct attest_verdict *v, char *err, size_t errlen, int ret,
		       const char *fmt, ...)
{
	char msg[sizeof(v->reasons[0])];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reason(v, "%s", msg);
	return errmsg__set(err, errlen, ret, "%s", msg);
}

int attest__verify(const struct trust_policy *pol, const char *dir, const char *ak_pem,
		   const uint8_t *nonce, size_t nonce_len, struct attest_verdict *v, char *err,
		   size_t errlen)
{
	return attest__verify_from(pol, dir, ak_pem, nonce, nonce_len, NULL, v, err, errlen);
}

int attest__verify_from(const struct trust_policy *pol, const char *dir, const char *ak_pem,
			const uint8_t *nonce, size_t nonce_len, const struct attest_position *from,
			struct attest_verdict *v, char *err, size_t errlen)
{
	struct golden_check c = { .pol = pol, .v = v };
	struct attest_position start = { 0 };
	bool restarted = false;
	struct trust_log_position pos = { 0 };
	struct trust_tpm_pcrs pcrs;
	char why[256];
	uint16_t alg = trust_quote__alg_from_name(pol->bank);
	uint8_t *log = NULL;
	size_t log_len = 0;
	char path[4096];
	int ret;

	memset(v, 0, sizeof(*v));

	/* The quote: signature, nonce, PCR digest. */
	ret = trust_quote__verify(dir, ak_pem, nonce, nonce_len, &pcrs, why, sizeof(why));
	if (ret == -ENOENT || ret == -ENOMEM)
		return attest_fail(v, err, errlen, ret, "quote: %s", why);
	if (ret) {
		reason(v, "quote: %s", why);
		return 0;
	}
	if (pcrs.alg != alg || !(pcrs.mask & (1u << pol->pcr))) {
		reason(v, "quote: does not cover PCR %u in the %s bank", pol->pcr, pol->bank);
		return 0;
	}

	/* A static golden value (attest predict) stands in for the log. */
	if (pol->golden.pcr_value_len) {
		char want[129], got[129];

		hex__encode(pol->golden.pcr_value, pol->golden.pcr_value_len, want);
		hex__encode(pcrs.value[pol->pcr], pcrs.len, got);
		if (pcrs.len != pol->golden.pcr_value_len ||
		    memcmp(pcrs.value[pol->pcr], pol->golden.pcr_value, pcrs.len)) {
			reason(v, "PCR %u (%s) is %s, not the golden value %s", pol->pcr, pol->bank,
			       got, want);
			return 0;
		}
		v->trusted = true;
		reason(v, "quote signed by the AK, nonce matches, PCR %u (%s) equals the golden "
			  "value %s", pol->pcr, pol->bank, want);
		return 0;
	}

	/* The log: replay to the quoted PCR; later entries are fine. */
	snprintf(path, sizeof(path), "%s/%s", dir, TRUST_LOG_BINARY);
	ret = fileio__read(path, ATTEST_LOG_MAX, O_NOFOLLOW, &log, &log_len);
	if (ret)
		return attest_fail(v, err, errlen, ret, "log %s: %s", path, strerror(-ret));
	if (from && from->pcr_len) {
		/* Only what follows the last trusted position (Keylime's incremental replay). */
		ret = -ENOENT;
		if (from->pcr_len == pcrs.len && from->log_offset <= log_len) {
			start = *from;
			ret = trust_log__replay(log + start.log_offset, log_len - start.log_offset,
						pol->pcr, pol->bank, start.pcr,
						pcrs.value[pol->pcr], pcrs.len, &pos, why,
						sizeof(why));
		}
		if (ret == -ENOENT) {
			restarted = true; /* said last: the first reason is the verdict's */
			memset(&start, 0, sizeof(start));
		}
	}
	if (!start.pcr_len)
		ret = trust_log__replay(log, log_len, pol->pcr, pol->bank, NULL,
					pcrs.value[pol->pcr], pcrs.len, &pos, why, sizeof(why));
	if (ret == -ENOENT) {
		reason(v, "log: no prefix of it replays to the quoted PCR %u (%s)", pol->pcr,
		       pol->bank);
		ret = 0;
		goto out;
	}
	if (ret) {
		reason(v, "log: %s", why);
		ret = 0;
		goto out;
	}
	v->replayed = pos.entries;
	v->pos.entries = start.entries + pos.entries;
	v->pos.log_offset = start.log_offset + pos.offset;
	memcpy(v->pos.pcr, pcrs.value[pol->pcr], pcrs.len);
	v->pos.pcr_len = pcrs.len;
	/* The golden policy: who signed what was measured. */
	c.certs = trust_certs__new();
	if (!c.certs) {
		ret = attest_fail(v, err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < pol->golden.nsigners; i++) {
		ret = trust_certs__add(c.certs, pol->golden.signers[i], why, sizeof(why));
		if (ret) {
			attest_fail(v, err, errlen, ret, "golden signer: %s", why);
			goto out;
		}
	}
	ret = load_closures(&c, why, sizeof(why));
	if (ret) {
		attest_fail(v, err, errlen, ret, "%s", why);
		goto out;
	}
	c.index = start.entries;
	c.limit = v->pos.entries;
	ret = trust_log__parse(log + start.log_offset, pos.offset, check_entry, &c, why,
			       sizeof(why));
	if (ret < 0) {
		reason(v, "log: %s", why);
		ret = 0;
		goto out;
	}
	ret = 0;
	if (v->nreasons == 0) {
		v->trusted = true;
		if (start.pcr_len)
			reason(v, "quote signed by the AK, nonce matches, PCR %u replayed from entry "
				  "%zu: %zu new log entries (%zu of boost's), all by golden signers",
			       pol->pcr, start.entries, pos.entries, c.checked);
		else
			reason(v, "quote signed by the AK, nonce matches, PCR %u replayed from %zu "
				  "log entries (%zu of boost's), all by golden signers", pol->pcr,
			       pos.entries, c.checked);
	}
	if (c.libraries)
		reason(v, "%zu shared librar%s of dynamic servers, each listed by a golden closure",
		       c.libraries, c.libraries > 1 ? "ies" : "y");
	if (c.events)
		reason(v, "%zu event%s of boostd's in the log, the last: %s", c.events,
		       c.events > 1 ? "s" : "", c.last_event);
out:
	if (restarted)
		reason(v, "log: it does not replay from the last position (entry %zu): replayed "
			  "from the start (a reboot?)", from->entries);
	trust_certs__free(c.certs);
	free(c.closures);
	free(log);
	return ret;
}
