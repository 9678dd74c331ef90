/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One flow, as FLOW_GET dumps it and the events carry it.
 */
#ifndef TCPCLOSE_FLOW_H
#define TCPCLOSE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct json;

/* Attribute @type was present: (x)->has & HAS(type). */
#define HAS(type)	(1U << (type))

struct endpoint {
	uint32_t has;		/* HAS(TCPCLOSE_A_ENDPOINT_*) */
	uint8_t addr[16];
	unsigned int addr_len;	/* 4 or 16 */
	uint16_t port;		/* host order */
	unsigned int state;
	uint64_t state_ms;
	uint64_t silent_ms;
	bool local;
	bool stuck;
	unsigned int fins;
};

struct flow {
	uint32_t has;		/* HAS(TCPCLOSE_A_FLOW_*) */
	unsigned int family;	/* AF_INET or AF_INET6 */
	unsigned int vantage;
	struct endpoint a, b;
	unsigned int initiator;
	unsigned int active_closer;
	unsigned int verdict;
	unsigned int stalled;
	uint32_t anomalies;
	uint32_t anomaly;	/* the one of an anomaly event */
	uint64_t age_ms;
	bool picked_up;
};

/* 0 or -EBADMSG. */
int flow_parse(const struct nlmsghdr *nlh, struct flow *f);

/* Order for listings: family, then A's address and port, then B's. */
int flow_compare(const struct flow *x, const struct flow *y);

/* The flow's keys, into an open JSON object. */
void flow_json(struct json *j, const struct flow *f);

/* Text forms: "10.0.0.1:80", "[fd00::1]:80" */
const char *endpoint_text(const struct flow *f, const struct endpoint *e,
			  char *buf, size_t size);
/* "FIN-WAIT-2", with a "!" if stuck in CLOSE_WAIT */
const char *endpoint_state_text(const struct endpoint *e, char *buf,
				size_t size);
/* "ipv4", "ipv6" */
const char *family_text(const struct flow *f);
/* "rst-exact,half-open" or "-" */
const char *anomalies_text(uint32_t bits, char *buf, size_t size);
/* "850ms", "4.2s", "3m07s", "2h05m", "6d03h" */
const char *age_text(uint64_t ms, char *buf, size_t size);

#endif
