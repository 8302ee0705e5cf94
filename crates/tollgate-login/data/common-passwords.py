"""Remakes common-passwords.txt from its two sources (see that file's header).

    pip download zxcvbn==4.5.0 --no-deps --no-binary :all: && tar xzf zxcvbn-4.5.0.tar.gz
    apt-get install john   # /usr/share/john/password.lst
    python3 common-passwords.py zxcvbn-4.5.0 /usr/share/john/password.lst > body.txt

It prints the list's body (the header is kept by hand in common-passwords.txt).
"""

import sys

sys.path.insert(0, sys.argv[1])
from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: E402

with open(sys.argv[2], encoding="latin-1") as f:
    john = [line.rstrip("\n") for line in f if not line.startswith("#!comment")]
common = FREQUENCY_LISTS["passwords"] + john
kept = {p.lower() for p in common if len(p) >= 8 and p.isascii() and p.isprintable()}
print("\n".join(sorted(kept)))
