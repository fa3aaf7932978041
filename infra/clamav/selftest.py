"""Checks the running clamd (INSTREAM, like the scanner service) against generated samples.

usage: python3 infra/clamav/selftest.py [PORT]   (stdlib only; exit 1 when a verdict is wrong)
Samples are built in memory (no malware on disk): EICAR plain / zipped / zip-in-zip, the custom
MEDVAULT test signature, a clean file and a password-protected (ZipCrypto) zip of a clean file,
which must be flagged because clamd cannot inspect it (AlertEncrypted, fail closed).
"""
import io
import os
import socket
import struct
import sys
import zipfile
import zlib

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CUSTOM = b"report.pdf placeholder containing MEDVAULT-TEST-MALWARE-SIGNATURE for tests"


def zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def encrypted_zip(name: str, data: bytes, password: bytes = b"secret") -> bytes:
    """Single stored entry with traditional PKWARE (ZipCrypto) encryption; zipfile can only read it."""
    crc = zlib.crc32(data)
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc_byte(k: int, b: int) -> int:
        return zlib.crc32(bytes([b]), k ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def update(b: int) -> None:
        keys[0] = crc_byte(keys[0], b)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc_byte(keys[2], keys[1] >> 24)

    def encrypt(plain: bytes) -> bytes:
        out = bytearray()
        for p in plain:
            t = (keys[2] | 2) & 0xFFFF
            out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            update(p)
        return bytes(out)

    for p in password:
        update(p)
    body = encrypt(os.urandom(11) + bytes([crc >> 24])) + encrypt(data)
    fname = name.encode()
    common = struct.pack("<HHHHHIII", 20, 1, 0, 0, 0, crc, len(body), len(data))
    local = b"PK\x03\x04" + common + struct.pack("<HH", len(fname), 0) + fname
    central = (b"PK\x01\x02" + struct.pack("<H", 20) + common
               + struct.pack("<HHHHHII", len(fname), 0, 0, 0, 0, 0, 0) + fname)
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + eocd


def instream(port: int, data: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), 10) as s:
        s.sendall(b"zINSTREAM\x00")
        for i in range(0, len(data), 65536):
            chunk = data[i:i + 65536]
            s.sendall(struct.pack(">I", len(chunk)) + chunk)
        s.sendall(struct.pack(">I", 0))
        reply = b""
        while not reply.endswith(b"\x00"):
            part = s.recv(4096)
            if not part:
                break
            reply += part
    return reply.rstrip(b"\x00").decode()


def main() -> int:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("CLAMD_PORT", "3310"))
    cases = [
        ("EICAR plain", EICAR, "Eicar-Test-Signature"),
        ("EICAR in zip", zipped("eicar.com", EICAR), "Eicar-Test-Signature"),
        ("EICAR in zip in zip", zipped("inner.zip", zipped("eicar.com", EICAR)), "Eicar-Test-Signature"),
        ("custom MEDVAULT signature", CUSTOM, "Medvault-Test-Malware"),
        ("clean text", b"Patient discharge letter, nothing to see here.\n" * 100, None),
        ("clean zip", zipped("letter.txt", b"hello"), None),
        ("encrypted zip (clean content)", encrypted_zip("letter.txt", b"hello"), "Encrypted"),
    ]
    failed = 0
    for name, data, expect in cases:
        reply = instream(port, data)
        ok = reply.endswith("OK") if expect is None else (expect in reply and reply.endswith("FOUND"))
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name:32} -> {reply}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
