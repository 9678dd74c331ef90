/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_PARAMS_H
#define TCPCLOSE_PARAMS_H

#include <linux/compiler.h>

#include "uapi/linux/tcpclose.h"

/*
 * A bounded unsigned tunable.  Writers go through tcpclose_param_set(), which
 * rejects values outside [min, max] and leaves the old value in place; readers
 * use tcpclose_param_get() from any context.
 */
struct tcpclose_param {
	unsigned int val;
	unsigned int min;
	unsigned int max;
};

extern struct tcpclose_param tcpclose_fin_timeout;
extern struct tcpclose_param tcpclose_time_wait;
extern struct tcpclose_param tcpclose_fin_wait1_timeout;
extern struct tcpclose_param tcpclose_last_ack_timeout;
extern struct tcpclose_param tcpclose_syn_timeout;
extern struct tcpclose_param tcpclose_close_wait_alarm;
extern struct tcpclose_param tcpclose_max_flows;
extern struct tcpclose_param tcpclose_syn_flood_threshold;

enum tcpclose_action tcpclose_fin_timeout_action(void);
void tcpclose_set_fin_timeout_action(enum tcpclose_action a);
void tcpclose_params_init(void);

int tcpclose_param_set(struct tcpclose_param *p, unsigned int val);

static inline unsigned int tcpclose_param_get(const struct tcpclose_param *p)
{
	return READ_ONCE(p->val);
}

#endif /* TCPCLOSE_PARAMS_H */
