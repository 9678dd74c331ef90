// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/tcpclose.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "genl.h"

#include <uapi/linux/tcpclose.h>

/* Integer value ranges */
static const struct netlink_range_validation tcpclose_a_config_fin_timeout_range = {
	.min	= TCPCLOSE_TIMEOUT_MIN,
	.max	= TCPCLOSE_TIMEOUT_MAX,
};

static const struct netlink_range_validation tcpclose_a_config_time_wait_range = {
	.min	= TCPCLOSE_TIMEOUT_MIN,
	.max	= TCPCLOSE_TIMEOUT_MAX,
};

static const struct netlink_range_validation tcpclose_a_config_fin_wait1_timeout_range = {
	.min	= TCPCLOSE_TIMEOUT_MIN,
	.max	= TCPCLOSE_TIMEOUT_MAX,
};

static const struct netlink_range_validation tcpclose_a_config_last_ack_timeout_range = {
	.min	= TCPCLOSE_TIMEOUT_MIN,
	.max	= TCPCLOSE_TIMEOUT_MAX,
};

static const struct netlink_range_validation tcpclose_a_config_syn_timeout_range = {
	.min	= TCPCLOSE_TIMEOUT_MIN,
	.max	= TCPCLOSE_TIMEOUT_MAX,
};

static const struct netlink_range_validation tcpclose_a_config_close_wait_alarm_range = {
	.min	= TCPCLOSE_TIMEOUT_MIN,
	.max	= TCPCLOSE_TIMEOUT_MAX,
};

static const struct netlink_range_validation tcpclose_a_config_max_flows_range = {
	.min	= TCPCLOSE_MAX_FLOWS_MIN,
	.max	= TCPCLOSE_MAX_FLOWS_MAX,
};

static const struct netlink_range_validation tcpclose_a_config_syn_flood_threshold_range = {
	.min	= 1ULL,
	.max	= TCPCLOSE_SYN_FLOOD_THRESHOLD_MAX,
};

/* TCPCLOSE_CMD_STATS_GET - do */
static const struct nla_policy tcpclose_stats_get_nl_policy[TCPCLOSE_A_STATS_HOST + 1] = {
	[TCPCLOSE_A_STATS_HOST] = { .type = NLA_FLAG, },
};

/* TCPCLOSE_CMD_STATS_RESET - do */
static const struct nla_policy tcpclose_stats_reset_nl_policy[TCPCLOSE_A_STATS_HOST + 1] = {
	[TCPCLOSE_A_STATS_HOST] = { .type = NLA_FLAG, },
};

/* TCPCLOSE_CMD_FLOW_GET - dump */
static const struct nla_policy tcpclose_flow_get_nl_policy[TCPCLOSE_A_FLOW_FILTER_STUCK + 1] = {
	[TCPCLOSE_A_FLOW_FILTER_STATE] = NLA_POLICY_MAX(NLA_U8, 11),
	[TCPCLOSE_A_FLOW_FILTER_VERDICT] = NLA_POLICY_MAX(NLA_U8, 10),
	[TCPCLOSE_A_FLOW_FILTER_ADDR] = { .type = NLA_BINARY, },
	[TCPCLOSE_A_FLOW_FILTER_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[TCPCLOSE_A_FLOW_FILTER_PORT] = { .type = NLA_U16, },
	[TCPCLOSE_A_FLOW_FILTER_STUCK] = { .type = NLA_FLAG, },
};

/* TCPCLOSE_CMD_CONFIG_SET - do */
static const struct nla_policy tcpclose_config_set_nl_policy[TCPCLOSE_A_CONFIG_SYN_FLOOD_THRESHOLD + 1] = {
	[TCPCLOSE_A_CONFIG_FIN_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_fin_timeout_range),
	[TCPCLOSE_A_CONFIG_TIME_WAIT] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_time_wait_range),
	[TCPCLOSE_A_CONFIG_FIN_WAIT1_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_fin_wait1_timeout_range),
	[TCPCLOSE_A_CONFIG_LAST_ACK_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_last_ack_timeout_range),
	[TCPCLOSE_A_CONFIG_SYN_TIMEOUT] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_syn_timeout_range),
	[TCPCLOSE_A_CONFIG_CLOSE_WAIT_ALARM] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_close_wait_alarm_range),
	[TCPCLOSE_A_CONFIG_MAX_FLOWS] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_max_flows_range),
	[TCPCLOSE_A_CONFIG_FIN_TIMEOUT_ACTION] = NLA_POLICY_MAX(NLA_U32, 1),
	[TCPCLOSE_A_CONFIG_SYN_FLOOD_THRESHOLD] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcpclose_a_config_syn_flood_threshold_range),
};

/* Ops table for tcpclose */
const struct genl_split_ops tcpclose_nl_ops[5] = {
	{
		.cmd		= TCPCLOSE_CMD_STATS_GET,
		.doit		= tcpclose_nl_stats_get_doit,
		.policy		= tcpclose_stats_get_nl_policy,
		.maxattr	= TCPCLOSE_A_STATS_HOST,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TCPCLOSE_CMD_STATS_RESET,
		.doit		= tcpclose_nl_stats_reset_doit,
		.policy		= tcpclose_stats_reset_nl_policy,
		.maxattr	= TCPCLOSE_A_STATS_HOST,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TCPCLOSE_CMD_FLOW_GET,
		.dumpit		= tcpclose_nl_flow_get_dumpit,
		.policy		= tcpclose_flow_get_nl_policy,
		.maxattr	= TCPCLOSE_A_FLOW_FILTER_STUCK,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd	= TCPCLOSE_CMD_CONFIG_GET,
		.doit	= tcpclose_nl_config_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= TCPCLOSE_CMD_CONFIG_SET,
		.doit		= tcpclose_nl_config_set_doit,
		.policy		= tcpclose_config_set_nl_policy,
		.maxattr	= TCPCLOSE_A_CONFIG_SYN_FLOOD_THRESHOLD,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group tcpclose_nl_mcgrps[] = {
	[TCPCLOSE_NLGRP_EVENTS] = { "events", },
};
