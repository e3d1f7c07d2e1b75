#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the shape of src/ (issue 29), so that it cannot drift unnoticed:

  layers   every #include runs down the layers, never up or sideways:
             core < platform < ingest/engine < ingest (+ ingest/forms) < report < app < cli
             metrics sits beside ingest: both above core and platform, neither includes the other;
             report may include metrics; only ingest/forms/* include ingest/forms/*;
           only src/cli includes CLI11, only src/ingest includes fast-cpp-csv-parser, only
           src/platform includes an OS header (unistd.h, fcntl.h, sys/*.h, dlfcn.h, ...); and
           no two files include each other in a circle.
  size     no file in src/ over 700 lines, no line over 120 columns, and no function in
           src/ingest or src/metrics over 80 lines.
  private  no name private to a file (a function, constant or type in an anonymous namespace)
           is defined by two files of one library: CSKPI_UNITY_BUILD compiles a library's files
           in batches, where two such names are a compile error or, with other parameters, an
           overload that a call may pick in silence.

Usage: layout.py SRC_DIR [layers|size|private|all]        exit 1 and one line per fault when one fails
       layout.py SRC_DIR graph                    the include graph folded to layers
       layout.py --self-test                       plants a fault of each kind in a copy and
                                                   checks that each is found (the test can fail)
"""
import os
import re
import shutil
import sys
import tempfile

MAX_FILE_LINES = 700
MAX_LINE_COLUMNS = 120
MAX_FUNCTION_LINES = 80

# What each layer may include (its own layer included).
ALLOWED = {
    "core": {"core"},
    "platform": {"core", "platform"},
    "ingest/engine": {"core", "platform", "ingest/engine"},
    "ingest": {"core", "platform", "ingest/engine", "ingest"},
    "ingest/forms": {"core", "platform", "ingest/engine", "ingest", "ingest/forms"},
    "metrics": {"core", "platform", "metrics"},
    "report": {"core", "platform", "metrics", "report"},
    "app": {"core", "platform", "ingest/engine", "ingest", "metrics", "report", "app"},
    "cli": {"core", "platform", "ingest/engine", "ingest", "metrics", "report", "app", "cli"},
}
# System headers of a library that only one part of the tree may use.
LIBRARY_OWNERS = [
    (re.compile(r"^CLI/"), ("cli/",), "CLI11"),
    (re.compile(r"^libfccp/"), ("ingest/",), "fast-cpp-csv-parser"),
    # What must touch the OS lives in one place (SPEC: plain platform).
    (re.compile(r"^(unistd|fcntl|dlfcn|termios|poll|signal|sys/[a-z_]+)\.h$|^windows\.h$"), ("platform/",), "an OS header"),
]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(rel):
    for layer in ("ingest/engine", "ingest/forms"):
        if rel.startswith(layer + "/"):
            return layer
    top = rel.split("/", 1)[0]
    return top if top in ALLOWED else None


def sources(src):
    for root, _, names in os.walk(src):
        for name in sorted(names):
            if name.endswith((".cpp", ".hpp", ".h")):
                path = os.path.join(root, name)
                yield os.path.relpath(path, src).replace(os.sep, "/"), path


def check_layers(src):
    faults, edges = [], {}
    for rel, path in sources(src):
        layer = layer_of(rel)
        if layer is None:
            faults.append(f"{rel}: not in a layer folder ({', '.join(sorted(ALLOWED))})")
            continue
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                quote, target = m.groups()
                if quote == "<":
                    for pattern, owners, name in LIBRARY_OWNERS:
                        if pattern.match(target) and not rel.startswith(owners):
                            faults.append(f"{rel}:{number}: includes {name} (<{target}>); only {', '.join(owners)} may")
                    continue
                if not os.path.exists(os.path.join(src, target)):
                    faults.append(f'{rel}:{number}: "{target}" is not a path from src/ (write includes as "layer/file.hpp")')
                    continue
                to = layer_of(target)
                edges.setdefault(rel, set()).add(target)
                if to not in ALLOWED[layer]:
                    faults.append(f"{rel}:{number}: {layer} includes {target} ({to}): an arrow up or sideways")
    faults += cycles(edges)
    return faults


def cycles(edges):
    faults, state = [], {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                faults.append("include circle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    return faults


SCOPE = re.compile(r"\b(namespace|class|struct|union|enum)\b")


def blanked(text):
    """`text` with comments and string and character literals turned to spaces (lines kept)."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r'"(\\.|[^"\\\n])*"|\'(\\.|[^\'\\\n])*\'', lambda m: " " * len(m.group(0)), text)


def functions(text):
    """(first line, last line, name) of each function body at namespace or class scope."""
    text = blanked(text)
    out, stack, start, line = [], [], 0, 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            head = text[start:i]
            at_scope = all(kind == "scope" for kind, _, _ in stack)
            signature = re.search(r"\)\s*(const|noexcept|override|->[^{]*)*\s*$", head)
            if SCOPE.search(head) and not signature:
                kind = "scope"  # namespace, class, struct, union, enum
            elif at_scope and ")" in head and "=" not in head.split(")")[-1]:
                kind = "function"  # a body at namespace or class scope; lambdas and initialisers are not
            else:
                kind = "block"
            name = re.sub(r"\s+", " ", head.strip().split("\n")[-1])[:70]
            stack.append((kind, line, name))
            start = i + 1
        elif c == "}":
            if stack:
                kind, first, name = stack.pop()
                if kind == "function":
                    out.append((first, line, name))
            start = i + 1
        elif c == ";":
            start = i + 1
    return out


def private_names(text):
    """Names defined directly in an anonymous namespace: functions, types, braced constants."""
    text = blanked(text)
    names, stack, start = set(), [], 0
    for i, c in enumerate(text):
        if c == "{":
            head = text[start:i].strip()
            anon = bool(stack) and stack[-1] == "anon"
            if re.search(r"\bnamespace$", head):
                stack.append("anon")
                start = i + 1
                continue
            if anon:
                head_line = re.sub(r"\s+", " ", head)
                m = re.search(r"\b(?:class|struct|union|enum(?: class)?) (\w+)", head_line)
                if m and SCOPE.search(head_line.split("(")[0]):
                    names.add(m.group(1))
                elif "=" in head_line.split("(")[0]:  # a braced constant: k_names[] = {
                    m = re.search(r"(\w+)\s*(\[[^\]]*\])?\s*=\s*$", head_line)
                    if m:
                        names.add(m.group(1))
                elif "(" in head_line:
                    m = re.search(r"(\w+)\s*$", head_line.split("(")[0])
                    if m and m.group(1) != "operator":
                        names.add(m.group(1))
            stack.append("other")
            start = i + 1
        elif c == "}":
            if stack:
                stack.pop()
            start = i + 1
        elif c == ";":
            if stack and stack[-1] == "anon":  # a constant without braces: constexpr int k_x = 3;
                m = re.search(r"(?:constexpr|const)\b[^=();]*?\b(\w+)\s*(\[[^\]]*\])?\s*=", text[start:i])
                if m:
                    names.add(m.group(1))
            start = i + 1
    return names


def check_private(src):
    """Names private to a file that another file of the same library defines too."""
    seen, faults = {}, []
    for rel, path in sources(src):
        if not rel.endswith(".cpp"):
            continue
        library = rel.split("/", 1)[0]  # one static library per top folder (ingest/engine and forms in ingest)
        with open(path, encoding="utf-8") as f:
            for name in private_names(f.read()):
                seen.setdefault((library, name), []).append(rel)
    for (library, name), files in sorted(seen.items()):
        if len(files) > 1:
            faults.append(f"{files[0]}: {name} is private to {len(files)} files of {library}/ ({', '.join(files)}): "
                          "the unity batches would meet them; name each for what it does")
    return faults


def check_size(src):
    faults = []
    for rel, path in sources(src):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.split("\n")
        if len(lines) - 1 > MAX_FILE_LINES:
            faults.append(f"{rel}: {len(lines) - 1} lines (at most {MAX_FILE_LINES})")
        for number, line in enumerate(lines, 1):
            if len(line) > MAX_LINE_COLUMNS:
                faults.append(f"{rel}:{number}: {len(line)} columns (at most {MAX_LINE_COLUMNS})")
        if rel.startswith(("ingest/", "metrics/")):
            for first, last, name in functions(text):
                if last - first + 1 > MAX_FUNCTION_LINES:
                    faults.append(f"{rel}:{first}: a function of {last - first + 1} lines (at most {MAX_FUNCTION_LINES}): {name}")
    return faults


def graph(src):
    """The include graph folded to layers: one line per arrow, with how many includes make it."""
    arrows = {}
    for rel, path in sources(src):
        layer = layer_of(rel)
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = INCLUDE.match(line)
                if m and m.group(1) == '"' and os.path.exists(os.path.join(src, m.group(2))):
                    to = layer_of(m.group(2))
                    if to != layer:
                        arrows[(layer, to)] = arrows.get((layer, to), 0) + 1
    order = ["cli", "app", "report", "metrics", "ingest/forms", "ingest", "ingest/engine", "platform", "core"]
    rank = {name: i for i, name in enumerate(order)}
    for (a, b), n in sorted(arrows.items(), key=lambda kv: (rank.get(kv[0][0], 99), rank.get(kv[0][1], 99))):
        print(f"{a:>14} -> {b:<14} {n:4} include(s)")


def run(src, what):
    faults = []
    if what in ("layers", "all"):
        faults += check_layers(src)
    if what in ("size", "all"):
        faults += check_size(src)
    if what in ("private", "all"):
        faults += check_private(src)
    return faults


def self_test(src):
    plants = [
        ("core/zz_up.hpp", '#include "metrics/metrics.hpp"\n', "layers", "an arrow up"),
        ("ingest/engine/zz_form.hpp", '#include "ingest/forms/zz_f.hpp"\n', "layers", "an arrow up"),
        ("ingest/forms/zz_f.hpp", "\n", "layers", None),
        ("ingest/zz_metric.hpp", '#include "metrics/metrics.hpp"\n', "layers", "sideways"),
        ("metrics/zz_cli.hpp", "#include <CLI/CLI.hpp>\n", "layers", "CLI11"),
        ("report/zz_os.cpp", "#include <sys/stat.h>\n", "layers", "an OS header"),
        ("report/zz_a.hpp", '#include "report/zz_b.hpp"\n', "layers", "include circle"),
        ("report/zz_b.hpp", '#include "report/zz_a.hpp"\n', "layers", None),
        ("metrics/zz_long.cpp", "namespace cskpi {\nint f(int x) {\n" + "  x += 1;\n" * 90 + "  return x;\n}\n}\n", "size", "a function of 93 lines"),
        ("report/zz_big.cpp", "// x\n" * 701, "size", "701 lines"),
        ("cli/zz_wide.cpp", "// " + "x" * 130 + "\n", "size", "133 columns"),
        ("report/zz_p1.cpp", "namespace cskpi {\nnamespace {\nint zz_twice(int x) { return x; }\n}\n}\n", "private", "zz_twice is private to 2 files"),
        ("report/zz_p2.cpp", "namespace cskpi {\nnamespace {\nint zz_twice(double x) { return 1; }\n}\n}\n", "private", None),
    ]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "src")
        shutil.copytree(src, copy)
        before = set(run(copy, "all"))
        for rel, body, what, expect in plants:
            path = os.path.join(copy, rel)
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
        found = [f for f in run(copy, "all") if f not in before]
        for rel, _, _, expect in plants:
            if expect and not any((f.startswith(rel) and expect in f) or (expect == "include circle" and expect in f and rel in f) for f in found):
                print(f"self-test: the planted fault in {rel} ({expect}) was not found")
                failed = 1
    print("self-test: every planted fault was found" if not failed else "self-test failed")
    return failed


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    if argv[1:2] == ["--self-test"]:
        return self_test(argv[2] if len(argv) > 2 else os.path.join(here, "..", "src"))
    if len(argv) < 2:
        print(__doc__)
        return 2
    what = argv[2] if len(argv) > 2 else "all"
    if what == "graph":
        graph(argv[1])
        return 0
    faults = run(argv[1], what)
    for f in faults:
        print(f)
    print(f"layout ({what}): {len(faults)} fault(s)")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
