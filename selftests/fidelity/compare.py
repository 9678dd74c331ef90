#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The fidelity run's comparison: the kernel oracle (../oracle/compare.py,
its normalisations unchanged) over every local endpoint of gen's
connections, joined with gen's logs, summed up as an agreement figure.

  compare.py --netns-client N --netns-server N --client-log F
             [--server-log F] [--min PCT] [--list N] [--loss L]
             [--misses M] EVENTS

EVENTS is the session's output (fidelity/kernel.bt, whose S lines come
twice, copies a and b: one of each twin pair is kept; ../oracle/kernel.bt
works too).  Output, the summary first ("fidelity:" lines):
  fidelity: seed S connections N (KIND=N ...) loss L% misses M
  fidelity: endpoints E agree A differ D no_mirror M no_kernel K ...
  fidelity: phantom mirror lives (no local socket, not compared) N: ...
  fidelity: transitions T agreed G agreement P%
  fidelity: family ipv4|ipv6 transitions T agreed G agreement P%
  fidelity: connections agreeing C of N (Q%)
  fidelity: disagreements D: KIND=N ...
  fidelity: disagreeing endpoints by class: CLASS=N ...
  fidelity: disagreeing transitions by class: CLASS=N ...
  fidelity: unexplained disagreeing endpoints N (classes other, oracle_lost)
  fidelity: oracle: BPF recursion misses M, transitions seen by both ...
  fidelity: verdict PASS|FAIL (agreement P% >= | < MIN%)
  fidelity: class CLASS: what happened (Documentation/fidelity.rst)
then "case KIND N CLIENT | SERVER", the most frequent kernel sequences of
each case, and one block per disagreeing connection (at most --list):
the case and its parameters, what the applications saw, the kernel's and
the mirror's sequence of each endpoint with its class, and the flow's
events in time order (kernel and mirror; every vantage's with
FID_ALL_VANTAGES=1), then one phantom of each case.  Exit status: 0 if
the agreement is at least --min, 1 if not, 2 on bad input.
"""
import argparse
import importlib.util
import io
import os
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    'oracle_compare', os.path.join(HERE, '..', 'oracle', 'compare.py'))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)

STATES = oracle.STATES
VERDICTS = oracle.VERDICTS
SIDES = oracle.SIDES
VANTAGES = oracle.VANTAGES
state_name = oracle.state_name
canon = oracle.canon


class Conn:
    """One of gen's connections: its case, as the client log tells."""
    __slots__ = ('id', 'kind', 'family', 'cport', 'sport', 'params',
                 'cresult', 'sresult', 'eps')

    def __init__(self, f):
        # conn ID KIND ipvF CPORT SPORT a=.. w=.. x=.. k=.. s=.. h=.. result=..
        self.id, self.kind, self.family = int(f[1]), f[2], f[3]
        self.cport, self.sport = int(f[4]), int(f[5])
        self.params = ' '.join(x for x in f[6:] if not x.startswith('result='))
        self.cresult = next((x[7:] for x in f[6:] if x.startswith('result=')),
                            '?')
        self.sresult = '-'
        self.eps = []       # Result objects of its endpoints


class Result:
    __slots__ = ('key', 'side', 'ks', 'ms', 'result', 'transitions',
                 'agreed', 'partial', 'cls', 'kend_timer')


class Fidelity(oracle.Oracle):
    """The oracle, keeping each comparison instead of printing it."""

    def __init__(self, args):
        args.all = False
        args.kernel_only = False
        args.netns = {args.netns_client, args.netns_server}
        args.output = io.StringIO()     # the oracle's own lines: not used
        super().__init__(args)
        self.results = []
        self.twins = {}         # key -> [(copy, ktime)] not yet paired
        self.twin_pairs = self.twin_singles = 0
        self.twin_purged = 0

    # fidelity/kernel.bt prints each transition twice (copies a and b, one
    # program each, so that a recursion miss of one is made up by the
    # other): keep the first line of each twin pair, which is the other
    # copy's with the same fields, at most TWIN_NS later.  The task can be
    # preempted between the two programs (1.2 s seen under TCG on a loaded
    # host).  Should a single (one copy missed) pair with a later event
    # with the same fields, that event's own twin stays unpaired and is
    # kept: the count of events is right either way.
    TWIN_NS = 10 * 1000000000

    def event(self, f):
        if len(f) > 8 and f[0] in 'SWTK' and f[-1] in ('a', 'b'):
            t, key, copy = int(f[1]), (f[0],) + tuple(f[2:-1]), f[-1]
            pend = self.twins.get(key)
            if pend:
                for i, (c, t0) in enumerate(pend):
                    if c != copy and t - t0 <= self.TWIN_NS:
                        del pend[i]
                        if not pend:
                            del self.twins[key]
                        self.twin_pairs += 1
                        return
            self.twins.setdefault(key, []).append((copy, t))
            if len(self.twins) > 4096:
                self.purge_twins(t)
        super().event(f)

    def k_add(self, life, state, tag):
        """Normalisation 3 (../oracle/compare.py) only for an invocation
        on a single segment: fidelity/kernel.bt's tag "2:ID" is an skb
        into which the socket's backlog coalesced segments that the mirror
        saw one by one (tcp_add_backlog()), e.g. the ACK of its FIN and the
        peer's FIN: FIN_WAIT2 did last a segment."""
        if tag and tag.startswith('2:'):
            prev = life.tags[-1] or ''
            if len(life.states) >= 2 and prev.split('#')[0] == tag and \
                    state != oracle.CLOSED:
                self.norm['kept_coalesced_' +
                          state_name(life.states[-1])] += 1
            # unique: never equal to the next one's
            tag = '%s#%d' % (tag, len(life.states))
        super().k_add(life, state, tag)

    def purge_twins(self, now):
        for key in list(self.twins):
            left = [(c, t) for c, t in self.twins[key]
                    if now - t <= self.TWIN_NS]
            self.twin_singles += len(self.twins[key]) - len(left)
            if left:
                self.twins[key] = left
            else:
                del self.twins[key]

    def finish(self):
        self.flush()
        self.purge_twins(1 << 62)
        return super().finish()

    def report(self, key, k, m):
        if m is not None:
            m.compared = True
        if key[0] not in self.args.netns:
            return
        r = Result()
        r.cls = None
        r.key = key
        r.side = 'client' if key[0] == self.args.netns_client else 'server'
        r.ks = self.normalised(k, oracle.CLOSED) if k else None
        r.ms = self.normalised(m, oracle.UNKNOWN) if m else None
        r.partial = bool(k is not None and k.partial)
        # the kernel's last change came from no segment: a timer (an
        # orphan that gave up retransmitting its FIN, tcp_orphan_retries)
        r.kend_timer = bool(k is not None and k.tags and
                            k.tags[-1] in (None, '', '0:0'))
        if k is None or m is None:
            s = r.ks if k is not None else r.ms
            r.result = 'no-mirror' if m is None else 'no-kernel'
            # Nothing to compare it with: every transition is a miss (at
            # least one, for a life that never left its first state).
            r.transitions = max(len(s) - 1, 1)
            r.agreed = 0
        else:
            kt = list(zip(r.ks, r.ks[1:]))
            mt = list(zip(r.ms, r.ms[1:]))
            n = 0
            while n < min(len(kt), len(mt)) and kt[n] == mt[n]:
                n += 1
            r.transitions = max(len(kt), len(mt))
            r.agreed = n
            r.result = 'agree' if r.ks == r.ms else 'differ'
        self.results.append(r)


def phantom(r):
    """A mirror life of an endpoint the local kernel never had a socket
    for: a SYN refused for want of a listener (LISTEN, CLOSED), or a flow
    picked up from a straggler that reached a closed endpoint after the
    mirror had freed the flow (its first state is not a handshake's).  The
    kernel answered each with an RST; there is no kernel life to compare
    with.  None if @r is not one."""
    if r.result != 'no-kernel' or not r.ms:
        return None
    if r.ms == [oracle.LISTEN, oracle.CLOSED]:
        return 'refused_syn'
    if r.ms[0] not in (oracle.SYN_SENT, oracle.LISTEN, oracle.SYN_RECV):
        return 'picked_up'
    return None


# Transitions a TCP socket can make (tcp_set_state, the timewait
# mini-socket), as the normalised kernel sequence shows them: one that
# is not among them means the oracle lost an event in between.
L, SS, SR, E, F1, F2, TW, C, CW, LA, CL = (
    oracle.LISTEN, oracle.SYN_SENT, oracle.SYN_RECV, oracle.ESTABLISHED,
    oracle.FIN_WAIT1, oracle.FIN_WAIT2, oracle.TIME_WAIT, oracle.CLOSED,
    oracle.CLOSE_WAIT, oracle.LAST_ACK, 11)
LEGAL = {
    L: {SR, C}, SS: {E, SR, C}, SR: {E, F1, C},
    E: {F1, CW, C}, F1: {F2, CL, TW, C}, F2: {TW, C},
    CW: {LA, C}, LA: {C}, CL: {TW, C},
}

# Disagreement classes: (name, what happened).
CLASSES = {
    'ofo_fin': "the peer's FIN arrived out of order (the data before it "
               "lost or reordered): the mirror took it at once, Linux "
               "queued it until the gap was filled, and took the ACK of "
               "its own FIN first (FIN_WAIT2, not CLOSING)",
    'orphan_rst_on_fin': "an orphan (FIN_WAIT1/2 after close()) got data "
                         "with the peer's FIN: Linux resets "
                         "(TCPABORTONDATA, TCP_TW_RST), the mirror took the "
                         "FIN (TIME_WAIT) before the RST left",
    'orphan_fw2_timer': "an orphan's FIN_WAIT2 lasts max(tcp_fin_timeout, "
                        "3.5 RTO) in Linux, fin_timeout in the mirror: the "
                        "peer's FIN came in between",
    'queued_fin': "close()/shutdown() queued the FIN behind unsent data or "
                  "a full congestion window: Linux changed state at the "
                  "call, the mirror only when the FIN left (late, or never "
                  "before an RST)",
    'rst_at_fin': "the peer's RST carried the sequence number of its own "
                  "FIN (RCV.NXT - 1: it answered a segment sent before "
                  "that FIN arrived); Linux takes it in CLOSE_WAIT, "
                  "LAST_ACK and CLOSING (tcp_reset_check()), and so does "
                  "the mirror since module/fsm.c rst_at_fin(): seen again, "
                  "it is a regression",
    'local_rst_ignored': "the local socket reset itself (an orphan given "
                         "data, TCPABORTONDATA) with an RST that quoted an "
                         "old ACK number (the data came reordered or "
                         "again): not exact for the peer, which ignored "
                         "it, nor for the mirror, which then left the "
                         "local side open though its own stack sent the RST",
    'fw2_timer_race': "an orphan's FIN_WAIT2 mini-socket was killed by its "
                      "timer while the peer's FIN was being processed on "
                      "the other CPU, which still took it to TIME_WAIT "
                      "and ACKed the FIN (a kernel race): the oracle sees "
                      "the socket die, then a second life FIN_WAIT2, "
                      "TIME_WAIT; the mirror took the FIN",
    'fin_retrans_timer': "the kernel's FIN retransmissions (RTO backoff, "
                         "tcp_orphan_retries) against the mirror's fixed "
                         "timers (fin_wait1_timeout, last_ack_timeout): "
                         "the orphan gave up just before the ACK of its FIN "
                         "came, which the mirror took, or the mirror's "
                         "timer ended the side just before that ACK came",
    'oracle_lost': "the kernel sequence misses a transition (an impossible "
                   "step, or no end though every socket ended): the oracle "
                   "lost an event",
    'other': 'not classified',
}


def classify(r):
    """The class of a disagreeing endpoint (CLASSES)."""
    ks, ms = r.ks, r.ms
    if ks is None or ms is None:
        return 'other'
    if r.partial or ks[-1] not in (C, TW) or \
            any(b not in LEGAL.get(a, ()) for a, b in zip(ks, ks[1:])):
        return 'oracle_lost'
    n = 0
    while n < min(len(ks), len(ms)) and ks[n] == ms[n]:
        n += 1
    if n == 0:
        return 'other'
    prev, k, m = ks[n - 1], ks[n:], ms[n:]
    if prev == F1 and k[:2] == [F2, TW] and m[:2] in ([TW], [CL, TW]):
        return 'ofo_fin'
    if prev == E and k[:1] == [C] and m[:2] == [CW, C]:
        return 'ofo_fin'
    if prev in (F1, F2) and k[-1:] == [C] and k[:1] in ([F2], [C]) and \
            m[:1] == [TW]:
        return 'orphan_rst_on_fin'
    if prev == F2 and k == [TW] and m == [C]:
        return 'orphan_fw2_timer'
    if (prev == E and k[:1] == [F1] and m[:1] in ([CW], [C], [])) or \
            (prev == CW and k[:1] == [LA] and m[:1] in ([C], [])) or \
            (prev == F1 and k[:1] == [CL] and m[:1] == [LA]):
        return 'queued_fin'
    if prev in (F1, LA, CL) and k == [C] and m[:1] != [C] and \
            r.kend_timer:
        return 'fin_retrans_timer'
    if prev == F1 and m == [C] and k[:1] in ([F2], [TW], [CL]):
        return 'fin_retrans_timer'
    if prev in (F1, F2) and k == [C] and m[:1] not in ([C], [TW]):
        return 'local_rst_ignored'
    if prev in (CW, LA, CL) and k == [C] and m[:1] != [C]:
        return 'rst_at_fin'
    return 'other'


def read_conns(path):
    conns, seed, summary = {}, None, None
    with open(path, errors='replace') as f:
        for line in f:
            t = line.split()
            if not t:
                continue
            if t[0] == 'seed' and len(t) > 1:
                seed = t[1]
            elif t[0] == 'conn' and len(t) >= 7:
                try:
                    c = Conn(t)
                except ValueError:
                    continue
                conns[c.cport] = c
            elif t[0] == 'summary':
                summary = line.strip()
    return conns, seed, summary


def read_server(path, conns):
    if not path or not os.path.exists(path):
        return
    with open(path, errors='replace') as f:
        for line in f:
            t = line.split()
            # srv KIND ipvF CPORT SPORT result=..
            if len(t) >= 6 and t[0] == 'srv':
                try:
                    c = conns.get(int(t[3]))
                except ValueError:
                    continue
                if c is not None:
                    c.sresult = t[5][7:] if t[5].startswith('result=') else t[5]


def cport_of(r, args):
    # key: (netns, laddr, lport, raddr, rport)
    return r.key[2] if r.side == 'client' else r.key[4]


def histories(path, wanted, args):
    """The events of the wanted connections (by client port), in order."""
    ev = defaultdict(list)
    if not wanted:
        return ev
    with open(path, errors='replace') as f:
        for line in f:
            t = line.split()
            if len(t) < 8 or len(t[0]) != 1 or t[0] not in 'SWTKMVX':
                continue
            try:
                if t[0] in 'VX':
                    ports = (int(t[5]), int(t[6]))
                else:
                    ports = (int(t[6]), int(t[7]))
                ts = int(t[1])
            except ValueError:
                continue
            for p in ports:
                if p in wanted:
                    ev[p].append((ts, t))
                    break
    for p in ev:
        ev[p].sort(key=lambda e: e[0])
        ev[p] = untwin(ev[p])
    return ev


def untwin(events):
    """fidelity/kernel.bt's twin lines, once each (Fidelity.event)."""
    out, pend = [], {}
    for ts, t in events:
        if len(t) > 8 and t[0] in 'SWTKX' and t[-1] in ('a', 'b'):
            key = (t[0],) + tuple(t[2:-1])
            p = pend.get(key)
            if p and p[0] != t[-1] and ts - p[1] <= Fidelity.TWIN_NS:
                del pend[key]
                continue
            pend[key] = (t[-1], ts)
        out.append((ts, t))
    return out


def where(netns, args):
    if netns == args.netns_client:
        return 'client'
    if netns == args.netns_server:
        return 'server'
    return 'router'


def describe(t, c, args):
    """One event line of a history, in words."""
    k = t[0]
    try:
        if k == 'S':
            who = where(int(t[4]), args)
            return '%s kernel  %s -> %s%s' % (
                who, state_name(int(t[10])), state_name(int(t[11])),
                '' if t[2] == '0:0' else '  [segment %s]' % t[2])
        if k == 'W':
            return '%s kernel  tcp_time_wait(%s)%s' % (
                where(int(t[4]), args), state_name(int(t[10])),
                '' if t[2] == '0:0' else '  [segment %s]' % t[2])
        if k == 'T':
            return '%s kernel  timewait %s -> %s' % (
                where(int(t[4]), args), state_name(int(t[10])),
                state_name(int(t[11])))
        if k == 'K':
            return '%s kernel  timewait socket dies in %s' % (
                where(int(t[4]), args), state_name(int(t[10])))
        if k == 'X':
            return '%s kernel  mini-socket timeout %s ms' % (
                where(int(t[3]), args), t[8])
        if k == 'M':
            ns = where(int(t[2]), args)
            end = 'client' if int(t[6]) == c.cport else 'server'
            return '%s mirror  (%s%s) %s %s -> %s' % (
                ns, VANTAGES.get(int(t[3]), t[3]),
                ', local' if t[4] == '1' else '', end,
                state_name(int(t[10])), state_name(int(t[11])))
        if k == 'V':
            return '%s verdict %s stalled=%s active=%s anomalies=0x%x' % (
                where(int(t[2]), args), VERDICTS.get(int(t[9]), t[9]),
                SIDES.get(int(t[10]), t[10]), SIDES.get(int(t[11]), t[11]),
                int(t[12]))
    except (IndexError, ValueError):
        pass
    return ' '.join(t)


def short(s):
    """A kernel sequence from its first state after the handshake."""
    s = list(s)
    for opening in ([SS, E], [L, SR, E], [L, SR]):
        if s[:len(opening)] == opening:
            s = s[len(opening):]
            break
    return ','.join(map(state_name, s)) or 'ESTABLISHED'


def seq(s):
    return ','.join(map(state_name, s)) if s is not None else '-'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('events', help='the oracle session output')
    p.add_argument('--netns-client', type=int, required=True)
    p.add_argument('--netns-server', type=int, required=True)
    p.add_argument('--client-log', required=True, help="gen client's output")
    p.add_argument('--server-log', help="gen server's output")
    p.add_argument('--min', type=float, default=99.0,
                   help='least agreement (%%) that passes (default 99)')
    p.add_argument('--list', type=int, default=100,
                   help='histories printed at most (default 100)')
    p.add_argument('--loss', default='?', help='netem loss, for the summary')
    p.add_argument('--misses', default='?',
                   help="the session's BPF recursion misses, for the summary")
    args = p.parse_args()
    args.window_ns = 1 << 60        # a file: read whole, then sorted

    conns, seed, gsummary = read_conns(args.client_log)
    if not conns:
        print('fidelity: no connection in %s' % args.client_log)
        return 2
    read_server(args.server_log, conns)

    o = Fidelity(args)
    lost = 0
    with open(args.events, errors='replace') as f:
        for line in f:
            if line.startswith('Lost '):
                # bpftrace: "Lost N events" (its perf buffer overflowed)
                try:
                    lost += int(line.split()[1])
                except (IndexError, ValueError):
                    lost += 1
                continue
            o.feed(line)
    o.finish()

    # Endpoints of gen's connections only (the listener and anything else
    # is not ours); an endpoint nobody claims is reported apart.
    counts = Counter()
    phantoms = Counter()
    transitions = agreed = 0
    fam_t, fam_a = Counter(), Counter()
    stray = []
    for r in o.results:
        c = conns.get(cport_of(r, args))
        p = phantom(r)
        if p:
            r.result = 'phantom-' + p
            phantoms[p] += 1
        if c is None:
            stray.append(r)
        else:
            c.eps.append(r)
        if p:
            continue
        counts[r.result] += 1
        transitions += r.transitions
        agreed += r.agreed
        fam = c.family if c is not None else \
            ('ipv4' if r.key[1].startswith('::ffff:') else 'ipv6')
        fam_t[fam] += r.transitions
        fam_a[fam] += r.agreed
    bad = [c for c in conns.values()
           if any(r.result not in ('agree', 'phantom-refused_syn',
                                   'phantom-picked_up') for r in c.eps)]
    classes = Counter()
    cls_lost = Counter()    # transitions not agreed, by class
    for c in bad:
        # the timer race: a second, partial kernel life FIN_WAIT2,
        # TIME_WAIT of the same endpoint, no mirror life for it
        race = {r.side for r in c.eps if r.result == 'no-mirror' and
                r.partial and r.ks == [F2, TW]}
        for r in c.eps:
            if r.result in ('differ', 'no-mirror', 'no-kernel'):
                r.cls = 'fw2_timer_race' if r.side in race else classify(r)
                classes[r.cls] += 1
                cls_lost[r.cls] += r.transitions - r.agreed
    ghosts = [c for c in conns.values() if c not in bad and
              any(r.result.startswith('phantom') for r in c.eps)]
    bad.sort(key=lambda c: c.id)
    pct = 100.0 * agreed / transitions if transitions else 0.0
    kinds = Counter(c.kind for c in conns.values())
    badkinds = Counter(c.kind for c in bad)
    endpoints = sum(counts.values())
    ok = transitions > 0 and pct >= args.min and not lost

    print('fidelity: seed %s connections %d (%s) loss %s%% misses %s'
          % (seed, len(conns), ' '.join('%s=%d' % kv for kv in
                                        sorted(kinds.items())),
             args.loss, args.misses))
    print('fidelity: endpoints %d agree %d differ %d no_mirror %d '
          'no_kernel %d partial %d stray %d'
          % (endpoints, counts['agree'], counts['differ'],
             counts['no-mirror'], counts['no-kernel'],
             sum(r.partial for r in o.results), len(stray)))
    print('fidelity: phantom mirror lives (no local socket, not compared) '
          '%d: %s' % (sum(phantoms.values()),
                      ' '.join('%s=%d' % kv for kv in sorted(phantoms.items()))
                      or '-'))
    print('fidelity: transitions %d agreed %d agreement %.3f%%'
          % (transitions, agreed, pct))
    for fam in sorted(fam_t):
        print('fidelity: family %s transitions %d agreed %d agreement %.3f%%'
              % (fam, fam_t[fam], fam_a[fam],
                 100.0 * fam_a[fam] / fam_t[fam] if fam_t[fam] else 0.0))
    print('fidelity: connections agreeing %d of %d (%.3f%%)'
          % (len(conns) - len(bad), len(conns),
             100.0 * (len(conns) - len(bad)) / len(conns)))
    print('fidelity: disagreements %d: %s'
          % (len(bad), ' '.join('%s=%d' % kv for kv in
                                sorted(badkinds.items())) or '-'))
    print('fidelity: disagreeing endpoints by class: %s'
          % (' '.join('%s=%d' % kv for kv in sorted(classes.items())) or '-'))
    print('fidelity: disagreeing transitions by class: %s'
          % (' '.join('%s=%d' % kv for kv in sorted(cls_lost.items())) or '-'))
    print('fidelity: unexplained disagreeing endpoints %d (classes other, '
          'oracle_lost)' % (classes['other'] + classes['oracle_lost']))
    print('fidelity: oracle: BPF recursion misses %s, transitions seen by both '
          'twin programs %d, by one only %d'
          % (args.misses, o.twin_pairs, o.twin_singles))
    norm = ' '.join('%s=%d' % kv for kv in sorted(o.norm.items()))
    print('fidelity: normalised %s' % (norm or '-'))
    if gsummary:
        print('fidelity: gen %s' % gsummary)
    if lost:
        print('fidelity: oracle: bpftrace lost %d events (perf buffer '
              'overflow): some sequences are incomplete, the figures do '
              'not hold' % lost)
    print('fidelity: verdict %s (agreement %.3f%% %s %.3f%%%s)'
          % ('PASS' if ok else 'FAIL', pct,
             '>=' if pct >= args.min else '<', args.min,
             ', events lost' if lost else ''))

    for name in sorted(classes):
        print('fidelity: class %s: %s' % (name, CLASSES[name]))

    # What each case did: its most frequent kernel sequences (client |
    # server), after the opening, so that the mix can be checked.
    print()
    for kind in sorted(kinds):
        seqs = Counter()
        for c in conns.values():
            if c.kind != kind:
                continue
            cs = [r for r in c.eps if r.side == 'client' and r.ks]
            ss = [r for r in c.eps if r.side == 'server' and r.ks]
            seqs['%s | %s' % (
                short(cs[0].ks) if cs else '-',
                short(ss[0].ks) if ss else '-')] += 1
        for s, k in seqs.most_common(4):
            print('case %-10s %5d  %s' % (kind, k, s))

    shown = bad[:args.list]
    # a few phantoms too, one of each kind of case
    seen = set()
    pshown = []
    for c in ghosts:
        if c.kind not in seen:
            seen.add(c.kind)
            pshown.append(c)
    ev = histories(args.events, {c.cport for c in shown + pshown}, args)
    for c in shown + pshown:
        print()
        print('%s: conn %d kind %s %s client port %d server port %d %s'
              % ('disagreement' if c in bad else 'phantom',
                 c.id, c.kind, c.family, c.cport, c.sport, c.params))
        print('  application: client %s, server %s' % (c.cresult, c.sresult))
        for r in sorted(c.eps, key=lambda r: r.side):
            print('  %s %s [%s]:%d -> [%s]:%d  %s%s%s'
                  % (r.side, 'endpoint', r.key[1], r.key[2], r.key[3],
                     r.key[4], r.result, ' (partial)' if r.partial else '',
                     ' class=' + r.cls if r.cls else ''))
            print('    kernel: %s' % seq(r.ks))
            print('    mirror: %s' % seq(r.ms))
        hist = ev.get(c.cport, [])
        if hist:
            t0 = hist[0][0]
            print('  history (ms from the first event):')
            for ts, t in hist:
                if t[0] == 'M' and t[4] != '1' and int(t[3]) == 0:
                    # a host's view of its remote peer: kept, marked
                    pass
                print('    %10.3f  %s' % ((ts - t0) / 1e6, describe(t, c, args)))
    if len(bad) > len(shown):
        print()
        print('(%d more disagreements not shown: --list)' % (len(bad) - len(shown)))
    for r in stray[:20]:
        print('stray endpoint %s %s' % (r.key, r.result))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
