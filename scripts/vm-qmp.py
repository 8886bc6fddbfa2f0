#!/usr/bin/env python3
# The host half of the guest's hot-plug requests (vm-run.sh --qmp).
# usage: vm-qmp.py QMP_SOCKET SERIAL_LOG
#
# The guest asks on its serial console, one request a line:
#   AK-QMP: device_del <id>
#   AK-QMP: device_add <driver>,<prop>=<value>,...
# This script follows the serial log, sends each request to QEMU's QMP
# socket (through human-monitor-command, which parses the same syntax as
# -device) and reports on stderr. Nothing else is accepted: a request
# naming another command is refused. The guest never sees the answer: it
# waits (bounded) for the PCI device to go or come, and fails otherwise.
# Exits when QEMU closes the socket.
import json
import os
import re
import socket
import sys
import time

REQ = re.compile(r'AK-QMP: (device_del [A-Za-z0-9_-]+|'
                 r'device_add [A-Za-z0-9_.,=-]+)\s*$')


def connect(path, deadline):
    while time.monotonic() < deadline:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            time.sleep(0.2)
    return None


class Qmp:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b''
        self.deleted = set()    # ids of DEVICE_DELETED events seen

    def msg(self):
        while b'\n' not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data
        line, self.buf = self.buf.split(b'\n', 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        req = {'execute': name}
        if args:
            req['arguments'] = args
        self.sock.sendall(json.dumps(req).encode() + b'\n')
        while True:
            m = self.msg()
            if 'return' in m or 'error' in m:
                return m
            self.event(m)

    def event(self, m):
        if m.get('event') == 'DEVICE_DELETED':
            dev = m.get('data', {}).get('device')
            if dev:
                self.deleted.add(dev)
            log('event DEVICE_DELETED %s' % dev)

    def wait_deleted(self, dev, timeout):
        """The guest sees its PCI device gone before it powers the slot
        off; QEMU frees the id only then (DEVICE_DELETED)."""
        deadline = time.monotonic() + timeout
        self.sock.settimeout(0.5)
        try:
            while dev not in self.deleted and time.monotonic() < deadline:
                try:
                    self.event(self.msg())
                except socket.timeout:
                    pass
        finally:
            self.sock.settimeout(None)
        return dev in self.deleted


def log(text):
    sys.stderr.write('vm-qmp: %s\n' % text)
    sys.stderr.flush()


def main():
    if len(sys.argv) != 3:
        sys.stderr.write('usage: vm-qmp.py QMP_SOCKET SERIAL_LOG\n')
        return 2
    path, serial = sys.argv[1], sys.argv[2]
    sock = connect(path, time.monotonic() + 60)
    if sock is None:
        log('no QMP socket %s' % path)
        return 1
    qmp = Qmp(sock)
    try:
        qmp.msg()                       # greeting
        qmp.cmd('qmp_capabilities')
        pending_del = set()
        with open(serial, 'rb') as f:
            pending = b''
            while True:
                data = f.read()
                if not data:
                    # QEMU gone? (a read of the socket would block: poll)
                    sock.setblocking(False)
                    try:
                        if sock.recv(65536, socket.MSG_PEEK) == b'':
                            return 0
                    except BlockingIOError:
                        pass
                    finally:
                        sock.setblocking(True)
                    time.sleep(0.1)
                    continue
                pending += data
                *lines, pending = pending.split(b'\n')
                for raw in lines:
                    m = REQ.search(raw.decode('utf-8', 'replace').rstrip('\r'))
                    if not m:
                        continue
                    req = m.group(1)
                    dev = re.search(r'[ ,]id=([A-Za-z0-9_-]+)', req)
                    if req.startswith('device_del '):
                        qmp.deleted.discard(req.split()[1])
                    elif dev and dev.group(1) in pending_del:
                        if not qmp.wait_deleted(dev.group(1), 60):
                            log('%s: no DEVICE_DELETED' % dev.group(1))
                    r = qmp.cmd('human-monitor-command',
                                {'command-line': req})
                    if req.startswith('device_del ') and 'error' not in r:
                        pending_del.add(req.split()[1])
                    elif dev:
                        pending_del.discard(dev.group(1))
                    out = r.get('return', r.get('error'))
                    log('%s -> %s' % (m.group(1),
                                      json.dumps(out) if out else 'ok'))
    except (EOFError, ConnectionError):
        return 0


if __name__ == '__main__':
    sys.exit(main())
