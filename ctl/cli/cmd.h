/* SPDX-License-Identifier: GPL-2.0-only */
/* The objects of boostctl, one module each (ctl/cli/cmd_OBJECT.c). */
#ifndef BOOST_CMD_H
#define BOOST_CMD_H

#include <getopt.h>

#include "cli.h"

/* The objects that have commands: their tables, with their grammar. */
extern const struct cmd_group attest_group;
extern const struct cmd_group metrics_group;
extern const struct cmd_group net_group;
extern const struct cmd_group status_group;
extern const struct cmd_group storage_group;
extern const struct cmd_group trust_group;

/* boostctl apply FILE: a command of its own, at the top. */
int do_apply(int argc, char **argv);
extern const char apply_doc[];

/*
 * `trust load [--kind KIND] FILE` (KIND NULL: by the name): FILE made
 * absolute, verified and measured by boostd; prints what was loaded (in
 * JSON, as object @key of the current one; NULL: the document).
 */
int cmd_trust__load(const char *file, const char *kind, const char *key);

/*
 * getopt_long over a command's own arguments (argv[-1] is the command
 * word); set optind = 0 before the first call. cmd__bad_option reports the
 * option getopt stopped at as a usage error.
 */
int cmd__getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
int cmd__bad_option(char **argv);

#endif
