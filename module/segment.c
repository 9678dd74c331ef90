// SPDX-License-Identifier: GPL-2.0
/*
 * Segment classification: pure, no kernel headers (see segment.h).
 */
#include "segment.h"

int tcpclose_seg_payload(unsigned int tcp_len, unsigned int doff)
{
	unsigned int hdr = doff * 4;

	if (tcp_len < TCPCLOSE_TCP_MIN_HDR || doff < TCPCLOSE_TCP_MIN_DOFF)
		return -1;
	if (hdr > tcp_len)
		return -1;
	return (int)(tcp_len - hdr);
}

static unsigned int tcpclose_seg_control(unsigned int flags)
{
	unsigned int cls = 0;

	if (flags & TCPCLOSE_TH_SYN)
		cls |= (flags & TCPCLOSE_TH_ACK) ? TCPCLOSE_SEG_SYNACK :
						   TCPCLOSE_SEG_SYN;
	if (flags & TCPCLOSE_TH_FIN)
		cls |= TCPCLOSE_SEG_FIN;
	if (flags & TCPCLOSE_TH_RST)
		cls |= TCPCLOSE_SEG_RST;
	return cls;
}

/* Per segment: most have none of SYN, FIN, RST, so one test skips all. */
unsigned int tcpclose_seg_classify(unsigned int flags, unsigned int payload)
{
	unsigned int cls = 0;

	if (flags & (TCPCLOSE_TH_SYN | TCPCLOSE_TH_FIN | TCPCLOSE_TH_RST))
		cls = tcpclose_seg_control(flags);
	if (payload)
		return cls | TCPCLOSE_SEG_DATA;
	if (!cls && (flags & TCPCLOSE_TH_ACK))
		cls = TCPCLOSE_SEG_PURE_ACK;
	return cls;
}

unsigned int tcpclose_seg_wscale(const unsigned char *opt, unsigned int len)
{
	unsigned int i = 0, olen;

	while (i < len) {
		if (opt[i] == 0)		/* end of options */
			break;
		if (opt[i] == 1) {		/* no-op */
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			break;
		if (opt[i] == 3 && olen == 3)
			return opt[i + 2];
		i += olen;
	}
	return TCPCLOSE_NO_WSCALE;
}
