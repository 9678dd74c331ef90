#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Peers for the FIN_WAIT_2 cases (F5).

  f5peer.py hold PORT SECS [6]
      listen, accept one connection, answer its request line with "pong",
      then hold the socket open SECS seconds without closing it: the peer
      that never closes.
  f5peer.py client ADDR PORT SECS
      connect, send "ping", read "pong", hold the connection SECS seconds,
      then close() it.
  f5peer.py halfclose ADDR PORT SECS
      connect, send "ping", read "pong", shutdown(SHUT_WR) and keep the
      descriptor, reading for up to SECS seconds; print what the read
      ended with: "eof", "timeout" or the errno name (ECONNABORTED,
      ECONNRESET...).
"""
import errno
import socket
import sys
import time


def hold(port, secs, fam):
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("", port))
    srv.listen(1)
    conn, _ = srv.accept()
    conn.recv(64)
    conn.sendall(b"pong\n")
    time.sleep(secs)


def client(addr, port, secs):
    s = socket.create_connection((addr, port))
    s.sendall(b"ping\n")
    s.recv(64)
    time.sleep(secs)
    s.close()


def halfclose(addr, port, secs):
    s = socket.create_connection((addr, port))
    s.sendall(b"ping\n")
    s.recv(64)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(secs)
    try:
        print("eof" if s.recv(64) == b"" else "data", flush=True)
    except socket.timeout:
        print("timeout", flush=True)
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)), flush=True)


def main():
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "hold":
        fam = socket.AF_INET6 if a[3:] == ["6"] else socket.AF_INET
        hold(int(a[1]), float(a[2]), fam)
    elif len(a) == 4 and a[0] == "client":
        client(a[1], int(a[2]), float(a[3]))
    elif len(a) == 4 and a[0] == "halfclose":
        halfclose(a[1], int(a[2]), float(a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
