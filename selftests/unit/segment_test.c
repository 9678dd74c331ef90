// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of module/segment.c, the very file the module compiles.
 */
#include "kselftest_harness.h"
#include "segment.h"

#define FIN TCPCLOSE_TH_FIN
#define SYN TCPCLOSE_TH_SYN
#define RST TCPCLOSE_TH_RST
#define PSH TCPCLOSE_TH_PSH
#define ACK TCPCLOSE_TH_ACK

TEST(payload_of_well_formed_headers)
{
	EXPECT_EQ(0, tcpclose_seg_payload(20, 5));
	EXPECT_EQ(100, tcpclose_seg_payload(120, 5));
	EXPECT_EQ(0, tcpclose_seg_payload(32, 8));	/* timestamps */
	EXPECT_EQ(0, tcpclose_seg_payload(60, 15));	/* largest header */
	EXPECT_EQ(1448, tcpclose_seg_payload(1480, 8));
	EXPECT_EQ(65495, tcpclose_seg_payload(65515, 5));
}

TEST(truncated_header_is_malformed)
{
	EXPECT_EQ(-1, tcpclose_seg_payload(0, 5));
	EXPECT_EQ(-1, tcpclose_seg_payload(8, 5));
	EXPECT_EQ(-1, tcpclose_seg_payload(19, 5));
}

TEST(data_offset_below_five_is_malformed)
{
	unsigned int doff;

	for (doff = 0; doff < 5; doff++)
		EXPECT_EQ(-1, tcpclose_seg_payload(100, doff));
}

TEST(data_offset_past_end_is_malformed)
{
	EXPECT_EQ(-1, tcpclose_seg_payload(20, 6));
	EXPECT_EQ(-1, tcpclose_seg_payload(59, 15));
	EXPECT_EQ(0, tcpclose_seg_payload(24, 6));
}

TEST(handshake_classes)
{
	EXPECT_EQ(TCPCLOSE_SEG_SYN, tcpclose_seg_classify(SYN, 0));
	EXPECT_EQ(TCPCLOSE_SEG_SYNACK, tcpclose_seg_classify(SYN | ACK, 0));
	EXPECT_EQ(TCPCLOSE_SEG_PURE_ACK, tcpclose_seg_classify(ACK, 0));
	/* TFO: a SYN carrying data is both. */
	EXPECT_EQ(TCPCLOSE_SEG_SYN | TCPCLOSE_SEG_DATA,
		  tcpclose_seg_classify(SYN, 10));
}

TEST(teardown_classes)
{
	EXPECT_EQ(TCPCLOSE_SEG_FIN, tcpclose_seg_classify(FIN | ACK, 0));
	EXPECT_EQ(TCPCLOSE_SEG_FIN | TCPCLOSE_SEG_DATA,
		  tcpclose_seg_classify(FIN | PSH | ACK, 5));
	EXPECT_EQ(TCPCLOSE_SEG_RST, tcpclose_seg_classify(RST, 0));
	EXPECT_EQ(TCPCLOSE_SEG_RST, tcpclose_seg_classify(RST | ACK, 0));
}

TEST(data_is_never_pure_ack)
{
	EXPECT_EQ(TCPCLOSE_SEG_DATA, tcpclose_seg_classify(ACK, 1));
	EXPECT_EQ(TCPCLOSE_SEG_DATA, tcpclose_seg_classify(PSH | ACK, 100));
}

TEST(no_flags_no_payload_is_in_no_class)
{
	EXPECT_EQ(0, tcpclose_seg_classify(0, 0));
	EXPECT_EQ(0, tcpclose_seg_classify(PSH, 0));
}

TEST(christmas_tree_is_in_every_control_class)
{
	unsigned int all = TCPCLOSE_SEG_SYNACK | TCPCLOSE_SEG_FIN |
			   TCPCLOSE_SEG_RST;

	EXPECT_EQ(all, tcpclose_seg_classify(0xff, 0));
	EXPECT_EQ(TCPCLOSE_SEG_SYN | TCPCLOSE_SEG_FIN | TCPCLOSE_SEG_RST,
		  tcpclose_seg_classify(SYN | FIN | RST, 0));
}

/* Every one of the 256 flag bytes: pure ACK excludes every other class. */
TEST(pure_ack_is_exclusive)
{
	unsigned int flags, cls;

	for (flags = 0; flags < 256; flags++) {
		cls = tcpclose_seg_classify(flags, 0);
		if (cls & TCPCLOSE_SEG_PURE_ACK)
			EXPECT_EQ(TCPCLOSE_SEG_PURE_ACK, cls);
		EXPECT_EQ(0, cls & TCPCLOSE_SEG_DATA);
		EXPECT_EQ(0, cls >> TCPCLOSE_SEG_NCLASSES);
	}
}

TEST(wscale_found_among_linux_syn_options)
{
	/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7. */
	const unsigned char opt[] = { 2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1,
				      0, 0, 0, 0, 1, 3, 3, 7 };

	EXPECT_EQ(7, tcpclose_seg_wscale(opt, sizeof(opt)));
}

TEST(wscale_absent_or_malformed)
{
	const unsigned char mss_only[] = { 2, 4, 5, 180 };
	const unsigned char eol_first[] = { 0, 3, 3, 7 };
	const unsigned char zero_len[] = { 8, 0, 3, 3, 7 };
	const unsigned char overrun[] = { 2, 40, 3, 3, 7 };
	const unsigned char truncated[] = { 1, 1, 3 };
	const unsigned char bad_wscale_len[] = { 3, 4, 7, 0 };

	EXPECT_EQ(TCPCLOSE_NO_WSCALE, tcpclose_seg_wscale(mss_only, 4));
	EXPECT_EQ(TCPCLOSE_NO_WSCALE, tcpclose_seg_wscale(eol_first, 4));
	EXPECT_EQ(TCPCLOSE_NO_WSCALE, tcpclose_seg_wscale(zero_len, 5));
	EXPECT_EQ(TCPCLOSE_NO_WSCALE, tcpclose_seg_wscale(overrun, 5));
	EXPECT_EQ(TCPCLOSE_NO_WSCALE, tcpclose_seg_wscale(truncated, 3));
	EXPECT_EQ(TCPCLOSE_NO_WSCALE, tcpclose_seg_wscale(bad_wscale_len, 4));
	EXPECT_EQ(TCPCLOSE_NO_WSCALE, tcpclose_seg_wscale(mss_only, 0));
}

TEST_HARNESS_MAIN
