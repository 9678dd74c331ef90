// SPDX-License-Identifier: GPL-2.0
/*
 * TCP_CRR: connect, one request, one response, close, in a loop.
 *
 *   crr server PORT                 accept and answer until killed
 *   crr client ADDR PORT SECONDS    connections per second on stdout
 *
 * IPv4 only.  The client closes first, so its side goes to TIME_WAIT;
 * SO_LINGER is not used (the close is the normal four-way one).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG	64

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int serve(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	char buf[MSG];
	int l, c, one = 1;

	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1024)) {
		perror("crr server");
		return 1;
	}
	for (;;) {
		c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		if (read(c, buf, sizeof(buf)) == MSG &&
		    write(c, buf, MSG) == MSG)
			while (read(c, buf, sizeof(buf)) > 0)
				;
		close(c);
	}
}

static int one_conn(const struct sockaddr_in *sa)
{
	char buf[MSG] = "request";
	int s, ok;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return -1;
	ok = !connect(s, (const struct sockaddr *)sa, sizeof(*sa)) &&
	     write(s, buf, MSG) == MSG && read(s, buf, MSG) == MSG;
	close(s);
	return ok ? 0 : -1;
}

static int client(const char *addr, int port, double secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	unsigned long n = 0, fails = 0;
	double t0, t;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "crr: bad address %s\n", addr);
		return 2;
	}
	t0 = now_s();
	do {
		if (one_conn(&sa))
			fails++;
		else
			n++;
		t = now_s();
	} while (t - t0 < secs);
	printf("%.1f conn/s (%lu in %.2f s, %lu failed)\n", n / (t - t0), n,
	       t - t0, fails);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: crr server PORT | crr client ADDR PORT SECONDS\n");
	return 2;
}
