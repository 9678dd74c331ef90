// SPDX-License-Identifier: GPL-2.0
/*
 * gen: many concurrent TCP connections with a seeded random mix of
 * teardowns, for the fidelity run (selftests/fidelity/run, ../fidelity.sh).
 * One process per end, one epoll loop each; no threads, no fork.
 *
 *   gen server [-p BASE] [-i IDLE_MS]
 *	Listen on BASE .. BASE+2 (IPv4 and IPv6), forever (until SIGTERM or
 *	SIGINT).  Each connection's first line names its case and
 *	parameters, chosen by the client; the server plays its part.
 *	BASE+1 and BASE+2 are the ports of the vanishing-peer cases (the
 *	router's nft rules match them), BASE+3 has no listener (refused).
 *   gen client -4 ADDR -6 ADDR [-s SEED] [-n COUNT] [-c CONCURRENT]
 *		[-r PER_S] [-P CPORT_BASE] [-p BASE] [-H HOLD_MS]
 *		[-i IDLE_MS] [-m KIND=WEIGHT,...] [-F 4|6|46]
 *	COUNT connections (default 1000), at most CONCURRENT at a time
 *	(default 64), at most PER_S started per second (0: no limit), the
 *	n-th from source port CPORT_BASE + n (default 10000).  SEED
 *	(default: from the clock) is printed first; the same seed gives the
 *	same mix and parameters.
 *
 * Output, one line per connection end (line-buffered):
 *   client: conn ID KIND FAMILY CPORT SPORT a=.. w=.. x=.. k=.. s=.. h=.. result=..
 *   server: srv KIND FAMILY CPORT SPORT result=..
 * result is what the application saw: ok, or the first error (the
 * syscall and errno name), or "timeout" when IDLE_MS passed in one step.
 * The client ends with "summary started=N done=N" and the count of each
 * kind.
 *
 * Cases (KIND), "C" the client and "S" the server; a, w, x, k, s are drawn
 * per connection:
 *   cclose      C closes after the response (after a ms); S closes w ms
 *               after EOF (w = 0: its FIN ACKs C's, a three-segment close)
 *   sclose      S closes a ms after the response; C closes w ms after EOF
 *   simul       both shutdown(SHUT_WR) at one instant (the header names
 *               it, CLOCK_MONOTONIC), then read to EOF and close
 *   chalf       C shutdown(SHUT_WR), reads on; S sends k chunks of x
 *               bytes s ms apart after EOF, then closes; C closes at EOF
 *   shalf       the reverse: S half-closes, C sends k chunks, then closes
 *   cabort      C SO_LINGER {1, 0} close() a ms after the response: RST
 *   sabort      S SO_LINGER {1, 0} close() a ms after the response
 *   cunread     S sends x bytes more with the response; C closes without
 *               reading them: RST (or, if they come later, an orphan's RST)
 *   sunread     C sends x bytes more after its request; S closes a ms after
 *               the response without reading them: RST
 *   orphandata  C closes after the response; S sends x bytes a ms after
 *               EOF: the orphan resets on data
 *   hold        C closes after the response; S holds its socket HOLD_MS
 *               after EOF (F5, the client orphaned), then closes
 *   vsrv        as cclose (w >= 200) on BASE+1: the router drops all from
 *               S after the client's FIN and S's next segment (F5 by drop)
 *   vcli        as cclose (w >= 200) on BASE+2: the router drops all from
 *               C after C's FIN and S's next segment (F6)
 *   refused     connect to BASE+3: RST
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum kind {
	K_CCLOSE, K_SCLOSE, K_SIMUL, K_CHALF, K_SHALF, K_CABORT, K_SABORT,
	K_CUNREAD, K_SUNREAD, K_ORPHANDATA, K_HOLD, K_VSRV, K_VCLI, K_REFUSED,
	K_NKINDS
};

static const char *const kind_names[K_NKINDS] = {
	"cclose", "sclose", "simul", "chalf", "shalf", "cabort", "sabort",
	"cunread", "sunread", "orphandata", "hold", "vsrv", "vcli", "refused",
};

/* Default weights (per cent). */
static int weights[K_NKINDS] = {
	[K_CCLOSE] = 18, [K_SCLOSE] = 11, [K_SIMUL] = 10, [K_CHALF] = 8,
	[K_SHALF] = 8, [K_CABORT] = 6, [K_SABORT] = 6, [K_CUNREAD] = 6,
	[K_SUNREAD] = 6, [K_ORPHANDATA] = 3, [K_HOLD] = 5, [K_VSRV] = 5,
	[K_VCLI] = 5, [K_REFUSED] = 3,
};

enum op {
	OP_CONNECT,	/* client: wait for the handshake */
	OP_HDR,		/* client: the header line, then arg bytes */
	OP_READ_HDR,	/* server: the header line; builds the rest */
	OP_RESP,	/* server: the response line, then arg bytes */
	OP_WRITE,	/* arg bytes */
	OP_READ_LINE,	/* exactly one line, nothing beyond it */
	OP_READ_EOF,	/* until EOF or an error */
	OP_SLEEP,	/* arg ms */
	OP_UNTIL,	/* until CLOCK_MONOTONIC arg ns */
	OP_SHUT,	/* shutdown(SHUT_WR) */
	OP_LINGER0,	/* SO_LINGER {1, 0} */
	OP_CLOSE,
};

#define MAXOPS 24
#define LINE_MAX_LEN 128

struct params {
	int kind, family;
	int a, w, x, k, s, h;
	long long t;		/* simul: the instant, ns */
};

struct ep {
	int fd;
	int active;
	int server;
	long id;
	int cport, sport;
	struct params p;
	unsigned char ops[MAXOPS];
	long long args[MAXOPS];
	int nops, pc;
	int entered;		/* the current op has started */
	long long deadline;	/* ns: end of a sleep, or the idle limit */
	long long done;		/* bytes of the current write */
	int probes;		/* OP_READ_EOF: probes sent */
	char hdr[LINE_MAX_LEN];
	int hdrlen;
	char result[64];
};

static struct ep **eps;
static int neps;
static int epfd;
static long long idle_ns = 20000000000LL;
/*
 * OP_READ_EOF: after PROBE_NS without a byte, send one (the peer may have
 * aborted with an RST that was lost: its kernel answers the probe with
 * another), at most MAX_PROBES times, then give up (close).
 */
#define PROBE_NS	3000000000LL
#define MAX_PROBES	4
static volatile sig_atomic_t stop;
static char filler[65536];

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fputs("usage: gen server [-p BASE] [-i IDLE_MS]\n"
	      "       gen client -4 ADDR -6 ADDR [-s SEED] [-n COUNT] [-c CONCURRENT]\n"
	      "                  [-r PER_S] [-P CPORT_BASE] [-p BASE] [-H HOLD_MS]\n"
	      "                  [-i IDLE_MS] [-m KIND=WEIGHT,...] [-F 4|6|46]\n", stderr);
	exit(2);
}

/* splitmix64: small, seedable, good enough for a test mix. */
static unsigned long long rng_state;

static unsigned long long rnd(void)
{
	unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int rnd_in(int lo, int hi)
{
	return lo + (int)(rnd() % (unsigned long long)(hi - lo + 1));
}

static const char *err_name(int err)
{
	static char buf[16];

	switch (err) {
	case ECONNABORTED:	return "ECONNABORTED";
	case ECONNRESET:	return "ECONNRESET";
	case ECONNREFUSED:	return "ECONNREFUSED";
	case EPIPE:		return "EPIPE";
	case ETIMEDOUT:		return "ETIMEDOUT";
	case ENOTCONN:		return "ENOTCONN";
	case EHOSTUNREACH:	return "EHOSTUNREACH";
	}
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

static void set_result(struct ep *e, const char *what, int err)
{
	if (e->result[0])
		return;		/* the first error counts */
	snprintf(e->result, sizeof(e->result), "%s:%s", what,
		 err ? err_name(err) : "timeout");
}

static void add(struct ep *e, int op, long long arg)
{
	if (e->nops == MAXOPS) {
		fputs("gen: program too long\n", stderr);
		exit(1);
	}
	e->ops[e->nops] = op;
	e->args[e->nops++] = arg;
}

/* The client's part of each case. */
static void build_client(struct ep *e)
{
	const struct params *p = &e->p;
	int i;

	add(e, OP_CONNECT, 0);
	if (p->kind == K_REFUSED) {
		add(e, OP_CLOSE, 0);
		return;
	}
	add(e, OP_HDR, p->kind == K_SUNREAD ? p->x : 0);
	add(e, OP_READ_LINE, 0);
	switch (p->kind) {
	case K_CCLOSE:
	case K_CUNREAD:
	case K_VSRV:
	case K_VCLI:
		add(e, OP_SLEEP, p->a);
		break;
	case K_SCLOSE:
		add(e, OP_READ_EOF, 0);
		add(e, OP_SLEEP, p->w);
		break;
	case K_SIMUL:
		add(e, OP_UNTIL, p->t);
		add(e, OP_SHUT, 0);
		add(e, OP_READ_EOF, 0);
		break;
	case K_CHALF:
		add(e, OP_SHUT, 0);
		add(e, OP_READ_EOF, 0);
		break;
	case K_SHALF:
		add(e, OP_READ_EOF, 0);
		for (i = 0; i < p->k; i++) {
			add(e, OP_SLEEP, p->s);
			add(e, OP_WRITE, p->x);
		}
		break;
	case K_CABORT:
		add(e, OP_SLEEP, p->a);
		add(e, OP_LINGER0, 0);
		break;
	case K_SABORT:
	case K_SUNREAD:
		add(e, OP_READ_EOF, 0);
		break;
	case K_ORPHANDATA:
	case K_HOLD:
		break;
	}
	add(e, OP_CLOSE, 0);
}

/* The server's part, once the header told the case. */
static void build_server(struct ep *e)
{
	const struct params *p = &e->p;
	int i;

	switch (p->kind) {
	case K_CCLOSE:
	case K_VSRV:
	case K_VCLI:
		add(e, OP_RESP, 0);
		add(e, OP_READ_EOF, 0);
		add(e, OP_SLEEP, p->w);
		break;
	case K_SCLOSE:
		add(e, OP_RESP, 0);
		add(e, OP_SLEEP, p->a);
		break;
	case K_SIMUL:
		add(e, OP_RESP, 0);
		add(e, OP_UNTIL, p->t);
		add(e, OP_SHUT, 0);
		add(e, OP_READ_EOF, 0);
		break;
	case K_CHALF:
		add(e, OP_RESP, 0);
		add(e, OP_READ_EOF, 0);
		for (i = 0; i < p->k; i++) {
			add(e, OP_SLEEP, p->s);
			add(e, OP_WRITE, p->x);
		}
		break;
	case K_SHALF:
		add(e, OP_RESP, 0);
		add(e, OP_SHUT, 0);
		add(e, OP_READ_EOF, 0);
		break;
	case K_CABORT:
		add(e, OP_RESP, 0);
		add(e, OP_READ_EOF, 0);
		break;
	case K_SABORT:
		add(e, OP_RESP, 0);
		add(e, OP_SLEEP, p->a);
		add(e, OP_LINGER0, 0);
		break;
	case K_CUNREAD:
		add(e, OP_RESP, p->x);
		add(e, OP_READ_EOF, 0);
		break;
	case K_SUNREAD:
		add(e, OP_RESP, 0);
		add(e, OP_SLEEP, p->a);
		break;
	case K_ORPHANDATA:
		add(e, OP_RESP, 0);
		add(e, OP_READ_EOF, 0);
		add(e, OP_SLEEP, p->a);
		add(e, OP_WRITE, p->x);
		break;
	case K_HOLD:
		add(e, OP_RESP, 0);
		add(e, OP_READ_EOF, 0);
		add(e, OP_SLEEP, p->h);
		break;
	}
	add(e, OP_CLOSE, 0);
}

/*
 * Endpoints are allocated one by one and never freed or moved: epoll
 * holds pointers to them.  An ended one is reused for a new connection.
 */
static struct ep *ep_new(int fd)
{
	struct ep *e = NULL;
	int i;

	for (i = 0; i < neps; i++)
		if (!eps[i]->active) {
			e = eps[i];
			break;
		}
	if (!e) {
		if (neps % 256 == 0) {
			eps = realloc(eps, (neps + 256) * sizeof(*eps));
			if (!eps)
				die("realloc");
		}
		e = malloc(sizeof(*e));
		if (!e)
			die("malloc");
		eps[neps++] = e;
	}
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->active = 1;
	return e;
}

static void watch(struct ep *e)
{
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		.data.ptr = e,
	};

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, e->fd, &ev))
		die("epoll_ctl");
}

static long done_count, kind_done[K_NKINDS];

static void ep_end(struct ep *e)
{
	const struct params *p = &e->p;
	const char *res = e->result[0] ? e->result : "ok";

	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	e->active = 0;
	if (e->server) {
		printf("srv %s ipv%d %d %d result=%s\n",
		       p->kind >= 0 ? kind_names[p->kind] : "?",
		       p->family == AF_INET6 ? 6 : 4, e->cport, e->sport, res);
		return;
	}
	printf("conn %ld %s ipv%d %d %d a=%d w=%d x=%d k=%d s=%d h=%d result=%s\n",
	       e->id, kind_names[p->kind], p->family == AF_INET6 ? 6 : 4,
	       e->cport, e->sport, p->a, p->w, p->x, p->k, p->s, p->h, res);
	done_count++;
	kind_done[p->kind]++;
}

/* Skip to the program's close: after an error nothing else makes sense. */
static void skip_to_close(struct ep *e)
{
	e->pc = e->nops - 1;
	e->entered = 0;
}

static int parse_hdr(struct ep *e)
{
	struct params *p = &e->p;

	if (sscanf(e->hdr, "K %d %d %d %d %d %d %d %lld", &p->kind, &p->a,
		   &p->w, &p->x, &p->k, &p->s, &p->h, &p->t) != 8 ||
	    p->kind < 0 || p->kind >= K_NKINDS || p->k < 0 || p->k > 8)
		return -1;
	return 0;
}

/*
 * Read one line without consuming anything past it (the data that follows
 * must stay unread for the cunread and sunread cases).  1: got it, 0: wait,
 * -1: EOF or error (recorded).
 */
static int read_line(struct ep *e, const char *what)
{
	char buf[LINE_MAX_LEN];
	ssize_t n;
	char *nl;

	n = recv(e->fd, buf, sizeof(buf) - 1, MSG_PEEK);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0) {
		set_result(e, what, n < 0 ? errno : ENOTCONN);
		return -1;
	}
	nl = memchr(buf, '\n', n);
	if (!nl) {
		if (n == (ssize_t)sizeof(buf) - 1) {
			set_result(e, what, EPROTO);
			return -1;
		}
		return 0;	/* the rest of the line is on its way */
	}
	n = recv(e->fd, e->hdr, nl - buf + 1, 0);
	if (n != nl - buf + 1) {
		set_result(e, what, n < 0 ? errno : EPROTO);
		return -1;
	}
	e->hdr[n - 1] = 0;
	e->hdrlen = n;
	return 1;
}

/*
 * Write bytes e->done .. @total of @prefix (@plen bytes) followed by
 * filler: 1 done, 0 wait, -1 error (recorded).
 */
static int write_some(struct ep *e, const char *prefix, long long plen,
		      long long total)
{
	long long chunk;
	const char *p;
	ssize_t n;

	while (e->done < total) {
		if (e->done < plen) {
			p = prefix + e->done;
			chunk = plen - e->done;
		} else {
			p = filler;
			chunk = total - e->done;
			if (chunk > (long long)sizeof(filler))
				chunk = sizeof(filler);
		}
		n = send(e->fd, p, chunk, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			set_result(e, "write", errno);
			return -1;
		}
		e->done += n;
	}
	return 1;
}

static void run(struct ep *e)
{
	long long now = now_ns();
	char buf[4096];
	socklen_t len;
	int r, err, op;
	ssize_t n;

	while (e->active) {
		op = e->ops[e->pc];
		if (!e->entered) {
			e->entered = 1;
			e->done = 0;
			e->probes = 0;
			e->deadline = now + (op == OP_READ_EOF ? PROBE_NS : idle_ns);
			if (op == OP_SLEEP)
				e->deadline = now + e->args[e->pc] * 1000000LL;
			else if (op == OP_UNTIL)
				e->deadline = e->args[e->pc];
			if (op == OP_HDR) {
				/* the header then arg bytes, sent as one write */
				e->hdrlen = snprintf(e->hdr, sizeof(e->hdr),
					"K %d %d %d %d %d %d %d %lld\n",
					e->p.kind, e->p.a, e->p.w, e->p.x,
					e->p.k, e->p.s, e->p.h, e->p.t);
			}
		}
		r = 1;
		switch (op) {
		case OP_CONNECT:
			len = sizeof(err);
			if (getsockopt(e->fd, SOL_SOCKET, SO_ERROR, &err, &len))
				err = errno;
			if (err == EINPROGRESS || err == EALREADY)
				err = 0;
			if (err) {
				set_result(e, "connect", err);
				skip_to_close(e);
				continue;
			}
			/* connected once a peer address is known */
			{
				struct sockaddr_storage ss;

				len = sizeof(ss);
				r = getpeername(e->fd, (void *)&ss, &len) ? 0 : 1;
			}
			break;
		case OP_HDR:
			r = write_some(e, e->hdr, e->hdrlen,
				       e->hdrlen + e->args[e->pc]);
			break;
		case OP_RESP:
			r = write_some(e, "pong\n", 5, 5 + e->args[e->pc]);
			break;
		case OP_WRITE:
			r = write_some(e, NULL, 0, e->args[e->pc]);
			break;
		case OP_READ_HDR:
			r = read_line(e, "read_hdr");
			if (r == 1) {
				if (parse_hdr(e)) {
					set_result(e, "read_hdr", EPROTO);
					e->p.kind = -1;
					r = -1;
					break;
				}
				build_server(e);
			}
			break;
		case OP_READ_LINE:
			r = read_line(e, "read_line");
			break;
		case OP_READ_EOF:
			for (;;) {
				n = recv(e->fd, buf, sizeof(buf), 0);
				if (n > 0) {
					e->deadline = now + PROBE_NS;
					continue;
				}
				if (n < 0 && errno == EAGAIN) {
					r = 0;
				} else if (n < 0) {
					set_result(e, "read_eof", errno);
					r = 1;	/* an error ends the read: go on */
				}
				break;
			}
			break;
		case OP_SLEEP:
		case OP_UNTIL:
			r = now >= e->deadline;
			if (!r) {
				/* not a timeout: wait for the deadline */
				return;
			}
			break;
		case OP_SHUT:
			if (shutdown(e->fd, SHUT_WR))
				set_result(e, "shutdown", errno);
			break;
		case OP_LINGER0: {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			if (setsockopt(e->fd, SOL_SOCKET, SO_LINGER, &lg,
				       sizeof(lg)))
				set_result(e, "linger", errno);
			break;
		}
		case OP_CLOSE:
			ep_end(e);
			return;
		}
		if (r < 0) {
			if (e->nops && e->ops[e->nops - 1] == OP_CLOSE)
				skip_to_close(e);
			else
				ep_end(e);
			continue;
		}
		if (r == 0 && op == OP_READ_EOF && now >= e->deadline &&
		    e->probes < MAX_PROBES) {
			e->probes++;
			e->deadline = now + PROBE_NS;
			if (send(e->fd, "p", 1, MSG_NOSIGNAL) < 0) {
				set_result(e, "probe", errno);
				skip_to_close(e);
				continue;
			}
			return;
		}
		if (r == 0) {
			if (now >= e->deadline) {
				set_result(e, op == OP_CONNECT ? "connect" :
					   op == OP_READ_EOF ? "read_eof" :
					   op == OP_READ_LINE ? "read_line" :
					   op == OP_READ_HDR ? "read_hdr" :
					   "write", 0);
				if (op == OP_READ_HDR)
					ep_end(e);
				else
					skip_to_close(e);
				continue;
			}
			return;
		}
		e->pc++;
		e->entered = 0;
	}
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int nonblock(int fd)
{
	return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Marks a listening socket in epoll (data.ptr is never an ep). */
static struct ep listeners[8];

static int listen_on(int family, int port)
{
	struct sockaddr_storage ss = { .ss_family = family };
	int fd, one = 1;
	socklen_t len;

	fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		len = sizeof(struct sockaddr_in);
	}
	if (bind(fd, (void *)&ss, len) || listen(fd, 4096))
		die("bind/listen");
	nonblock(fd);
	return fd;
}

static int sock_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static void accept_all(struct ep *l)
{
	struct sockaddr_storage peer;
	socklen_t len;
	struct ep *e;
	int fd;

	for (;;) {
		len = sizeof(peer);
		fd = accept4(l->fd, (void *)&peer, &len, SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno != EAGAIN && errno != ECONNABORTED)
				perror("gen: accept");
			if (errno == ECONNABORTED)
				continue;
			return;
		}
		e = ep_new(fd);
		e->server = 1;
		e->p.kind = -1;
		e->p.family = l->p.family;
		e->cport = sock_port(&peer);
		e->sport = l->sport;
		add(e, OP_READ_HDR, 0);
		watch(e);
		run(e);
	}
}

/* Wait for events or the nearest deadline, then run what is due. */
static void loop_once(long long max_wait_ns)
{
	struct epoll_event evs[256];
	long long now = now_ns(), next = now + max_wait_ns;
	int i, n, timeout;

	for (i = 0; i < neps; i++)
		if (eps[i]->active && eps[i]->entered && eps[i]->deadline < next)
			next = eps[i]->deadline;
	timeout = next <= now ? 0 : (int)((next - now + 999999) / 1000000);
	n = epoll_wait(epfd, evs, 256, timeout);
	if (n < 0 && errno != EINTR)
		die("epoll_wait");
	for (i = 0; i < n; i++) {
		struct ep *e = evs[i].data.ptr;

		if (e >= listeners && e < listeners + 8)
			accept_all(e);
		else if (e->active)
			run(e);
	}
	now = now_ns();
	for (i = 0; i < neps; i++)
		if (eps[i]->active && eps[i]->entered && eps[i]->deadline <= now)
			run(eps[i]);
}

static int server_main(int base)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i, n = 0, fam;

	for (i = 0; i < 3; i++) {
		for (fam = 0; fam < 2; fam++) {
			struct ep *l = &listeners[n++];

			l->p.family = fam ? AF_INET6 : AF_INET;
			l->sport = base + i;
			l->fd = listen_on(l->p.family, l->sport);
			ev.data.ptr = l;
			if (epoll_ctl(epfd, EPOLL_CTL_ADD, l->fd, &ev))
				die("epoll_ctl");
		}
	}
	printf("listening %d..%d\n", base, base + 2);
	fflush(stdout);
	while (!stop)
		loop_once(1000000000LL);
	return 0;
}

static void parse_mix(char *s)
{
	char *tok, *eq;
	int k;

	memset(weights, 0, sizeof(weights));
	for (tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		eq = strchr(tok, '=');
		if (!eq)
			usage();
		*eq = 0;
		for (k = 0; k < K_NKINDS; k++)
			if (!strcmp(tok, kind_names[k]))
				break;
		if (k == K_NKINDS) {
			fprintf(stderr, "gen: unknown kind %s\n", tok);
			usage();
		}
		weights[k] = atoi(eq + 1);
	}
}

static int pick_kind(void)
{
	int total = 0, k, r;

	for (k = 0; k < K_NKINDS; k++)
		total += weights[k];
	if (total <= 0)
		usage();
	r = (int)(rnd() % (unsigned long long)total);
	for (k = 0; k < K_NKINDS; k++) {
		if (r < weights[k])
			return k;
		r -= weights[k];
	}
	return K_CCLOSE;
}

struct client_cfg {
	const char *addr4, *addr6;
	long count;
	int conc, rate, cport_base, base, hold_ms, families;
};

/* The parameters of connection @id, all drawn from the seeded generator. */
static void draw(struct params *p, const struct client_cfg *c)
{
	p->kind = pick_kind();
	p->family = c->families == 4 ? AF_INET : c->families == 6 ? AF_INET6 :
		    (rnd() & 1) ? AF_INET6 : AF_INET;
	p->a = rnd_in(0, 100);
	p->w = rnd_in(0, 9) < 3 ? 0 : rnd_in(1, 300);
	p->x = rnd_in(0, 9) < 8 ? rnd_in(1, 3000) : rnd_in(3001, 60000);
	p->k = rnd_in(1, 3);
	p->s = rnd_in(0, 50);
	p->h = 0;
	p->t = rnd_in(150, 400);	/* ms after the connect, for simul */
	if (p->kind == K_HOLD)
		p->h = c->hold_ms;
	if (p->kind == K_VSRV || p->kind == K_VCLI)
		p->w = rnd_in(200, 400);
}

static void start_one(const struct client_cfg *c, long id)
{
	struct sockaddr_storage dst = {}, src = {};
	struct params p;
	socklen_t len;
	struct ep *e;
	int fd, one = 1, sport;

	draw(&p, c);
	sport = c->base;
	if (p.kind == K_VSRV)
		sport = c->base + 1;
	else if (p.kind == K_VCLI)
		sport = c->base + 2;
	else if (p.kind == K_REFUSED)
		sport = c->base + 3;
	dst.ss_family = src.ss_family = p.family;
	if (p.family == AF_INET6) {
		struct sockaddr_in6 *d = (void *)&dst, *s = (void *)&src;

		if (inet_pton(AF_INET6, c->addr6, &d->sin6_addr) != 1)
			usage();
		d->sin6_port = htons(sport);
		s->sin6_port = htons(c->cport_base + id);
		len = sizeof(*d);
	} else {
		struct sockaddr_in *d = (void *)&dst, *s = (void *)&src;

		if (inet_pton(AF_INET, c->addr4, &d->sin_addr) != 1)
			usage();
		d->sin_port = htons(sport);
		s->sin_port = htons(c->cport_base + id);
		len = sizeof(*d);
	}
	fd = socket(p.family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	e = ep_new(fd);
	e->id = id;
	e->p = p;
	e->cport = c->cport_base + id;
	e->sport = sport;
	if (p.kind == K_SIMUL)
		e->p.t = now_ns() + p.t * 1000000LL;
	build_client(e);
	if (bind(fd, (void *)&src, len)) {
		set_result(e, "bind", errno);
		ep_end(e);
		return;
	}
	if (connect(fd, (void *)&dst, len) && errno != EINPROGRESS) {
		set_result(e, "connect", errno);
		skip_to_close(e);
	}
	watch(e);
	run(e);
}

static int active_count(void)
{
	int i, n = 0;

	for (i = 0; i < neps; i++)
		n += eps[i]->active;
	return n;
}

static int client_main(const struct client_cfg *c)
{
	long started = 0;
	long long t0 = now_ns(), next_start = t0;
	int k;

	while (!stop && (started < c->count || active_count())) {
		while (started < c->count && active_count() < c->conc &&
		       now_ns() >= next_start) {
			start_one(c, started++);
			if (c->rate > 0)
				next_start = t0 + started * 1000000000LL / c->rate;
		}
		loop_once(started < c->count && c->rate > 0 ?
			  (next_start > now_ns() ? next_start - now_ns() : 0) :
			  1000000000LL);
	}
	printf("summary started=%ld done=%ld secs=%.1f", started, done_count,
	       (now_ns() - t0) / 1e9);
	for (k = 0; k < K_NKINDS; k++)
		printf(" %s=%ld", kind_names[k], kind_done[k]);
	printf("\n");
	return done_count == c->count ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct client_cfg c = { .count = 1000, .conc = 64, .cport_base = 10000,
				.base = 5000, .hold_ms = 8000, .families = 46 };
	unsigned long long seed = 0;
	int server, opt, have_seed = 0;
	struct sigaction sa = { .sa_handler = on_signal };

	if (argc < 2)
		usage();
	server = !strcmp(argv[1], "server");
	if (!server && strcmp(argv[1], "client"))
		usage();
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "p:i:4:6:s:n:c:r:P:H:m:F:")) != -1) {
		switch (opt) {
		case 'p': c.base = atoi(optarg); break;
		case 'i': idle_ns = atoll(optarg) * 1000000LL; break;
		case '4': c.addr4 = optarg; break;
		case '6': c.addr6 = optarg; break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			have_seed = 1;
			break;
		case 'n': c.count = atol(optarg); break;
		case 'c': c.conc = atoi(optarg); break;
		case 'r': c.rate = atoi(optarg); break;
		case 'P': c.cport_base = atoi(optarg); break;
		case 'H': c.hold_ms = atoi(optarg); break;
		case 'm': parse_mix(optarg); break;
		case 'F': c.families = atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || c.base <= 0 || c.base > 65532 || c.conc <= 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(filler, 'x', sizeof(filler));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	epfd = epoll_create1(0);
	if (epfd < 0)
		die("epoll_create1");
	if (server)
		return server_main(c.base);
	if (!c.addr4 || !c.addr6 || c.count <= 0 ||
	    c.cport_base + c.count - 1 > 65535 ||
	    (c.families != 4 && c.families != 6 && c.families != 46))
		usage();
	if (!have_seed)
		seed = (unsigned long long)now_ns() ^ ((unsigned long long)getpid() << 32);
	rng_state = seed;
	printf("seed %llu\n", seed);
	return client_main(&c);
}
