// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostctl storage: the block devices boostd serves through boost-ublk
 * (add, list, show, stats, set, del, recover). The declarative form is
 * `boostctl apply FILE` with a storage document (cmd_apply.c).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blk_limits.h"
#include "cli.h"
#include "client.h"
#include "cmd.h"
#include "output.h"

static const char *const op_names[] = { "reads", "writes", "flushes", "discards",
					"write_zeroes" };

static json_object *member(json_object *o, const char *key)
{
	return json_object_object_get(o, key);
}

/* {"id": DEV} for the commands that take one DEV. */
static int dev_args(int argc, char **argv, json_object **ret)
{
	REQ_ARGS(1);
	if (argc > 1)
		return cli__usage_error("unexpected argument '%s'", argv[1]);
	*ret = json_object_new_object();
	json_object_object_add(*ret, "id", json_object_new_string(argv[0]));
	return EXIT_OK;
}

static void print_summary(json_object *r)
{
	out__int("id", "%-3ld", client__int(r, "id"));
	out__string("dev", " %-13s", client__str(r, "dev"));
	out__string("state", " %-7s", client__str(r, "state"));
	out__int("pid", " pid %-7ld", client__int(r, "pid"));
	out__int("restarts", " restarts %-3ld", client__int(r, "restarts"));
	out__string("backend", " %s\n", client__str(r, "backend"));
}

/*
 * QOS words ("iops 1000 read-bps 50M", or "none") as the QOS object of
 * boost-storage(5): the word's dashes become underscores. Sizes go as
 * written, for boostd's parser to check and name in its error.
 */
static int qos_words(int argc, char **argv, json_object **ret)
{
	static const char *const numbers[] = { "iops", "read-iops", "write-iops", "iops-burst" };
	static const char *const sizes[] = { "bps", "read-bps", "write-bps", "bps-burst" };
	json_object *o = json_object_new_object();

	if (argc == 1 && strcmp(argv[0], "none") == 0)
		goto out;
	if (argc == 0) {
		json_object_put(o);
		return cli__usage_error("qos needs caps, or none");
	}
	for (; argc > 0; argc -= 2, argv += 2) {
		bool number = false, size = false;
		char key[32], *end;
		unsigned long long v;

		for (size_t i = 0; i < 4; i++) {
			number |= strcmp(argv[0], numbers[i]) == 0;
			size |= strcmp(argv[0], sizes[i]) == 0;
		}
		if (!number && !size) {
			json_object_put(o);
			return cli__usage_error("qos: unknown cap '%s'; expected iops, read-iops, "
						"write-iops, bps, read-bps, write-bps, iops-burst, "
						"bps-burst or none", argv[0]);
		}
		if (argc < 2) {
			json_object_put(o);
			return cli__usage_error("qos %s: needs a value", argv[0]);
		}
		snprintf(key, sizeof(key), "%s", argv[0]);
		for (char *c = key; *c; c++)
			*c = *c == '-' ? '_' : *c;
		if (size) {
			json_object_object_add(o, key, json_object_new_string(argv[1]));
			continue;
		}
		errno = 0;
		v = strtoull(argv[1], &end, 10);
		if (!isdigit((unsigned char)argv[1][0]) || *end || errno || v > INT64_MAX) {
			json_object_put(o);
			return cli__usage_error("qos %s '%s': expected a whole number", argv[0], argv[1]);
		}
		json_object_object_add(o, key, json_object_new_int64((int64_t)v));
	}
out:
	*ret = o;
	return EXIT_OK;
}

/* The caps of a QOS object, as the words that set them; "none" without any. */
static void print_qos(json_object *qos)
{
	bool any = false;

	out__open_object("qos");
	out__text("  qos");
	/* No object: a boostd without caps. */
	if (json_object_is_type(qos, json_type_object)) {
		json_object_object_foreach(qos, k, val) {
			char word[32], fmt[48];

			snprintf(word, sizeof(word), "%s", k);
			for (char *c = word; *c; c++)
				*c = *c == '_' ? '-' : *c;
			snprintf(fmt, sizeof(fmt), " %s %%ld", word);
			out__int(k, fmt, json_object_get_int64(val));
			any = true;
		}
	}
	out__text(any ? "\n" : " none\n");
	out__close_object();
}

static int number_opt(const char *name, const char *s, long max, json_object *dev)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > max)
		return cli__usage_error("--%s '%s': expected a number from 0 to %ld", name, s, max);
	json_object_object_add(dev, name, json_object_new_int64(v));
	return EXIT_OK;
}

static int do_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "queues", required_argument, NULL, 'q' },
		{ "depth", required_argument, NULL, 'd' },
		{ "block-size", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "id", required_argument, NULL, 'i' },
		{ "reconnect-timeout", required_argument, NULL, 't' },
		{ "crypt", no_argument, NULL, 'c' },
		{ "crypt-header", required_argument, NULL, 'H' },
		{ "recovery-passphrase-file", required_argument, NULL, 'R' },
		{ 0 },
	};
	json_object *dev = json_object_new_object(), *args, *r, *qos = NULL, *crypt = NULL;
	const char *backend = NULL;
	char *words[argc + 1];
	int opt, ret = EXIT_OK, nwords = -1;

	optind = 0;
	while (ret == EXIT_OK && (opt = cmd__getopt(argc, argv, "-", opts)) >= 0) {
		switch (opt) {
		case 1:
			/* After "qos", every argument is a cap's word. */
			if (nwords >= 0)
				words[nwords++] = optarg;
			else if (backend && strcmp(optarg, "qos") == 0)
				nwords = 0;
			else if (backend)
				ret = cli__usage_error("unexpected argument '%s'", optarg);
			else
				backend = optarg;
			break;
		case 'q': ret = number_opt("queues", optarg, BLK_MAX_QUEUES, dev); break;
		case 'd': ret = number_opt("depth", optarg, BLK_MAX_DEPTH, dev); break;
		case 'b': ret = number_opt("block_size", optarg, BLK_MAX_BLOCK_SIZE, dev); break;
		case 'i': ret = number_opt("id", optarg, (1 << 20) - 1, dev); break;
		case 't': ret = number_opt("reconnect_timeout", optarg, 3600, dev); break;
		case 's':
			json_object_object_add(dev, "size", json_object_new_string(optarg));
			break;
		case 'c':
		case 'H':
		case 'R': {
			/* boostd reads (or makes) the files: their absolute paths. */
			char cwd[4096], abs[8192];

			if (!crypt)
				crypt = json_object_new_object();
			if (opt == 'c')
				break;
			if (optarg[0] != '/' && getcwd(cwd, sizeof(cwd)))
				snprintf(abs, sizeof(abs), "%s/%s", cwd, optarg);
			else
				snprintf(abs, sizeof(abs), "%s", optarg);
			json_object_object_add(crypt, opt == 'H' ? "header" : "recovery_passphrase_file",
					       json_object_new_string(abs));
			break;
		}
		default:
			ret = cmd__bad_option(argv);
		}
	}
	if (ret == EXIT_OK && !backend)
		ret = cli__usage_error("storage add needs a BACKEND (null | mem:SIZE | file:PATH | "
				       "nbd:URI | rbd:POOL/IMAGE,conf=PATH,... | "
				       "cache:LOCAL_FILE,...,REMOTE | crypt:BACKEND)");
	if (crypt)
		json_object_object_add(dev, "crypt", crypt);
	if (ret == EXIT_OK && nwords >= 0 && (ret = qos_words(nwords, words, &qos)) == EXIT_OK)
		json_object_object_add(dev, "qos", qos);
	if (ret) {
		json_object_put(dev);
		return ret;
	}
	json_object_object_add(dev, "backend", json_object_new_string(backend));
	args = json_object_new_object();
	json_object_object_add(args, "device", dev);
	ret = client__call("storage", "add", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__string("dev", "%s", client__str(r, "dev"));
	out__int("id", " id %ld", client__int(r, "id"));
	out__int("pid", " (server pid %ld)\n", client__int(r, "pid"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static int do_list(int argc, char **argv)
{
	json_object *r;
	int ret;

	NO_MORE_ARGS();
	ret = client__call("storage", "list", NULL, &r);
	if (ret)
		return ret;
	out__open_array(NULL);
	for (size_t i = 0; i < json_object_array_length(r); i++) {
		out__open_object(NULL);
		print_summary(json_object_array_get_idx(r, i));
		out__close_object();
	}
	out__close_array();
	json_object_put(r);
	return EXIT_OK;
}

static int do_show(int argc, char **argv)
{
	json_object *args = NULL, *r, *o;
	int ret = dev_args(argc, argv, &args);

	if (ret)
		return ret;
	ret = client__call("storage", "show", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	print_summary(r);
	o = member(r, "identity");
	out__open_object("identity");
	out__string("serial", "  serial number     %s\n", client__str(o, "serial"));
	out__string("model", "  model             %s\n", client__str(o, "model"));
	out__string("firmware", "  firmware revision %s\n", client__str(o, "firmware"));
	out__close_object();
	o = member(r, "geometry");
	out__open_object("geometry");
	out__int("queues", "  queues %ld", client__int(o, "queues"));
	out__int("depth", " depth %ld", client__int(o, "depth"));
	out__int("block_size", " block size %ld", client__int(o, "block_size"));
	if (member(o, "size")) {
		out__int("size", " size %ld bytes", client__int(o, "size"));
		out__int("blocks", " (%ld blocks)", client__int(o, "blocks"));
	}
	out__text("\n");
	out__close_object();
	o = member(r, "supervision");
	out__open_object("supervision");
	out__int("restarts", "  restarts %ld", client__int(o, "restarts"));
	out__int("recent_restarts", " (%ld", client__int(o, "recent_restarts"));
	out__int("limit", " of at most %ld", client__int(o, "limit"));
	out__int("window", " in %ld s)\n", client__int(o, "window"));
	if (member(o, "build"))
		out__string("build", "  build (SHA-256)   %s\n", client__str(o, "build"));
	if (client__str(o, "failure"))
		out__string("failure", "  FAILED: %s\n", client__str(o, "failure"));
	if (client__str(o, "last"))
		out__string("last", "  %s\n", client__str(o, "last"));
	out__close_object();
	print_qos(member(r, "qos"));
	o = member(r, "connection");
	if (o) {
		out__open_object("connection");
		out__string("state", "  connection %s", client__str(o, "state"));
		if (client__str(o, "last_error"))
			out__string("last_error", " (last error: %s)", client__str(o, "last_error"));
		out__int("queues_down", NULL, client__int(o, "queues_down"));
		out__int("reconnects", " reconnects %ld", client__int(o, "reconnects"));
		out__int("reconnect_timeout", " timeout %ld s\n",
			 client__int(o, "reconnect_timeout"));
		out__close_object();
	}
	o = member(r, "crypt");
	if (o) {
		out__open_object("crypt");
		out__string("format", "  encrypted: %s", client__str(o, "format"));
		out__string("cipher", " %s", client__str(o, "cipher"));
		out__string("header", ", header %s\n", client__str(o, "header"));
		out__close_object();
	}
	out__int("created", NULL, client__int(r, "created"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

/* The sample of device @id in the array @samples, or NULL. */
static json_object *find_sample(json_object *samples, int64_t id)
{
	for (size_t i = 0; samples && i < json_object_array_length(samples); i++) {
		json_object *s = json_object_array_get_idx(samples, i);

		if (client__int(s, "id") == id)
			return s;
	}
	return NULL;
}

/*
 * IOPS and bytes/s between two samples of one device, from boostd's own
 * clock (monotonic_ns), so that the rates are the caller's window's and
 * no other client's. None when a counter went back: the device's server
 * got a new stats region in between (a restart of boostd that found it
 * dead), or the device was replaced.
 */
static void print_rates(json_object *before, json_object *after)
{
	int64_t ns = client__int(after, "monotonic_ns") - client__int(before, "monotonic_ns");
	int64_t ios = 0, bytes = 0;
	bool reset = false;

	for (size_t k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++) {
		int64_t d = client__int(member(after, "ios"), op_names[k]) -
			    client__int(member(before, "ios"), op_names[k]);

		reset |= d < 0;
		ios += d;
	}
	for (const char *const *key = (const char *const[]){ "read_bytes", "write_bytes", NULL };
	     *key; key++) {
		int64_t d = client__int(after, *key) - client__int(before, *key);

		reset |= d < 0;
		bytes += d;
	}
	if (reset || ns <= 0) {
		out__text("  no rates: the counters restarted during the interval\n");
		return;
	}
	out__int("iops", "  %ld IOPS", (int64_t)((double)ios * 1e9 / (double)ns));
	out__int("bytes_per_s", ", %ld bytes/s", (int64_t)((double)bytes * 1e9 / (double)ns));
	out__int("interval_ms", " over %ld ms\n", ns / 1000000);
}

/* --interval SECONDS: more than 0, at most an hour, fractions allowed. */
static int interval_opt(const char *s, struct timespec *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v > 0 && v <= 3600))
		return cli__usage_error("--interval '%s': expected seconds, more than 0 and at "
					"most 3600", s);
	ret->tv_sec = (time_t)v;
	ret->tv_nsec = (long)((v - (double)ret->tv_sec) * 1e9);
	return EXIT_OK;
}

static int do_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ 0 },
	};
	json_object *args = NULL, *before = NULL, *r;
	struct timespec interval = { 0 };
	const char *dev = NULL;
	int opt, ret = EXIT_OK;

	optind = 0;
	while (ret == EXIT_OK && (opt = cmd__getopt(argc, argv, "-", opts)) >= 0) {
		switch (opt) {
		case 1:
			if (dev)
				ret = cli__usage_error("unexpected argument '%s'", optarg);
			dev = optarg;
			break;
		case 'i': ret = interval_opt(optarg, &interval); break;
		default:
			ret = cmd__bad_option(argv);
		}
	}
	if (ret)
		return ret;
	if (dev) {
		args = json_object_new_object();
		json_object_object_add(args, "id", json_object_new_string(dev));
	}
	/* Rates: two samples, the interval apart; boostd keeps no window of its own. */
	if (interval.tv_sec || interval.tv_nsec) {
		ret = client__call("storage", "stats", args ? json_object_get(args) : NULL, &before);
		if (ret) {
			json_object_put(args);
			return ret;
		}
		while (nanosleep(&interval, &interval) < 0 && errno == EINTR)
			;
	}
	ret = client__call("storage", "stats", args, &r);
	if (ret) {
		json_object_put(before);
		return ret;
	}
	out__open_array(NULL);
	for (size_t i = 0; i < json_object_array_length(r); i++) {
		json_object *s = json_object_array_get_idx(r, i), *ios = member(s, "ios");
		json_object *lat = member(s, "latency"), *h = member(s, "health");
		json_object *hist = member(lat, "log2_ns_histogram"), *prev;

		out__open_object(NULL);
		out__int("id", "device %ld\n", client__int(s, "id"));
		out__bool("counters", NULL, json_object_get_boolean(member(s, "counters")));
		out__int("monotonic_ns", NULL, client__int(s, "monotonic_ns"));
		out__open_object("ios");
		out__text(" ");
		for (size_t k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++) {
			char fmt[32];

			snprintf(fmt, sizeof(fmt), " %s %%ld", op_names[k]);
			out__int(op_names[k], fmt, client__int(ios, op_names[k]));
		}
		out__text("\n");
		out__close_object();
		out__int("read_bytes", "  read %ld bytes", client__int(s, "read_bytes"));
		out__int("write_bytes", ", written %ld bytes", client__int(s, "write_bytes"));
		out__int("errors", ", errors %ld\n", client__int(s, "errors"));
		if (member(s, "reconnects"))
			out__int("reconnects", "  reconnects %ld\n", client__int(s, "reconnects"));
		if (before && (prev = find_sample(before, client__int(s, "id"))))
			print_rates(prev, s);
		out__open_object("latency");
		out__int("p50_ns", "  latency in the server, ns: p50 < %ld", client__int(lat, "p50_ns"));
		out__int("p90_ns", ", p90 < %ld", client__int(lat, "p90_ns"));
		out__int("p99_ns", ", p99 < %ld", client__int(lat, "p99_ns"));
		out__int("p999_ns", ", p99.9 < %ld", client__int(lat, "p999_ns"));
		out__int("max_ns", ", max %ld\n", client__int(lat, "max_ns"));
		out__int("sum_ns", NULL, client__int(lat, "sum_ns"));
		out__open_array("log2_ns_histogram");
		for (size_t b = 0; hist && b < json_object_array_length(hist); b++)
			out__int(NULL, NULL, json_object_get_int64(json_object_array_get_idx(hist, b)));
		out__close_array();
		out__close_object();
		out__open_object("qos");
		out__int("delayed", "  qos: delayed %ld requests", client__int(member(s, "qos"), "delayed"));
		out__int("delay_ns", " for %ld ns in all\n", client__int(member(s, "qos"), "delay_ns"));
		out__close_object();
		out__open_object("health");
		out__int("data_units_read", "  health: data units read %ld",
			 client__int(h, "data_units_read"));
		out__int("data_units_written", ", written %ld", client__int(h, "data_units_written"));
		out__int("host_read_commands", "; host read commands %ld",
			 client__int(h, "host_read_commands"));
		out__int("host_write_commands", ", write commands %ld",
			 client__int(h, "host_write_commands"));
		out__int("media_errors", "; media errors %ld", client__int(h, "media_errors"));
		out__int("unsafe_shutdowns", "; unsafe shutdowns %ld\n",
			 client__int(h, "unsafe_shutdowns"));
		out__close_object();
		out__close_object();
	}
	out__close_array();
	json_object_put(before);
	json_object_put(r);
	return EXIT_OK;
}

static int simple(const char *command, int argc, char **argv, const char *done)
{
	json_object *args = NULL;
	int ret = dev_args(argc, argv, &args);

	return ret ? ret : client__call_done("storage", command, args, done);
}

/* DEV qos { none | QOS }: the caps given replace the device's, live. */
static int do_set(int argc, char **argv)
{
	json_object *args, *qos = NULL, *r;
	int ret;

	REQ_ARGS(2);
	if (strcmp(argv[1], "qos") != 0)
		return cli__usage_error("storage set: unknown setting '%s'; expected qos", argv[1]);
	ret = qos_words(argc - 2, argv + 2, &qos);
	if (ret)
		return ret;
	args = json_object_new_object();
	json_object_object_add(args, "id", json_object_new_string(argv[0]));
	json_object_object_add(args, "qos", qos);
	ret = client__call("storage", "set", args, &r);
	if (ret)
		return ret;
	out__open_object(NULL);
	out__int("id", "device %ld\n", client__int(r, "id"));
	print_qos(member(r, "qos"));
	out__close_object();
	json_object_put(r);
	return EXIT_OK;
}

static int do_del(int argc, char **argv)
{
	return simple("del", argc, argv, "deleted");
}

static int do_recover(int argc, char **argv)
{
	return simple("recover", argc, argv, "recovered");
}

/*
 * DEV | --all, [--artifact FILE]: with FILE, `trust load` it first (the
 * newest verified build is the one the devices move to).
 */
static int do_upgrade(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "artifact", required_argument, NULL, 'f' },
		{ 0 },
	};
	const char *artifact = NULL;
	json_object *args, *r, *devs;
	bool all = false;
	int opt, ret, failed;

	optind = 0;
	while ((opt = cmd__getopt(argc, argv, "", opts)) >= 0) {
		switch (opt) {
		case 'a': all = true; break;
		case 'f': artifact = optarg; break;
		default: return cmd__bad_option(argv);
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (all == (argc == 1) || argc > 1)
		return cli__usage_error("storage upgrade needs one DEV or --all");
	out__open_object(NULL);
	if (artifact && (ret = cmd_trust__load(artifact, "exec", "loaded")))
		return ret;
	args = json_object_new_object();
	if (all)
		json_object_object_add(args, "all", json_object_new_boolean(true));
	else
		json_object_object_add(args, "id", json_object_new_string(argv[0]));
	ret = client__call("storage", "upgrade", args, &r);
	if (ret)
		return ret;
	out__string("build", "to build %.16s...\n", client__str(r, "build"));
	devs = member(r, "devices");
	out__open_array("devices");
	for (size_t i = 0; devs && i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		out__open_object(NULL);
		out__int("id", "device %ld: ", client__int(d, "id"));
		out__string("result", "%s", client__str(d, "result"));
		if (member(d, "swap_ms"))
			out__int("swap_ms", " in %ld ms", client__int(d, "swap_ms"));
		if (member(d, "pid"))
			out__int("pid", " (server pid %ld)", client__int(d, "pid"));
		if (member(d, "reason"))
			out__string("reason", ": %s", client__str(d, "reason"));
		if (member(d, "build"))
			out__string("build", NULL, client__str(d, "build"));
		out__text("\n");
		out__close_object();
	}
	out__close_array();
	failed = (int)client__int(r, "failed");
	out__int("failed", failed ? "%ld devices not upgraded\n" : NULL, failed);
	out__close_object();
	json_object_put(r);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static const struct cmd storage_cmds[] = {
	{ "add", .func = do_add,
	  .args = "BACKEND [--queues N] [--depth D] [--block-size B] [--size SIZE] [--id ID] "
		  "[--reconnect-timeout SECONDS] [--crypt] [--crypt-header PATH] "
		  "[--recovery-passphrase-file PATH] [qos CAP VALUE [CAP VALUE]...]" },
	{ "list", .func = do_list },
	{ "show", .func = do_show, .args = "DEV" },
	{ "stats", .func = do_stats, .args = "[DEV] [--interval SECONDS]" },
	{ "set", .func = do_set, .args = "DEV qos CAP VALUE [CAP VALUE]...\nDEV qos none" },
	{ "del", .func = do_del, .args = "DEV" },
	{ "recover", .func = do_recover, .args = "DEV" },
	{ "upgrade", .func = do_upgrade, .args = "{ DEV | --all } [--artifact FILE]" },
	{ 0 },
};

const struct cmd_group storage_group = {
	.path = "storage",
	.cmds = storage_cmds,
	.defs = "BACKEND := { null | mem:SIZE | file:PATH | nbd:URI | RBD | crypt:BACKEND | CACHE }\n"
		"RBD     := rbd:POOL/IMAGE[@SNAP],conf=PATH[,keyring=PATH][,id=NAME]\n"
		"CACHE   := cache:LOCAL_FILE[,OPTION]...,REMOTE\n"
		"URI     := { nbd+unix:///EXPORT?socket=/PATH | nbd://ADDRESS[:PORT]/EXPORT }\n"
		"OPTION  := { mode=writethrough | mode=writeback | line=SIZE | dirty_max=SIZE }\n"
		"REMOTE  := nbd:URI\n"
		"DEV     := { ID | /dev/ublkbID }\n"
		"SIZE    := BYTES[K|M|G|T]\n"
		"B       := { 512 | 4096 }\n"
		"CAP     := { iops | read-iops | write-iops | iops-burst | bps | read-bps | write-bps | bps-burst }\n"
		"VALUE   := N for the iops caps and iops-burst, SIZE for the others; 0: no cap\n"
		"           (a CAP left out has no cap)",
	.doc = "boostd starts one verified boost-ublk per device and restarts it with user\n"
	       "recovery when it dies. 'boostctl apply FILE' sets the devices at once.\n"
	       "stats --interval samples the counters twice, SECONDS apart, and adds IOPS\n"
	       "and bytes/s over that window. A request over a QOS cap (per second; 0: none)\n"
	       "waits, never fails; set changes the caps of a running device at once.\n"
	       "crypt:BACKEND or --crypt encrypts the device: a LUKS2 volume (aes-xts-plain64)\n"
	       "whose key is sealed to this host's TPM state; boostd formats a new one\n"
	       "(a backing file whose first 4 KiB are zero, or a new --crypt-header file),\n"
	       "and adds a keyslot for the passphrase in --recovery-passphrase-file.\n"
	       "upgrade moves devices to the newest verified boost-ublk (with --artifact,\n"
	       "FILE is verified and measured first): one after the other, each server is\n"
	       "killed and the new build takes the device over by user recovery; one that\n"
	       "does not serve goes back to its build, and the upgrade stops there.\n"
	       "An nbd device whose server goes away holds its IO while it reconnects, and\n"
	       "fails it with EIO after --reconnect-timeout (default 30 s).\n"
	       "An rbd device is served by boost-ublk-rbd, which is linked dynamically:\n"
	       "boostd starts it only with its verified closure (boost-ublk-rbd.libs, kind\n"
	       "closure), while each library is the file the closure lists; encrypted, its\n"
	       "LUKS2 header is a detached file (--crypt-header).",
};
