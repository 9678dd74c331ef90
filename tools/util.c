// SPDX-License-Identifier: GPL-2.0
/*
 * Messages shared by the commands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "source.h"
#include "tcpclose.h"

void vpr_err(const char *fmt, va_list ap)
{
	fputs(PROG_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr_err(fmt, ap);
	va_end(ap);
}

bool require_module(void)
{
	if (tcpclose_module_loaded())
		return true;
	pr_err("module not loaded (try: modprobe tcpclose)");
	return false;
}
