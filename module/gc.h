/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_GC_H
#define TCPCLOSE_GC_H

struct tcpclose_net;

void tcpclose_gc_start(struct tcpclose_net *tn);
void tcpclose_gc_stop(struct tcpclose_net *tn);

#endif /* TCPCLOSE_GC_H */
