/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpclose: shared declarations of the command line tool.
 */
#ifndef TCPCLOSE_H
#define TCPCLOSE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>

#define PROG_NAME "tcpclose"

#ifndef TCPCLOSE_VERSION
#define TCPCLOSE_VERSION "0.1.0"
#endif

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
};
#define OPT_CMD_MASK	(~0xff)

struct ctx {
	bool json;
	unsigned int flags;	/* OPT_* */
};

/* Commands: @argv holds the arguments after the command name. */
int cmd_stats(const struct ctx *ctx, int argc, char *argv[]);
int cmd_config(const struct ctx *ctx, int argc, char *argv[]);
int cmd_version(const struct ctx *ctx, int argc, char *argv[]);
int cmd_help(const struct ctx *ctx, int argc, char *argv[]);

/* Print "tcpclose: MESSAGE" and the current command's usage to stderr. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "tcpclose: MESSAGE" to stderr. */
void vpr_err(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Say so and return false if the module is not loaded. */
bool require_module(void);

static inline bool errno_is_perm(int err)
{
	return err == EPERM || err == EACCES;
}

/* Enter network namespace /run/netns/@name; prints the error. */
int netns_enter(const char *name);

#endif
