#!/usr/bin/env python3
"""Checks the links of the book (docs/src), the README and the other Markdown pages: every
relative link names a file that exists, every #anchor a heading of its page (GitHub's and
mdBook's slugs), and SUMMARY.md lists every chapter. Prints one line per broken link and exits 1
if there is any. Run by `make docs` (and so by `make test`)."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [
    "README.md",
    "SECURITY.md",
    "bench/BUDGETS.md",
    "examples/amplify-gen2/README.md",
    *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs/src").glob("*.md")),
]
LINK = re.compile(r"\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)")


def prose(text: str) -> str:
    """The text outside fenced code blocks and inline code spans."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append(re.sub(r"`[^`]*`", "", line))
    return "\n".join(out)


def slug(heading: str) -> str:
    heading = heading.strip().lower().replace("`", "")
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")


def anchors(path: pathlib.Path) -> set:
    found = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^#{1,6} (.*)", line)):
            found.add(slug(m.group(1)))
    return found


def main() -> int:
    problems = []
    for page in PAGES:
        path = ROOT / page
        for target in LINK.findall(prose(path.read_text(encoding="utf-8"))):
            if re.match(r"^[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = (path.parent / file).resolve() if file else path
            if not dest.exists():
                problems.append(f"{page}: {target}: no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                problems.append(f"{page}: {target}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    summary = (ROOT / "docs/src/SUMMARY.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\]\(([^)]+\.md)\)", summary))
    for chapter in sorted((ROOT / "docs/src").glob("*.md")):
        if chapter.name != "SUMMARY.md" and chapter.name not in listed:
            problems.append(f"docs/src/SUMMARY.md: {chapter.name} is not in the book")
    for p in problems:
        print(p)
    print(f"check-docs: {len(PAGES)} pages, {len(problems)} broken link(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
