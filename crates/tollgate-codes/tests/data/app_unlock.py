"""Writes app_unlock.txt: tollgate's app-unlock codes (crates/tollgate-codes/src/unlock.rs),
computed with Python's hmac and hashlib only. key = HMAC-SHA-256(token secret, "tollgate app
unlock v1"); unlock code = OCRA-1:HOTP-SHA256-8:QN09 (RFC 6287) of the 9-digit reset code.

    python3 app_unlock.py > app_unlock.txt
"""

import hashlib
import hmac

SUITE = "OCRA-1:HOTP-SHA256-8:QN09"


def unlock(secret, reset_code):
    key = hmac.new(secret, b"tollgate app unlock v1", hashlib.sha256).digest()
    question = bytes.fromhex(format(int(reset_code), "X").ljust(256, "0"))
    mac = hmac.new(key, SUITE.encode() + b"\0" + question, hashlib.sha256).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**8).zfill(8)


print("# secret (hex) | reset code | unlock code")
for secret, code in [
    (bytes(range(16)), "000000000"),
    (bytes(range(16)), "123456789"),
    (bytes(range(16)), "999999999"),
    (b"12345678901234567890", "000000001"),
    (bytes.fromhex("e4f0d4a9c1e5c8b9f3a2d1c0b9a8f7e6"), "471337042"),
]:
    print(" | ".join([secret.hex(), code, unlock(secret, code)]))
