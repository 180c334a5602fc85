/* SPDX-License-Identifier: GPL-2.0-only */
/* The objects of boostctl, one module each (ctl/cmd_OBJECT.c). */
#ifndef BOOST_CMD_H
#define BOOST_CMD_H

int do_status(int argc, char **argv);

#endif
