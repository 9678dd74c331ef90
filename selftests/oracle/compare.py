#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Compare tcpclose's mirrored states of local endpoints with the kernel's.

Reads the event lines of oracle.bt (a file, or - for stdin, as a stream),
builds per local socket the kernel's state sequence, normalised as in
README, and per local endpoint the mirror's (tcpclose:state_change with
local=1, in the same netns), and compares them.

Output, one line each:
  conn NETNS LADDR LPORT RADDR RPORT RESULT kernel=S,S,.. mirror=S,S,..
      RESULT: agree, differ, no-mirror (a kernel socket the mirror never
      reported), no-kernel (a mirrored local endpoint with no kernel
      socket), kernel-only (--kernel-only)
  verdict NETNS VANTAGE A-ADDR A-PORT B-ADDR B-PORT VERDICT stalled=S active=S anomalies=0xN
  summary connections=N transitions=T agreed=A differ=D no_mirror=M
      no_kernel=K partial=P normalised: ...
Connection lines are printed for disagreements only, unless --all.
Exit status: 0 if everything compared agreed, 1 otherwise, 2 bad usage.
"""
import argparse
import heapq
import sys
from collections import defaultdict, deque

STATES = {0: 'UNKNOWN', 1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV',
          4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT', 7: 'CLOSED',
          8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING',
          12: 'NEW_SYN_RECV'}
UNKNOWN, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, \
    TIME_WAIT, CLOSED, CLOSE_WAIT, LAST_ACK, LISTEN = range(11)
VERDICTS = {0: 'none', 1: 'close_normal', 2: 'close_simultaneous',
            3: 'reset_established', 4: 'reset_closing', 5: 'refused',
            6: 'syn_timeout', 7: 'timeout_fin_wait1', 8: 'timeout_fin_wait2',
            9: 'timeout_last_ack', 10: 'evicted'}
SIDES = {0: 'A', 1: 'B', 2: 'none', 3: 'both'}
VANTAGES = {0: 'host', 1: 'forward'}


def state_name(s):
    return STATES.get(s, str(s))


def canon(addr):
    """One spelling per address: IPv4 as v4-mapped IPv6."""
    return addr if ':' in addr else '::ffff:' + addr


class Life:
    """One socket's (or one mirrored endpoint's) life: its states."""
    __slots__ = ('key', 'states', 'tags', 'handed', 'done', 'partial',
                 'compared', 'birth', 'end')

    def __init__(self, first, partial=False, birth=0):
        self.key = None
        self.birth = birth      # ktime of its first event
        self.end = None         # ktime of its CLOSED
        self.states = [first]
        self.tags = [None]
        self.handed = False     # kernel: went into a timewait mini-socket
        self.done = False       # reached CLOSED, or TIME_WAIT (not compared beyond)
        self.partial = partial  # kernel: its start was not seen
        self.compared = False

    def add(self, state, tag=None):
        self.states.append(state)
        self.tags.append(tag)
        if state in (CLOSED, TIME_WAIT):
            self.done = True


class Oracle:
    def __init__(self, args):
        self.args = args
        self.out = args.output
        self.socks = {}         # kernel: skaddr -> Life (a full socket)
        self.tws = {}           # kernel: tuple key -> Life (mini-socket)
        self.klives = defaultdict(deque)    # key -> kernel Lives, in order
        self.mcur = {}          # key -> the mirror's current Life
        self.mlives = defaultdict(deque)    # key -> mirror Lives, in order
        self.mirror_seen = False
        self.norm = defaultdict(int)
        self.conns = self.transitions = self.agreed = 0
        self.differ = self.no_mirror = self.no_kernel = self.partial = 0
        self.heap = []
        self.seq = 0
        self.latest = 0

    # --- input, reordered by ktime ---------------------------------------
    def feed(self, line):
        f = line.split()
        if len(f) < 2 or f[0] not in 'SWTKMV' or len(f[0]) != 1:
            return
        try:
            t = int(f[1])
        except ValueError:
            return
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, f))
        if t > self.latest:
            self.latest = t
        limit = self.latest - self.args.window_ns
        while self.heap and self.heap[0][0] < limit:
            self.event(heapq.heappop(self.heap)[2])

    def flush(self):
        while self.heap:
            self.event(heapq.heappop(self.heap)[2])

    def event(self, f):
        k = f[0]
        try:
            if k == 'S':
                self.k_set_state(f)
            elif k == 'W':
                self.k_time_wait(f)
            elif k == 'T':
                self.k_tw_substate(f)
            elif k == 'K':
                self.k_tw_kill(f)
            elif k == 'M':
                self.m_state(f)
            elif k == 'V':
                self.m_verdict(f)
        except (IndexError, ValueError):
            print('bad line: ' + ' '.join(f), file=sys.stderr)

    # --- the kernel ----------------------------------------------------
    @staticmethod
    def tuple_key(f):
        # ... netns family lport rport laddr raddr ...
        netns, lport, rport = int(f[4]), int(f[6]), int(f[7])
        if not lport or not rport:
            return None
        return (netns, canon(f[8]), lport, canon(f[9]), rport)

    def k_new(self, first, partial=False, birth=0):
        return Life(first, partial, birth)

    def k_keyed(self, life, key):
        if not key or life.key == key:
            return
        if life.key is not None:    # a new tuple for the same socket
            q = self.klives.get(life.key)
            if q and life in q:
                q.remove(life)
        life.key = key
        q = self.klives[key]
        q.append(life)
        for o in list(q):
            if self.duplicate_child(o, life):
                q.remove(o)

    def duplicate_child(self, dup, other):
        """Normalisation 6: two segments completing one handshake on two
        CPUs each clone a child socket; the loser fails to hash
        (inet_ehash_nolisten: SYN_RECV -> CLOSE) while the winner lives
        on.  The loser never was the connection's socket: dropped."""
        if dup is other or dup.states != [LISTEN, SYN_RECV, CLOSED] or \
                other.states[0] != LISTEN or other.birth > dup.end or \
                (other.done and other.end is not None and other.end < dup.end):
            return False
        self.norm['duplicate_child'] += 1
        return True

    def k_set_state(self, f):
        t, tag, sk, old, new = int(f[1]), f[2], f[3], int(f[10]), int(f[11])
        key = self.tuple_key(f)
        life = self.socks.get(sk)
        if life is None or life.done and not life.handed \
                or (old == CLOSED and new in (SYN_SENT, LISTEN)) \
                or (old == LISTEN and new == SYN_RECV):
            # A new life.  The passive child is cloned from the listener:
            # it starts in LISTEN (its first event is LISTEN -> SYN_RECV).
            life = self.k_new(old, partial=old not in (CLOSED, LISTEN),
                              birth=t)
            self.socks[sk] = life
        self.k_keyed(life, key)
        if old == new:
            # Normalisation 5: tcp_set_state() to the state the socket is
            # already in (close() in CLOSING) is no transition.
            self.norm['same_state'] += 1
            return
        if life.handed and new == CLOSED:
            # tcp_done() of a socket that tcp_time_wait() handed to its
            # mini-socket: the mini-socket goes on (normalisation 2).
            self.norm['timewait_handoff'] += 1
            del self.socks[sk]
            return
        self.k_add(life, new, tag)
        if new == CLOSED:
            life.end = t
            del self.socks[sk]
            q = self.klives.get(life.key, ())
            if any(self.duplicate_child(life, o) for o in q):
                q.remove(life)
                return
            self.try_compare(life.key)

    def k_add(self, life, state, tag):
        # Normalisation 3: a state entered and left while processing one
        # incoming segment (same tcp_rcv_state_process invocation) lasted
        # no segment: the mirror, one transition per input, cannot show it.
        # Not when it is left for CLOSED: the kernel then aborted on that
        # segment (an orphan's FIN_WAIT1 -> FIN_WAIT2 on the ACK of its
        # FIN, then CLOSED on the data the same segment carries,
        # TCPABORTONDATA) and the RST it sends is a second input, which
        # takes the mirror out of the state as well.
        if tag and tag != '0:0' and len(life.states) >= 2 \
                and life.tags[-1] == tag and state != CLOSED:
            gone = life.states.pop()
            life.tags.pop()
            self.norm['collapsed_' + state_name(gone)] += 1
            if life.states[-1] == state:
                return
        life.add(state, tag)

    def k_time_wait(self, f):
        tag, sk, sub = f[2], f[3], int(f[10])
        key = self.tuple_key(f)
        life = self.socks.get(sk)
        if life is None:
            life = self.k_new(sub, partial=True, birth=int(f[1]))
            self.socks[sk] = life
        self.k_keyed(life, key)
        if life.states[-1] != sub:
            self.k_add(life, sub, tag)
        life.handed = True
        if key:
            old = self.tws.get(key)
            if old is not None and old is not life:
                self.try_compare(old.key)
            self.tws[key] = life
        self.try_compare(life.key)

    def k_tw_substate(self, f):
        key, old, new = self.tuple_key(f), int(f[10]), int(f[11])
        life = self.tws.get(key)
        if life is None:
            life = self.k_new(old, partial=True, birth=int(f[1]))
            self.k_keyed(life, key)
            life.handed = True
            self.tws[key] = life
        if life.states[-1] != new:
            life.add(new)
        self.try_compare(key)

    def k_tw_kill(self, f):
        key = self.tuple_key(f)
        life = self.tws.pop(key, None)
        if life is None:
            return
        if life.states[-1] != TIME_WAIT:
            life.add(CLOSED)
        life.end = int(f[1])
        self.try_compare(key)

    # --- the mirror ------------------------------------------------------
    def m_state(self, f):
        # M ktime netns vantage local family sport dport saddr daddr old new
        self.mirror_seen = True
        if f[4] != '1':
            return
        netns, old, new = int(f[2]), int(f[10]), int(f[11])
        key = (netns, canon(f[8]), int(f[6]), canon(f[9]), int(f[7]))
        if self.args.netns and netns not in self.args.netns:
            return
        life = self.mcur.get(key)
        if life is None or old == UNKNOWN:
            life = Life(old)
            life.key = key
            self.mcur[key] = life
            self.mlives[key].append(life)
        if life.compared:
            return
        life.add(new)
        if new == CLOSED:
            life.end = int(f[1])
        self.try_compare(key)

    def m_verdict(self, f):
        # V ktime netns vantage family sport dport saddr daddr verdict stalled active anomalies
        if self.args.netns and int(f[2]) not in self.args.netns:
            return
        print('verdict %s %s %s %s %s %s %s stalled=%s active=%s anomalies=0x%x'
              % (f[2], VANTAGES.get(int(f[3]), f[3]), canon(f[7]), f[5],
                 canon(f[8]), f[6], VERDICTS.get(int(f[9]), f[9]),
                 SIDES.get(int(f[10]), f[10]), SIDES.get(int(f[11]), f[11]),
                 int(f[12])), file=self.out)

    # --- comparison ----------------------------------------------------
    @staticmethod
    def normalised(life, initial):
        s = life.states
        # Normalisation 1: the start.  A kernel socket is born CLOSED, a
        # mirrored endpoint UNKNOWN: drop it.
        if s and s[0] == initial:
            s = s[1:]
        # Normalisation 4: nothing after TIME_WAIT is compared.
        if TIME_WAIT in s:
            s = s[:s.index(TIME_WAIT) + 1]
        return s

    def try_compare(self, key, final=False):
        """Compare the oldest kernel and mirror lives of @key once both
        are done (or at the end of the input: whatever is there)."""
        if key is None:
            return
        kq, mq = self.klives.get(key), self.mlives.get(key)
        if self.args.kernel_only:
            while kq and (final or kq[0].done):
                self.report(key, kq.popleft(), None)
            if kq is not None and not kq:
                del self.klives[key]
            return
        while mq and self.request_sock(mq[0], kq, final):
            mq.popleft()
        while kq and mq:
            if not final and not (kq[0].done and mq[0].done):
                return
            self.report(key, kq.popleft(), mq.popleft())
            while mq and self.request_sock(mq[0], kq, final):
                mq.popleft()
        if final:
            while kq:
                self.report(key, kq.popleft(), None)
            while mq:
                self.report(key, None, mq.popleft())
        # Keep memory bounded on long runs: forget emptied queues.
        if kq is not None and not kq:
            del self.klives[key]
        if mq is not None and not mq:
            del self.mlives[key]

    def request_sock(self, m, kq, final):
        """Normalisation 7: a mirrored passive handshake that ended
        before it was established (LISTEN, SYN_RECV, CLOSED: an RST
        rejected the SYN-ACK) stood for a request socket, which
        inet_sock_set_state never shows; it is dropped when it ended
        before the next kernel life of the tuple began (or none did)."""
        if not m.done or m.end is None or \
                self.normalised(m, UNKNOWN) != [LISTEN, SYN_RECV, CLOSED]:
            return False
        if kq:
            if kq[0].birth <= m.end:
                return False
        elif not final:
            return False
        self.norm['request_sock'] += 1
        return True

    def report(self, key, k, m):
        if m is not None:
            m.compared = True
        if self.args.netns and key[0] not in self.args.netns:
            return
        ks = self.normalised(k, CLOSED) if k else None
        ms = self.normalised(m, UNKNOWN) if m else None
        if k is not None and k.partial:
            self.partial += 1
        if self.args.kernel_only:
            result = 'kernel-only'
        elif k is None:
            result = 'no-kernel'
            self.no_kernel += 1
        elif m is None:
            result = 'no-mirror'
            self.no_mirror += 1
        else:
            kt = list(zip(ks, ks[1:]))
            mt = list(zip(ms, ms[1:]))
            n = 0
            while n < min(len(kt), len(mt)) and kt[n] == mt[n]:
                n += 1
            self.transitions += max(len(kt), len(mt))
            self.agreed += n
            result = 'agree' if ks == ms else 'differ'
            if result == 'differ':
                self.differ += 1
        self.conns += 1
        if self.args.all or result not in ('agree', 'kernel-only') \
                or self.args.kernel_only:
            print('conn %d %s %d %s %d %s kernel=%s mirror=%s'
                  % (key[0], key[1], key[2], key[3], key[4], result,
                     ','.join(map(state_name, ks)) if ks is not None else '-',
                     ','.join(map(state_name, ms)) if ms is not None else '-'),
                  file=self.out)

    def finish(self):
        self.flush()
        keys = set(self.klives) | set(self.mlives)
        for key in sorted(keys, key=str):
            self.try_compare(key, final=True)
        norm = ' '.join('%s=%d' % kv for kv in sorted(self.norm.items()))
        print('summary connections=%d transitions=%d agreed=%d differ=%d '
              'no_mirror=%d no_kernel=%d partial=%d mirror_events=%s '
              'normalised: %s'
              % (self.conns, self.transitions, self.agreed, self.differ,
                 self.no_mirror, self.no_kernel, self.partial,
                 'yes' if self.mirror_seen else 'no', norm or '-'),
              file=self.out)
        self.out.flush()
        bad = self.differ + self.no_mirror + self.no_kernel
        return 1 if bad and not self.args.kernel_only else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('input', nargs='?', default='-',
                   help='oracle.bt output (default: stdin)')
    p.add_argument('--all', action='store_true',
                   help='print agreeing connections too')
    p.add_argument('--kernel-only', action='store_true',
                   help='no mirror: print the kernel sequences')
    p.add_argument('--netns', type=int, action='append', default=[],
                   help='only this netns inode (repeatable)')
    p.add_argument('--window-ms', type=int,
                   help='reorder window in ms (default: 2000 for stdin; '
                        'a file is read whole, then sorted)')
    args = p.parse_args()
    if args.window_ms is None:
        args.window_ms = 2000 if args.input == '-' else 1 << 40
    args.window_ns = args.window_ms * 1000000
    args.netns = set(args.netns)
    args.output = sys.stdout
    o = Oracle(args)
    f = sys.stdin if args.input == '-' else open(args.input, errors='replace')
    for line in f:
        o.feed(line)
    sys.exit(o.finish())


if __name__ == '__main__':
    main()
