// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "common/proto.h"

void config__defaults(struct boostd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->socket, sizeof(cfg->socket), "%s", PROTO_DEFAULT_SOCKET);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "/var/lib/boost");
	snprintf(cfg->trust_policy, sizeof(cfg->trust_policy), "/etc/boost/trust.json");
	cfg->client_timeout = CONFIG_DEFAULT_CLIENT_TIMEOUT;
	cfg->metrics_interval = CONFIG_DEFAULT_METRICS_INTERVAL;
	snprintf(cfg->storage_on_untrusted, sizeof(cfg->storage_on_untrusted), "keep");
}

static int config_string(json_object *v, const char *key, char *dst, size_t len,
			 char *err, size_t errlen)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "key '%s': expected a string", key);
		return -EINVAL;
	}
	s = json_object_get_string(v);
	if (!*s || strlen(s) >= len) {
		snprintf(err, errlen, "key '%s': empty or longer than %zu bytes", key, len - 1);
		return -EINVAL;
	}
	snprintf(dst, len, "%s", s);
	return 0;
}

/* An integer from @min to @max into @dst. */
static int config_uint(json_object *v, const char *key, unsigned int min, unsigned int max,
		       unsigned int *dst, char *err, size_t errlen)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int) ||
	    (n = json_object_get_int64(v)) < min || n > max) {
		snprintf(err, errlen, "key '%s': expected an integer from %u to %u", key, min, max);
		return -EINVAL;
	}
	*dst = (unsigned int)n;
	return 0;
}

int config__load(const char *path, struct boostd_config *ret_cfg, char *err, size_t errlen)
{
	struct boostd_config cfg = *ret_cfg;
	json_object *doc;
	int ret = 0;

	doc = json_object_from_file(path);
	if (!doc) {
		if (errno == ENOENT) {
			snprintf(err, errlen, "%s: no such file", path);
			return -ENOENT;
		}
		snprintf(err, errlen, "%s: not valid JSON: %s", path, json_util_get_last_err());
		return -EINVAL;
	}
	if (!json_object_is_type(doc, json_type_object)) {
		snprintf(err, errlen, "%s: expected a JSON object", path);
		ret = -EINVAL;
		goto out;
	}
	json_object_object_foreach(doc, key, v) {
		if (strcmp(key, "socket") == 0)
			ret = config_string(v, key, cfg.socket, sizeof(cfg.socket), err, errlen);
		else if (strcmp(key, "state_dir") == 0)
			ret = config_string(v, key, cfg.state_dir, sizeof(cfg.state_dir), err, errlen);
		else if (strcmp(key, "trust_policy") == 0)
			ret = config_string(v, key, cfg.trust_policy, sizeof(cfg.trust_policy),
					    err, errlen);
		else if (strcmp(key, "client_timeout") == 0)
			ret = config_uint(v, key, 1, CONFIG_MAX_CLIENT_TIMEOUT, &cfg.client_timeout,
					  err, errlen);
		else if (strcmp(key, "metrics_file") == 0)
			ret = config_string(v, key, cfg.metrics_file, sizeof(cfg.metrics_file),
					    err, errlen);
		else if (strcmp(key, "metrics_interval") == 0)
			ret = config_uint(v, key, 1, CONFIG_MAX_METRICS_INTERVAL,
					  &cfg.metrics_interval, err, errlen);
		else if (strcmp(key, "attest_interval") == 0)
			ret = config_uint(v, key, 1, CONFIG_MAX_ATTEST_INTERVAL,
					  &cfg.attest_interval, err, errlen);
		else if (strcmp(key, "storage_on_untrusted") == 0) {
			const char *s = json_object_get_string(v);

			if (!json_object_is_type(v, json_type_string) ||
			    (strcmp(s, "keep") && strcmp(s, "hold") && strcmp(s, "stop"))) {
				snprintf(err, errlen, "key 'storage_on_untrusted': expected \"keep\", "
					 "\"hold\" or \"stop\"");
				ret = -EINVAL;
			} else {
				snprintf(cfg.storage_on_untrusted, sizeof(cfg.storage_on_untrusted),
					 "%s", s);
			}
		} else if (strcmp(key, "log") == 0) {
			const char *s = json_object_get_string(v);

			if (!json_object_is_type(v, json_type_string) ||
			    (strcmp(s, "stderr") != 0 && strcmp(s, "syslog") != 0)) {
				snprintf(err, errlen, "key 'log': expected \"stderr\" or \"syslog\"");
				ret = -EINVAL;
			} else {
				cfg.syslog = strcmp(s, "syslog") == 0;
			}
		} else {
			snprintf(err, errlen, "unknown key '%s'", key);
			ret = -EINVAL;
		}
		if (ret) {
			/* Prefix the file name to the reason. */
			char reason[512];

			snprintf(reason, sizeof(reason), "%s", err);
			snprintf(err, errlen, "%s: %s", path, reason);
			goto out;
		}
	}
	*ret_cfg = cfg;
out:
	json_object_put(doc);
	return ret;
}
