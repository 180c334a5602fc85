// SPDX-License-Identifier: GPL-2.0-only
/*
 * boostctl: the command line of boost.
 *
 *   boostctl [OPTIONS] OBJECT { COMMAND | help }
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <json-c/json_c_version.h>
#include <openssl/opensslv.h>

#include "cli.h"
#include "cmd.h"
#include "output.h"

static int do_help(int argc, char **argv)
{
	if (out__is_json()) {
		out__open_object(NULL);
		out__string("usage", NULL, "boostctl [OPTIONS] OBJECT { COMMAND | help }");
		out__open_array("objects");
		out__string(NULL, NULL, "trust");
		out__string(NULL, NULL, "attest");
		out__string(NULL, NULL, "net");
		out__string(NULL, NULL, "storage");
		out__string(NULL, NULL, "metrics");
		out__string(NULL, NULL, "apply");
		out__string(NULL, NULL, "status");
		out__string(NULL, NULL, "version");
		out__string(NULL, NULL, "help");
		out__close_array();
		out__close_object();
		return EXIT_OK;
	}
	out__text("Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n"
		  "       %s help\n"
		  "       %s version\n"
		  "\n"
		  "OBJECT  := { trust | attest | net | storage | metrics | apply | status | version | help }\n"
		  "OPTIONS := { -j|--json [-p|--pretty] | -V|--version | -h|--help }\n"
		  "\n"
		  "Exit status: 0 success, 1 failure, 2 usage error.\n"
		  "See boostctl(8).\n",
		  cli_prog, cli_prog, cli_prog);
	return EXIT_OK;
}

static int do_version_help(int argc, char **argv)
{
	NO_MORE_ARGS();
	out__text("Usage: %s version\n"
		  "       %s version help\n"
		  "\n"
		  "Print the version of boost and of the libraries it runs on.\n",
		  cli_prog, cli_prog);
	return EXIT_OK;
}

static int do_version(int argc, char **argv)
{
	char libbpf_ver[32];

	if (argc > 0 && strcmp(argv[0], "help") == 0)
		return do_version_help(argc - 1, argv + 1);
	NO_MORE_ARGS();

	snprintf(libbpf_ver, sizeof(libbpf_ver), "%u.%u",
		 libbpf_major_version(), libbpf_minor_version());
	out__open_object(NULL);
	out__string("version", "boostctl v%s\n", BOOST_VERSION);
	out__open_object("libraries");
	out__string("libbpf", "using libbpf v%s\n", libbpf_ver);
	out__string("json-c", "using json-c v%s\n", json_c_version());
	out__string("openssl", "using %s\n", OPENSSL_VERSION_TEXT);
	out__close_object();
	out__close_object();
	return EXIT_OK;
}

static const struct cmd objects[] = {
	{ "apply", do_apply },
	{ "attest", do_attest },
	{ "help", do_help },
	{ "metrics", do_metrics },
	{ "net", do_net },
	{ "status", do_status },
	{ "storage", do_storage },
	{ "trust", do_trust },
	{ "version", do_version },
	{ 0 },
};

static void usage_short(FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS] OBJECT { COMMAND | help }\n"
		   "Try '%s help' for the list of objects.\n", cli_prog, cli_prog);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool version = false, help = false;
	int opt, ret;

	/* Options come before the object; "+" stops at the first non-option. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+jpVh", options, NULL)) >= 0) {
		switch (opt) {
		case 'j':
			cli_json = true;
			break;
		case 'p':
			cli_json = true;
			cli_pretty = true;
			break;
		case 'V':
			version = true;
			break;
		case 'h':
			help = true;
			break;
		default:
			out__init(cli_json, cli_pretty, NULL, NULL);
			if (optopt)
				cli__usage_error("unknown option '-%c'", optopt);
			else
				cli__usage_error("unknown option '%s'", argv[optind - 1]);
			if (!cli_json)
				usage_short(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	out__init(cli_json, cli_pretty, NULL, NULL);

	if (version)
		ret = do_version(0, NULL);
	else if (help)
		ret = do_help(0, NULL);
	else if (argc == 0) {
		usage_short(stderr);
		ret = EXIT_USAGE;
	} else
		ret = cli__dispatch(objects, "object", argc, argv);

	if (out__flush() && ret == EXIT_OK)
		ret = EXIT_FAIL;
	libbpf_set_print(NULL);
	return ret;
}
