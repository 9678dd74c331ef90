// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose watch": the events of multicast group "events", one line
 * each, until SIGINT or SIGTERM (or --count, --timeout).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>

#include "flow.h"
#include "names.h"
#include "nl.h"
#include "output.h"
#include "tcpclose.h"

#define MAX_TIMEOUT_S	(100 * 365 * 86400ULL)
#define KEEP_GOING	(-1)

struct watch {
	struct nl *nl;
	bool json;
	unsigned long long count;	/* events to wait for, 0: no limit */
	unsigned long long seen;
	long long timeout_ms;		/* -1: none */
	int bufsize;			/* SO_RCVBUF for the events */
};

/* "2026-11-22T10:00:01.123", local time, as ip monitor -t. */
static void print_time(const struct timespec *ts)
{
	char buf[32];
	struct tm tm;

	localtime_r(&ts->tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%s.%03ld", buf, ts->tv_nsec / 1000000);
}

static void print_text(const struct flow *f, bool end,
		       const struct timespec *ts)
{
	char a[64], b[64], sa[24], sb[24], list[512], age[24], name[32];

	print_time(ts);
	printf(" %s %s %s %s %s %s/%s", end ? "flow-end" : "anomaly",
	       family_text(f), vantage_name(f->vantage),
	       endpoint_text(f, &f->a, a, sizeof(a)),
	       endpoint_text(f, &f->b, b, sizeof(b)),
	       endpoint_state_text(&f->a, sa, sizeof(sa)),
	       endpoint_state_text(&f->b, sb, sizeof(sb)));
	if (end)
		printf(" verdict=%s", verdict_label(f->verdict));
	else
		printf(" anomaly=%s", anomalies_text(f->anomaly, name,
						     sizeof(name)));
	printf(" initiator=%s closer=%s", endpoint_label(f->initiator),
	       endpoint_label(f->active_closer));
	if (end)
		printf(" stalled=%s", endpoint_label(f->stalled));
	printf(" anomalies=%s age=%s\n",
	       anomalies_text(f->anomalies, list, sizeof(list)),
	       age_text(f->age_ms, age, sizeof(age)));
}

static void print_json(const struct flow *f, bool end,
		       const struct timespec *ts)
{
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "time_ms", (uint64_t)ts->tv_sec * 1000 +
		 ts->tv_nsec / 1000000);
	json_str(&j, "event", end ? "flow_end" : "anomaly");
	flow_json(&j, f);
	json_close(&j, '}');
}

/* A SYN flood event (syn-flood-ntf). */
struct flood {
	unsigned int family;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	unsigned int vantage;
	bool start;
	uint32_t rate;
	uint32_t threshold;
	uint64_t syns;
	uint64_t duration_ms;
};

static const uint8_t flood_types[TCPCLOSE_A_LISTENER_MAX + 1] = {
	[TCPCLOSE_A_LISTENER_FAMILY]		= MNL_TYPE_U8,
	[TCPCLOSE_A_LISTENER_ADDR]		= MNL_TYPE_BINARY,
	[TCPCLOSE_A_LISTENER_PORT]		= MNL_TYPE_U16,
	[TCPCLOSE_A_LISTENER_VANTAGE]		= MNL_TYPE_U8,
	[TCPCLOSE_A_LISTENER_FLOODING]		= MNL_TYPE_U8,
	[TCPCLOSE_A_LISTENER_RATE]		= MNL_TYPE_U32,
	[TCPCLOSE_A_LISTENER_THRESHOLD]		= MNL_TYPE_U32,
	[TCPCLOSE_A_LISTENER_SYNS]		= MNL_TYPE_U64,
	[TCPCLOSE_A_LISTENER_DURATION_MS]	= MNL_TYPE_U64,
};

/* 0, or -EBADMSG when an attribute every flood event has is missing. */
static int flood_parse(const struct nlmsghdr *nlh, struct flood *fl)
{
	const struct nlattr *tb[TCPCLOSE_A_LISTENER_MAX + 1];
	const struct nlattr *addr;
	size_t len;

	memset(fl, 0, sizeof(*fl));
	if (nl_parse(nlh, flood_types, TCPCLOSE_A_LISTENER_MAX, tb))
		return -EBADMSG;
	addr = tb[TCPCLOSE_A_LISTENER_ADDR];
	if (!addr || !tb[TCPCLOSE_A_LISTENER_PORT] ||
	    !tb[TCPCLOSE_A_LISTENER_FLOODING] || !tb[TCPCLOSE_A_LISTENER_RATE])
		return -EBADMSG;
	len = mnl_attr_get_payload_len(addr);
	fl->family = len == 16 ? AF_INET6 : AF_INET;
	if ((len != 4 && len != 16) ||
	    !inet_ntop(fl->family, mnl_attr_get_payload(addr), fl->addr,
		       sizeof(fl->addr)))
		return -EBADMSG;
	fl->port = ntohs(mnl_attr_get_u16(tb[TCPCLOSE_A_LISTENER_PORT]));
	if (tb[TCPCLOSE_A_LISTENER_VANTAGE])
		fl->vantage = mnl_attr_get_u8(tb[TCPCLOSE_A_LISTENER_VANTAGE]);
	fl->start = mnl_attr_get_u8(tb[TCPCLOSE_A_LISTENER_FLOODING]);
	fl->rate = mnl_attr_get_u32(tb[TCPCLOSE_A_LISTENER_RATE]);
	if (tb[TCPCLOSE_A_LISTENER_THRESHOLD])
		fl->threshold =
			mnl_attr_get_u32(tb[TCPCLOSE_A_LISTENER_THRESHOLD]);
	if (tb[TCPCLOSE_A_LISTENER_SYNS])
		fl->syns = mnl_attr_get_u64(tb[TCPCLOSE_A_LISTENER_SYNS]);
	if (tb[TCPCLOSE_A_LISTENER_DURATION_MS])
		fl->duration_ms =
			mnl_attr_get_u64(tb[TCPCLOSE_A_LISTENER_DURATION_MS]);
	return 0;
}

static void flood_text(const struct flood *fl, const struct timespec *ts)
{
	bool v6 = fl->family == AF_INET6;

	print_time(ts);
	printf(v6 ? " syn-flood %s ipv6 %s [%s]:%u" : " syn-flood %s ipv4 %s %s:%u",
	       fl->start ? "start" : "end", vantage_name(fl->vantage),
	       fl->addr, fl->port);
	printf(" rate=%" PRIu32 "/s threshold=%" PRIu32 " syns=%" PRIu64,
	       fl->rate, fl->threshold, fl->syns);
	if (!fl->start)
		printf(" duration=%" PRIu64 "ms", fl->duration_ms);
	printf("\n");
}

static void flood_json(const struct flood *fl, const struct timespec *ts)
{
	struct json j;

	json_init(&j, stdout);
	json_open(&j, NULL, '{');
	json_u64(&j, "time_ms", (uint64_t)ts->tv_sec * 1000 +
		 ts->tv_nsec / 1000000);
	json_str(&j, "event", "syn_flood");
	json_str(&j, "state", fl->start ? "start" : "end");
	json_str(&j, "family", fl->family == AF_INET6 ? "ipv6" : "ipv4");
	json_str(&j, "vantage", vantage_name(fl->vantage));
	json_str(&j, "addr", fl->addr);
	json_u64(&j, "port", fl->port);
	json_u64(&j, "rate", fl->rate);
	json_u64(&j, "threshold", fl->threshold);
	json_u64(&j, "syns", fl->syns);
	if (!fl->start)
		json_u64(&j, "duration_ms", fl->duration_ms);
	json_close(&j, '}');
}

/* Print one event; false if it was malformed (skipped). */
static bool print_event(const struct nlmsghdr *nlh, unsigned int cmd,
			bool json)
{
	bool end = cmd == TCPCLOSE_CMD_FLOW_END_NTF;
	struct timespec ts;
	struct flood fl;
	struct flow f;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (cmd == TCPCLOSE_CMD_SYN_FLOOD_NTF) {
		if (flood_parse(nlh, &fl))
			return false;
		if (json)
			flood_json(&fl, &ts);
		else
			flood_text(&fl, &ts);
		return true;
	}
	if (flow_parse(nlh, &f))
		return false;
	if (json)
		print_json(&f, end, &ts);
	else
		print_text(&f, end, &ts);
	return true;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct watch *w = data;

	if (nlh->nlmsg_type != w->nl->family ||
	    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN)
		return MNL_CB_OK;
	if (genl->cmd != TCPCLOSE_CMD_FLOW_END_NTF &&
	    genl->cmd != TCPCLOSE_CMD_ANOMALY_NTF &&
	    genl->cmd != TCPCLOSE_CMD_SYN_FLOOD_NTF)
		return MNL_CB_OK;
	if (!print_event(nlh, genl->cmd, w->json)) {
		pr_err("watch: malformed event skipped");
		return MNL_CB_OK;
	}
	if (fflush(stdout) || ferror(stdout))
		return MNL_CB_STOP;	/* main() reports it */
	w->seen++;
	return w->count && w->seen >= w->count ? MNL_CB_STOP : MNL_CB_OK;
}

/* Read what is queued; EXIT_OK when done, KEEP_GOING, or EXIT_FAIL. */
static int receive_events(struct watch *w)
{
	ssize_t len;
	int ret;

	len = mnl_socket_recvfrom(w->nl->sock, w->nl->buf, NL_BUF_SIZE);
	if (len < 0 && errno == ENOBUFS) {
		pr_err("watch: events lost (receive buffer overrun)");
		return KEEP_GOING;
	}
	if (len < 0 && (errno == EINTR || errno == EAGAIN))
		return KEEP_GOING;
	if (len < 0) {
		pr_err("watch: %s", strerror(errno));
		return EXIT_FAIL;
	}
	ret = mnl_cb_run(w->nl->buf, len, 0, 0, event_cb, w);
	if (ret < 0) {
		pr_err("watch: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return ret == MNL_CB_STOP ? EXIT_OK : KEEP_GOING;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int loop(struct watch *w, int sfd)
{
	struct pollfd fds[2] = {
		{ .fd = mnl_socket_get_fd(w->nl->sock), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};
	long long deadline = now_ms() + w->timeout_ms, left = -1;
	int ret;

	for (;;) {
		if (w->timeout_ms >= 0) {
			left = deadline - now_ms();
			if (left <= 0)
				return EXIT_OK;
		}
		if (left > INT32_MAX)
			left = INT32_MAX;
		if (poll(fds, 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			pr_err("watch: poll: %s", strerror(errno));
			return EXIT_FAIL;
		}
		if (fds[1].revents)
			return EXIT_OK;		/* SIGINT or SIGTERM */
		if (!fds[0].revents)
			continue;
		ret = receive_events(w);
		if (ret != KEEP_GOING)
			return ret;
	}
}

/* SIGINT and SIGTERM, blocked and read from a signalfd. */
static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Seconds, maybe with a fraction: "10", "0.5". */
static bool parse_seconds(const char *s, long long *ms)
{
	unsigned long long whole, frac = 0;
	const char *dot = strchr(s, '.');
	char buf[24];
	size_t n;

	n = dot ? (size_t)(dot - s) : strlen(s);
	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!parse_uint(buf, MAX_TIMEOUT_S, &whole))
		return false;
	if (dot) {
		/* milliseconds: up to 3 digits */
		n = strlen(dot + 1);
		if (!n || n > 3 || !parse_uint(dot + 1, 999, &frac))
			return false;
		while (n++ < 3)
			frac *= 10;
	}
	*ms = (long long)(whole * 1000 + frac);
	return true;
}

static int parse_options(const struct ctx *ctx, struct watch *w)
{
	unsigned long long size;

	w->json = ctx->json;
	w->timeout_ms = -1;
	if (ctx->count && (!parse_uint(ctx->count, ~0ULL, &w->count) ||
			   !w->count))
		return usage_error("watch: invalid --count '%s'", ctx->count);
	if (ctx->timeout && !parse_seconds(ctx->timeout, &w->timeout_ms))
		return usage_error("watch: invalid --timeout '%s'",
				   ctx->timeout);
	w->bufsize = EVENTS_RCVBUF;
	if (ctx->bufsize &&
	    (!parse_uint(ctx->bufsize, MAX_BUFSIZE, &size) || size < MIN_BUFSIZE))
		return usage_error("watch: invalid --buffer-size '%s' (%d..%d)",
				   ctx->bufsize, MIN_BUFSIZE, MAX_BUFSIZE);
	if (ctx->bufsize)
		w->bufsize = (int)size;
	return 0;
}

int cmd_watch(const struct ctx *ctx, int argc, char *argv[])
{
	struct watch w = { 0 };
	struct nl nl;
	int ret, sfd;

	if (argc)
		return usage_error("unexpected argument '%s'", argv[0]);
	ret = parse_options(ctx, &w);
	if (ret)
		return ret;
	if (module_open(ctx, &nl))
		return EXIT_FAIL;
	w.nl = &nl;
	ret = nl_join_events(&nl, w.bufsize);
	if (ret) {
		pr_err("watch: cannot join group '%s': %s",
		       TCPCLOSE_MCGRP_EVENTS, strerror(-ret));
		nl_close(&nl);
		return EXIT_FAIL;
	}
	sfd = signals_fd();
	if (sfd < 0) {
		pr_err("watch: signalfd: %s", strerror(errno));
		ret = EXIT_FAIL;
	} else {
		ret = loop(&w, sfd);
	}
	nl_close(&nl);
	return ret;
}
