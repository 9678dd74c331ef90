// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table: one rhashtable per netns, keyed by the tuple with both
 * directions hashing alike (siphash under a random key), entries from a
 * dedicated slab cache, at most max_flows entries over all netns.
 *
 * Locking: lookups are lock-free under RCU (hooks run under
 * rcu_read_lock).  Insertion and removal take the rhashtable's per-bucket
 * locks.  A flow's own fields are written under flow->lock with BHs off,
 * since both the hooks (softirq or process context) and the GC worker
 * touch them.  A removed flow is marked TCPCLOSE_FL_DEAD under its lock and
 * freed after an RCU grace period.
 */
#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/jiffies.h>
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/ipv6.h>

#include "flows.h"
#include "mirror.h"
#include "netns.h"
#include "params.h"

/* Entries sampled to choose a victim when the table is full. */
#define TCPCLOSE_EVICT_SAMPLE	32
/*
 * A cache of its own, never merged with another of the same size, so that
 * /proc/slabinfo shows what the flows take (SLAB_NO_MERGE: 6.5 and later;
 * 6.1 merges only caches with the same constructor and flags).
 */
#ifdef SLAB_NO_MERGE
#define TCPCLOSE_SLAB_FLAGS	SLAB_NO_MERGE
#else
#define TCPCLOSE_SLAB_FLAGS	0
#endif

/* Evictions one new flow may make when other CPUs race it for the room. */
#define TCPCLOSE_EVICT_TRIES	4

/*
 * A flow takes two 64-byte cache lines (Documentation/flows.rst).  Lock
 * debugging and PREEMPT_RT make spinlock_t larger, and the flow with it.
 */
#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC) && \
	!defined(CONFIG_PREEMPT_RT)
static_assert(sizeof(struct tcpclose_flow) <= 128);
#endif

static struct kmem_cache *tcpclose_flow_cache __read_mostly;
static siphash_key_t tcpclose_hash_key __read_mostly;
static atomic_t tcpclose_nflows = ATOMIC_INIT(0);

/* The two endpoints in a fixed order, so that both directions hash alike. */
struct tcpclose_hash_input {
	struct in6_addr lo, hi;
	__be16 plo, phi;
	u32 mix;		/* family and the table's seed */
} __aligned(SIPHASH_ALIGNMENT);

/* IPv4 (v4-mapped): 16 bytes to hash, not 40; half the SipHash rounds. */
static u32 tcpclose_hash_v4(__be32 a, __be16 pa, __be32 b, __be16 pb,
			    u32 mix)
{
	u32 lo = (__force u32)a, hi = (__force u32)b;

	if (lo > hi || (lo == hi && (__force u16)pa > (__force u16)pb)) {
		swap(lo, hi);
		swap(pa, pb);
	}
	return (u32)siphash_4u32(lo, hi, (u32)(__force u16)pa << 16 |
				 (__force u16)pb, mix, &tcpclose_hash_key);
}

static u32 tcpclose_hash_pair(const struct in6_addr *a, __be16 pa,
			      const struct in6_addr *b, __be16 pb,
			      u32 family, u32 seed)
{
	struct tcpclose_hash_input in;
	int c;

	if (family == AF_INET)
		return tcpclose_hash_v4(a->s6_addr32[3], pa, b->s6_addr32[3],
					pb, family ^ seed);
	c = memcmp(a, b, sizeof(*a));
	if (c > 0 || (!c && (__force u16)pa > (__force u16)pb)) {
		swap(a, b);
		swap(pa, pb);
	}
	in.lo = *a;
	in.hi = *b;
	in.plo = pa;
	in.phi = pb;
	in.mix = family ^ seed;
	return (u32)siphash(&in, sizeof(in), &tcpclose_hash_key);
}

static u32 tcpclose_key_hashfn(const void *data, u32 len, u32 seed)
{
	const struct tcpclose_key *k = data;

	return tcpclose_hash_pair(&k->src, k->sport, &k->dst, k->dport,
				  k->family, seed);
}

static u32 tcpclose_flow_hashfn(const void *data, u32 len, u32 seed)
{
	const struct tcpclose_flow *f = data;

	return tcpclose_hash_pair(&f->addr[0], f->port[0], &f->addr[1],
				  f->port[1], f->family, seed);
}

static bool tcpclose_end_eq(const struct tcpclose_flow *f, unsigned int side,
			    const struct in6_addr *addr, __be16 port)
{
	return f->port[side] == port && ipv6_addr_equal(&f->addr[side], addr);
}

unsigned int tcpclose_flow_side(const struct tcpclose_flow *flow,
				const struct tcpclose_key *key)
{
	return tcpclose_end_eq(flow, TCPCLOSE_SIDE_A, &key->src, key->sport) ?
	       TCPCLOSE_SIDE_A : TCPCLOSE_SIDE_B;
}

static int tcpclose_flow_cmpfn(struct rhashtable_compare_arg *arg,
			       const void *obj)
{
	const struct tcpclose_key *k = arg->key;
	const struct tcpclose_flow *f = obj;
	unsigned int a = tcpclose_flow_side(f, k);

	if (f->family != k->family)
		return 1;
	return !(tcpclose_end_eq(f, a, &k->src, k->sport) &&
		 tcpclose_end_eq(f, !a, &k->dst, k->dport));
}

static const struct rhashtable_params tcpclose_flow_params = {
	.head_offset = offsetof(struct tcpclose_flow, node),
	.key_len = sizeof(struct tcpclose_key),
	.hashfn = tcpclose_key_hashfn,
	.obj_hashfn = tcpclose_flow_hashfn,
	.obj_cmpfn = tcpclose_flow_cmpfn,
	.automatic_shrinking = true,
};

struct tcpclose_flow *tcpclose_flow_lookup(struct tcpclose_net *tn,
					   const struct tcpclose_key *key)
{
	return rhashtable_lookup(&tn->flows, key, tcpclose_flow_params);
}

static void tcpclose_flow_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(tcpclose_flow_cache,
			container_of(head, struct tcpclose_flow, rcu));
}

/* Take @flow out of the table; it is freed after a grace period. */
void tcpclose_flow_unlink(struct net *net, struct tcpclose_net *tn,
			  struct tcpclose_flow *flow)
{
	lockdep_assert_held(&flow->lock);

	if (flow->flags & TCPCLOSE_FL_DEAD)
		return;
	flow->flags |= TCPCLOSE_FL_DEAD;
	tcpclose_mirror_forget(net, tn, flow);
	rhashtable_remove_fast(&tn->flows, &flow->node, tcpclose_flow_params);
	atomic_dec(&tcpclose_nflows);
	call_rcu(&flow->rcu, tcpclose_flow_free_rcu);
}

/* Eviction class: lower goes first (Documentation/flows.rst). */
static unsigned int tcpclose_evict_class(const struct tcpclose_flow *f)
{
	unsigned int a = READ_ONCE(f->fsm.state[0]);
	unsigned int b = READ_ONCE(f->fsm.state[1]);

	if (READ_ONCE(f->fsm.verdict) || a == TCPCLOSE_TIME_WAIT ||
	    b == TCPCLOSE_TIME_WAIT)
		return 0;
	if (a == TCPCLOSE_SYN_SENT || a == TCPCLOSE_SYN_RECV ||
	    b == TCPCLOSE_SYN_SENT || b == TCPCLOSE_SYN_RECV)
		return 1;
	return 2;
}

/* Is @f a better victim than @best: lower class, else seen less lately. */
static bool tcpclose_evict_better(const struct tcpclose_flow *f,
				  const struct tcpclose_flow *best)
{
	unsigned int cf = tcpclose_evict_class(f);
	unsigned int cb;
	u32 sf, sb;

	if (!best)
		return true;
	cb = tcpclose_evict_class(best);
	if (cf != cb)
		return cf < cb;
	sf = max_t(u32, READ_ONCE(f->last_seen[0]), READ_ONCE(f->last_seen[1]));
	sb = max_t(u32, READ_ONCE(best->last_seen[0]),
		   READ_ONCE(best->last_seen[1]));
	return time_before32(sf, sb);
}

/* Sample entries of @tbl from a random bucket on; the best victim. */
static struct tcpclose_flow *tcpclose_evict_sample(struct bucket_table *tbl)
{
	struct tcpclose_flow *f, *best = NULL;
	struct rhash_head *pos;
	unsigned int i, b, seen = 0;

	b = reciprocal_scale(get_random_u32(), tbl->size);
	for (i = 0; i < tbl->size && seen < TCPCLOSE_EVICT_SAMPLE; i++) {
		rht_for_each_entry_rcu(f, pos, tbl, (b + i) & (tbl->size - 1),
				       node) {
			if (tcpclose_evict_better(f, best))
				best = f;
			seen++;
		}
	}
	return best;
}

/*
 * The victim, under RCU.  While the table is resized its entries move to
 * the next table: look there if the current one is already empty.
 */
static struct tcpclose_flow *tcpclose_evict_pick(struct tcpclose_net *tn)
{
	struct tcpclose_flow *best = NULL;
	struct bucket_table *tbl;

	for (tbl = rht_dereference_rcu(tn->flows.tbl, &tn->flows);
	     tbl && !best;
	     tbl = rht_dereference_rcu(tbl->future_tbl, &tn->flows))
		best = tcpclose_evict_sample(tbl);
	return best;
}

/* Evict one flow of @tn, if it finds one still linked.  Under RCU. */
static void tcpclose_evict_one(struct net *net, struct tcpclose_net *tn)
{
	struct tcpclose_flow *victim = tcpclose_evict_pick(tn);

	if (!victim)
		return;
	spin_lock_bh(&victim->lock);
	BUILD_BUG_ON(TCPCLOSE_CNT_EVICTED_ESTABLISHED -
		     TCPCLOSE_CNT_EVICTED_ENDED != 2);
	if (!(victim->flags & TCPCLOSE_FL_DEAD))
		tcpclose_count(tn->stats, TCPCLOSE_CNT_EVICTED_ENDED +
			       tcpclose_evict_class(victim));
	tcpclose_mirror_evict(net, tn, victim);
	tcpclose_flow_unlink(net, tn, victim);
	spin_unlock_bh(&victim->lock);
}

/*
 * Room for one more flow: under max_flows, or after evicting one here.  A
 * flow created on another CPU meanwhile may take the room an eviction
 * made, or the victim may have gone meanwhile: try again, a few times.
 */
static bool tcpclose_flow_room(struct net *net, struct tcpclose_net *tn)
{
	unsigned int max = tcpclose_param_get(&tcpclose_max_flows);
	unsigned int tries;

	if (atomic_inc_return(&tcpclose_nflows) <= max)
		return true;
	for (tries = 0; tries < TCPCLOSE_EVICT_TRIES; tries++) {
		tcpclose_evict_one(net, tn);
		if (atomic_read(&tcpclose_nflows) <= max)
			return true;
	}
	atomic_dec(&tcpclose_nflows);
	return false;
}

/*
 * A new flow whose side A sent the packet of @key, not yet in the table
 * (the caller initialises its mirror, then inserts it), or NULL when the
 * table is full of flows that cannot be evicted, or memory is short.
 */
struct tcpclose_flow *tcpclose_flow_create(struct net *net,
					   struct tcpclose_net *tn,
					   const struct tcpclose_key *key)
{
	struct tcpclose_flow *flow;
	u32 now = (u32)jiffies;

	if (!tcpclose_flow_room(net, tn))
		return NULL;
	flow = kmem_cache_zalloc(tcpclose_flow_cache, GFP_ATOMIC);
	if (!flow) {
		atomic_dec(&tcpclose_nflows);
		return NULL;
	}
	spin_lock_init(&flow->lock);
	flow->addr[0] = key->src;
	flow->addr[1] = key->dst;
	flow->port[0] = key->sport;
	flow->port[1] = key->dport;
	flow->family = key->family;
	flow->created = now;
	flow->last_seen[0] = now;
	flow->last_seen[1] = now;
	flow->state_since[0] = now;
	flow->state_since[1] = now;
	return flow;
}

/*
 * Insert a new flow.  Returns NULL once it is in, or the flow another CPU
 * inserted for the same tuple meanwhile (then @flow is freed), or an
 * ERR_PTR (then @flow is freed too).
 */
struct tcpclose_flow *tcpclose_flow_insert(struct tcpclose_net *tn,
					   const struct tcpclose_key *key,
					   struct tcpclose_flow *flow)
{
	struct tcpclose_flow *old;

	old = rhashtable_lookup_get_insert_key(&tn->flows, key, &flow->node,
					       tcpclose_flow_params);
	if (old) {
		atomic_dec(&tcpclose_nflows);
		kmem_cache_free(tcpclose_flow_cache, flow);
	}
	return old;
}

int tcpclose_flows_net_init(struct tcpclose_net *tn)
{
	return rhashtable_init(&tn->flows, &tcpclose_flow_params);
}

/* At netns exit, after the hooks are gone and the GC has stopped. */
static void tcpclose_flow_destroy(void *ptr, void *arg)
{
	struct tcpclose_flow *flow = ptr;
	struct tcpclose_net *tn = arg;

	spin_lock_bh(&flow->lock);
	tcpclose_mirror_evict(tn->net, tn, flow);
	tcpclose_mirror_forget(tn->net, tn, flow);
	spin_unlock_bh(&flow->lock);
	atomic_dec(&tcpclose_nflows);
	kmem_cache_free(tcpclose_flow_cache, flow);
}

void tcpclose_flows_net_exit(struct net *net, struct tcpclose_net *tn)
{
	rhashtable_free_and_destroy(&tn->flows, tcpclose_flow_destroy, tn);
}

int tcpclose_flows_init(void)
{
	/* The fields lock-free readers use lie past the RCU head (flows.h). */
	BUILD_BUG_ON(sizeof(struct rcu_head) >
		     offsetof(struct tcpclose_fsm, state));
	BUILD_BUG_ON(sizeof(struct rcu_head) >
		     offsetof(struct tcpclose_fsm, verdict));
	get_random_bytes(&tcpclose_hash_key, sizeof(tcpclose_hash_key));
	tcpclose_flow_cache = KMEM_CACHE(tcpclose_flow, TCPCLOSE_SLAB_FLAGS);
	return tcpclose_flow_cache ? 0 : -ENOMEM;
}

void tcpclose_flows_exit(void)
{
	rcu_barrier();	/* the call_rcu() frees of unlinked flows */
	kmem_cache_destroy(tcpclose_flow_cache);
}
