// SPDX-License-Identifier: GPL-2.0
/*
 * nl_api: the tcpclose generic netlink family, as user space sees it.
 *
 * Built on the host (libmnl, the kernel's kselftest_harness.h, the module's
 * uapi header); run in the test VM by nl_api.sh with the module loaded.
 * Every test runs in a process of its own, most of them in a network
 * namespace of their own: quiet, with only the traffic the test makes over
 * lo.  Documentation/netlink/specs/tcpclose.yaml is the contract.
 *
 *   stats_*              STATS_GET (and HOST) against /proc, STATS_RESET
 *   config_get           CONFIG_GET against /sys/module/tcpclose/parameters
 *   cfg.config_set       CONFIG_SET of several parameters, and the bounds
 *   cfg.malformed        bad requests: each one rejected, with an extack
 *                        message (bar a few the genetlink core refuses
 *                        before any policy), the parameters unchanged
 *   cfg.flow_get_filters FLOW_GET on four scripted flows, every filter
 *   perm_*               without CAP_NET_ADMIN, and in user namespaces
 *   events               the "events" group: FLOW_END_NTF, ANOMALY_NTF
 *   big.dump_10k_churn   a dump of 10 000 stable flows while others churn,
 *                        then one during which the flow table grows
 *
 * The figures (requests counted, the big dump's size and time,
 * NLM_F_DUMP_INTR) are "# " lines of the KTAP output.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcpclose.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "config_names.h"

#include "kselftest_harness.h"

#define NL_BUF		(64 * 1024)
#define NCOUNTERS	(TCPCLOSE_A_COUNTERS_MAX - TCPCLOSE_A_COUNTERS_PAD)
#define NCONFIG		TCPCLOSE_A_CONFIG_MAX
#define NDWELL		5
#define PARAMS		"/sys/module/tcpclose/parameters/"
#define PROC_NET	"/proc/net/tcpclose"
#define PROC_HOST	"/proc/tcpclose"
#define NOBODY		65534
/* What a quiet counter may still move by after a reset. */
#define RESET_SLACK	2
#define HOST_SLACK	20

static __u16 genl_id;
static __u32 events_grp;

/* --- names ------------------------------------------------------------- */

/* Counter attribute -> its /proc name (the spec's, '_' for '-'). */
static const char *const counter_names[TCPCLOSE_A_COUNTERS_MAX + 1] = {
	[TCPCLOSE_A_COUNTERS_SEG_TOTAL] = "seg_total",
	[TCPCLOSE_A_COUNTERS_SEG_IN] = "seg_in",
	[TCPCLOSE_A_COUNTERS_SEG_OUT] = "seg_out",
	[TCPCLOSE_A_COUNTERS_SEG_FORWARD] = "seg_forward",
	[TCPCLOSE_A_COUNTERS_SEG_SYN] = "seg_syn",
	[TCPCLOSE_A_COUNTERS_SEG_SYNACK] = "seg_synack",
	[TCPCLOSE_A_COUNTERS_SEG_FIN] = "seg_fin",
	[TCPCLOSE_A_COUNTERS_SEG_RST] = "seg_rst",
	[TCPCLOSE_A_COUNTERS_SEG_PURE_ACK] = "seg_pure_ack",
	[TCPCLOSE_A_COUNTERS_SEG_DATA] = "seg_data",
	[TCPCLOSE_A_COUNTERS_BAD_HEADER] = "bad_header",
	[TCPCLOSE_A_COUNTERS_FRAGMENT] = "fragment",
	[TCPCLOSE_A_COUNTERS_FLOWS_ACTIVE] = "flows_active",
	[TCPCLOSE_A_COUNTERS_STATE_SYN_SENT] = "state_syn_sent",
	[TCPCLOSE_A_COUNTERS_STATE_SYN_RECV] = "state_syn_recv",
	[TCPCLOSE_A_COUNTERS_STATE_ESTABLISHED] = "state_established",
	[TCPCLOSE_A_COUNTERS_STATE_FIN_WAIT1] = "state_fin_wait1",
	[TCPCLOSE_A_COUNTERS_STATE_FIN_WAIT2] = "state_fin_wait2",
	[TCPCLOSE_A_COUNTERS_STATE_CLOSING] = "state_closing",
	[TCPCLOSE_A_COUNTERS_STATE_TIME_WAIT] = "state_time_wait",
	[TCPCLOSE_A_COUNTERS_STATE_CLOSE_WAIT] = "state_close_wait",
	[TCPCLOSE_A_COUNTERS_STATE_LAST_ACK] = "state_last_ack",
	[TCPCLOSE_A_COUNTERS_CLOSE_WAIT_STUCK] = "close_wait_stuck",
	[TCPCLOSE_A_COUNTERS_FLOWS_CREATED] = "flows_created",
	[TCPCLOSE_A_COUNTERS_FLOWS_ENDED] = "flows_ended",
	[TCPCLOSE_A_COUNTERS_FLOWS_PICKED_UP] = "flows_picked_up",
	[TCPCLOSE_A_COUNTERS_FLOWS_UNTRACKED] = "flows_untracked",
	[TCPCLOSE_A_COUNTERS_VERDICT_CLOSE_NORMAL] = "verdict_close_normal",
	[TCPCLOSE_A_COUNTERS_VERDICT_CLOSE_SIMULTANEOUS] = "verdict_close_simultaneous",
	[TCPCLOSE_A_COUNTERS_VERDICT_RESET_ESTABLISHED] = "verdict_reset_established",
	[TCPCLOSE_A_COUNTERS_VERDICT_RESET_CLOSING] = "verdict_reset_closing",
	[TCPCLOSE_A_COUNTERS_VERDICT_REFUSED] = "verdict_refused",
	[TCPCLOSE_A_COUNTERS_VERDICT_SYN_TIMEOUT] = "verdict_syn_timeout",
	[TCPCLOSE_A_COUNTERS_VERDICT_TIMEOUT_FIN_WAIT1] = "verdict_timeout_fin_wait1",
	[TCPCLOSE_A_COUNTERS_VERDICT_TIMEOUT_FIN_WAIT2] = "verdict_timeout_fin_wait2",
	[TCPCLOSE_A_COUNTERS_VERDICT_TIMEOUT_LAST_ACK] = "verdict_timeout_last_ack",
	[TCPCLOSE_A_COUNTERS_VERDICT_EVICTED] = "verdict_evicted",
	[TCPCLOSE_A_COUNTERS_FIN_RETRANS_ACTIVE] = "fin_retrans_active",
	[TCPCLOSE_A_COUNTERS_FIN_RETRANS_PASSIVE] = "fin_retrans_passive",
	[TCPCLOSE_A_COUNTERS_FIN_AFTER_ACK] = "fin_after_ack",
	[TCPCLOSE_A_COUNTERS_TIME_WAIT_REACK] = "time_wait_reack",
	[TCPCLOSE_A_COUNTERS_SYN_ON_CLOSING_TUPLE] = "syn_on_closing_tuple",
	[TCPCLOSE_A_COUNTERS_RST_EXACT] = "rst_exact",
	[TCPCLOSE_A_COUNTERS_RST_IN_WINDOW] = "rst_in_window",
	[TCPCLOSE_A_COUNTERS_RST_OUT_OF_WINDOW] = "rst_out_of_window",
	[TCPCLOSE_A_COUNTERS_DATA_AFTER_FIN] = "data_after_fin",
	[TCPCLOSE_A_COUNTERS_HALF_OPEN] = "half_open",
	[TCPCLOSE_A_COUNTERS_FIN_TIMEOUT_RESETS] = "fin_timeout_resets",
	[TCPCLOSE_A_COUNTERS_EVENTS_RATELIMITED] = "events_ratelimited",
	[TCPCLOSE_A_COUNTERS_OLD_DUP_SYN] = "old_dup_syn",
	[TCPCLOSE_A_COUNTERS_RST_IN_TIME_WAIT] = "rst_in_time_wait",
	[TCPCLOSE_A_COUNTERS_ICMP_PTB] = "icmp_ptb",
	[TCPCLOSE_A_COUNTERS_ICMP_PTB_SUSPECT] = "icmp_ptb_suspect",
	[TCPCLOSE_A_COUNTERS_ICMP_PTB_UNTRACKED] = "icmp_ptb_untracked",
	[TCPCLOSE_A_COUNTERS_DATA_OUT_OF_WINDOW] = "data_out_of_window",
	[TCPCLOSE_A_COUNTERS_ACK_UNSENT] = "ack_unsent",
	[TCPCLOSE_A_COUNTERS_CHALLENGE_ACK] = "challenge_ack",
	[TCPCLOSE_A_COUNTERS_RST_AFTER_CHALLENGE] = "rst_after_challenge",
	[TCPCLOSE_A_COUNTERS_RST_FORGED_SUSPECT] = "rst_forged_suspect",
	[TCPCLOSE_A_COUNTERS_HIJACK_SUSPECT] = "hijack_suspect",
	[TCPCLOSE_A_COUNTERS_SYNACK_RETRANS] = "synack_retrans",
	[TCPCLOSE_A_COUNTERS_FLOWS_HALF_OPEN] = "flows_half_open",
	[TCPCLOSE_A_COUNTERS_SYN_FLOOD_DETECTED] = "syn_flood_detected",
	[TCPCLOSE_A_COUNTERS_EVICTED_ENDED] = "evicted_ended",
	[TCPCLOSE_A_COUNTERS_EVICTED_EMBRYONIC] = "evicted_embryonic",
	[TCPCLOSE_A_COUNTERS_EVICTED_ESTABLISHED] = "evicted_established",
};

/* Gauges: the current value, never touched by a reset. */
static bool is_gauge(unsigned int type)
{
	return (type >= TCPCLOSE_A_COUNTERS_FLOWS_ACTIVE &&
		type <= TCPCLOSE_A_COUNTERS_CLOSE_WAIT_STUCK) ||
	       type == TCPCLOSE_A_COUNTERS_FLOWS_HALF_OPEN;
}


/* --- netlink ----------------------------------------------------------- */

struct nl {
	struct mnl_socket *sk;
	unsigned int seq;
};

/* The answer to one request. */
struct ack {
	int err;		/* errno of the ack or NLMSG_DONE, 0: success */
	bool answered;		/* an ack or NLMSG_DONE came */
	bool tlvs;		/* NLM_F_ACK_TLVS */
	char msg[256];		/* NLMSGERR_ATTR_MSG, "" if none */
	long offs;		/* NLMSGERR_ATTR_OFFS, -1 if none */
	bool policy;		/* NLMSGERR_ATTR_POLICY */
	unsigned int msgs;	/* messages before the ack or NLMSG_DONE */
	unsigned int recvs;	/* recv() calls */
	size_t bytes;		/* bytes received */
	unsigned int intr;	/* messages flagged NLM_F_DUMP_INTR */
	unsigned int first_intr;	/* the first one flagged (1: the first) */
	bool done_intr;		/* NLMSG_DONE flagged NLM_F_DUMP_INTR */
};

typedef void (*reply_fn)(const struct nlmsghdr *nlh, void *data);

static int nl_open(struct nl *nl)
{
	struct timeval tv = { .tv_sec = 10 };
	int one = 1;

	nl->seq = 1000;
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk)
		return -1;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) ||
	    mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv))) {
		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		return -1;
	}
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	nl->sk = NULL;
}

/* An NLMSG_ERROR or NLMSG_DONE: its errno and extended ack TLVs. */
static void ack_parse(const struct nlmsghdr *nlh, struct ack *a)
{
	const char *p = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh), off;
	const struct nlattr *attr;
	const void *tlv;
	size_t tlv_len;

	a->answered = true;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)p;

		if (len < sizeof(*e)) {
			a->err = EBADMSG;
			return;
		}
		a->err = -e->error;
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	} else {
		int err;

		if (len < sizeof(err)) {
			a->err = EBADMSG;
			return;
		}
		memcpy(&err, p, sizeof(err));
		a->err = -err;
		off = sizeof(err);
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return;
	a->tlvs = true;
	tlv = p + off;
	tlv_len = len - off;
	mnl_attr_for_each_payload(tlv, tlv_len) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(a->msg, sizeof(a->msg), "%.*s",
				 (int)mnl_attr_get_payload_len(attr),
				 (const char *)mnl_attr_get_payload(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_get_payload_len(attr) == sizeof(__u32))
				a->offs = mnl_attr_get_u32(attr);
			break;
		case NLMSGERR_ATTR_POLICY:
			a->policy = true;
			break;
		}
	}
}

/*
 * Send @req and read until its ack (a do) or NLMSG_DONE (a dump), giving
 * every other answer to @fn.  Returns 0 if the kernel answered success.
 */
static int nl_talk_hook(struct nl *nl, struct nlmsghdr *req, reply_fn fn,
			void *data, struct ack *a, void (*hook)(void *), void *harg)
{
	static char buf[NL_BUF];

	memset(a, 0, sizeof(*a));
	a->offs = -1;
	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0) {
		a->err = errno;
		return -1;
	}
	while (!a->answered) {
		const struct nlmsghdr *nlh = (const void *)buf;
		ssize_t n = mnl_socket_recvfrom(nl->sk, buf, sizeof(buf));
		int left = n;

		if (n < 0) {
			a->err = errno == EAGAIN ? ETIMEDOUT : errno;
			return -1;
		}
		if (!a->recvs++ && hook)
			hook(harg);
		a->bytes += n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq)
				continue;
			if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) && !a->intr++)
				a->first_intr = a->msgs + 1;
			if (nlh->nlmsg_type == NLMSG_DONE)
				a->done_intr = nlh->nlmsg_flags & NLM_F_DUMP_INTR;
			if (nlh->nlmsg_type == NLMSG_ERROR ||
			    nlh->nlmsg_type == NLMSG_DONE) {
				ack_parse(nlh, a);
				break;
			}
			a->msgs++;
			if (fn)
				fn(nlh, data);
		}
	}
	return a->err ? -1 : 0;
}

static int nl_talk(struct nl *nl, struct nlmsghdr *req, reply_fn fn,
		   void *data, struct ack *a)
{
	return nl_talk_hook(nl, req, fn, data, a, NULL, NULL);
}

static struct nlmsghdr *req_new(void *buf, __u8 cmd, __u16 flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = genl_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = TCPCLOSE_FAMILY_VERSION;
	return nlh;
}

static __u8 genl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	return g->cmd;
}

static void family_fn(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *at, *grp, *g;

	(void)data;

	mnl_attr_for_each(at, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(at)) {
		case CTRL_ATTR_FAMILY_ID:
			genl_id = mnl_attr_get_u16(at);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(grp, at) {
				const char *name = NULL;
				__u32 id = 0;

				mnl_attr_for_each_nested(g, grp) {
					if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_NAME)
						name = mnl_attr_get_str(g);
					else if (mnl_attr_get_type(g) == CTRL_ATTR_MCAST_GRP_ID)
						id = mnl_attr_get_u32(g);
				}
				if (name && !strcmp(name, TCPCLOSE_MCGRP_EVENTS))
					events_grp = id;
			}
			break;
		}
	}
}

static int family_resolve(void)
{
	char buf[512] = {};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nl nl;
	struct ack a;
	int ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 2;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPCLOSE_FAMILY_NAME);
	if (nl_open(&nl))
		return -1;
	ret = nl_talk(&nl, nlh, family_fn, NULL, &a);
	nl_close(&nl);
	return ret || !genl_id ? -1 : 0;
}

/* --- statistics ---------------------------------------------------------- */

struct dwell {
	int state;		/* -1: absent */
	bool has_count, has_sum;
	__u64 count, sum;
	unsigned int nb;
	__u64 b[TCPCLOSE_HIST_BUCKETS];
};

struct stats {
	unsigned int replies;
	int cmd;
	bool host;
	unsigned int ncnt;	/* counter attributes */
	unsigned int dup;	/* counters seen twice */
	unsigned int bad;	/* unknown or malformed attributes */
	bool have[TCPCLOSE_A_COUNTERS_MAX + 1];
	__u64 cnt[TCPCLOSE_A_COUNTERS_MAX + 1];
	unsigned int ndwell;
	struct dwell dwell[8];
	bool have_since;
	__u64 since;
};

static bool u64_attr(const struct nlattr *at, __u64 *v)
{
	if (mnl_attr_get_payload_len(at) != sizeof(*v))
		return false;
	*v = mnl_attr_get_u64(at);
	return true;
}

static void dwell_parse(const struct nlattr *nest, struct stats *s)
{
	struct dwell *d = &s->dwell[s->ndwell++];
	const struct nlattr *at;
	__u64 v;

	d->state = -1;
	mnl_attr_for_each_nested(at, nest) {
		switch (mnl_attr_get_type(at)) {
		case TCPCLOSE_A_DWELL_PAD:
			break;
		case TCPCLOSE_A_DWELL_STATE:
			if (mnl_attr_get_payload_len(at) != 1)
				s->bad++;
			else
				d->state = mnl_attr_get_u8(at);
			break;
		case TCPCLOSE_A_DWELL_COUNT:
			d->has_count = u64_attr(at, &d->count);
			s->bad += !d->has_count;
			break;
		case TCPCLOSE_A_DWELL_SUM_MS:
			d->has_sum = u64_attr(at, &d->sum);
			s->bad += !d->has_sum;
			break;
		case TCPCLOSE_A_DWELL_BUCKET:
			if (d->nb < TCPCLOSE_HIST_BUCKETS && u64_attr(at, &v))
				d->b[d->nb++] = v;
			else
				s->bad++;
			break;
		default:
			s->bad++;
		}
	}
}

static void stats_fn(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *at, *c;
	struct stats *s = data;
	unsigned int type;
	__u64 v;

	s->replies++;
	s->cmd = genl_cmd(nlh);
	mnl_attr_for_each(at, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(at)) {
		case TCPCLOSE_A_STATS_PAD:
			break;
		case TCPCLOSE_A_STATS_HOST:
			s->host = true;
			break;
		case TCPCLOSE_A_STATS_COUNTERS:
			mnl_attr_for_each_nested(c, at) {
				type = mnl_attr_get_type(c);
				if (type == TCPCLOSE_A_COUNTERS_PAD)
					continue;
				if (type > TCPCLOSE_A_COUNTERS_MAX || !u64_attr(c, &v)) {
					s->bad++;
					continue;
				}
				s->dup += s->have[type];
				s->have[type] = true;
				s->cnt[type] = v;
				s->ncnt++;
			}
			break;
		case TCPCLOSE_A_STATS_DWELL:
			if (s->ndwell < ARRAY_SIZE(s->dwell))
				dwell_parse(at, s);
			else
				s->bad++;
			break;
		case TCPCLOSE_A_STATS_SINCE_RESET_MS:
			s->have_since = u64_attr(at, &s->since);
			s->bad += !s->have_since;
			break;
		default:
			s->bad++;
		}
	}
}

static int nl_stats_get(struct nl *nl, bool host, struct stats *s, struct ack *a)
{
	char buf[256] = {};
	struct nlmsghdr *nlh = req_new(buf, TCPCLOSE_CMD_STATS_GET, NLM_F_ACK);

	if (host)
		mnl_attr_put(nlh, TCPCLOSE_A_STATS_HOST, 0, NULL);
	memset(s, 0, sizeof(*s));
	s->cmd = -1;
	return nl_talk(nl, nlh, stats_fn, s, a);
}

static int nl_stats_reset(struct nl *nl, bool host, struct ack *a)
{
	char buf[256] = {};
	struct nlmsghdr *nlh = req_new(buf, TCPCLOSE_CMD_STATS_RESET, NLM_F_ACK);

	if (host)
		mnl_attr_put(nlh, TCPCLOSE_A_STATS_HOST, 0, NULL);
	return nl_talk(nl, nlh, NULL, NULL, a);
}

#define PROC_MAX 128

/* A /proc/net/tcpclose or /proc/tcpclose: "name value" lines. */
struct pstats {
	unsigned int n;
	char name[PROC_MAX][48];
	__u64 val[PROC_MAX];
};

static int proc_read(const char *path, struct pstats *p)
{
	FILE *f = fopen(path, "r");
	unsigned long long v;
	char line[256];

	p->n = 0;
	if (!f)
		return -1;
	while (p->n < PROC_MAX && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%47s %llu", p->name[p->n], &v) != 2) {
			fclose(f);
			return -1;
		}
		p->val[p->n++] = v;
	}
	fclose(f);
	return 0;
}

static bool pstats_eq(const struct pstats *a, const struct pstats *b)
{
	return a->n == b->n && !memcmp(a->val, b->val, a->n * sizeof(a->val[0]));
}

static __u64 proc_value(const struct pstats *p, const char *name)
{
	unsigned int i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->name[i], name))
			return p->val[i];
	return UINT64_MAX;
}

/*
 * STATS_GET between two equal reads of @path: the counters did not move
 * meanwhile, so the reply must equal them.
 */
static int stats_stable(struct nl *nl, bool host, struct stats *s,
			struct pstats *p, struct ack *a)
{
	const char *path = host ? PROC_HOST : PROC_NET;
	struct pstats p2;
	int i;

	for (i = 0; i < 30; i++) {
		if (proc_read(path, p) || nl_stats_get(nl, host, s, a) ||
		    proc_read(path, &p2))
			return -1;
		if (pstats_eq(p, &p2))
			return 0;
		usleep(100000);
	}
	return -1;
}

/* --- configuration ------------------------------------------------------- */

struct config {
	unsigned int replies, n, bad;
	int cmd;
	bool have[NCONFIG + 1];
	__u32 v[NCONFIG + 1];
};

static int sysfs_read(struct config *c)
{
	char path[128], buf[64];
	unsigned int i;
	FILE *f;

	memset(c, 0, sizeof(*c));
	for (i = 1; i <= NCONFIG; i++) {
		snprintf(path, sizeof(path), PARAMS "%s", tcpclose_config_names[i]);
		f = fopen(path, "r");
		if (!f)
			return -1;
		if (!fgets(buf, sizeof(buf), f)) {
			fclose(f);
			return -1;
		}
		fclose(f);
		if (i == TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION) {
			if (!strcmp(buf, "observe\n"))
				c->v[i] = TCPCLOSE_ACTION_OBSERVE;
			else if (!strcmp(buf, "reset\n"))
				c->v[i] = TCPCLOSE_ACTION_RESET;
			else
				return -1;
		} else {
			c->v[i] = strtoul(buf, NULL, 10);
		}
		c->have[i] = true;
		c->n++;
	}
	return 0;
}

static int sysfs_write(unsigned int attr, __u32 v)
{
	char path[128], buf[32];
	int fd, len, ret;

	snprintf(path, sizeof(path), PARAMS "%s", tcpclose_config_names[attr]);
	if (attr == TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION)
		len = snprintf(buf, sizeof(buf), "%s", v ? "reset" : "observe");
	else
		len = snprintf(buf, sizeof(buf), "%u", v);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write(fd, buf, len) == len ? 0 : -1;
	close(fd);
	return ret;
}

static bool config_eq(const struct config *a, const struct config *b)
{
	unsigned int i;

	for (i = 1; i <= NCONFIG; i++)
		if (a->have[i] != b->have[i] || a->v[i] != b->v[i])
			return false;
	return true;
}

static void config_fn(const struct nlmsghdr *nlh, void *data)
{
	struct config *c = data;
	const struct nlattr *at;
	unsigned int type;

	c->replies++;
	c->cmd = genl_cmd(nlh);
	mnl_attr_for_each(at, nlh, GENL_HDRLEN) {
		type = mnl_attr_get_type(at);
		if (type < 1 || type > NCONFIG ||
		    mnl_attr_get_payload_len(at) != sizeof(__u32) ||
		    c->have[type]) {
			c->bad++;
			continue;
		}
		c->have[type] = true;
		c->v[type] = mnl_attr_get_u32(at);
		c->n++;
	}
}

static int nl_config_get(struct nl *nl, struct config *c, struct ack *a)
{
	char buf[256] = {};
	struct nlmsghdr *nlh = req_new(buf, TCPCLOSE_CMD_CONFIG_GET, NLM_F_ACK);

	memset(c, 0, sizeof(*c));
	c->cmd = -1;
	return nl_talk(nl, nlh, config_fn, c, a);
}

struct setting {
	unsigned int attr;
	__u32 val;
};

static int nl_config_set(struct nl *nl, const struct setting *s, unsigned int n,
			 struct ack *a)
{
	char buf[512] = {};
	struct nlmsghdr *nlh = req_new(buf, TCPCLOSE_CMD_CONFIG_SET, NLM_F_ACK);
	unsigned int i;

	for (i = 0; i < n; i++)
		mnl_attr_put_u32(nlh, s[i].attr, s[i].val);
	return nl_talk(nl, nlh, NULL, NULL, a);
}

/* --- flows --------------------------------------------------------------- */

struct ep {
	__u8 addr[16];
	int alen, port, state, fins;	/* -1: absent; port in host order */
	bool local, stuck, has_state_ms, has_silent_ms;
};

struct flow {
	int cmd;
	int family, vantage, initiator, closer, verdict, stalled; /* -1: absent */
	long long anomalies, anomaly;				   /* -1: absent */
	bool has_age, picked_up, has_a, has_b;
	unsigned int bad;	/* unknown or malformed attributes */
	struct ep a, b;
};

struct flowset {
	struct flow *f;
	unsigned int n, cap;
};

static int u8_attr(const struct nlattr *at, unsigned int *bad)
{
	if (mnl_attr_get_payload_len(at) != 1) {
		(*bad)++;
		return -1;
	}
	return mnl_attr_get_u8(at);
}

static long long u32_attr(const struct nlattr *at, unsigned int *bad)
{
	if (mnl_attr_get_payload_len(at) != 4) {
		(*bad)++;
		return -1;
	}
	return mnl_attr_get_u32(at);
}

static bool flag_attr(const struct nlattr *at, unsigned int *bad)
{
	*bad += mnl_attr_get_payload_len(at) != 0;
	return true;
}

static void ep_parse(const struct nlattr *nest, struct ep *e, unsigned int *bad)
{
	const struct nlattr *at;
	unsigned int len;
	__u64 v;

	mnl_attr_for_each_nested(at, nest) {
		len = mnl_attr_get_payload_len(at);
		switch (mnl_attr_get_type(at)) {
		case TCPCLOSE_A_ENDPOINT_PAD:
			break;
		case TCPCLOSE_A_ENDPOINT_ADDR:
			if (len != 4 && len != 16) {
				(*bad)++;
				break;
			}
			memcpy(e->addr, mnl_attr_get_payload(at), len);
			e->alen = len;
			break;
		case TCPCLOSE_A_ENDPOINT_PORT:
			if (len != 2)
				(*bad)++;
			else
				e->port = ntohs(mnl_attr_get_u16(at));
			break;
		case TCPCLOSE_A_ENDPOINT_STATE:
			e->state = u8_attr(at, bad);
			break;
		case TCPCLOSE_A_ENDPOINT_STATE_MS:
			e->has_state_ms = u64_attr(at, &v);
			*bad += !e->has_state_ms;
			break;
		case TCPCLOSE_A_ENDPOINT_SILENT_MS:
			e->has_silent_ms = u64_attr(at, &v);
			*bad += !e->has_silent_ms;
			break;
		case TCPCLOSE_A_ENDPOINT_LOCAL:
			e->local = flag_attr(at, bad);
			break;
		case TCPCLOSE_A_ENDPOINT_STUCK:
			e->stuck = flag_attr(at, bad);
			break;
		case TCPCLOSE_A_ENDPOINT_FINS:
			e->fins = u8_attr(at, bad);
			break;
		default:
			(*bad)++;
		}
	}
}

static void flow_parse(const struct nlmsghdr *nlh, struct flow *fl)
{
	const struct nlattr *at;
	__u64 v;

	*fl = (struct flow){
		.family = -1, .vantage = -1, .initiator = -1, .closer = -1,
		.verdict = -1, .stalled = -1, .anomalies = -1, .anomaly = -1,
		.a = { .alen = -1, .port = -1, .state = -1, .fins = -1 },
		.b = { .alen = -1, .port = -1, .state = -1, .fins = -1 },
	};
	fl->cmd = nlh->nlmsg_type == genl_id ? genl_cmd(nlh) : -1;
	mnl_attr_for_each(at, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(at)) {
		case TCPCLOSE_A_FLOW_PAD:
			break;
		case TCPCLOSE_A_FLOW_FAMILY:
			fl->family = u8_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_VANTAGE:
			fl->vantage = u8_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_A:
			fl->has_a = true;
			ep_parse(at, &fl->a, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_B:
			fl->has_b = true;
			ep_parse(at, &fl->b, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_INITIATOR:
			fl->initiator = u8_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_ACTIVE_CLOSER:
			fl->closer = u8_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_VERDICT:
			fl->verdict = u8_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_STALLED:
			fl->stalled = u8_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_ANOMALIES:
			fl->anomalies = u32_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_AGE_MS:
			fl->has_age = u64_attr(at, &v);
			fl->bad += !fl->has_age;
			break;
		case TCPCLOSE_A_FLOW_PICKED_UP:
			fl->picked_up = flag_attr(at, &fl->bad);
			break;
		case TCPCLOSE_A_FLOW_ANOMALY:
			fl->anomaly = u32_attr(at, &fl->bad);
			break;
		default:
			fl->bad++;
		}
	}
}

static void flowset_add(const struct nlmsghdr *nlh, void *data)
{
	struct flowset *fs = data;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 64;
		fs->f = realloc(fs->f, fs->cap * sizeof(*fs->f));
		if (!fs->f)
			abort();
	}
	flow_parse(nlh, &fs->f[fs->n++]);
}

struct filter {
	int state, verdict, prefix, port;	/* -1: absent */
	const char *addr;			/* NULL: absent */
	bool stuck;
};

static const struct filter nofilter = { .state = -1, .verdict = -1, .prefix = -1, .port = -1 };

static int nl_flow_dump_hook(struct nl *nl, const struct filter *f, struct flowset *fs,
			     struct ack *a, void (*hook)(void *), void *harg)
{
	char buf[512] = {};
	struct nlmsghdr *nlh = req_new(buf, TCPCLOSE_CMD_FLOW_GET, NLM_F_DUMP);
	__u8 addr[16];

	if (f->state >= 0)
		mnl_attr_put_u8(nlh, TCPCLOSE_A_FLOW_FILTER_STATE, f->state);
	if (f->verdict >= 0)
		mnl_attr_put_u8(nlh, TCPCLOSE_A_FLOW_FILTER_VERDICT, f->verdict);
	if (f->addr) {
		bool six = strchr(f->addr, ':');

		if (inet_pton(six ? AF_INET6 : AF_INET, f->addr, addr) != 1)
			return -1;
		mnl_attr_put(nlh, TCPCLOSE_A_FLOW_FILTER_ADDR, six ? 16 : 4, addr);
	}
	if (f->prefix >= 0)
		mnl_attr_put_u8(nlh, TCPCLOSE_A_FLOW_FILTER_PREFIX, f->prefix);
	if (f->port >= 0)
		mnl_attr_put_u16(nlh, TCPCLOSE_A_FLOW_FILTER_PORT, htons(f->port));
	if (f->stuck)
		mnl_attr_put(nlh, TCPCLOSE_A_FLOW_FILTER_STUCK, 0, NULL);
	fs->n = 0;
	return nl_talk_hook(nl, nlh, flowset_add, fs, a, hook, harg);
}

static int nl_flow_dump(struct nl *nl, const struct filter *f, struct flowset *fs,
			struct ack *a)
{
	return nl_flow_dump_hook(nl, f, fs, a, NULL, NULL);
}

/* --- traffic over lo ----------------------------------------------------- */

static int lo_up(void)
{
	struct ifreq ifr = {};
	int fd, ret;

	memcpy(ifr.ifr_name, "lo", sizeof("lo"));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ret = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!ret) {
		ifr.ifr_flags |= IFF_UP;
		ret = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return ret;
}

/* A network namespace of our own, with lo up: only our traffic. */
static int netns_new(void)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	return lo_up();
}

static socklen_t sockaddr_of(struct sockaddr_storage *ss, const char *ip,
			     __u16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (void *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (void *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s4->sin_addr);
	return sizeof(*s4);
}

static int tcp_listen(const char *ip, __u16 port, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(&ss, ip, port);
	int one = 1, fd;

	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (void *)&ss, len) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (void *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* One connection: client c (side A, it sends the SYN), server s. */
struct conn {
	int c, s;
	int cport, sport;
};

/* Connect from @src (NULL: any), one byte each way: both ESTABLISHED. */
static int conn_open(struct conn *k, int lfd, const char *src,
		     const char *dst, __u16 port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(&ss, dst, port);
	char byte = 'x';

	k->c = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	k->s = -1;
	if (k->c < 0)
		return -1;
	if (src) {
		struct sockaddr_storage from;
		socklen_t flen = sockaddr_of(&from, src, 0);

		if (bind(k->c, (void *)&from, flen))
			return -1;
	}
	if (connect(k->c, (void *)&ss, len))
		return -1;
	k->s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (k->s < 0)
		return -1;
	k->cport = local_port(k->c);
	k->sport = port;
	if (write(k->c, &byte, 1) != 1 || read(k->s, &byte, 1) != 1 ||
	    write(k->s, &byte, 1) != 1 || read(k->c, &byte, 1) != 1)
		return -1;
	return 0;
}

/* The client closes first, then the server: the client ends in TIME_WAIT. */
static int conn_close(struct conn *k)
{
	char byte;

	close(k->c);
	if (read(k->s, &byte, 1) != 0)
		return -1;
	close(k->s);
	return 0;
}

/* An abort: SO_LINGER {1, 0}, the client sends an RST. */
static int conn_abort(struct conn *k)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char byte;
	int ret;

	if (setsockopt(k->c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		return -1;
	close(k->c);
	ret = read(k->s, &byte, 1) < 0 && errno == ECONNRESET ? 0 : -1;
	close(k->s);
	return ret;
}

/*
 * Traffic for the counters, port 7000: three connections closed normally,
 * one aborted, one left open (its fds stay open until the process ends).
 */
static int traffic_mix(void)
{
	int lfd = tcp_listen("127.0.0.1", 7000, 16);
	struct conn k;
	int i;

	if (lfd < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (conn_open(&k, lfd, NULL, "127.0.0.1", 7000) || conn_close(&k))
			return -1;
	if (conn_open(&k, lfd, NULL, "127.0.0.1", 7000) || conn_abort(&k))
		return -1;
	return conn_open(&k, lfd, NULL, "127.0.0.1", 7000);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Run @fn in a child process; its exit status (128 + signal if killed). */
static int run_child(int (*fn)(void *), void *arg)
{
	int status, ret;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		ret = fn(arg);
		fflush(stdout);
		fflush(stderr);
		_exit(ret > 120 ? 120 : ret);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* --- STATS_GET, STATS_RESET ----------------------------------------------- */

/* The dwell histograms: one per closing state, buckets adding up. */
static void dwell_check(struct __test_metadata *_metadata, const struct stats *s)
{
	static const int states[NDWELL] = {
		TCPCLOSE_STATE_FIN_WAIT1, TCPCLOSE_STATE_FIN_WAIT2,
		TCPCLOSE_STATE_TIME_WAIT, TCPCLOSE_STATE_CLOSE_WAIT,
		TCPCLOSE_STATE_LAST_ACK,
	};
	unsigned int i, j, seen = 0;
	__u64 sum;

	ASSERT_EQ(NDWELL, s->ndwell);
	for (i = 0; i < s->ndwell; i++) {
		const struct dwell *d = &s->dwell[i];

		for (j = 0; j < NDWELL; j++)
			if (d->state == states[j])
				seen |= 1u << j;
		EXPECT_TRUE(d->has_count);
		EXPECT_TRUE(d->has_sum);
		for (sum = 0, j = 0; j < d->nb; j++)
			sum += d->b[j];
		EXPECT_EQ(d->count, sum)
			TH_LOG("dwell of state %d: buckets add up to %llu, count %llu",
			       d->state, sum, d->count);
		/* Buckets 0 up to the last non-empty one. */
		if (d->nb)
			EXPECT_NE(0, d->b[d->nb - 1]);
	}
	EXPECT_EQ((1u << NDWELL) - 1, seen);
}

/* The reply holds every counter once, named and ordered as @p, equal. */
static void counters_match(struct __test_metadata *_metadata,
			   const struct stats *s, const struct pstats *p)
{
	unsigned int i, type;

	EXPECT_EQ(0, s->bad);
	EXPECT_EQ(0, s->dup);
	EXPECT_EQ(NCOUNTERS, s->ncnt);
	ASSERT_EQ(NCOUNTERS, p->n);
	for (i = 0; i < p->n; i++) {
		type = i + TCPCLOSE_A_COUNTERS_PAD + 1;
		EXPECT_STREQ(counter_names[type], p->name[i])
			TH_LOG("/proc line %u is %s, attribute %u is %s", i,
			       p->name[i], type, counter_names[type]);
		EXPECT_TRUE(s->have[type]);
		EXPECT_EQ(p->val[i], s->cnt[type])
			TH_LOG("%s: /proc %llu, netlink %llu", p->name[i],
			       (unsigned long long)p->val[i],
			       (unsigned long long)s->cnt[type]);
	}
}

TEST(stats_get)
{
	struct pstats p;
	struct stats s;
	struct nl nl;
	struct ack a;
	__u64 dwelled = 0;
	unsigned int i;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, traffic_mix());
	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, stats_stable(&nl, false, &s, &p, &a))
		TH_LOG("STATS_GET: %s %s", strerror(a.err), a.msg);
	EXPECT_EQ(1, s.replies);
	EXPECT_EQ(TCPCLOSE_CMD_STATS_GET, s.cmd);
	EXPECT_FALSE(s.host);
	EXPECT_TRUE(s.have_since);
	counters_match(_metadata, &s, &p);
	/* Not all zero: the traffic is there. */
	EXPECT_LE(20, s.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL]);
	EXPECT_EQ(5, s.cnt[TCPCLOSE_A_COUNTERS_FLOWS_CREATED]);
	dwell_check(_metadata, &s);
	for (i = 0; i < s.ndwell; i++)
		dwelled += s.dwell[i].count;
	EXPECT_LT(0, dwelled);
	ksft_print_msg("stats_get: %u counters, seg_total %llu, %llu dwells\n",
		       s.ncnt, (unsigned long long)s.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL],
		       (unsigned long long)dwelled);
	nl_close(&nl);
}

/* The histogram of @state in @s, or NULL. */
static const struct dwell *dwell_of(const struct stats *s, int state)
{
	unsigned int i;

	for (i = 0; i < s->ndwell; i++)
		if (s->dwell[i].state == state)
			return &s->dwell[i];
	return NULL;
}

/* One sample of @ms or more: in the one bucket its own time falls in. */
static __u64 dwell_one(struct __test_metadata *_metadata, const struct stats *s,
		       int state, __u64 min_ms)
{
	const struct dwell *d = dwell_of(s, state);
	unsigned int b;

	EXPECT_NE(NULL, d) TH_LOG("no histogram for state %d", state);
	if (!d)
		return 0;
	EXPECT_EQ(1, d->count) TH_LOG("state %d: %llu samples", state,
				      (unsigned long long)d->count);
	EXPECT_LE(min_ms, d->sum) TH_LOG("state %d: %llu ms", state,
					 (unsigned long long)d->sum);
	EXPECT_LT(0, d->nb) TH_LOG("state %d: no bucket", state);
	if (!d->nb)
		return 0;
	b = d->nb - 1;
	/* Bucket 0: under 1 ms; bucket b: [2^(b-1), 2^b) ms. */
	if (b)
		EXPECT_LE(1ull << (b - 1), d->sum);
	EXPECT_GT(1ull << b, d->sum)
		TH_LOG("state %d: %llu ms in bucket %u", state,
		       (unsigned long long)d->sum, b);
	ksft_print_msg("dwell: state %d, %llu ms, bucket %u\n", state,
		       (unsigned long long)d->sum, b);
	return d->sum;
}

/*
 * One close over lo, the server closing 300 ms after the client: the
 * server's CLOSE_WAIT lasts 300 ms or more, and so do the client's
 * FIN_WAIT_1 and FIN_WAIT_2 together (the ACK of its FIN may be delayed
 * 40 ms); LAST_ACK is one round trip, TIME_WAIT goes on (60 s).
 */
TEST(dwell_buckets)
{
	const struct dwell *tw;
	struct pstats p;
	struct conn k;
	__u64 fw;
	struct stats s;
	struct nl nl;
	struct ack a;
	char byte;
	int lfd;

	ASSERT_EQ(0, netns_new());
	lfd = tcp_listen("127.0.0.1", 7100, 4);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, conn_open(&k, lfd, NULL, "127.0.0.1", 7100));
	close(k.c);
	ASSERT_EQ(0, read(k.s, &byte, 1));
	usleep(300 * 1000);
	close(k.s);
	usleep(200 * 1000);
	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, stats_stable(&nl, false, &s, &p, &a))
		TH_LOG("STATS_GET: %s %s", strerror(a.err), a.msg);
	dwell_check(_metadata, &s);
	fw = dwell_one(_metadata, &s, TCPCLOSE_STATE_FIN_WAIT1, 0);
	fw += dwell_one(_metadata, &s, TCPCLOSE_STATE_FIN_WAIT2, 0);
	EXPECT_LE(300, fw);
	dwell_one(_metadata, &s, TCPCLOSE_STATE_CLOSE_WAIT, 300);
	dwell_one(_metadata, &s, TCPCLOSE_STATE_LAST_ACK, 0);
	tw = dwell_of(&s, TCPCLOSE_STATE_TIME_WAIT);
	ASSERT_NE(NULL, tw);
	EXPECT_EQ(0, tw->count);
	nl_close(&nl);
}

TEST(stats_get_host)
{
	struct pstats p;
	struct stats s;
	struct nl nl;
	struct ack a;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, traffic_mix());
	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, stats_stable(&nl, true, &s, &p, &a))
		TH_LOG("STATS_GET HOST: %s %s", strerror(a.err), a.msg);
	EXPECT_EQ(1, s.replies);
	EXPECT_TRUE(s.host);
	EXPECT_TRUE(s.have_since);
	counters_match(_metadata, &s, &p);
	/* The host counts our netns's traffic too. */
	EXPECT_LE(20, s.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL]);
	dwell_check(_metadata, &s);
	nl_close(&nl);
}

TEST(stats_reset)
{
	struct pstats p, host0, host1;
	struct stats b, s;
	__u64 dwelled = 0;
	unsigned int i, t;
	struct nl nl;
	struct ack a;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, traffic_mix());
	ASSERT_EQ(0, nl_open(&nl));
	usleep(200000);		/* since-reset-ms: 200 ms at least before the reset */
	ASSERT_EQ(0, stats_stable(&nl, false, &b, &p, &a));
	for (i = 0; i < b.ndwell; i++)
		dwelled += b.dwell[i].count;
	/* Something to reset, and gauges to keep. */
	ASSERT_LE(20, b.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL]);
	ASSERT_LT(0, dwelled);
	ASSERT_LT(0, b.cnt[TCPCLOSE_A_COUNTERS_FLOWS_ACTIVE]);
	ASSERT_LT(0, b.cnt[TCPCLOSE_A_COUNTERS_STATE_ESTABLISHED]);
	ASSERT_EQ(0, proc_read(PROC_HOST, &host0));

	ASSERT_EQ(0, nl_stats_reset(&nl, false, &a))
		TH_LOG("STATS_RESET: %s %s", strerror(a.err), a.msg);
	EXPECT_EQ(0, a.msgs);

	ASSERT_EQ(0, stats_stable(&nl, false, &s, &p, &a));
	counters_match(_metadata, &s, &p);	/* /proc shows the reset too */
	for (t = TCPCLOSE_A_COUNTERS_PAD + 1; t <= TCPCLOSE_A_COUNTERS_MAX; t++) {
		if (is_gauge(t)) {
			EXPECT_EQ(b.cnt[t], s.cnt[t])
				TH_LOG("gauge %s moved: %llu -> %llu", counter_names[t],
				       (unsigned long long)b.cnt[t],
				       (unsigned long long)s.cnt[t]);
		} else {
			EXPECT_GE(RESET_SLACK, s.cnt[t])
				TH_LOG("%s not reset: %llu -> %llu", counter_names[t],
				       (unsigned long long)b.cnt[t],
				       (unsigned long long)s.cnt[t]);
		}
	}
	dwell_check(_metadata, &s);
	for (i = 0; i < s.ndwell; i++) {
		EXPECT_EQ(0, s.dwell[i].count);
		EXPECT_EQ(0, s.dwell[i].sum);
		for (t = 0; t < s.dwell[i].nb; t++)
			EXPECT_EQ(0, s.dwell[i].b[t]);
	}
	EXPECT_TRUE(s.have_since);
	EXPECT_GT(b.since, s.since);
	EXPECT_GT(5000, s.since);
	/* A netns's reset leaves the host-wide totals alone. */
	ASSERT_EQ(0, proc_read(PROC_HOST, &host1));
	EXPECT_LE(proc_value(&host0, "seg_total"), proc_value(&host1, "seg_total"));
	nl_close(&nl);
}

TEST(stats_reset_host)
{
	struct stats hb, ha, nb, na;
	struct pstats p;
	unsigned int t, try, bad;
	struct nl nl;
	struct ack a;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, traffic_mix());
	ASSERT_EQ(0, nl_open(&nl));
	for (try = 0; try < 5; try++) {
		ASSERT_EQ(0, stats_stable(&nl, true, &hb, &p, &a));
		ASSERT_EQ(0, stats_stable(&nl, false, &nb, &p, &a));
		/* The traffic is there before the first reset only. */
		if (!try)
			ASSERT_LE(20, hb.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL]);
		ASSERT_EQ(0, nl_stats_reset(&nl, true, &a))
			TH_LOG("STATS_RESET HOST: %s %s", strerror(a.err), a.msg);
		ASSERT_EQ(0, stats_stable(&nl, true, &ha, &p, &a));
		counters_match(_metadata, &ha, &p);	/* /proc/tcpclose too */
		/* Other namespaces may still be going away: try again. */
		for (bad = 0, t = TCPCLOSE_A_COUNTERS_PAD + 1; t <= TCPCLOSE_A_COUNTERS_MAX; t++)
			bad += is_gauge(t) ? hb.cnt[t] != ha.cnt[t] : ha.cnt[t] > HOST_SLACK;
		if (!bad)
			break;
		usleep(500000);
	}
	ASSERT_GT(5, try) {
		for (t = TCPCLOSE_A_COUNTERS_PAD + 1; t <= TCPCLOSE_A_COUNTERS_MAX; t++)
			TH_LOG("%s%s: %llu -> %llu", counter_names[t],
			       is_gauge(t) ? " (gauge)" : "",
			       (unsigned long long)hb.cnt[t],
			       (unsigned long long)ha.cnt[t]);
	}
	for (t = 0; t < ha.ndwell; t++)
		EXPECT_GE(HOST_SLACK, ha.dwell[t].count);
	EXPECT_GT(hb.since, ha.since);
	/* The namespace's own counters are not the host's. */
	ASSERT_EQ(0, stats_stable(&nl, false, &na, &p, &a));
	EXPECT_EQ(nb.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL], na.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL]);
	EXPECT_EQ(nb.cnt[TCPCLOSE_A_COUNTERS_FLOWS_CREATED],
		  na.cnt[TCPCLOSE_A_COUNTERS_FLOWS_CREATED]);
	nl_close(&nl);
}

/* --- CONFIG_GET, CONFIG_SET ------------------------------------------------ */

TEST(config_get)
{
	struct config c, sys;
	struct nl nl;
	struct ack a;
	unsigned int i;

	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, nl_config_get(&nl, &c, &a))
		TH_LOG("CONFIG_GET: %s %s", strerror(a.err), a.msg);
	ASSERT_EQ(0, sysfs_read(&sys));
	EXPECT_EQ(1, c.replies);
	EXPECT_EQ(TCPCLOSE_CMD_CONFIG_GET, c.cmd);
	EXPECT_EQ(0, c.bad);
	EXPECT_EQ(NCONFIG, c.n);
	for (i = 1; i <= NCONFIG; i++)
		EXPECT_EQ(sys.v[i], c.v[i])
			TH_LOG("%s: sysfs %u, netlink %u", tcpclose_config_names[i], sys.v[i], c.v[i]);
	nl_close(&nl);
}

/* Tests that change parameters: the old values come back afterwards. */
FIXTURE(cfg) {
	struct config saved;
};

FIXTURE_SETUP(cfg)
{
	ASSERT_EQ(0, sysfs_read(&self->saved));
}

FIXTURE_TEARDOWN(cfg)
{
	struct config now;
	unsigned int i;

	if (sysfs_read(&now))
		return;
	for (i = 1; i <= NCONFIG; i++)
		if (now.v[i] != self->saved.v[i])
			sysfs_write(i, self->saved.v[i]);
}

/* A value other than @v, within the timeouts' range. */
static __u32 other(__u32 v)
{
	return v == 4242 ? 4243 : 4242;
}

TEST_F(cfg, config_set)
{
	struct config want = self->saved, sys, c;
	struct setting set[5];
	struct nl nl;
	struct ack a;
	unsigned int i;

	set[0] = (struct setting){ TCPCLOSE_A_CONFIG_FIN_TIMEOUT,
				   other(want.v[TCPCLOSE_A_CONFIG_FIN_TIMEOUT]) };
	set[1] = (struct setting){ TCPCLOSE_A_CONFIG_TIME_WAIT,
				   other(want.v[TCPCLOSE_A_CONFIG_TIME_WAIT]) };
	set[2] = (struct setting){ TCPCLOSE_A_CONFIG_SYN_TIMEOUT,
				   other(want.v[TCPCLOSE_A_CONFIG_SYN_TIMEOUT]) };
	set[3] = (struct setting){ TCPCLOSE_A_CONFIG_MAX_FLOWS,
				   want.v[TCPCLOSE_A_CONFIG_MAX_FLOWS] + 1000 };
	set[4] = (struct setting){ TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION,
				   !want.v[TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION] };
	for (i = 0; i < 5; i++)
		want.v[set[i].attr] = set[i].val;

	ASSERT_EQ(0, nl_open(&nl));
	ASSERT_EQ(0, nl_config_set(&nl, set, 5, &a))
		TH_LOG("CONFIG_SET: %s %s", strerror(a.err), a.msg);
	EXPECT_EQ(0, a.msgs);
	ASSERT_EQ(0, sysfs_read(&sys));
	for (i = 1; i <= NCONFIG; i++)
		EXPECT_EQ(want.v[i], sys.v[i]) TH_LOG("sysfs %s", tcpclose_config_names[i] ?: "?");
	ASSERT_EQ(0, nl_config_get(&nl, &c, &a));
	EXPECT_TRUE(config_eq(&want, &c));

	/* One more, alone: only it changes. */
	set[0] = (struct setting){ TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM,
				   other(want.v[TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM]) };
	want.v[set[0].attr] = set[0].val;
	ASSERT_EQ(0, nl_config_set(&nl, set, 1, &a));
	ASSERT_EQ(0, sysfs_read(&sys));
	EXPECT_TRUE(config_eq(&want, &sys));

	/* The bounds are inclusive. */
	set[0] = (struct setting){ TCPCLOSE_A_CONFIG_FIN_WAIT1_TIMEOUT, TCPCLOSE_TIMEOUT_MIN };
	set[1] = (struct setting){ TCPCLOSE_A_CONFIG_LAST_ACK_TIMEOUT, TCPCLOSE_TIMEOUT_MAX };
	want.v[set[0].attr] = set[0].val;
	want.v[set[1].attr] = set[1].val;
	ASSERT_EQ(0, nl_config_set(&nl, set, 2, &a))
		TH_LOG("CONFIG_SET at the bounds: %s %s", strerror(a.err), a.msg);
	ASSERT_EQ(0, sysfs_read(&sys));
	EXPECT_TRUE(config_eq(&want, &sys));
	ASSERT_EQ(0, nl_config_get(&nl, &c, &a));
	EXPECT_TRUE(config_eq(&want, &c));
	nl_close(&nl);
}

/* --- malformed requests -------------------------------------------------- */

enum {
	T_RESERVED	= 1 << 0,	/* genlmsghdr.reserved = 1 */
	T_NLFLAGS	= 1 << 1,	/* NLM_F_CREATE on the request */
	T_LONG		= 1 << 2,	/* the last attribute claims 64 bytes too many */
	T_SHORT		= 1 << 3,	/* the last attribute's nla_len is 2 */
	T_TRAIL		= 1 << 4,	/* 3 bytes after the last attribute */
	T_GENL_SHORT	= 1 << 5,	/* the message ends inside the genl header */
	T_NESTED	= 1 << 6,	/* NLA_F_NESTED on the first attribute */
};

struct rawattr {
	__u16 type, len;	/* len: payload bytes */
	__u64 val;		/* payload, little-endian, unless bytes */
	const void *bytes;
};

struct bad {
	const char *name;
	__u8 cmd;
	__u16 flags;		/* NLM_F_ACK (a do) or NLM_F_DUMP */
	unsigned int tweak;	/* T_* */
	int bad;		/* the attribute NLMSGERR_ATTR_OFFS names, -1: any */
	bool policy;		/* NLMSGERR_ATTR_POLICY expected */
	bool core;		/* the genetlink core answers it, without extack */
	const char *msg;	/* in the extack message, or NULL */
	struct rawattr at[9];	/* up to the first all-zero one */
};

#define DO		NLM_F_ACK
#define DUMP		NLM_F_DUMP
#define CFG(x)		TCPCLOSE_A_CONFIG_##x
#define FLT(x)		TCPCLOSE_A_FLOW_FILTER_##x
#define U8(t, v)	{ .type = (t), .len = 1, .val = (v) }
#define U32(t, v)	{ .type = (t), .len = 4, .val = (v) }
#define RAW(t, l, v)	{ .type = (t), .len = (l), .val = (v) }
#define BYTES(t, l, p)	{ .type = (t), .len = (l), .bytes = (p) }
#define FLAG(t)		{ .type = (t) }
#define CS		TCPCLOSE_CMD_CONFIG_SET
#define CG		TCPCLOSE_CMD_CONFIG_GET
#define SG		TCPCLOSE_CMD_STATS_GET
#define SR		TCPCLOSE_CMD_STATS_RESET
#define FG		TCPCLOSE_CMD_FLOW_GET
#define UNKNOWN		"Unknown attribute type"
#define BADLEN		"invalid attribute length"
#define LEFTOVER	"bytes leftover"

static const __u8 addr5[5] = { 127, 0, 0, 1, 0 };
static const __u8 lo4[4] = { 127, 0, 0, 1 };
static const __u8 lo6[16] = { [15] = 1 };
/* A nest of garbage: an attribute header claiming 0xffff bytes, and junk. */
static const __u8 junk[12] = { 0xff, 0xff, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef,
				  0x03, 0x00, 0x77, 0x77 };

static const struct bad bad_cases[] = {
	{ "config-set: attribute type above the maximum", CS, DO, .bad = 0, .msg = UNKNOWN,
	  .at = { U32(TCPCLOSE_A_CONFIG_MAX + 1, 4242) } },
	{ "config-set: attribute type 0", CS, DO, .bad = 0, .msg = UNKNOWN,
	  .at = { U32(0, 4242) } },
	{ "config-set: a flow filter attribute (another command's)", CS, DO, .bad = 1,
	  .msg = UNKNOWN, .at = { U32(CFG(FIN_TIMEOUT), 4242), U8(FLT(STATE), 1) } },
	{ "config-set: u32 of 2 bytes", CS, DO, .bad = 0, .msg = BADLEN,
	  .at = { RAW(CFG(FIN_TIMEOUT), 2, 4242) } },
	{ "config-set: u32 of 8 bytes", CS, DO, .bad = 0, .msg = BADLEN,
	  .at = { RAW(CFG(FIN_TIMEOUT), 8, 4242) } },
	{ "config-set: fin_timeout 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(FIN_TIMEOUT), 0) } },
	{ "config-set: fin_timeout 86401 (above its max)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(FIN_TIMEOUT), 86401) } },
	{ "config-set: time_wait 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(TIME_WAIT), 0) } },
	{ "config-set: time_wait 86401 (above its max)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(TIME_WAIT), 86401) } },
	{ "config-set: fin_wait1_timeout 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(FIN_WAIT1_TIMEOUT), 0) } },
	{ "config-set: fin_wait1_timeout 86401 (above its max)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(FIN_WAIT1_TIMEOUT), 86401) } },
	{ "config-set: last_ack_timeout 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(LAST_ACK_TIMEOUT), 0) } },
	{ "config-set: last_ack_timeout 86401 (above its max)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(LAST_ACK_TIMEOUT), 86401) } },
	{ "config-set: close_wait_alarm 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(CLOSE_WAIT_ALARM), 0) } },
	{ "config-set: close_wait_alarm 86401 (above its max)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(CLOSE_WAIT_ALARM), 86401) } },
	{ "config-set: max_flows 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(MAX_FLOWS), 0) } },
	{ "config-set: max_flows 67108865 (above its max)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(MAX_FLOWS), 67108865) } },
	{ "config-set: syn_timeout 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(FIN_TIMEOUT), 4242), U32(CFG(SYN_TIMEOUT), 0) } },
	{ "config-set: syn_timeout 86401 (above its maximum)", CS, DO, .bad = 0,
	  .policy = true, .at = { U32(CFG(SYN_TIMEOUT), 86401), U32(CFG(FIN_TIMEOUT), 4242) } },
	{ "config-set: syn_flood_threshold 0 (below its min)", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(SYN_FLOOD_THRESHOLD), 0) } },
	{ "config-set: syn_flood_threshold 10000001 (above its max)", CS, DO, .bad = 1,
	  .policy = true,
	  .at = { U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(SYN_FLOOD_THRESHOLD), 10000001) } },
	{ "config-set: fin_timeout_action 2", CS, DO, .bad = 0, .policy = true,
	  .at = { U32(CFG(FIN_TIMEOUT_ACTION), 2) } },
	{ "config-set: seven valid parameters, then fin_timeout_action 2", CS, DO, .bad = 7,
	  .policy = true,
	  .at = { U32(CFG(FIN_TIMEOUT), 4242), U32(CFG(TIME_WAIT), 4242),
		  U32(CFG(FIN_WAIT1_TIMEOUT), 4242), U32(CFG(LAST_ACK_TIMEOUT), 4242),
		  U32(CFG(SYN_TIMEOUT), 4242), U32(CFG(CLOSE_WAIT_ALARM), 4242),
		  U32(CFG(MAX_FLOWS), 4242), U32(CFG(FIN_TIMEOUT_ACTION), 2) } },
	{ "config-set: fin_timeout twice, the second 0", CS, DO, .bad = 1, .policy = true,
	  .at = { U32(CFG(FIN_TIMEOUT), 4242), U32(CFG(FIN_TIMEOUT), 0) } },
	{ "config-set: no attribute", CS, DO, .bad = -1, .msg = "no parameter" },
	{ "config-set: NLA_F_NESTED on a u32", CS, DO, T_NESTED, .bad = 0,
	  .msg = "NLA_F_NESTED", .at = { U32(CFG(FIN_TIMEOUT), 4242) } },
	{ "config-set: nla_len past the end of the message", CS, DO, T_LONG, .bad = -1,
	  .msg = LEFTOVER, .at = { U32(CFG(FIN_TIMEOUT), 4242) } },
	{ "config-set: nla_len 2 (shorter than its header)", CS, DO, T_SHORT, .bad = -1,
	  .msg = LEFTOVER, .at = { U32(CFG(TIME_WAIT), 4242), U32(CFG(FIN_TIMEOUT), 4242) } },
	{ "config-set: 3 bytes after the last attribute", CS, DO, T_TRAIL, .bad = -1,
	  .msg = LEFTOVER, .at = { U32(CFG(FIN_TIMEOUT), 4242) } },
	{ "config-set: genlmsghdr.reserved 1", CS, DO, T_RESERVED, .bad = -1,
	  .msg = "reserved", .at = { U32(CFG(FIN_TIMEOUT), 4242) } },
	{ "config-set: NLM_F_CREATE in nlmsg_flags", CS, DO, T_NLFLAGS, .bad = -1,
	  .msg = "nlmsg_flags", .at = { U32(CFG(FIN_TIMEOUT), 4242) } },
	/* 6.1 rejects these in its policy, 6.2+ leave it to the module. */
	{ "config-get: attribute type 1", CG, DO, .bad = -1, .at = { U32(1, 4242) } },
	{ "config-get: attribute type 5", CG, DO, .bad = -1, .at = { U32(5, 4242) } },
	{ "stats-reset: unknown attribute (since-reset-ms)", SR, DO, .bad = 0, .msg = UNKNOWN,
	  .at = { RAW(TCPCLOSE_A_STATS_SINCE_RESET_MS, 8, 0) } },
	{ "stats-reset: host flag with a 4-byte payload", SR, DO, .bad = 0, .policy = true,
	  .at = { U32(TCPCLOSE_A_STATS_HOST, 1) } },
	{ "stats-get: pad attribute", SG, DO, .bad = 0,
	  .at = { RAW(TCPCLOSE_A_STATS_PAD, 0, 0) } },
	{ "stats-get: counters nest of garbage", SG, DO, T_NESTED, .bad = 0, .msg = UNKNOWN,
	  .at = { BYTES(TCPCLOSE_A_STATS_COUNTERS, sizeof(junk), junk) } },
	{ "flow-get: filter-state 12", FG, DUMP, .bad = 0, .policy = true,
	  .at = { U8(FLT(STATE), 12) } },
	{ "flow-get: filter-verdict 11", FG, DUMP, .bad = 0, .policy = true,
	  .at = { U8(FLT(VERDICT), 11) } },
	{ "flow-get: filter-prefix 129 on an IPv6 address", FG, DUMP, .bad = 1, .policy = true,
	  .at = { BYTES(FLT(ADDR), 16, lo6), U8(FLT(PREFIX), 129) } },
	{ "flow-get: filter-prefix 33 on an IPv4 address", FG, DUMP, .bad = -1,
	  .at = { BYTES(FLT(ADDR), 4, lo4), U8(FLT(PREFIX), 33) } },
	{ "flow-get: filter-addr of 5 bytes", FG, DUMP, .bad = -1,
	  .at = { BYTES(FLT(ADDR), sizeof(addr5), addr5) } },
	{ "flow-get: filter-addr of 0 bytes", FG, DUMP, .bad = -1,
	  .at = { BYTES(FLT(ADDR), 0, lo4) } },
	{ "flow-get: filter-prefix without filter-addr", FG, DUMP, .bad = -1,
	  .at = { U8(FLT(PREFIX), 8) } },
	{ "flow-get: filter-port of 4 bytes", FG, DUMP, .bad = 0, .msg = BADLEN,
	  .at = { RAW(FLT(PORT), 4, 80) } },
	{ "flow-get: filter-state of 2 bytes", FG, DUMP, .bad = 0, .msg = BADLEN,
	  .at = { RAW(FLT(STATE), 2, 1) } },
	{ "flow-get: filter-stuck with a payload", FG, DUMP, .bad = 0, .policy = true,
	  .at = { RAW(FLT(STUCK), 4, 1) } },
	{ "flow-get: a reply attribute (family)", FG, DUMP, .bad = 0,
	  .at = { U8(TCPCLOSE_A_FLOW_FAMILY, AF_INET) } },
	{ "flow-get: endpoint nest of garbage", FG, DUMP, T_NESTED, .bad = 0,
	  .at = { BYTES(TCPCLOSE_A_FLOW_A, sizeof(junk), junk) } },
	{ "flow-get: attribute type above the maximum", FG, DUMP, .bad = 0, .msg = UNKNOWN,
	  .at = { U8(TCPCLOSE_A_FLOW_MAX + 1, 1) } },
	{ "flow-get: filter-state 1 then filter-verdict 200", FG, DUMP, .bad = 1, .policy = true,
	  .at = { U8(FLT(STATE), 1), U8(FLT(VERDICT), 200) } },
	/* The genetlink core refuses these before any policy, without extack. */
	{ "config-get: message ends inside the genl header", CG, DO, T_GENL_SHORT, .core = true },
	{ "command 99 (unknown)", 99, DO, .core = true },
	{ "command 0", 0, DO, .core = true },
	{ "NLM_F_DUMP on config-get (do only)", CG, DUMP, .core = true },
	{ "a do of flow-get (dump only)", FG, DO, .core = true },
	{ "flow-end-ntf (an event) as a request", TCPCLOSE_CMD_FLOW_END_NTF, DO, .core = true },
};

/* The message of @b in @buf; *@offs: where its bad attribute is, or -1. */
static struct nlmsghdr *bad_build(const struct bad *b, char *buf, long *offs)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nlattr *last = NULL;
	unsigned int i;

	memset(buf, 0, 1024);
	nlh = req_new(buf, b->cmd, b->flags);
	g = mnl_nlmsg_get_payload(nlh);
	if (b->tweak & T_RESERVED)
		g->reserved = 1;
	if (b->tweak & T_NLFLAGS)
		nlh->nlmsg_flags |= NLM_F_CREATE;
	*offs = -1;
	for (i = 0; i < ARRAY_SIZE(b->at); i++) {
		const struct rawattr *r = &b->at[i];

		if (!r->type && !r->len && !r->bytes)
			break;
		if ((int)i == b->bad)
			*offs = nlh->nlmsg_len;
		last = mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put(nlh, r->type, r->len, r->bytes ? r->bytes : (const void *)&r->val);
		if (!i && (b->tweak & T_NESTED))
			last->nla_type |= NLA_F_NESTED;
	}
	if (last && (b->tweak & T_LONG))
		last->nla_len += 64;
	if (last && (b->tweak & T_SHORT))
		last->nla_len = 2;
	if (b->tweak & T_TRAIL)
		nlh->nlmsg_len += 3;
	if (b->tweak & T_GENL_SHORT)
		nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	return nlh;
}

TEST_F(cfg, malformed)
{
	unsigned int i, counted = 0, core = 0;
	struct flowset fs = {};
	struct config c, sys;
	struct nlmsghdr *nlh;
	char buf[1024];
	struct nl nl;
	struct ack a, ca;
	long offs;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, nl_open(&nl));
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad *b = &bad_cases[i];

		nlh = bad_build(b, buf, &offs);
		nl_talk(&nl, nlh, b->flags & NLM_F_DUMP ? flowset_add : NULL, &fs, &a);
		ksft_print_msg("malformed %2u: %s: %s%s%s%s, offs %ld%s\n", i + 1, b->name,
			       a.answered ? (a.err ? strerror(a.err) : "ACCEPTED") : "no answer",
			       a.msg[0] ? ", extack \"" : ", no extack",
			       a.msg, a.msg[0] ? "\"" : "", a.offs,
			       a.policy ? ", policy" : "");
		EXPECT_TRUE(a.answered) TH_LOG("%s", b->name);
		EXPECT_NE(0, a.err) TH_LOG("%s: accepted", b->name);
		EXPECT_EQ(0, a.msgs) TH_LOG("%s: %u replies", b->name, a.msgs);
		if (b->core) {
			core += a.err != 0;
			if (a.msg[0])
				ksft_print_msg("malformed %2u now comes with an extack\n", i + 1);
		} else {
			EXPECT_NE(0, a.msg[0]) TH_LOG("%s: no extack message", b->name);
			if (b->msg)
				EXPECT_NE(NULL, strstr(a.msg, b->msg))
					TH_LOG("%s: \"%s\", want \"%s\"", b->name, a.msg, b->msg);
			if (offs >= 0)
				EXPECT_EQ(offs, a.offs) TH_LOG("%s: NLMSGERR_ATTR_OFFS", b->name);
			if (b->policy)
				EXPECT_TRUE(a.policy) TH_LOG("%s: NLMSGERR_ATTR_POLICY", b->name);
			counted += a.err && a.msg[0];
		}
		/* Nothing changed. */
		ASSERT_EQ(0, nl_config_get(&nl, &c, &ca));
		ASSERT_EQ(0, sysfs_read(&sys));
		EXPECT_TRUE(config_eq(&self->saved, &c)) TH_LOG("%s: CONFIG_GET changed", b->name);
		EXPECT_TRUE(config_eq(&self->saved, &sys)) TH_LOG("%s: sysfs changed", b->name);
	}
	ksft_print_msg("malformed: %u distinct requests rejected with an extack message\n",
		       counted);
	ksft_print_msg("malformed: %u more rejected by the genetlink core, without one\n", core);
	EXPECT_LE(30, counted);

	/* The family version is not checked: a request of version 99 works. */
	memset(buf, 0, sizeof(buf));
	nlh = req_new(buf, TCPCLOSE_CMD_CONFIG_GET, NLM_F_ACK);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 99;
	memset(&c, 0, sizeof(c));
	EXPECT_EQ(0, nl_talk(&nl, nlh, config_fn, &c, &a));
	EXPECT_EQ(NCONFIG, c.n);
	free(fs.f);
	nl_close(&nl);
}

/* --- FLOW_GET --------------------------------------------------------------- */

/* Which of the flows of @k a dump holds (bit i: k[i]); *@other: the rest. */
static unsigned int flows_mask(const struct flowset *fs, const struct conn *k,
			       unsigned int nk, unsigned int *other)
{
	unsigned int i, j, mask = 0;

	*other = 0;
	for (i = 0; i < fs->n; i++) {
		for (j = 0; j < nk; j++)
			if (fs->f[i].a.port == k[j].cport && fs->f[i].b.port == k[j].sport)
				break;
		if (j == nk || (mask & (1u << j)))
			(*other)++;
		else
			mask |= 1u << j;
	}
	return mask;
}

static const struct flow *flow_find(const struct flowset *fs, const struct conn *k)
{
	unsigned int i;

	for (i = 0; i < fs->n; i++)
		if (fs->f[i].a.port == k->cport && fs->f[i].b.port == k->sport)
			return &fs->f[i];
	return NULL;
}

static bool addr_is(const struct ep *e, const char *ip)
{
	__u8 want[16];
	int af = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(af, ip, want) != 1)
		return false;
	return e->alen == (af == AF_INET6 ? 16 : 4) && !memcmp(e->addr, want, e->alen);
}

/* The attributes every flow of the scripted four has. */
static void flow_common(struct __test_metadata *_metadata, const struct flow *f,
			const struct conn *k, const char *src, const char *dst)
{
	ASSERT_NE(NULL, f);
	EXPECT_EQ(TCPCLOSE_CMD_FLOW_GET, f->cmd);
	EXPECT_EQ(0, f->bad);
	EXPECT_EQ(strchr(dst, ':') ? AF_INET6 : AF_INET, f->family);
	EXPECT_EQ(TCPCLOSE_VANTAGE_HOST, f->vantage);
	EXPECT_TRUE(f->has_a);
	EXPECT_TRUE(f->has_b);
	EXPECT_TRUE(addr_is(&f->a, src)) TH_LOG("port %d: side a address", k->cport);
	EXPECT_TRUE(addr_is(&f->b, dst)) TH_LOG("port %d: side b address", k->cport);
	EXPECT_EQ(k->cport, f->a.port);
	EXPECT_EQ(k->sport, f->b.port);
	EXPECT_TRUE(f->a.local);
	EXPECT_TRUE(f->b.local);
	EXPECT_TRUE(f->a.has_state_ms && f->a.has_silent_ms);
	EXPECT_TRUE(f->b.has_state_ms && f->b.has_silent_ms);
	EXPECT_EQ(TCPCLOSE_ENDPOINT_A, f->initiator);
	EXPECT_TRUE(f->has_age);
	EXPECT_FALSE(f->picked_up);
	EXPECT_NE(-1, f->anomalies);
	EXPECT_EQ(-1, f->anomaly);	/* events only */
}

struct fcase {
	const char *name;
	struct filter f;
	unsigned int want;	/* bit i: flow i */
};

TEST_F(cfg, flow_get_filters)
{
	static const char *const src[4] = { "127.0.0.2", "127.0.0.3", "::1", "127.0.0.4" };
	static const char *const dst[4] = { "127.0.0.1", "127.0.0.1", "::1", "127.0.0.1" };
	struct conn k[4];
	struct flowset fs = {};
	const struct flow *f[4];
	unsigned int i, other, mask;
	struct nl nl;
	struct ack a;
	int lfd;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, nl_open(&nl));
	/* Flow 3 is stuck in CLOSE_WAIT after a second. */
	ASSERT_EQ(0, sysfs_write(TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM, 1));
	for (i = 0; i < 4; i++) {
		lfd = tcp_listen(dst[i], 7001 + i, 4);
		ASSERT_LE(0, lfd);
		ASSERT_EQ(0, conn_open(&k[i], lfd, i == 2 ? NULL : src[i], dst[i], 7001 + i));
	}
	/* 0: open; 1: closed normally; 2: open, IPv6; 3: the server closed. */
	ASSERT_EQ(0, conn_close(&k[1]));
	close(k[3].s);

	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, nl_flow_dump(&nl, &nofilter, &fs, &a))
			TH_LOG("FLOW_GET: %s %s", strerror(a.err), a.msg);
		f[1] = flow_find(&fs, &k[1]);
		f[3] = flow_find(&fs, &k[3]);
		if (f[1] && f[1]->verdict == TCPCLOSE_VERDICT_CLOSE_NORMAL &&
		    f[3] && f[3]->a.stuck)
			break;
		usleep(200000);
	}
	ASSERT_GT(50, i) TH_LOG("flow 1 not closed or flow 3 not stuck");
	mask = flows_mask(&fs, k, 4, &other);
	EXPECT_EQ(0xf, mask);
	EXPECT_EQ(0, other);
	EXPECT_EQ(4, fs.n);
	EXPECT_EQ(fs.n, a.msgs);
	EXPECT_EQ(0, a.intr);
	for (i = 0; i < 4; i++) {
		f[i] = flow_find(&fs, &k[i]);
		flow_common(_metadata, f[i], &k[i], src[i], dst[i]);
	}
	/* Open, established both ways. */
	for (i = 0; i < 4; i += 2) {
		EXPECT_EQ(TCPCLOSE_STATE_ESTABLISHED, f[i]->a.state);
		EXPECT_EQ(TCPCLOSE_STATE_ESTABLISHED, f[i]->b.state);
		EXPECT_EQ(TCPCLOSE_VERDICT_NONE, f[i]->verdict);
		EXPECT_EQ(0, f[i]->a.fins);
		EXPECT_EQ(0, f[i]->b.fins);
		EXPECT_FALSE(f[i]->a.stuck || f[i]->b.stuck);
	}
	/* Closed by the client. */
	EXPECT_EQ(TCPCLOSE_STATE_TIME_WAIT, f[1]->a.state);
	EXPECT_EQ(TCPCLOSE_STATE_CLOSED, f[1]->b.state);
	EXPECT_EQ(TCPCLOSE_ENDPOINT_A, f[1]->closer);
	EXPECT_EQ(1, f[1]->a.fins);
	EXPECT_EQ(1, f[1]->b.fins);
	/* The server closed, the client did not. */
	EXPECT_EQ(TCPCLOSE_STATE_CLOSE_WAIT, f[3]->a.state);
	EXPECT_EQ(TCPCLOSE_STATE_FIN_WAIT2, f[3]->b.state);
	EXPECT_EQ(TCPCLOSE_ENDPOINT_B, f[3]->closer);
	EXPECT_EQ(TCPCLOSE_VERDICT_NONE, f[3]->verdict);
	EXPECT_TRUE(f[3]->a.stuck);
	EXPECT_FALSE(f[3]->b.stuck);
	EXPECT_EQ(0, f[3]->a.fins);
	EXPECT_EQ(1, f[3]->b.fins);
	ksft_print_msg("flow_get: 4 flows, %u messages, %u recv(), %zu bytes\n",
		       a.msgs + 1, a.recvs, a.bytes);

	const struct fcase cases[] = {
		{ "state established", { .state = TCPCLOSE_STATE_ESTABLISHED, .verdict = -1,
					 .prefix = -1, .port = -1 }, 0x5 },
		{ "state close-wait", { .state = TCPCLOSE_STATE_CLOSE_WAIT, .verdict = -1,
					.prefix = -1, .port = -1 }, 0x8 },
		{ "state fin-wait2", { .state = TCPCLOSE_STATE_FIN_WAIT2, .verdict = -1,
				       .prefix = -1, .port = -1 }, 0x8 },
		{ "state time-wait", { .state = TCPCLOSE_STATE_TIME_WAIT, .verdict = -1,
				       .prefix = -1, .port = -1 }, 0x2 },
		{ "state syn-recv", { .state = TCPCLOSE_STATE_SYN_RECV, .verdict = -1,
				      .prefix = -1, .port = -1 }, 0 },
		{ "verdict none", { .state = -1, .verdict = TCPCLOSE_VERDICT_NONE,
				    .prefix = -1, .port = -1 }, 0xd },
		{ "verdict close-normal", { .state = -1, .verdict = TCPCLOSE_VERDICT_CLOSE_NORMAL,
					    .prefix = -1, .port = -1 }, 0x2 },
		{ "verdict reset-established", { .state = -1, .prefix = -1, .port = -1,
			.verdict = TCPCLOSE_VERDICT_RESET_ESTABLISHED }, 0 },
		{ "addr 127.0.0.2", { .state = -1, .verdict = -1, .prefix = -1, .port = -1,
				      .addr = "127.0.0.2" }, 0x1 },
		{ "addr 127.0.0.2/31", { .state = -1, .verdict = -1, .prefix = 31, .port = -1,
					 .addr = "127.0.0.2" }, 0x3 },
		{ "addr 127.0.0.0/8", { .state = -1, .verdict = -1, .prefix = 8, .port = -1,
					.addr = "127.0.0.0" }, 0xb },
		{ "addr 127.0.0.1/32 (the servers)", { .state = -1, .verdict = -1, .prefix = 32,
						       .port = -1, .addr = "127.0.0.1" }, 0xb },
		{ "addr 0.0.0.0/0", { .state = -1, .verdict = -1, .prefix = 0, .port = -1,
				      .addr = "0.0.0.0" }, 0xb },
		{ "addr 10.0.0.0/8", { .state = -1, .verdict = -1, .prefix = 8, .port = -1,
				       .addr = "10.0.0.0" }, 0 },
		{ "addr ::1", { .state = -1, .verdict = -1, .prefix = -1, .port = -1,
				.addr = "::1" }, 0x4 },
		{ "addr ::1/128", { .state = -1, .verdict = -1, .prefix = 128, .port = -1,
				    .addr = "::1" }, 0x4 },
		{ "addr ::/0", { .state = -1, .verdict = -1, .prefix = 0, .port = -1,
				 .addr = "::" }, 0x4 },
		{ "addr fd00::/8", { .state = -1, .verdict = -1, .prefix = 8, .port = -1,
				     .addr = "fd00::" }, 0 },
		{ "port 7002 (a server)", { .state = -1, .verdict = -1, .prefix = -1,
					    .port = 7002 }, 0x2 },
		{ "port of client 0", { .state = -1, .verdict = -1, .prefix = -1,
					.port = k[0].cport }, 0x1 },
		{ "port 9", { .state = -1, .verdict = -1, .prefix = -1, .port = 9 }, 0 },
		{ "stuck", { .state = -1, .verdict = -1, .prefix = -1, .port = -1,
			     .stuck = true }, 0x8 },
		{ "state established, addr ::1", { .state = TCPCLOSE_STATE_ESTABLISHED,
			.verdict = -1, .prefix = -1, .port = -1, .addr = "::1" }, 0x4 },
		{ "verdict none, port 7004", { .state = -1, .verdict = TCPCLOSE_VERDICT_NONE,
					       .prefix = -1, .port = 7004 }, 0x8 },
		{ "state established, verdict close-normal", { .state = TCPCLOSE_STATE_ESTABLISHED,
			.verdict = TCPCLOSE_VERDICT_CLOSE_NORMAL, .prefix = -1, .port = -1 }, 0 },
		{ "stuck, addr 127.0.0.4/32", { .state = -1, .verdict = -1, .prefix = 32,
			.port = -1, .addr = "127.0.0.4", .stuck = true }, 0x8 },
	};

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, nl_flow_dump(&nl, &cases[i].f, &fs, &a))
			TH_LOG("filter %s: %s %s", cases[i].name, strerror(a.err), a.msg);
		mask = flows_mask(&fs, k, 4, &other);
		EXPECT_EQ(cases[i].want, mask)
			TH_LOG("filter %s: flows %#x, want %#x (0: %s, 1: %s, 2: %s, 3: %s)",
			       cases[i].name, mask, cases[i].want, src[0], src[1], src[2], src[3]);
		EXPECT_EQ(0, other) TH_LOG("filter %s: %u flows too many", cases[i].name, other);
	}
	ksft_print_msg("flow_get: %u filters checked\n", i);
	free(fs.f);
	nl_close(&nl);
}

/* --- permissions ------------------------------------------------------------ */

#define PCHECK(cond, ...) do {						\
		if (!(cond)) {						\
			fails++;					\
			ksft_print_msg(__VA_ARGS__);			\
		}							\
	} while (0)

/*
 * What a caller may do: STATS_RESET answers @reset_err; the host-wide
 * reset and CONFIG_SET are refused; the reads work.
 */
static int perm_checks(const char *who, int reset_err)
{
	struct setting set = { TCPCLOSE_A_CONFIG_FIN_TIMEOUT, 4242 };
	struct flowset fs = {};
	struct config c;
	struct stats s;
	struct nl nl;
	struct ack a;
	int fails = 0;

	if (nl_open(&nl))
		return 100;
	nl_stats_reset(&nl, false, &a);
	PCHECK(a.answered && a.err == reset_err, "%s: STATS_RESET: %s, want %s\n", who,
	       strerror(a.err), strerror(reset_err));
	nl_stats_reset(&nl, true, &a);
	PCHECK(a.answered && a.err == EPERM, "%s: STATS_RESET HOST: %s\n", who, strerror(a.err));
	nl_config_set(&nl, &set, 1, &a);
	PCHECK(a.answered && a.err == EPERM, "%s: CONFIG_SET: %s\n", who, strerror(a.err));
	nl_stats_get(&nl, false, &s, &a);
	PCHECK(!a.err && s.ncnt == NCOUNTERS, "%s: STATS_GET: %s, %u counters\n", who,
	       strerror(a.err), s.ncnt);
	nl_stats_get(&nl, true, &s, &a);
	PCHECK(!a.err && s.ncnt == NCOUNTERS && s.host, "%s: STATS_GET HOST: %s\n", who,
	       strerror(a.err));
	nl_config_get(&nl, &c, &a);
	PCHECK(!a.err && c.n == NCONFIG, "%s: CONFIG_GET: %s, %u parameters\n", who,
	       strerror(a.err), c.n);
	nl_flow_dump(&nl, &nofilter, &fs, &a);
	PCHECK(!a.err && fs.n >= 1, "%s: FLOW_GET: %s, %u flows\n", who, strerror(a.err), fs.n);
	free(fs.f);
	nl_close(&nl);
	return fails;
}

static bool no_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return false;
	return !d[0].effective && !d[1].effective && !d[0].permitted && !d[1].permitted;
}

static int as_nobody(void *arg)
{
	(void)arg;
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 101;
	if (!no_caps())
		return 102;
	return perm_checks("uid 65534", EPERM);
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/* Root of a new user namespace: uid and gid 0 map to ours (0). */
static int userns_enter(void)
{
	if (unshare(CLONE_NEWUSER))
		return -1;
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", "0 0 1") ||
	    write_file("/proc/self/gid_map", "0 0 1"))
		return -1;
	return 0;
}

/* All capabilities, but in a user namespace that does not own the netns. */
static int in_userns(void *arg)
{
	(void)arg;
	if (userns_enter())
		return 101;
	return perm_checks("new userns, old netns", EPERM);
}

/* Root of a user namespace that owns its own netns. */
static int in_userns_netns(void *arg)
{
	struct stats s;
	struct nl nl;
	struct ack a;
	int fails;

	(void)arg;
	if (userns_enter())
		return 101;
	if (netns_new())
		return 102;
	if (traffic_mix())
		return 103;
	if (nl_open(&nl) || nl_stats_get(&nl, false, &s, &a) ||
	    s.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL] < 20)
		return 104;
	fails = perm_checks("new userns owning a new netns", 0);
	/* Its reset did zero its counters. */
	nl_stats_get(&nl, false, &s, &a);
	PCHECK(!a.err && s.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL] <= RESET_SLACK,
	       "userns netns: seg_total %llu after its reset\n",
	       (unsigned long long)s.cnt[TCPCLOSE_A_COUNTERS_SEG_TOTAL]);
	nl_close(&nl);
	return fails;
}

/* In a netns of root's with traffic: @fn's child must change nothing. */
static void perm_run(struct __test_metadata *_metadata, int (*fn)(void *))
{
	struct config before, after;
	struct pstats p0, p1;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, traffic_mix());
	ASSERT_EQ(0, sysfs_read(&before));
	ASSERT_EQ(0, proc_read(PROC_NET, &p0));
	ASSERT_LE(20, proc_value(&p0, "seg_total"));
	EXPECT_EQ(0, run_child(fn, NULL));
	ASSERT_EQ(0, sysfs_read(&after));
	EXPECT_TRUE(config_eq(&before, &after));
	ASSERT_EQ(0, proc_read(PROC_NET, &p1));
	EXPECT_LE(proc_value(&p0, "seg_total"), proc_value(&p1, "seg_total"));
}

TEST(perm_unprivileged)
{
	perm_run(_metadata, as_nobody);
}

/* In a child: unshare() would move this process into the namespace. */
static int userns_probe(void *arg)
{
	(void)arg;
	return unshare(CLONE_NEWUSER) ? 1 : 0;
}

/* perm_run() of @fn, which enters a user namespace: skipped without them. */
static void perm_run_userns(struct __test_metadata *_metadata,
			    int (*fn)(void *))
{
	if (run_child(userns_probe, NULL))
		SKIP(return, "no user namespaces in this kernel (CONFIG_USER_NS)");
	perm_run(_metadata, fn);
}

TEST(perm_userns_not_owner)
{
	perm_run_userns(_metadata, in_userns);
}

TEST(perm_userns_owns_netns)
{
	perm_run_userns(_metadata, in_userns_netns);
}

/* --- events ----------------------------------------------------------------- */

struct evlog {
	int cport;
	bool got_end, got_anomaly;
	struct flow end, anomaly;
	unsigned int other;	/* events of other flows or commands */
};

/* Read events until @log has the end (and anomaly) of its flow, or @ms. */
static int events_wait(struct nl *ev, struct evlog *log, bool anomaly, int ms)
{
	static char buf[NL_BUF];
	double end = now_ms() + ms;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(ev->sk), .events = POLLIN };

	while (!log->got_end || (anomaly && !log->got_anomaly)) {
		const struct nlmsghdr *nlh = (const void *)buf;
		int left = end - now_ms();
		struct flow fl;
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		n = recv(pfd.fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -1;
		left = n;
		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			flow_parse(nlh, &fl);
			if (fl.a.port != log->cport) {
				log->other++;
			} else if (fl.cmd == TCPCLOSE_CMD_FLOW_END_NTF && !log->got_end) {
				log->end = fl;
				log->got_end = true;
			} else if (fl.cmd == TCPCLOSE_CMD_ANOMALY_NTF && !log->got_anomaly) {
				log->anomaly = fl;
				log->got_anomaly = true;
			} else {
				log->other++;
			}
		}
	}
	return 0;
}

TEST(events)
{
	struct evlog log = {};
	struct conn k;
	struct nl ev;
	int lfd;

	ASSERT_EQ(0, netns_new());
	ASSERT_NE(0, events_grp) TH_LOG("no multicast group \"%s\"", TCPCLOSE_MCGRP_EVENTS);
	ASSERT_EQ(0, nl_open(&ev));
	ASSERT_EQ(0, mnl_socket_setsockopt(ev.sk, NETLINK_ADD_MEMBERSHIP, &events_grp,
					   sizeof(events_grp)));
	lfd = tcp_listen("127.0.0.1", 7101, 4);
	ASSERT_LE(0, lfd);

	/* A normal close, the client first. */
	ASSERT_EQ(0, conn_open(&k, lfd, NULL, "127.0.0.1", 7101));
	ASSERT_EQ(0, conn_close(&k));
	log.cport = k.cport;
	ASSERT_EQ(0, events_wait(&ev, &log, false, 5000)) TH_LOG("no FLOW_END_NTF");
	EXPECT_EQ(0, log.end.bad);
	EXPECT_EQ(TCPCLOSE_VERDICT_CLOSE_NORMAL, log.end.verdict);
	EXPECT_EQ(AF_INET, log.end.family);
	EXPECT_EQ(TCPCLOSE_VANTAGE_HOST, log.end.vantage);
	EXPECT_EQ(k.cport, log.end.a.port);
	EXPECT_EQ(7101, log.end.b.port);
	EXPECT_TRUE(addr_is(&log.end.a, "127.0.0.1"));
	EXPECT_EQ(TCPCLOSE_ENDPOINT_A, log.end.initiator);
	EXPECT_EQ(TCPCLOSE_ENDPOINT_A, log.end.closer);
	EXPECT_EQ(0, log.end.anomalies);
	EXPECT_EQ(-1, log.end.anomaly);
	EXPECT_TRUE(log.end.has_age);

	/* An abort: an exact RST, anomaly then end. */
	memset(&log, 0, sizeof(log));
	ASSERT_EQ(0, conn_open(&k, lfd, NULL, "127.0.0.1", 7101));
	ASSERT_EQ(0, conn_abort(&k));
	log.cport = k.cport;
	ASSERT_EQ(0, events_wait(&ev, &log, true, 5000))
		TH_LOG("end %d, anomaly %d", log.got_end, log.got_anomaly);
	EXPECT_EQ(0, log.anomaly.bad);
	EXPECT_EQ(TCPCLOSE_ANOMALY_RST_EXACT, log.anomaly.anomaly);
	EXPECT_EQ(k.cport, log.anomaly.a.port);
	EXPECT_EQ(7101, log.anomaly.b.port);
	EXPECT_EQ(-1, log.anomaly.verdict);	/* not an attribute of anomaly-ntf */
	EXPECT_EQ(TCPCLOSE_VERDICT_RESET_ESTABLISHED, log.end.verdict);
	EXPECT_NE(0, log.end.anomalies & TCPCLOSE_ANOMALY_RST_EXACT);
	EXPECT_EQ(0, log.other);
	nl_close(&ev);
}

/* --- a big dump under churn ---------------------------------------------------- */

#define BIG_FLOWS	10000
#define BIG_PORT	7200
#define CHURN_PORT	7201
#define BIG_DUMPS	3
#define INTR_RETRIES	5
/* The flow table is an rhashtable: it doubles past 75 % of its buckets. */
#define GROW_AT		(16384 * 3 / 4)
#define EXTRA_MAX	4000

struct churn {
	unsigned long conns;	/* connections opened and closed so far */
	int stop;
};

/* Open and close connections to CHURN_PORT until told to stop. */
static void churn_run(struct churn *ch)
{
	int lfd = tcp_listen("127.0.0.1", CHURN_PORT, 64);
	struct conn k;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (lfd < 0)
		_exit(1);
	while (!__atomic_load_n(&ch->stop, __ATOMIC_RELAXED)) {
		if (conn_open(&k, lfd, NULL, "127.0.0.1", CHURN_PORT)) {
			close(k.c);
			close(k.s);
			usleep(1000);
			continue;
		}
		if (__atomic_load_n(&ch->conns, __ATOMIC_RELAXED) & 1)
			conn_abort(&k);
		else
			conn_close(&k);
		__atomic_add_fetch(&ch->conns, 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

static unsigned int accept_all(int lfd, int *fds, unsigned int room)
{
	unsigned int n = 0;
	int fd;

	while (n < room && (fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		fds[n++] = fd;
	return n;
}

/*
 * @n connections to BIG_PORT, kept open: nonblocking connects over lo,
 * accepted as they come.  Marks the client ports in @stable (if not NULL).
 * Returns how many are established.
 */
static unsigned int open_many(int lfd, int *cfd, int *sfd, unsigned int n, __u8 *stable)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(&ss, "127.0.0.1", BIG_PORT);
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	unsigned int i, accepted = 0, ok = 0;
	int port;

	for (i = 0; i < n; i++) {
		cfd[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (cfd[i] < 0 ||
		    (connect(cfd[i], (void *)&ss, len) && errno != EINPROGRESS))
			return 0;
		if (i % 128 == 127)
			accepted += accept_all(lfd, sfd + accepted, n - accepted);
	}
	while (accepted < n && poll(&pfd, 1, 5000) > 0)
		accepted += accept_all(lfd, sfd + accepted, n - accepted);
	for (i = 0; i < n; i++) {
		len = sizeof(ss);
		port = local_port(cfd[i]);
		if (getpeername(cfd[i], (void *)&ss, &len) || port <= 0 ||
		    (stable && stable[port]))
			continue;
		if (stable)
			stable[port] = 1;
		ok++;
	}
	return accepted == n ? ok : 0;
}

/* The stable flows in a dump: each must be there, once. */
struct tally {
	unsigned int missing, dups, strays, bad;
};

static void tally(const struct flowset *fs, const __u8 *stable, struct tally *t)
{
	static __u8 seen[65536];
	unsigned int i, port;

	memset(t, 0, sizeof(*t));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < fs->n; i++) {
		const struct flow *f = &fs->f[i];

		t->bad += f->bad != 0 || f->cmd != TCPCLOSE_CMD_FLOW_GET;
		if (f->b.port != BIG_PORT)
			continue;
		if (f->family != AF_INET || f->a.port < 0 ||
		    !addr_is(&f->a, "127.0.0.1") || !addr_is(&f->b, "127.0.0.1"))
			t->strays++;
		else if (stable[f->a.port] && seen[f->a.port]++)
			t->dups++;
	}
	for (port = 0; port < 65536; port++)
		t->missing += stable[port] && !seen[port];
}

struct grow {
	int lfd;
	unsigned int n, opened;
	int cfd[EXTRA_MAX], sfd[EXTRA_MAX];
};

/* Between two batches of a dump: grow the table under it. */
static void grow_table(void *arg)
{
	struct grow *g = arg;

	g->opened = open_many(g->lfd, g->cfd, g->sfd, g->n, NULL);
	usleep(300000);		/* the rehash is deferred work */
}

FIXTURE(big) {
	int dummy;
};

FIXTURE_SETUP(big)
{
}

FIXTURE_TEARDOWN(big)
{
}

/* Its 10 000 connections take 3 minutes on the debug kernel. */
TEST_F_TIMEOUT(big, dump_10k_churn, 600)
{
	static int cfd[BIG_FLOWS], sfd[BIG_FLOWS];
	static __u8 stable[65536];
	static struct grow grow;
	struct rlimit rl = { 2 * (BIG_FLOWS + EXTRA_MAX) + 512,
			     2 * (BIG_FLOWS + EXTRA_MAX) + 512 };
	unsigned int d, try, attempts = 0, intr = 0;
	unsigned long churned = 0, c0;
	struct flowset fs = {};
	double t0, ms, setup_ms;
	struct churn *ch;
	struct tally t;
	struct nl nl;
	struct ack a;
	pid_t churner;
	int lfd;

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_EQ(0, nl_open(&nl));
	lfd = tcp_listen("127.0.0.1", BIG_PORT, 4096);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, fcntl(lfd, F_SETFL, O_NONBLOCK));

	t0 = now_ms();
	ASSERT_EQ(BIG_FLOWS, open_many(lfd, cfd, sfd, BIG_FLOWS, stable));
	setup_ms = now_ms() - t0;
	ksft_print_msg("big: %u connections set up in %.0f ms\n", BIG_FLOWS, setup_ms);

	/* The churn: another process opening and closing connections. */
	ch = mmap(NULL, sizeof(*ch), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ch);
	fflush(stdout);
	fflush(stderr);
	churner = fork();
	ASSERT_LE(0, churner);
	if (!churner)
		churn_run(ch);
	for (d = 0; d < 100 && __atomic_load_n(&ch->conns, __ATOMIC_RELAXED) < 20; d++)
		usleep(50000);
	ASSERT_LE(20, __atomic_load_n(&ch->conns, __ATOMIC_RELAXED));

	for (d = 0; d < BIG_DUMPS; d++) {
		for (try = 0; try < INTR_RETRIES; try++) {
			c0 = __atomic_load_n(&ch->conns, __ATOMIC_RELAXED);
			t0 = now_ms();
			ASSERT_EQ(0, nl_flow_dump(&nl, &nofilter, &fs, &a))
				TH_LOG("FLOW_GET: %s %s", strerror(a.err), a.msg);
			ms = now_ms() - t0;
			churned += __atomic_load_n(&ch->conns, __ATOMIC_RELAXED) - c0;
			attempts++;
			if (!a.intr)
				break;
			intr++;
			ksft_print_msg("big: dump %u try %u: %u NLM_F_DUMP_INTR, again\n",
				       d + 1, try + 1, a.intr);
		}
		ASSERT_EQ(0, a.intr) TH_LOG("NLM_F_DUMP_INTR %u times in a row", INTR_RETRIES);
		tally(&fs, stable, &t);
		ksft_print_msg("big: dump %u: %u flows, %u messages, %u recv(), %zu B, %.1f ms\n",
			       d + 1, fs.n, a.msgs + 1, a.recvs, a.bytes, ms);
		ksft_print_msg("big: dump %u: of %u stable flows %u missing, %u twice\n",
			       d + 1, BIG_FLOWS, t.missing, t.dups);
		EXPECT_EQ(0, t.missing);
		EXPECT_EQ(0, t.dups);
		EXPECT_EQ(0, t.strays);
		EXPECT_EQ(0, t.bad);
		EXPECT_LE(BIG_FLOWS, fs.n);
		EXPECT_EQ(fs.n, a.msgs);
		EXPECT_LT(1, a.recvs);
	}
	__atomic_store_n(&ch->stop, 1, __ATOMIC_RELAXED);
	ASSERT_EQ(churner, waitpid(churner, NULL, 0));
	ksft_print_msg("big: churn: %lu connections, %lu of them during the dumps\n",
		       __atomic_load_n(&ch->conns, __ATOMIC_RELAXED), churned);
	ksft_print_msg("big: NLM_F_DUMP_INTR in %u of %u dumps under churn\n", intr, attempts);
	EXPECT_LT(0, churned);

	/*
	 * A resize in the middle of a dump: after its first batch, enough
	 * new flows to grow the table past GROW_AT.  The rest of the dump
	 * must carry NLM_F_DUMP_INTR; the dump after it must be whole.
	 */
	grow.lfd = lfd;
	grow.n = fs.n < GROW_AT ? GROW_AT - fs.n + 500 : 0;
	ASSERT_LT(0, grow.n) TH_LOG("%u flows: past %u already", fs.n, GROW_AT);
	ASSERT_GE(EXTRA_MAX, grow.n);
	ASSERT_EQ(0, nl_flow_dump_hook(&nl, &nofilter, &fs, &a, grow_table, &grow));
	ASSERT_EQ(grow.n, grow.opened);
	tally(&fs, stable, &t);
	ksft_print_msg("big: %u flows added during a dump: it has %u flows in %u messages\n",
		       grow.n, fs.n, a.msgs + 1);
	ksft_print_msg("big: %u of them NLM_F_DUMP_INTR from message %u on%s; %u recv()\n",
		       a.intr, a.first_intr, a.done_intr ? ", NLMSG_DONE too" : "", a.recvs);
	ksft_print_msg("big: and of the stable flows %u missing, %u twice\n", t.missing, t.dups);
	EXPECT_LT(0, a.intr);
	ASSERT_EQ(0, nl_flow_dump(&nl, &nofilter, &fs, &a));
	tally(&fs, stable, &t);
	EXPECT_EQ(0, a.intr);
	EXPECT_EQ(0, t.missing);
	EXPECT_EQ(0, t.dups);
	EXPECT_LE(BIG_FLOWS + grow.n, fs.n);
	free(fs.f);
	nl_close(&nl);
}

int main(int argc, char **argv)
{
	if (access("/sys/module/tcpclose", F_OK)) {
		ksft_print_header();
		ksft_exit_skip("tcpclose module not loaded\n");
	}
	if (family_resolve()) {
		ksft_print_header();
		ksft_exit_skip("no generic netlink family \"%s\"\n", TCPCLOSE_FAMILY_NAME);
	}
	return test_harness_run(argc, argv);
}
