/* SPDX-License-Identifier: GPL-2.0-only */
/* The objects of boostctl, one module each (ctl/cli/cmd_OBJECT.c). */
#ifndef BOOST_CMD_H
#define BOOST_CMD_H

#include <getopt.h>

int do_apply(int argc, char **argv);
int do_attest(int argc, char **argv);
int do_metrics(int argc, char **argv);
int do_net(int argc, char **argv);
int do_status(int argc, char **argv);
int do_storage(int argc, char **argv);
int do_trust(int argc, char **argv);

/*
 * getopt_long over a command's own arguments (argv[-1] is the command
 * word); set optind = 0 before the first call. cmd__bad_option reports the
 * option getopt stopped at as a usage error.
 */
int cmd__getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
int cmd__bad_option(char **argv);

#endif
