// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: random and mutated requests to the tcpclose generic netlink
 * family, with an oracle.
 *
 *   nl_fuzz [-s SEED] [-n COUNT] [-b BATCH] [-u]
 *
 * Sends COUNT messages (default 100000) in batches of up to BATCH (default
 * 48) per sendmsg on one libmnl socket: correct requests of every command,
 * mutations of them (bits flipped, attributes deleted, duplicated, resized,
 * retyped, wrapped in nests, values at and past their bounds, commands,
 * flags and header fields changed, messages truncated or extended), random
 * messages (random commands, flags, attribute types and lengths, nests with
 * and without NLA_F_NESTED), deep and malformed nesting, and broken netlink
 * headers (truncated, lengths that lie) which always end their batch.
 *
 * The oracle: every batch is also walked the way the kernel walks it
 * (netlink_rcv_skb, genetlink's header checks, the strict policies of
 * Documentation/netlink/specs/tcpclose.yaml, the handlers' own checks),
 * which predicts for each message processed whether it must fail, succeed
 * or be ignored, and what a successful config-set writes.  A separate
 * config-get then ends the batch: its answer must be the predicted
 * configuration, and its ack tells that every answer of the batch came
 * (dumps are drained after it).  The replies are checked against the
 * prediction: a message that must fail and was accepted, a valid one that
 * was refused, a missing answer, or a configuration the prediction does not
 * explain is a mismatch, printed with the message's bytes.
 *
 * So valid writes are allowed as root: the configuration after the run is
 * the one printed on the "config-end:" line, and nothing else may have
 * changed it.  stats-reset zeroes the counters of the caller's namespace
 * (with host, the host-wide ones): expected, noted, not checked.
 *
 * -u: the caller must have no capability at all (checked); then every
 * admin command (stats-reset, config-set) that reaches genetlink's
 * permission check must fail with EPERM, the configuration must never
 * change, and the counters must not have been reset (since-reset-ms of the
 * namespace and of the host only grew).
 *
 * Output: "# " lines with the figures, then "config-start:", "config-end:"
 * and a "nl_fuzz:" summary line.  Exit status 0 with no mismatch, 1 with
 * some, 2 on a setup error.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcpclose.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config_names.h"

#define MSG_MAX		4096	/* largest message built */
#define BATCH_MAX	64	/* messages per sendmsg, at most */
#define BATCH_BYTES	(96 * 1024)
#define RECV_BUF	(256 * 1024)
#define NCFG		TCPCLOSE_A_CONFIG_MAX
#define NERRNO		256
#define SEQ_BASE	0x5a000000u
#define MAX_SHOWN	8	/* mismatches printed in full */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN4(x)	(((x) + 3u) & ~3u)
#define NLA_TYPE(t)	((t) & NLA_TYPE_MASK)

/* --- what was sent ------------------------------------------------------ */

enum kind { K_VALID, K_MUTATED, K_RANDOM, K_NEST, K_HEADER, NKINDS };
static const char *const kind_names[NKINDS] = {
	"valid", "mutated", "random", "deep-nest", "bad-header",
};

enum outcome { O_NOP, O_OK, O_ERR };

/* One message the kernel processes, as the walk predicts it. */
struct pred {
	uint32_t seq;
	uint16_t flags;
	uint8_t cmd;		/* 0 when not a request to the family */
	uint8_t outcome;
	bool dump;		/* a dump that runs: DONE ends it */
	bool perm;		/* fails at the permission check */
	bool cfg_write;		/* a config-set that succeeds */
	/* what came back */
	bool got_ack, got_done, got_reply;
	int err;		/* errno of the ack or DONE */
	unsigned int dump_msgs;
	int msg;		/* index of the message it starts in, or -1 */
};

struct fz {
	struct mnl_socket *sk;
	uint16_t fam;
	bool unpriv;
	uint64_t rng;
	uint32_t seq;
	/* the model */
	uint32_t cfg[NCFG + 1];
	uint32_t cfg_start[NCFG + 1];
	/* the batch being sent */
	unsigned char buf[BATCH_BYTES] __attribute__((aligned(8)));
	size_t len;
	unsigned int nmsg;
	size_t msg_off[BATCH_MAX + 1];
	uint8_t msg_kind[BATCH_MAX];
	struct pred pred[BATCH_MAX * 4];
	unsigned int npred;
	uint32_t sentinel;
	bool sentinel_done, sentinel_cfg;
	uint32_t cfg_seen[NCFG + 1];
	bool enobufs;		/* in this batch */
	/* figures */
	unsigned long sent, batches, bytes, by_kind[NKINDS], by_cmd[10];
	unsigned long acks, errors, replies, dump_msgs, dumps_done, dump_intr;
	unsigned long errno_cnt[NERRNO], pred_cnt[3], cfg_writes, resets;
	unsigned long perm_expected, perm_got, stale, recv_enobufs, timeouts;
	unsigned long sentinels, sentinel_extra;
	unsigned long bad_accepted, good_refused, missing, perm_wrong;
	unsigned long cfg_mismatch, nop_failed, shown;
};


static const char *const cmd_names[10] = {
	"cmd-0", "stats-get", "stats-reset", "flow-get", "config-get",
	"config-set", "flow-end-ntf", "anomaly-ntf", "syn-flood-ntf", "other",
};

/* --- the spec's policies, as the oracle sees them ---------------------- */

enum ptype { P_NONE, P_FLAG, P_U8, P_U16, P_U32, P_BIN };

struct pol {
	uint8_t type;
	uint32_t min, max;
};

#define STATS_MAX	TCPCLOSE_A_STATS_HOST
#define FLOW_MAX	TCPCLOSE_A_FLOW_FILTER_STUCK

static const struct pol stats_pol[STATS_MAX + 1] = {
	[TCPCLOSE_A_STATS_HOST] = { P_FLAG },
};

static const struct pol flow_pol[FLOW_MAX + 1] = {
	[TCPCLOSE_A_FLOW_FILTER_STATE]	 = { P_U8, 0, TCPCLOSE_STATE_CLOSING },
	[TCPCLOSE_A_FLOW_FILTER_VERDICT] = { P_U8, 0, TCPCLOSE_VERDICT_EVICTED },
	[TCPCLOSE_A_FLOW_FILTER_ADDR]	 = { P_BIN },
	[TCPCLOSE_A_FLOW_FILTER_PREFIX]	 = { P_U8, 0, 128 },
	[TCPCLOSE_A_FLOW_FILTER_PORT]	 = { P_U16, 0, 0xffff },
	[TCPCLOSE_A_FLOW_FILTER_STUCK]	 = { P_FLAG },
};

#define TMO { P_U32, TCPCLOSE_TIMEOUT_MIN, TCPCLOSE_TIMEOUT_MAX }
static const struct pol cfg_pol[NCFG + 1] = {
	[TCPCLOSE_A_CONFIG_FIN_TIMEOUT]		= TMO,
	[TCPCLOSE_A_CONFIG_TIME_WAIT]		= TMO,
	[TCPCLOSE_A_CONFIG_FIN_WAIT1_TIMEOUT]	= TMO,
	[TCPCLOSE_A_CONFIG_LAST_ACK_TIMEOUT]	= TMO,
	[TCPCLOSE_A_CONFIG_SYN_TIMEOUT]		= TMO,
	[TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM]	= TMO,
	[TCPCLOSE_A_CONFIG_MAX_FLOWS]		= { P_U32, TCPCLOSE_MAX_FLOWS_MIN,
						    TCPCLOSE_MAX_FLOWS_MAX },
	[TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION]	= { P_U32, 0, 1 },
	[TCPCLOSE_A_CONFIG_SYN_FLOOD_THRESHOLD]	= { P_U32, 1,
						    TCPCLOSE_SYN_FLOOD_THRESHOLD_MAX },
};

/* The policy of a command's request: its table and largest type. */
static const struct pol *cmd_policy(int cmd, int *max)
{
	switch (cmd) {
	case TCPCLOSE_CMD_STATS_GET:
	case TCPCLOSE_CMD_STATS_RESET:
		*max = STATS_MAX;
		return stats_pol;
	case TCPCLOSE_CMD_FLOW_GET:
		*max = FLOW_MAX;
		return flow_pol;
	case TCPCLOSE_CMD_CONFIG_SET:
		*max = NCFG;
		return cfg_pol;
	}
	*max = 0;
	return NULL;
}

/* --- random numbers (xorshift64*, reproducible from -s) ----------------- */

static uint64_t rnd(struct fz *f)
{
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct fz *f, uint32_t n)
{
	return n ? rnd(f) % n : 0;
}

static bool chance(struct fz *f, unsigned int percent)
{
	return below(f, 100) < percent;
}

/* --- the message under construction ------------------------------------- */

struct msg {
	unsigned char b[MSG_MAX] __attribute__((aligned(8)));
	size_t len;
};

static struct nlmsghdr *msg_hdr(struct msg *m)
{
	return (struct nlmsghdr *)m->b;
}

static void msg_sync(struct msg *m)
{
	msg_hdr(m)->nlmsg_len = m->len;
}

/* A well-formed header of @cmd with @flags; attributes follow. */
static void msg_start(struct fz *f, struct msg *m, int cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(m->b, 0, MNL_NLMSG_HDRLEN + GENL_HDRLEN);
	nlh = mnl_nlmsg_put_header(m->b);
	nlh->nlmsg_type = f->fam;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = TCPCLOSE_FAMILY_VERSION;
	m->len = nlh->nlmsg_len;
}

static bool msg_room(const struct msg *m, size_t n)
{
	return m->len + ALIGN4(n) + 64 <= MSG_MAX;
}

/* Raw attribute: header @nla_len (may lie), then @n bytes of @data. */
static void put_raw(struct msg *m, uint16_t type, uint16_t nla_len,
		    const void *data, size_t n)
{
	struct nlattr *a = (struct nlattr *)(m->b + m->len);

	if (!msg_room(m, n + 4))
		return;
	a->nla_len = nla_len;
	a->nla_type = type;
	memset((char *)a + 4 + n, 0, ALIGN4(n) - n);
	if (n)
		memcpy((char *)a + 4, data, n);
	m->len += 4 + ALIGN4(n);
	msg_sync(m);
}

static void put_attr(struct msg *m, uint16_t type, const void *data, size_t n)
{
	if (!msg_room(m, n + 4))
		return;
	mnl_attr_put(msg_hdr(m), type, n, data);
	m->len = msg_hdr(m)->nlmsg_len;
}

static void put_u8(struct msg *m, uint16_t type, uint8_t v)
{
	put_attr(m, type, &v, 1);
}

static void put_u16(struct msg *m, uint16_t type, uint16_t v)
{
	put_attr(m, type, &v, 2);
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put_attr(m, type, &v, 4);
}

static void fill_random(struct fz *f, unsigned char *p, size_t n)
{
	static const unsigned char special[] = { 0, 0xff, 0x7f, 0x80, 1, 4 };
	bool same = chance(f, 30);
	unsigned char c = special[below(f, sizeof(special))];
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = same ? c : rnd(f);
}

/* --- correct requests ----------------------------------------------------- */

static uint32_t cfg_value(struct fz *f, int a)
{
	const struct pol *p = &cfg_pol[a];

	switch (below(f, 4)) {
	case 0:
		return p->min;
	case 1:
		return p->max;
	default:
		if (a == TCPCLOSE_A_CONFIG_MAX_FLOWS)
			return 1000 + below(f, 1u << 20);
		return p->min + below(f, p->max - p->min + 1);
	}
}

static void put_filters(struct fz *f, struct msg *m)
{
	static const unsigned char v4[4] = { 127, 0, 0, 1 };
	static const unsigned char v6[16] = { [15] = 1 };

	if (chance(f, 30))
		put_u8(m, TCPCLOSE_A_FLOW_FILTER_STATE,
		       below(f, TCPCLOSE_STATE_CLOSING + 1));
	if (chance(f, 30))
		put_u8(m, TCPCLOSE_A_FLOW_FILTER_VERDICT,
		       below(f, TCPCLOSE_VERDICT_EVICTED + 1));
	if (chance(f, 30)) {
		bool six = chance(f, 40);

		put_attr(m, TCPCLOSE_A_FLOW_FILTER_ADDR, six ? v6 : v4,
			 six ? 16 : 4);
		if (chance(f, 50))
			put_u8(m, TCPCLOSE_A_FLOW_FILTER_PREFIX,
			       below(f, six ? 129 : 33));
	}
	if (chance(f, 30))
		put_u16(m, TCPCLOSE_A_FLOW_FILTER_PORT,
			chance(f, 50) ? htobe16(5001) : rnd(f));
	if (chance(f, 15))
		put_attr(m, TCPCLOSE_A_FLOW_FILTER_STUCK, NULL, 0);
}

static void build_valid(struct fz *f, struct msg *m, int cmd)
{
	uint16_t flags = NLM_F_REQUEST;
	int a, n;

	if (chance(f, 70))
		flags |= NLM_F_ACK;
	if (chance(f, 10))
		flags |= NLM_F_ECHO;
	if (cmd == TCPCLOSE_CMD_FLOW_GET)
		flags |= NLM_F_DUMP;
	msg_start(f, m, cmd, flags);
	switch (cmd) {
	case TCPCLOSE_CMD_STATS_GET:
	case TCPCLOSE_CMD_STATS_RESET:
		if (chance(f, 40))
			put_attr(m, TCPCLOSE_A_STATS_HOST, NULL, 0);
		break;
	case TCPCLOSE_CMD_FLOW_GET:
		put_filters(f, m);
		break;
	case TCPCLOSE_CMD_CONFIG_SET:
		n = 1 + below(f, 4);
		while (n--) {
			a = 1 + below(f, NCFG);
			put_u32(m, a, cfg_value(f, a));
		}
		break;
	}
}

/* --- mutations ------------------------------------------------------------ */

/* Offsets of the top-level attributes, as far as they parse. */
static int attr_offsets(const struct msg *m, size_t *off, int max)
{
	size_t p = MNL_NLMSG_HDRLEN + GENL_HDRLEN;
	int n = 0;

	while (n < max && p + 4 <= m->len) {
		const struct nlattr *a = (const void *)(m->b + p);

		if (a->nla_len < 4 || p + a->nla_len > m->len)
			break;
		off[n++] = p;
		p += ALIGN4(a->nla_len);
	}
	return n;
}

/* A type for an attribute: valid for some command, or not. */
static uint16_t random_type(struct fz *f)
{
	uint16_t t;

	switch (below(f, 6)) {
	case 0:
		t = 0;
		break;
	case 1:
		t = 1 + below(f, NCFG + 1);
		break;
	case 2:
		t = TCPCLOSE_A_FLOW_FILTER_STATE - 1 + below(f, 8);
		break;
	case 3:
		t = below(f, 64);
		break;
	case 4:
		t = rnd(f);
		break;
	default:
		t = 1 + below(f, 3);
		break;
	}
	if (chance(f, 15))
		t |= NLA_F_NESTED;
	if (chance(f, 8))
		t |= NLA_F_NET_BYTEORDER;
	return t;
}

static uint32_t boundary_value(struct fz *f)
{
	static const uint32_t v[] = {
		0, 1, 2, 10, 11, 12, 127, 128, 129, 255, 256, 65535, 65536,
		TCPCLOSE_TIMEOUT_MAX, TCPCLOSE_TIMEOUT_MAX + 1,
		TCPCLOSE_MAX_FLOWS_MAX, TCPCLOSE_MAX_FLOWS_MAX + 1,
		TCPCLOSE_SYN_FLOOD_THRESHOLD_MAX,
		TCPCLOSE_SYN_FLOOD_THRESHOLD_MAX + 1, 0x7fffffff, 0x80000000,
		0xffffffff,
	};

	return v[below(f, ARRAY_SIZE(v))];
}

static void splice(struct msg *m, size_t at, size_t del, const void *ins,
		   size_t n)
{
	if (m->len - del + n > MSG_MAX || at + del > m->len)
		return;
	memmove(m->b + at + n, m->b + at + del, m->len - at - del);
	if (n)
		memcpy(m->b + at, ins, n);
	m->len = m->len - del + n;
	msg_sync(m);
}

static void mutate_attr(struct fz *f, struct msg *m, size_t at)
{
	struct nlattr *a = (struct nlattr *)(m->b + at);
	size_t alen = a->nla_len, step = ALIGN4(alen);
	unsigned char tmp[MSG_MAX];
	uint32_t v;

	switch (below(f, 9)) {
	case 0:		/* delete */
		splice(m, at, step, NULL, 0);
		break;
	case 1:		/* duplicate, maybe with another value */
		memcpy(tmp, a, step);
		if (alen == 8 && chance(f, 50)) {
			v = boundary_value(f);
			memcpy(tmp + 4, &v, 4);
		}
		splice(m, chance(f, 50) ? at : m->len, 0, tmp, step);
		break;
	case 2:		/* nla_len lies */
		switch (below(f, 5)) {
		case 0:
			a->nla_len = below(f, 4);
			break;
		case 1:
			a->nla_len = alen ? alen - 1 - below(f, alen > 4 ? 3 : 0) : 0;
			break;
		case 2:
			a->nla_len = alen + 1 + below(f, 8);
			break;
		case 3:
			a->nla_len = 0xffff - below(f, 4);
			break;
		default:
			a->nla_len = rnd(f);
		}
		break;
	case 3:		/* payload really resized, nla_len follows */
		if (chance(f, 50) && alen > 4) {
			size_t cut = 1 + below(f, alen - 4);

			a->nla_len -= cut;
			splice(m, at + 4, ALIGN4(alen - 4) -
			       ALIGN4(alen - 4 - cut), NULL, 0);
		} else {
			size_t add = 1 + below(f, chance(f, 80) ? 8 : 600);

			fill_random(f, tmp, ALIGN4(add));
			if (alen + add > 0xffff)
				break;
			a->nla_len += add;
			splice(m, at + step, 0, tmp,
			       ALIGN4(alen + add) - step);
		}
		break;
	case 4:		/* type */
		a->nla_type = random_type(f);
		break;
	case 5:		/* flags of the type */
		a->nla_type ^= chance(f, 70) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 6:		/* a value at or past its bounds */
		if (alen >= 5) {
			v = boundary_value(f);
			memcpy(m->b + at + 4, &v, alen - 4 < 4 ? alen - 4 : 4);
		}
		break;
	case 7:		/* wrapped in a nest */
		memcpy(tmp + 4, a, step);
		((struct nlattr *)tmp)->nla_len = step + 4;
		((struct nlattr *)tmp)->nla_type = random_type(f);
		splice(m, at, step, tmp, step + 4);
		break;
	default:	/* one byte of it */
		m->b[at + below(f, step)] = rnd(f);
	}
}

static void mutate(struct fz *f, struct msg *m)
{
	size_t off[64];
	int n = attr_offsets(m, off, 64);
	struct genlmsghdr *g = (void *)(m->b + MNL_NLMSG_HDRLEN);
	unsigned char tmp[256];
	size_t k;

	switch (below(f, 12)) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (n) {
			mutate_attr(f, m, off[below(f, n)]);
			break;
		}
		/* fall through */
	case 4:		/* a new attribute */
		k = below(f, 4) ? below(f, 9) : below(f, 200);
		fill_random(f, tmp, k);
		put_raw(m, random_type(f), 4 + k, tmp, k);
		break;
	case 5:		/* a bit of the genl header or after it */
		k = MNL_NLMSG_HDRLEN + below(f, m->len - MNL_NLMSG_HDRLEN);
		m->b[k] ^= 1u << below(f, 8);
		break;
	case 6:		/* the command */
		g->cmd = chance(f, 70) ? below(f, 10) : rnd(f);
		break;
	case 7:		/* the flags */
		msg_hdr(m)->nlmsg_flags ^= 1u << below(f, 16);
		break;
	case 8:		/* version or reserved */
		if (chance(f, 50))
			g->version = rnd(f);
		else
			g->reserved = rnd(f) | 1;
		break;
	case 9:		/* truncated, at any byte after the header */
		if (m->len > MNL_NLMSG_HDRLEN) {
			m->len = MNL_NLMSG_HDRLEN +
				 below(f, m->len - MNL_NLMSG_HDRLEN);
			msg_sync(m);
		}
		break;
	case 10:	/* garbage after it */
		k = 1 + below(f, 16);
		fill_random(f, tmp, k);
		splice(m, m->len, 0, tmp, k);
		break;
	default:	/* the message type */
		msg_hdr(m)->nlmsg_type = chance(f, 50) ? below(f, NLMSG_MIN_TYPE)
						       : 0xfff0 + below(f, 16);
	}
}

/* --- random messages ------------------------------------------------------ */

static uint16_t random_flags(struct fz *f)
{
	static const uint16_t bits[] = {
		NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO, NLM_F_DUMP_INTR,
		NLM_F_DUMP_FILTERED, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC,
		NLM_F_MULTI,
	};
	uint16_t fl = 0;
	unsigned int i;

	if (chance(f, 5))
		return rnd(f);
	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (chance(f, i < 2 ? 75 : 12))
			fl |= bits[i];
	if (chance(f, 25))
		fl |= NLM_F_DUMP;
	return fl;
}

static int random_cmd(struct fz *f)
{
	if (chance(f, 70))
		return 1 + below(f, TCPCLOSE_CMD_CONFIG_SET);
	if (chance(f, 50))
		return below(f, 12);
	return rnd(f) & 0xff;
}

static size_t random_len(struct fz *f)
{
	static const size_t l[] = { 0, 0, 1, 2, 3, 4, 4, 5, 8, 16, 17 };

	if (chance(f, 10))
		return below(f, 1500);
	return l[below(f, ARRAY_SIZE(l))];
}

/* A nest of @depth levels, NLA_F_NESTED on some, lengths that may lie. */
static void put_nest(struct fz *f, struct msg *m, unsigned int depth)
{
	size_t start[128];
	unsigned int i;
	unsigned char tmp[32];
	size_t k;

	for (i = 0; i < depth && msg_room(m, 8); i++) {
		start[i] = m->len;
		put_raw(m, random_type(f) | (chance(f, 70) ? NLA_F_NESTED : 0),
			4, NULL, 0);
	}
	depth = i;
	k = below(f, 9);
	fill_random(f, tmp, k);
	put_raw(m, random_type(f), 4 + k, tmp, k);
	for (i = 0; i < depth; i++) {
		struct nlattr *a = (struct nlattr *)(m->b + start[i]);
		size_t real = m->len - start[i];

		a->nla_len = chance(f, 90) ? real : real + below(f, 9) - 4;
	}
}

static void build_random(struct fz *f, struct msg *m)
{
	unsigned char tmp[1500];
	unsigned int n = below(f, 7);
	size_t k;

	msg_start(f, m, random_cmd(f), random_flags(f));
	while (n--) {
		if (chance(f, 15)) {
			put_nest(f, m, 1 + below(f, 4));
			continue;
		}
		k = random_len(f);
		fill_random(f, tmp, k);
		if (chance(f, 85))
			put_raw(m, random_type(f), 4 + k, tmp, k);
		else
			put_raw(m, random_type(f), below(f, 0x10000), tmp, k);
	}
}

static void build_nest(struct fz *f, struct msg *m)
{
	msg_start(f, m, random_cmd(f), chance(f, 80) ? NLM_F_REQUEST | NLM_F_ACK
						     : random_flags(f));
	put_nest(f, m, 1 + below(f, chance(f, 30) ? 120 : 20));
}

/* Broken netlink headers: the message ends its batch. */
static void build_header(struct fz *f, struct msg *m)
{
	build_valid(f, m, 1 + below(f, TCPCLOSE_CMD_CONFIG_SET));
	if (chance(f, 50))
		mutate(f, m);
	switch (below(f, 5)) {
	case 0:		/* the header itself truncated */
		m->len = 1 + below(f, MNL_NLMSG_HDRLEN - 1);
		break;
	case 1:		/* nlmsg_len under the header's size */
		msg_hdr(m)->nlmsg_len = below(f, MNL_NLMSG_HDRLEN);
		break;
	case 2:		/* past the end */
		msg_hdr(m)->nlmsg_len = m->len + 1 +
					(chance(f, 50) ? below(f, 8) : rnd(f));
		break;
	case 3:		/* shorter: the rest parses as another message */
		msg_hdr(m)->nlmsg_len = MNL_NLMSG_HDRLEN +
					below(f, m->len - MNL_NLMSG_HDRLEN);
		break;
	default:	/* no room for the genl header */
		m->len = MNL_NLMSG_HDRLEN + below(f, GENL_HDRLEN);
		msg_sync(m);
	}
}

/* --- the oracle: the kernel's walk of a batch ----------------------------- */

static bool admin_cmd(int cmd)
{
	return cmd == TCPCLOSE_CMD_STATS_RESET || cmd == TCPCLOSE_CMD_CONFIG_SET;
}

/* Strict attribute parsing; tb[type] is the last of each.  0: valid. */
static int parse_attrs(const unsigned char *p, int rem, const struct pol *pol,
		       int max, const unsigned char **tb)
{
	while (rem >= 4) {
		const struct nlattr *a = (const void *)p;
		int type = NLA_TYPE(a->nla_type), alen = a->nla_len - 4;
		uint32_t v = 0;

		if (a->nla_len < 4 || a->nla_len > rem)
			break;
		if (type == 0 || type > max || pol[type].type == P_NONE ||
		    (a->nla_type & NLA_F_NESTED))
			return -1;
		switch (pol[type].type) {
		case P_FLAG:
			if (alen)
				return -1;
			break;
		case P_U8:
		case P_U16:
		case P_U32:
			if (alen != (pol[type].type == P_U8 ? 1 :
				     pol[type].type == P_U16 ? 2 : 4))
				return -1;
			memcpy(&v, p + 4, alen);	/* little endian */
			if (v < pol[type].min || v > pol[type].max)
				return -1;
			break;
		}
		tb[type] = p;
		p += ALIGN4(a->nla_len);
		rem -= ALIGN4(a->nla_len);
	}
	return rem > 0 ? -1 : 0;
}

static int flow_filters_ok(const unsigned char **tb)
{
	const unsigned char *a = tb[TCPCLOSE_A_FLOW_FILTER_ADDR];
	const unsigned char *p = tb[TCPCLOSE_A_FLOW_FILTER_PREFIX];
	int alen;

	if (!a)
		return !p;
	alen = ((const struct nlattr *)a)->nla_len - 4;
	if (alen != 4 && alen != 16)
		return 0;
	return !p || p[4] <= alen * 8;
}

/* One message of @len bytes the kernel processes: its prediction. */
static void predict_one(struct fz *f, const unsigned char *b, uint32_t len,
			struct pred *pr)
{
	const struct nlmsghdr *nlh = (const void *)b;
	const struct genlmsghdr *g = (const void *)(b + MNL_NLMSG_HDRLEN);
	const unsigned char *tb[32] = { NULL };
	const struct pol *pol;
	uint16_t fl = nlh->nlmsg_flags;
	int max, a;

	memset(pr, 0, sizeof(*pr));
	pr->seq = nlh->nlmsg_seq;
	pr->flags = fl;
	pr->outcome = O_ERR;
	if (!(fl & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE) {
		pr->outcome = O_NOP;
		return;
	}
	if (nlh->nlmsg_type != f->fam ||
	    len < MNL_NLMSG_HDRLEN + GENL_HDRLEN || g->reserved)
		return;
	if ((fl & NLM_F_DUMP) == NLM_F_DUMP)
		fl &= ~NLM_F_DUMP;
	if (fl & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))
		return;
	pr->cmd = g->cmd;
	/* Each command has a do or a dump, never both. */
	if (g->cmd < TCPCLOSE_CMD_STATS_GET || g->cmd > TCPCLOSE_CMD_CONFIG_SET ||
	    ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) !=
	    (g->cmd == TCPCLOSE_CMD_FLOW_GET))
		return;
	if (admin_cmd(g->cmd) && f->unpriv) {
		pr->perm = true;
		return;
	}
	pol = cmd_policy(g->cmd, &max);
	len -= MNL_NLMSG_HDRLEN + GENL_HDRLEN;
	if (!pol) {
		if (len)	/* config-get: no attribute at all */
			return;
	} else if (parse_attrs(b + MNL_NLMSG_HDRLEN + GENL_HDRLEN, len, pol,
			       max, tb)) {
		return;
	}
	switch (g->cmd) {
	case TCPCLOSE_CMD_FLOW_GET:
		if (!flow_filters_ok(tb))
			return;
		pr->dump = true;
		break;
	case TCPCLOSE_CMD_CONFIG_SET:
		for (a = 1; a <= NCFG && !tb[a]; a++)
			;
		if (a > NCFG)
			return;
		for (a = 1; a <= NCFG; a++)
			if (tb[a])
				memcpy(&f->cfg[a], tb[a] + 4, 4);
		pr->cfg_write = true;
		break;
	}
	pr->outcome = O_OK;
}

/* netlink_rcv_skb's walk of the batch buffer. */
static void predict_batch(struct fz *f)
{
	size_t off = 0, i = 0;

	f->npred = 0;
	while (f->len - off >= MNL_NLMSG_HDRLEN &&
	       f->npred < ARRAY_SIZE(f->pred)) {
		const struct nlmsghdr *nlh = (const void *)(f->buf + off);
		uint32_t l = nlh->nlmsg_len;
		struct pred *pr = &f->pred[f->npred++];

		if (l < MNL_NLMSG_HDRLEN || l > f->len - off) {
			f->npred--;
			break;
		}
		predict_one(f, f->buf + off, l, pr);
		while (i + 1 < f->nmsg && f->msg_off[i + 1] <= off)
			i++;
		pr->msg = i;
		f->pred_cnt[pr->outcome]++;
		f->perm_expected += pr->perm;
		off += ALIGN4(l) < f->len - off ? ALIGN4(l) : f->len - off;
	}
}

/* --- sending and receiving ------------------------------------------------ */

static struct pred *pred_of(struct fz *f, uint32_t seq)
{
	unsigned int i;
	struct pred *found = NULL;

	for (i = 0; i < f->npred; i++) {
		if (f->pred[i].seq != seq)
			continue;
		if (found)
			return NULL;	/* ambiguous: not checked */
		found = &f->pred[i];
	}
	return found;
}

static void count_errno(struct fz *f, int err)
{
	f->errors++;
	f->errno_cnt[err > 0 && err < NERRNO ? err : 0]++;
}

static void parse_config(const struct nlmsghdr *nlh, uint32_t *cfg)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		int t = mnl_attr_get_type(a);

		if (t >= 1 && t <= NCFG &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t))
			cfg[t] = mnl_attr_get_u32(a);
	}
}

static void on_reply(struct fz *f, const struct nlmsghdr *nlh)
{
	struct pred *pr = NULL;
	int err = 0;

	if (nlh->nlmsg_seq == f->sentinel) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			f->sentinel_done = true;
		} else if (nlh->nlmsg_type == f->fam) {
			parse_config(nlh, f->cfg_seen);
			f->sentinel_cfg = true;
		}
		return;
	}
	if (f->npred)
		pr = pred_of(f, nlh->nlmsg_seq);
	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
		const int *e = mnl_nlmsg_get_payload(nlh);

		if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
			err = -*e;
		if (nlh->nlmsg_type == NLMSG_DONE) {
			f->dumps_done++;
			f->dump_intr += !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
		}
		if (err)
			count_errno(f, err);
		else if (nlh->nlmsg_type == NLMSG_ERROR)
			f->acks++;
		if (!pr) {
			f->stale++;
			return;
		}
		if (nlh->nlmsg_type == NLMSG_DONE)
			pr->got_done = true;
		else
			pr->got_ack = true;
		if (err)
			pr->err = err;
		return;
	}
	if (nlh->nlmsg_flags & NLM_F_MULTI) {
		f->dump_msgs++;
		f->dump_intr += !!(nlh->nlmsg_flags & NLM_F_DUMP_INTR);
		if (pr)
			pr->dump_msgs++;
	} else {
		f->replies++;
		if (pr)
			pr->got_reply = true;
	}
}

/* Read what is there; false on a timeout. */
static bool recv_some(struct fz *f)
{
	static char buf[RECV_BUF] __attribute__((aligned(8)));
	const struct nlmsghdr *nlh = (const void *)buf;
	ssize_t n = mnl_socket_recvfrom(f->sk, buf, sizeof(buf));
	int left = n;

	if (n < 0) {
		if (errno == ENOBUFS) {
			f->recv_enobufs++;
			f->enobufs = true;
			return true;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			f->timeouts++;
			return false;
		}
		perror("nl_fuzz: recv");
		exit(2);
	}
	while (mnl_nlmsg_ok(nlh, left)) {
		on_reply(f, nlh);
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	return true;
}

static bool dumps_open(const struct fz *f)
{
	unsigned int i;

	for (i = 0; i < f->npred; i++) {
		const struct pred *pr = &f->pred[i];

		if (pr->dump && !pr->got_done && !pr->err && !f->enobufs)
			return true;
	}
	return false;
}

static void send_sentinel(struct fz *f)
{
	unsigned char b[64] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct genlmsghdr *g;

	nlh->nlmsg_type = f->fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = f->sentinel = f->seq++;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = TCPCLOSE_CMD_CONFIG_GET;
	g->version = TCPCLOSE_FAMILY_VERSION;
	f->sentinel_done = f->sentinel_cfg = false;
	if (mnl_socket_sendto(f->sk, nlh, nlh->nlmsg_len) < 0) {
		perror("nl_fuzz: send");
		exit(2);
	}
	f->sentinels++;
}

/* --- checking a batch ----------------------------------------------------- */

static void show(struct fz *f, const char *what, const struct pred *pr)
{
	const unsigned char *b;
	size_t i, n;

	if (f->shown++ >= MAX_SHOWN)
		return;
	printf("# MISMATCH %s: seq %#x cmd %u flags %#x predicted %s, got %s%s%d\n",
	       what, pr->seq, pr->cmd, pr->flags,
	       pr->outcome == O_OK ? "success" :
	       pr->outcome == O_ERR ? "an error" : "no processing",
	       pr->got_ack ? "ack " : pr->got_done ? "done " : "nothing ",
	       pr->err ? "errno " : "status ", pr->err);
	if (pr->msg < 0)
		return;
	b = f->buf + f->msg_off[pr->msg];
	n = f->msg_off[pr->msg + 1] - f->msg_off[pr->msg];
	printf("#   message %d (%s), %zu bytes:", pr->msg,
	       kind_names[f->msg_kind[pr->msg]], n);
	for (i = 0; i < n && i < 256; i++)
		printf("%s%02x", i % 32 ? " " : "\n#    ", b[i]);
	printf("\n");
}

static bool tolerated(const struct pred *pr)
{
	/* A dump while another runs; a reply the socket had no room for. */
	return (pr->dump && pr->err == EBUSY) || pr->err == ENOBUFS ||
	       pr->err == ENOMEM;
}

static void check_pred(struct fz *f, struct pred *pr)
{
	bool answered = pr->got_ack || pr->got_done;
	bool success = (answered && !pr->err) || pr->got_reply || pr->dump_msgs;
	bool want_answer = pr->outcome == O_ERR || pr->dump ||
			   (pr->flags & NLM_F_ACK);

	if (pr->seq < SEQ_BASE || pr->seq >= f->seq)
		return;		/* the tail of a short message: its own seq */
	if (pr->outcome == O_ERR && pr->err)
		f->perm_got += pr->err == EPERM && admin_cmd(pr->cmd);
	if (pr->outcome == O_ERR && success) {
		f->bad_accepted++;
		show(f, "bad request accepted", pr);
	} else if (pr->outcome == O_ERR && pr->perm && pr->err &&
		   pr->err != EPERM) {
		f->perm_wrong++;
		show(f, "admin request refused, but not with EPERM", pr);
	} else if (pr->outcome == O_OK && pr->err && !tolerated(pr)) {
		f->good_refused++;
		show(f, "valid request refused", pr);
	} else if (pr->outcome == O_NOP && pr->err) {
		f->nop_failed++;
		show(f, "ignored message answered with an error", pr);
	} else if (want_answer && !answered && !f->enobufs) {
		f->missing++;
		show(f, "no answer", pr);
	}
	if (pr->outcome == O_OK && !pr->err) {
		f->cfg_writes += pr->cfg_write;
		f->resets += pr->cmd == TCPCLOSE_CMD_STATS_RESET;
	}
}

static void print_cfg(const char *tag, const uint32_t *cfg)
{
	int a;

	printf("%s", tag);
	for (a = 1; a <= NCFG; a++)
		if (a == TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION && cfg[a] <= 1)
			printf(" %s=%s", tcpclose_config_names[a],
			       cfg[a] ? "reset" : "observe");	/* as sysfs */
		else
			printf(" %s=%u", tcpclose_config_names[a], cfg[a]);
	printf("\n");
}

static void check_batch(struct fz *f)
{
	unsigned int i;

	for (i = 0; i < f->npred; i++)
		check_pred(f, &f->pred[i]);
	if (!f->sentinel_cfg) {
		if (!f->enobufs) {
			f->missing++;
			printf("# MISMATCH no config-get answer after batch %lu\n",
			       f->batches);
		}
		return;
	}
	if (!memcmp(f->cfg, f->cfg_seen, sizeof(f->cfg)))
		return;
	f->cfg_mismatch++;
	if (f->shown++ < MAX_SHOWN) {
		printf("# MISMATCH configuration after batch %lu (seed state %#llx)\n",
		       f->batches, (unsigned long long)f->rng);
		print_cfg("#   predicted:", f->cfg);
		print_cfg("#   kernel:   ", f->cfg_seen);
	}
	memcpy(f->cfg, f->cfg_seen, sizeof(f->cfg));
}

/* Send the batch, then the config-get, and read every answer. */
static void run_batch(struct fz *f)
{
	predict_batch(f);
	f->enobufs = false;
	if (mnl_socket_sendto(f->sk, f->buf, f->len) < 0) {
		perror("nl_fuzz: send");
		exit(2);
	}
	f->batches++;
	f->bytes += f->len;
	send_sentinel(f);
	while (!f->sentinel_done || dumps_open(f))
		if (!recv_some(f))
			break;
	check_batch(f);
	f->npred = 0;
}

static void add_message(struct fz *f, const struct msg *m, enum kind k)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(f->buf + f->len);

	f->msg_off[f->nmsg] = f->len;
	f->msg_kind[f->nmsg++] = k;
	memcpy(f->buf + f->len, m->b, m->len);
	/* The seq stays ours, whatever the mutations did. */
	if (m->len >= 12)
		nlh->nlmsg_seq = f->seq;
	f->seq++;
	f->len += ALIGN4(m->len);
	memset(f->buf + f->len - (ALIGN4(m->len) - m->len), 0,
	       ALIGN4(m->len) - m->len);
	f->msg_off[f->nmsg] = f->len;
	f->sent++;
	f->by_kind[k]++;
	if (m->len >= MNL_NLMSG_HDRLEN + GENL_HDRLEN) {
		uint8_t cmd = m->b[MNL_NLMSG_HDRLEN];

		f->by_cmd[cmd < 9 ? cmd : 9]++;
	}
}

/* One message of a random kind; true if it must end the batch. */
static bool one_message(struct fz *f, struct msg *m, enum kind *k)
{
	unsigned int r = below(f, 100), n;

	if (r < 15) {
		*k = K_VALID;
		build_valid(f, m, 1 + below(f, TCPCLOSE_CMD_CONFIG_SET));
	} else if (r < 65) {
		*k = K_MUTATED;
		build_valid(f, m, 1 + below(f, TCPCLOSE_CMD_CONFIG_SET));
		for (n = 1 + below(f, 3); n; n--)
			mutate(f, m);
	} else if (r < 88) {
		*k = K_RANDOM;
		build_random(f, m);
	} else if (r < 96) {
		*k = K_NEST;
		build_nest(f, m);
	} else {
		*k = K_HEADER;
		build_header(f, m);
	}
	return *k == K_HEADER;
}

/* Whatever is left (a dump the oracle thought refused, say): 0.2 s. */
static void drain(struct fz *f)
{
	struct timeval tv = { .tv_usec = 200000 };
	unsigned long t = f->timeouts;

	setsockopt(mnl_socket_get_fd(f->sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	while (recv_some(f))
		;
	f->timeouts = t;
	tv.tv_sec = 2;
	tv.tv_usec = 0;
	setsockopt(mnl_socket_get_fd(f->sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
}

static void fuzz(struct fz *f, unsigned long count, unsigned int batch)
{
	static struct msg m;
	enum kind k;
	unsigned int n, want;
	bool last;

	while (f->sent < count) {
		f->len = 0;
		f->nmsg = 0;
		want = 1 + below(f, batch);
		for (n = 0; n < want && f->sent < count; n++) {
			last = one_message(f, &m, &k);
			if (f->len + ALIGN4(m.len) > BATCH_BYTES)
				break;
			add_message(f, &m, k);
			if (last)
				break;
		}
		run_batch(f);
		if (f->batches % 64 == 0) {
			int on = below(f, 2);

			mnl_socket_setsockopt(f->sk, NETLINK_CAP_ACK, &on,
					      sizeof(on));
		}
	}
	drain(f);
}

/* --- setup ------------------------------------------------------------------ */

/* A plain request and its answers, outside the fuzzing. */
static int simple(struct fz *f, struct nlmsghdr *nlh,
		  void (*fn)(const struct nlmsghdr *, void *), void *data)
{
	static char buf[RECV_BUF] __attribute__((aligned(8)));
	uint32_t seq = f->seq++;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(f->sk, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		const struct nlmsghdr *r = (const void *)buf;
		ssize_t n = mnl_socket_recvfrom(f->sk, buf, sizeof(buf));
		int left = n;

		if (n < 0)
			return -1;
		for (; mnl_nlmsg_ok(r, left); r = mnl_nlmsg_next(r, &left)) {
			if (r->nlmsg_seq != seq)
				continue;
			if (r->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(r);

				errno = -e->error;
				return e->error ? -1 : 0;
			}
			fn(r, data);
		}
	}
}

static void family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)data = mnl_attr_get_u16(a);
}

static int resolve(struct fz *f)
{
	unsigned char b[256] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct genlmsghdr *g;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPCLOSE_FAMILY_NAME);
	return simple(f, nlh, family_cb, &f->fam);
}

static void config_cb(const struct nlmsghdr *nlh, void *data)
{
	parse_config(nlh, data);
}

static void since_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == TCPCLOSE_A_STATS_SINCE_RESET_MS)
			*(uint64_t *)data = mnl_attr_get_u64(a);
}

static int get(struct fz *f, int cmd, bool host, uint32_t *cfg, uint64_t *since)
{
	struct msg m;

	msg_start(f, &m, cmd, NLM_F_REQUEST | NLM_F_ACK);
	if (host)
		put_attr(&m, TCPCLOSE_A_STATS_HOST, NULL, 0);
	if (cfg)
		return simple(f, msg_hdr(&m), config_cb, cfg);
	return simple(f, msg_hdr(&m), since_cb, since);
}

static bool no_capability(void)
{
	FILE *s = fopen("/proc/self/status", "r");
	char line[256];
	bool none = false;

	if (!s)
		return false;
	while (fgets(line, sizeof(line), s))
		if (!strncmp(line, "CapEff:", 7))
			none = strtoull(line + 7, NULL, 16) == 0;
	fclose(s);
	return none && geteuid() != 0;
}

static int setup(struct fz *f)
{
	struct timeval tv = { .tv_sec = 2 };
	int one = 1, big = 8 << 20;
	int fd;

	f->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!f->sk || mnl_socket_bind(f->sk, 0, MNL_SOCKET_AUTOPID)) {
		perror("nl_fuzz: netlink socket");
		return -1;
	}
	fd = mnl_socket_get_fd(f->sk);
	/* Room for a batch's answers: forced as root, else up to rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    mnl_socket_setsockopt(f->sk, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(f->sk, NETLINK_CAP_ACK, &one, sizeof(one))) {
		perror("nl_fuzz: setsockopt");
		return -1;
	}
	f->seq = SEQ_BASE;
	if (resolve(f)) {
		perror("nl_fuzz: family " TCPCLOSE_FAMILY_NAME);
		return -1;
	}
	if (get(f, TCPCLOSE_CMD_CONFIG_GET, false, f->cfg, NULL)) {
		perror("nl_fuzz: config-get");
		return -1;
	}
	memcpy(f->cfg_start, f->cfg, sizeof(f->cfg));
	return 0;
}

/* --- report ------------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long mismatches(const struct fz *f)
{
	return f->bad_accepted + f->good_refused + f->missing + f->perm_wrong +
	       f->cfg_mismatch + f->nop_failed;
}

static void report(const struct fz *f, double secs)
{
	int i;

	printf("# sent %lu messages (%lu bytes) in %lu batches, %.1f s, %.0f msg/s\n",
	       f->sent, f->bytes, f->batches, secs, f->sent / secs);
	printf("# by kind:");
	for (i = 0; i < NKINDS; i++)
		printf(" %s %lu", kind_names[i], f->by_kind[i]);
	printf("\n# by command:");
	for (i = 0; i < 10; i++)
		printf(" %s %lu", cmd_names[i], f->by_cmd[i]);
	printf("\n# predicted: success %lu, error %lu, ignored %lu\n",
	       f->pred_cnt[O_OK], f->pred_cnt[O_ERR], f->pred_cnt[O_NOP]);
	printf("# answers: acks %lu, errors %lu, replies %lu, dump messages %lu, dumps done %lu (NLM_F_DUMP_INTR %lu)\n",
	       f->acks, f->errors, f->replies, f->dump_msgs, f->dumps_done,
	       f->dump_intr);
	printf("# errors by errno:");
	for (i = 0; i < NERRNO; i++)
		if (f->errno_cnt[i])
			printf(" %s %lu", i ? strerrorname_np(i) : "other",
			       f->errno_cnt[i]);
	printf("\n# accepted: config-set %lu, stats-reset %lu; admin requests refused with EPERM %lu (expected at least %lu)\n",
	       f->cfg_writes, f->resets, f->perm_got, f->perm_expected);
	printf("# batch ends %lu, stale answers %lu, recv ENOBUFS %lu, timeouts %lu\n",
	       f->sentinels, f->stale, f->recv_enobufs, f->timeouts);
	printf("# mismatches: bad accepted %lu, valid refused %lu, no answer %lu, not EPERM %lu, ignored but failed %lu, configuration %lu\n",
	       f->bad_accepted, f->good_refused, f->missing, f->perm_wrong,
	       f->nop_failed, f->cfg_mismatch);
	print_cfg("config-start:", f->cfg_start);
	print_cfg("config-end:", f->cfg);
	printf("nl_fuzz: sent=%lu batches=%lu secs=%.1f eperm=%lu perm_expected=%lu cfg_writes=%lu resets=%lu dump_msgs=%lu enobufs=%lu timeouts=%lu mismatches=%lu\n",
	       f->sent, f->batches, secs, f->perm_got, f->perm_expected,
	       f->cfg_writes, f->resets, f->dump_msgs, f->recv_enobufs,
	       f->timeouts, mismatches(f));
}

/* -u: the counters were not reset (since-reset-ms only grew). */
static int check_not_reset(struct fz *f, const uint64_t *before)
{
	uint64_t after[2] = { 0, 0 };
	int i, bad = 0;

	for (i = 0; i < 2; i++) {
		if (get(f, TCPCLOSE_CMD_STATS_GET, i, NULL, &after[i])) {
			perror("nl_fuzz: stats-get");
			return 1;
		}
		printf("# since-reset-ms (%s): %llu before, %llu after\n",
		       i ? "host" : "namespace", (unsigned long long)before[i],
		       (unsigned long long)after[i]);
		if (after[i] < before[i]) {
			printf("# MISMATCH counters reset by an unprivileged caller\n");
			bad = 1;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	static struct fz f;
	unsigned long count = 100000, seed = 1;
	unsigned int batch = 48;
	uint64_t since[2] = { 0, 0 };
	double t0;
	int opt, bad = 0;

	while ((opt = getopt(argc, argv, "s:n:b:u")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'b':
			batch = strtoul(optarg, NULL, 0);
			break;
		case 'u':
			f.unpriv = true;
			break;
		default:
			fprintf(stderr, "usage: nl_fuzz [-s SEED] [-n COUNT] [-b BATCH] [-u]\n");
			return 2;
		}
	}
	if (batch < 1 || batch > BATCH_MAX) {
		fprintf(stderr, "nl_fuzz: -b: 1 to %d\n", BATCH_MAX);
		return 2;
	}
	f.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	if (f.unpriv && !no_capability()) {
		fprintf(stderr, "nl_fuzz: -u but the caller has capabilities or is root\n");
		return 2;
	}
	if (setup(&f))
		return 2;
	printf("# seed %lu, %lu messages, batches of up to %u, %s, family id %u\n",
	       seed, count, batch, f.unpriv ? "unprivileged" : "privileged",
	       f.fam);
	if (f.unpriv &&
	    (get(&f, TCPCLOSE_CMD_STATS_GET, false, NULL, &since[0]) ||
	     get(&f, TCPCLOSE_CMD_STATS_GET, true, NULL, &since[1]))) {
		perror("nl_fuzz: stats-get");
		return 2;
	}
	t0 = now();
	fuzz(&f, count, batch);
	report(&f, now() - t0);
	if (f.unpriv) {
		bad |= check_not_reset(&f, since);
		if (memcmp(f.cfg, f.cfg_start, sizeof(f.cfg))) {
			printf("# MISMATCH configuration changed by an unprivileged caller\n");
			bad = 1;
		}
		if (f.perm_got < f.perm_expected)
			bad = 1;
	}
	fflush(stdout);
	return bad || mismatches(&f) ? 1 : 0;
}
