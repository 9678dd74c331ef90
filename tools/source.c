// SPDX-License-Identifier: GPL-2.0
/*
 * Data source: the procfs and sysfs files of the tcpclose module.
 *
 * TCPCLOSE_PROC_ROOT and TCPCLOSE_SYSFS_ROOT move the roots of both trees,
 * so that tests can run against a fake tree on a host without the module.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"

#define MODULE_DIR	"module/tcpclose"
#define PARAMS_DIR	MODULE_DIR "/parameters"

enum root {
	ROOT_PROC,
	ROOT_SYSFS,
};

static const char *root_dir(enum root root)
{
	const char *dir;

	if (root == ROOT_PROC)
		dir = secure_getenv("TCPCLOSE_PROC_ROOT");
	else
		dir = secure_getenv("TCPCLOSE_SYSFS_ROOT");
	if (!dir || !*dir)
		dir = root == ROOT_PROC ? "/proc" : "/sys";
	return dir;
}

static int __attribute__((format(printf, 4, 5)))
make_path(char *buf, size_t size, enum root root, const char *fmt, ...)
{
	va_list ap;
	int len, ret;

	len = snprintf(buf, size, "%s/", root_dir(root));
	if (len < 0 || (size_t)len >= size)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	ret = vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
	if (ret < 0 || (size_t)ret >= size - len)
		return -ENAMETOOLONG;
	return 0;
}

/* Read a small text file whole, without its trailing newlines. */
static int read_text(const char *path, char **text)
{
	char *buf = NULL;
	size_t size = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	errno = 0;
	len = getdelim(&buf, &size, '\0', f);
	if (len < 0 && ferror(f))
		ret = errno ? -errno : -EIO;
	fclose(f);
	if (ret) {
		free(buf);
		return ret;
	}

	if (len < 0) {
		len = 0;
		if (!buf)
			buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/* Make room for element @n of @array; returns the array or NULL. */
static void *grow(void *array, size_t *cap, size_t n, size_t size)
{
	size_t new_cap;
	void *p;

	if (n < *cap)
		return array;
	new_cap = *cap ? *cap * 2 : 16;
	p = reallocarray(array, new_cap, size);
	if (p)
		*cap = new_cap;
	return p;
}

bool tcpclose_module_loaded(void)
{
	char path[PATH_MAX];
	struct stat st;

	if (make_path(path, sizeof(path), ROOT_SYSFS, MODULE_DIR))
		return false;
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int tcpclose_module_version(char **version)
{
	char path[PATH_MAX];
	int ret;

	ret = make_path(path, sizeof(path), ROOT_SYSFS, MODULE_DIR "/version");
	if (ret)
		return ret;
	return read_text(path, version);
}

static int counters_path(char *buf, size_t size, enum tcpclose_scope scope)
{
	/*
	 * /proc/net is a symlink to self/net, and what self/net shows is the
	 * network namespace of the reading task at the time of the lookup,
	 * so this follows a setns() done earlier. The tool is single-threaded,
	 * so "self" is the calling thread.
	 */
	if (scope == TCPCLOSE_SCOPE_HOST)
		return make_path(buf, size, ROOT_PROC, "tcpclose");
	return make_path(buf, size, ROOT_PROC, "self/net/tcpclose");
}

const char *tcpclose_counters_origin(enum tcpclose_scope scope)
{
	static char path[PATH_MAX];

	if (counters_path(path, sizeof(path), scope))
		return "(path too long)";
	return path;
}

/* Parse one "name value" line; the newline is already removed. */
static int parse_counter(char *line, struct tcpclose_counter *counter)
{
	char *name = line, *value, *end;

	value = name + strcspn(name, " \t");
	if (value == name || !*value)
		return -EBADMSG;
	*value++ = '\0';
	value += strspn(value, " \t");
	if (*value < '0' || *value > '9')
		return -EBADMSG;

	errno = 0;
	counter->value = strtoull(value, &end, 10);
	if (errno)
		return -EBADMSG;
	end += strspn(end, " \t");
	if (*end)
		return -EBADMSG;

	counter->name = strdup(name);
	return counter->name ? 0 : -ENOMEM;
}

static int read_counters(FILE *f, struct tcpclose_counters *counters)
{
	struct tcpclose_counter *v;
	size_t cap = 0, len = 0;
	char *line = NULL;
	int ret = 0;

	for (;;) {
		errno = 0;
		if (getline(&line, &len, f) < 0) {
			if (ferror(f))
				ret = errno ? -errno : -EIO;
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		v = grow(counters->v, &cap, counters->n, sizeof(*v));
		if (!v) {
			ret = -ENOMEM;
			break;
		}
		counters->v = v;
		ret = parse_counter(line, &counters->v[counters->n]);
		if (ret)
			break;
		counters->n++;
	}
	free(line);
	return ret;
}

int tcpclose_counters_get(enum tcpclose_scope scope,
			  struct tcpclose_counters *counters)
{
	char path[PATH_MAX];
	FILE *f;
	int ret;

	counters->v = NULL;
	counters->n = 0;
	ret = counters_path(path, sizeof(path), scope);
	if (ret)
		return ret;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = read_counters(f, counters);
	fclose(f);
	if (ret)
		tcpclose_counters_free(counters);
	return ret;
}

void tcpclose_counters_free(struct tcpclose_counters *counters)
{
	size_t i;

	for (i = 0; i < counters->n; i++)
		free(counters->v[i].name);
	free(counters->v);
	counters->v = NULL;
	counters->n = 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_param_names(DIR *dir, struct tcpclose_params *params)
{
	struct dirent *de;
	size_t cap = 0;
	char **names;

	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de)
			return errno ? -errno : 0;
		if (de->d_name[0] == '.')
			continue;
		names = grow(params->names, &cap, params->n, sizeof(*names));
		if (!names)
			return -ENOMEM;
		params->names = names;
		params->names[params->n] = strdup(de->d_name);
		if (!params->names[params->n])
			return -ENOMEM;
		params->n++;
	}
}

int tcpclose_params_list(struct tcpclose_params *params)
{
	char path[PATH_MAX];
	DIR *dir;
	int ret;

	params->names = NULL;
	params->n = 0;
	ret = make_path(path, sizeof(path), ROOT_SYSFS, PARAMS_DIR);
	if (ret)
		return ret;
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;	/* no parameters */
	ret = read_param_names(dir, params);
	closedir(dir);
	if (ret) {
		tcpclose_params_free(params);
		return ret;
	}
	qsort(params->names, params->n, sizeof(*params->names), compare_names);
	return 0;
}

void tcpclose_params_free(struct tcpclose_params *params)
{
	size_t i;

	for (i = 0; i < params->n; i++)
		free(params->names[i]);
	free(params->names);
	params->names = NULL;
	params->n = 0;
}

static int param_path(char *buf, size_t size, const char *name)
{
	/* A name, never a path: no "..", no "/". */
	if (!*name || *name == '.' || strchr(name, '/'))
		return -ENOENT;
	return make_path(buf, size, ROOT_SYSFS, PARAMS_DIR "/%s", name);
}

bool tcpclose_param_exists(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (param_path(path, sizeof(path), name))
		return false;
	return !stat(path, &st) && S_ISREG(st.st_mode);
}

int tcpclose_param_get(const char *name, char **value)
{
	char path[PATH_MAX];
	int ret;

	ret = param_path(path, sizeof(path), name);
	if (ret)
		return ret;
	return read_text(path, value);
}

int tcpclose_param_set(const char *name, const char *value)
{
	size_t len = strlen(value);
	char path[PATH_MAX];
	ssize_t written;
	int fd, ret;

	ret = param_path(path, sizeof(path), name);
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs wants the whole value in one write(2). */
	written = write(fd, value, len);
	if (written < 0)
		ret = -errno;
	else if ((size_t)written != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}
