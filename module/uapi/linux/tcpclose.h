/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tcpclose: definitions shared by the kernel module and userspace.
 */
#ifndef _UAPI_LINUX_TCPCLOSE_H
#define _UAPI_LINUX_TCPCLOSE_H

#define TCPCLOSE_PROC_HOST		"/proc/tcpclose"
#define TCPCLOSE_PROC_NET		"/proc/net/tcpclose"
#define TCPCLOSE_SYSFS_PARAMS		"/sys/module/tcpclose/parameters"

/* fin_timeout, in seconds. */
#define TCPCLOSE_FIN_TIMEOUT_MIN	1
#define TCPCLOSE_FIN_TIMEOUT_MAX	86400
#define TCPCLOSE_FIN_TIMEOUT_DEFAULT	60

#endif /* _UAPI_LINUX_TCPCLOSE_H */
