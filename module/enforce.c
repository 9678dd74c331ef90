// SPDX-License-Identifier: GPL-2.0
/*
 * fin_timeout_action=reset: abort a local socket whose FIN_WAIT_2 timed
 * out, as "ss -K" does: RST to the peer, ECONNABORTED to the application.
 * Only a full socket still in TCP_FIN_WAIT2 is touched: an orphan already
 * in the timewait mini-socket is left to the kernel's own tcp_fin_timeout,
 * and a socket in any other state is never aborted.
 */
#include <linux/errno.h>
#include <linux/ipv6.h>
#include <linux/socket.h>
#include <net/inet6_hashtables.h>
#include <net/inet_hashtables.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "counters.h"
#include "enforce.h"
#include "flows.h"
#include "netns.h"

void tcpclose_abort_prepare(struct tcpclose_abort *abort,
			    const struct tcpclose_flow *flow,
			    unsigned int side)
{
	abort->family = flow->family;
	abort->laddr = flow->addr[side];
	abort->raddr = flow->addr[!side];
	abort->lport = flow->port[side];
	abort->rport = flow->port[!side];
}

/* The established socket of @a, with a reference, or NULL. */
static struct sock *tcpclose_abort_lookup(struct net *net,
					  const struct tcpclose_abort *a)
{
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct sock *sk;

	rcu_read_lock();
	if (a->family == AF_INET)
		sk = __inet_lookup_established(net, h,
					       a->raddr.s6_addr32[3], a->rport,
					       a->laddr.s6_addr32[3],
					       ntohs(a->lport), 0, 0);
	else
		sk = __inet6_lookup_established(net, h, &a->raddr, a->rport,
						&a->laddr, ntohs(a->lport),
						0, 0);
	rcu_read_unlock();
	return sk;
}

/* Process context: tcp_abort() takes the socket lock. */
void tcpclose_abort_run(struct tcpclose_net *tn,
			const struct tcpclose_abort *abort)
{
	struct sock *sk = tcpclose_abort_lookup(tn->net, abort);

	might_sleep();
	if (!sk)
		return;
	if (sk_fullsock(sk) && READ_ONCE(sk->sk_state) == TCP_FIN_WAIT2 &&
	    !tcp_abort(sk, ECONNABORTED))
		tcpclose_count(tn->stats, TCPCLOSE_CNT_FIN_TIMEOUT_RESETS);
	sock_gen_put(sk);
}
