#!/usr/bin/env python3
"""Extracts the C++ code samples of the documentation into translation units, so that the tests
compile and run every one of them (docs/README.md, "Code samples", describes the rules).

    python3 scripts/doc_samples.py --root SOURCE_DIR --out GEN_DIR PAGE.md...

For each page with samples it writes GEN_DIR/<page>.cpp; it also writes GEN_DIR/samples.cmake,
which lists those sources (MINNOW_DOC_SAMPLE_SOURCES), the whole programs (MINNOW_DOC_PROGRAMS:
target, source) and one ctest test per sample that runs (MINNOW_DOC_SAMPLE_TESTS: test name,
sample id, working folder, program target or -). A file is rewritten
only when its content changes, so reconfiguring does not recompile unchanged pages.

The rules, in short:
  - every fenced block whose info string is `cpp` is a sample; other languages are ignored;
  - a block containing `int main()` is a whole program, compiled as it stands into an executable
    of its own (GEN_DIR/minnow_doc_program_<id>.cpp); any other block is the body of a function
    (its #include lines move to the top of the file) that sees minnow.h, <iostream>,
    <fmt/format.h>, <fmt/ranges.h> and `using namespace minnow;`;
  - a ```text block right after the sample (blank lines and at most one line of prose between)
    is its expected output, compared byte for byte with what the sample prints;
  - HTML comments right before the block change that:
      <!-- sample: continue -->                the block goes on in the function of the page's
                                                previous sample (same variables); each part's
                                                output is compared with its own ```text block
      <!-- sample: compile-only (reason) -->    compiled, never run (real data, long training)
      <!-- sample: skip (reason) -->            neither compiled nor run; keep these rare
      <!-- sample setup                         code run first, not shown on the page
      ...
      -->
  - a ```cpp signature block is a declaration copied from a header: the API checker
    (scripts/check_api_docs.py) compares it with the header; it is not a sample.
Errors (an unknown marker, an expected output after a sample that does not run, ...) stop the
script with the page and line.
"""
import argparse
import os
import re
import sys

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([^`]*?)\s*$")
MARKER = re.compile(r"^\s*<!--\s*sample:\s*(.*?)\s*-->\s*$")
SETUP_OPEN = re.compile(r"^\s*<!--\s*sample setup\s*$")
MAIN = re.compile(r"\bint\s+main\s*\(\s*\)")
INCLUDE = re.compile(r"^\s*#\s*include\b")
KEYWORDS = {"continue", "compile-only", "skip"}
DELIM = "minnow_doc"


class DocError(Exception):
    pass


class Block:
    def __init__(self, info, indent, first_line, lines, close_line):
        self.info = info  # the info string, e.g. "cpp" or "text"
        self.indent = indent
        self.first_line = first_line  # 1-based line number of the first content line
        self.lines = lines  # content lines, the fence's indentation removed
        self.close_line = close_line  # 1-based line number of the closing fence
        self.open_line = first_line - 1


def parse_blocks(path, text):
    """The fenced blocks of a Markdown page, with the lines between them kept for context."""
    lines = text.split("\n")
    blocks = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3)
        body = []
        j = i + 1
        while j < len(lines):
            c = FENCE.match(lines[j])
            if c and c.group(2)[0] == fence[0] and len(c.group(2)) >= len(fence) and not c.group(3):
                break
            line = lines[j]
            strip = min(indent, len(line) - len(line.lstrip(" ")))
            body.append(line[strip:])
            j += 1
        if j == len(lines):
            raise DocError(f"{path}:{i + 1}: this code block is never closed")
        blocks.append(Block(info, indent, i + 2, body, j + 1))
        i = j + 1
    return lines, blocks


class Sample:
    def __init__(self, page, index, block):
        self.page = page
        self.index = index  # 1-based among the page's samples
        self.parts = [block]
        self.setups = [[]]  # per part: (line number, code) of the hidden setup
        self.expected = [None]  # per part: the expected output or None
        self.expected_line = [None]
        self.compile_only = False
        self.program = False
        self.reason = ""

    @property
    def id(self):
        return f"{self.page}#{self.index}"

    @property
    def line(self):
        return self.parts[0].first_line - 1


def markers_before(path, lines, block):
    """The sample markers and the hidden setup code right above a block's opening fence."""
    keywords, reason, setup = set(), "", None
    k = block.open_line - 2  # 0-based index of the line above the fence
    while k >= 0:
        line = lines[k]
        if not line.strip():
            k -= 1
            continue
        m = MARKER.match(line)
        if m:
            text = m.group(1)
            r = re.match(r"^([a-z\-, ]+?)\s*(\((.*)\))?$", text)
            if not r:
                raise DocError(f"{path}:{k + 1}: cannot read the sample marker '{line.strip()}'")
            words = {w.strip() for w in r.group(1).split(",") if w.strip()}
            unknown = words - KEYWORDS
            if unknown:
                raise DocError(f"{path}:{k + 1}: unknown sample marker {sorted(unknown)}; "
                               f"known: {sorted(KEYWORDS)}")
            keywords |= words
            reason = reason or (r.group(3) or "")
            k -= 1
            continue
        if line.strip() == "-->":
            # the end of a setup comment: find its start
            start = k - 1
            while start >= 0 and not SETUP_OPEN.match(lines[start]):
                if "<!--" in lines[start] or "-->" in lines[start]:
                    start = -1
                    break
                start -= 1
            if start < 0:
                break  # some other HTML comment
            if setup is not None:
                raise DocError(f"{path}:{start + 1}: two setup comments for one sample")
            setup = [(n + 1, lines[n]) for n in range(start + 1, k)]
            k = start - 1
            continue
        break
    return keywords, reason, setup or []


def expected_after(lines, blocks, bi):
    """The ```text block that follows block bi (blank lines and at most one line of prose between)."""
    if bi + 1 >= len(blocks):
        return None
    nxt = blocks[bi + 1]
    if nxt.info != "text":
        return None
    between = [l for l in lines[blocks[bi].close_line:nxt.open_line - 1] if l.strip()]
    if len(between) > 1:
        return None
    return nxt


def collect(path, text):
    lines, blocks = parse_blocks(path, text)
    samples = []
    for bi, block in enumerate(blocks):
        if block.info.split()[:1] != ["cpp"] or block.info == "cpp signature":
            if block.info.startswith("cpp") and block.info not in ("cpp", "cpp signature"):
                raise DocError(f"{path}:{block.open_line}: unknown info string '{block.info}' "
                               f"(a sample is ```cpp, a header declaration ```cpp signature)")
            continue
        keywords, reason, setup = markers_before(path, lines, block)
        if "skip" in keywords and not reason:
            raise DocError(f"{path}:{block.open_line}: a skipped sample needs a reason: "
                           f"<!-- sample: skip (why) -->")
        if "compile-only" in keywords and not reason:
            raise DocError(f"{path}:{block.open_line}: a compile-only sample needs a reason: "
                           f"<!-- sample: compile-only (why) -->")
        out = expected_after(lines, blocks, bi)
        code = "\n".join(block.lines)
        is_program = bool(MAIN.search(code))
        if "skip" in keywords:
            if out is not None:
                raise DocError(f"{path}:{out.open_line}: an expected output after a skipped sample")
            continue
        if "continue" in keywords:
            if not samples or samples[-1].program:
                raise DocError(f"{path}:{block.open_line}: 'continue' needs a previous sample on the "
                               f"page that is not a whole program")
            if is_program:
                raise DocError(f"{path}:{block.open_line}: a whole program cannot continue a sample")
            s = samples[-1]
            s.parts.append(block)
            s.setups.append(setup)
            s.expected.append(None)
            s.expected_line.append(None)
            if "compile-only" in keywords:
                s.compile_only = True
                s.reason = s.reason or reason
        else:
            s = Sample(path, len(samples) + 1, block)
            s.setups[0] = setup
            s.program = is_program
            s.compile_only = "compile-only" in keywords
            s.reason = reason
            if is_program and setup:
                raise DocError(f"{path}:{block.open_line}: a whole program takes no setup")
            samples.append(s)
        if out is not None:
            s.expected[-1] = "\n".join(out.lines) + "\n"
            s.expected_line[-1] = out.open_line
    for s in samples:
        if s.compile_only and any(e is not None for e in s.expected):
            line = next(l for l in s.expected_line if l is not None)
            raise DocError(f"{path}:{line}: an expected output after a compile-only sample "
                           f"(use ``` without 'text' for output that is only shown)")
    return samples


def c_string(text):
    if f"){DELIM}\"" in text:
        raise DocError(f"an expected output contains ){DELIM}\"")
    return f'R"{DELIM}({text}){DELIM}"'


def ident(page):
    return re.sub(r"[^A-Za-z0-9]", "_", page)


def translation_unit(page, samples):
    includes, body = [], []
    for s in samples:
        ns = f"doc_sample_{ident(page)}_{s.index}"
        if not s.program:
            body.append(f"namespace {ns} {{")
            body.append("using namespace minnow;")
        if s.program:
            body.append("// a whole program: compiled as its own executable (see program_source)")
        else:
            body.append("void run(minnow_docs::Recorder& rec) {")
            for part, setup in zip(s.parts, s.setups):
                if setup:
                    body.append(f'#line {setup[0][0]} "{page}"')
                    body.extend(code for _, code in setup)
                body.append(f'#line {part.first_line} "{page}"')
                for line in part.lines:
                    if INCLUDE.match(line):
                        includes.append(line.strip())
                        body.append("")
                    else:
                        body.append(line)
                body.append("  rec.part_end();")
            body.append("}")
        if not s.program:
            body.append(f"}}  // namespace {ns}")
        parts = ", ".join(
            "minnow_docs::Part{" + str(b.first_line - 1) + ", " +
            (str(line) if line else "0") + ", " + (c_string(e) if e is not None else "nullptr") + "}"
            for b, e, line in zip(s.parts, s.expected, s.expected_line))
        kind = "Kind::program" if s.program else "Kind::compile_only" if s.compile_only else "Kind::function"
        run = "nullptr" if s.program else f"&{ns}::run"
        body.append(f'static const minnow_docs::Registration registration_{s.index}("{s.id}", '
                    f'minnow_docs::{kind}, {run}, {{{parts}}});')
        body.append("")
    head = [f"// Generated from {page} by scripts/doc_samples.py: do not edit, edit the page.",
            '#include "docs/runner.h"']
    for inc in dict.fromkeys(includes):
        head.append(inc)
    head.append("")
    return "\n".join(head + body) + "\n"


def program_source(s):
    """A whole program, as written on the page, with #line so that errors point at the page."""
    block = s.parts[0]
    return (f"// Generated from {s.page} by scripts/doc_samples.py: do not edit, edit the page.\n"
            f'#line {block.first_line} "{s.page}"\n' + "\n".join(block.lines) + "\n")


def write_if_changed(path, text):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def cmake_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace(";", "\\;") + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="the source folder; pages are named relative to it")
    ap.add_argument("--out", required=True, help="the folder for the generated files")
    ap.add_argument("pages", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    root = os.path.abspath(args.root)
    sources, programs, tests, total, run, compared, compile_only = [], [], [], 0, 0, 0, 0
    try:
        for page_path in sorted(args.pages):
            page = os.path.relpath(os.path.abspath(page_path), root).replace(os.sep, "/")
            with open(page_path, encoding="utf-8") as f:
                samples = collect(page, f.read())
            if not samples:
                continue
            name = os.path.join(args.out, ident(page) + ".cpp")
            write_if_changed(name, translation_unit(page, samples))
            sources.append(name)
            for s in samples:
                total += 1
                program = ""
                if s.program:
                    program = "minnow_doc_program_" + ident(s.id)
                    source = os.path.join(args.out, program + ".cpp")
                    write_if_changed(source, program_source(s))
                    programs.append((program, source))
                if s.compile_only:
                    compile_only += 1
                else:
                    run += 1
                compared += sum(e is not None for e in s.expected)
                checked = "output compared" if any(e is not None for e in s.expected) else "runs"
                if s.compile_only:
                    continue
                tests.append((f"Doc sample {page} line {s.line}: {checked}", s.id, ident(s.id), program))
    except DocError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    cmake = ["# Generated by scripts/doc_samples.py: do not edit.",
             "set(MINNOW_DOC_SAMPLE_SOURCES"]
    cmake += [f"  {cmake_quote(s.replace(os.sep, '/'))}" for s in sources]
    cmake += [")", "set(MINNOW_DOC_PROGRAMS"]
    for target, source in programs:
        cmake.append(f"  {target} {cmake_quote(source.replace(os.sep, '/'))}")
    cmake += [")", "set(MINNOW_DOC_SAMPLE_TESTS"]
    for name, sid, folder, program in tests:
        cmake.append(f"  {cmake_quote(name)} {cmake_quote(sid)} {cmake_quote(folder)} {cmake_quote(program or '-')}")
    cmake += [")",
              f"set(MINNOW_DOC_SAMPLE_COUNT {total})",
              f"set(MINNOW_DOC_SAMPLE_RUN {run})",
              f"set(MINNOW_DOC_SAMPLE_COMPARED {compared})",
              f"set(MINNOW_DOC_SAMPLE_COMPILE_ONLY {compile_only})", ""]
    write_if_changed(os.path.join(args.out, "samples.cmake"), "\n".join(cmake))
    return 0


if __name__ == "__main__":
    sys.exit(main())
