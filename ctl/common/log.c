// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "log.h"

static bool log_syslog;
static bool log_journal;
static const char *log_ident = "boostd";

/*
 * Is stderr the journal? systemd sets $JOURNAL_STREAM to the device and
 * inode of the stream it connects (systemd.exec(5)); the variable alone is
 * not enough, since a child of the service inherits it with another stderr.
 */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log__init(const char *ident, bool use_syslog)
{
	log_ident = ident;
	log_syslog = use_syslog;
	log_journal = !use_syslog && stderr_is_journal();
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void log__msg(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		[LOG_ERR] = "error", [LOG_WARNING] = "warning", [LOG_INFO] = "info",
	};
	const char *name = level <= LOG_INFO && names[level] ? names[level] : "debug";
	va_list ap;

	va_start(ap, fmt);
	if (log_syslog) {
		vsyslog(level, fmt, ap);
	} else {
		/*
		 * The journal takes the priority from sd-daemon(3)'s "<N>"
		 * prefix (journalctl -p warning) and names the program itself.
		 */
		if (log_journal)
			fprintf(stderr, "<%d>%s: ", level, name);
		else
			fprintf(stderr, "%s: %s: ", log_ident, name);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
