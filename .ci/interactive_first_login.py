#!/usr/bin/env python3
"""Drives `first_login --interactive` as a person would, with `soft_token` as the app in
"another terminal": types each answer at its prompt, reads the PIN from the console outbox,
types Serial Number and Activation Code into the soft token, and its registration code and
later its code back into the login. Exits 0 only if the final login is authenticated."""

import os
import re
import subprocess
import sys
import tempfile

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/examples"
USER, PASSWORD = "john.smith@example.com", "correct horse battery staple"

login = subprocess.Popen([f"{BIN}/first_login", "--interactive"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
seen = ""


def wait_for(pattern):
    """Reads the login's output until `pattern` matches; returns the match."""
    global seen
    while True:
        char = login.stdout.read(1)
        if not char:
            sys.exit(f"first_login ended while waiting for {pattern!r}: {seen[-400:]!r}")
        seen += char
        found = re.search(pattern, seen)
        if found:
            seen = seen[found.end():]
            return found


def answer(text):
    login.stdin.write(text + "\n")
    login.stdin.flush()


def soft_token(*args, **secrets):
    env = dict(os.environ, SOFT_TOKEN_PIN="246810", **secrets)
    done = subprocess.run([f"{BIN}/soft_token", "--secrets-from-env", *args], env=env,
                          capture_output=True,
                          text=True, check=True)
    return done.stdout


store = os.path.join(tempfile.mkdtemp(), "token.json")
wait_for(r"User ID: $"); answer(USER)
wait_for(r"Password: $"); answer(PASSWORD)
pin = wait_for(r"one-time password is (\d{6})").group(1)
wait_for(r"OTP: $"); answer(pin)
wait_for(r"\(m/d\): $"); answer("d")
serial = wait_for(r"Serial Number\s+(\d{5}-\d{5})").group(1)
code = wait_for(r"Activation Code\s+(\d{4}-\d{4}-\d{4}-\d{4})").group(1)
registration = re.search(r"Registration code: (\d{5}-\d{5})",
                         soft_token("activate", "--serial", serial, "--store", store,
                                    SOFT_TOKEN_ACTIVATION_CODE=code)).group(1)
wait_for(r"Response: $"); answer(registration)
wait_for(r"Continue: $"); answer("")
wait_for(r"User ID: $"); answer(USER)
wait_for(r"Password: $"); answer(PASSWORD)
wait_for(r"Code: $"); answer(soft_token("code", "--store", store).strip())
rest = login.stdout.read()
login.wait()
if login.returncode != 0 or "logged in with the soft token's code" not in rest:
    sys.exit(f"the interactive login did not end authenticated: {rest[-400:]!r}")
print("interactive first login and later login: authenticated")
