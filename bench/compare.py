#!/usr/bin/python3
"""minnow / PyTorch, side by side: runs minnow_bench and bench/torch_workloads.py on the same
workloads, one after the other in the same run (alternating which goes first each round), and
prints the ratio minnow time / PyTorch time for every measurement (below 1: minnow is faster).

  /usr/bin/python3 bench/compare.py [--workloads W1,W2,W3,W4,W5] [--threads 2] [--quick]
                                    [--rounds N] [--scaling] [--bench build/release/bench/minnow_bench]
                                    [--markdown FILE]

Needs Debian's python3-torch and python3-numpy (apt-get install python3-torch python3-numpy).
Debian's torch uses the system libblas.so.3, the slow reference BLAS; for a fair reference this
script runs torch on OpenBLAS without changing the system: it uses LD_LIBRARY_PATH if it already
points at OpenBLAS, else /tmp/openblas, fetching the package there when missing:
    mkdir -p /tmp/openblas && cd /tmp/openblas && apt-get download libopenblas0-openmp
    dpkg -x libopenblas0-openmp_*.deb x
--scaling also runs minnow with 1 thread and prints the speed-up of --threads over 1.
minnow's rows also show its roofline floor (floor ms: the larger of the FLOPs at the GEMM peak and
the bytes its layers must move at the STREAM triad bandwidth; x floor = minnow median / floor) and
the least memory the phase needs (min MB) beside its peak RSS.
The machine may be shared: every figure comes with the CPU load other processes caused while it
ran (foreign cores); each program waits (up to a minute) for a quiet machine before timing.
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OPENBLAS_DIR = "/tmp/openblas"

ap = argparse.ArgumentParser()
ap.add_argument("--workloads", default="W1,W2,W3,W4,W5")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--quick", action="store_true")
ap.add_argument("--rounds", type=int, default=0)
ap.add_argument("--scaling", action="store_true")
ap.add_argument("--bench", default=os.path.join(ROOT, "build", "release", "bench", "minnow_bench"))
ap.add_argument("--quiet-wait", type=float, default=60.0)
ap.add_argument("--markdown", default="")
a = ap.parse_args()


def openblas_env():
    env = dict(os.environ)
    if "openblas" in env.get("LD_LIBRARY_PATH", ""):
        return env
    libdir = os.path.join(OPENBLAS_DIR, "x", "usr", "lib", "x86_64-linux-gnu", "openblas-openmp")
    if not os.path.exists(os.path.join(libdir, "libblas.so.3")):
        os.makedirs(OPENBLAS_DIR, exist_ok=True)
        print("fetching libopenblas0-openmp into", OPENBLAS_DIR, flush=True)
        subprocess.run(["apt-get", "download", "libopenblas0-openmp"], cwd=OPENBLAS_DIR, check=True)
        deb = sorted(glob.glob(os.path.join(OPENBLAS_DIR, "libopenblas0-openmp_*.deb")))[-1]
        subprocess.run(["dpkg", "-x", deb, "x"], cwd=OPENBLAS_DIR, check=True)
    env["LD_LIBRARY_PATH"] = libdir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    return env


def parse(text):
    out = {}
    for line in text.splitlines():
        if line.startswith("RESULT "):
            kv = dict(item.split("=", 1) for item in line.split()[1:])
            out[(kv["workload"], kv.get("phase", ""))] = kv
    return out


def run(cmd, env=None):
    t0 = time.time()
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout.splitlines():
        if not line.startswith("RESULT") and line.strip():
            print("   ", line)
    if p.returncode != 0:
        print(f"   (exit code {p.returncode} after {time.time() - t0:.0f} s)")
    return parse(p.stdout)


def minnow(workload, threads):
    cmd = [a.bench, "--workload", workload, "--threads", str(threads), "--quiet-wait", str(a.quiet_wait)]
    return run(cmd + (["--quick"] if a.quick else []))


def torch(workload, env):
    cmd = ["/usr/bin/python3", os.path.join(HERE, "torch_workloads.py"), workload, "--threads", str(a.threads),
           "--quiet-wait", str(a.quiet_wait)]
    return run(cmd + (["--quick"] if a.quick else []), env)


def main():
    if not os.path.exists(a.bench):
        sys.exit(f"{a.bench} not found: build it first (cmake --preset release && cmake --build build/release)")
    env = openblas_env()
    rounds = a.rounds or (1 if a.quick else 2)
    results = {"minnow": [], "torch": [], "minnow1": []}
    for r in range(rounds):
        for w in a.workloads.split(","):
            order = ("minnow", "torch") if r % 2 == 0 else ("torch", "minnow")
            for who in order:
                print(f"round {r + 1}/{rounds}: {w} {who}", flush=True)
                results[who].append(minnow(w, a.threads) if who == "minnow" else torch(w, env))
            if a.scaling:
                print(f"round {r + 1}/{rounds}: {w} minnow, 1 thread", flush=True)
                results["minnow1"].append(minnow(w, 1))
    report(results)


def merged(runs):
    """(workload, phase) -> list of result dicts over the rounds."""
    out = {}
    for res in runs:
        for key, kv in res.items():
            out.setdefault(key, []).append(kv)
    return out


def med(rows, field):
    vals = [float(r[field]) for r in rows if field in r]
    return statistics.median(vals) if vals else float("nan")


def report(results):
    m, t, m1 = merged(results["minnow"]), merged(results["torch"]), merged(results["minnow1"])
    lines = [f"threads {a.threads}; ratio = minnow / PyTorch median time (below 1: minnow faster); "
             f"{'quick; ' if a.quick else ''}medians over {len(results['minnow']) // max(1, len(a.workloads.split(',')))} "
             "round(s)", "",
             "| workload | phase | minnow ms | PyTorch ms | ratio | PyTorch / minnow | minnow GFLOP/s | of GEMM peak "
             "| minnow floor ms | minnow x floor | minnow RSS MB | minnow min MB | PyTorch RSS MB "
             "| foreign cores (minnow / PyTorch) | notes |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in sorted(k for k in m if k[0] != "GEMM"):
        if key not in t:
            continue
        mm, tm = med(m[key], "median_ms"), med(t[key], "median_ms")
        notes = []
        for rows, who in ((m[key], "minnow"), (t[key], "PyTorch")):
            accs = [k for k in rows[-1] if k.startswith("test_acc_epoch")]
            if accs:
                notes.append(who + " acc " + "/".join(rows[-1][k] for k in sorted(accs)))
        if key in m1:
            notes.append(f"1-thread minnow {med(m1[key], 'median_ms'):.3f} ms: x{med(m1[key], 'median_ms') / mm:.2f} "
                         f"with {a.threads} threads")
        lines.append(f"| {key[0]} | {key[1]} | {mm:.3f} | {tm:.3f} | {mm / tm:.3f} | {tm / mm:.2f}x | "
                     f"{med(m[key], 'gflops'):.1f} | {med(m[key], 'peak_fraction'):.2f} | "
                     f"{med(m[key], 'floor_ms'):.3f} | {med(m[key], 'x_floor'):.1f} | {med(m[key], 'peak_rss_mb'):.0f} | "
                     f"{med(m[key], 'min_mb'):.1f} | {med(t[key], 'peak_rss_mb'):.0f} | {med(m[key], 'foreign_cores'):.2f} / "
                     f"{med(t[key], 'foreign_cores'):.2f} | {'; '.join(notes)} |")
    gemm = m.get(("GEMM", "sgemm1024"))
    if gemm:
        lines += ["", f"GEMM peak (Eigen sgemm 1024^3, {a.threads} threads, median of the runs): "
                      f"{med(gemm, 'gflops'):.1f} GFLOP/s; minnow::gemm {med(gemm, 'minnow_gemm_gflops'):.1f} GFLOP/s"]
    stream = m.get(("STREAM", "triad"))
    if stream:
        lines += [f"Memory bandwidth (STREAM triad, {a.threads} threads, median of the runs): "
                  f"{med(stream, 'gbps'):.1f} GB/s (in L3 {med(stream, 'l3_gbps'):.1f}, in L2 "
                  f"{med(stream, 'l2_gbps'):.1f}). floor = max(FLOPs / GEMM peak, bytes / bandwidth of the level "
                  "holding the step's working set); x floor = minnow median / floor"]
    text = "\n".join(lines)
    print("\n" + text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text + "\n")


main()
