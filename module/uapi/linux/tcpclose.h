/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tcpclose: definitions shared by the kernel module and userspace.
 */
#ifndef _UAPI_LINUX_TCPCLOSE_H
#define _UAPI_LINUX_TCPCLOSE_H

#define TCPCLOSE_PROC_HOST		"/proc/tcpclose"
#define TCPCLOSE_PROC_NET		"/proc/net/tcpclose"
#define TCPCLOSE_SYSFS_PARAMS		"/sys/module/tcpclose/parameters"

/*
 * Parameters (Documentation/parameters.rst).  Timeouts are in seconds,
 * all in 1..TCPCLOSE_TIMEOUT_MAX.
 */
#define TCPCLOSE_TIMEOUT_MAX		86400

#define TCPCLOSE_FIN_TIMEOUT_MIN	1
#define TCPCLOSE_FIN_TIMEOUT_MAX	TCPCLOSE_TIMEOUT_MAX
#define TCPCLOSE_FIN_TIMEOUT_DEFAULT	60	/* net.ipv4.tcp_fin_timeout */
#define TCPCLOSE_TIME_WAIT_DEFAULT	60	/* TCP_TIMEWAIT_LEN */
#define TCPCLOSE_FIN_WAIT1_TIMEOUT_DEFAULT 120	/* tcp_orphan_retries 8: ~102 s */
#define TCPCLOSE_LAST_ACK_TIMEOUT_DEFAULT 120	/* the same retry budget */
#define TCPCLOSE_SYN_TIMEOUT_DEFAULT	135	/* tcp_syn_retries 6: 127 s */
#define TCPCLOSE_CLOSE_WAIT_ALARM_DEFAULT 300

/* max_flows: the default scales with memory (1 flow per 32 KiB of RAM). */
#define TCPCLOSE_MAX_FLOWS_MIN		1
#define TCPCLOSE_MAX_FLOWS_MAX		67108864	/* 2^26 */

/* fin_timeout_action: what to do when a local FIN_WAIT_2 endpoint times out. */
#define TCPCLOSE_ACTION_OBSERVE		"observe"
#define TCPCLOSE_ACTION_RESET		"reset"

#endif /* _UAPI_LINUX_TCPCLOSE_H */
