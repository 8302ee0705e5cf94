"""Checks the links of the HTML that `cargo doc --no-deps` wrote for each crate named: every
relative link must reach a file that exists, and must stay within the crate's own pages (and
rustdoc's shared files), so that `cargo doc -p CRATE` alone, without its dependencies' docs, has
no dead link either (an adopter reads the docs first). Usage:
    python3 .ci/doc_links.py target/doc tollgate

Not counted: the "Blanket Implementations" part of a page (the docs of other crates' traits
implemented for every type, such as `tracing`'s `Instrument`, whose own relative links rustdoc
copies as they are), links into rustdoc's own static files written by its scripts (`${...}` templates),
and the "All items" link (`all.html`) that rustdoc puts on the page of a module inlined from
another crate without writing that page (rustdoc writes `all.html` for a crate's root alone).
"""
import html
import os
import re
import sys

root, crates = sys.argv[1], sys.argv[2:]
dead = {}
checked = 0
for crate in crates:
    base = os.path.join(root, crate)
    if not os.path.isdir(base):
        sys.exit(f"{base}: no docs (run cargo doc --no-deps first)")
    for dirpath, _, files in os.walk(base):
        for name in files:
            if not name.endswith(".html"):
                continue
            page = os.path.join(dirpath, name)
            with open(page, encoding="utf-8", errors="replace") as f:
                text = f.read()
            text = text.split('id="blanket-implementations"')[0]
            for href in re.findall(r'href="([^"#?]*)', text):
                href = html.unescape(href)
                if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                    continue
                if "${" in href:
                    continue
                target = os.path.normpath(os.path.join(dirpath, href))
                if os.path.basename(target) == "all.html" and os.path.dirname(target) != base:
                    continue
                checked += 1
                inside = os.path.relpath(target, root).split(os.sep)[0]
                shared = inside in ("static.files", "src", "trait.impl", "type.impl") or (
                    os.path.dirname(target) == os.path.normpath(root))
                if not os.path.exists(target) or (inside != crate and not shared):
                    dead.setdefault(os.path.relpath(target, root), []).append(
                        os.path.relpath(page, root))
for target, pages in sorted(dead.items()):
    print(f"dead link to {target}, from {', '.join(sorted(set(pages))[:3])}")
print(f"{checked} links checked in {', '.join(crates)}; {len(dead)} dead targets")
sys.exit(1 if dead else 0)
