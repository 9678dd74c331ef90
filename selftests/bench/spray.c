// SPDX-License-Identifier: GPL-2.0
/*
 * spray: SYNs of many distinct IPv4 flows, written straight to a link
 * through a packet socket, to fill a router's flow table fast (make bench).
 *
 *   spray IFNAME DSTMAC COUNT            one SYN for each flow 0..COUNT-1
 *   spray IFNAME DSTMAC COUNT -r N       N SYNs, each of a random flow
 *                                        among 0..COUNT-1 (lookups)
 *
 * Flow i goes from 10.128.0.0 + i, port 1024 + i % 60000, to
 * 10.200.0.1:80; the same i always gives the same segment, so a second
 * SYN of a flow is a retransmission of its first.  Prints what it sent
 * and its rate on stdout.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		256
#define SPRAY_MAX	(1u << 23)	/* within 10.128.0.0/9 */

struct pkt {
	struct iphdr ip;
	struct tcphdr tcp;
};

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint16_t *w = data;

	for (; len > 1; len -= 2)
		sum += *w++;
	return sum;
}

/* The SYN of flow @i. */
static void build(struct pkt *p, uint32_t i)
{
	uint32_t sum;

	memset(p, 0, sizeof(*p));
	p->ip.version = 4;
	p->ip.ihl = 5;
	p->ip.tot_len = htons(sizeof(*p));
	p->ip.ttl = 64;
	p->ip.protocol = IPPROTO_TCP;
	p->ip.saddr = htonl(0x0a800000u + i);
	p->ip.daddr = htonl(0x0ac80001u);
	p->ip.check = csum_fold(csum_add(0, &p->ip, sizeof(p->ip)));
	p->tcp.source = htons(1024 + i % 60000);
	p->tcp.dest = htons(80);
	p->tcp.seq = htonl(i * 2654435761u);
	p->tcp.doff = 5;
	p->tcp.syn = 1;
	p->tcp.window = htons(64240);
	sum = csum_add(0, &p->ip.saddr, 8);
	sum += htons(IPPROTO_TCP) + htons(sizeof(p->tcp));
	p->tcp.check = csum_fold(csum_add(sum, &p->tcp, sizeof(p->tcp)));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1],
		      &mac[2], &mac[3], &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static uint64_t rng = 88172645463325252ull;

static uint32_t next_flow(uint32_t count)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % count);
}

/* Send @total SYNs: flow k, or a random flow when @random. */
static int spray(int fd, struct sockaddr_ll *to, uint32_t count,
		 unsigned long total, int random)
{
	static struct pkt pkts[BATCH];
	static struct iovec iov[BATCH];
	static struct mmsghdr msg[BATCH];
	unsigned long sent = 0;
	int i, n;

	while (sent < total) {
		n = total - sent < BATCH ? (int)(total - sent) : BATCH;
		for (i = 0; i < n; i++) {
			build(&pkts[i], random ? next_flow(count) :
			      (uint32_t)(sent + i));
			iov[i] = (struct iovec){ &pkts[i], sizeof(pkts[i]) };
			msg[i].msg_hdr = (struct msghdr){
				.msg_name = to, .msg_namelen = sizeof(*to),
				.msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		n = sendmmsg(fd, msg, n, 0);
		if (n <= 0) {
			perror("spray: sendmmsg");
			return -1;
		}
		sent += n;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: spray IFNAME DSTMAC COUNT [-r N]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_IP),
				  .sll_halen = ETH_ALEN };
	unsigned long count, total;
	double t0, t;
	int fd;

	if ((argc != 4 && !(argc == 6 && !strcmp(argv[4], "-r"))) ||
	    parse_mac(argv[2], to.sll_addr))
		return usage();
	count = strtoul(argv[3], NULL, 0);
	total = argc == 6 ? strtoul(argv[5], NULL, 0) : count;
	if (!count || count > SPRAY_MAX) {
		fprintf(stderr, "spray: COUNT must be 1..%u\n", SPRAY_MAX);
		return 2;
	}
	to.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (!to.sll_ifindex) {
		fprintf(stderr, "spray: no interface %s\n", argv[1]);
		return 1;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0) {
		perror("spray: socket");
		return 1;
	}
	t0 = now_s();
	if (spray(fd, &to, (uint32_t)count, total, argc == 6))
		return 1;
	t = now_s() - t0;
	printf("%lu SYNs in %.2f s, %.0f/s\n", total, t, total / t);
	close(fd);
	return 0;
}
