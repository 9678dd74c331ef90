/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Segment classification.
 *
 * Pure C: this header and segment.c include no kernel or libc header, so the
 * very same files are compiled into the module and into the host unit tests.
 */
#ifndef TCPCLOSE_SEGMENT_H
#define TCPCLOSE_SEGMENT_H

/* TCP flag bits, as found in byte 13 of the TCP header. */
enum {
	TCPCLOSE_TH_FIN = 0x01,
	TCPCLOSE_TH_SYN = 0x02,
	TCPCLOSE_TH_RST = 0x04,
	TCPCLOSE_TH_PSH = 0x08,
	TCPCLOSE_TH_ACK = 0x10,
	TCPCLOSE_TH_URG = 0x20,
	TCPCLOSE_TH_ECE = 0x40,
	TCPCLOSE_TH_CWR = 0x80,
};

#define TCPCLOSE_TCP_MIN_HDR	20u	/* data offset 5: no options */
#define TCPCLOSE_TCP_MIN_DOFF	5u

/*
 * The classes a segment is counted in, one bit each.  A segment may be in
 * several classes (a FIN with data is in FIN and DATA); PURE_ACK excludes all
 * others.  The bit order is the order of the seg_syn..seg_data counters.
 */
enum tcpclose_seg_class {
	TCPCLOSE_SEG_SYN	= 1u << 0,	/* SYN without ACK */
	TCPCLOSE_SEG_SYNACK	= 1u << 1,	/* SYN with ACK */
	TCPCLOSE_SEG_FIN	= 1u << 2,
	TCPCLOSE_SEG_RST	= 1u << 3,
	TCPCLOSE_SEG_PURE_ACK	= 1u << 4,	/* ACK only, no payload */
	TCPCLOSE_SEG_DATA	= 1u << 5,	/* payload length > 0 */
	TCPCLOSE_SEG_NCLASSES	= 6,
};

/*
 * Payload length of a TCP segment of @tcp_len bytes (header included) whose
 * data offset field is @doff (in 32-bit words), or -1 if the header is
 * malformed: truncated below 20 bytes, data offset below 5, or an offset
 * that points past the end of the segment.
 */
int tcpclose_seg_payload(unsigned int tcp_len, unsigned int doff);

/* Class bits (enum tcpclose_seg_class) of a well-formed segment. */
unsigned int tcpclose_seg_classify(unsigned int flags, unsigned int payload);

#define TCPCLOSE_TCP_MAX_OPTS	40u
#define TCPCLOSE_NO_WSCALE	0xffu

/*
 * The window scale option (kind 3) in the @len bytes of TCP options at
 * @opt, or TCPCLOSE_NO_WSCALE if there is none or the options are
 * malformed.
 */
unsigned int tcpclose_seg_wscale(const unsigned char *opt, unsigned int len);

#endif /* TCPCLOSE_SEGMENT_H */
