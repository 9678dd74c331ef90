/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where counters and parameters come from.
 *
 * Everything else in the tool talks to the module through this interface
 * only, so that replacing procfs/sysfs with generic netlink stays local to
 * source.c. Functions return 0 or a negative errno value and print nothing.
 */
#ifndef TCPCLOSE_SOURCE_H
#define TCPCLOSE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tcpclose_scope {
	TCPCLOSE_SCOPE_NETNS,	/* the caller's network namespace */
	TCPCLOSE_SCOPE_HOST,	/* host-wide: all network namespaces */
};

struct tcpclose_counter {
	char *name;
	uint64_t value;
};

/* Counters in the order the module reports them. */
struct tcpclose_counters {
	struct tcpclose_counter *v;
	size_t n;
};

/* Parameter names, sorted. */
struct tcpclose_params {
	char **names;
	size_t n;
};

bool tcpclose_module_loaded(void);

/* -ENOENT if the module is not loaded or does not report a version. */
int tcpclose_module_version(char **version);

/* Human-readable origin of the counters, for messages (e.g. a file name). */
const char *tcpclose_counters_origin(enum tcpclose_scope scope);

int tcpclose_counters_get(enum tcpclose_scope scope,
			  struct tcpclose_counters *counters);
void tcpclose_counters_free(struct tcpclose_counters *counters);

int tcpclose_params_list(struct tcpclose_params *params);
void tcpclose_params_free(struct tcpclose_params *params);
bool tcpclose_param_exists(const char *name);
int tcpclose_param_get(const char *name, char **value);
int tcpclose_param_set(const char *name, const char *value);

#endif
