"""A small HTTP tracker for interop tests: remembers who announced and hands out compact
peer lists, so clients without a way to add a peer by hand can find each other."""
import http.server
import ipaddress
import socket
import threading
import urllib.parse


def bencode(value):
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, str):
        return bencode(value.encode())
    if isinstance(value, dict):
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in sorted(value.items())) + b"e"
    raise TypeError(value)


class MiniTracker:
    def __init__(self, address="127.0.0.1"):
        self.swarms = {}  # info_hash -> {(ip, port): left}
        self.announces = []
        tracker = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                # latin-1 keeps binary info-hashes byte for byte
                query = urllib.parse.parse_qs(url.query, keep_blank_values=True, encoding="latin-1")
                get = lambda k: query.get(k, [""])[0].encode("latin-1")
                info_hash, port = get("info_hash"), int(get("port") or 0)
                peer = (self.client_address[0], port)
                swarm = tracker.swarms.setdefault(info_hash, {})
                tracker.announces.append((info_hash, peer, get("event").decode()))
                if get("event") == b"stopped":
                    swarm.pop(peer, None)
                else:
                    swarm[peer] = int(get("left") or 0)
                others = [(ipaddress.ip_address(ip), p) for (ip, p) in swarm if (ip, p) != peer]
                def compact(version):
                    return b"".join(ip.packed + p.to_bytes(2, "big") for ip, p in others if ip.version == version)
                reply = {"interval": 5, "min interval": 1, "peers": compact(4)}
                if compact(6):
                    reply["peers6"] = compact(6)  # BEP 7
                body = bencode(reply)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # a client leaving (a `stopped` announce) need not read the reply

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            address_family = socket.AF_INET6 if ":" in address else socket.AF_INET

        self.server = Server((address, 0), Handler)
        host = f"[{address}]" if ":" in address else address
        self.url = f"http://{host}:{self.server.server_address[1]}/announce"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


class MiniUdpTracker:
    """The same over UDP (BEP 15, IPv4): connect and announce, any connection id accepted.
    `senders` keeps the address each request came from."""

    def __init__(self, address="127.0.0.1"):
        import socket
        import struct
        self.swarms = {}
        self.announces = []
        self.senders = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.url = f"udp://{address}:{self.sock.getsockname()[1]}/announce"

        def serve():
            while True:
                try:
                    packet, sender = self.sock.recvfrom(2048)
                except OSError:
                    return
                if len(packet) < 16:
                    continue
                self.senders.append(sender)
                action, transaction = struct.unpack(">II", packet[8:16])
                if action == 0:
                    reply = struct.pack(">IIQ", 0, transaction, 0x5EED)
                elif action == 1 and len(packet) >= 98:
                    info_hash = packet[16:36]
                    left, event = struct.unpack(">QI", packet[64:72] + packet[80:84])[0:2]
                    port = struct.unpack(">H", packet[96:98])[0]
                    peer = (sender[0], port)
                    swarm = self.swarms.setdefault(info_hash, {})
                    self.announces.append((info_hash, peer, event))
                    if event == 3:
                        swarm.pop(peer, None)
                    else:
                        swarm[peer] = left
                    others = [p for p in swarm if p != peer]
                    reply = struct.pack(">IIIII", 1, transaction, 5, 0, len(others)) + b"".join(
                        socket.inet_aton(ip) + struct.pack(">H", p) for ip, p in others)
                else:
                    continue
                try:
                    self.sock.sendto(reply, sender)
                except OSError:
                    pass

        threading.Thread(target=serve, daemon=True).start()

    def close(self):
        self.sock.close()
