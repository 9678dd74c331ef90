// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks: where tcpclose watches, and the parsing of what it sees.
 *
 * Vantages and priorities (Documentation/design.rst explains the choice):
 *   host    LOCAL_IN  and LOCAL_OUT, priority NF_IP_PRI_LAST
 *   forward FORWARD,                 priority NF_IP_PRI_LAST
 * The last priority runs after every filter table and ordinary nft chain, so
 * a segment is counted only if the filters let it through.  Each segment is
 * seen once per netns: loopback traffic is counted at LOCAL_OUT and skipped
 * when it comes back in at LOCAL_IN.
 *
 * The hooks never sleep, never drop and never change a packet: every path
 * returns NF_ACCEPT and the skb is only read, through skb_header_pointer.
 * Well-formed segments are then fed to the mirror (mirror.c); ICMP "packet
 * too big" errors go to icmp.c.
 */
#include <linux/bitops.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "flows.h"
#include "hooks.h"
#include "icmp.h"
#include "mirror.h"
#include "netns.h"
#include "segment.h"

/* Counter of the vantage a hook belongs to. */
static enum tcpclose_counter tcpclose_vantage(unsigned int hooknum)
{
	switch (hooknum) {
	case NF_INET_LOCAL_IN:
		return TCPCLOSE_CNT_SEG_IN;
	case NF_INET_LOCAL_OUT:
		return TCPCLOSE_CNT_SEG_OUT;
	default:
		return TCPCLOSE_CNT_SEG_FORWARD;
	}
}

/* Loopback input was already counted when it left through LOCAL_OUT. */
static bool tcpclose_looped_back(const struct nf_hook_state *state)
{
	return state->hook == NF_INET_LOCAL_IN && state->in &&
	       (state->in->flags & IFF_LOOPBACK);
}

/* The flag byte of a TCP header: CWR ECE URG ACK PSH RST SYN FIN. */
static unsigned int tcpclose_th_flags(const struct tcphdr *th)
{
	return ((const u8 *)th)[13];
}

/* Which ends of the segment are local sockets, from where it was seen. */
static unsigned int tcpclose_local(const struct nf_hook_state *state)
{
	switch (state->hook) {
	case NF_INET_LOCAL_OUT:
		if (state->out && (state->out->flags & IFF_LOOPBACK))
			return TCPCLOSE_LOCAL_SENDER | TCPCLOSE_LOCAL_RECEIVER;
		return TCPCLOSE_LOCAL_SENDER;
	case NF_INET_LOCAL_IN:
		return TCPCLOSE_LOCAL_RECEIVER;
	default:
		return 0;
	}
}

/* The window scale a SYN offers, from its options. */
static unsigned int tcpclose_syn_wscale(const struct sk_buff *skb,
					unsigned int thoff,
					const struct tcphdr *th)
{
	unsigned int len = th->doff * 4 - TCPCLOSE_TCP_MIN_HDR;
	u8 buf[TCPCLOSE_TCP_MAX_OPTS];
	const u8 *opt;

	if (!th->syn || !len)
		return TCPCLOSE_NO_WSCALE;
	opt = skb_header_pointer(skb, thoff + TCPCLOSE_TCP_MIN_HDR, len, buf);
	return opt ? tcpclose_seg_wscale(opt, len) : TCPCLOSE_NO_WSCALE;
}

/* Feed a well-formed segment to the mirror. */
static void tcpclose_track(const struct nf_hook_state *state,
			   struct tcpclose_net *tn, const struct sk_buff *skb,
			   unsigned int thoff, const struct tcphdr *th,
			   unsigned int payload, struct tcpclose_key *key)
{
	struct tcpclose_seg seg = {
		.seq = ntohl(th->seq),
		.ack = ntohl(th->ack_seq),
		.len = payload,
		.win = ntohs(th->window),
		.flags = tcpclose_th_flags(th),
		.wscale = tcpclose_syn_wscale(skb, thoff, th),
	};

	key->sport = th->source;
	key->dport = th->dest;
	tcpclose_mirror_input(state->net, tn, key, &seg,
			      state->hook == NF_INET_FORWARD ?
			      TCPCLOSE_VANTAGE_FORWARD : TCPCLOSE_VANTAGE_HOST,
			      tcpclose_local(state));
}

/* Classify the TCP header at @thoff, count its classes, mirror it. */
static void tcpclose_seg_count(const struct nf_hook_state *state,
			       struct tcpclose_net *tn,
			       const struct sk_buff *skb, unsigned int thoff,
			       struct tcpclose_key *key)
{
	const struct tcphdr *th;
	struct tcphdr buf;
	unsigned int cls;
	int payload = -1;

	BUILD_BUG_ON(TCPCLOSE_CNT_SEG_SYN + TCPCLOSE_SEG_NCLASSES - 1 !=
		     TCPCLOSE_CNT_SEG_DATA);

	th = skb_header_pointer(skb, thoff, sizeof(buf), &buf);
	if (th)
		payload = tcpclose_seg_payload(skb->len - thoff, th->doff);
	if (payload < 0) {
		tcpclose_count(tn->stats, TCPCLOSE_CNT_BAD_HEADER);
		return;
	}
	cls = tcpclose_seg_classify(tcpclose_th_flags(th), payload);
	while (cls) {
		tcpclose_count(tn->stats, TCPCLOSE_CNT_SEG_SYN + __ffs(cls));
		cls &= cls - 1;
	}
	tcpclose_track(state, tn, skb, thoff, th, payload, key);
}

static void tcpclose_account(const struct nf_hook_state *state,
			     const struct sk_buff *skb, unsigned int thoff,
			     bool fragment, struct tcpclose_key *key)
{
	struct tcpclose_net *tn = tcpclose_pernet(state->net);

	tcpclose_count(tn->stats, TCPCLOSE_CNT_SEG_TOTAL);
	tcpclose_count(tn->stats, tcpclose_vantage(state->hook));
	if (fragment)
		tcpclose_count(tn->stats, TCPCLOSE_CNT_FRAGMENT);
	else
		tcpclose_seg_count(state, tn, skb, thoff, key);
}

static unsigned int tcpclose_hook_ipv4(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct tcpclose_key key = { .family = AF_INET };

	if (tcpclose_looped_back(state))
		return NF_ACCEPT;
	if (iph->protocol == IPPROTO_ICMP && !ip_is_fragment(iph)) {
		tcpclose_icmp4(state->net, skb,
			       skb_network_offset(skb) + ip_hdrlen(skb));
		return NF_ACCEPT;
	}
	if (iph->protocol != IPPROTO_TCP)
		return NF_ACCEPT;
	ipv6_addr_set_v4mapped(iph->saddr, &key.src);
	ipv6_addr_set_v4mapped(iph->daddr, &key.dst);
	tcpclose_account(state, skb, skb_network_offset(skb) + ip_hdrlen(skb),
			 ip_is_fragment(iph), &key);
	return NF_ACCEPT;
}

static unsigned int tcpclose_hook_ipv6(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct tcpclose_key key = { .family = AF_INET6 };
	unsigned int thoff = 0;
	int fh_flags = 0;

	if (tcpclose_looped_back(state))
		return NF_ACCEPT;
	switch (ipv6_find_hdr(skb, &thoff, -1, NULL, &fh_flags)) {
	case IPPROTO_TCP:
		break;
	case IPPROTO_ICMPV6:
		if (!(fh_flags & IP6_FH_F_FRAG))
			tcpclose_icmp6(state->net, skb, thoff);
		return NF_ACCEPT;
	default:
		return NF_ACCEPT;
	}
	key.src = ipv6_hdr(skb)->saddr;
	key.dst = ipv6_hdr(skb)->daddr;
	tcpclose_account(state, skb, thoff, fh_flags & IP6_FH_F_FRAG, &key);
	return NF_ACCEPT;
}

#define TCPCLOSE_HOOK(fn, family, num, prio) {			\
	.hook = fn, .pf = family, .hooknum = num, .priority = prio }

static const struct nf_hook_ops tcpclose_nf_ops[] = {
	TCPCLOSE_HOOK(tcpclose_hook_ipv4, NFPROTO_IPV4, NF_INET_LOCAL_IN,
		      NF_IP_PRI_LAST),
	TCPCLOSE_HOOK(tcpclose_hook_ipv4, NFPROTO_IPV4, NF_INET_LOCAL_OUT,
		      NF_IP_PRI_LAST),
	TCPCLOSE_HOOK(tcpclose_hook_ipv4, NFPROTO_IPV4, NF_INET_FORWARD,
		      NF_IP_PRI_LAST),
	TCPCLOSE_HOOK(tcpclose_hook_ipv6, NFPROTO_IPV6, NF_INET_LOCAL_IN,
		      NF_IP6_PRI_LAST),
	TCPCLOSE_HOOK(tcpclose_hook_ipv6, NFPROTO_IPV6, NF_INET_LOCAL_OUT,
		      NF_IP6_PRI_LAST),
	TCPCLOSE_HOOK(tcpclose_hook_ipv6, NFPROTO_IPV6, NF_INET_FORWARD,
		      NF_IP6_PRI_LAST),
};

int tcpclose_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, tcpclose_nf_ops,
				     ARRAY_SIZE(tcpclose_nf_ops));
}

void tcpclose_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, tcpclose_nf_ops,
				ARRAY_SIZE(tcpclose_nf_ops));
}
