// SPDX-License-Identifier: GPL-2.0
/*
 * tcpx: deterministic TCP exchanges for the selftests.
 *
 *   tcpx server [-6] [-p PORT] [-n COUNT] [SERVER OPTIONS]
 *	Listen, then COUNT times (0: forever): accept, read one request line,
 *	write one response line, read until EOF, close.
 *   tcpx client [-p PORT] [-n COUNT] [CLIENT OPTIONS] ADDRESS
 *	COUNT times: connect, write one request line, read the response
 *	line, close.
 *
 * Each connection is then exactly: SYN, SYN-ACK, one data segment each way,
 * one FIN each way, and pure ACKs.
 *
 * The options below change how a connection is closed (the teardown
 * scenarios of selftests/oracle.sh); without them nothing changes.
 *
 * Server:
 *   -w MS     after EOF, wait MS ms before close() (a four-segment close)
 *   -H SECS   after EOF, hold the socket SECS s, print "so_error: E" (its
 *             pending error, or 0), then close() (the server "runs away")
 *   -f        close first: close() right after the response, without
 *             reading EOF
 *   -x BYTES  send BYTES more bytes right after the response line (the
 *             client may leave them unread)
 * Client:
 *   -b PORT   bind to this source port
 *   -m MODE   how to end: close (default), shutdown (shutdown(SHUT_WR),
 *             then keep the fd and read until EOF, an error or -t SECS;
 *             then close()), linger0 (SO_LINGER {1, 0}, then close(): an
 *             abort), unread (read only the response line, then close()
 *             with whatever else the server sent still unread)
 *   -E        read until EOF (the server closed first) before ending
 *   -w MS     wait MS ms before ending (after EOF with -E)
 *   -t SECS   the read limit of -m shutdown (default 10)
 * Both:
 *   -S        simultaneous close: the server's response names an instant
 *             (CLOCK_MONOTONIC, 300 ms later); at that instant both call
 *             shutdown(SHUT_WR), then read until EOF and close()
 *
 * With any of these options, a read error does not end tcpx: it prints
 * "read: ERRNO" (e.g. "read: ECONNRESET"), or "read: EOF" / "read:
 * timeout" for -m shutdown, on stdout, prefixed by "server " or "client ".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQUEST "ping\n"
#define RESPONSE "pong\n"
#define SIMULTANEOUS_DELAY_NS 300000000LL

enum close_mode { CM_CLOSE, CM_SHUTDOWN, CM_LINGER0, CM_UNREAD };

struct opts {
	const char *port;
	long count;
	int family;
	/* teardown scenario options; scenario = 1 if any was given */
	int scenario;
	long wait_ms;		/* -w */
	long hold_s;		/* -H */
	int close_first;	/* -f */
	long extra;		/* -x */
	const char *bind_port;	/* -b */
	enum close_mode mode;	/* -m */
	int read_eof;		/* -E */
	long read_limit_s;	/* -t */
	int simultaneous;	/* -S */
};

static const char *role = "tcpx";

static void die(const char *what)
{
	fprintf(stderr, "tcpx: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fputs("usage: tcpx server [-6] [-p PORT] [-n COUNT] [-w MS] [-H SECS] [-f] [-x BYTES] [-S]\n"
	      "       tcpx client [-p PORT] [-n COUNT] [-b PORT] [-m close|shutdown|linger0|unread]\n"
	      "                   [-E] [-w MS] [-t SECS] [-S] ADDRESS\n", stderr);
	exit(2);
}

static const char *err_name(int err)
{
	static char buf[16];

	switch (err) {
	case 0:			return "0";
	case ECONNABORTED:	return "ECONNABORTED";
	case ECONNRESET:	return "ECONNRESET";
	case EPIPE:		return "EPIPE";
	case ETIMEDOUT:		return "ETIMEDOUT";
	case ECONNREFUSED:	return "ECONNREFUSED";
	case ENOTCONN:		return "ENOTCONN";
	}
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

static void report(const char *what, const char *value)
{
	printf("%s %s: %s\n", role, what, value);
	fflush(stdout);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL,
			       .tv_nsec = ns % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void sleep_ms(long ms)
{
	if (ms > 0)
		sleep_until(now_ns() + ms * 1000000LL);
}

/* Read until @delim or EOF; returns the byte count. */
static size_t read_line(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0)
			die("read");
		if (n == 0 || memchr(buf + got, '\n', n))
			return got + n;
		got += n;
	}
	return got;
}

/* Read exactly @len bytes (or until EOF). */
static void read_exact(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n < 0)
			die("read");
		if (n == 0)
			return;
		got += n;
	}
}

static void write_all(int fd, const char *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		die("write");
}

/* Read until EOF: 0, or the errno of a failed read. */
static int drain_err(int fd)
{
	char buf[256];
	ssize_t n;

	do {
		n = read(fd, buf, sizeof(buf));
	} while (n > 0);
	return n < 0 ? errno : 0;
}

static void drain(int fd)
{
	int err = drain_err(fd);

	if (err) {
		errno = err;
		die("read");
	}
}

/* drain() for the scenarios: a read error is reported, not fatal. */
static void drain_report(int fd)
{
	int err = drain_err(fd);

	if (err)
		report("read", err_name(err));
}

/*
 * -m shutdown: read until EOF, an error or @limit_s seconds; report which.
 */
static void read_held(int fd, long limit_s)
{
	long long end = now_ns() + limit_s * 1000000000LL;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[256];
	long long left;
	ssize_t n;

	for (;;) {
		left = end - now_ns();
		if (left <= 0) {
			report("read", "timeout");
			return;
		}
		if (poll(&pfd, 1, (int)(left / 1000000) + 1) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n == 0) {
			report("read", "EOF");
			return;
		}
		if (n < 0) {
			report("read", err_name(errno));
			return;
		}
	}
}

static int listen_on(const struct opts *o)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE,
				  .ai_family = o->family,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	int fd, one = 1;

	if (getaddrinfo(NULL, o->port, &hints, &ai))
		die("getaddrinfo");
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128))
		die("bind/listen");
	freeaddrinfo(ai);
	return fd;
}

static void serve_one(int lfd)
{
	char buf[256];
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		die("accept");
	read_line(fd, buf, sizeof(buf));
	write_all(fd, RESPONSE, strlen(RESPONSE));
	drain(fd);
	close(fd);
}

/* The server side of the teardown scenarios. */
static void serve_scenario(int lfd, const struct opts *o)
{
	char buf[256], *out;
	long long at = 0;
	socklen_t len;
	int fd, err;
	size_t n;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	read_line(fd, buf, sizeof(buf));

	if (o->simultaneous) {
		at = now_ns() + SIMULTANEOUS_DELAY_NS;
		n = snprintf(buf, sizeof(buf), "pong %lld\n", at);
		write_all(fd, buf, n);
		sleep_until(at);
		if (shutdown(fd, SHUT_WR))
			die("shutdown");
		drain_report(fd);
		close(fd);
		return;
	}

	n = strlen(RESPONSE) + o->extra;
	out = malloc(n);
	if (!out)
		die("malloc");
	memcpy(out, RESPONSE, strlen(RESPONSE));
	memset(out + strlen(RESPONSE), 'x', o->extra);
	write_all(fd, out, n);
	free(out);

	if (o->close_first) {
		close(fd);
		return;
	}
	drain_report(fd);
	sleep_ms(o->wait_ms);
	if (o->hold_s > 0) {
		sleep_ms(o->hold_s * 1000);
		err = 0;
		len = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		report("so_error", err_name(err));
	}
	close(fd);
}

static int connect_to(const char *addr, const struct opts *o)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	int fd, one = 1;

	if (getaddrinfo(addr, o->port, &hints, &ai))
		die("getaddrinfo");
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (o->bind_port) {
		struct sockaddr_storage ss = { .ss_family = ai->ai_family };
		in_port_t port = htons(atoi(o->bind_port));
		socklen_t sslen;

		if (ai->ai_family == AF_INET6) {
			((struct sockaddr_in6 *)&ss)->sin6_port = port;
			sslen = sizeof(struct sockaddr_in6);
		} else {
			((struct sockaddr_in *)&ss)->sin_port = port;
			sslen = sizeof(struct sockaddr_in);
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, sslen))
			die("bind");
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen))
		die("connect");
	freeaddrinfo(ai);
	return fd;
}

static void client_one(const char *addr, const struct opts *o)
{
	char buf[256];
	int fd = connect_to(addr, o);

	write_all(fd, REQUEST, strlen(REQUEST));
	read_line(fd, buf, sizeof(buf));
	close(fd);
}

/* The client side of the teardown scenarios. */
static void client_scenario(const char *addr, const struct opts *o)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char buf[256];
	long long at;
	size_t n;
	int fd;

	fd = connect_to(addr, o);
	write_all(fd, REQUEST, strlen(REQUEST));

	if (o->simultaneous) {
		n = read_line(fd, buf, sizeof(buf) - 1);
		buf[n] = 0;
		if (sscanf(buf, "pong %lld", &at) != 1) {
			fprintf(stderr, "tcpx: -S: bad response (is the server run with -S?)\n");
			exit(1);
		}
		sleep_until(at);
		if (shutdown(fd, SHUT_WR))
			die("shutdown");
		drain_report(fd);
		close(fd);
		return;
	}

	if (o->mode == CM_UNREAD)
		read_exact(fd, buf, strlen(RESPONSE));
	else
		read_line(fd, buf, sizeof(buf));
	if (o->read_eof)
		drain_report(fd);
	sleep_ms(o->wait_ms);

	switch (o->mode) {
	case CM_SHUTDOWN:
		if (shutdown(fd, SHUT_WR))
			die("shutdown");
		read_held(fd, o->read_limit_s);
		break;
	case CM_LINGER0:
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			die("SO_LINGER");
		break;
	case CM_CLOSE:
	case CM_UNREAD:
		break;
	}
	close(fd);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == 0 || *end != 0 || v < 0)
		usage();
	return v;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "6p:n:w:H:fx:b:m:Et:S")) != -1) {
		switch (c) {
		case '6':
			o->family = AF_INET6;
			break;
		case 'p':
			o->port = optarg;
			break;
		case 'n':
			o->count = strtol(optarg, NULL, 10);
			break;
		case 'w':
			o->wait_ms = num(optarg);
			o->scenario = 1;
			break;
		case 'H':
			o->hold_s = num(optarg);
			o->scenario = 1;
			break;
		case 'f':
			o->close_first = 1;
			o->scenario = 1;
			break;
		case 'x':
			o->extra = num(optarg);
			o->scenario = 1;
			break;
		case 'b':
			num(optarg);
			o->bind_port = optarg;
			o->scenario = 1;
			break;
		case 'm':
			if (!strcmp(optarg, "close"))
				o->mode = CM_CLOSE;
			else if (!strcmp(optarg, "shutdown"))
				o->mode = CM_SHUTDOWN;
			else if (!strcmp(optarg, "linger0"))
				o->mode = CM_LINGER0;
			else if (!strcmp(optarg, "unread"))
				o->mode = CM_UNREAD;
			else
				usage();
			o->scenario = 1;
			break;
		case 'E':
			o->read_eof = 1;
			o->scenario = 1;
			break;
		case 't':
			o->read_limit_s = num(optarg);
			o->scenario = 1;
			break;
		case 'S':
			o->simultaneous = 1;
			o->scenario = 1;
			break;
		default:
			usage();
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct opts o = { .port = "5001", .count = 1, .family = AF_INET,
			  .read_limit_s = 10 };
	int server, client;
	const char *mode;
	long i;
	int lfd;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	optind = parse_opts(argc, argv, &o);
	server = !strcmp(mode, "server");
	client = !strcmp(mode, "client");
	/* Options of the other side are a usage error. */
	if (server && (o.bind_port || o.mode != CM_CLOSE || o.read_eof ||
		       o.read_limit_s != 10))
		usage();
	if (client && (o.hold_s || o.close_first || o.extra))
		usage();
	if (server && optind == argc) {
		role = "server";
		lfd = listen_on(&o);
		for (i = 0; !o.count || i < o.count; i++) {
			if (o.scenario)
				serve_scenario(lfd, &o);
			else
				serve_one(lfd);
		}
		return 0;
	}
	if (client && optind == argc - 1) {
		role = "client";
		for (i = 0; !o.count || i < o.count; i++) {
			if (o.scenario)
				client_scenario(argv[optind], &o);
			else
				client_one(argv[optind], &o);
		}
		return 0;
	}
	usage();
}
