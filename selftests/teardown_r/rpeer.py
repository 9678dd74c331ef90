#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Peers and injectors for the connection-management cases (teardown_r.sh).

Each prints one line per outcome on stdout ("what: result") and exits 0,
or prints the error on stderr and exits 1.  "rpeer.py hub SPOOL" runs
them all in one process instead (see hub()): each file SPOOL/NAME holds
one, a line each: the netns (of /run/netns), the output file, the file
to write the exit status to, the arguments, and "end".  DIR is a
directory the test and the helper share: "DIR/ready" is created once the
helper is set up, the test creates "DIR/go" (or "DIR/cmd.N") to make it
go on.

  rpeer.py simopen DIR CPORT SNETNS SADDR SPORT CADDR
      R1, simultaneous open, both ends in one thread, so that nothing
      comes between their connect()s: the client's socket (in this
      job's netns) bound to CPORT, the server's (in SNETNS) to SPORT;
      touch DIR/ready, wait for DIR/start, take real-time priority, wait
      for DIR/go, which holds a PID in the router's netns, or "-".
      connect() the client to SADDR SPORT without waiting, until the
      router's tcpclose counted its SYN (at once with "-"), then the
      server to CADDR CPORT; once both are connected, touch
      DIR/connected and wait for DIR/go2.  The client sends "ping", the
      server reads it and sends "pong", the client reads it and closes;
      the server reads to EOF and closes 500 ms later.  Prints "first:
      pong", "second: ping", "second: EOF".
  rpeer.py abortserver LPORT 4|6
      R3: accept one connection, read "ping", send "pong", wait until it is
      ACKed, then abort: SO_LINGER {1, 0} and close(), an RST.
  rpeer.py dataclient DIR ADDR PORT LPORT
      R3: once DIR/start exists, from LPORT, connect, send "ping", read
      "pong", touch DIR/ready; once DIR/go exists, send "data" and read:
      "read: ECONNRESET" is the expected outcome (the peer's kernel had
      forgotten the connection).
  rpeer.py holdserver LPORT 4|6
      R4: accept a connection, read "ping", send "pong", then read until
      EOF or an error ("first: ECONNRESET"); accept a second one, read
      "ping", send "pong", read EOF, close 500 ms later ("second: EOF").
  rpeer.py reconnect DIR ADDR PORT LPORT
      R4: once DIR/start exists, from LPORT, connect, send "ping", read
      "pong", abort (SO_LINGER {1, 0}, close()); then from LPORT again,
      connect (same tuple, new ISN), send "ping", read "pong", close
      ("second: pong").
  rpeer.py inject DIR IFACE DSTMAC SRC DST SPORT DPORT
      Inject segments SRC:SPORT -> DST:DPORT as Ethernet frames on IFACE,
      to DSTMAC, through a packet socket: they bypass this host's IP
      stack and its netfilter hooks, like a segment already in the
      network.  Records the sequence number of the last FIN it sees SRC
      send on IFACE.  For N = 1, 2, ...: waits for DIR/cmd.N, "FLAGS
      SEQ" (SEQ a number, or fin+K / fin-K: the recorded FIN's sequence
      number + K), sends that segment and writes its sequence number to
      DIR/done.N; "quit" ends
      (DIR/finished).
"""
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import threading
import time

# Every wait times TCPCLOSE_TIMEOUT_SCALE, as lib.sh's are (make
# check-debug): the peers are started while the instances are made, which
# takes over 10 minutes on the debug kernel.
SCALE = max(1, int(os.environ.get("TCPCLOSE_TIMEOUT_SCALE", "1") or 1))
TIMEOUT = 300 * SCALE


def wait_file(path, timeout=TIMEOUT, step=0.2):
    """Until path exists: checked every 10 ms at first, then less and
    less often, up to every step s (under TCG, many helpers polling often
    take the CPU from everything else)."""
    end = time.monotonic() + timeout
    nap = min(0.01, step)
    while not os.path.exists(path):
        if time.monotonic() > end:
            sys.exit("rpeer: timed out waiting for %s" % path)
        time.sleep(nap)
        nap = min(nap * 1.5, step)


def touch(path):
    open(path, "w").close()


OUT = threading.local()
LIBC = ctypes.CDLL(None, use_errno=True)


def say(what, result):
    """One line of outcome, to the job's output (hub) or stdout."""
    print("%s: %s" % (what, result), file=getattr(OUT, "f", sys.stdout),
          flush=True)


def errname(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    return errno.errorcode.get(e.errno, str(e.errno))


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def bound(fam, lport):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", lport))
    return s


def listener(lport, six):
    s = bound(socket.AF_INET6 if six == "6" else socket.AF_INET, lport)
    s.listen(8)
    s.settimeout(TIMEOUT)
    return s


def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(64)
        if not d:
            break
        buf += d
    return buf


def read_to_eof(s):
    """'EOF', or the errno name of the read that failed."""
    try:
        while s.recv(256):
            pass
        return "EOF"
    except OSError as e:
        return errname(e)


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def unacked(s):
    """Bytes sent and not yet ACKed (SIOCOUTQ)."""
    import fcntl
    import termios
    buf = fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
    return struct.unpack("i", buf)[0]


def counted(pid, name, n):
    """tcpclose counter name of the netns of pid is n or more."""
    with open("/proc/%s/net/tcpclose" % pid) as f:
        for line in f:
            kv = line.split()
            if len(kv) == 2 and kv[0] == name:
                return int(kv[1]) >= n
    return False


def connected(socks, timeout):
    """Until every non-blocking connect() of socks is done; raises the
    error of one that failed."""
    end = time.monotonic() + timeout
    todo = list(socks)
    while todo:
        left = end - time.monotonic()
        if left <= 0:
            raise OSError(errno.ETIMEDOUT, "connect() not done")
        _, w, _ = select.select([], todo, [], left)
        for s in w:
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, os.strerror(err))
            todo.remove(s)


def simopen(d, cport, snetns, saddr, sport, caddr):
    c = bound(family(saddr), cport)
    setns(snetns)
    s = bound(family(caddr), sport)
    touch(os.path.join(d, "ready"))
    # Once the case began: real-time priority, and a prompt connect().
    wait_file(os.path.join(d, "start"))
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(20))
    wait_file(os.path.join(d, "go"), step=0.005)
    with open(os.path.join(d, "go")) as f:
        router = f.read().strip() or "-"
    c.setblocking(False)
    s.setblocking(False)
    c.connect_ex((saddr, sport))
    # The client's SYN first at the router too (its mirror calls the
    # sender of the first SYN side A), then the server's at once.
    end = time.monotonic() + 30 * SCALE
    while router != "-" and not counted(router, "seg_syn", 1):
        if time.monotonic() > end:
            sys.exit("rpeer: the router never counted the client's SYN")
        time.sleep(0.002)
    s.connect_ex((caddr, cport))
    connected((c, s), TIMEOUT)
    c.setblocking(True)
    s.setblocking(True)
    c.settimeout(TIMEOUT)
    s.settimeout(TIMEOUT)
    touch(os.path.join(d, "connected"))
    wait_file(os.path.join(d, "go2"))
    c.sendall(b"ping\n")
    ping = read_line(s).decode().strip()
    s.sendall(b"pong\n")
    say("first", read_line(c).decode().strip())
    c.close()
    say("second", ping)
    res = read_to_eof(s)
    time.sleep(0.5)
    s.close()
    say("second", res)


def abortserver(lport, six):
    lst = listener(lport, six)
    c, _ = lst.accept()
    c.settimeout(TIMEOUT)
    read_line(c)
    c.sendall(b"pong\n")
    end = time.monotonic() + TIMEOUT
    while unacked(c) and time.monotonic() < end:
        time.sleep(0.01)
    abort(c)
    say("server", "aborted")


def dataclient(d, addr, port, lport):
    wait_file(os.path.join(d, "start"))
    s = bound(family(addr), lport)
    s.settimeout(TIMEOUT)
    s.connect((addr, port))
    s.sendall(b"ping\n")
    read_line(s)
    touch(os.path.join(d, "ready"))
    wait_file(os.path.join(d, "go"))
    s.sendall(b"data\n")
    try:
        d = s.recv(64)
        say("read", "EOF" if not d else "data")
    except OSError as e:
        say("read", errname(e))
    s.close()


def holdserver(lport, six):
    lst = listener(lport, six)
    c, _ = lst.accept()
    c.settimeout(TIMEOUT)
    read_line(c)
    c.sendall(b"pong\n")
    say("first", read_to_eof(c))
    c.close()
    c, _ = lst.accept()
    c.settimeout(TIMEOUT)
    read_line(c)
    c.sendall(b"pong\n")
    res = read_to_eof(c)
    time.sleep(0.5)
    c.close()
    say("second", res)


def reconnect(d, addr, port, lport):
    wait_file(os.path.join(d, "start"))
    for n in ("first", "second"):
        s = bound(family(addr), lport)
        s.settimeout(TIMEOUT)
        s.connect((addr, port))
        s.sendall(b"ping\n")
        got = read_line(s).decode().strip()
        if n == "first":
            abort(s)
        else:
            s.close()
            say(n, got)


def csum(data):
    """The Internet checksum of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def segment(src, dst, sport, dport, flags, seq):
    """An IPv4 or IPv6 packet holding a TCP header without options, and
    its Ethernet type."""
    bits = sum(FLAGS[c] for c in flags)
    tcp = struct.pack("!HHIIHHHH", sport, dport, seq, 0, 5 << 12 | bits,
                      65535, 0, 0)
    if ":" in dst:
        s = socket.inet_pton(socket.AF_INET6, src)
        d = socket.inet_pton(socket.AF_INET6, dst)
        pseudo = s + d + struct.pack("!I3xB", len(tcp), 6)
        tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
        ip6 = struct.pack("!IHBB", 6 << 28, len(tcp), 6, 64) + s + d
        return 0x86dd, ip6 + tcp
    s = socket.inet_aton(src)
    d = socket.inet_aton(dst)
    pseudo = s + d + struct.pack("!xBH", 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6,
                     0) + s + d
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return 0x0800, ip + tcp


def tcp_of(frame):
    """(source address, TCP header) of an Ethernet frame holding TCP, or
    None."""
    etype = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if etype == 0x0800 and len(p) >= 20 and p[9] == 6:
        return socket.inet_ntop(socket.AF_INET, p[12:16]), p[(p[0] & 15) * 4:]
    if etype == 0x86dd and len(p) >= 40 and p[6] == 6:
        return socket.inet_ntop(socket.AF_INET6, p[8:24]), p[40:]
    return None


def inject(d, iface, dstmac, src, dst, sport, dport):
    """Sends through a packet socket: no scapy, whose import takes seconds
    under TCG."""
    eth_all = 3                 # ETH_P_ALL
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((iface, 0))
    mymac = tx.getsockname()[4]
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(eth_all))
    rx.bind((iface, eth_all))
    fin = []
    segs = []

    def sniff():
        while True:
            try:
                got = tcp_of(rx.recv(2048))
            except OSError:     # the link went away with its netns
                return
            if not got or len(got[1]) < 20:
                continue
            a, t = got
            sp, dp, seq, _, off = struct.unpack("!HHIIH", t[:14])
            segs.append("%d>%d %#x" % (sp, dp, off & 0x3f))
            if a == src and sp == sport and dp == dport and off & 0x01:
                fin.append(seq)

    threading.Thread(target=sniff, daemon=True).start()
    touch(os.path.join(d, "ready"))
    n = 0
    while True:
        n += 1
        cmd = os.path.join(d, "cmd.%d" % n)
        # Started early, while bpftrace attaches: the first may be long.
        wait_file(cmd, timeout=600 * SCALE)
        words = open(cmd).read().split()
        if words == ["quit"]:
            touch(os.path.join(d, "finished"))
            break
        flags, seq = words
        if seq.startswith("fin"):
            if not fin:
                sys.exit("rpeer: no FIN seen from %s:%d (seen: %s)" %
                         (src, sport, ", ".join(segs)))
            seq = fin[-1] + int(seq[3:])
        seq = int(seq) & 0xffffffff
        etype, pkt = segment(src, dst, sport, dport, flags, seq)
        mac = bytes.fromhex(dstmac.replace(":", ""))
        tx.send(mac + mymac + struct.pack("!H", etype) + pkt)
        with open(os.path.join(d, "done.%d" % n), "w") as f:
            f.write("%d\n" % seq)


def run(a):
    """Role a[0] with its arguments; its error message, or None."""
    try:
        if len(a) == 7 and a[0] == "simopen":
            simopen(a[1], int(a[2]), a[3], a[4], int(a[5]), a[6])
        elif len(a) == 3 and a[0] == "abortserver":
            abortserver(int(a[1]), a[2])
        elif len(a) == 5 and a[0] == "dataclient":
            dataclient(a[1], a[2], int(a[3]), int(a[4]))
        elif len(a) == 3 and a[0] == "holdserver":
            holdserver(int(a[1]), a[2])
        elif len(a) == 5 and a[0] == "reconnect":
            reconnect(a[1], a[2], int(a[3]), int(a[4]))
        elif len(a) == 8 and a[0] == "inject":
            inject(a[1], a[2], a[3], a[4], a[5], int(a[6]), int(a[7]))
        else:
            return __doc__
    except OSError as e:
        return "rpeer %s: %s" % (a[0], e)
    except SystemExit as e:
        return str(e.code)
    return None


def setns(netns):
    """This thread into netns (of /run/netns)."""
    fd = os.open("/run/netns/" + netns, os.O_RDONLY)
    try:
        if LIBC.setns(fd, 0x40000000):      # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + netns)
    finally:
        os.close(fd)


def job(netns, out, rc, args):
    """One job of the hub, in a thread of its own in netns."""
    with open(out, "a") as f:
        OUT.f = f
        try:
            setns(netns)
            err = run(args)
        except OSError as e:
            err = "rpeer: %s" % e
        if err:
            print(err, file=f, flush=True)
    with open(rc + ".tmp", "w") as f:
        f.write("%d\n" % (1 if err else 0))
    os.rename(rc + ".tmp", rc)


def hub(spool):
    """Runs the jobs written to spool: under TCG one python for every
    helper, instead of a process each, which takes seconds to start."""
    started = set()
    while True:
        for name in sorted(os.listdir(spool)):
            if name in started or name.startswith("."):
                continue
            with open(os.path.join(spool, name)) as f:
                lines = f.read().split("\n")
            # NETNS, OUTPUT, RC, ARGS..., "end"
            if len(lines) < 5 or lines[-2] != "end":
                continue                # not written whole yet
            started.add(name)
            threading.Thread(target=job, args=(*lines[:3], lines[3:-2]),
                             daemon=True).start()
        time.sleep(0.05)


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "hub":
        hub(a[1])
    err = run(a)
    if err:
        sys.exit(err)


if __name__ == "__main__":
    main()
