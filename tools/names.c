// SPDX-License-Identifier: GPL-2.0
/*
 * Names of the family's counters and enum values.
 */
#include <ctype.h>
#include <stddef.h>

#include "names.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A counter, and a gauge, by the end of its attribute's name. */
#define C(attr, n, h) \
	[TCPCLOSE_A_COUNTERS_##attr] = { .name = n, .help = h, .gauge = false }
#define G(attr, n, h) \
	[TCPCLOSE_A_COUNTERS_##attr] = { .name = n, .help = h, .gauge = true }

/* Documentation/counters.rst describes each of them. */
static const struct counter_info counters[COUNTER_LAST + 1] = {
	C(SEG_TOTAL, "seg_total", "TCP segments seen at any hook."),
	C(SEG_IN, "seg_in", "TCP segments seen at LOCAL_IN."),
	C(SEG_OUT, "seg_out", "TCP segments seen at LOCAL_OUT."),
	C(SEG_FORWARD, "seg_forward", "TCP segments seen at FORWARD."),
	C(SEG_SYN, "seg_syn", "Segments with SYN and without ACK."),
	C(SEG_SYNACK, "seg_synack", "Segments with SYN and ACK."),
	C(SEG_FIN, "seg_fin", "Segments with FIN."),
	C(SEG_RST, "seg_rst", "Segments with RST."),
	C(SEG_PURE_ACK, "seg_pure_ack", "Segments with only ACK, no payload."),
	C(SEG_DATA, "seg_data", "Segments with payload."),
	C(BAD_HEADER, "bad_header", "Segments with a malformed TCP header."),
	C(FRAGMENT, "fragment", "IP fragments carrying TCP."),
	G(FLOWS_ACTIVE, "flows_active", "Tracked flows without a verdict yet."),
	G(STATE_SYN_SENT, "state_syn_sent", "Endpoints in SYN_SENT."),
	G(STATE_SYN_RECV, "state_syn_recv", "Endpoints in SYN_RECV."),
	G(STATE_ESTABLISHED, "state_established", "Endpoints in ESTABLISHED."),
	G(STATE_FIN_WAIT1, "state_fin_wait1", "Endpoints in FIN_WAIT_1."),
	G(STATE_FIN_WAIT2, "state_fin_wait2", "Endpoints in FIN_WAIT_2."),
	G(STATE_CLOSING, "state_closing", "Endpoints in CLOSING."),
	G(STATE_TIME_WAIT, "state_time_wait", "Endpoints in TIME_WAIT."),
	G(STATE_CLOSE_WAIT, "state_close_wait", "Endpoints in CLOSE_WAIT."),
	G(STATE_LAST_ACK, "state_last_ack", "Endpoints in LAST_ACK."),
	G(CLOSE_WAIT_STUCK, "close_wait_stuck",
	  "Endpoints in CLOSE_WAIT for longer than close_wait_alarm."),
	C(FLOWS_CREATED, "flows_created", "Flows that started being tracked."),
	C(FLOWS_ENDED, "flows_ended", "Flows that received their verdict."),
	C(FLOWS_PICKED_UP, "flows_picked_up",
	  "Flows first seen mid-stream, not from their SYN."),
	C(FLOWS_UNTRACKED, "flows_untracked",
	  "Segments that would have started a flow in a full table."),
	C(VERDICT_CLOSE_NORMAL, "verdict_close_normal",
	  "Flows closed by a FIN each way, one side first."),
	C(VERDICT_CLOSE_SIMULTANEOUS, "verdict_close_simultaneous",
	  "Flows closed by FINs that crossed."),
	C(VERDICT_RESET_ESTABLISHED, "verdict_reset_established",
	  "Flows ended by an RST before any FIN."),
	C(VERDICT_RESET_CLOSING, "verdict_reset_closing",
	  "Flows ended by an RST after a FIN."),
	C(VERDICT_REFUSED, "verdict_refused",
	  "Connection attempts answered or ended by an RST."),
	C(VERDICT_SYN_TIMEOUT, "verdict_syn_timeout",
	  "Handshakes that made no progress for syn_timeout."),
	C(VERDICT_TIMEOUT_FIN_WAIT1, "verdict_timeout_fin_wait1",
	  "Flows whose FIN was never acknowledged."),
	C(VERDICT_TIMEOUT_FIN_WAIT2, "verdict_timeout_fin_wait2",
	  "Flows that waited in FIN_WAIT_2 for fin_timeout."),
	C(VERDICT_TIMEOUT_LAST_ACK, "verdict_timeout_last_ack",
	  "Flows whose last FIN was never acknowledged."),
	C(VERDICT_EVICTED, "verdict_evicted",
	  "Flows that left the table before ending."),
	C(FIN_RETRANS_ACTIVE, "fin_retrans_active",
	  "Retransmitted FINs of the active closer."),
	C(FIN_RETRANS_PASSIVE, "fin_retrans_passive",
	  "Retransmitted FINs of the passive closer."),
	C(FIN_AFTER_ACK, "fin_after_ack",
	  "FINs seen again after their ACK had passed."),
	C(TIME_WAIT_REACK, "time_wait_reack",
	  "FINs acknowledged again from TIME_WAIT."),
	C(SYN_ON_CLOSING_TUPLE, "syn_on_closing_tuple",
	  "SYNs reusing the tuple of a closing flow."),
	C(RST_EXACT, "rst_exact", "RSTs at exactly the expected sequence."),
	C(RST_IN_WINDOW, "rst_in_window", "RSTs in the window, not exact."),
	C(RST_OUT_OF_WINDOW, "rst_out_of_window",
	  "RSTs outside the receive window."),
	C(DATA_AFTER_FIN, "data_after_fin", "Payload beyond the sender's FIN."),
	C(HALF_OPEN, "half_open", "RSTs from a side that forgot the flow."),
	C(FIN_TIMEOUT_RESETS, "fin_timeout_resets",
	  "Local FIN_WAIT_2 sockets aborted by fin_timeout_action=reset."),
	C(EVENTS_RATELIMITED, "events_ratelimited",
	  "Anomaly events not sent because of the rate limit."),
	C(OLD_DUP_SYN, "old_dup_syn",
	  "Handshakes whose SYN-ACK was rejected by an RST."),
	C(RST_IN_TIME_WAIT, "rst_in_time_wait",
	  "RSTs for an endpoint in TIME_WAIT."),
	C(ICMP_PTB, "icmp_ptb",
	  "ICMP packet-too-big errors that passed every check."),
	C(ICMP_PTB_SUSPECT, "icmp_ptb_suspect",
	  "ICMP packet-too-big errors failing a check: sequence or MTU."),
	C(ICMP_PTB_UNTRACKED, "icmp_ptb_untracked",
	  "ICMP packet-too-big errors quoting a segment of no tracked flow."),
	C(DATA_OUT_OF_WINDOW, "data_out_of_window",
	  "Data segments outside the receiver's window, ignored."),
	C(ACK_UNSENT, "ack_unsent",
	  "Segments acknowledging data never sent, ignored."),
	C(CHALLENGE_ACK, "challenge_ack",
	  "RFC 5961 challenge ACKs answering an in-window RST."),
	C(RST_AFTER_CHALLENGE, "rst_after_challenge",
	  "Exact RSTs answering a challenge ACK: resets that took effect."),
	C(RST_FORGED_SUSPECT, "rst_forged_suspect",
	  "RSTs that took no effect, from a side that went on sending."),
	C(HIJACK_SUSPECT, "hijack_suspect",
	  "Flows with a burst of out-of-window data or ACKs of unsent data."),
	C(SYNACK_RETRANS, "synack_retrans", "Retransmitted SYN-ACKs."),
	G(FLOWS_HALF_OPEN, "flows_half_open",
	  "Tracked flows still in their handshake (embryonic)."),
	C(SYN_FLOOD_DETECTED, "syn_flood_detected",
	  "SYN floods started at a listener."),
	C(EVICTED_ENDED, "evicted_ended",
	  "Flows evicted from a full table after their verdict or in TIME_WAIT."),
	C(EVICTED_EMBRYONIC, "evicted_embryonic",
	  "Flows evicted from a full table during their handshake."),
	C(EVICTED_ESTABLISHED, "evicted_established",
	  "Established or closing flows evicted from a full table."),
};

const struct counter_info *counter_info(unsigned int type)
{
	if (type < COUNTER_FIRST || type > COUNTER_LAST ||
	    !counters[type].name)
		return NULL;
	return &counters[type];
}

struct enum_name {
	const char *name;	/* snake_case */
	const char *label;	/* text output */
};

static const struct enum_name states[] = {
	[TCPCLOSE_STATE_UNKNOWN]	= { "unknown", "UNKNOWN" },
	[TCPCLOSE_STATE_ESTABLISHED]	= { "established", "ESTAB" },
	[TCPCLOSE_STATE_SYN_SENT]	= { "syn_sent", "SYN-SENT" },
	[TCPCLOSE_STATE_SYN_RECV]	= { "syn_recv", "SYN-RECV" },
	[TCPCLOSE_STATE_FIN_WAIT1]	= { "fin_wait1", "FIN-WAIT-1" },
	[TCPCLOSE_STATE_FIN_WAIT2]	= { "fin_wait2", "FIN-WAIT-2" },
	[TCPCLOSE_STATE_TIME_WAIT]	= { "time_wait", "TIME-WAIT" },
	[TCPCLOSE_STATE_CLOSED]		= { "closed", "CLOSED" },
	[TCPCLOSE_STATE_CLOSE_WAIT]	= { "close_wait", "CLOSE-WAIT" },
	[TCPCLOSE_STATE_LAST_ACK]	= { "last_ack", "LAST-ACK" },
	[TCPCLOSE_STATE_LISTEN]		= { "listen", "LISTEN" },
	[TCPCLOSE_STATE_CLOSING]	= { "closing", "CLOSING" },
};

static const struct enum_name verdicts[] = {
	[TCPCLOSE_VERDICT_NONE]		= { "none", "open" },
	[TCPCLOSE_VERDICT_CLOSE_NORMAL] = { "close_normal", "close-normal" },
	[TCPCLOSE_VERDICT_CLOSE_SIMULTANEOUS] = { "close_simultaneous",
						  "close-simultaneous" },
	[TCPCLOSE_VERDICT_RESET_ESTABLISHED] = { "reset_established",
						 "reset-established" },
	[TCPCLOSE_VERDICT_RESET_CLOSING] = { "reset_closing", "reset-closing" },
	[TCPCLOSE_VERDICT_REFUSED]	= { "refused", "refused" },
	[TCPCLOSE_VERDICT_SYN_TIMEOUT] = { "syn_timeout", "syn-timeout" },
	[TCPCLOSE_VERDICT_TIMEOUT_FIN_WAIT1] = { "timeout_fin_wait1",
						 "timeout-fin-wait1" },
	[TCPCLOSE_VERDICT_TIMEOUT_FIN_WAIT2] = { "timeout_fin_wait2",
						 "timeout-fin-wait2" },
	[TCPCLOSE_VERDICT_TIMEOUT_LAST_ACK] = { "timeout_last_ack",
						"timeout-last-ack" },
	[TCPCLOSE_VERDICT_EVICTED]	= { "evicted", "evicted" },
};

static const struct enum_name endpoints[] = {
	[TCPCLOSE_ENDPOINT_A]		= { "a", "A" },
	[TCPCLOSE_ENDPOINT_B]		= { "b", "B" },
	[TCPCLOSE_ENDPOINT_NONE]	= { "none", "-" },
	[TCPCLOSE_ENDPOINT_BOTH]	= { "both", "both" },
};

static const struct enum_name vantages[] = {
	[TCPCLOSE_VANTAGE_HOST]		= { "host", "host" },
	[TCPCLOSE_VANTAGE_FORWARD]	= { "forward", "forward" },
};

static const struct enum_name actions[] = {
	[TCPCLOSE_ACTION_OBSERVE]	= { "observe", "observe" },
	[TCPCLOSE_ACTION_RESET]		= { "reset", "reset" },
};

/* Bit i of enum tcpclose_anomaly. */
static const char *const anomalies[] = {
	"fin_retrans_active", "fin_retrans_passive", "fin_after_ack",
	"time_wait_reack", "syn_on_closing_tuple", "rst_exact",
	"rst_in_window", "rst_out_of_window", "data_after_fin", "half_open",
	"old_dup_syn", "rst_in_time_wait", "data_out_of_window", "ack_unsent",
	"challenge_ack", "rst_after_challenge", "rst_forged_suspect",
	"hijack_suspect",
};

static const struct enum_name *lookup(const struct enum_name *tbl,
				      unsigned int n, unsigned int v)
{
	static const struct enum_name unknown = { "unknown", "?" };

	return v < n && tbl[v].name ? &tbl[v] : &unknown;
}

#define LOOKUP(tbl, v)	lookup(tbl, ARRAY_SIZE(tbl), v)

const char *state_name(unsigned int v)
{
	return LOOKUP(states, v)->name;
}

const char *verdict_name(unsigned int v)
{
	return LOOKUP(verdicts, v)->name;
}

const char *endpoint_name(unsigned int v)
{
	return LOOKUP(endpoints, v)->name;
}

const char *vantage_name(unsigned int v)
{
	return LOOKUP(vantages, v)->name;
}

const char *action_name(unsigned int v)
{
	return LOOKUP(actions, v)->name;
}

const char *state_label(unsigned int v)
{
	return LOOKUP(states, v)->label;
}

const char *verdict_label(unsigned int v)
{
	return LOOKUP(verdicts, v)->label;
}

const char *endpoint_label(unsigned int v)
{
	return LOOKUP(endpoints, v)->label;
}

const char *anomaly_name(uint32_t bit)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(anomalies); i++)
		if (bit == 1U << i)
			return anomalies[i];
	return NULL;
}

/* Equal, ignoring case, dashes and underscores. */
static bool loose_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-' || *a == '_')
			a++;
		while (*b == '-' || *b == '_')
			b++;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		if (!*a)
			return true;
		a++;
		b++;
	}
}

static bool parse(const struct enum_name *tbl, unsigned int n, const char *s,
		  unsigned int *v)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (tbl[i].name && (loose_equal(s, tbl[i].name) ||
				    loose_equal(s, tbl[i].label))) {
			*v = i;
			return true;
		}
	}
	return false;
}

bool state_parse(const char *s, unsigned int *v)
{
	return parse(states, ARRAY_SIZE(states), s, v);
}

bool verdict_parse(const char *s, unsigned int *v)
{
	return parse(verdicts, ARRAY_SIZE(verdicts), s, v);
}

bool action_parse(const char *s, unsigned int *v)
{
	return parse(actions, ARRAY_SIZE(actions), s, v);
}

const char *dashed(const char *s, char *buf, unsigned int size)
{
	unsigned int i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = s[i] == '_' ? '-' : s[i];
	buf[i] = '\0';
	return buf;
}
