// SPDX-License-Identifier: GPL-2.0
/*
 * One flow: parsed from a FLOW_GET reply or an event, printed as text or
 * JSON.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "flow.h"
#include "names.h"
#include "nl.h"
#include "output.h"

static const uint8_t flow_types[TCPCLOSE_A_FLOW_MAX + 1] = {
	[TCPCLOSE_A_FLOW_FAMILY]	= MNL_TYPE_U8,
	[TCPCLOSE_A_FLOW_VANTAGE]	= MNL_TYPE_U8,
	[TCPCLOSE_A_FLOW_A]		= MNL_TYPE_NESTED,
	[TCPCLOSE_A_FLOW_B]		= MNL_TYPE_NESTED,
	[TCPCLOSE_A_FLOW_INITIATOR]	= MNL_TYPE_U8,
	[TCPCLOSE_A_FLOW_ACTIVE_CLOSER]	= MNL_TYPE_U8,
	[TCPCLOSE_A_FLOW_VERDICT]	= MNL_TYPE_U8,
	[TCPCLOSE_A_FLOW_STALLED]	= MNL_TYPE_U8,
	[TCPCLOSE_A_FLOW_ANOMALIES]	= MNL_TYPE_U32,
	[TCPCLOSE_A_FLOW_AGE_MS]	= MNL_TYPE_U64,
	[TCPCLOSE_A_FLOW_PICKED_UP]	= MNL_TYPE_FLAG,
	[TCPCLOSE_A_FLOW_ANOMALY]	= MNL_TYPE_U32,
};

static const uint8_t endpoint_types[TCPCLOSE_A_ENDPOINT_MAX + 1] = {
	[TCPCLOSE_A_ENDPOINT_ADDR]	= MNL_TYPE_BINARY,
	[TCPCLOSE_A_ENDPOINT_PORT]	= MNL_TYPE_U16,
	[TCPCLOSE_A_ENDPOINT_STATE]	= MNL_TYPE_U8,
	[TCPCLOSE_A_ENDPOINT_STATE_MS]	= MNL_TYPE_U64,
	[TCPCLOSE_A_ENDPOINT_SILENT_MS]	= MNL_TYPE_U64,
	[TCPCLOSE_A_ENDPOINT_LOCAL]	= MNL_TYPE_FLAG,
	[TCPCLOSE_A_ENDPOINT_STUCK]	= MNL_TYPE_FLAG,
	[TCPCLOSE_A_ENDPOINT_FINS]	= MNL_TYPE_U8,
};

static uint32_t present(const struct nlattr **tb, unsigned int max)
{
	uint32_t has = 0;
	unsigned int i;

	for (i = 0; i <= max && i < 32; i++)
		if (tb[i])
			has |= 1U << i;
	return has;
}

static uint64_t get_u64(const struct nlattr *attr)
{
	return attr ? mnl_attr_get_u64(attr) : 0;
}

static unsigned int get_u8(const struct nlattr *attr, unsigned int def)
{
	return attr ? mnl_attr_get_u8(attr) : def;
}

static int parse_endpoint(const struct nlattr *nest, struct endpoint *e)
{
	const struct nlattr *tb[TCPCLOSE_A_ENDPOINT_MAX + 1];
	const struct nlattr *addr;

	if (nl_parse_nested(nest, endpoint_types, TCPCLOSE_A_ENDPOINT_MAX, tb))
		return -EBADMSG;
	addr = tb[TCPCLOSE_A_ENDPOINT_ADDR];
	if (addr) {
		e->addr_len = mnl_attr_get_payload_len(addr);
		if (e->addr_len != 4 && e->addr_len != 16)
			return -EBADMSG;
		memcpy(e->addr, mnl_attr_get_payload(addr), e->addr_len);
	}
	e->has = present(tb, TCPCLOSE_A_ENDPOINT_MAX);
	if (tb[TCPCLOSE_A_ENDPOINT_PORT])
		e->port = ntohs(mnl_attr_get_u16(tb[TCPCLOSE_A_ENDPOINT_PORT]));
	e->state = get_u8(tb[TCPCLOSE_A_ENDPOINT_STATE], 0);
	e->state_ms = get_u64(tb[TCPCLOSE_A_ENDPOINT_STATE_MS]);
	e->silent_ms = get_u64(tb[TCPCLOSE_A_ENDPOINT_SILENT_MS]);
	e->local = tb[TCPCLOSE_A_ENDPOINT_LOCAL];
	e->stuck = tb[TCPCLOSE_A_ENDPOINT_STUCK];
	e->fins = get_u8(tb[TCPCLOSE_A_ENDPOINT_FINS], 0);
	return 0;
}

int flow_parse(const struct nlmsghdr *nlh, struct flow *f)
{
	const struct nlattr *tb[TCPCLOSE_A_FLOW_MAX + 1];

	memset(f, 0, sizeof(*f));
	if (nl_parse(nlh, flow_types, TCPCLOSE_A_FLOW_MAX, tb))
		return -EBADMSG;
	if (tb[TCPCLOSE_A_FLOW_A] &&
	    parse_endpoint(tb[TCPCLOSE_A_FLOW_A], &f->a))
		return -EBADMSG;
	if (tb[TCPCLOSE_A_FLOW_B] &&
	    parse_endpoint(tb[TCPCLOSE_A_FLOW_B], &f->b))
		return -EBADMSG;
	f->has = present(tb, TCPCLOSE_A_FLOW_MAX);
	f->family = get_u8(tb[TCPCLOSE_A_FLOW_FAMILY], 0);
	f->vantage = get_u8(tb[TCPCLOSE_A_FLOW_VANTAGE], 0);
	f->initiator = get_u8(tb[TCPCLOSE_A_FLOW_INITIATOR],
			      TCPCLOSE_ENDPOINT_NONE);
	f->active_closer = get_u8(tb[TCPCLOSE_A_FLOW_ACTIVE_CLOSER],
				  TCPCLOSE_ENDPOINT_NONE);
	f->verdict = get_u8(tb[TCPCLOSE_A_FLOW_VERDICT], 0);
	f->stalled = get_u8(tb[TCPCLOSE_A_FLOW_STALLED],
			    TCPCLOSE_ENDPOINT_NONE);
	if (tb[TCPCLOSE_A_FLOW_ANOMALIES])
		f->anomalies = mnl_attr_get_u32(tb[TCPCLOSE_A_FLOW_ANOMALIES]);
	if (tb[TCPCLOSE_A_FLOW_ANOMALY])
		f->anomaly = mnl_attr_get_u32(tb[TCPCLOSE_A_FLOW_ANOMALY]);
	f->age_ms = get_u64(tb[TCPCLOSE_A_FLOW_AGE_MS]);
	f->picked_up = tb[TCPCLOSE_A_FLOW_PICKED_UP];
	return 0;
}

static int compare_endpoint(const struct endpoint *x, const struct endpoint *y)
{
	int ret;

	if (x->addr_len != y->addr_len)
		return x->addr_len < y->addr_len ? -1 : 1;
	ret = memcmp(x->addr, y->addr, x->addr_len);
	if (ret)
		return ret;
	return x->port == y->port ? 0 : x->port < y->port ? -1 : 1;
}

int flow_compare(const struct flow *x, const struct flow *y)
{
	int ret;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	ret = compare_endpoint(&x->a, &y->a);
	return ret ? ret : compare_endpoint(&x->b, &y->b);
}

static const char *addr_text(const struct endpoint *e, char *buf,
			     size_t size)
{
	int af = e->addr_len == 16 ? AF_INET6 : AF_INET;

	if (!e->addr_len || !inet_ntop(af, e->addr, buf, size))
		snprintf(buf, size, "?");
	return buf;
}

const char *endpoint_text(const struct flow *f, const struct endpoint *e,
			  char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	bool v6 = e->addr_len == 16 || f->family == AF_INET6;

	addr_text(e, addr, sizeof(addr));
	if (e->has & HAS(TCPCLOSE_A_ENDPOINT_PORT))
		snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", addr, e->port);
	else
		snprintf(buf, size, v6 ? "[%s]:*" : "%s:*", addr);
	return buf;
}

const char *endpoint_state_text(const struct endpoint *e, char *buf,
				size_t size)
{
	snprintf(buf, size, "%s%s", state_label(e->state),
		 e->stuck ? "!" : "");
	return buf;
}

const char *family_text(const struct flow *f)
{
	if (f->family == AF_INET)
		return "ipv4";
	if (f->family == AF_INET6)
		return "ipv6";
	return "unknown";
}

const char *anomalies_text(uint32_t bits, char *buf, size_t size)
{
	char name[32];
	size_t len = 0;
	uint32_t bit;

	buf[0] = '\0';
	for (bit = 1; bit && len < size; bit <<= 1) {
		if (!(bits & bit))
			continue;
		if (anomaly_name(bit))
			dashed(anomaly_name(bit), name, sizeof(name));
		else
			snprintf(name, sizeof(name), "0x%" PRIx32, bit);
		len += snprintf(buf + len, size - len, "%s%s",
				len ? "," : "", name);
	}
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

const char *age_text(uint64_t ms, char *buf, size_t size)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 "s", s,
			 ms % 1000 / 100);
	else if (s < 3600)
		snprintf(buf, size, "%" PRIu64 "m%02" PRIu64 "s", s / 60,
			 s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else
		snprintf(buf, size, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	return buf;
}

static void anomalies_json(struct json *j, const char *key, uint32_t bits)
{
	uint32_t bit;

	json_open(j, key, '[');
	for (bit = 1; bit; bit <<= 1)
		if ((bits & bit) && anomaly_name(bit))
			json_str(j, NULL, anomaly_name(bit));
	json_close(j, ']');
}

static void endpoint_json(struct json *j, const char *key,
			  const struct endpoint *e)
{
	char addr[INET6_ADDRSTRLEN];

	json_open(j, key, '{');
	if (e->addr_len)
		json_str(j, "addr", addr_text(e, addr, sizeof(addr)));
	if (e->has & HAS(TCPCLOSE_A_ENDPOINT_PORT))
		json_u64(j, "port", e->port);
	if (e->has & HAS(TCPCLOSE_A_ENDPOINT_STATE))
		json_str(j, "state", state_name(e->state));
	if (e->has & HAS(TCPCLOSE_A_ENDPOINT_STATE_MS))
		json_u64(j, "state_ms", e->state_ms);
	if (e->has & HAS(TCPCLOSE_A_ENDPOINT_SILENT_MS))
		json_u64(j, "silent_ms", e->silent_ms);
	json_bool(j, "local", e->local);
	json_bool(j, "stuck", e->stuck);
	if (e->has & HAS(TCPCLOSE_A_ENDPOINT_FINS))
		json_u64(j, "fins", e->fins);
	json_close(j, '}');
}

/* An enum attribute as its name, if present. */
static void enum_json(struct json *j, const struct flow *f, unsigned int type,
		      const char *key, const char *name)
{
	if (f->has & HAS(type))
		json_str(j, key, name);
}

void flow_json(struct json *j, const struct flow *f)
{
	json_str(j, "family", family_text(f));
	enum_json(j, f, TCPCLOSE_A_FLOW_VANTAGE, "vantage",
		  vantage_name(f->vantage));
	if (f->has & HAS(TCPCLOSE_A_FLOW_A))
		endpoint_json(j, "a", &f->a);
	if (f->has & HAS(TCPCLOSE_A_FLOW_B))
		endpoint_json(j, "b", &f->b);
	enum_json(j, f, TCPCLOSE_A_FLOW_INITIATOR, "initiator",
		  endpoint_name(f->initiator));
	enum_json(j, f, TCPCLOSE_A_FLOW_ACTIVE_CLOSER, "active_closer",
		  endpoint_name(f->active_closer));
	enum_json(j, f, TCPCLOSE_A_FLOW_VERDICT, "verdict",
		  verdict_name(f->verdict));
	enum_json(j, f, TCPCLOSE_A_FLOW_STALLED, "stalled",
		  endpoint_name(f->stalled));
	anomalies_json(j, "anomalies", f->anomalies);
	if (f->has & HAS(TCPCLOSE_A_FLOW_ANOMALY))
		json_str(j, "anomaly", anomaly_name(f->anomaly) ?: "unknown");
	if (f->has & HAS(TCPCLOSE_A_FLOW_AGE_MS))
		json_u64(j, "age_ms", f->age_ms);
	json_bool(j, "picked_up", f->picked_up);
}
