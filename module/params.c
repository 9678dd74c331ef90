// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, under /sys/module/tcpclose/parameters/.
 *
 * Each one is a struct tcpclose_param with its bounds.  A write that does not
 * parse as a decimal integer, or falls outside the bounds, fails with EINVAL
 * and keeps the old value.  Values are single words, written with WRITE_ONCE
 * and read with READ_ONCE, so no lock is needed.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "params.h"
#include "uapi/linux/tcpclose.h"

#define TCPCLOSE_TIMEOUT(def)						\
	{ .val = (def), .min = TCPCLOSE_TIMEOUT_MIN, .max = TCPCLOSE_TIMEOUT_MAX }

struct tcpclose_param tcpclose_fin_timeout = {
	.val = TCPCLOSE_FIN_TIMEOUT_DEFAULT,
	.min = TCPCLOSE_TIMEOUT_MIN,
	.max = TCPCLOSE_TIMEOUT_MAX,
};

struct tcpclose_param tcpclose_time_wait =
	TCPCLOSE_TIMEOUT(TCPCLOSE_TIME_WAIT_DEFAULT);
struct tcpclose_param tcpclose_fin_wait1_timeout =
	TCPCLOSE_TIMEOUT(TCPCLOSE_FIN_WAIT1_TIMEOUT_DEFAULT);
struct tcpclose_param tcpclose_last_ack_timeout =
	TCPCLOSE_TIMEOUT(TCPCLOSE_LAST_ACK_TIMEOUT_DEFAULT);
struct tcpclose_param tcpclose_syn_timeout =
	TCPCLOSE_TIMEOUT(TCPCLOSE_SYN_TIMEOUT_DEFAULT);
struct tcpclose_param tcpclose_close_wait_alarm =
	TCPCLOSE_TIMEOUT(TCPCLOSE_CLOSE_WAIT_ALARM_DEFAULT);

/* .val 0: set from the memory size by tcpclose_params_init(). */
struct tcpclose_param tcpclose_max_flows = {
	.min = TCPCLOSE_MAX_FLOWS_MIN,
	.max = TCPCLOSE_MAX_FLOWS_MAX,
};

struct tcpclose_param tcpclose_syn_flood_threshold = {
	.val = TCPCLOSE_SYN_FLOOD_THRESHOLD_DEFAULT,
	.min = 1,
	.max = TCPCLOSE_SYN_FLOOD_THRESHOLD_MAX,
};

static enum tcpclose_action tcpclose_action = TCPCLOSE_ACTION_OBSERVE;

static const char *const tcpclose_action_names[] = {
	[TCPCLOSE_ACTION_OBSERVE]	= "observe",
	[TCPCLOSE_ACTION_RESET]		= "reset",
};

int tcpclose_param_set(struct tcpclose_param *p, unsigned int val)
{
	if (val < p->min || val > p->max)
		return -EINVAL;
	WRITE_ONCE(p->val, val);
	return 0;
}

static int tcpclose_param_store(const char *buf, const struct kernel_param *kp)
{
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 10, &val);
	if (ret)
		return -EINVAL;
	return tcpclose_param_set(kp->arg, val);
}

static int tcpclose_param_show(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%u\n", tcpclose_param_get(kp->arg));
}

static const struct kernel_param_ops tcpclose_param_ops = {
	.set = tcpclose_param_store,
	.get = tcpclose_param_show,
};

module_param_cb(fin_timeout, &tcpclose_param_ops, &tcpclose_fin_timeout, 0644);
MODULE_PARM_DESC(fin_timeout,
		 "Seconds of peer silence before FIN_WAIT_2 ends as timeout_fin_wait2 (1..86400, default 60)");
module_param_cb(time_wait, &tcpclose_param_ops, &tcpclose_time_wait, 0644);
MODULE_PARM_DESC(time_wait,
		 "Seconds of peer silence before TIME_WAIT ends (1..86400, default 60)");
module_param_cb(fin_wait1_timeout, &tcpclose_param_ops, &tcpclose_fin_wait1_timeout, 0644);
MODULE_PARM_DESC(fin_wait1_timeout,
		 "Seconds of peer silence before FIN_WAIT_1 or CLOSING ends as timeout_fin_wait1 (1..86400, default 120)");
module_param_cb(last_ack_timeout, &tcpclose_param_ops, &tcpclose_last_ack_timeout, 0644);
MODULE_PARM_DESC(last_ack_timeout,
		 "Seconds of peer silence before LAST_ACK ends as timeout_last_ack (1..86400, default 120)");
module_param_cb(syn_timeout, &tcpclose_param_ops, &tcpclose_syn_timeout, 0644);
MODULE_PARM_DESC(syn_timeout,
		 "Seconds of peer silence before a handshake ends as syn_timeout (1..86400, default 135)");
module_param_cb(close_wait_alarm, &tcpclose_param_ops, &tcpclose_close_wait_alarm, 0644);
MODULE_PARM_DESC(close_wait_alarm,
		 "Seconds in CLOSE_WAIT before an endpoint counts in close_wait_stuck (1..86400, default 300)");
module_param_cb(max_flows, &tcpclose_param_ops, &tcpclose_max_flows, 0644);
MODULE_PARM_DESC(max_flows,
		 "Most flows tracked, all netns together (default: 1 per 32 KiB of RAM)");

module_param_cb(syn_flood_threshold, &tcpclose_param_ops, &tcpclose_syn_flood_threshold, 0644);
MODULE_PARM_DESC(syn_flood_threshold,
		 "Unanswered SYNs per second to one listener that start a SYN flood (1..10000000, default 1000)");

enum tcpclose_action tcpclose_fin_timeout_action(void)
{
	return READ_ONCE(tcpclose_action);
}

void tcpclose_set_fin_timeout_action(enum tcpclose_action a)
{
	WRITE_ONCE(tcpclose_action, a);
}

/* "observe" or "reset", with or without a trailing newline. */
static int tcpclose_action_store(const char *buf, const struct kernel_param *kp)
{
	int i = sysfs_match_string(tcpclose_action_names, buf);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(tcpclose_action, i);
	return 0;
}

static int tcpclose_action_show(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  tcpclose_action_names[tcpclose_fin_timeout_action()]);
}

static const struct kernel_param_ops tcpclose_action_ops = {
	.set = tcpclose_action_store,
	.get = tcpclose_action_show,
};

module_param_cb(fin_timeout_action, &tcpclose_action_ops, NULL, 0644);
MODULE_PARM_DESC(fin_timeout_action,
		 "On a local FIN_WAIT_2 timeout: observe (default) or reset (abort the socket)");

/* At init, after insmod's parameters: max_flows=N on that line wins. */
void tcpclose_params_init(void)
{
	u64 flows = (u64)totalram_pages() << PAGE_SHIFT >> 15;

	if (!tcpclose_max_flows.val)
		tcpclose_max_flows.val = clamp_t(u64, flows, 4096, 1 << 22);
}
