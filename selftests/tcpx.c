// SPDX-License-Identifier: GPL-2.0
/*
 * tcpx: deterministic TCP exchanges for the selftests.
 *
 *   tcpx server [-6] [-p PORT] [-n COUNT]
 *	Listen, then COUNT times (0: forever): accept, read one request line,
 *	write one response line, read until EOF, close.
 *   tcpx client [-p PORT] [-n COUNT] ADDRESS
 *	COUNT times: connect, write one request line, read the response
 *	line, close.
 *
 * Each connection is then exactly: SYN, SYN-ACK, one data segment each way,
 * one FIN each way, and pure ACKs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REQUEST "ping\n"
#define RESPONSE "pong\n"

struct opts {
	const char *port;
	long count;
	int family;
};

static void die(const char *what)
{
	fprintf(stderr, "tcpx: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fputs("usage: tcpx server [-6] [-p PORT] [-n COUNT]\n"
	      "       tcpx client [-p PORT] [-n COUNT] ADDRESS\n", stderr);
	exit(2);
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

static void write_all(int fd, const char *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		die("write");
}

static void drain(int fd)
{
	char buf[256];
	ssize_t n;

	do {
		n = read(fd, buf, sizeof(buf));
	} while (n > 0);
	if (n < 0)
		die("read");
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

static int connect_to(const char *addr, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	int fd;

	if (getaddrinfo(addr, port, &hints, &ai))
		die("getaddrinfo");
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen))
		die("connect");
	freeaddrinfo(ai);
	return fd;
}

static void client_one(const char *addr, const char *port)
{
	char buf[256];
	int fd = connect_to(addr, port);

	write_all(fd, REQUEST, strlen(REQUEST));
	read_line(fd, buf, sizeof(buf));
	close(fd);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "6p:n:")) != -1) {
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
		default:
			usage();
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct opts o = { .port = "5001", .count = 1, .family = AF_INET };
	const char *mode;
	long i;
	int lfd;

	if (argc < 2)
		usage();
	mode = argv[1];
	argv++;
	argc--;
	optind = parse_opts(argc, argv, &o);
	if (!strcmp(mode, "server") && optind == argc) {
		lfd = listen_on(&o);
		for (i = 0; !o.count || i < o.count; i++)
			serve_one(lfd);
		return 0;
	}
	if (!strcmp(mode, "client") && optind == argc - 1) {
		for (i = 0; !o.count || i < o.count; i++)
			client_one(argv[optind], o.port);
		return 0;
	}
	usage();
}
