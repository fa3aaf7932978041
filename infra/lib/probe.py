"""Health probes for the local stack (stdlib only, so it runs before/without the venv).

usage: probe.py localstack|http|mongo|redis|clamd|orthanc PORT [HOST]   -> exit 0 when the service truly answers.
"""
import json
import socket
import struct
import sys
import urllib.error
import urllib.request

TIMEOUT = 2.0


def recv_some(sock: socket.socket, n: int = 4096) -> bytes:
    sock.settimeout(TIMEOUT)
    return sock.recv(n)


def http(host: str, port: int) -> bool:
    # moto's own API answers without consuming the unauthenticated-request allowance.
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/moto-api/", timeout=TIMEOUT) as r:
            return r.status == 200
    except urllib.error.HTTPError as e:  # LocalStack & co. may answer 403/404: still alive
        return e.code in (403, 404)


# The AWS services the stack uses; LocalStack reports each as "available" (loaded lazily) or
# "running" (loaded: EAGER_SERVICE_LOADING=1 loads them all before the gateway answers).
LOCALSTACK_SERVICES = ("s3", "sqs", "sns", "kms", "iam", "sts")


def localstack(host: str, port: int) -> bool:
    with urllib.request.urlopen(f"http://{host}:{port}/_localstack/health", timeout=TIMEOUT) as r:
        states = json.load(r).get("services", {})
    return all(states.get(name) in ("running", "available") for name in LOCALSTACK_SERVICES)


def bson_doc(fields: list[bytes]) -> bytes:
    body = b"".join(fields) + b"\x00"
    return struct.pack("<i", len(body) + 4) + body


def mongo(host: str, port: int) -> bool:
    # OP_MSG {ping: 1, $db: "admin"}; a real reply must contain ok: 1.0.
    doc = bson_doc([b"\x10ping\x00" + struct.pack("<i", 1),
                    b"\x02$db\x00" + struct.pack("<i", 6) + b"admin\x00"])
    payload = struct.pack("<I", 0) + b"\x00" + doc
    msg = struct.pack("<iiii", 16 + len(payload), 1, 0, 2013) + payload
    with socket.create_connection((host, port), TIMEOUT) as s:
        s.sendall(msg)
        data = b""
        while len(data) < 16 or len(data) < struct.unpack("<i", data[:4])[0]:
            chunk = recv_some(s)
            if not chunk:
                break
            data += chunk
    return b"\x01ok\x00" + struct.pack("<d", 1.0) in data


def redis(host: str, port: int) -> bool:
    with socket.create_connection((host, port), TIMEOUT) as s:
        s.sendall(b"PING\r\n")
        return recv_some(s).startswith(b"+PONG")


def clamd(host: str, port: int) -> bool:
    with socket.create_connection((host, port), TIMEOUT) as s:
        s.sendall(b"zPING\x00")
        return recv_some(s).rstrip(b"\x00\n") == b"PONG"


def orthanc(host: str, port: int) -> bool:
    # /system answers once the database and the plugins are loaded; the DICOMweb plugin must be among them.
    with urllib.request.urlopen(f"http://{host}:{port}/plugins", timeout=TIMEOUT) as r:
        return "dicom-web" in json.load(r)


if __name__ == "__main__":
    kind, port = sys.argv[1], int(sys.argv[2])
    host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    try:
        ok = {"localstack": localstack, "http": http, "mongo": mongo, "redis": redis, "clamd": clamd,
              "orthanc": orthanc}[kind](host, port)
    except (OSError, ValueError):
        ok = False
    sys.exit(0 if ok else 1)
