#!/usr/bin/env python3
"""Checks the size norms of docs/design.md on the library's files: no file over 400 lines, no
public header over 120 lines, and no function over 40 lines outside core/kernels (where the
speed machinery may take the room it needs).

    python3 scripts/check_sizes.py [--root DIR]      exit 1 and list every file and function over

A function is counted from the line that opens its body to the line that closes it, both
included, as clang-format lays them out (a definition starting in column 0 or 2, its closing
brace in the same column).
"""
import argparse
import glob
import os
import re
import sys

FOLDERS = ["core", "core/kernels", "layers", "optim", "io", "plot", "model", "model/internal", "tools", "callbacks", "diagram", "report"]
MAX_FILE, MAX_HEADER, MAX_FUNCTION = 400, 120, 40
# A definition's first line: a name with arguments, not a control statement, a namespace, a class.
START = re.compile(r"^( {0,2})(?!namespace\b|class\b|struct\b|enum\b|union\b|if\b|for\b|while\b|switch\b|return\b|"
                   r"template\b|using\b|typedef\b|case\b|default\b|public\b|private\b|protected\b)[A-Za-z_~][^;]*\(")


def functions(lines):
    """(first line, line number, length) of every function body, from its signature's first line to
    its closing brace in the same column."""
    i = 0
    while i < len(lines):
        code = lines[i].split("//")[0]
        m = START.match(code)
        if not m or "=" in code.split("(")[0]:
            i += 1
            continue
        indent = m.group(1)
        j = i  # the signature may take several lines; the body opens at the end of its last
        def end(n):
            return lines[n].split("//")[0].rstrip()
        while j < len(lines) and j < i + 8 and not end(j).endswith(("{", ";", "}")):
            j += 1
        if j >= len(lines) or not end(j).endswith("{") or end(j).endswith("= {"):
            i += 1
            continue
        k = j + 1
        while k < len(lines) and not re.match("^" + indent + r"\}", lines[k]):
            k += 1
        yield lines[i].strip(), i + 1, k - i + 1
        i = k + 1


def check(root):
    problems = []
    for folder in FOLDERS:
        for path in sorted(glob.glob(os.path.join(root, folder, "*.[ch]*"))):
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            count = len(lines) - (1 if lines and lines[-1] == "" else 0)
            public_header = rel.endswith(".h") and "/internal/" not in rel
            if count > MAX_FILE:
                problems.append(f"{rel}: {count} lines (a library file holds at most {MAX_FILE})")
            if public_header and count > MAX_HEADER:
                problems.append(f"{rel}: {count} lines (a public header holds at most {MAX_HEADER})")
            if folder == "core/kernels":
                continue
            for head, line, length in functions(lines):
                if length > MAX_FUNCTION:
                    problems.append(f"{rel}:{line}: a function of {length} lines (at most {MAX_FUNCTION} outside "
                                    f"core/kernels): {head[:80]}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args = parser.parse_args()
    problems = check(os.path.abspath(args.root))
    if problems:
        print(f"The size norms are broken in {len(problems)} place(s):")
        for p in problems:
            print("  " + p)
        return 1
    print(f"The size norms hold: files <= {MAX_FILE} lines, public headers <= {MAX_HEADER}, functions <= "
          f"{MAX_FUNCTION} outside core/kernels.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
