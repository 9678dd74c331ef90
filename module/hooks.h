/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_HOOKS_H
#define TCPCLOSE_HOOKS_H

struct net;

int tcpclose_hooks_register(struct net *net);
void tcpclose_hooks_unregister(struct net *net);

#endif /* TCPCLOSE_HOOKS_H */
