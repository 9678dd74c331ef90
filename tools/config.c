// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose config": show the module parameters, or change several at
 * once, all or nothing, with one CONFIG_SET.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "names.h"
#include "nl.h"
#include "output.h"
#include "tcpclose.h"

struct param {
	const char *name;	/* as in /sys/module/tcpclose/parameters */
	unsigned int attr;	/* TCPCLOSE_A_CONFIG_* */
	bool action;		/* enum tcpclose_action, else a number */
};

/* In the order of Documentation/parameters.rst. */
static const struct param params[] = {
	{ "fin_timeout", TCPCLOSE_A_CONFIG_FIN_TIMEOUT, false },
	{ "time_wait", TCPCLOSE_A_CONFIG_TIME_WAIT, false },
	{ "fin_wait1_timeout", TCPCLOSE_A_CONFIG_FIN_WAIT1_TIMEOUT, false },
	{ "last_ack_timeout", TCPCLOSE_A_CONFIG_LAST_ACK_TIMEOUT, false },
	{ "syn_timeout", TCPCLOSE_A_CONFIG_SYN_TIMEOUT, false },
	{ "close_wait_alarm", TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM, false },
	{ "max_flows", TCPCLOSE_A_CONFIG_MAX_FLOWS, false },
	{ "fin_timeout_action", TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION, true },
	{ "syn_flood_threshold", TCPCLOSE_A_CONFIG_SYN_FLOOD_THRESHOLD, false },
};

#define NPARAMS ARRAY_SIZE(params)

struct config {
	bool have[NPARAMS];
	uint32_t value[NPARAMS];
};

static const struct param *find_param(const char *name)
{
	size_t i;

	for (i = 0; i < NPARAMS; i++)
		if (!strcmp(params[i].name, name))
			return &params[i];
	return NULL;
}

static const char *param_name(unsigned int attr)
{
	size_t i;

	for (i = 0; i < NPARAMS; i++)
		if (params[i].attr == attr)
			return params[i].name;
	return NULL;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	struct config *config = data;
	const struct nlattr *attr;
	size_t i;

	mnl_attr_for_each(attr, nlh, GENL_HDRLEN) {
		for (i = 0; i < NPARAMS; i++) {
			if (mnl_attr_get_type(attr) != params[i].attr)
				continue;
			if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
				errno = EBADMSG;
				return MNL_CB_ERROR;
			}
			config->value[i] = mnl_attr_get_u32(attr);
			config->have[i] = true;
		}
	}
	return MNL_CB_OK;
}

static void print_config(const struct ctx *ctx, const struct config *config,
			 const struct param **show, size_t n)
{
	struct out_field fields[NPARAMS];
	char values[NPARAMS][12];
	size_t i, k = 0, p;

	for (i = 0; i < n && k < NPARAMS; i++) {
		p = show[i] - params;
		if (!config->have[p])
			continue;
		fields[k].key = params[p].name;
		if (params[p].action) {
			fields[k].value = action_name(config->value[p]);
			fields[k].literal = false;
		} else {
			snprintf(values[k], sizeof(values[k]), "%" PRIu32,
				 config->value[p]);
			fields[k].value = values[k];
			fields[k].literal = true;
		}
		k++;
	}
	out_print(stdout, ctx->json, fields, k);
}

static int config_get(const struct ctx *ctx, int argc, char *argv[])
{
	const struct param *show[NPARAMS];
	struct config config = { 0 };
	struct nl nl;
	size_t i, n = argc ? (size_t)argc : NPARAMS;
	int ret;

	if (n > NPARAMS)
		return usage_error("config get: too many names");
	for (i = 0; i < n; i++) {
		show[i] = argc ? find_param(argv[i]) : &params[i];
		if (!show[i])
			return usage_error("config: unknown parameter '%s'",
					   argv[i]);
	}
	if (module_open(ctx, &nl))
		return EXIT_FAIL;
	ret = nl_do(&nl, nl_request(&nl, TCPCLOSE_CMD_CONFIG_GET, 0),
		    config_cb, &config);
	if (ret)
		nl_perror(&nl, "config get", ret, param_name);
	nl_close(&nl);
	if (ret)
		return EXIT_FAIL;
	print_config(ctx, &config, show, n);
	return EXIT_OK;
}

/* A u32 in decimal, or for the action its name. Range: the kernel's. */
static bool parse_value(const struct param *p, const char *s, uint32_t *v)
{
	unsigned long long n;
	unsigned int action;

	if (p->action && action_parse(s, &action)) {
		*v = action;
		return true;
	}
	if (!parse_uint(s, UINT32_MAX, &n))
		return false;
	*v = n;
	return true;
}

static int parse_pairs(int argc, char *argv[], struct config *config)
{
	const struct param *p;
	int i;

	if (!argc)
		return usage_error("config set: missing NAME and VALUE");
	for (i = 0; i < argc; i += 2) {
		p = find_param(argv[i]);
		if (!p)
			return usage_error("config: unknown parameter '%s'",
					   argv[i]);
		if (i + 1 == argc)
			return usage_error("config set: missing a value for %s",
					   argv[i]);
		if (config->have[p - params])
			return usage_error("config set: %s given twice",
					   argv[i]);
		if (!parse_value(p, argv[i + 1], &config->value[p - params]))
			return usage_error("config set: invalid value '%s' for %s",
					   argv[i + 1], argv[i]);
		config->have[p - params] = true;
	}
	return 0;
}

static int config_set(const struct ctx *ctx, int argc, char *argv[])
{
	struct config config = { 0 };
	struct nlmsghdr *req;
	struct nl nl;
	size_t i;
	int ret;

	ret = parse_pairs(argc, argv, &config);
	if (ret)
		return ret;
	if (module_open(ctx, &nl))
		return EXIT_FAIL;
	req = nl_request(&nl, TCPCLOSE_CMD_CONFIG_SET, 0);
	for (i = 0; i < NPARAMS; i++)
		if (config.have[i])
			mnl_attr_put_u32(req, params[i].attr, config.value[i]);
	ret = nl_do(&nl, req, NULL, NULL);
	if (ret)
		nl_perror(&nl, "config set", ret, param_name);
	nl_close(&nl);
	return ret ? EXIT_FAIL : EXIT_OK;
}

int cmd_config(const struct ctx *ctx, int argc, char *argv[])
{
	if (!argc)
		return config_get(ctx, 0, NULL);
	if (!strcmp(argv[0], "get"))
		return config_get(ctx, argc - 1, argv + 1);
	if (!strcmp(argv[0], "set"))
		return config_set(ctx, argc - 1, argv + 1);
	return usage_error("config: unknown action '%s'", argv[0]);
}
