#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seed corpus of fuzz_fsm: the scenario catalog (Documentation/scenarios.rst)
as segment sequences in fuzz_fsm's input format (Documentation/testing.rst,
"Fuzzing the state machine").  Writes one file per scenario into DIR, and
on stdout its manifest: each file's name and the verdicts its flows must
end with, which "make check" in selftests/fuzz compares with fuzz_fsm's
trace.

Endpoint 0 is the client, 1 the server.  Most segments are seen at the
client's host: a segment lost beyond it is written, its loss is not.

    seedgen.py DIR >MANIFEST
"""
import os
import struct
import sys

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
C, S = 0, 1

OPT_LEN = 40
# More than a saturating counter's 255, within fuzz_fsm's -max_len.
SATURATE = 260
# A Linux SYN's options: MSS 1460, SACK permitted, timestamps, NOP, wscale 7.
LINUX_SYN_OPTS = bytes([2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
                        1, 3, 3, 7])

# Op kinds and number modes of fuzz_fsm.c.
OP_SEG, OP_EXPIRE, OP_EVICT, OP_LINGER = 0, 5, 6, 7
M_NEXT, M_ACKED, M_RAW, M_ISN = 0, 1, 2, 3


class Flow:
    """One input: a header, then 16-byte records."""

    def __init__(self, isn_c=1000, isn_s=900000, opts=(LINUX_SYN_OPTS,) * 2):
        self.recs = []
        hdr = struct.pack('<II', isn_c, isn_s)
        for o in opts:
            hdr += o.ljust(OPT_LEN, b'\0')
        self.hdr = hdr
        self.syn_doff = [5 + (len(o) + 3) // 4 for o in opts]

    def seg(self, ep, flags, seq=0, ack=0, smode=M_NEXT, amode=M_NEXT,
            length=0, win=502, doff=None, len_err=0):
        if doff is None:
            doff = self.syn_doff[ep] if flags & SYN else 5
        op = OP_SEG | ep << 3 | smode << 4 | amode << 6
        self.recs.append(struct.pack('<BBIIHHBb', op, flags,
                                     seq & 0xffffffff, ack & 0xffffffff,
                                     win, length & 0xffff,
                                     doff | (length >> 16) << 4, len_err))
        return self

    def op(self, kind, ep=0, b1=0, v=0):
        self.recs.append(struct.pack('<BBI10x', kind | ep << 3, b1,
                                     v & 0xffffffff))
        return self

    def expire(self, ep):
        return self.op(OP_EXPIRE, ep)

    def evict(self):
        return self.op(OP_EVICT)

    def unlink(self):
        return self.op(OP_LINGER, 0, 1)

    def new_isn(self, ep, isn):
        return self.op(OP_LINGER, ep, 2, isn)

    # Segments as Linux sends them: in sequence, ACKing all it received.
    def syn(self, ep):
        return self.seg(ep, SYN, smode=M_ISN, win=64240)

    def synack(self, ep):
        return self.seg(ep, SYN | ACK, smode=M_ISN, win=65160)

    def ack(self, ep, **kw):
        return self.seg(ep, ACK, **kw)

    def data(self, ep, n=100, **kw):
        return self.seg(ep, PSH | ACK, length=n, **kw)

    def fin(self, ep, **kw):
        return self.seg(ep, FIN | ACK, **kw)

    def fin_again(self, ep):
        return self.seg(ep, FIN | ACK, seq=-1)

    def open(self):
        self.syn(C).synack(S).ack(C)
        return self.data(C, 5).data(S, 5).ack(C)

    def close(self, first=C):
        other = 1 - first
        return self.fin(first).ack(other).fin(other).ack(first)

    def repeat(self, times, method, *args, **kw):
        for _ in range(times):
            getattr(self, method)(*args, **kw)
        return self

    def bytes(self):
        return self.hdr + b''.join(self.recs)


def scenarios():
    """(name, flow, verdicts its flows end with, in order)."""
    def f():
        return Flow()

    n = 'close_normal'
    old = (1000 - 100000) & 0xffffffff
    return [
        ('N1_client_closes', f().open().close(C), [n]),
        ('N2_three_segment_close', f().open().fin(C).fin(S).ack(C), [n]),
        ('N3_fins_cross',
         f().open().fin(C).fin(S, ack=-1).ack(C).ack(S),
         ['close_simultaneous']),
        ('N4_server_closes', f().open().close(S), [n]),
        ('F1_fin_lost',
         f().open().fin(C).fin_again(C).ack(S).fin(S).ack(C), [n]),
        ('F1_fin_lost_timeout',
         f().open().fin(C).fin_again(C).fin_again(C).expire(C),
         ['timeout_fin_wait1']),
        ('F2_ack_of_fin_lost',
         f().open().fin(C).fin_again(C).fin(S).ack(C), [n]),
        ('F3_passive_fin_lost',
         f().open().fin(C).ack(S).fin(S).fin_again(S).ack(C), [n]),
        ('F4_last_ack_lost',
         f().open().fin(C).ack(S).fin(S).ack(C).fin_again(S).ack(C), [n]),
        ('F5_server_runs_away',
         f().open().fin(C).ack(S).data(S, 10).expire(C),
         ['timeout_fin_wait2']),
        ('F6_client_runs_away',
         f().open().fin(C).ack(S).fin(S).fin_again(S).fin_again(S)
         .expire(S), ['timeout_last_ack']),
        ('F6_syn_on_closing_tuple',
         f().open().fin(C).ack(S).fin(S).fin_again(S).new_isn(C, 7000000)
         .syn(C).fin_again(S).expire(S).unlink().syn(C).synack(S).ack(C)
         .close(C), ['timeout_last_ack', n]),
        ('R1_simultaneous_open',
         f().syn(C).syn(S).synack(C).synack(S).data(C, 5).data(S, 5)
         .close(C), [n]),
        # A stale SYN (ISN 1000 - 100000) seen after the client's own: the
        # server's SYN-ACK answers it, the client rejects that with an RST.
        ('R2_old_duplicate_syn',
         f().syn(C).seg(C, SYN, seq=old, smode=M_RAW, win=64240)
         .seg(S, SYN | ACK, ack=old + 1, amode=M_RAW, win=65160)
         .seg(C, RST, seq=old + 1, smode=M_RAW, win=0)
         .syn(C).synack(S).ack(C).data(C, 5).close(C), [n]),
        ('R3_half_open_peer_crashed',
         f().open().data(C, 50).seg(S, RST, win=0), ['reset_established']),
        ('R4_crashed_side_reconnects',
         f().open().new_isn(C, 5000000).syn(C).ack(S, amode=M_ACKED)
         .seg(C, RST, smode=M_ACKED, win=0).syn(C).synack(S).ack(C)
         .close(C), ['reset_established', n]),
        # R4 at a vantage whose mirror of the old connection is gone
        # (evicted): the new flow starts at the client's new SYN.
        ('R4_seen_from_new_flow',
         f().open().evict().new_isn(C, 5000000).syn(C)
         .ack(S, amode=M_ACKED).seg(C, RST, smode=M_ACKED, win=0)
         .syn(C).synack(S).ack(C).close(C), ['evicted', n]),
        ('R5_rst_in_time_wait',
         f().open().close(C).seg(S, RST, win=0), [n]),
        ('R6_syn_on_time_wait',
         f().open().close(C).new_isn(C, 3000000).syn(C).synack(S).ack(C)
         .close(S), [n, n]),
        ('refused', f().syn(C).seg(S, RST | ACK, win=0), ['refused']),
        ('syn_timeout', f().syn(C).syn(C).expire(C), ['syn_timeout']),
        ('synack_timeout',
         f().syn(C).synack(S).synack(S).expire(S), ['syn_timeout']),
        ('A2_blind_rst',
         f().open().seg(S, RST, seq=0x40000000, smode=M_ACKED, win=0)
         .seg(S, RST, seq=1000, smode=M_ACKED, win=0).ack(C).data(S, 20)
         .ack(C)
         .close(C), [n]),
        ('A2_rst_after_challenge',
         f().open().seg(S, RST, seq=1000, smode=M_ACKED, win=0).ack(C)
         .seg(S, RST, win=0), ['reset_established']),
        ('A2_rst_exact',
         f().open().fin(C).ack(S).seg(S, RST | ACK, win=0),
         ['reset_closing']),
        ('A3_injection',
         f().open().data(S, 100, seq=0x40000000, smode=M_ACKED)
         .data(S, 100, seq=-0x40000000, smode=M_ACKED)
         .ack(S, ack=100000, amode=M_ACKED).ack(S, ack=200000, amode=M_ACKED)
         .data(C, 10).close(C), [n]),
        # The per-flow counters saturate at 255.
        ('saturate_rst_pending',
         f().open().repeat(SATURATE, 'seg', S, RST, seq=0x40000000,
                           smode=M_ACKED, win=0).data(S, 10).close(C), [n]),
        ('saturate_injected',
         f().open().repeat(SATURATE, 'data', S, 10, seq=0x40000000,
                           smode=M_ACKED).close(C), [n]),
        ('saturate_fin_count',
         f().open().fin(C).repeat(SATURATE, 'fin_again', C).ack(S).fin(S)
         .ack(C), [n]),
        ('picked_up_mid_stream',
         f().data(C, 1448).ack(S).data(S, 1448).ack(C).close(S), [n]),
        ('picked_up_at_synack',
         f().synack(S).ack(C).data(C, 5).close(C), [n]),
        ('big_tcp_and_window_zero',
         f().open().data(C, 0x30000).ack(S, win=0).data(C, 1, win=0)
         .ack(S).close(C), [n]),
        ('evicted', f().open().data(C, 10).evict().data(S, 10),
         ['evicted']),
        ('bad_headers',
         f().open().data(C, 10, doff=4).data(C, 10, doff=15)
         .seg(C, ACK, len_err=-4).seg(C, ACK, doff=0, len_err=10)
         .close(C), [n]),
        # SYN options: malformed, truncated, NOPs only, wscale past 14.
        ('syn_options',
         Flow(opts=(bytes([1, 1, 8, 10, 0, 0, 0, 1, 3, 3]),
                    bytes([1, 1, 1, 3, 3, 15]))).open().close(C), [n]),
        ('syn_options_malformed',
         Flow(opts=(bytes([2, 4, 5, 0xb4, 3, 1, 7]),
                    bytes([2, 44, 5, 0xb4, 3, 3, 7]))).open().close(C), [n]),
    ]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    manifest = []
    for name, flow, verdicts in scenarios():
        with open(os.path.join(out, name), 'wb') as fp:
            fp.write(flow.bytes())
        manifest.append('%s %s\n' % (name, ' '.join(verdicts)))
    sys.stdout.writelines(manifest)


if __name__ == '__main__':
    main()
