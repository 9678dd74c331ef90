// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "tcpclose", through libmnl: the socket, the
 * family and its multicast group, requests, dumps and their errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcpclose.h>

#include "nl.h"
#include "tcpclose.h"

/* Tries of a dump that the kernel flags NLM_F_DUMP_INTR. */
#define DUMP_TRIES	4

/* One request's callbacks: the caller's, and ours for errors. */
struct call {
	struct nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct call *call = data;

	return call->cb ? call->cb(nlh, call->data) : MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct call *call = data;
	unsigned int offset = sizeof(*err);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!err->error)
		return MNL_CB_STOP;
	/* The TLVs follow the request, or only its header if capped. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    err->msg.nlmsg_len > sizeof(struct nlmsghdr))
		offset += MNL_ALIGN(err->msg.nlmsg_len -
				    sizeof(struct nlmsghdr));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		extack_parse(&call->nl->ext, nlh, offset);
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/* The end of a dump: an int, negative if the dump failed, then TLVs. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct call *call = data;
	int error = 0;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(error))
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error >= 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		extack_parse(&call->nl->ext, nlh, sizeof(error));
	errno = -error;
	return MNL_CB_ERROR;
}

/* Not const: mnl_cb_run2() of libmnl 1.0.4 takes a plain pointer. */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR]	= error_cb,
	[NLMSG_DONE]	= done_cb,
};

/*
 * libmnl fails a whole dump on the first message flagged NLM_F_DUMP_INTR;
 * clear the flags, note them, and let the dump run to its end.
 */
static bool clear_dump_intr(void *buf, size_t len)
{
	struct nlmsghdr *nlh = buf;
	int rest = (int)len;
	bool intr = false;

	while (mnl_nlmsg_ok(nlh, rest)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			nlh->nlmsg_flags &= ~NLM_F_DUMP_INTR;
			intr = true;
		}
		nlh = mnl_nlmsg_next(nlh, &rest);
	}
	return intr;
}

/* Run the replies to the last request until its ACK or NLMSG_DONE. */
static int receive(struct nl *nl, struct call *call, bool *intr)
{
	ssize_t len;
	int ret;

	do {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, NL_BUF_SIZE);
		if (len < 0)
			return -errno;
		if (intr && clear_dump_intr(nl->buf, len))
			*intr = true;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, len, nl->seq, nl->portid, data_cb,
				  call, ctl_cbs, ARRAY_SIZE(ctl_cbs));
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		return errno ? -errno : -EIO;
	return 0;
}

static int send_request(struct nl *nl, struct nlmsghdr *req)
{
	extack_clear(&nl->ext);
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	return 0;
}

struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TCPCLOSE_FAMILY_VERSION;
	return nlh;
}

void nl_put_flag(struct nlmsghdr *nlh, uint16_t type)
{
	static const char none;

	mnl_attr_put(nlh, type, 0, &none);
}

int nl_do(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct call call = { nl, cb, data };
	int ret;

	req->nlmsg_flags |= NLM_F_ACK;
	nl->seq = req->nlmsg_seq;
	ret = send_request(nl, req);
	if (!ret)
		ret = receive(nl, &call, NULL);
	if (ret)
		extack_locate(&nl->ext, req);
	return ret;
}

int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data,
	    void (*restart)(void *data), const char *what)
{
	struct call call = { nl, cb, data };
	bool intr;
	int tries, ret;

	req->nlmsg_flags |= NLM_F_DUMP;
	for (tries = 1;; tries++) {
		intr = false;
		req->nlmsg_seq = ++nl->seq;
		ret = send_request(nl, req);
		if (!ret)
			ret = receive(nl, &call, &intr);
		if (ret) {
			extack_locate(&nl->ext, req);
			return ret;
		}
		if (!intr)
			return 0;
		if (tries == DUMP_TRIES)
			break;
		if (restart)
			restart(data);
	}
	pr_err("%s: interrupted %d times by table changes (NLM_F_DUMP_INTR); the list may be inconsistent",
	       what, DUMP_TRIES);
	return 0;
}

struct parse {
	const uint8_t *types;
	unsigned int max;
	const struct nlattr **tb;
};

static int parse_cb(const struct nlattr *attr, void *data)
{
	const struct parse *p = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type > p->max)
		return MNL_CB_OK;	/* from a newer module */
	if (p->types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(attr, p->types[type]) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	p->tb[type] = attr;
	return MNL_CB_OK;
}

int nl_parse(const struct nlmsghdr *nlh, const uint8_t *types,
	     unsigned int max, const struct nlattr **tb)
{
	struct parse p = { types, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse(nlh, GENL_HDRLEN, parse_cb, &p) < 0)
		return -EBADMSG;
	return 0;
}

int nl_parse_nested(const struct nlattr *nest, const uint8_t *types,
		    unsigned int max, const struct nlattr **tb)
{
	struct parse p = { types, max, tb };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_parse_nested(nest, parse_cb, &p) < 0)
		return -EBADMSG;
	return 0;
}

static const uint8_t ctrl_types[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID]		= MNL_TYPE_U16,
	[CTRL_ATTR_FAMILY_NAME]		= MNL_TYPE_NUL_STRING,
	[CTRL_ATTR_VERSION]		= MNL_TYPE_U32,
	[CTRL_ATTR_MCAST_GROUPS]	= MNL_TYPE_NESTED,
};

static const uint8_t group_types[CTRL_ATTR_MCAST_GRP_MAX + 1] = {
	[CTRL_ATTR_MCAST_GRP_NAME]	= MNL_TYPE_NUL_STRING,
	[CTRL_ATTR_MCAST_GRP_ID]	= MNL_TYPE_U32,
};

static void find_events_group(struct nl *nl, const struct nlattr *groups)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct nlattr *group;

	const struct nlattr *name, *id;

	mnl_attr_for_each_nested(group, groups) {
		if (nl_parse_nested(group, group_types,
				    CTRL_ATTR_MCAST_GRP_MAX, tb))
			continue;
		name = tb[CTRL_ATTR_MCAST_GRP_NAME];
		id = tb[CTRL_ATTR_MCAST_GRP_ID];
		if (name && id &&
		    !strcmp(mnl_attr_get_str(name), TCPCLOSE_MCGRP_EVENTS))
			nl->events = mnl_attr_get_u32(id);
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nl *nl = data;

	if (nl_parse(nlh, ctrl_types, CTRL_ATTR_MAX, tb) ||
	    !tb[CTRL_ATTR_FAMILY_ID]) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	nl->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_VERSION])
		nl->version = mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		find_events_group(nl, tb[CTRL_ATTR_MCAST_GROUPS]);
	return MNL_CB_OK;
}

static int resolve_family(struct nl *nl)
{
	struct nlmsghdr *req;
	int ret;

	nl->family = GENL_ID_CTRL;
	req = nl_request(nl, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(req))->version = 1;
	mnl_attr_put_strz(req, CTRL_ATTR_FAMILY_NAME, TCPCLOSE_FAMILY_NAME);
	ret = nl_do(nl, req, family_cb, nl);
	if (!ret && nl->family == GENL_ID_CTRL)
		ret = -EBADMSG;		/* an ACK without the reply */
	return ret;
}

static void set_flag(struct nl *nl, int opt)
{
	int one = 1;

	/* Older kernels lack some: go on without. */
	mnl_socket_setsockopt(nl->sock, opt, &one, sizeof(one));
}

int nl_open(struct nl *nl)
{
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->req = calloc(1, MNL_SOCKET_BUFFER_SIZE);
	nl->buf = malloc(NL_BUF_SIZE);
	if (!nl->req || !nl->buf) {
		ret = -ENOMEM;
		goto fail;
	}
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	set_flag(nl, NETLINK_EXT_ACK);
	set_flag(nl, NETLINK_CAP_ACK);
	set_flag(nl, NETLINK_GET_STRICT_CHK);
	ret = resolve_family(nl);
	if (!ret)
		return 0;
fail:
	nl_close(nl);
	return ret;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->req);
	free(nl->buf);
	nl->sock = NULL;
	nl->req = NULL;
	nl->buf = NULL;
}

int nl_join_events(struct nl *nl, int size)
{
	int fd = mnl_socket_get_fd(nl->sock);

	if (!nl->events)
		return -ENOENT;
	/* Past rmem_max if privileged, else as much as rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &nl->events,
				  sizeof(nl->events)) < 0)
		return -errno;
	return 0;
}

static void print_range(const struct extack *ext, char *buf, size_t size)
{
	if (!ext->range)
		*buf = '\0';
	else if (ext->sign)
		snprintf(buf, size, " (valid: %" PRId64 "..%" PRId64 ")",
			 ext->smin, ext->smax);
	else
		snprintf(buf, size, " (valid: %" PRIu64 "..%" PRIu64 ")",
			 ext->umin, ext->umax);
}

void nl_perror(const struct nl *nl, const char *what, int err,
	       const char *(*attr_name)(unsigned int type))
{
	const struct extack *ext = &nl->ext;
	const char *name = NULL;
	char range[64];

	if (err < 0)
		err = -err;
	if (err == EPERM || err == EACCES) {
		if (*ext->msg)
			pr_err("%s: permission denied: %s", what, ext->msg);
		else
			pr_err("%s: permission denied (needs CAP_NET_ADMIN)",
			       what);
		return;
	}
	if (ext->attr >= 0 && attr_name)
		name = attr_name(ext->attr);
	print_range(ext, range, sizeof(range));
	pr_err("%s: %s%s%s%s", what, name ?: "", name ? ": " : "",
	       *ext->msg ? ext->msg : strerror(err), range);
}
