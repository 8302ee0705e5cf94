import json
from Crypto.Cipher import ChaCha20_Poly1305
import Crypto
key = bytes(range(32))
nonce = bytes(range(0x40, 0x58))
user = "john.smith@example.com"
version = 7
plain = {
  "password_failures": 1, "second_factor_failures": 42, "lockouts": 3, "locked_until": 1700000600,
  "token": {"serial": "48244-13456", "secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "params": {"algorithm": "SHA256", "digits": 6, "period": 30, "t0": 0},
            "last_step": 56666666, "drift": -1},
  "pending": {"serial": "12345-67897", "activation_code": "1745-7712-6942-8698", "policy": None,
              "expires_at": 1700000600, "kind": "Mobile", "login": "000102030405060708090a0b0c0d0e0f",
              "mobile": {"uri": "igmobileotp://?action=secactivate&enc=AAAA&v=1&mac=BBBB", "password": "67709540"},
              "open": {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "params": {"algorithm": "SHA1", "digits": 6, "period": 30, "t0": 0}}}
}
pt = json.dumps(plain, separators=(",", ":")).encode()
aad = b"tollgate account state v2\0" + user.encode() + b"\0" + version.to_bytes(8, "big")
c = ChaCha20_Poly1305.new(key=key, nonce=nonce)
c.update(aad)
ct, tag = c.encrypt_and_digest(pt)
sealed = bytes([2]) + nonce + ct + tag
print("# Sealed-at-rest vector for tollgate_store::AccountRow (format 2: 0x02 || 24-byte nonce ||")
print("# XChaCha20-Poly1305 ciphertext and tag of the state as JSON; associated data:")
print("# \"tollgate account state v2\" || 0x00 || user || 0x00 || version as 8 bytes big-endian).")
print(f"# Computed independently with PyCryptodome {Crypto.__version__} (Crypto.Cipher.ChaCha20_Poly1305")
print("# with a 24-byte nonce, which is XChaCha20-Poly1305, draft-irtf-cfrg-xchacha-03), not with the")
print("# code under test. The token secret is RFC 4226's ASCII \"12345678901234567890\"; the serial")
print("# number and activation code are the public Entrust activation vector's (spec/activation.md);")
print("# the pending serial number 12345-67897 is Luhn-valid; the login identifier is 00 to 0f.")
print("key = " + key.hex())
print("user = " + user)
print(f"version = {version}")
print("plaintext = " + pt.decode())
print("sealed = " + sealed.hex())
