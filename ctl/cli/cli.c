// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "output.h"

const char *cli_prog = "boostctl";
bool cli_json;
bool cli_pretty;

/*
 * Whose help a usage error points at: the group being dispatched, or an
 * object of its own at the top (apply).
 */
static char cli_help_path[128];

bool cli__is_prefix(const char *arg, const char *word)
{
	size_t n = strlen(arg);

	return n > 0 && strncmp(arg, word, n) == 0;
}

bool cli__is_help(const char *arg)
{
	return strcmp(arg, "help") == 0 || strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static bool is_output_option(const char *arg)
{
	return strcmp(arg, "-j") == 0 || strcmp(arg, "--json") == 0 ||
	       strcmp(arg, "-p") == 0 || strcmp(arg, "--pretty") == 0;
}

/* " for 'net port'", or "" at the top. */
static void group_for(const struct cmd_group *g, char *buf, size_t len)
{
	if (g->path[0])
		snprintf(buf, len, " for '%s'", g->path);
	else
		buf[0] = '\0';
}

/*
 * The command of @g that @word names: exactly, or as the prefix of one
 * command only. Returns NULL if none; @ret_amb then holds the first two
 * commands the prefix matched (NULL if it matched none).
 */
static const struct cmd *cmd_find(const struct cmd_group *g, const char *word,
				  const struct cmd *ret_amb[2])
{
	const struct cmd *match = NULL, *c;

	ret_amb[0] = ret_amb[1] = NULL;
	for (c = g->cmds; c->name; c++) {
		if (strcmp(word, c->name) == 0)
			return c;
		if (!cli__is_prefix(word, c->name))
			continue;
		if (!match) {
			match = c;
		} else if (!ret_amb[0]) {
			ret_amb[0] = match;
			ret_amb[1] = c;
		}
	}
	return ret_amb[0] ? NULL : match;
}

/* ---- help, from the tables -------------------------------------------- */

/* One usage line: "PROG PATH NAME ARGS", the first after "Usage: ". */
static void usage_line(bool *first, const char *path, const char *name, const char *args,
		       size_t args_len)
{
	char line[512];

	snprintf(line, sizeof(line), "%s%s%s%s%s%s%.*s", cli_prog, *path ? " " : "", path,
		 name ? " " : "", name ? name : "", args_len ? " " : "", (int)args_len,
		 args ? args : "");
	out__string(NULL, *first ? "Usage: %s\n" : "       %s\n", line);
	*first = false;
}

/* A usage line per form of @c ("\n" separates the forms in c->args). */
static void cmd_usage(bool *first, const struct cmd_group *g, const struct cmd *c)
{
	const char *a = c->args, *nl;

	if (!a || !*a) {
		usage_line(first, g->path, c->name, NULL, 0);
		return;
	}
	for (; a; a = nl ? nl + 1 : NULL) {
		nl = strchr(a, '\n');
		usage_line(first, g->path, c->name, a, nl ? (size_t)(nl - a) : strlen(a));
	}
}

/* "{ add | del | list | help }": the commands of @g, and help. */
static void command_list(const struct cmd_group *g, char *buf, size_t len)
{
	size_t n = snprintf(buf, len, "{");

	for (const struct cmd *c = g->cmds; c->name && n < len; c++)
		n += snprintf(buf + n, len - n, " %s |", c->name);
	if (n < len)
		snprintf(buf + n, len - n, " help }");
}

/* Whether @name occurs in @text[0..len) as a word of its own (SIZE, not SIZES). */
static bool has_word(const char *text, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *end = text + len, *p;

	for (p = text; (p = memmem(p, end - p, name, n)); p++) {
		bool starts = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool ends = p + n == end || !(isalnum((unsigned char)p[n]) || p[n] == '_');

		if (starts && ends)
			return true;
	}
	return false;
}

/* The name defined by the definition line @line ("MODE := ..."), or 0. */
static size_t def_name(const char *line, size_t line_len, char *buf, size_t len)
{
	size_t n = 0;

	while (n < line_len && (isupper((unsigned char)line[n]) || line[n] == '_'))
		n++;
	if (n == 0 || n >= len || !memmem(line + n, line_len - n, ":=", 2))
		return 0;
	memcpy(buf, line, n);
	buf[n] = '\0';
	return n;
}

/*
 * Print the definitions of @g that @args uses, and those they use in turn
 * (BACKEND := ... mem:SIZE brings SIZE). A line that does not define a
 * name goes with the definition above it.
 */
static void defs_used(const struct cmd_group *g, const char *args)
{
	enum { MAX_DEFS = 32 };
	const char *line[MAX_DEFS], *p, *nl;
	size_t len[MAX_DEFS];
	bool used[MAX_DEFS] = { false }, more = true, any = false;
	char names[MAX_DEFS][32];
	int n = 0, owner = -1;

	if (!g->defs || !args)
		return;
	for (p = g->defs; *p && n < MAX_DEFS; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		line[n] = p;
		len[n] = nl ? (size_t)(nl - p) : strlen(p);
		if (!def_name(p, len[n], names[n], sizeof(names[n])))
			snprintf(names[n], sizeof(names[n]), "%s", owner >= 0 ? names[owner] : "");
		else
			owner = n;
		n++;
	}
	while (more) {
		more = false;
		for (int i = 0; i < n; i++) {
			bool u = names[i][0] && has_word(args, strlen(args), names[i]);

			for (int j = 0; !u && names[i][0] && j < n; j++)
				u = used[j] && strcmp(names[j], names[i]) &&
				    has_word(line[j], len[j], names[i]);
			if (u && !used[i])
				used[i] = more = true;
		}
	}
	for (int i = 0; i < n; i++) {
		if (!used[i])
			continue;
		out__text("%s%.*s\n", any ? "" : "\n", (int)len[i], line[i]);
		any = true;
	}
}

static int group_help(const struct cmd_group *g)
{
	const struct cmd *c;
	bool first = true;
	char list[256];

	out__open_object(NULL);
	out__open_array("usage");
	if (g->synopsis)
		usage_line(&first, g->synopsis, NULL, NULL, 0);
	for (c = g->cmds; c->name; c++) {
		if (c->sub) {
			command_list(c->sub, list, sizeof(list));
			strncat(list, " ...", sizeof(list) - strlen(list) - 1);
			usage_line(&first, g->path, c->name, list, strlen(list));
		} else {
			cmd_usage(&first, g, c);
		}
	}
	usage_line(&first, g->path, "help", NULL, 0);
	out__close_array();

	out__open_array(g->synopsis ? "objects" : "commands");
	command_list(g, list, sizeof(list));
	if (g->synopsis)
		out__text("\nOBJECT  := %s\n", list);
	for (c = g->cmds; c->name; c++)
		out__string(NULL, NULL, c->name);
	out__string(NULL, NULL, "help");
	out__close_array();
	if (g->defs)
		out__text("%s%s\n", g->synopsis ? "" : "\n", g->defs);
	if (g->doc)
		out__text("\n%s\n", g->doc);
	out__close_object();
	return EXIT_OK;
}

/* A command's own help: its forms, the definitions they use, what it does. */
static int cmd_help(const struct cmd_group *g, const struct cmd *c)
{
	bool first = true;

	out__open_object(NULL);
	out__open_array("usage");
	cmd_usage(&first, g, c);
	out__close_array();
	out__close_object();
	defs_used(g, c->args);
	if (c->doc)
		out__text("\n%s\n", c->doc);
	return EXIT_OK;
}

/* "help" first, or "--help" or "-h" anywhere before "--". */
static bool wants_help(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "help") == 0)
		return true;
	for (int i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

int cli__dispatch(const struct cmd_group *g, int argc, char **argv)
{
	const struct cmd *c, *amb[2];
	const char *what;
	char where[64];

	snprintf(cli_help_path, sizeof(cli_help_path), "%s", g->path);
	if (argc == 0)
		return g->no_command ? g->no_command(argc, argv) : group_help(g);
	if (cli__is_help(argv[0]))
		return group_help(g);
	c = cmd_find(g, argv[0], amb);
	what = g->synopsis ? "object" : "command";
	group_for(g, where, sizeof(where));
	if (amb[0])
		return cli__usage_error("%s '%s'%s is ambiguous ('%s' or '%s')", what, argv[0],
					where, amb[0]->name, amb[1]->name);
	if (!c)
		return cli__usage_error("unknown %s '%s'%s", what, argv[0], where);
	NEXT_ARG();
	if (c->sub)
		return cli__dispatch(c->sub, argc, argv);
	if (wants_help(argc, argv))
		return cmd_help(g, c);
	if (g->synopsis)
		snprintf(cli_help_path, sizeof(cli_help_path), "%s", c->name);
	return c->func(argc, argv);
}

int cli__take_output_options(int argc, char **argv)
{
	int i, n = 0;

	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		if (!is_output_option(argv[i])) {
			argv[n++] = argv[i];
			continue;
		}
		cli_json = true;
		if (strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--pretty") == 0)
			cli_pretty = true;
	}
	for (; i < argc; i++)
		argv[n++] = argv[i];
	if (n < argc)
		argv[n] = NULL;
	return n;
}

/* ---- completion, from the tables ---------------------------------------- */

/* The words offered so far, each after a "\n": a word is offered once. */
static char offered[2048];

static void offer(const char *word, size_t len, const char *cur)
{
	char w[128];
	size_t n = strlen(offered);

	if (strlen(cur) > len || strncmp(word, cur, strlen(cur)) || len + 3 > sizeof(w))
		return;
	snprintf(w, sizeof(w), "\n%.*s\n", (int)len, word);
	if (strstr(offered, w))
		return;
	if (n + len + 2 < sizeof(offered))
		snprintf(offered + n, sizeof(offered) - n, "%s", n ? w + 1 : w);
	printf("%s", w + 1);
}

static void offer_options(bool top, const char *cur)
{
	static const char *const options[] = { "-j", "--json", "-p", "--pretty", "-h", "--help" };

	if (cur[0] != '-')
		return;
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		offer(options[i], strlen(options[i]), cur);
	if (top) {
		offer("-V", 2, cur);
		offer("--version", 9, cur);
	}
}

/*
 * The words of a grammar line, one at a time: keywords ("mac", "--size"),
 * placeholders ("MAC"), and "\n" between two forms; the brackets, braces,
 * bars and "..." are not words. Returns the length of the word at *@p and
 * moves *@p past it, or 0 at the end.
 */
static size_t grammar_word(const char **p, const char **ret_word)
{
	const char *s = *p;
	size_t n;

	while (*s && strchr(" []{}|.", *s))
		s++;
	if (*s == '\n') {
		*ret_word = s;
		*p = s + 1;
		return 1;
	}
	n = strcspn(s, " []{}|.\n");
	*ret_word = s;
	*p = s + n;
	return n;
}

static bool is_placeholder(const char *w)
{
	return isupper((unsigned char)w[0]);
}

/* Offer the literal choices of @name's definition in @g: "MODE := { tc | xdp }". */
static void offer_choices(const struct cmd_group *g, const char *name, size_t len,
			  const char *cur)
{
	const char *p = g->defs, *nl, *open, *close, *w;
	size_t n;

	for (; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (strncmp(p, name, len) || strncmp(p + len + strspn(p + len, " "), ":=", 2))
			continue;
		open = strchr(p, '{');
		close = open ? strchr(open, '}') : NULL;
		if (!open || (nl && close > nl) || !close)
			return;
		for (w = open + 1; w < close; w += n + 1) {
			w += strspn(w, " ");
			n = strcspn(w, " |}");
			if (n && !is_placeholder(w) && !memchr(w, ':', n) && !memchr(w, '/', n))
				offer(w, n, cur);
		}
		return;
	}
}

/*
 * The words of @c that may come next. First, the choices of what each form
 * starts with (BACKEND: null), or its keyword. After a keyword that takes
 * a value (mode MODE), the choices of that value. Else the keywords of the
 * command and the choices of the placeholders that stand alone (ACTION).
 * Options only for a word that starts with "-". Nothing to offer lets the
 * shell complete file names.
 */
static void complete_args(const struct cmd_group *g, const struct cmd *c, int nargs,
			  char **args, const char *cur)
{
	const char *prev = nargs > 0 ? args[nargs - 1] : NULL;
	const char *p, *w, *before;
	size_t n, before_n = 0;
	bool option = cur[0] == '-';

	if (option)
		offer_options(false, cur);
	if (!c->args)
		return;
	/* A value after a keyword: its choices only. */
	for (p = c->args, before = NULL; prev && (n = grammar_word(&p, &w));
	     before = w, before_n = n) {
		if (*w != '\n' && is_placeholder(w) && before && !is_placeholder(before) &&
		    *before != '\n' && before_n == strlen(prev) && strncmp(before, prev, before_n) == 0) {
			offer_choices(g, w, n, cur);
			return;
		}
	}
	for (p = c->args, before = NULL; (n = grammar_word(&p, &w)); before = w) {
		bool first = !before || *before == '\n';

		if (*w == '\n' || (w[0] == '-') != option)
			continue;
		if (nargs == 0 && !option && !first)
			continue;
		if (!is_placeholder(w))
			offer(w, n, cur);
		else if (first ? nargs == 0 : is_placeholder(before))
			offer_choices(g, w, n, cur);
	}
}

void cli__complete(const struct cmd_group *g, int nwords, char **words)
{
	const char *cur = nwords > 0 ? words[nwords - 1] : "";
	const struct cmd *c = NULL, *amb[2];
	int i, nargs = 0;
	char *args[64];

	offered[0] = '\0';
	for (i = 0; i < nwords - 1; i++) {
		const char *w = words[i];

		if (w[0] == '-')
			continue;
		if (cli__is_help(w))
			return;
		c = cmd_find(g, w, amb);
		if (!c)
			return;
		if (!c->sub)
			break;
		g = c->sub;
	}
	if (i == nwords - 1 || nwords == 0) {
		for (c = g->cmds; c->name; c++)
			offer(c->name, strlen(c->name), cur);
		offer("help", 4, cur);
		offer_options(g->synopsis, cur);
		return;
	}
	for (i++; i < nwords - 1 && nargs < 64; i++) {
		if (!is_output_option(words[i]))
			args[nargs++] = words[i];
	}
	complete_args(g, c, nargs, args, cur);
}

/* ---- errors --------------------------------------------------------------- */

static void cli_message(bool usage, const char *fmt, va_list ap)
{
	const char *path = cli_help_path;
	char buf[1024];
	int n;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (usage && n >= 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, "; see '%s%s%s help'", cli_prog,
			 path[0] ? " " : "", path);
	out__error(buf);
}

int cli__usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_message(true, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

int cli__fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_message(false, fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}
