/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * boostd's log: stderr with a level prefix ("boostd: warning: "), or, when
 * stderr is the journal, with the syslog priority ("<4>warning: "); or syslog.
 */
#ifndef BOOST_LOG_H
#define BOOST_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log__init(const char *ident, bool use_syslog);
void log__msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log__msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log__msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log__msg(LOG_INFO, __VA_ARGS__)

#endif
