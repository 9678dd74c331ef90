// SPDX-License-Identifier: GPL-2.0
/*
 * Entering a named network namespace, as "ip -n NAME" does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tcpclose.h"

#define NETNS_RUN_DIR "/run/netns"

static int open_netns(const char *name)
{
	char path[PATH_MAX];
	int len;

	/* A name as "ip netns add" makes them, never a path. */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		errno = EINVAL;
		return -1;
	}
	len = snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", name);
	if (len < 0 || (size_t)len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

int netns_enter(const char *name)
{
	int fd, err = 0;

	fd = open_netns(name);
	if (fd < 0) {
		err = errno;
	} else {
		if (setns(fd, CLONE_NEWNET))
			err = errno;
		close(fd);
	}
	if (!err)
		return 0;

	if (err == EPERM || err == EACCES)
		pr_err("permission denied: entering netns '%s' needs root (CAP_SYS_ADMIN)",
		       name);
	else
		pr_err("cannot enter netns '%s': %s", name, strerror(err));
	return -1;
}
