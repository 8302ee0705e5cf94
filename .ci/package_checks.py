#!/usr/bin/env python3
"""What `cargo package` does not check about the workspace's packages.

1. Every package's `rust-version` is at least that of each of its dependencies (normal and
   build; the newest one decides). The library code's own use of the standard library is checked
   against the same field by clippy's `incompatible_msrv` lint.
2. Every publishable package carries the metadata crates.io and docs.rs show, and both licence
   files.
3. A crate README's relative links stay inside its package (the package is all docs.rs and
   crates.io have).
"""
import json
import os
import re
import subprocess
import sys

REQUIRED = ["description", "license", "readme", "keywords", "categories", "rust_version",
            "documentation"]


def version(text):
    parts = [int(x) for x in (text or "0").split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main():
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True, capture_output=True, text=True).stdout)
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    problems = []
    for member in meta["workspace_members"]:
        package = packages[member]
        name = package["name"]
        # 1. rust-version against the dependencies'.
        seen, stack, need, because = set(), [member], (0, 0, 0), None
        while stack:
            for dep in nodes[stack.pop()]["deps"]:
                if not any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                    continue
                if dep["pkg"] in seen:
                    continue
                seen.add(dep["pkg"])
                stack.append(dep["pkg"])
                needed = version(packages[dep["pkg"]].get("rust_version"))
                if needed > need:
                    need, because = needed, packages[dep["pkg"]]["name"]
        if version(package.get("rust_version")) < need:
            problems.append(f"{name}: rust-version {package.get('rust_version')} but "
                            f"{because} needs {'.'.join(map(str, need))}")
        if package.get("publish") == []:
            continue
        # 2. Metadata and licence files.
        for field in REQUIRED:
            if not package.get(field):
                problems.append(f"{name}: no {field.replace('_', '-')}")
        root = os.path.dirname(package["manifest_path"])
        for licence in ["LICENSE-MIT", "LICENSE-APACHE"]:
            if not os.path.isfile(os.path.join(root, licence)):
                problems.append(f"{name}: no {licence} in the package")
        # 3. README links.
        readme = os.path.join(root, package.get("readme") or "README.md")
        if os.path.isfile(readme):
            text = open(readme, encoding="utf-8").read()
            links = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r"^\[[^]]+\]:\s*(\S+)\s*$",
                                                                      text, re.M)
            for link in links:
                # A URL, an anchor, or an intra-doc path (`login::Driver`, `tollgate_otp`).
                if re.match(r"^[a-z]+:", link) or link.startswith("#") or "::" in link \
                        or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", link):
                    continue
                target = os.path.normpath(os.path.join(root, link.split("#")[0]))
                if not target.startswith(root + os.sep) or not os.path.exists(target):
                    problems.append(f"{name}: README links to {link}, outside the package")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"{len(meta['workspace_members'])} packages checked")


if __name__ == "__main__":
    main()
