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

static int do_version(int argc, char **argv)
{
	char libbpf_ver[32];

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
	{ "trust", .sub = &trust_group },
	{ "attest", .sub = &attest_group },
	{ "net", .sub = &net_group },
	{ "storage", .sub = &storage_group },
	{ "metrics", .sub = &metrics_group },
	{ "apply", .func = do_apply, .args = "FILE", .doc = apply_doc },
	{ "status", .sub = &status_group },
	{ "version", do_version,
	  .doc = "Print the version of boost and of the libraries it runs on." },
	{ 0 },
};

static const struct cmd_group top = {
	.path = "",
	.synopsis = "[OPTIONS] OBJECT { COMMAND | help }",
	.cmds = objects,
	.defs = "OPTIONS := { -j|--json [-p|--pretty] | -V|--version | -h|--help }",
	.doc = "-j, -p and their long forms may also come after the object and the command;\n"
	       "--help and -h after any object or command print its help. After '--' no word\n"
	       "is an option of boostctl's.\n"
	       "\n"
	       "Exit status: 0 success, 1 failure, 2 usage error.\n"
	       "See boostctl(8).",
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
	char *help_word[] = { "help", NULL };
	int opt, ret;

	/* For bash completion (boostctl.bash-completion): the words as typed. */
	if (argc > 1 && strcmp(argv[1], "__complete") == 0) {
		cli__complete(&top, argc - 2, argv + 2);
		return fflush(stdout) ? EXIT_FAIL : EXIT_OK;
	}
	/* -j and -p anywhere; the other options come before the object. */
	argc = 1 + cli__take_output_options(argc - 1, argv + 1);
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
		ret = cli__dispatch(&top, 1, help_word);
	else if (argc == 0) {
		usage_short(stderr);
		ret = EXIT_USAGE;
	} else
		ret = cli__dispatch(&top, argc, argv);

	if (out__flush() && ret == EXIT_OK)
		ret = EXIT_FAIL;
	libbpf_set_print(NULL);
	return ret;
}
