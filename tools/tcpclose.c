// SPDX-License-Identifier: GPL-2.0
/*
 * tcpclose: diagnose how TCP connections end.
 *
 * Command line parsing and the command table.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpclose.h"

struct command {
	const char *name;
	int (*run)(const struct ctx *ctx, int argc, char *argv[]);
	const char *summary;
	const char *args;		/* synopsis after the name */
	const char *help;		/* details for "help COMMAND" */
	const struct option *options;	/* command-specific options */
};

static const struct option stats_options[] = {
	{ "host",	no_argument,	NULL,	OPT_HOST },
	{ "nonzero",	no_argument,	NULL,	OPT_NONZERO },
	{ "hist",	no_argument,	NULL,	OPT_HIST },
	{ "prometheus",	no_argument,	NULL,	OPT_PROMETHEUS },
	{ 0 }
};

static const struct option watch_options[] = {
	{ "count",	required_argument,	NULL,	OPT_COUNT },
	{ "timeout",	required_argument,	NULL,	OPT_TIMEOUT },
	{ "buffer-size", required_argument,	NULL,	OPT_BUFSIZE },
	{ 0 }
};

static const struct option reset_options[] = {
	{ "host",	no_argument,	NULL,	OPT_HOST },
	{ 0 }
};

static const struct command commands[] = {
	{
		.name = "stats",
		.run = cmd_stats,
		.summary = "show the counters (the default command)",
		.args = "[--host] [--nonzero] [--hist | --prometheus]",
		.help =
		"Show the counters of the current network namespace.\n"
		"\n"
		"  --host        host-wide totals instead\n"
		"  --nonzero     leave out counters (histograms) that are zero\n"
		"  --hist        the dwell histograms instead, in ms\n"
		"  --prometheus  everything, in the Prometheus text format\n",
		.options = stats_options,
	},
	{
		.name = "flows",
		.run = cmd_flows,
		.summary = "list the tracked flows",
		.args = "[FILTER...]",
		.help =
		"List the flows tracked in the current network namespace.\n"
		"Filters, all of which must match:\n"
		"\n"
		"  state STATE        an endpoint in STATE (fin-wait-2, close-wait, ...)\n"
		"  stuck              stuck in CLOSE_WAIT, or timed out blaming a side\n"
		"  verdict VERDICT    that verdict (close-normal, reset-closing, ...),\n"
		"                     or open\n"
		"  addr ADDR[/LEN]    an endpoint in that network\n"
		"  port PORT          an endpoint on that port\n",
	},
	{
		.name = "watch",
		.run = cmd_watch,
		.summary = "print flow-end and anomaly events as they happen",
		.args = "[--count N] [--timeout SECONDS] [--buffer-size BYTES]",
		.help =
		"Print each event of the current network namespace, one line\n"
		"each, until interrupted.\n"
		"\n"
		"  --count N              exit after N events\n"
		"  --timeout SECONDS      exit after that long\n"
		"  --buffer-size BYTES    socket receive buffer (default 4 MiB)\n",
		.options = watch_options,
	},
	{
		.name = "config",
		.run = cmd_config,
		.summary = "show or change module parameters",
		.args = "[get [NAME...] | set NAME VALUE [NAME VALUE...]]",
		.help =
		"Show the module parameters, or change them.\n"
		"\n"
		"  config                    show all parameters\n"
		"  config get NAME...        show the named parameters\n"
		"  config set NAME VALUE...  change them, all or none\n"
		"                            (needs CAP_NET_ADMIN)\n"
		"\n"
		"Parameters: fin_timeout time_wait fin_wait1_timeout last_ack_timeout\n"
		"syn_timeout close_wait_alarm max_flows fin_timeout_action\n"
		"syn_flood_threshold\n",
	},
	{
		.name = "reset",
		.run = cmd_reset,
		.summary = "zero the counters and histograms (not the gauges)",
		.args = "[--host]",
		.help =
		"Zero the counters of the current network namespace.\n"
		"Needs CAP_NET_ADMIN.\n"
		"\n"
		"  --host  the host-wide totals instead\n",
		.options = reset_options,
	},
	{
		.name = "version",
		.run = cmd_version,
		.summary = "show the versions of this tool and of the module",
	},
	{
		.name = "help",
		.run = cmd_help,
		.summary = "show help on a command",
		.args = "[COMMAND]",
	},
};

static const struct option global_options[] = {
	{ "json",	no_argument,		NULL,	'j' },
	{ "netns",	required_argument,	NULL,	'n' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
};

/* '+': stop at the first non-option, ':': report a missing argument */
#define SHORT_OPTIONS	"+:jn:hV"
#define MAX_CMD_OPTIONS	8

/* The command being parsed or run, for usage_error(). */
static const struct command *current;

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	size_t i;

	fputs("Usage: " PROG_NAME " [OPTIONS] [COMMAND [ARGS]]\n"
	      "\n"
	      "Diagnose how TCP connections end.\n"
	      "\n"
	      "Options (also accepted after COMMAND):\n"
	      "  -j, --json        print JSON\n"
	      "  -n, --netns NAME  run in network namespace NAME (/run/netns/NAME)\n"
	      "  -h, --help        show help\n"
	      "  -V, --version     same as the version command\n"
	      "\n"
	      "Commands:\n", f);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s  %s\n", commands[i].name,
			commands[i].summary);
	fputs("\nWithout COMMAND, runs 'stats'. "
	      "See '" PROG_NAME " help COMMAND' for more.\n", f);
}

static void print_command_usage(FILE *f, const struct command *cmd)
{
	fprintf(f, "Usage: %s [OPTIONS] %s%s%s\n", PROG_NAME, cmd->name,
		cmd->args ? " " : "", cmd->args ?: "");
	if (cmd->help)
		fprintf(f, "\n%s", cmd->help);
}

static void print_current_usage(FILE *f)
{
	if (current)
		print_command_usage(f, current);
	else
		print_usage(f);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
	print_current_usage(stderr);
	return EXIT_USAGE;
}

int cmd_help(const struct ctx *ctx, int argc, char *argv[])
{
	const struct command *cmd;

	(void)ctx;
	if (argc > 1)
		return usage_error("unexpected argument '%s'", argv[1]);
	if (!argc) {
		print_usage(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[0]);
	if (!cmd) {
		current = NULL;
		return usage_error("unknown command '%s'", argv[0]);
	}
	print_command_usage(stdout, cmd);
	return EXIT_OK;
}

struct args {
	bool help;
	bool version;
	int argc;		/* arguments after the command name */
	char **argv;
};

/* Global options, then those of the command once it is known. */
static void build_options(struct option *opts, size_t max)
{
	const struct option *o;
	size_t n = ARRAY_SIZE(global_options);

	memcpy(opts, global_options, sizeof(global_options));
	for (o = current ? current->options : NULL; o && o->name; o++)
		if (n < max - 1)
			opts[n++] = *o;
	memset(&opts[n], 0, sizeof(opts[n]));
}

/* "-", negative numbers and anything not starting with '-' */
static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] && !isdigit((unsigned char)arg[1]);
}

static int add_argument(struct args *a, char *arg)
{
	if (current) {
		a->argv[a->argc++] = arg;
		return 0;
	}
	current = find_command(arg);
	if (!current)
		return usage_error("unknown command '%s'", arg);
	return 0;
}

static int bad_option(int c, const char *arg)
{
	/* A long option, or a short one as in "-x" or "-jx". */
	if (!strncmp(arg, "--", 2)) {
		if (c == ':')
			return usage_error("option '%s' needs an argument", arg);
		return usage_error("unrecognized option '%s'", arg);
	}
	if (c == ':')
		return usage_error("option '-%c' needs an argument", optopt);
	return usage_error("unrecognized option '-%c'", optopt);
}

static int parse_option(int argc, char *argv[], struct ctx *ctx,
			struct args *a)
{
	struct option opts[ARRAY_SIZE(global_options) + MAX_CMD_OPTIONS + 1];
	const char *arg = argv[optind];
	int c;

	build_options(opts, ARRAY_SIZE(opts));
	c = getopt_long(argc, argv, SHORT_OPTIONS, opts, NULL);
	switch (c) {
	case 'j':
		ctx->json = true;
		break;
	case 'n':
		ctx->netns = optarg;
		break;
	case 'h':
		a->help = true;
		break;
	case 'V':
		a->version = true;
		break;
	case ':':
	case '?':
		return bad_option(c, arg);
	default:
		if (c < 0 || !(c & OPT_CMD_MASK))
			return usage_error("cannot parse '%s'", arg);
		ctx->flags |= c;
		if (c == OPT_COUNT)
			ctx->count = optarg;
		else if (c == OPT_TIMEOUT)
			ctx->timeout = optarg;
		else if (c == OPT_BUFSIZE)
			ctx->bufsize = optarg;
	}
	return 0;
}

static int parse_args(int argc, char *argv[], struct ctx *ctx,
		      struct args *a)
{
	bool options_done = false;
	int ret;

	opterr = 0;
	a->argv = calloc(argc, sizeof(*a->argv));
	if (!a->argv) {
		pr_err("out of memory");
		return EXIT_FAIL;
	}

	while (optind < argc) {
		char *arg = argv[optind];

		if (!options_done && !strcmp(arg, "--")) {
			options_done = true;
			optind++;
		} else if (options_done || !is_option(arg)) {
			ret = add_argument(a, arg);
			if (ret)
				return ret;
			optind++;
		} else {
			ret = parse_option(argc, argv, ctx, a);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int run(int argc, char *argv[])
{
	struct args a = { 0 };
	struct ctx ctx = { 0 };
	int ret;

	ret = parse_args(argc, argv, &ctx, &a);
	if (!ret && a.help) {
		print_current_usage(stdout);
	} else if (!ret) {
		if (a.version) {
			current = find_command("version");
			a.argc = 0;
		} else if (!current) {
			current = find_command("stats");
		}
		ret = current->run(&ctx, a.argc, a.argv);
	}
	free(a.argv);
	return ret;
}

/*
 * Report output errors; a reader that went away (EPIPE, with SIGPIPE ignored)
 * is not worth a message. A write that failed earlier left its errno behind.
 */
static int close_stdout(int ret)
{
	int err = 0;

	if (ferror(stdout)) {
		err = errno ? errno : EIO;
	} else {
		errno = 0;
		if (fflush(stdout) || ferror(stdout))
			err = errno ? errno : EIO;
	}
	if (fclose(stdout) && !err)
		err = errno ? errno : EIO;
	if (!err)
		return ret;
	if (err != EPIPE)
		pr_err("write error: %s", strerror(err));
	return ret ? ret : EXIT_FAIL;
}

int main(int argc, char *argv[])
{
	return close_stdout(run(argc, argv));
}
