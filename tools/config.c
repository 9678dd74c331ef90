// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose config": show and change module parameters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/tcpclose.h>

#include "output.h"
#include "source.h"
#include "tcpclose.h"

struct param_range {
	const char *name;
	long long min;
	long long max;
	const char *unit;
};

/*
 * Documented ranges of known parameters. Values for these are checked here,
 * before anything is written, so that bad input never changes state.
 * Parameters not listed are passed to the module as given.
 */
static const struct param_range param_ranges[] = {
	{ "fin_timeout", TCPCLOSE_FIN_TIMEOUT_MIN, TCPCLOSE_FIN_TIMEOUT_MAX,
	  "seconds" },
	{ "time_wait", 1, TCPCLOSE_TIMEOUT_MAX, "seconds" },
	{ "fin_wait1_timeout", 1, TCPCLOSE_TIMEOUT_MAX, "seconds" },
	{ "last_ack_timeout", 1, TCPCLOSE_TIMEOUT_MAX, "seconds" },
	{ "syn_timeout", 1, TCPCLOSE_TIMEOUT_MAX, "seconds" },
	{ "close_wait_alarm", 1, TCPCLOSE_TIMEOUT_MAX, "seconds" },
	{ "max_flows", TCPCLOSE_MAX_FLOWS_MIN, TCPCLOSE_MAX_FLOWS_MAX, "flows" },
};

static const struct param_range *find_range(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(param_ranges) / sizeof(param_ranges[0]); i++)
		if (!strcmp(param_ranges[i].name, name))
			return &param_ranges[i];
	return NULL;
}

/* Strictly "-?[0-9]+", in range of long long. */
static bool parse_decimal(const char *s, long long *val)
{
	const char *digits = *s == '-' ? s + 1 : s;
	char *end;

	if (*digits < '0' || *digits > '9')
		return false;
	errno = 0;
	*val = strtoll(s, &end, 10);
	return !errno && !*end;
}

/*
 * Check @value for parameter @name. Returns the value to write, or NULL if
 * it is invalid. Integers are rewritten in plain decimal: the kernel would
 * read "030" as octal.
 */
static const char *check_value(const char *name, const char *value,
			       char *buf, size_t size)
{
	const struct param_range *range = find_range(name);
	long long val;

	if (!*value)
		return NULL;
	if (!range)
		return value;
	if (!parse_decimal(value, &val) || val < range->min || val > range->max)
		return NULL;
	snprintf(buf, size, "%lld", val);
	return buf;
}

static int invalid_value(const char *name, const char *value)
{
	const struct param_range *range = find_range(name);

	if (range)
		pr_err("invalid value '%s' for %s: expected an integer in %lld..%lld (%s)",
		       value, name, range->min, range->max, range->unit);
	else
		pr_err("invalid value '%s' for %s", value, name);
	return EXIT_FAIL;
}

static int unknown_param(const char *name)
{
	pr_err("unknown parameter '%s' (see: " PROG_NAME " config)", name);
	return EXIT_USAGE;
}

static int read_param(const char *name, char **value)
{
	int ret = tcpclose_param_get(name, value);

	if (!ret)
		return 0;
	if (errno_is_perm(-ret))
		pr_err("permission denied: reading parameter %s needs root",
		       name);
	else
		pr_err("cannot read parameter %s: %s", name, strerror(-ret));
	return -1;
}

/* Print parameters @names; those that cannot be read are left out. */
static int print_params(const struct ctx *ctx, char *names[], size_t n)
{
	struct out_field *fields;
	char **values;
	int ret = EXIT_OK;
	size_t i, k = 0;

	fields = calloc(n + 1, sizeof(*fields));
	values = calloc(n + 1, sizeof(*values));
	if (!fields || !values) {
		pr_err("out of memory");
		ret = EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (read_param(names[i], &values[k])) {
			ret = EXIT_FAIL;
			continue;
		}
		fields[k].key = names[i];
		fields[k].value = values[k];
		fields[k].literal = json_is_integer(values[k]);
		k++;
	}
	out_print(stdout, ctx->json, fields, k);
out:
	for (i = 0; values && i < k; i++)
		free(values[i]);
	free(values);
	free(fields);
	return ret;
}

static int config_get(const struct ctx *ctx, int argc, char *argv[])
{
	struct tcpclose_params params;
	int i, ret;

	if (!require_module())
		return EXIT_FAIL;
	if (argc) {
		for (i = 0; i < argc; i++)
			if (!tcpclose_param_exists(argv[i]))
				return unknown_param(argv[i]);
		return print_params(ctx, argv, argc);
	}

	ret = tcpclose_params_list(&params);
	if (ret) {
		pr_err("cannot list parameters: %s", strerror(-ret));
		return EXIT_FAIL;
	}
	ret = print_params(ctx, params.names, params.n);
	tcpclose_params_free(&params);
	return ret;
}

static int config_set(const char *name, const char *value)
{
	const char *checked;
	char buf[32];
	int ret;

	if (!require_module())
		return EXIT_FAIL;
	if (!tcpclose_param_exists(name))
		return unknown_param(name);
	checked = check_value(name, value, buf, sizeof(buf));
	if (!checked)
		return invalid_value(name, value);

	ret = tcpclose_param_set(name, checked);
	if (!ret)
		return EXIT_OK;
	if (ret == -EINVAL || ret == -ERANGE)
		return invalid_value(name, value);
	if (errno_is_perm(-ret))
		pr_err("permission denied: setting %s needs root (CAP_SYS_ADMIN/CAP_NET_ADMIN)",
		       name);
	else
		pr_err("cannot set %s: %s", name, strerror(-ret));
	return EXIT_FAIL;
}

int cmd_config(const struct ctx *ctx, int argc, char *argv[])
{
	if (!argc)
		return config_get(ctx, 0, NULL);
	if (!strcmp(argv[0], "get"))
		return config_get(ctx, argc - 1, argv + 1);
	if (strcmp(argv[0], "set"))
		return usage_error("unknown config action '%s'", argv[0]);
	if (argc < 3)
		return usage_error("config set: missing %s",
				   argc < 2 ? "NAME and VALUE" : "VALUE");
	if (argc > 3)
		return usage_error("unexpected argument '%s'", argv[3]);
	return config_set(argv[1], argv[2]);
}
