/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boostd's configuration file (JSON, default /etc/boost/boostd.json):
 *
 *   {
 *     "socket": "/run/boost/boostd.sock",
 *     "state_dir": "/var/lib/boost",
 *     "trust_policy": "/etc/boost/trust.json",
 *     "log": "stderr" | "syslog",
 *     "client_timeout": 60,         seconds a client may stay idle, 1 to 86400
 *     "metrics_file": PATH,         write the metrics there (Prometheus text,
 *                                   for node_exporter's textfile collector);
 *                                   none by default
 *     "metrics_interval": 15,       seconds between two writes, 1 to 86400
 *     "attest_interval": 300,       seconds between two self-attestations,
 *                                   1 to 86400; none by default
 *     "storage_on_untrusted": "keep" | "hold" | "stop"
 *                                   what the storage servers do when this
 *                                   host fails its attestation
 *   }
 *
 * Every key is optional; an unknown key or a value of the wrong type is an
 * error naming the key.
 */
#ifndef BOOST_CONFIG_H
#define BOOST_CONFIG_H

#include <limits.h>
#include <stdbool.h>

#define CONFIG_DEFAULT_PATH "/etc/boost/boostd.json"

struct boostd_config {
	char socket[108]; /* sizeof(sun_path) */
	char state_dir[PATH_MAX];
	char trust_policy[PATH_MAX];
	bool syslog;
	unsigned int client_timeout; /* seconds */
	char metrics_file[PATH_MAX]; /* "": none */
	unsigned int metrics_interval; /* seconds */
	unsigned int attest_interval; /* seconds, 0: none */
	char storage_on_untrusted[8]; /* "keep", "hold" or "stop" */
};

#define CONFIG_DEFAULT_CLIENT_TIMEOUT 60
#define CONFIG_MAX_CLIENT_TIMEOUT 86400
#define CONFIG_DEFAULT_METRICS_INTERVAL 15
#define CONFIG_MAX_METRICS_INTERVAL 86400
#define CONFIG_MAX_ATTEST_INTERVAL 86400

void config__defaults(struct boostd_config *cfg);
/*
 * Read @path over the defaults in @cfg. A missing file is -ENOENT (the
 * caller decides whether the defaults will do). On error, @err (of @errlen
 * bytes) says which key and why, and @cfg is unchanged.
 */
int config__load(const char *path, struct boostd_config *cfg, char *err, size_t errlen);

#endif
