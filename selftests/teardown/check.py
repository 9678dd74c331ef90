#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check the teardown cases (selftests/teardown/lib.sh) at each vantage.

  check.py WORKDIR

WORKDIR holds what lib.sh collected (see its header) and "manifest", one
line per instance: I CASE FAMILY CLIENT_PORT SERVER_PORT NETNS_C NETNS_S.
Prints one line per result, "PASS|description" or "FAIL|description", and
"MSG|text" for diagnostics; lib.sh turns them into KTAP.

Ground truth comes from the router's nft counters (lib.sh, td_nft): what
each end sent (_in, counted before the case's drops) and what went
through (_out).  A vantage sees what its own end sent and what the router
let through from the other end; the router sees what it let through.
Each case's expectation at each vantage is written in terms of these
numbers: the FINs it saw of each end, and so on.  Whether the case
happened as designed (the drop hit what it should, the retransmissions
came) is its own result, checked on the same numbers, on the sequence
numbers of the logged segments and on the kernel's state sequences.
"""
import json
import os
import re
import sys
import traceback

VANTAGES = (('c', 'client'), ('r', 'router'), ('s', 'server'))
RESULTS = 6     # per instance: as designed, 3 vantages, 2 oracle
VERDICTS = ('close_normal', 'close_simultaneous', 'reset_established',
            'reset_closing', 'refused', 'syn_timeout', 'timeout_fin_wait1',
            'timeout_fin_wait2', 'timeout_last_ack', 'evicted')
ANOMALIES = ('fin_retrans_active', 'fin_retrans_passive', 'fin_after_ack',
             'time_wait_reack', 'syn_on_closing_tuple', 'rst_exact',
             'rst_in_window', 'rst_out_of_window', 'data_after_fin',
             'half_open', 'old_dup_syn', 'rst_in_time_wait')
# Counters every vantage must show with exactly the expected delta.
OTHERS = ('flows_picked_up', 'flows_untracked', 'bad_header', 'fragment',
          'fin_timeout_resets', 'events_ratelimited')
# Not checked: how many segments in all (data and pure ACKs depend on
# delayed ACKs and timers), and flows_ended (the sum of the verdicts).
UNCHECKED = ('seg_total', 'seg_in', 'seg_out', 'seg_forward', 'seg_pure_ack',
             'seg_data', 'flows_ended')
GAUGE = re.compile(r'^(flows_active|flows_half_open|state_|close_wait_stuck)')

OPEN_C = 'SYN_SENT,ESTABLISHED'
OPEN_S = 'LISTEN,SYN_RECV,ESTABLISHED'
N1_C = OPEN_C + ',FIN_WAIT1,FIN_WAIT2,TIME_WAIT'
N1_S = OPEN_S + ',CLOSE_WAIT,LAST_ACK,CLOSED'


class Seen:
    """What one vantage saw of each end, from the router's counters."""

    def __init__(self, gt, v):
        c = 'in' if v == 'c' else 'out'
        s = 'in' if v == 's' else 'out'
        self.cfin = gt['c_fin_' + c]
        self.sfin = gt['s_fin_' + s]
        self.csyn = gt['c_syn_' + c]
        self.ssynack = gt['s_synack_' + s]
        self.ssyn = gt['s_syn_' + s]        # a simultaneous open's
        self.csynack = gt['c_synack_' + c]
        self.crst = gt['c_rst_' + c]
        self.srst = gt['s_rst_' + s]
        self.cack = gt['c_ack_sfin_' + c]   # client's ACKs of server FINs
        self.sack = gt['s_ack_cfin_' + s]


def flow(verdict, active='a', stalled='none', anomalies=(), fins=(1, 1),
         end=('time_wait', 'closed'), initiator='a', picked_up=False):
    """One flow as a vantage should report it: its verdict, active
    closer, stalled side, anomalies, FINs seen of A (the client) and B,
    both states when the verdict was given (at the end of the case, for a
    flow without one), its initiator and whether it was picked up."""
    return {'verdict': verdict, 'active': active, 'stalled': stalled,
            'anomalies': set(anomalies), 'fins': tuple(fins),
            'end': tuple(end), 'initiator': initiator,
            'picked_up': picked_up}


def vantage(flows, swap=False, **counters):
    """A vantage: its flows, in order, and the anomaly counters that move
    (any other stays still).  swap: its side A is the server (the flows'
    active closer, FINs and states then name the server first)."""
    return {'flows': flows, 'counters': counters, 'swap': swap}


def single(verdict, g, active='a', stalled='none', end=('time_wait', 'closed'),
           **counters):
    """One flow whose anomalies are those whose counters move."""
    anomalies = [k for k, v in counters.items() if v]
    return vantage([flow(verdict, active, stalled, anomalies,
                         (g.cfin, g.sfin), end)], **counters)


# --- the cases ---------------------------------------------------------------
#
# Each case: 'what' (the case, in words), 'designed' (gt -> list of
# (description, ok)), 'kernel' (the kernel's normalised state sequences of
# the client and the server, one regular expression per socket life), and
# 'c', 'r', 's' (gt, Seen -> the vantage's expectation).

def ge(gt, name, n):
    return ('%s=%d >= %d' % (name, gt[name], n), gt[name] >= n)


def eq(gt, name, n):
    return ('%s=%d' % (name, gt[name]) + ('' if gt[name] == n else ' (want %d)' % n),
            gt[name] == n)


def one_fin_each(gt):
    return [eq(gt, 'c_fin_in', 1), eq(gt, 's_fin_in', 1), eq(gt, 'd_drop', 0),
            eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0)]


def normal_a(gt, g):
    return single('close_normal', g)


CASES = {
    'N1': {
        'what': 'the client closes, the server 500 ms after EOF: its ACK of the client FIN goes alone',
        'designed': lambda gt, log: one_fin_each(gt) + [eq(gt, 's_ack_cfin_in', 1)],
        'kernel': ([N1_C], [N1_S]),
        'c': normal_a, 'r': normal_a, 's': normal_a,
    },
    'N2': {
        'what': 'the server closes at EOF: its FIN carries the ACK of the client FIN (three segments)',
        'designed': lambda gt, log: one_fin_each(gt) + [eq(gt, 's_ack_cfin_in', 0)],
        'kernel': ([OPEN_C + ',FIN_WAIT1,TIME_WAIT'], [N1_S]),
        'c': normal_a, 'r': normal_a, 's': normal_a,
    },
    'N3': {
        'what': 'both shutdown(SHUT_WR) at one instant, 50 ms each way: the FINs cross',
        'designed': lambda gt, log: one_fin_each(gt),
        'kernel': ([OPEN_C + ',FIN_WAIT1,CLOSING,TIME_WAIT'],
                   [OPEN_S + ',FIN_WAIT1,CLOSING,TIME_WAIT']),
        'c': lambda gt, g: single('close_simultaneous', g, 'both',
                                  end=('time_wait', 'time_wait')),
        'r': lambda gt, g: single('close_simultaneous', g, 'both',
                                  end=('time_wait', 'time_wait')),
        's': lambda gt, g: single('close_simultaneous', g, 'both',
                                  end=('time_wait', 'time_wait')),
    },
    'N4': {
        'what': 'the server closes first',
        'designed': lambda gt, log: one_fin_each(gt) + [ge(gt, 'c_ack_sfin_in', 1)],
        'kernel': ([OPEN_C + ',CLOSE_WAIT,LAST_ACK,CLOSED'],
                   [OPEN_S + ',FIN_WAIT1,FIN_WAIT2,TIME_WAIT']),
        'c': lambda gt, g: single('close_normal', g, 'b', end=('closed', 'time_wait')),
        'r': lambda gt, g: single('close_normal', g, 'b', end=('closed', 'time_wait')),
        's': lambda gt, g: single('close_normal', g, 'b', end=('closed', 'time_wait')),
    },
    'F1': {
        'what': "the client's first FIN dropped once at the router",
        'designed': lambda gt, log: [
            eq(gt, 'd_drop', 1), eq(gt, 'c_fin_in', 2), eq(gt, 'c_fin_out', 1),
            eq(gt, 's_fin_in', 1), eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0),
            same_seq(log, 'drop', 'cfin', 'the dropped FIN and the one that went through')],
        'kernel': ([N1_C], [N1_S]),
        'c': lambda gt, g: single('close_normal', g, fin_retrans_active=g.cfin - 1),
        'r': normal_a, 's': normal_a,
    },
    'F1-all': {
        'what': "every FIN of the client dropped: it gives up in FIN_WAIT_1",
        'designed': lambda gt, log: [
            ge(gt, 'c_fin_in', 2), eq(gt, 'c_fin_out', 0),
            ('d_drop=c_fin_in', gt['d_drop'] == gt['c_fin_in']),
            eq(gt, 's_fin_in', 0), eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0)],
        'kernel': ([OPEN_C + ',FIN_WAIT1,CLOSED'], [OPEN_S]),
        'c': lambda gt, g: single('timeout_fin_wait1', g, stalled='b', end=('closed', 'closed'),
                                  fin_retrans_active=g.cfin - 1),
        'r': lambda gt, g: vantage([flow('none', 'none', fins=(0, 0),
                                         end=('established', 'established'))]),
        's': lambda gt, g: vantage([flow('none', 'none', fins=(0, 0),
                                         end=('established', 'established'))]),
    },
    'F2': {
        'what': "the server's pure ACKs of the client FIN dropped; the server closes once it ACKed a retransmission",
        'designed': lambda gt, log: [
            ge(gt, 'c_fin_in', 2), eq(gt, 'c_fin_out', gt['c_fin_in']),
            ge(gt, 's_ack_cfin_in', 2), eq(gt, 's_ack_cfin_out', 0),
            ('d_drop=s_ack_cfin_in', gt['d_drop'] == gt['s_ack_cfin_in']),
            eq(gt, 's_fin_in', 1), eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0),
            acks_fin(log, 'drop', 'cfin', 'every dropped ACK acknowledges the client FIN')],
        'kernel': ([OPEN_C + ',FIN_WAIT1,TIME_WAIT'], [N1_S]),
        'c': lambda gt, g: single('close_normal', g, fin_retrans_active=g.cfin - 1),
        'r': lambda gt, g: single('close_normal', g, fin_retrans_active=g.cfin - 1),
        's': lambda gt, g: single('close_normal', g, fin_retrans_active=g.cfin - 1,
                                  fin_after_ack=g.cfin - 1),
    },
    'F3': {
        'what': "the server's first FIN dropped once at the router",
        'designed': lambda gt, log: [
            eq(gt, 'd_drop', 1), eq(gt, 's_fin_in', 2), eq(gt, 's_fin_out', 1),
            eq(gt, 'c_fin_in', 1), eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0),
            same_seq(log, 'drop', 'sfin', 'the dropped FIN and the one that went through')],
        'kernel': ([N1_C], [N1_S]),
        'c': normal_a, 'r': normal_a,
        's': lambda gt, g: single('close_normal', g, fin_retrans_passive=g.sfin - 1),
    },
    'F4': {
        'what': "the client's last ACK (of the server FIN) dropped once at the router",
        'designed': lambda gt, log: [
            eq(gt, 'd_drop', 1), eq(gt, 'c_ack_sfin_in', 2), eq(gt, 'c_ack_sfin_out', 1),
            eq(gt, 's_fin_in', 2), eq(gt, 'c_fin_in', 1),
            eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0),
            acks_fin(log, 'drop', 'sfin', 'the dropped ACK acknowledges the server FIN')],
        'kernel': ([N1_C], [N1_S]),
        'c': lambda gt, g: single('close_normal', g, fin_retrans_passive=g.sfin - 1,
                                  fin_after_ack=g.sfin - 1, time_wait_reack=g.cack - 1),
        'r': lambda gt, g: single('close_normal', g, fin_retrans_passive=g.sfin - 1),
        's': lambda gt, g: single('close_normal', g, fin_retrans_passive=g.sfin - 1),
    },
    'F6': {
        'what': "everything from the client dropped once its FIN went through (FIN_WAIT_2); the server's LAST_ACK gives up",
        'designed': lambda gt, log: [
            eq(gt, 'c_fin_in', 1), eq(gt, 'c_fin_out', 1), ge(gt, 's_fin_in', 2),
            eq(gt, 's_fin_out', gt['s_fin_in']),
            ('c_ack_sfin_in=s_fin_in (each FIN ACKed from TIME_WAIT)',
             gt['c_ack_sfin_in'] == gt['s_fin_in']),
            eq(gt, 'c_ack_sfin_out', 0),
            ('d_drop=c_ack_sfin_in', gt['d_drop'] == gt['c_ack_sfin_in']),
            eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0)],
        'kernel': ([N1_C], [N1_S]),
        'c': lambda gt, g: single('close_normal', g, fin_retrans_passive=g.sfin - 1,
                                  fin_after_ack=g.sfin - 1, time_wait_reack=g.cack - 1),
        'r': lambda gt, g: single('timeout_last_ack', g, stalled='a', end=('closed', 'closed'),
                                  fin_retrans_passive=g.sfin - 1),
        's': lambda gt, g: single('timeout_last_ack', g, stalled='a', end=('closed', 'closed'),
                                  fin_retrans_passive=g.sfin - 1),
    },
}


def f6_syn_client(gt, g):
    m = g.sfin - 1              # the old connection's server FINs
    old = flow('close_normal', anomalies=('fin_retrans_passive', 'fin_after_ack',
                                          'time_wait_reack', 'syn_on_closing_tuple'),
               fins=(1, m), end=('time_wait', 'closed'))
    # The challenge ACK and the client's RST are a rejected handshake:
    # the client stays in SYN_SENT, its next SYN goes on in the same flow.
    new = flow('close_normal', anomalies=('half_open',))
    return vantage([old, new], fin_retrans_passive=m - 1, fin_after_ack=m - 1,
                   time_wait_reack=g.cack - 1, syn_on_closing_tuple=1, half_open=1)


def f6_syn_far(gt, g):
    m = g.sfin - 1
    old = flow('reset_closing', anomalies=('fin_retrans_passive', 'syn_on_closing_tuple',
                                           'rst_exact', 'half_open'),
               fins=(1, m), end=('closed', 'closed'))
    new = flow('close_normal')
    return vantage([old, new], fin_retrans_passive=m - 1, syn_on_closing_tuple=1,
                   rst_exact=1, half_open=1)


CASES['F6-syn'] = {
    'what': "as F6, then, while the server is in LAST_ACK, the client connects again from the same port",
    'designed': lambda gt, log: [
        eq(gt, 'c_syn_in', 3), eq(gt, 's_synack_in', 2), eq(gt, 'c_rst_in', 1),
        eq(gt, 's_rst_in', 0), eq(gt, 'c_fin_in', 2), ge(gt, 's_fin_in', 4),
        ('c_ack_sfin_in=s_fin_out-1 (each old FIN that reached it ACKed from TIME_WAIT)',
         gt['c_ack_sfin_in'] == gt['s_fin_out'] - 1),
        eq(gt, 'c_ack_sfin_out', 0),
        ('d_drop=c_ack_sfin_in+s_fin_in-s_fin_out',
         gt['d_drop'] == gt['c_ack_sfin_in'] + gt['s_fin_in'] - gt['s_fin_out'])],
    'kernel': ([N1_C, N1_C], [N1_S, N1_S]),
    'c': f6_syn_client, 'r': f6_syn_far, 's': f6_syn_far,
}


# F5: the server holds its socket; the client's FIN_WAIT_2 times out first.
F5_MID = {'close_wait_stuck': 1, 'state_close_wait': 1}


def f5_flow(gt, g, **counters):
    return single('timeout_fin_wait2', g, stalled='b', end=('closed', 'close_wait'),
                  **counters)


CASES['F5'] = {
    'what': "the client close()s, the server holds its socket past fin_timeout, then closes",
    'designed': lambda gt, log: [
        eq(gt, 'c_fin_in', 1), eq(gt, 's_fin_in', 1), eq(gt, 'd_drop', 0),
        ge(gt, 's_ack_cfin_in', 1), eq(gt, 'c_rst_in', 1), eq(gt, 's_rst_in', 0)],
    'kernel': ([OPEN_C + ',FIN_WAIT1,FIN_WAIT2,CLOSED'], [N1_S]),
    'mid': {'c': F5_MID, 'r': F5_MID, 's': F5_MID},
    # The server's late FIN gets an RST from the client's kernel, which no
    # longer has the socket: exact (its sequence number is the FIN's ACK).
    'c': lambda gt, g: f5_flow(gt, g, rst_exact=1),
    'r': lambda gt, g: f5_flow(gt, g, rst_exact=1),
    's': lambda gt, g: f5_flow(gt, g, rst_exact=1),
}


def f5_held(gt, g):
    # The verdict came before the server's late FIN, and nothing after it
    # makes an event: the flow reports no FIN of the server.
    return vantage([flow('timeout_fin_wait2', stalled='b', fins=(1, 0),
                         end=('closed', 'close_wait'))])


CASES['F5-held'] = {
    'what': "the client shutdown(SHUT_WR)s and keeps reading, the server holds its socket past fin_timeout, then closes",
    'designed': lambda gt, log: [
        eq(gt, 'c_fin_in', 1), eq(gt, 's_fin_in', 1), eq(gt, 'd_drop', 0),
        ge(gt, 's_ack_cfin_in', 1), eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0)],
    'kernel': ([N1_C], [N1_S]),
    # Linux has no timer for a FIN_WAIT_2 socket that is not an orphan;
    # the mirror's fin_timeout closes it (the parameter's purpose).
    'oracle': {'client': [('differ', N1_C, OPEN_C + ',FIN_WAIT1,FIN_WAIT2,CLOSED')]},
    'mid': {'c': F5_MID, 'r': F5_MID, 's': F5_MID},
    'c': f5_held, 'r': f5_held, 's': f5_held,
}
CASES['F5-drop'] = {
    'what': "the client close()s; after the server's ACK of its FIN, everything from the server dropped",
    'designed': lambda gt, log: [
        eq(gt, 'c_fin_in', 1), ge(gt, 's_fin_in', 2), eq(gt, 's_fin_out', 0),
        eq(gt, 's_ack_cfin_in', 1), eq(gt, 's_ack_cfin_out', 1),
        ('d_drop=s_fin_in', gt['d_drop'] == gt['s_fin_in']),
        eq(gt, 'c_rst_in', 0), eq(gt, 's_rst_in', 0)],
    'kernel': ([OPEN_C + ',FIN_WAIT1,FIN_WAIT2,CLOSED'], [N1_S]),
    'mid': {'c': F5_MID, 'r': F5_MID, 's': F5_MID},
    # The client and the router never see the server again: its side
    # stays CLOSE_WAIT there (and close_wait_stuck, until the flow is
    # evicted).  The server's mirror sees its FIN leave and come again.
    'c': f5_flow, 'r': f5_flow,
    's': lambda gt, g: f5_flow(gt, g, fin_retrans_passive=g.sfin - 1),
}

# --- the connection-management cases (teardown_r.sh) ------------------------
#
# What Linux does in each, and what each vantage can see of it, is written
# with the case.  No case has a stalled side: stalled is none throughout.

def quiet(gt, **want):
    """gt's counters named in want have those values; every RST, FIN and
    drop not named is 0 (so: the case moved only what it should)."""
    base = {'c_rst_in': 0, 's_rst_in': 0, 'c_fin_in': 1, 's_fin_in': 1,
            'd_drop': 0}
    base.update(want)
    return [eq(gt, k, v) for k, v in sorted(base.items())]


N4_C = OPEN_C + ',CLOSE_WAIT,LAST_ACK,CLOSED'
N4_S = OPEN_S + ',FIN_WAIT1,FIN_WAIT2,TIME_WAIT'


def r1(v):
    # Simultaneous open: each socket in SYN_SENT gets the other's SYN,
    # goes to SYN_RECV and sends a SYN-ACK (tcp_rcv_synsent_state_process);
    # the other's SYN-ACK then establishes it: SYN_SENT, SYN_RECV,
    # ESTABLISHED at both ends.  A SYN or SYN-ACK is sent again if its
    # timer fires first (300 ms each way under TCG): counted (a SYN-ACK in
    # synack_retrans), no anomaly.
    # Each host sees its own SYN first: at the server, side A is the
    # server and the active closer (the client) is B; at the router the
    # client's SYN came first.
    def f(gt, g):
        # One SYN-ACK each (same ISN as its SYN); any more is a
        # retransmission.
        syns = {'seg_syn': g.csyn + g.ssyn, 'seg_synack': g.csynack + g.ssynack,
                'synack_retrans': g.csynack + g.ssynack - 2}
        if v == 's':
            return vantage([flow('close_normal', 'b', end=('closed', 'time_wait'))],
                           swap=True, **syns)
        return vantage([flow('close_normal')], **syns)
    return f


CASES['R1'] = {
    'what': 'simultaneous open (the SYNs cross), then the client closes first',
    'designed': lambda gt, log: quiet(gt) + [
        ge(gt, n, 1) for n in ('c_syn_in', 's_syn_in', 'c_synack_in', 's_synack_in')],
    'kernel': (['SYN_SENT,SYN_RECV,ESTABLISHED,FIN_WAIT1,FIN_WAIT2,TIME_WAIT'],
               ['SYN_SENT,SYN_RECV,ESTABLISHED,CLOSE_WAIT,LAST_ACK,CLOSED']),
    'c': r1('c'), 'r': r1('r'), 's': r1('s'),
}


def r2_client(gt, g):
    # Linux: the stale SYN makes a request socket at the server (no
    # socket state change), whose SYN-ACK does not ACK the client's SYN:
    # the client, in SYN_SENT, answers <SEQ=SEG.ACK><CTL=RST> and stays in
    # SYN_SENT; the RST drops the request socket (the listener is
    # untouched); the client's next SYN opens the connection.
    # The client saw its own SYNs (the first ones dropped beyond it), the
    # SYN-ACK to the stale SYN, its RST, then the real handshake: one flow.
    return vantage([flow('close_normal', anomalies=('old_dup_syn',))],
                   seg_syn=gt['c_syn_in'] - 1, seg_synack=2, old_dup_syn=1)


def r2_far(gt, g):
    # The router and the server saw the stale SYN alone (the client's were
    # dropped): its handshake ends refused, the real one is a new flow.
    return vantage([flow('refused', 'none', anomalies=('old_dup_syn',),
                         fins=(0, 0), end=('closed', 'closed')),
                    flow('close_normal')], old_dup_syn=1)


CASES['R2'] = {
    'what': "a stale SYN (another ISN) reaches the server while the client's SYNs are dropped",
    'designed': lambda gt, log: quiet(gt, c_rst_in=1, s_synack_in=2, c_syn_out=2,
                                      d_drop=gt['c_syn_in'] - 2) + [ge(gt, 'c_syn_in', 3)],
    'kernel': ([N1_C], [N1_S]),
    'c': r2_client, 'r': r2_far, 's': r2_far,
}


def r3_near(gt, g):
    # The server's RST+ACK never passed the router: the client's flow is
    # established until the RST without ACK that answers its data (no
    # socket: tcp_v4_send_reset, SEQ = the data's ACK, exact).
    return vantage([flow('reset_established', 'none', anomalies=('rst_exact', 'half_open'),
                         fins=(0, 0), end=('closed', 'closed'))],
                   rst_exact=1, half_open=1)


def r3_server(gt, g):
    # The server saw its own abort (exact RST+ACK); once that flow was
    # freed, the client's data starts a picked-up flow (no initiator),
    # reset at once by the server's RST without ACK.  That flow's local
    # side has no kernel socket: the oracle's 'no-kernel' life below.
    return vantage([flow('reset_established', 'none', anomalies=('rst_exact',),
                         fins=(0, 0), end=('closed', 'closed')),
                    flow('reset_established', 'none', anomalies=('rst_exact', 'half_open'),
                         fins=(0, 0), end=('closed', 'closed'), initiator='none',
                         picked_up=True)],
                   rst_exact=2, half_open=1, flows_picked_up=1)


CASES['R3'] = {
    'what': "the server aborts, its RST dropped; the client's data is answered by an RST",
    'designed': lambda gt, log: quiet(gt, s_rst_in=2, s_rst_out=1, d_drop=1,
                                      c_fin_in=0, s_fin_in=0),
    'kernel': ([OPEN_C + ',CLOSED'], [OPEN_S + ',CLOSED', '-']),
    'oracle': {'server': [('agree', OPEN_S + ',CLOSED', OPEN_S + ',CLOSED'),
                          ('no-kernel', '-', 'ESTABLISHED,CLOSED')]},
    'c': r3_near, 'r': r3_near, 's': r3_server,
}


def r4_client(gt, g):
    # Linux: the server's established socket answers the new SYN (another
    # ISN) with a challenge ACK (RFC 5961 4.2); the client, in SYN_SENT,
    # answers that ACK with <SEQ=SEG.ACK><CTL=RST>, exact for the server,
    # which resets; the client's retransmitted SYN then reaches the
    # listener.  The client saw its own abort (the old flow's verdict);
    # in the new flow the RST is a rejected handshake: half_open, and the
    # client stays in SYN_SENT.
    return vantage([flow('reset_established', 'none', anomalies=('rst_exact',),
                         fins=(0, 0), end=('closed', 'closed')),
                    flow('close_normal', anomalies=('half_open',))],
                   rst_exact=1, half_open=1)


def r4_far(gt, g):
    # The router and the server never saw the abort: the old flow ends at
    # the client's RST without ACK (exact, half_open), the SYN that
    # follows starts the new flow.
    return vantage([flow('reset_established', 'none', anomalies=('rst_exact', 'half_open'),
                         fins=(0, 0), end=('closed', 'closed')),
                    flow('close_normal')],
                   rst_exact=1, half_open=1)


CASES['R4'] = {
    'what': "the client aborts, its RST dropped, and connects again from its port",
    'designed': lambda gt, log: quiet(gt, c_rst_in=2, c_rst_out=1, d_drop=1) + [
        ge(gt, 'c_syn_in', 3)],
    'kernel': ([OPEN_C + ',CLOSED', N1_C], [OPEN_S + ',CLOSED', N1_S]),
    'c': r4_client, 'r': r4_far, 's': r4_far,
}


def r5_near(gt, g):
    # Linux (tcp_timewait_state_process): an RST out of the window is
    # ignored, without a challenge ACK; the exact one kills the TIME_WAIT
    # unless tcp_rfc1337 = 1.  Both are rst_in_time_wait at the client
    # and the router; the verdict was given at TIME_WAIT already.  The
    # mirror ends its TIME_WAIT at the exact RST either way: it cannot
    # know the sysctl (the oracle compares up to TIME_WAIT only).
    return vantage([flow('close_normal', anomalies=('rst_in_time_wait', 'rst_exact',
                                                    'rst_out_of_window'))],
                   rst_in_time_wait=2, rst_exact=1, rst_out_of_window=1)


CASES['R5'] = {
    'what': "two RSTs reach the client's TIME_WAIT: out of the window, then exact",
    'designed': lambda gt, log: quiet(gt, s_rst_in=2, s_rst_out=2),
    'kernel': ([N1_C], [N1_S]),
    'c': r5_near, 'r': r5_near,
    # The injected RSTs do not cross the server's hooks.
    's': lambda gt, g: vantage([flow('close_normal')], seg_rst=0),
}
CASES['R5-rfc1337'] = dict(CASES['R5'])
CASES['R5-rfc1337']['what'] = CASES['R5']['what'] + ', with tcp_rfc1337 = 1'


def r6(active):
    # Linux: a bound connect() takes over the client's own TIME_WAIT
    # (tcp_twsk_unique, timestamps on); the server's TIME_WAIT accepts a
    # SYN with a newer timestamp (tcp_timewait_state_process, TCP_TW_SYN)
    # and the listener opens a new connection.  Every vantage counts the
    # SYN on the old flow, and the new connection is a flow of its own.
    def f(gt, g):
        end = ('time_wait', 'closed') if active == 'a' else ('closed', 'time_wait')
        return vantage([flow('close_normal', active, anomalies=('syn_on_closing_tuple',),
                             end=end),
                        flow('close_normal', active, end=end)],
                       syn_on_closing_tuple=1)
    return f


CASES['R6-client'] = {
    'what': "the client closes first, then connects again from its port (its TIME_WAIT)",
    'designed': lambda gt, log: quiet(gt, c_syn_in=2, s_synack_in=2, c_fin_in=2, s_fin_in=2),
    'kernel': ([N1_C, N1_C], [N1_S, N1_S]),
    'c': r6('a'), 'r': r6('a'), 's': r6('a'),
}
CASES['R6-server'] = {
    'what': "the server closes first, the client connects again from its port (the server's TIME_WAIT)",
    'designed': lambda gt, log: quiet(gt, c_syn_in=2, s_synack_in=2, c_fin_in=2, s_fin_in=2),
    'kernel': ([N4_C, N4_C], [N4_S, N4_S]),
    'c': r6('b'), 'r': r6('b'), 's': r6('b'),
}


# --- the kernel log: sequence numbers of the logged segments -----------------

def log_lines(dmesg, i):
    """(tag, SEQ, ACK) of the router's logged segments of instance i."""
    out = []
    pfx = 'td%d ' % i
    for line in dmesg:
        k = line.find(pfx)
        if k < 0 or (k > 0 and line[k - 1] not in ' ]'):
            continue
        tag = line[k + len(pfx):].split(' ', 1)[0]
        seq = re.search(r' SEQ=(\d+)', line)
        ack = re.search(r' ACK=(\d+)', line)
        out.append((tag, int(seq.group(1)) if seq else None,
                    int(ack.group(1)) if ack else None))
    return out


def same_seq(log, drop, fin, what):
    d = [s for t, s, a in log if t == drop]
    f = set(s for t, s, a in log if t == fin)
    ok = len(d) >= 1 and len(f) == 1 and all(s in f for s in d)
    return ('%s at the same sequence number (%s)' % (what, ','.join(map(str, sorted(f)))), ok)


def acks_fin(log, drop, fin, what):
    f = set(s for t, s, a in log if t == fin)
    d = [a for t, s, a in log if t == drop]
    ok = len(f) == 1 and len(d) >= 1 and \
        all(a == (min(f) + 1) & 0xffffffff for a in d)
    return ('%s (FIN seq %s, dropped ACKs %s)'
            % (what, ','.join(map(str, sorted(f))), ','.join(map(str, d))), ok)


# --- reading what lib.sh collected ---------------------------------------------

def counters(path):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) == 2:
                    out[p[0]] = int(p[1])
    except OSError:
        pass
    return out


def nft_counters(path):
    out = {}
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return out
    for obj in data.get('nftables', []):
        c = obj.get('counter')
        if c:
            out[c['name']] = c['packets']
    return out


def events(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith('{'):
                    out.append(json.loads(line))
    except (OSError, ValueError):
        pass
    return out


def flows_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def reopened(prev, e):
    """Whether event e has a side open that event prev had closed."""
    return any(prev.get(k, {}).get('state') == 'closed' and
               e.get(k, {}).get('state') not in (None, 'closed')
               for k in ('a', 'b'))


def group_flows(evs, open_flows, cport, sport):
    """The flows of the tuple at one vantage, in order: its events in the
    order they came, a new flow starting where the age drops (a flow's
    events come in order, each with the flow's age when it was made),
    then the flows still in the table without a verdict."""
    groups = []
    last_age = None
    for e in evs:
        a, b = e.get('a', {}), e.get('b', {})
        if a.get('port') != cport or b.get('port') != sport:
            if a.get('port') == sport and b.get('port') == cport:
                groups.append({'swapped': e})
                last_age = None
            continue
        # A flow's events carry its age: a new flow where the age drops,
        # or at a second flow_end (a refused handshake's flow ends young,
        # and the next one may end older; anomalies may follow a verdict
        # given at TIME_WAIT, in the same flow).
        # A side the mirror closed never reopens within a flow either (a
        # SYN on a closed tuple starts a new one): an event with a side
        # open that the group's last event had closed is a new flow,
        # whatever the ages (R4's new flow may be older at its first
        # event than the old one was at its last).
        if last_age is None or e['age_ms'] < last_age or \
                (e['event'] == 'flow_end' and
                 any(x['event'] == 'flow_end' for x in groups[-1]['events'])) or \
                reopened(groups[-1]['events'][-1], e):
            groups.append({'events': []})
        groups[-1]['events'].append(e)
        last_age = e['age_ms']
    for f in open_flows:
        a, b = f.get('a', {}), f.get('b', {})
        # A flow with a verdict is in the events; one without is open.
        if a.get('port') != cport or b.get('port') != sport or \
                f.get('verdict', 'none') != 'none':
            continue
        last = groups[-1] if groups else None
        if last and 'events' in last and 'open' not in last and \
                not any(e['event'] == 'flow_end' for e in last['events']):
            last['open'] = f    # the flow of the last events, still open
        else:
            groups.append({'events': [], 'open': f})
    return groups


def describe(g):
    """One flow group as the expectation's terms."""
    if 'swapped' in g:
        return {'bad': 'a flow with the server as side A'}
    evs = g['events']
    end = next((e for e in evs if e['event'] == 'flow_end'), None)
    last = g.get('open') or (evs[-1] if evs else None)
    src = end or last
    anomalies = set()
    fins = [0, 0]
    for e in evs + ([g['open']] if 'open' in g else []):
        anomalies |= set(e.get('anomalies', []))
        fins[0] = max(fins[0], e['a'].get('fins', 0))
        fins[1] = max(fins[1], e['b'].get('fins', 0))
    return {'verdict': src.get('verdict', 'none') if end or 'open' in g else 'none',
            'active': src.get('active_closer', 'none'),
            'stalled': src.get('stalled', 'none') if end else 'none',
            'anomalies': anomalies, 'fins': tuple(fins),
            'end': (src['a'].get('state'), src['b'].get('state')),
            'initiator': src.get('initiator'), 'picked_up': bool(src.get('picked_up'))}


def fmt_flow(f):
    if 'bad' in f:
        return f['bad']
    return '%s active=%s stalled=%s anomalies=%s fins=%d/%d states=%s/%s' % (
        f['verdict'], f['active'], f['stalled'],
        ','.join(sorted(f['anomalies'])) or '-', f['fins'][0], f['fins'][1],
        f['end'][0], f['end'][1])


# --- the oracle ----------------------------------------------------------------

def oracle_conns(lines, netns, lport, rport):
    out = []
    for line in lines:
        p = line.split()
        if len(p) >= 9 and p[0] == 'conn' and p[1] == str(netns) and \
                p[3] == str(lport) and p[5] == str(rport):
            out.append((p[6], p[7][len('kernel='):], p[8][len('mirror='):]))
    return out


# --- the checks ----------------------------------------------------------------

class Out:
    def __init__(self):
        self.results = 0

    def result(self, ok, desc, msgs=()):
        for m in msgs:
            print('MSG|%s' % m)
        print('%s|%s' % ('PASS' if ok else 'FAIL', desc))
        self.results += 1



def check_vantage(o, work, inst, case, gt, v, vname):
    i, cname, fam, cport, sport = inst[:5]
    g = Seen(gt, v)
    exp = case[v](gt, g)
    before = counters(os.path.join(work, '%s.%s.before' % (i, v)))
    after = counters(os.path.join(work, '%s.%s.after' % (i, v)))
    evs = events(os.path.join(work, '%s.%s.watch' % (i, v)))
    open_flows = flows_json(os.path.join(work, '%s.%s.flows' % (i, v)))
    bad = []
    a, b = (sport, cport) if exp['swap'] else (cport, sport)
    got = [describe(gr) for gr in group_flows(evs, open_flows, int(a), int(b))]
    want = exp['flows']
    if len(got) != len(want):
        bad.append('%d flows, want %d' % (len(got), len(want)))
    for n, (gf, wf) in enumerate(zip(got, want)):
        if 'bad' in gf:
            bad.append('flow %d: %s' % (n + 1, gf['bad']))
            continue
        for k in ('verdict', 'active', 'stalled', 'anomalies', 'fins', 'end',
                  'initiator', 'picked_up'):
            if gf[k] != wf[k]:
                bad.append('flow %d: %s %s, want %s' % (n + 1, k, gf[k], wf[k]))
    # Counters: exact deltas.
    wantc = {'seg_syn': g.csyn, 'seg_synack': g.ssynack,
             'seg_fin': g.cfin + g.sfin, 'seg_rst': g.crst + g.srst,
             'flows_created': len(want)}
    for vd in VERDICTS:
        wantc['verdict_' + vd] = sum(1 for f in want if f['verdict'] == vd)
    for k in ANOMALIES + OTHERS:
        wantc[k] = 0
    wantc.update(exp['counters'])
    # Any other counter that counts events (a new anomaly, say) stays.
    for k in after:
        if k not in wantc and k not in UNCHECKED and not GAUGE.match(k):
            wantc[k] = 0
    # Gauges in the middle of the case, where it names them.
    mid = case.get('mid', {}).get(v)
    if mid:
        now = counters(os.path.join(work, '%s.%s.mid' % (i, v)))
        for k, w in sorted(mid.items()):
            if now.get(k) != w:
                bad.append('%s was %s in the middle of the case, want %d'
                           % (k, now.get(k, 'not read'), w))
    deltas = {}
    for k, w in wantc.items():
        if k not in after:
            bad.append('no counter %s' % k)
            continue
        deltas[k] = after[k] - before.get(k, 0)
        if deltas[k] != w:
            bad.append('%s moved by %d, want %d' % (k, deltas[k], w))
    moved = ' '.join('%s=%d' % (k, d) for k, d in deltas.items()
                     if d and not k.startswith('seg_') and k != 'flows_created')
    summary = '; '.join(fmt_flow(f) for f in want)
    msgs = ['%s %s at the %s: %s' % (cname, fam, vname, '; '.join(fmt_flow(f) for f in got) or 'no flow')]
    msgs.append('%s %s at the %s: counters %s' % (cname, fam, vname, moved or 'none moved'))
    msgs += ['%s %s at the %s: %s' % (cname, fam, vname, b) for b in bad]
    gauges = ''
    if mid:
        gauges = '; midway ' + ' '.join('%s=%d' % kv for kv in sorted(mid.items()))
    o.result(not bad, '%s %s at the %s: %s; counters %s, no other moved%s'
             % (cname, fam, vname, summary,
                ' '.join('%s=%d' % (k, d) for k, d in sorted(exp['counters'].items())) or 'of anomalies: none',
                gauges),
             msgs if bad else [])


def check_instance(o, work, inst, compare, dmesg):
    i, cname, fam, cport, sport, nsc, nss = inst
    case = CASES[cname]
    gt = nft_counters(os.path.join(work, '%s.nft' % i))
    names = [n + sfx for n in ('c_syn', 'c_synack', 'c_rst', 'c_fin', 'c_ack_sfin', 's_syn',
                               's_synack', 's_rst', 's_fin', 's_ack_cfin')
             for sfx in ('_in', '_out')]
    missing = [n for n in names + ['d_drop'] if n not in gt]
    conns = {'client': oracle_conns(compare, nsc, cport, sport),
             'server': oracle_conns(compare, nss, sport, cport)}
    # 1. The case happened as designed.
    bad = []
    if missing:
        bad.append('no nft counters %s' % ','.join(missing))
        for n in missing:
            gt[n] = 0
    log = log_lines(dmesg, int(i))
    for desc, ok in case['designed'](gt, log):
        if not ok:
            bad.append(desc)
    try:
        rc = open(os.path.join(work, '%s.rc' % i)).read().strip()
    except OSError:
        rc = 'none'
    if rc != '0':
        bad.append('the case ended with status %s' % rc)
    for who, exps in zip(('client', 'server'), case['kernel']):
        ks = [k for r, k, m in conns[who]]
        if len(ks) != len(exps) or \
                not all(re.fullmatch(e, k) for e, k in zip(exps, ks)):
            bad.append('%s kernel sequence%s %s, want %s'
                       % (who, 's' if len(ks) != 1 else '', ' / '.join(ks) or '-',
                          ' / '.join(exps)))
    gts = ' '.join('%s=%d' % (n, gt[n]) for n in names + ['d_drop'] if gt[n])
    msgs = ['%s %s: router counts %s' % (cname, fam, gts)]
    for who in ('client', 'server'):
        try:
            out = open(os.path.join(work, '%s.%s' % (i, who))).read().strip()
        except OSError:
            out = ''
        if out:
            msgs.append('%s %s: %s output: %s' % (cname, fam, who, out.replace('\n', ' / ')))
    msgs += ['%s %s: not as designed: %s' % (cname, fam, b) for b in bad]
    o.result(not bad, '%s %s: as designed: %s' % (cname, fam, case['what']), msgs)
    # 2-4. Each vantage.
    for v, vname in VANTAGES:
        check_vantage(o, work, inst, case, gt, v, vname)
    # 5-6. The oracle: each local endpoint's mirrored states = the kernel's.
    # A case may name, per endpoint, the comparator's lines where the
    # kernel has no socket the mirror could be compared with, or where
    # they are known to differ (F5-held): (result, kernel, mirror) regular
    # expressions, one per life.
    for who in ('client', 'server'):
        lives = conns[who]
        want = case.get('oracle', {}).get(who)
        if want:
            ok = len(lives) == len(want) and \
                all(all(re.fullmatch(w, g) for w, g in zip(wl, gl))
                    for wl, gl in zip(want, lives))
        else:
            ok = bool(lives) and all(r == 'agree' for r, k, m in lives)
        msgs = ['%s %s %s life %d: %s kernel=%s mirror=%s'
                % (cname, fam, who, n + 1, r, k, m) for n, (r, k, m) in enumerate(lives)]
        if not lives:
            msgs.append('%s %s: no %s socket seen by the oracle' % (cname, fam, who))
        if want:
            o.result(ok, '%s %s: %s mirror vs kernel as expected (%s)'
                     % (cname, fam, who, ', '.join(w[0] for w in want)), msgs)
            continue
        o.result(ok, '%s %s: %s mirror = kernel (%d socket li%s)'
                 % (cname, fam, who, len(lives), 'fe' if len(lives) == 1 else 'ves'),
                 msgs)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    work = sys.argv[1]
    o = Out()
    with open(os.path.join(work, 'manifest')) as f:
        insts = [line.split() for line in f if line.strip()]
    try:
        with open(os.path.join(work, 'compare')) as f:
            compare = f.read().splitlines()
    except OSError:
        compare = []
    try:
        with open(os.path.join(work, 'dmesg'), errors='replace') as f:
            dmesg = f.read().splitlines()
    except OSError:
        dmesg = []
    for inst in insts:
        done = o.results
        try:
            check_instance(o, work, inst, compare, dmesg)
        except Exception:       # a bug here must not cut the plan short
            for line in traceback.format_exc().splitlines():
                print('MSG|%s' % line)
            while o.results < done + RESULTS:
                o.result(False, '%s %s: result %d (check.py failed)'
                         % (inst[1], inst[2], o.results - done + 1))


if __name__ == '__main__':
    main()
