/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_ICMP_H
#define TCPCLOSE_ICMP_H

struct net;
struct sk_buff;

/* An ICMP (ICMPv6) message whose header is at @off: count it if a PTB. */
void tcpclose_icmp4(struct net *net, const struct sk_buff *skb,
		    unsigned int off);
void tcpclose_icmp6(struct net *net, const struct sk_buff *skb,
		    unsigned int off);

#endif /* TCPCLOSE_ICMP_H */
