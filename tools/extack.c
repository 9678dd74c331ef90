// SPDX-License-Identifier: GPL-2.0
/*
 * Extended ACKs: the kernel's message, the attribute it is about and the
 * policy that rejected it.
 */
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "nl.h"

void extack_clear(struct extack *ext)
{
	memset(ext, 0, sizeof(*ext));
	ext->attr = -1;
}

static int policy_cb(const struct nlattr *attr, void *data)
{
	struct extack *ext = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_OK;
	switch (mnl_attr_get_type(attr)) {
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_S:
		ext->smin = (int64_t)mnl_attr_get_u64(attr);
		ext->sign = true;
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_S:
		ext->smax = (int64_t)mnl_attr_get_u64(attr);
		ext->sign = true;
		ext->range = true;
		break;
	case NL_POLICY_TYPE_ATTR_MIN_VALUE_U:
		ext->umin = mnl_attr_get_u64(attr);
		break;
	case NL_POLICY_TYPE_ATTR_MAX_VALUE_U:
		ext->umax = mnl_attr_get_u64(attr);
		ext->range = true;
		break;
	}
	return MNL_CB_OK;
}

static int extack_cb(const struct nlattr *attr, void *data)
{
	struct extack *ext = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(ext->msg, sizeof(ext->msg), "%s",
				 mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			ext->offs = mnl_attr_get_u32(attr);
		break;
	case NLMSGERR_ATTR_POLICY:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, policy_cb, ext);
		break;
	}
	return MNL_CB_OK;
}

void extack_parse(struct extack *ext, const struct nlmsghdr *nlh,
		  unsigned int offset)
{
	extack_clear(ext);
	if (offset >= mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, offset, extack_cb, ext);
	/* A message without its terminating NUL is cut by snprintf(). */
}

void extack_locate(struct extack *ext, const struct nlmsghdr *req)
{
	const struct nlattr *attr;
	size_t offs;

	ext->attr = -1;
	if (!ext->offs)
		return;
	mnl_attr_for_each(attr, req, GENL_HDRLEN) {
		offs = (const char *)attr - (const char *)req;
		if (offs == ext->offs) {
			ext->attr = mnl_attr_get_type(attr);
			return;
		}
	}
}
