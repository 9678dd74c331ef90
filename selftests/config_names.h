/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module parameter behind each attribute of the netlink config
 * (its name under /sys/module/tcpclose/parameters), for the selftest
 * programs nl_api.c and nl_fuzz.c.
 */
#ifndef TCPCLOSE_SELFTEST_CONFIG_NAMES_H
#define TCPCLOSE_SELFTEST_CONFIG_NAMES_H

#include <linux/tcpclose.h>

static const char *const tcpclose_config_names[TCPCLOSE_A_CONFIG_MAX + 1] = {
	[TCPCLOSE_A_CONFIG_FIN_TIMEOUT]		= "fin_timeout",
	[TCPCLOSE_A_CONFIG_TIME_WAIT]		= "time_wait",
	[TCPCLOSE_A_CONFIG_FIN_WAIT1_TIMEOUT]	= "fin_wait1_timeout",
	[TCPCLOSE_A_CONFIG_LAST_ACK_TIMEOUT]	= "last_ack_timeout",
	[TCPCLOSE_A_CONFIG_SYN_TIMEOUT]		= "syn_timeout",
	[TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM]	= "close_wait_alarm",
	[TCPCLOSE_A_CONFIG_MAX_FLOWS]		= "max_flows",
	[TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION]	= "fin_timeout_action",
	[TCPCLOSE_A_CONFIG_SYN_FLOOD_THRESHOLD]	= "syn_flood_threshold",
};

#endif
