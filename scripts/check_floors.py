#!/usr/bin/env python3
"""Checks minnow's floor plan (docs/design.md): a library file includes only headers of its own
folder or of floors below its own, and the layers leave threads to the kernels.

    python3 scripts/check_floors.py [--root DIR]     exit 1 and list every violation

The floors, from the bottom:
    core/kernels   0  the speed machinery: GEMM, the per-channel passes, threads
    core           1  what the layers stand on: Tensor, Shape, Parameter, Layer, the ops
    layers, optim, io, plot
                   2  the layers; the optimizers; array and data files; pictures (peers: none
                      includes another)
    model          3  the graph, training, losses, metrics, the summary, weight files
    tools, callbacks, diagram, onnx
                   4  tracing, folding, gradient checking, PyTorch state_dicts; what fit calls
                      at each step (EarlyStopping, ...); model diagrams; ONNX files in and out
    report         5  the training report (HTML), over the trace and the diagram
    minnow.h       6  the umbrella header
core/error.h is the basement: every floor may throw minnow's errors. Examples, tests and the
benchmark stand outside the house and may include anything.
"""
import argparse
import glob
import os
import re
import sys

FLOORS = {"core/kernels": 0, "core": 1, "layers": 2, "optim": 2, "io": 2, "plot": 2, "model": 3, "tools": 4, "callbacks": 4, "diagram": 4, "onnx": 4, "report": 5}
BASEMENT = {"core/error.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
THREADS = re.compile(r"\bomp_\w+\s*\(|#\s*pragma\s+omp\b")


def folder_of(path):
    """The floor folder a library path belongs to ("core/kernels/gemm.h" -> "core/kernels"), or None."""
    if path == "minnow.h":
        return "minnow.h"
    for folder in sorted(FLOORS, key=len, reverse=True):
        if path.startswith(folder + "/") and "/" not in path[len(folder) + 1:]:
            return folder
    return None


def floor_of(folder):
    return 6 if folder == "minnow.h" else FLOORS[folder]


def check(root):
    problems = []
    files = ["minnow.h"] + [os.path.relpath(p, root).replace(os.sep, "/")
                            for folder in FLOORS for p in glob.glob(os.path.join(root, folder, "*.[ch]*"))]
    for path in sorted(files):
        own = folder_of(path)
        with open(os.path.join(root, path), encoding="utf-8") as f:
            lines = f.read().split("\n")
        for number, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if m and m.group(1) == "<" and m.group(2) == "omp.h" and own == "layers":
                problems.append(f"{path}:{number}: a layer includes <omp.h>; threads belong to core/kernels")
            if own == "layers" and THREADS.search(line):
                problems.append(f"{path}:{number}: a layer uses OpenMP ({line.strip()}); threads belong to core/kernels")
            if not m or m.group(1) != '"':
                continue
            target = m.group(2)
            theirs = folder_of(target)
            if theirs is None or target in BASEMENT or theirs == own:
                continue
            if floor_of(theirs) >= floor_of(own):
                problems.append(f"{path}:{number}: {own} (floor {floor_of(own)}) includes {target} "
                                f"({theirs}, floor {floor_of(theirs)}): a file includes only floors below its own")
    return problems, len(files)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    args = parser.parse_args()
    problems, count = check(os.path.abspath(args.root))
    if problems:
        print(f"The floor plan is broken in {len(problems)} place(s):")
        for p in problems:
            print("  " + p)
        return 1
    print(f"The floor plan holds: {count} library files include only their own folder and floors below.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
