"""Writes online_registration.txt: vectors of tollgate's online-registration proof.

Independent of the Rust code: Python's hmac, hashlib and json only. Run from this directory:
    python3 online_registration.py > online_registration.txt

    secret = PBKDF2-HMAC-SHA256(ac payload (7 bytes BE) || nonce (2 bytes BE) [|| policy],
                                serial ASCII, 8 rounds, 16 bytes)      (spec: the token secret)
    proof  = HMAC-SHA-256(secret, b"tollgate online registration v1" || serial ASCII
                                  || registration code ASCII)
"""
import hashlib
import hmac
import json

CASES = [
    # The public Entrust vector (ss23): its registration code's validation field is not
    # tollgate's, so the tollgate scheme refuses it after the proof verifies.
    ("48244-13456", "1745-7712-6942-8698", "12211-49352", None, "any-field"),
    ("48244-13456", "1745-7712-6942-8698", "12211-49352",
     '{"allowUnsecured":"false","trustedExecution":"NOT_ALLOWED"}', "any-field"),
    # A tollgate-scheme registration code (tollgate_registration.txt, nonce c0de).
    ("48244-13456", "1745-7712-6942-8698", "65436-07987", None, "tollgate"),
]


def digits(text):
    return "".join(c for c in text if c.isdigit())


print("# tollgate online registration, protocol version 1: request bodies and their proofs.")
print("# Source: online_registration.py (Python hmac/hashlib/json, independent of the Rust code).")
print("# Scheme is the weakest registration scheme that accepts the code.")
for serial, ac, rc, policy, scheme in CASES:
    s, a, r = digits(serial), digits(ac), digits(rc)
    password = int(a[:15]).to_bytes(7, "big") + (int(r[:9]) & 0xFFFF).to_bytes(2, "big")
    if policy is not None:
        password += policy.encode()
    secret = hashlib.pbkdf2_hmac("sha256", password, s.encode(), 8, 16)
    proof = hmac.new(secret, b"tollgate online registration v1" + s.encode() + r.encode(),
                     hashlib.sha256).hexdigest()
    body = json.dumps({"v": 1, "serial": serial, "registration_code": rc, "proof": proof},
                      separators=(",", ":"))
    print()
    print(f"Serial = {serial}")
    print(f"ActivationCode = {ac}")
    print(f"RegistrationCode = {rc}")
    if policy is not None:
        print(f"Policy = {policy}")
    print(f"Scheme = {scheme}")
    print(f"Secret = {secret.hex()}")
    print(f"Proof = {proof}")
    print(f"Body = {body}")
