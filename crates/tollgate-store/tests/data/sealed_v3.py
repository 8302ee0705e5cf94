import hashlib
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
key_id = hashlib.sha256(b"tollgate key id\0" + b"account sealing" + b"\0" + key).digest()[:4]
aad = (b"tollgate account state v3\0" + key_id + user.encode() + b"\0"
       + version.to_bytes(8, "big"))
c = ChaCha20_Poly1305.new(key=key, nonce=nonce)
c.update(aad)
ct, tag = c.encrypt_and_digest(pt)
sealed = bytes([3]) + key_id + nonce + ct + tag
print("# Sealed-at-rest vector for tollgate_store::AccountRow (format 3: 0x03 || 4-byte key id ||")
print("# 24-byte nonce || XChaCha20-Poly1305 ciphertext and tag of the state as JSON; the key id is")
print("# the first 4 bytes of SHA-256(\"tollgate key id\" || 0x00 || \"account sealing\" || 0x00 || key);")
print("# associated data: \"tollgate account state v3\" || 0x00 || key id || user || 0x00 ||")
print("# version as 8 bytes big-endian).")
print(f"# Computed independently with PyCryptodome {Crypto.__version__} (Crypto.Cipher.ChaCha20_Poly1305")
print("# with a 24-byte nonce, which is XChaCha20-Poly1305, draft-irtf-cfrg-xchacha-03), not with the")
print("# code under test. The token secret is RFC 4226's ASCII \"12345678901234567890\"; the serial")
print("# number and activation code are the public Entrust activation vector's (spec/activation.md);")
print("# the pending serial number 12345-67897 is Luhn-valid; the login identifier is 00 to 0f.")
print("key = " + key.hex())
print("key_id = " + key_id.hex())
print("user = " + user)
print(f"version = {version}")
print("plaintext = " + pt.decode())
print("sealed = " + sealed.hex())
