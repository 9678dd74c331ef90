// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet instruction count of the pure packet path (segment.c's
 * classification, fsm.c's state machine), built on the host from the
 * module's own files and run under callgrind:
 *
 *   valgrind --tool=callgrind --toggle-collect=feed_one ./insns [FLOWS]
 *
 * which "make insns" does (selftests/bench/Makefile), printing the count
 * per packet; "make insns-check", in "make check", fails above its limit.
 *
 * One flow's recorded stream: the handshake, 200 data segments each way
 * with their ACKs, a FIN each way and the last ACK.  feed_one() is one
 * packet: callgrind's count inside it, over the packets fed, is the cost
 * per packet.  The stream is replayed FLOWS times (default 100).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsm.h"
#include "segment.h"

#define DATA_SEGS	200
#define MSS		1448

struct rec {
	struct tcpclose_seg seg;
	unsigned int payload;
};

static struct rec stream[8 + 4 * DATA_SEGS];
static unsigned int nstream;

static void add(unsigned int dir, unsigned int flags, unsigned int seq,
		unsigned int ack, unsigned int len)
{
	struct rec *r = &stream[nstream++];

	r->seg = (struct tcpclose_seg){
		.seq = seq, .ack = ack, .win = 502, .flags = flags,
		.dir = dir, .wscale = (flags & TCPCLOSE_TH_SYN) ? 7 : 0xff,
	};
	r->payload = len;
}

static void record(void)
{
	unsigned int a = 1000, b = 900000, i;
	const unsigned int ACK = TCPCLOSE_TH_ACK, PSH = TCPCLOSE_TH_PSH;

	add(0, TCPCLOSE_TH_SYN, a++, 0, 0);
	add(1, TCPCLOSE_TH_SYN | ACK, b++, a, 0);
	add(0, ACK, a, b, 0);
	for (i = 0; i < DATA_SEGS; i++) {
		add(0, PSH | ACK, a, b, MSS);
		a += MSS;
		add(1, ACK, b, a, 0);
		add(1, PSH | ACK, b, a, MSS);
		b += MSS;
		add(0, ACK, a, b, 0);
	}
	add(0, TCPCLOSE_TH_FIN | ACK, a++, b, 0);
	add(1, ACK, b, a, 0);
	add(1, TCPCLOSE_TH_FIN | ACK, b++, a, 0);
	add(0, ACK, a, b, 0);
}

/* One packet, as the hook handles it once the flow is found. */
__attribute__((noinline))
static unsigned int feed_one(struct tcpclose_fsm *f, const struct rec *r,
			     int first)
{
	struct tcpclose_fsm_out out;
	struct tcpclose_seg s = r->seg;

	s.len = r->payload;
	if (first)
		tcpclose_fsm_init(f, &s, &out);
	else
		tcpclose_fsm_segment(f, &s, &out);
	return tcpclose_seg_classify(s.flags, s.len) ^ out.events;
}

int main(int argc, char **argv)
{
	unsigned int flows = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
	unsigned long packets = 0, sink = 0;
	struct tcpclose_fsm f;
	unsigned int n, i;

	record();
	for (n = 0; n < flows; n++) {
		memset(&f, 0, sizeof(f));
		for (i = 0; i < nstream; i++, packets++)
			sink += feed_one(&f, &stream[i], i == 0);
		if (f.verdict != TCPCLOSE_V_CLOSE_NORMAL) {
			fprintf(stderr, "insns: flow %u ended %s\n", n,
				tcpclose_verdict_name(f.verdict));
			return 1;
		}
	}
	printf("packets %lu sink %lu\n", packets, sink);
	return 0;
}
