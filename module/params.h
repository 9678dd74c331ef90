/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TCPCLOSE_PARAMS_H
#define TCPCLOSE_PARAMS_H

#include <linux/compiler.h>

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

int tcpclose_param_set(struct tcpclose_param *p, unsigned int val);

static inline unsigned int tcpclose_param_get(const struct tcpclose_param *p)
{
	return READ_ONCE(p->val);
}

#endif /* TCPCLOSE_PARAMS_H */
