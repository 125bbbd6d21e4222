"""uTP (BEP 29) on the wire for tests: the 20-byte version 1 header, and a UDP relay that
can drop, hold back (so that later datagrams overtake) and duplicate what it carries, and
keep every header it saw."""
import heapq
import random
import selectors
import socket
import struct
import threading
import time
from collections import Counter, namedtuple

ST_DATA, ST_FIN, ST_STATE, ST_RESET, ST_SYN = range(5)
TYPE_NAMES = ["DATA", "FIN", "STATE", "RESET", "SYN"]

Header = namedtuple("Header", "type version extension conn_id timestamp timestamp_diff wnd_size seq_nr ack_nr")


def packet(kind, conn_id, seq_nr, ack_nr=0, wnd_size=1 << 20, payload=b""):
    """A version 1 packet of type `kind` with no extension."""
    now = int(time.monotonic() * 1e6) & 0xFFFFFFFF
    return bytes([(kind << 4) | 1, 0]) + struct.pack(">HIIIHH", conn_id, now, 0, wnd_size, seq_nr, ack_nr) + payload


def parse(datagram):
    """The header of a uTP datagram, or None if it is not one."""
    if len(datagram) < 20 or datagram[0] & 0x0F != 1 or datagram[0] >> 4 > ST_SYN:
        return None
    return Header(datagram[0] >> 4, 1, datagram[1], *struct.unpack(">HIIIHH", datagram[2:20]))


def describe(header, size):
    return (f"{TYPE_NAMES[header.type]} id={header.conn_id} seq={header.seq_nr} ack={header.ack_nr} "
            f"wnd={header.wnd_size} ext={header.extension} ts_diff={header.timestamp_diff} len={size}")


class UdpRelay:
    """Forwards datagrams sent to `address` on to `target` (one upstream socket per sender, so
    replies find their way back). Each datagram, either way, is dropped with probability
    `loss`, else sent twice with probability `duplicate`, and each copy held back for a while
    (`hold`, seconds) with probability `reorder`. `seed` makes the choices repeatable."""

    def __init__(self, listen, target, loss=0.0, reorder=0.0, duplicate=0.0, hold=(0.005, 0.03), seed=1,
                 trace=False):
        self.target = target
        self.loss, self.reorder, self.duplicate, self.hold = loss, reorder, duplicate, hold
        self.rng = random.Random(seed)
        self.stats = Counter()  # per direction ("up" to the target, "down" back): datagrams, bytes, fates
        self.trace = [] if trace else None  # (seconds, direction, Header, size)
        self.sock = self._bind(listen)
        self.address = self.sock.getsockname()
        self.listen = listen
        self.senders = {}  # upstream socket -> the sender it speaks for
        self.upstream = {}  # sender -> upstream socket
        self.held = []  # heap of (due, n, socket, datagram, destination)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.sock, selectors.EVENT_READ)
        self.running = True
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def _bind(address):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind((address, 0))
        sock.setblocking(False)
        return sock

    def _route(self, datagram, out, destination, direction):
        self.stats[direction] += 1
        self.stats[direction + " bytes"] += len(datagram)
        header = parse(datagram)
        if self.trace is not None and header:
            self.trace.append((time.monotonic() - self.started, direction, header, len(datagram)))
        if self.rng.random() < self.loss:
            self.stats[direction + " dropped"] += 1
            return
        copies = 1
        if self.rng.random() < self.duplicate:
            self.stats[direction + " duplicated"] += 1
            copies = 2
        for _ in range(copies):
            if self.rng.random() < self.reorder:
                self.stats[direction + " held"] += 1
                due = time.monotonic() + self.rng.uniform(*self.hold)
                heapq.heappush(self.held, (due, self.stats["n"], out, datagram, destination))
                self.stats["n"] += 1
            else:
                self._send(out, datagram, destination)

    @staticmethod
    def _send(out, datagram, destination):
        try:
            out.sendto(datagram, destination)
        except OSError:
            pass  # a full buffer drops it, as a network would

    def _run(self):
        while self.running:
            wait = 0.05 if not self.held else max(0.0, min(0.05, self.held[0][0] - time.monotonic()))
            for key, _ in self.selector.select(wait):
                sock = key.fileobj
                for _ in range(64):
                    try:
                        datagram, source = sock.recvfrom(65536)
                    except OSError:
                        break
                    if sock is self.sock:
                        up = self.upstream.get(source)
                        if up is None:
                            up = self.upstream[source] = self._bind(self.listen)
                            self.senders[up] = source
                            self.selector.register(up, selectors.EVENT_READ)
                        self._route(datagram, up, self.target, "up")
                    else:
                        self._route(datagram, self.sock, self.senders[sock], "down")
            now = time.monotonic()
            while self.held and self.held[0][0] <= now:
                _, _, out, datagram, destination = heapq.heappop(self.held)
                self._send(out, datagram, destination)

    def close(self):
        self.running = False
        self.thread.join(5)
        for sock in [self.sock, *self.senders]:
            sock.close()
