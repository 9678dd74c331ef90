/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpclose tracepoints: tcpclose:state_change, tcpclose:verdict and
 * tcpclose:anomaly.
 * The address fields follow sock:inet_sock_set_state, so that a tool can
 * match a mirrored endpoint with the kernel's own socket.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM tcpclose

#if !defined(TCPCLOSE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define TCPCLOSE_TRACE_H

#include <linux/in6.h>
#include <linux/ipv6.h>
#include <linux/socket.h>
#include <linux/tracepoint.h>

#include "flows.h"

#define tcpclose_tp_state(s)						\
	__print_symbolic(s, { 0, "UNKNOWN" }, { 1, "ESTABLISHED" },	\
			 { 2, "SYN_SENT" }, { 3, "SYN_RECV" },		\
			 { 4, "FIN_WAIT1" }, { 5, "FIN_WAIT2" },	\
			 { 6, "TIME_WAIT" }, { 7, "CLOSED" },		\
			 { 8, "CLOSE_WAIT" }, { 9, "LAST_ACK" },	\
			 { 10, "LISTEN" }, { 11, "CLOSING" })

#define tcpclose_tp_verdict(v)						\
	__print_symbolic(v, { 0, "none" }, { 1, "close_normal" },	\
			 { 2, "close_simultaneous" },			\
			 { 3, "reset_established" },			\
			 { 4, "reset_closing" }, { 5, "refused" },	\
			 { 6, "syn_timeout" }, { 7, "timeout_fin_wait1" }, \
			 { 8, "timeout_fin_wait2" },			\
			 { 9, "timeout_last_ack" }, { 10, "evicted" })

/*
 * Fill the tuple fields from side @me's point of view: s* is @me, d* its
 * peer.  IPv4 addresses also go to the v6 fields as v4-mapped.
 */
#define TCPCLOSE_TP_TUPLE_FIELDS					\
	__field(u32, netns)						\
	__field(u8, vantage)						\
	__field(u16, family)						\
	__field(u16, sport)						\
	__field(u16, dport)						\
	__array(u8, saddr, 4)						\
	__array(u8, daddr, 4)						\
	__array(u8, saddr_v6, 16)					\
	__array(u8, daddr_v6, 16)

#define TCPCLOSE_TP_TUPLE_ASSIGN(net, flow, me)				\
	do {								\
		const struct tcpclose_flow *__fl = (flow);		\
		unsigned int __me = (me);				\
		struct in6_addr *__s = (struct in6_addr *)__entry->saddr_v6; \
		struct in6_addr *__d = (struct in6_addr *)__entry->daddr_v6; \
									\
		__entry->netns = (net)->ns.inum;			\
		__entry->vantage = __fl->vantage;			\
		__entry->family = __fl->family;				\
		__entry->sport = ntohs(__fl->port[__me]);		\
		__entry->dport = ntohs(__fl->port[!__me]);		\
		*__s = __fl->addr[__me];				\
		*__d = __fl->addr[!__me];				\
		memcpy(__entry->saddr, &__s->s6_addr32[3], 4);		\
		memcpy(__entry->daddr, &__d->s6_addr32[3], 4);		\
	} while (0)

TRACE_EVENT(state_change,
	TP_PROTO(const struct net *net, const struct tcpclose_flow *flow,
		 unsigned int side, unsigned int oldstate,
		 unsigned int newstate),
	TP_ARGS(net, flow, side, oldstate, newstate),
	TP_STRUCT__entry(
		TCPCLOSE_TP_TUPLE_FIELDS
		__field(u8, local)
		__field(u8, side)
		__field(u8, oldstate)
		__field(u8, newstate)
	),
	TP_fast_assign(
		TCPCLOSE_TP_TUPLE_ASSIGN(net, flow, side);
		__entry->local = !!(flow->local & (1u << side));
		__entry->side = side;
		__entry->oldstate = oldstate;
		__entry->newstate = newstate;
	),
	TP_printk("netns=%u vantage=%s side=%c%s %pI6c:%u -> %pI6c:%u %s -> %s",
		  __entry->netns, __entry->vantage ? "forward" : "host",
		  'A' + __entry->side, __entry->local ? " local" : "",
		  __entry->saddr_v6, __entry->sport, __entry->daddr_v6,
		  __entry->dport, tcpclose_tp_state(__entry->oldstate),
		  tcpclose_tp_state(__entry->newstate))
);

TRACE_EVENT(verdict,
	TP_PROTO(const struct net *net, const struct tcpclose_flow *flow),
	TP_ARGS(net, flow),
	TP_STRUCT__entry(
		TCPCLOSE_TP_TUPLE_FIELDS
		__field(u8, verdict)
		__field(u8, stalled)
		__field(u8, initiator)
		__field(u8, active_closer)
		__field(u32, anomalies)
	),
	TP_fast_assign(
		TCPCLOSE_TP_TUPLE_ASSIGN(net, flow, TCPCLOSE_SIDE_A);
		__entry->verdict = flow->fsm.verdict;
		__entry->stalled = flow->fsm.stalled;
		__entry->initiator = flow->fsm.initiator;
		__entry->active_closer = flow->fsm.active_closer;
		__entry->anomalies = flow->fsm.anomalies;
	),
	TP_printk("netns=%u vantage=%s %pI6c:%u -> %pI6c:%u verdict=%s stalled=%u active_closer=%u anomalies=%#x",
		  __entry->netns, __entry->vantage ? "forward" : "host",
		  __entry->saddr_v6, __entry->sport, __entry->daddr_v6,
		  __entry->dport, tcpclose_tp_verdict(__entry->verdict),
		  __entry->stalled, __entry->active_closer,
		  __entry->anomalies)
);

#define tcpclose_tp_anomaly(a)						\
	__print_symbolic(a, { 1, "fin_retrans_active" },		\
			 { 2, "fin_retrans_passive" },			\
			 { 4, "fin_after_ack" }, { 8, "time_wait_reack" }, \
			 { 16, "syn_on_closing_tuple" },			\
			 { 32, "rst_exact" }, { 64, "rst_in_window" },	\
			 { 128, "rst_out_of_window" },			\
			 { 256, "data_after_fin" }, { 512, "half_open" }, \
			 { 1024, "old_dup_syn" },			\
			 { 2048, "rst_in_time_wait" },			\
			 { 4096, "data_out_of_window" },		\
			 { 8192, "ack_unsent" },			\
			 { 16384, "challenge_ack" },			\
			 { 32768, "rst_after_challenge" },		\
			 { 65536, "rst_forged_suspect" },		\
			 { 131072, "hijack_suspect" })

TRACE_EVENT(anomaly,
	TP_PROTO(const struct net *net, const struct tcpclose_flow *flow,
		 unsigned int anomaly),
	TP_ARGS(net, flow, anomaly),
	TP_STRUCT__entry(
		TCPCLOSE_TP_TUPLE_FIELDS
		__field(u32, anomaly)
		__field(u8, state_a)
		__field(u8, state_b)
	),
	TP_fast_assign(
		TCPCLOSE_TP_TUPLE_ASSIGN(net, flow, TCPCLOSE_SIDE_A);
		__entry->anomaly = anomaly;
		__entry->state_a = flow->fsm.state[TCPCLOSE_SIDE_A];
		__entry->state_b = flow->fsm.state[TCPCLOSE_SIDE_B];
	),
	TP_printk("netns=%u vantage=%s %pI6c:%u -> %pI6c:%u anomaly=%s states=%s/%s",
		  __entry->netns, __entry->vantage ? "forward" : "host",
		  __entry->saddr_v6, __entry->sport, __entry->daddr_v6,
		  __entry->dport, tcpclose_tp_anomaly(__entry->anomaly),
		  tcpclose_tp_state(__entry->state_a),
		  tcpclose_tp_state(__entry->state_b))
);

#endif /* TCPCLOSE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
