// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose flows": the tracked flows, filtered by the kernel, in aligned
 * columns as ss(8) prints sockets, or as a JSON array.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "names.h"
#include "nl.h"
#include "output.h"
#include "tcpclose.h"

/* The filters of the dump request, each given at most once. */
struct filter {
	unsigned int given;	/* HAS(TCPCLOSE_A_FLOW_FILTER_*) */
	unsigned int state;
	unsigned int verdict;
	uint8_t addr[16];
	unsigned int addr_len;
	unsigned int prefix;	/* addr_len * 8 if not given */
	uint16_t port;
};

struct flows {
	struct flow *v;
	size_t n;
	size_t cap;
};

static const char *filter_name(unsigned int type)
{
	switch (type) {
	case TCPCLOSE_A_FLOW_FILTER_STATE:
		return "state";
	case TCPCLOSE_A_FLOW_FILTER_VERDICT:
		return "verdict";
	case TCPCLOSE_A_FLOW_FILTER_ADDR:
		return "addr";
	case TCPCLOSE_A_FLOW_FILTER_PREFIX:
		return "addr (prefix length)";
	case TCPCLOSE_A_FLOW_FILTER_PORT:
		return "port";
	case TCPCLOSE_A_FLOW_FILTER_STUCK:
		return "stuck";
	}
	return NULL;
}

/* ADDR or ADDR/LEN, IPv4 or IPv6, IPv6 maybe in brackets. */
static bool parse_prefix(const char *arg, struct filter *f)
{
	char buf[INET6_ADDRSTRLEN + 8], *len, *addr = buf;
	unsigned long long prefix;
	size_t n;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return false;
	len = strchr(buf, '/');
	if (len)
		*len++ = '\0';
	n = strlen(addr);
	if (n > 2 && addr[0] == '[' && addr[n - 1] == ']') {
		addr[n - 1] = '\0';
		addr++;
	}
	if (inet_pton(AF_INET, addr, f->addr) == 1)
		f->addr_len = 4;
	else if (inet_pton(AF_INET6, addr, f->addr) == 1)
		f->addr_len = 16;
	else
		return false;
	f->prefix = f->addr_len * 8;
	if (!len)
		return true;
	if (!parse_uint(len, f->addr_len * 8, &prefix))
		return false;
	f->prefix = prefix;
	f->given |= HAS(TCPCLOSE_A_FLOW_FILTER_PREFIX);
	return true;
}

static bool parse_value(unsigned int type, const char *arg, struct filter *f)
{
	unsigned long long port;

	switch (type) {
	case TCPCLOSE_A_FLOW_FILTER_STATE:
		return state_parse(arg, &f->state);
	case TCPCLOSE_A_FLOW_FILTER_VERDICT:
		return verdict_parse(arg, &f->verdict);
	case TCPCLOSE_A_FLOW_FILTER_ADDR:
		return parse_prefix(arg, f);
	case TCPCLOSE_A_FLOW_FILTER_PORT:
		if (!parse_uint(arg, 65535, &port))
			return false;
		f->port = port;
		return true;
	}
	return false;
}

static int filter_type(const char *word)
{
	static const unsigned int types[] = {
		TCPCLOSE_A_FLOW_FILTER_STATE, TCPCLOSE_A_FLOW_FILTER_VERDICT,
		TCPCLOSE_A_FLOW_FILTER_ADDR, TCPCLOSE_A_FLOW_FILTER_PORT,
		TCPCLOSE_A_FLOW_FILTER_STUCK,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(word, filter_name(types[i])))
			return types[i];
	return -1;
}

static int parse_filters(int argc, char *argv[], struct filter *f)
{
	int i, type;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < argc; i++) {
		type = filter_type(argv[i]);
		if (type < 0)
			return usage_error("flows: unknown filter '%s'",
					   argv[i]);
		if (f->given & HAS(type))
			return usage_error("flows: '%s' given twice", argv[i]);
		f->given |= HAS(type);
		if (type == TCPCLOSE_A_FLOW_FILTER_STUCK)
			continue;
		if (i + 1 == argc)
			return usage_error("flows: '%s' needs a value",
					   argv[i]);
		if (!parse_value(type, argv[i + 1], f))
			return usage_error("flows: invalid %s '%s'", argv[i],
					   argv[i + 1]);
		i++;
	}
	return 0;
}

static void put_filters(struct nlmsghdr *req, const struct filter *f)
{
	if (f->given & HAS(TCPCLOSE_A_FLOW_FILTER_STATE))
		mnl_attr_put_u8(req, TCPCLOSE_A_FLOW_FILTER_STATE, f->state);
	if (f->given & HAS(TCPCLOSE_A_FLOW_FILTER_VERDICT))
		mnl_attr_put_u8(req, TCPCLOSE_A_FLOW_FILTER_VERDICT,
				f->verdict);
	if (f->given & HAS(TCPCLOSE_A_FLOW_FILTER_ADDR))
		mnl_attr_put(req, TCPCLOSE_A_FLOW_FILTER_ADDR, f->addr_len,
			     f->addr);
	if (f->given & HAS(TCPCLOSE_A_FLOW_FILTER_PREFIX))
		mnl_attr_put_u8(req, TCPCLOSE_A_FLOW_FILTER_PREFIX, f->prefix);
	if (f->given & HAS(TCPCLOSE_A_FLOW_FILTER_PORT))
		mnl_attr_put_u16(req, TCPCLOSE_A_FLOW_FILTER_PORT,
				 htons(f->port));
	if (f->given & HAS(TCPCLOSE_A_FLOW_FILTER_STUCK))
		nl_put_flag(req, TCPCLOSE_A_FLOW_FILTER_STUCK);
}

static int flow_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flows *flows = data;
	struct flow *v;

	if (flows->n == flows->cap) {
		size_t cap = flows->cap ? flows->cap * 2 : 64;

		v = reallocarray(flows->v, cap, sizeof(*v));
		if (!v) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		flows->v = v;
		flows->cap = cap;
	}
	if (flow_parse(nlh, &flows->v[flows->n])) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	flows->n++;
	return MNL_CB_OK;
}

static void restart(void *data)
{
	((struct flows *)data)->n = 0;
}

static int compare(const void *x, const void *y)
{
	return flow_compare(x, y);
}

static const char *const header[] = {
	"Fam", "Vantage", "A-Address:Port", "B-Address:Port", "State-A",
	"State-B", "Init", "Closer", "Verdict", "Stalled", "Anomalies", "Age",
};

static int add_row(struct table *t, const struct flow *f)
{
	char a[64], b[64], sa[24], sb[24], anomalies[256], age[24];
	const char *row[ARRAY_SIZE(header)] = {
		family_text(f), vantage_name(f->vantage),
		endpoint_text(f, &f->a, a, sizeof(a)),
		endpoint_text(f, &f->b, b, sizeof(b)),
		endpoint_state_text(&f->a, sa, sizeof(sa)),
		endpoint_state_text(&f->b, sb, sizeof(sb)),
		endpoint_label(f->initiator), endpoint_label(f->active_closer),
		verdict_label(f->verdict), endpoint_label(f->stalled),
		anomalies_text(f->anomalies, anomalies, sizeof(anomalies)),
		age_text(f->age_ms, age, sizeof(age)),
	};

	return table_add(t, row);
}

static int print_text(const struct flows *flows)
{
	struct table t;
	size_t i;
	int ret;

	ret = table_init(&t, header, ARRAY_SIZE(header));
	for (i = 0; !ret && i < flows->n; i++)
		ret = add_row(&t, &flows->v[i]);
	if (!ret)
		table_print(stdout, &t);
	table_free(&t);
	return ret;
}

static void print_json(const struct flows *flows)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_open(&j, NULL, '[');
	for (i = 0; i < flows->n; i++) {
		json_open(&j, NULL, '{');
		flow_json(&j, &flows->v[i]);
		json_close(&j, '}');
	}
	json_close(&j, ']');
}

static int dump(const struct ctx *ctx, const struct filter *filter,
		struct flows *flows)
{
	struct nlmsghdr *req;
	struct nl nl;
	int ret;

	if (module_open(ctx, &nl))
		return EXIT_FAIL;
	req = nl_request(&nl, TCPCLOSE_CMD_FLOW_GET, 0);
	put_filters(req, filter);
	ret = nl_dump(&nl, req, flow_cb, flows, restart, "flows");
	if (ret)
		nl_perror(&nl, "flows", ret, filter_name);
	nl_close(&nl);
	return ret ? EXIT_FAIL : EXIT_OK;
}

int cmd_flows(const struct ctx *ctx, int argc, char *argv[])
{
	struct flows flows = { 0 };
	struct filter filter;
	int ret;

	ret = parse_filters(argc, argv, &filter);
	if (ret)
		return ret;
	ret = dump(ctx, &filter, &flows);
	if (!ret) {
		if (flows.n)
			qsort(flows.v, flows.n, sizeof(*flows.v), compare);
		if (ctx->json) {
			print_json(&flows);
		} else if (print_text(&flows)) {
			pr_err("out of memory");
			ret = EXIT_FAIL;
		}
	}
	free(flows.v);
	return ret;
}
