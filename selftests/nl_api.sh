#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The generic netlink API: runs build/selftests/nl_api (nl_api.c) with the
# module loaded.  nl_api makes its own namespaces and traffic over lo and
# prints its own KTAP: every command, malformed requests, permissions, the
# events group and a 10 000-flow dump under churn.
source "$(dirname "$0")/lib.sh"

NL_API=$BUILD/selftests/nl_api

if [ ! -x "$NL_API" ]; then
	ktap_print_header
	ktap_skip_all "nl_api not built (run: make selftests-bin)"
	exit "$KSFT_SKIP"
fi
if ! tcpclose_ko >/dev/null; then
	ktap_print_header
	ktap_skip_all "tcpclose.ko not built for $(uname -r) (run: make modules-all)"
	exit "$KSFT_SKIP"
fi
mod_unload
if ! mod_load; then
	ktap_print_header
	ktap_exit_fail_msg "insmod failed"
fi

"$NL_API"
exit $?
