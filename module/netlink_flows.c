// SPDX-License-Identifier: GPL-2.0
/*
 * Flows over netlink: the flow-get dump and the events group.
 *
 * The dump walks the netns's hash table bucket by bucket under RCU and
 * never splits a bucket across two messages, so a flow present for the
 * whole dump is sent exactly once, whatever else is inserted or removed.
 * A resize moves flows between tables: a dump that sees one is flagged
 * NLM_F_DUMP_INTR, and the reader starts again.
 */
#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "counters.h"
#include "flows.h"
#include "genl-compat.h"
#include "genl.h"
#include "netlink.h"
#include "netns.h"

/* Room for one flow message: about 300 bytes. */
#define TCPCLOSE_NL_FLOW_SIZE	512

/* Anomaly events: at most 100 a second per netns, in bursts of 100. */
#define TCPCLOSE_NL_EVENTS_BURST 100

/* A copy of a flow, taken under its lock. */
struct tcpclose_flow_view {
	struct in6_addr addr[2];
	__be16 port[2];
	u8 family, vantage, local, flags;
	u32 created, last_seen[2], state_since[2];
	struct tcpclose_fsm fsm;
};

struct tcpclose_nl_filter {
	struct in6_addr addr;	/* v4-mapped for an IPv4 filter */
	int prefix;		/* -1: no address filter */
	u8 family;		/* of the address filter */
	int state;		/* -1: any */
	int verdict;		/* -1: any */
	__be16 port;		/* 0: any */
	bool stuck;
};

static void tcpclose_nl_view(const struct tcpclose_flow *flow,
			     struct tcpclose_flow_view *v)
{
	memcpy(v->addr, flow->addr, sizeof(v->addr));
	memcpy(v->port, flow->port, sizeof(v->port));
	v->family = flow->family;
	v->vantage = flow->vantage;
	v->local = flow->local;
	v->flags = flow->flags;
	v->created = flow->created;
	memcpy(v->last_seen, flow->last_seen, sizeof(v->last_seen));
	memcpy(v->state_since, flow->state_since, sizeof(v->state_since));
	v->fsm = flow->fsm;
}

static u64 tcpclose_nl_ms(u32 now, u32 then)
{
	return jiffies_to_msecs(now - then);
}

static int tcpclose_nl_put_addr(struct sk_buff *skb, int type, u8 family,
				const struct in6_addr *a)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, type, a->s6_addr32[3]);
	return nla_put_in6_addr(skb, type, a);
}

static int tcpclose_nl_put_endpoint(struct sk_buff *skb, int type,
				    const struct tcpclose_flow_view *v,
				    unsigned int side, u32 now)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (tcpclose_nl_put_addr(skb, TCPCLOSE_A_ENDPOINT_ADDR, v->family,
				 &v->addr[side]) ||
	    nla_put_be16(skb, TCPCLOSE_A_ENDPOINT_PORT, v->port[side]) ||
	    nla_put_u8(skb, TCPCLOSE_A_ENDPOINT_STATE, v->fsm.state[side]) ||
	    nla_put_u64_64bit(skb, TCPCLOSE_A_ENDPOINT_STATE_MS,
			      tcpclose_nl_ms(now, v->state_since[side]),
			      TCPCLOSE_A_ENDPOINT_PAD) ||
	    nla_put_u64_64bit(skb, TCPCLOSE_A_ENDPOINT_SILENT_MS,
			      tcpclose_nl_ms(now, v->last_seen[side]),
			      TCPCLOSE_A_ENDPOINT_PAD) ||
	    (v->local & (1u << side) &&
	     nla_put_flag(skb, TCPCLOSE_A_ENDPOINT_LOCAL)) ||
	    (v->flags & (TCPCLOSE_FL_STUCK_A << side) &&
	     nla_put_flag(skb, TCPCLOSE_A_ENDPOINT_STUCK)) ||
	    nla_put_u8(skb, TCPCLOSE_A_ENDPOINT_FINS, v->fsm.fin_count[side])) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* The attributes of a flow; @anomaly is set in an anomaly event only. */
static int tcpclose_nl_put_flow(struct sk_buff *skb,
				const struct tcpclose_flow_view *v,
				unsigned int anomaly)
{
	u32 now = jiffies;

	if (nla_put_u8(skb, TCPCLOSE_A_FLOW_FAMILY, v->family) ||
	    nla_put_u8(skb, TCPCLOSE_A_FLOW_VANTAGE, v->vantage) ||
	    tcpclose_nl_put_endpoint(skb, TCPCLOSE_A_FLOW_A, v, 0, now) ||
	    tcpclose_nl_put_endpoint(skb, TCPCLOSE_A_FLOW_B, v, 1, now) ||
	    nla_put_u8(skb, TCPCLOSE_A_FLOW_INITIATOR, v->fsm.initiator) ||
	    nla_put_u8(skb, TCPCLOSE_A_FLOW_ACTIVE_CLOSER,
		       v->fsm.active_closer) ||
	    nla_put_u32(skb, TCPCLOSE_A_FLOW_ANOMALIES, v->fsm.anomalies) ||
	    nla_put_u64_64bit(skb, TCPCLOSE_A_FLOW_AGE_MS,
			      tcpclose_nl_ms(now, v->created),
			      TCPCLOSE_A_FLOW_PAD) ||
	    (v->fsm.flags & TCPCLOSE_F_PICKED_UP &&
	     nla_put_flag(skb, TCPCLOSE_A_FLOW_PICKED_UP)))
		return -EMSGSIZE;
	if (anomaly)
		return nla_put_u32(skb, TCPCLOSE_A_FLOW_ANOMALY, anomaly);
	if (nla_put_u8(skb, TCPCLOSE_A_FLOW_VERDICT, v->fsm.verdict) ||
	    nla_put_u8(skb, TCPCLOSE_A_FLOW_STALLED, v->fsm.stalled))
		return -EMSGSIZE;
	return 0;
}

/* A stuck flow: an endpoint stuck in CLOSE_WAIT, or blamed by a timeout. */
static bool tcpclose_nl_stuck(const struct tcpclose_flow_view *v)
{
	return v->flags & (TCPCLOSE_FL_STUCK_A | TCPCLOSE_FL_STUCK_B) ||
	       v->fsm.stalled == TCPCLOSE_SIDE_A ||
	       v->fsm.stalled == TCPCLOSE_SIDE_B;
}

static bool tcpclose_nl_match(const struct tcpclose_nl_filter *f,
			      const struct tcpclose_flow_view *v)
{
	if (f->state >= 0 && v->fsm.state[0] != f->state &&
	    v->fsm.state[1] != f->state)
		return false;
	if (f->verdict >= 0 && v->fsm.verdict != f->verdict)
		return false;
	if (f->port && v->port[0] != f->port && v->port[1] != f->port)
		return false;
	if (f->prefix >= 0 &&
	    (v->family != f->family ||
	     (!ipv6_prefix_equal(&v->addr[0], &f->addr, f->prefix) &&
	      !ipv6_prefix_equal(&v->addr[1], &f->addr, f->prefix))))
		return false;
	return !f->stuck || tcpclose_nl_stuck(v);
}

static int tcpclose_nl_filter_addr(struct nlattr **tb,
				   struct tcpclose_nl_filter *f,
				   struct netlink_ext_ack *extack)
{
	struct nlattr *a = tb[TCPCLOSE_A_FLOW_FILTER_ADDR];
	struct nlattr *p = tb[TCPCLOSE_A_FLOW_FILTER_PREFIX];
	int bits;

	if (!a) {
		if (p) {
			NL_SET_ERR_MSG_ATTR(extack, p,
					    "filter-prefix needs filter-addr");
			return -EINVAL;
		}
		return 0;
	}
	if (nla_len(a) == 4) {
		ipv6_addr_set_v4mapped(nla_get_in_addr(a), &f->addr);
		f->family = AF_INET;
		bits = 32;
	} else if (nla_len(a) == 16) {
		f->addr = nla_get_in6_addr(a);
		f->family = AF_INET6;
		bits = 128;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "filter-addr must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	if (p && nla_get_u8(p) > bits) {
		NL_SET_ERR_MSG_ATTR(extack, p,
				    "filter-prefix longer than the address");
		return -EINVAL;
	}
	f->prefix = (p ? nla_get_u8(p) : bits) + 128 - bits;
	return 0;
}

static int tcpclose_nl_filter(struct nlattr **tb, struct tcpclose_nl_filter *f,
			      struct netlink_ext_ack *extack)
{
	f->prefix = -1;
	f->state = tb[TCPCLOSE_A_FLOW_FILTER_STATE] ?
		   nla_get_u8(tb[TCPCLOSE_A_FLOW_FILTER_STATE]) : -1;
	f->verdict = tb[TCPCLOSE_A_FLOW_FILTER_VERDICT] ?
		     nla_get_u8(tb[TCPCLOSE_A_FLOW_FILTER_VERDICT]) : -1;
	f->port = tb[TCPCLOSE_A_FLOW_FILTER_PORT] ?
		  nla_get_be16(tb[TCPCLOSE_A_FLOW_FILTER_PORT]) : 0;
	f->stuck = nla_get_flag(tb[TCPCLOSE_A_FLOW_FILTER_STUCK]);
	return tcpclose_nl_filter_addr(tb, f, extack);
}

/*
 * Dump state in cb->args: [0] the next bucket, [1] the table the dump
 * started on (its hash seed and size), [2] set once the table changed.
 */
static void tcpclose_nl_dump_check(struct netlink_callback *cb,
				   const struct bucket_table *tbl)
{
	unsigned long id = (unsigned long)((u64)tbl->hash_rnd << 32 | tbl->size) | 1;

	if (!cb->args[1])
		cb->args[1] = id;
	if (cb->args[1] != id || rcu_access_pointer(tbl->future_tbl))
		cb->args[2] = 1;
	cb->seq = cb->args[2] ? 2 : 1;
}

static int tcpclose_nl_dump_flow(struct sk_buff *skb,
				 struct netlink_callback *cb,
				 const struct tcpclose_flow_view *v)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &tcpclose_genl_family, NLM_F_MULTI,
			  TCPCLOSE_CMD_FLOW_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (cb->args[2])
		genlmsg_nlhdr(hdr)->nlmsg_flags |= NLM_F_DUMP_INTR;
	if (tcpclose_nl_put_flow(skb, v, 0)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* Every matching flow of bucket @b, or none of them. */
static int tcpclose_nl_dump_bucket(struct sk_buff *skb,
				   struct netlink_callback *cb,
				   struct bucket_table *tbl, unsigned int b,
				   const struct tcpclose_nl_filter *f)
{
	const unsigned char *mark = skb_tail_pointer(skb);
	struct tcpclose_flow_view v;
	struct tcpclose_flow *flow;
	struct rhash_head *pos;
	bool dead;

	rht_for_each_entry_rcu(flow, pos, tbl, b, node) {
		spin_lock_bh(&flow->lock);
		dead = flow->flags & TCPCLOSE_FL_DEAD;
		if (!dead)
			tcpclose_nl_view(flow, &v);
		spin_unlock_bh(&flow->lock);
		if (dead || !tcpclose_nl_match(f, &v))
			continue;
		if (tcpclose_nl_dump_flow(skb, cb, &v)) {
			nlmsg_trim(skb, mark);
			return -EMSGSIZE;
		}
	}
	return 0;
}

int tcpclose_nl_flow_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct tcpclose_net *tn = tcpclose_pernet(sock_net(skb->sk));
	struct tcpclose_nl_filter f;
	struct bucket_table *tbl;
	unsigned int b;
	int ret;

	ret = tcpclose_nl_filter(tcpclose_dump_attrs(cb), &f, cb->extack);
	if (ret)
		return ret;
	rcu_read_lock();
	tbl = rht_dereference_rcu(tn->flows.tbl, &tn->flows);
	tcpclose_nl_dump_check(cb, tbl);
	for (b = cb->args[0]; b < tbl->size; b++) {
		ret = tcpclose_nl_dump_bucket(skb, cb, tbl, b, &f);
		if (ret)
			break;
	}
	rcu_read_unlock();
	cb->args[0] = b;
	/* A bucket too big for an empty message cannot be sent at all. */
	if (ret && !skb->len)
		return ret;
	/* Nothing left: NLMSG_DONE follows, flagged if the table changed. */
	if (!skb->len && cb->args[2])
		cb->seq = cb->prev_seq + 1;
	return skb->len;
}

void tcpclose_nl_net_init(struct tcpclose_net *tn)
{
	ratelimit_state_init(&tn->events_rs, HZ, TCPCLOSE_NL_EVENTS_BURST);
	/* Count what is suppressed (events_ratelimited), print nothing. */
	ratelimit_set_flags(&tn->events_rs, RATELIMIT_MSG_ON_RELEASE);
}

/* Send one event about @flow, locked by the caller, to group events. */
static void tcpclose_nl_event(struct net *net,
			      const struct tcpclose_flow *flow, u8 cmd,
			      unsigned int anomaly)
{
	struct tcpclose_flow_view v;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(TCPCLOSE_NL_FLOW_SIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tcpclose_genl_family, 0, cmd);
	if (!hdr)
		goto err;
	tcpclose_nl_view(flow, &v);
	if (tcpclose_nl_put_flow(skb, &v, anomaly))
		goto err;
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&tcpclose_genl_family, net, skb, 0,
				TCPCLOSE_NLGRP_EVENTS, GFP_ATOMIC);
	return;
err:
	nlmsg_free(skb);
}

void tcpclose_nl_flow_ended(struct net *net, const struct tcpclose_flow *flow)
{
	lockdep_assert_held(&flow->lock);
	if (tcpclose_nl_listening(net))
		tcpclose_nl_event(net, flow, TCPCLOSE_CMD_FLOW_END_NTF, 0);
}

void tcpclose_nl_anomaly(struct net *net, struct tcpclose_net *tn,
			 const struct tcpclose_flow *flow,
			 unsigned int anomaly)
{
	lockdep_assert_held(&flow->lock);
	if (!tcpclose_nl_listening(net))
		return;
	if (!__ratelimit(&tn->events_rs)) {
		tcpclose_count(tn->stats, TCPCLOSE_CNT_EVENTS_RATELIMITED);
		return;
	}
	tcpclose_nl_event(net, flow, TCPCLOSE_CMD_ANOMALY_NTF, anomaly);
}

static int tcpclose_nl_put_flood(struct sk_buff *skb,
				 const struct tcpclose_flood_event *ev)
{
	const struct tcpclose_listener *l = &ev->l;

	if (nla_put_u8(skb, TCPCLOSE_A_LISTENER_FAMILY, l->family) ||
	    tcpclose_nl_put_addr(skb, TCPCLOSE_A_LISTENER_ADDR, l->family,
				 &l->addr) ||
	    nla_put_be16(skb, TCPCLOSE_A_LISTENER_PORT, l->port) ||
	    nla_put_u8(skb, TCPCLOSE_A_LISTENER_VANTAGE, l->vantage) ||
	    nla_put_u8(skb, TCPCLOSE_A_LISTENER_FLOODING, l->flooding) ||
	    nla_put_u32(skb, TCPCLOSE_A_LISTENER_RATE, ev->rate) ||
	    nla_put_u32(skb, TCPCLOSE_A_LISTENER_THRESHOLD, ev->threshold) ||
	    nla_put_u64_64bit(skb, TCPCLOSE_A_LISTENER_SYNS, l->flood_syns,
			      TCPCLOSE_A_LISTENER_PAD))
		return -EMSGSIZE;
	if (l->flooding)
		return 0;
	return nla_put_u64_64bit(skb, TCPCLOSE_A_LISTENER_DURATION_MS,
				 ev->duration_ms, TCPCLOSE_A_LISTENER_PAD);
}

/* A SYN flood started or ended: to group events, not rate-limited. */
void tcpclose_nl_syn_flood(struct net *net,
			   const struct tcpclose_flood_event *ev)
{
	struct sk_buff *skb;
	void *hdr;

	if (!tcpclose_nl_listening(net))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &tcpclose_genl_family, 0,
			  TCPCLOSE_CMD_SYN_FLOOD_NTF);
	if (!hdr || tcpclose_nl_put_flood(skb, ev)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&tcpclose_genl_family, net, skb, 0,
				TCPCLOSE_NLGRP_EVENTS, GFP_ATOMIC);
}
