// SPDX-License-Identifier: GPL-2.0
/*
 * The SYN flood detector (Documentation/attacks.rst).  Per netns, up to
 * TCPCLOSE_LISTENERS listeners (the address and port SYNs are sent to),
 * each with the rate of its unanswered SYNs: the SYNs that started a flow,
 * less the handshakes that completed, over a sliding window of one second
 * (two fixed windows, the older one weighted by how much of it the sliding
 * window still covers).  A flood starts when the rate reaches
 * syn_flood_threshold and ends when it falls under half of it; each start
 * is counted (syn_flood_detected), and both are sent to group events.
 *
 * Locking: one spinlock per netns, taken with BHs off, guards the slots;
 * events are sent after it is dropped.
 */
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/net.h>
#include <linux/siphash.h>
#include <net/ipv6.h>

#include "counters.h"
#include "flows.h"
#include "netlink.h"
#include "netns.h"
#include "params.h"
#include "synflood.h"

#define TCPCLOSE_FLOOD_WINDOW	HZ	/* the rate is per second */
#define TCPCLOSE_LISTENER_PROBE	8	/* slots a listener may sit in */

static siphash_key_t tcpclose_listener_key __read_mostly;

void tcpclose_synflood_init(struct tcpclose_synflood *sf)
{
	net_get_random_once(&tcpclose_listener_key,
			    sizeof(tcpclose_listener_key));
	spin_lock_init(&sf->lock);
}

static bool tcpclose_listener_is(const struct tcpclose_listener *l,
				 const struct in6_addr *addr, __be16 port,
				 u8 family)
{
	return l->family == family && l->port == port &&
	       ipv6_addr_equal(&l->addr, addr);
}

/*
 * The slot of a listener, or NULL.  With @create, a free slot, else the
 * least recently used one that is not flooding, is taken for it.
 */
static struct tcpclose_listener *
tcpclose_listener_find(struct tcpclose_synflood *sf,
		       const struct in6_addr *addr, __be16 port, u8 family,
		       bool create, u32 now)
{
	struct tcpclose_listener *l, *victim = NULL;
	u32 h = (u32)siphash_3u32((__force u32)addr->s6_addr32[3] ^
				  (__force u32)addr->s6_addr32[2],
				  (__force u32)addr->s6_addr32[1] ^
				  (__force u32)addr->s6_addr32[0],
				  (__force u32)port << 8 | family,
				  &tcpclose_listener_key);
	unsigned int i;

	lockdep_assert_held(&sf->lock);
	for (i = 0; i < TCPCLOSE_LISTENER_PROBE; i++) {
		l = &sf->slot[(h + i) % TCPCLOSE_LISTENERS];
		if (tcpclose_listener_is(l, addr, port, family))
			return l;
		if (!l->flooding &&
		    (!victim || !l->family ||
		     (victim->family && time_before32(l->last, victim->last))))
			victim = l;
	}
	if (!create || !victim)
		return NULL;
	*victim = (struct tcpclose_listener){
		.addr = *addr, .port = port, .family = family,
		.last = now, .win_start = now,
	};
	return victim;
}

/* Move the window on to @now. */
static void tcpclose_listener_roll(struct tcpclose_listener *l, u32 now)
{
	u32 age = now - l->win_start;

	if (age < TCPCLOSE_FLOOD_WINDOW)
		return;
	l->prev = age < 2 * TCPCLOSE_FLOOD_WINDOW ? l->cur : 0;
	l->cur = 0;
	l->win_start = now - age % TCPCLOSE_FLOOD_WINDOW;
}

/* Unanswered SYNs over the last second, once rolled to @now. */
static u32 tcpclose_listener_rate(const struct tcpclose_listener *l, u32 now)
{
	u32 into = now - l->win_start;
	s64 r = l->cur + div_s64((s64)l->prev *
				 (TCPCLOSE_FLOOD_WINDOW - into),
				 TCPCLOSE_FLOOD_WINDOW);

	return r > 0 ? min_t(s64, r, U32_MAX) : 0;
}

static void tcpclose_flood_note(struct tcpclose_flood_event *ev,
				const struct tcpclose_listener *l, u32 rate,
				u32 threshold, u32 now)
{
	ev->l = *l;
	ev->rate = rate;
	ev->threshold = threshold;
	ev->duration_ms = l->flooding ? 0 :
			  jiffies_to_msecs(now - l->flood_start);
}

/* One more SYN to @l: whether it started a flood (then @ev is filled). */
static bool tcpclose_listener_syn(struct tcpclose_listener *l, u32 now,
				  u32 threshold, struct tcpclose_flood_event *ev)
{
	u32 rate;

	tcpclose_listener_roll(l, now);
	l->cur++;
	l->last = now;
	l->flood_syns++;
	rate = tcpclose_listener_rate(l, now);
	if (l->flooding || rate < threshold)
		return false;
	l->flooding = true;
	l->flood_start = now;
	l->flood_syns = 1;
	tcpclose_flood_note(ev, l, rate, threshold, now);
	return true;
}

/* A SYN that starts a flow, to the listener @key->dst, @key->dport. */
void tcpclose_synflood_syn(struct net *net, struct tcpclose_net *tn,
			   const struct tcpclose_key *key,
			   unsigned int vantage)
{
	u32 threshold = tcpclose_param_get(&tcpclose_syn_flood_threshold);
	struct tcpclose_synflood *sf = &tn->synflood;
	struct tcpclose_flood_event ev;
	struct tcpclose_listener *l;
	u32 now = (u32)jiffies;
	bool started = false;

	spin_lock_bh(&sf->lock);
	l = tcpclose_listener_find(sf, &key->dst, key->dport, key->family,
				   true, now);
	if (l) {
		l->vantage = vantage;
		started = tcpclose_listener_syn(l, now, threshold, &ev);
		if (started)
			WRITE_ONCE(sf->floods, sf->floods + 1);
	}
	spin_unlock_bh(&sf->lock);
	if (!started)
		return;
	tcpclose_count(tn->stats, TCPCLOSE_CNT_SYN_FLOOD_DETECTED);
	tcpclose_nl_syn_flood(net, &ev);
}

/* @flow, locked by the caller, completed its handshake. */
void tcpclose_synflood_done(struct tcpclose_net *tn,
			    const struct tcpclose_flow *flow)
{
	struct tcpclose_synflood *sf = &tn->synflood;
	unsigned int resp = !flow->fsm.initiator;
	struct tcpclose_listener *l;
	u32 now = (u32)jiffies;

	lockdep_assert_held(&flow->lock);
	if (flow->fsm.initiator > TCPCLOSE_SIDE_B)
		return;
	spin_lock_bh(&sf->lock);
	l = tcpclose_listener_find(sf, &flow->addr[resp], flow->port[resp],
				   flow->family, false, now);
	if (l) {
		tcpclose_listener_roll(l, now);
		l->cur--;
	}
	spin_unlock_bh(&sf->lock);
}

/* Slot @i's flood, if it ended by @now: the event to send.  Locked. */
static bool tcpclose_flood_ended(struct tcpclose_synflood *sf, unsigned int i,
				 u32 threshold, u32 now,
				 struct tcpclose_flood_event *ev)
{
	struct tcpclose_listener *l = &sf->slot[i];
	u32 rate;

	lockdep_assert_held(&sf->lock);
	if (!l->flooding)
		return false;
	tcpclose_listener_roll(l, now);
	rate = tcpclose_listener_rate(l, now);
	if (rate >= threshold / 2 && rate)
		return false;
	l->flooding = false;
	WRITE_ONCE(sf->floods, sf->floods - 1);
	tcpclose_flood_note(ev, l, rate, threshold, now);
	return true;
}

/*
 * From the GC, every half second or more often: end the floods that are
 * over.  Without a flood, one read: floods is written under the lock.
 */
void tcpclose_synflood_tick(struct net *net, struct tcpclose_net *tn)
{
	u32 threshold = tcpclose_param_get(&tcpclose_syn_flood_threshold);
	struct tcpclose_synflood *sf = &tn->synflood;
	struct tcpclose_flood_event ev;
	u32 now = (u32)jiffies;
	unsigned int i;
	bool ended;

	if (!READ_ONCE(sf->floods))
		return;
	for (i = 0; i < TCPCLOSE_LISTENERS; i++) {
		spin_lock_bh(&sf->lock);
		ended = tcpclose_flood_ended(sf, i, threshold, now, &ev);
		spin_unlock_bh(&sf->lock);
		if (ended)
			tcpclose_nl_syn_flood(net, &ev);
	}
}
