/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpclose: shared declarations of the command line tool.
 */
#ifndef TCPCLOSE_H
#define TCPCLOSE_H

#include <stdarg.h>
#include <stdbool.h>

#define PROG_NAME "tcpclose"

#ifndef TCPCLOSE_VERSION
#define TCPCLOSE_VERSION "0.1.0"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	EXIT_OK		= 0,
	EXIT_FAIL	= 1,	/* runtime error */
	EXIT_USAGE	= 2,	/* bad command line */
};

/*
 * Command-specific long options. Their getopt_long() values lie above the
 * character range, one bit each, and end up in ctx.flags.
 */
enum {
	OPT_HOST	= 1 << 8,
	OPT_NONZERO	= 1 << 9,
	OPT_HIST	= 1 << 10,
	OPT_PROMETHEUS	= 1 << 11,
	OPT_COUNT	= 1 << 12,	/* with an argument */
	OPT_TIMEOUT	= 1 << 13,	/* with an argument */
	OPT_BUFSIZE	= 1 << 14,	/* with an argument */
};
#define OPT_CMD_MASK	(~0xff)

struct ctx {
	bool json;
	const char *netns;	/* -n NAME, entered by module_open() */
	unsigned int flags;	/* OPT_* */
	const char *count;	/* --count N */
	const char *timeout;	/* --timeout S */
	const char *bufsize;	/* --buffer-size BYTES */
};

/* Commands: @argv holds the arguments after the command name. */
int cmd_stats(const struct ctx *ctx, int argc, char *argv[]);
int cmd_flows(const struct ctx *ctx, int argc, char *argv[]);
int cmd_watch(const struct ctx *ctx, int argc, char *argv[]);
int cmd_config(const struct ctx *ctx, int argc, char *argv[]);
int cmd_reset(const struct ctx *ctx, int argc, char *argv[]);
int cmd_version(const struct ctx *ctx, int argc, char *argv[]);
int cmd_help(const struct ctx *ctx, int argc, char *argv[]);

/* Print "tcpclose: MESSAGE" and the current command's usage to stderr. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "tcpclose: MESSAGE" to stderr. */
void vpr_err(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Enter network namespace /run/netns/@name; prints the error. */
int netns_enter(const char *name);

struct nl;

/*
 * Enter ctx->netns if set, open the netlink socket and find the family.
 * Prints the error ("module not loaded ...") and returns EXIT_FAIL.
 */
int module_open(const struct ctx *ctx, struct nl *nl);

/* Strictly decimal digits, no sign, at most @max. */
bool parse_uint(const char *s, unsigned long long max, unsigned long long *v);

#endif
