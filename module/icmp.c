// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP "packet too big" errors about tracked flows: ICMP destination
 * unreachable, fragmentation needed (type 3 code 4), and ICMPv6 packet too
 * big (type 2).  A forged one lowers a connection's path MTU, or makes the
 * endpoint resend; RFC 5927 lists the checks an endpoint should make, and
 * Linux makes them in tcp_v4_err() and tcp_v6_err().  tcpclose makes the
 * same ones against its mirror, from where it sits:
 *
 *   - the quoted segment must belong to a tracked flow;
 *   - its sequence number must lie in what the quoted sender has sent and
 *     not yet seen acknowledged (SND.UNA <= seq <= SND.NXT);
 *   - the MTU must not be below the protocol's floor: 1280 for IPv6 (RFC
 *     8200), 552 for IPv4 (Linux's net.ipv4.route.min_pmtu: a PTB below it
 *     can only shrink segments to uselessness; RFC 791's own floor is 68).
 *
 * Counters: icmp_ptb (passed every check), icmp_ptb_suspect (failed one),
 * icmp_ptb_untracked (quotes no tracked flow).  The packet is only read,
 * through skb_header_pointer, and always accepted.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "counters.h"
#include "flows.h"
#include "icmp.h"
#include "netns.h"

#define TCPCLOSE_PTB_MIN_MTU4	552u	/* net.ipv4.route.min_pmtu default */
#define TCPCLOSE_PTB_MIN_MTU6	1280u	/* IPV6_MIN_MTU, RFC 8200 */

/* What a PTB says: the quoted segment's tuple (as sent), seq, the MTU. */
struct tcpclose_ptb {
	struct tcpclose_key key;
	u32 seq;
	u32 mtu;
	u32 min_mtu;
};

/* The first 8 bytes of the quoted TCP header: ports and sequence number. */
static bool tcpclose_ptb_tcp(const struct sk_buff *skb, unsigned int off,
			     struct tcpclose_ptb *p)
{
	struct {
		__be16 source;
		__be16 dest;
		__be32 seq;
	} _th;
	const typeof(_th) *th;

	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	if (!th)
		return false;
	p->key.sport = th->source;
	p->key.dport = th->dest;
	p->seq = ntohl(th->seq);
	return true;
}

/* An ICMP fragmentation-needed error at @off quoting a TCP segment. */
static bool tcpclose_ptb4(const struct sk_buff *skb, unsigned int off,
			  struct tcpclose_ptb *p)
{
	struct {
		struct icmphdr icmp;
		struct iphdr ip;
	} _h;
	const typeof(_h) *h;

	h = skb_header_pointer(skb, off, sizeof(_h), &_h);
	if (!h || h->icmp.type != ICMP_DEST_UNREACH ||
	    h->icmp.code != ICMP_FRAG_NEEDED)
		return false;
	if (h->ip.version != 4 || h->ip.ihl < 5 ||
	    h->ip.protocol != IPPROTO_TCP || (h->ip.frag_off & htons(IP_OFFSET)))
		return false;
	p->key.family = AF_INET;
	ipv6_addr_set_v4mapped(h->ip.saddr, &p->key.src);
	ipv6_addr_set_v4mapped(h->ip.daddr, &p->key.dst);
	p->mtu = ntohs(h->icmp.un.frag.mtu);
	p->min_mtu = TCPCLOSE_PTB_MIN_MTU4;
	return tcpclose_ptb_tcp(skb, off + sizeof(h->icmp) + h->ip.ihl * 4, p);
}

/* An ICMPv6 packet-too-big error at @off quoting a TCP segment. */
static bool tcpclose_ptb6(const struct sk_buff *skb, unsigned int off,
			  struct tcpclose_ptb *p)
{
	struct {
		struct icmp6hdr icmp;
		struct ipv6hdr ip;
	} _h;
	const typeof(_h) *h;
	__be16 frag_off;
	u8 nexthdr;
	int tcpoff;

	h = skb_header_pointer(skb, off, sizeof(_h), &_h);
	if (!h || h->icmp.icmp6_type != ICMPV6_PKT_TOOBIG)
		return false;
	nexthdr = h->ip.nexthdr;
	tcpoff = ipv6_skip_exthdr(skb, off + sizeof(_h), &nexthdr, &frag_off);
	if (tcpoff < 0 || nexthdr != IPPROTO_TCP || (frag_off & htons(~0x7)))
		return false;
	p->key.family = AF_INET6;
	p->key.src = h->ip.saddr;
	p->key.dst = h->ip.daddr;
	p->mtu = ntohl(h->icmp.icmp6_mtu);
	p->min_mtu = TCPCLOSE_PTB_MIN_MTU6;
	return tcpclose_ptb_tcp(skb, tcpoff, p);
}

/* Under rcu_read_lock (the hooks).  Whether the PTB passes the checks. */
static bool tcpclose_ptb_valid(struct tcpclose_flow *flow,
			       const struct tcpclose_ptb *p)
{
	unsigned int side = tcpclose_flow_side(flow, &p->key);
	bool ok;

	if (p->mtu < p->min_mtu)
		return false;
	spin_lock_bh(&flow->lock);
	ok = !(flow->flags & TCPCLOSE_FL_DEAD) &&
	     tcpclose_fsm_seq_unacked(&flow->fsm, side, p->seq);
	spin_unlock_bh(&flow->lock);
	return ok;
}

static void tcpclose_ptb_count(struct net *net, const struct tcpclose_ptb *p)
{
	struct tcpclose_net *tn = tcpclose_pernet(net);
	struct tcpclose_flow *flow;

	flow = tcpclose_flow_lookup(tn, &p->key);
	if (!flow)
		tcpclose_count(tn->stats, TCPCLOSE_CNT_ICMP_PTB_UNTRACKED);
	else if (tcpclose_ptb_valid(flow, p))
		tcpclose_count(tn->stats, TCPCLOSE_CNT_ICMP_PTB);
	else
		tcpclose_count(tn->stats, TCPCLOSE_CNT_ICMP_PTB_SUSPECT);
}

void tcpclose_icmp4(struct net *net, const struct sk_buff *skb,
		    unsigned int off)
{
	struct tcpclose_ptb p = {};

	if (tcpclose_ptb4(skb, off, &p))
		tcpclose_ptb_count(net, &p);
}

void tcpclose_icmp6(struct net *net, const struct sk_buff *skb,
		    unsigned int off)
{
	struct tcpclose_ptb p = {};

	if (tcpclose_ptb6(skb, off, &p))
		tcpclose_ptb_count(net, &p);
}
