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
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "params.h"
#include "uapi/linux/tcpclose.h"

struct tcpclose_param tcpclose_fin_timeout = {
	.val = TCPCLOSE_FIN_TIMEOUT_DEFAULT,
	.min = TCPCLOSE_FIN_TIMEOUT_MIN,
	.max = TCPCLOSE_FIN_TIMEOUT_MAX,
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
		 "Seconds a FIN_WAIT_2 endpoint may wait for its peer's FIN (1..86400, default 60)");
