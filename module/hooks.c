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

#include "hooks.h"
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

/* Classify the TCP header at @thoff and count each class it is in. */
static void tcpclose_seg_count(struct tcpclose_stats __percpu *stats,
			       const struct sk_buff *skb, unsigned int thoff)
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
		tcpclose_count(stats, TCPCLOSE_CNT_BAD_HEADER);
		return;
	}
	cls = tcpclose_seg_classify(tcpclose_th_flags(th), payload);
	while (cls) {
		tcpclose_count(stats, TCPCLOSE_CNT_SEG_SYN + __ffs(cls));
		cls &= cls - 1;
	}
}

static void tcpclose_account(const struct nf_hook_state *state,
			     const struct sk_buff *skb, unsigned int thoff,
			     bool fragment)
{
	struct tcpclose_stats __percpu *stats;

	stats = tcpclose_pernet(state->net)->stats;
	tcpclose_count(stats, TCPCLOSE_CNT_SEG_TOTAL);
	tcpclose_count(stats, tcpclose_vantage(state->hook));
	if (fragment)
		tcpclose_count(stats, TCPCLOSE_CNT_FRAGMENT);
	else
		tcpclose_seg_count(stats, skb, thoff);
}

static unsigned int tcpclose_hook_ipv4(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (iph->protocol == IPPROTO_TCP && !tcpclose_looped_back(state))
		tcpclose_account(state, skb,
				 skb_network_offset(skb) + ip_hdrlen(skb),
				 ip_is_fragment(iph));
	return NF_ACCEPT;
}

static unsigned int tcpclose_hook_ipv6(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	unsigned int thoff = 0;
	int fh_flags = 0;

	if (tcpclose_looped_back(state))
		return NF_ACCEPT;
	if (ipv6_find_hdr(skb, &thoff, -1, NULL, &fh_flags) == IPPROTO_TCP)
		tcpclose_account(state, skb, thoff,
				 fh_flags & IP6_FH_F_FRAG);
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
