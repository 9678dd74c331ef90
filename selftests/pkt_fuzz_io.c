// SPDX-License-Identifier: GPL-2.0
/*
 * pkt_fuzz_io: the fast half of pkt_fuzz.sh; pkt_fuzz.py built the packets.
 *
 *   pkt_fuzz_io send FILE CLIENT_NS ROUTER_NS
 *	Send every record of FILE (pkt_fuzz.py's frames.bin: a socket byte,
 *	a 16-bit big-endian length, the bytes), in order, on its socket:
 *	  0 packet socket on CLIENT_NS's veth1     (Ethernet frames)
 *	  1 raw IPv4 socket (IP_HDRINCL) in CLIENT_NS, mark 0x7a1
 *	  2 raw IPv6 socket (IPPROTO_RAW) in CLIENT_NS, mark 0x7a1
 *	  3 packet socket on ROUTER_NS's veth2     (Ethernet frames)
 *	  4 packet socket on ROUTER_NS's veth1     (Ethernet frames)
 *	The namespaces are those of "ip netns" (/run/netns/NAME).  Prints
 *	"sent N errors E seconds S" and the errors by socket.
 *
 *   pkt_fuzz_io cap IFNAME OUTFILE READYFILE
 *	Read every frame IFNAME receives until SIGTERM; for each IPv4 or IPv6
 *	one with a non-zero DSCP, write the 64-bit FNV-1a hash of its IP
 *	packet, TTL (hop limit) and IPv4 header checksum zeroed, as 16 hex
 *	digits a line.  Creates READYFILE once reading; prints "captured N
 *	dropped D" (D: the socket's own drops) at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NSOCK		5
#define FUZZ_MARK	0x7a1
#define RCVBUF		(256 << 20)

struct out {
	int fd;
	int family;		/* AF_PACKET, AF_INET, AF_INET6 */
	int ifindex;
	unsigned long sent, errors;
	int last_errno;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void enter_ns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

static void open_packet(struct out *o, const char *ifname)
{
	o->family = AF_PACKET;
	o->fd = socket(AF_PACKET, SOCK_RAW, 0);
	o->ifindex = if_nametoindex(ifname);
	if (o->fd < 0 || !o->ifindex)
		die(ifname);
}

static void open_raw(struct out *o, int family)
{
	int mark = FUZZ_MARK;

	o->family = family;
	o->fd = socket(family, SOCK_RAW, IPPROTO_RAW);
	if (o->fd < 0)
		die("raw socket");
	if (setsockopt(o->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		die("SO_MARK");
}

static int send_one(struct out *o, const uint8_t *b, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_ll *ll = (void *)&ss;
	struct sockaddr_in *in = (void *)&ss;
	struct sockaddr_in6 *in6 = (void *)&ss;
	socklen_t sl;

	switch (o->family) {
	case AF_PACKET:
		if (len < ETH_HLEN)
			return -1;
		ll->sll_family = AF_PACKET;
		ll->sll_ifindex = o->ifindex;
		ll->sll_halen = ETH_ALEN;
		memcpy(ll->sll_addr, b, ETH_ALEN);
		sl = sizeof(*ll);
		break;
	case AF_INET:
		if (len < 20)
			return -1;
		in->sin_family = AF_INET;
		memcpy(&in->sin_addr, b + 16, 4);
		sl = sizeof(*in);
		break;
	default:
		if (len < 40)
			return -1;
		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, b + 24, 16);
		sl = sizeof(*in6);
		break;
	}
	return sendto(o->fd, b, len, 0, (struct sockaddr *)&ss, sl) ==
	       (ssize_t)len ? 0 : -1;
}

static int do_send(const char *file, const char *cns, const char *rns)
{
	static uint8_t buf[65536];
	struct out o[NSOCK];
	unsigned long sent = 0, errors = 0;
	double t0;
	FILE *f;
	int i, s, len;

	f = fopen(file, "rb");
	if (!f)
		die(file);
	enter_ns(cns);
	open_packet(&o[0], "veth1");
	open_raw(&o[1], AF_INET);
	open_raw(&o[2], AF_INET6);
	enter_ns(rns);
	open_packet(&o[3], "veth2");
	open_packet(&o[4], "veth1");
	for (i = 0; i < NSOCK; i++)
		o[i].sent = o[i].errors = 0;
	t0 = now_s();
	while ((s = fgetc(f)) != EOF) {
		uint8_t lb[2];

		if (fread(lb, 1, 2, f) != 2)
			break;
		len = lb[0] << 8 | lb[1];
		if (s >= NSOCK || fread(buf, 1, len, f) != (size_t)len) {
			fprintf(stderr, "pkt_fuzz_io: bad record %lu\n", sent);
			return 1;
		}
		if (send_one(&o[s], buf, len)) {
			o[s].errors++;
			o[s].last_errno = errno;
			errors++;
		} else {
			o[s].sent++;
		}
		sent++;
	}
	printf("sent %lu errors %lu seconds %.1f\n", sent, errors, now_s() - t0);
	for (i = 0; i < NSOCK; i++)
		if (o[i].errors)
			printf("socket %d: %lu errors, last: %s\n", i,
			       o[i].errors, strerror(o[i].last_errno));
	return 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t fnv(const uint8_t *b, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* The IP packet at @ip if tagged (non-zero DSCP), normalised: its hash. */
static int cap_hash(uint8_t *ip, size_t len, int v6, uint64_t *h)
{
	unsigned int dscp;

	if (len < 2)
		return 0;
	dscp = v6 ? ((ip[0] & 15) << 2 | ip[1] >> 6) : ip[1] >> 2;
	if (!dscp)
		return 0;
	if (!v6 && len >= 12)
		ip[8] = ip[10] = ip[11] = 0;
	else if (v6 && len >= 8)
		ip[7] = 0;
	*h = fnv(ip, len);
	return 1;
}

static int do_cap(const char *ifname, const char *file, const char *ready)
{
	static uint8_t buf[65536];
	struct sockaddr_ll ll = { 0 }, from;
	struct tpacket_stats st;
	socklen_t sl = sizeof(st), fl;
	unsigned long n = 0, dropped = 0;
	int fd, rcv = RCVBUF;
	struct pollfd pfd;
	FILE *out;
	ssize_t len;
	uint64_t h;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	out = fopen(file, "w");
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (!out || fd < 0)
		die("cap");
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ALL);
	ll.sll_ifindex = if_nametoindex(ifname);
	if (!ll.sll_ifindex || bind(fd, (struct sockaddr *)&ll, sizeof(ll)))
		die(ifname);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		die("SO_RCVBUFFORCE");
	close(open(ready, O_CREAT | O_WRONLY, 0644));
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 200) <= 0) {
			if (stop)
				break;
			continue;
		}
		fl = sizeof(from);
		len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
			       (struct sockaddr *)&from, &fl);
		if (len < ETH_HLEN || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (buf[12] == 0x08 && buf[13] == 0x00) {
			if (!cap_hash(buf + ETH_HLEN, len - ETH_HLEN, 0, &h))
				continue;
		} else if (buf[12] == 0x86 && buf[13] == 0xdd) {
			if (!cap_hash(buf + ETH_HLEN, len - ETH_HLEN, 1, &h))
				continue;
		} else {
			continue;
		}
		fprintf(out, "%016llx\n", (unsigned long long)h);
		n++;
	}
	if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl))
		dropped = st.tp_drops;
	fclose(out);
	printf("captured %lu dropped %lu\n", n, dropped);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "cap"))
		return do_cap(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: pkt_fuzz_io send FILE CLIENT_NS ROUTER_NS\n"
			"       pkt_fuzz_io cap IFNAME OUTFILE READYFILE\n");
	return 2;
}
