#!/usr/bin/env python3
"""Checks that the API reference (docs/api/*.md) documents every public declaration of the
headers of every floor (core/, core/kernels/, layers/, optim/, model/, io/, tools/, callbacks/, plot/, diagram/, report/), with the declaration as the header writes it.

    python3 scripts/check_api_docs.py [--root DIR]          check; exit 1 and list the problems
    python3 scripts/check_api_docs.py --list                 every declaration the check expects
    python3 scripts/check_api_docs.py --skeleton core/tensor.h
                                                             the reference's entries for a header,
                                                             to fill in (signatures included)

What counts as a declaration: every class, struct, enum, type alias, function, constant and
variable at namespace scope, and the public and protected members of every class (private
members and deleted or defaulted destructors and copy operations are left out). Overloads share
one entry. A class's data members belong to its entry.

What the reference must hold, per header, a section headed  ## `core/tensor.h`  and in it, per
declaration, an entry:

    ### `Tensor::resize`                  the qualified name, without `minnow::`
    ```cpp signature
    void resize(const Shape& shape);       the declaration(s) as in the header (white space is
    void resize(std::initializer_list<long> dims);   free, comments and bodies left out)
    ```
    What it does, in prose; then **Arguments:** and **Errors:**.

The entry of a function names each of its named parameters in backticks and has a line
**Errors:** (what it throws, or none); the entry of a class with data members names each of them
in backticks.
The check fails on a declaration without an entry, an entry without a declaration (a stale one),
an entry in the wrong header's section, a signature that differs from the header, an entry
without prose, an undocumented argument or data member, and a function entry without **Errors:**.
"""
import argparse
import glob
import os
import re
import sys

HEADER_DIRS = ("core", "core/kernels", "layers", "optim", "model", "io", "tools", "callbacks", "plot", "diagram", "onnx", "report")


# ---- reading the headers ---------------------------------------------------------------------

def strip_comments(text):
    """The text without comments and preprocessor lines; string and char literals kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            out.append(" ")
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    lines = [l for l in "".join(out).split("\n") if not l.lstrip().startswith("#")]
    return "\n".join(lines)


def matching(text, i, open_c, close_c):
    """The index just past the bracket that closes text[i] (an open_c)."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced " + open_c)


def top_level_find(s, chars, start=0):
    """The first index of one of chars outside (), [], {} and <> (template) brackets."""
    depth = 0
    i = start
    while i < len(s):
        c = s[i]
        if c in "\"'":
            j = i + 1
            while s[j] != c:
                j += 2 if s[j] == "\\" else 1
            i = j + 1
            continue
        if depth == 0 and c in chars:
            return i
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        i += 1
    return -1


def norm(s):
    """White space only where it separates two words: the form signatures are compared in."""
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r" (?=[^\w])|(?<=[^\w]) ", "", s)


class Decl:
    def __init__(self, name, kind, header, signature, access):
        self.name = name
        self.kind = kind  # class, enum, alias, function, constant
        self.header = header
        self.signatures = [signature]
        self.access = access
        self.fields = []  # data members (classes)

    def signature_text(self):
        if self.kind == "class" and self.fields:
            return self.signatures[0] + " {\n" + "".join(f"  {f}\n" for f in self.fields) + "};"
        return "\n".join(self.signatures)


class HeaderParser:
    def __init__(self, header, text):
        self.header = header
        self.text = strip_comments(text)
        self.decls = {}
        self.order = []

    def add(self, name, kind, signature, access):
        if name in self.decls:
            self.decls[name].signatures.append(signature)
        else:
            self.decls[name] = Decl(name, kind, self.header, signature, access)
            self.order.append(name)

    def parse(self):
        self.scope(self.text, [], None, "public")
        return [self.decls[n] for n in self.order]

    def scope(self, text, names, cls, access):
        """Walks the declarations of a namespace (cls None) or of a class body."""
        i, stmt_start = 0, 0
        while i < len(text):
            c = text[i]
            if c in "\"'":
                j = i + 1
                while text[j] != c:
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
                continue
            if c == "(":
                i = matching(text, i, "(", ")")
                continue
            if c == ":" and cls is not None:
                head = text[stmt_start:i].strip()
                if head in ("public", "private", "protected") and text[i:i + 2] != "::":
                    access = head
                    i += 1
                    stmt_start = i
                    continue
            if c == ";":
                self.statement(text[stmt_start:i].strip(), names, cls, access)
                i += 1
                stmt_start = i
                continue
            if c == "{":
                head = text[stmt_start:i].strip()
                end = matching(text, i, "{", "}")
                body = text[i + 1:end - 1]
                m_ns = re.match(r"^namespace\s+([\w:]+)$", head)
                m_cls = re.match(r"^(template\s*<.*?>\s*)?(class|struct)\s+([\w:<>\s]+?)\s*(final\s*)?((?<!:):(?!:).*)?$",
                                 head, re.S)
                m_enum = re.match(r"^enum\s+(class\s+)?(\w+)", head)
                if m_ns:
                    self.scope(body, names + m_ns.group(1).split("::"), None, "public")
                    i = end
                    stmt_start = i
                    continue
                if m_enum:
                    semi = text.index(";", end)
                    if self.visible(cls, access):
                        name = "::".join(self.public_names(names) + [m_enum.group(2)])
                        enumerators = ", ".join(e.strip() for e in body.split(",") if e.strip())
                        self.add(name, "enum", f"{head} {{ {enumerators} }};", access)
                    i = semi + 1
                    stmt_start = i
                    continue
                if m_cls and "(" not in head and "=" not in head:
                    semi = text.index(";", end)
                    cname = re.sub(r"\s+", "", m_cls.group(3))
                    if self.visible(cls, access):
                        qualified = self.public_names(names) + [cname]
                        self.add("::".join(qualified), "class", head, access)
                        default = "private" if m_cls.group(2) == "class" else "public"
                        self.scope(body, names + [cname], "::".join(qualified), default)
                    i = semi + 1
                    stmt_start = i
                    continue
                # a function body, or a variable with a braced initializer
                if self.is_function(head):
                    self.statement(head, names, cls, access, had_body=True)
                    i = end
                    while i < len(text) and text[i] in " \t\n":
                        i += 1
                    if i < len(text) and text[i] == ";":
                        i += 1
                    stmt_start = i
                    continue
                i = end  # brace initializer: the statement goes on to its ';'
                continue
            i += 1

    @staticmethod
    def public_names(names):
        return [n for n in names if n != "minnow"]

    @staticmethod
    def visible(cls, access):
        return cls is None or access in ("public", "protected")

    @staticmethod
    def is_function(head):
        return parameter_list(head) >= 0

    def statement(self, stmt, names, cls, access, had_body=False):
        stmt = stmt.strip()
        if not stmt or not self.visible(cls, access):
            return
        scope = self.public_names(names)
        cls_name = scope[-1] if cls else None
        cls_base = re.sub(r"<.*", "", cls_name) if cls_name else None
        if re.match(r"^(class|struct)\s+\w+$", stmt) or stmt.startswith("friend class"):
            return  # a forward declaration
        if re.match(r"^using\s+\w+\s*=", stmt):
            name = re.match(r"^using\s+(\w+)", stmt).group(1)
            self.add("::".join(scope + [name]), "alias", stmt + ";", access)
            return
        if stmt.startswith("using "):  # inheriting constructors
            self.add("::".join(scope + [cls_base]), "function", stmt + ";", access)
            return
        if self.is_function(stmt):
            p = parameter_list(stmt)
            before = stmt[:p].rstrip()
            m = OPERATOR.search(before)
            if m:
                name = "operator" + (" " + m.group(1).strip() if m.group(1)[0].isspace() else m.group(1))
            else:
                name = re.search(r"(~?\w+)$", before).group(1)
            close = matching(stmt, p, "(", ")")
            tail = stmt[close:]
            # drop a constructor's initializer list; keep const, override, = 0, = default
            colon = re.search(r"(?<!:):(?!:)", tail)
            if colon:
                tail = tail[:colon.start()]
            signature = (stmt[:close] + tail).strip()
            if re.search(r"=\s*delete$", signature):
                return
            if name.startswith("~") and re.search(r"=\s*default$", signature):
                return
            signature += ";"
            self.add("::".join(scope + [name]), "function", signature, access)
            return
        # a variable or data member
        if re.search(r"\bstatic\b|\bconstexpr\b", stmt) or cls is None:
            for name in declarator_names(stmt):
                self.add("::".join(scope + [name]), "constant", stmt + ";", access)
            return
        if cls is not None:
            self.decls[cls].fields.append(stmt + ";")


OPERATOR = re.compile(r"\boperator\s*(\(\)|\[\]|->|<=>|==|!=|[-+*/&|!<>=]+|\s\w+)")


def parameter_list(stmt):
    """The index of the '(' that opens a function's parameter list, or -1 for anything else."""
    m = OPERATOR.search(stmt)
    if m and top_level_find(stmt, "(") >= m.start():
        p = top_level_find(stmt, "(", m.end())
        return p
    p = top_level_find(stmt, "(")
    if p < 0:
        return -1
    eq = top_level_find(stmt, "=")
    return p if eq < 0 or eq > p else -1


def parameter_names(signature):
    """The named parameters of a function declaration: `f(const Shape& shape, long n = 0)` -> shape, n."""
    p = parameter_list(signature)
    if p < 0:
        return []
    inside = signature[p + 1:matching(signature, p, "(", ")") - 1]
    names, depth, cur = [], 0, ""
    for c in inside + ",":
        if c in "(<[{":
            depth += 1
        elif c in ")>]}":
            depth -= 1
        if c == "," and depth == 0:
            item = re.split(r"=", cur, maxsplit=1)[0].strip()
            m = re.match(r"^(.*\S)\s*[&*]*\s*\b(\w+)$", item, re.S)
            if m and re.search(r"[\w>&*]$", m.group(1)) and m.group(1).strip() not in ("const", "volatile") \
                    and not m.group(1).endswith("::"):
                names.append(m.group(2))
            cur = ""
        else:
            cur += c
    return names


def declarator_names(stmt):
    """The names a variable declaration declares: `Rgb kWhite{...}, kBlack{...}` -> kWhite, kBlack."""
    parts, depth, cur = [], 0, ""
    for c in stmt:
        if c in "({[<":
            depth += 1
        elif c in ")}]>":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    names = []
    for k, part in enumerate(parts):
        head = re.split(r"=|\{", part, maxsplit=1)[0].strip()
        names.append(re.search(r"(\w+)$", head).group(1))
    return names


def declarations(root):
    decls = []
    for d in HEADER_DIRS:
        for path in sorted(glob.glob(os.path.join(root, d, "*.h"))):
            header = os.path.relpath(path, root).replace(os.sep, "/")
            with open(path, encoding="utf-8") as f:
                decls += HeaderParser(header, f.read()).parse()
    return decls


# ---- reading the reference -------------------------------------------------------------------

SECTION = re.compile(r"^##\s+`([\w/]+\.h)`\s*$")
ENTRY = re.compile(r"^###\s+`([^`]+)`\s*$")
FENCE = re.compile(r"^\s*(`{3,})\s*(.*?)\s*$")


class Entry:
    def __init__(self, name, page, line, header):
        self.name, self.page, self.line, self.header = name, page, line, header
        self.signature = None
        self.prose = []


def reference_entries(root):
    entries = []
    for path in sorted(glob.glob(os.path.join(root, "docs", "api", "*.md"))):
        page = os.path.relpath(path, root).replace(os.sep, "/")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        header, entry, fence, block = None, None, None, None
        for n, line in enumerate(lines, 1):
            if fence is not None:
                m = FENCE.match(line)
                if m and m.group(1) == fence and not m.group(2):
                    if block is not None and entry is not None and entry.signature is None:
                        entry.signature = "\n".join(block)
                    elif entry is not None:
                        entry.prose.append("```")
                    fence, block = None, None
                elif block is not None:
                    block.append(line)
                elif entry is not None:
                    entry.prose.append(line)
                continue
            m = FENCE.match(line)
            if m:
                fence = m.group(1)
                is_sig = m.group(2) == "cpp signature"
                block = [] if is_sig and entry is not None and entry.signature is None else None
                continue
            s = SECTION.match(line)
            if s:
                header, entry = s.group(1), None
                continue
            if line.startswith("## ") or line.startswith("# "):
                header, entry = None, None
                continue
            e = ENTRY.match(line)
            if e:
                entry = Entry(e.group(1), page, n, header)
                entries.append(entry)
                continue
            if line.startswith("### "):
                entry = None
                continue
            if entry is not None:
                entry.prose.append(line)
    return entries


def check(root):
    decls = {d.name: d for d in declarations(root)}
    entries = reference_entries(root)
    problems = []
    seen = {}
    for e in entries:
        where = f"{e.page}:{e.line}"
        if e.name in seen:
            problems.append(f"{where}: `{e.name}` is documented twice (also at {seen[e.name]})")
            continue
        seen[e.name] = where
        d = decls.get(e.name)
        if d is None:
            problems.append(f"{where}: `{e.name}` is not declared in any header (renamed or removed?)")
            continue
        if e.header != d.header:
            problems.append(f"{where}: `{e.name}` is declared in {d.header} but documented under "
                            f"{e.header or 'no header section'}")
        expected = d.signature_text()
        if e.signature is None:
            problems.append(f"{where}: `{e.name}` has no ```cpp signature block; it should be\n{expected}")
        elif norm(e.signature) != norm(expected):
            problems.append(f"{where}: the signature of `{e.name}` differs from {d.header}; the header says\n"
                            f"{expected}")
        prose = "\n".join(e.prose)
        if not re.search(r"\w", re.sub(r"```.*?```", "", prose, flags=re.S)):
            problems.append(f"{where}: `{e.name}` has no description")
        if d.kind == "function":
            if "**Errors:**" not in prose:
                problems.append(f"{where}: `{e.name}` does not say what it throws (a line **Errors:** ...)")
            for sig in d.signatures:
                for name in parameter_names(sig):
                    if not re.search(r"`" + re.escape(name) + r"`", prose):
                        problems.append(f"{where}: the argument `{name}` of `{e.name}` is not described "
                                        f"(name it in backticks)")
        for field in d.fields:
            for name in declarator_names(field.rstrip(";")):
                if not re.search(r"`\.?" + re.escape(name) + r"\b", prose):
                    problems.append(f"{where}: the data member `{name}` of `{e.name}` is not described "
                                    f"(name it in backticks)")
    for name, d in decls.items():
        if name not in seen:
            problems.append(f"{d.header}: `{name}` has no entry in docs/api/ (run "
                            f"scripts/check_api_docs.py --skeleton {d.header})")
    return decls, entries, problems


def skeleton(root, header):
    out = [f"## `{header}`", ""]
    for d in declarations(root):
        if d.header != header:
            continue
        out += [f"### `{d.name}`", "", "```cpp signature", d.signature_text(), "```", "", "TODO", ""]
        if d.kind == "function":
            args = list(dict.fromkeys(n for sig in d.signatures for n in parameter_names(sig)))
            if args:
                out += ["**Arguments:** " + "; ".join(f"`{a}`: TODO" for a in args) + ".", ""]
            out += ["**Errors:** TODO", ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--list", action="store_true", help="print every declaration the check expects")
    ap.add_argument("--skeleton", metavar="HEADER", help="print the entries of one header, to fill in")
    args = ap.parse_args()
    root = os.path.abspath(args.root)
    if args.list:
        for d in declarations(root):
            print(f"{d.header}  {d.kind:8}  {d.access:9}  {d.name}  ({len(d.signatures)} declaration(s), "
                  f"{len(d.fields)} data member(s))")
        return 0
    if args.skeleton:
        print(skeleton(root, args.skeleton))
        return 0
    decls, entries, problems = check(root)
    fields = sum(len(declarator_names(f.rstrip(";"))) for d in decls.values() for f in d.fields)
    sigs = sum(len(d.signatures) for d in decls.values())
    if problems:
        print(f"The API reference (docs/api/) is out of date: {len(problems)} problem(s).")
        for p in problems:
            print("  " + p.replace("\n", "\n    "))
        return 1
    print(f"The API reference documents all {len(decls)} public declarations of {', '.join(HEADER_DIRS)} "
          f"({sigs} signatures, {fields} data members), each with the header's signature.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
