/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_ENFORCE_H
#define TCPCLOSE_ENFORCE_H

#include <linux/in6.h>
#include <linux/types.h>

struct tcpclose_flow;
struct tcpclose_net;

/* A local socket to abort, by its tuple (copied: no flow reference). */
struct tcpclose_abort {
	struct in6_addr laddr, raddr;
	__be16 lport, rport;
	u8 family;		/* 0: nothing to do */
};

void tcpclose_abort_prepare(struct tcpclose_abort *abort,
			    const struct tcpclose_flow *flow,
			    unsigned int side);
void tcpclose_abort_run(struct tcpclose_net *tn,
			const struct tcpclose_abort *abort);

#endif /* TCPCLOSE_ENFORCE_H */
