/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "tcpclose", through libmnl.
 */
#ifndef TCPCLOSE_NL_H
#define TCPCLOSE_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* The kernel's extended ACK of a failed request. */
struct extack {
	char msg[256];		/* NLMSGERR_ATTR_MSG, or "" */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS, or 0 */
	int attr;		/* request attribute at offs, or -1 */
	bool range;		/* NLMSGERR_ATTR_POLICY gave a range: */
	bool sign;		/* ... of signed values */
	int64_t smin, smax;
	uint64_t umin, umax;
};

void extack_clear(struct extack *ext);
/* Parse the attributes of an NLMSG_ERROR or NLMSG_DONE from @offset on. */
void extack_parse(struct extack *ext, const struct nlmsghdr *nlh,
		  unsigned int offset);
/* Find the attribute of request @req that ext->offs points at. */
void extack_locate(struct extack *ext, const struct nlmsghdr *req);

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;	/* generic netlink family id */
	uint32_t version;	/* family version */
	uint32_t events;	/* multicast group "events", 0 if none */
	char *req;		/* request being built */
	char *buf;		/* receive buffer */
	struct extack ext;	/* of the last failed request */
};

/* Receive buffer: room for the largest dump message the kernel makes. */
#define NL_BUF_SIZE	(64 * 1024)

/*
 * Open the socket and resolve the family. Prints the error and returns
 * EXIT_FAIL if that fails ("module not loaded" if the family is unknown).
 */
int nl_open(struct nl *nl);
void nl_close(struct nl *nl);

/* Start request @cmd in nl->req; add attributes with mnl_attr_put_*(). */
struct nlmsghdr *nl_request(struct nl *nl, uint8_t cmd, uint16_t flags);

/* Add a flag attribute (no payload). */
void nl_put_flag(struct nlmsghdr *nlh, uint16_t type);

/*
 * Send a do request (NLM_F_ACK is added) and pass each reply to @cb.
 * Returns 0 or a negative errno value; nl->ext has the details.
 */
int nl_do(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/*
 * Send a dump request and pass each message to @cb. If the kernel flags
 * the dump as interrupted (NLM_F_DUMP_INTR), call @restart and start over,
 * a few times; then warn about it on stderr, as @what, and keep the last.
 */
int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data,
	    void (*restart)(void *data), const char *what);

/* Join the "events" multicast group, with a large receive buffer. */
/* Receive buffer for events: the default, and watch --buffer-size's range. */
#define EVENTS_RCVBUF	(4 << 20)
#define MIN_BUFSIZE	4096
#define MAX_BUFSIZE	(1 << 30)

/* Join group events with a receive buffer of @size bytes. */
int nl_join_events(struct nl *nl, int size);

/* Parse the attributes of a message or a nest into @tb[0..max]. */
int nl_parse(const struct nlmsghdr *nlh, const uint8_t *types,
	     unsigned int max, const struct nlattr **tb);
int nl_parse_nested(const struct nlattr *nest, const uint8_t *types,
		    unsigned int max, const struct nlattr **tb);

/*
 * Print the failure of a request, "tcpclose: WHAT: ...": permission
 * denied, or the kernel's message with the parameter it is about (named
 * by @attr_name from the request attribute type) and its valid range.
 */
void nl_perror(const struct nl *nl, const char *what, int err,
	       const char *(*attr_name)(unsigned int type));

#endif
