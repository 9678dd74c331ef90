/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the family's counters and enum values, both ways.
 *
 * Each enum value has a name in snake_case ("fin_wait2", "close_normal"),
 * used in JSON, and is parsed from any spelling that differs only in case
 * and in dashes or underscores ("FIN-WAIT-2", "fin_wait2", "Fin-Wait2").
 */
#ifndef TCPCLOSE_NAMES_H
#define TCPCLOSE_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/tcpclose.h>

#define COUNTER_FIRST	TCPCLOSE_A_COUNTERS_SEG_TOTAL
#define COUNTER_LAST	TCPCLOSE_A_COUNTERS_MAX

struct counter_info {
	const char *name;	/* as in /proc/net/tcpclose */
	const char *help;	/* one line, for Prometheus */
	bool gauge;
};

/* The counter of attribute type @type, or NULL if unknown. */
const struct counter_info *counter_info(unsigned int type);

/* snake_case names; "unknown" for values out of range. */
const char *state_name(unsigned int state);
const char *verdict_name(unsigned int verdict);
const char *endpoint_name(unsigned int side);	/* a, b, none, both */
const char *vantage_name(unsigned int vantage);
const char *action_name(unsigned int action);
/* The name of one anomaly bit, or NULL. */
const char *anomaly_name(uint32_t bit);

/* Text forms: "FIN-WAIT-2" as ss(8) writes states, "close-normal". */
const char *state_label(unsigned int state);
const char *verdict_label(unsigned int verdict);
const char *endpoint_label(unsigned int side);	/* A, B, -, both */

/* Parse a name as above; false if unknown. */
bool state_parse(const char *s, unsigned int *state);
/* "open" is none */
bool verdict_parse(const char *s, unsigned int *verdict);
bool action_parse(const char *s, unsigned int *action);

/* Copy @s into @buf with dashes for underscores. */
const char *dashed(const char *s, char *buf, unsigned int size);

#endif
