#!/usr/bin/env python3
"""The stepper on a real terminal: `step` runs in a detached tmux session of a fixed size, keys
are sent one at a time, and the screen (capture-pane) is checked after each one. Also checks that
the terminal's settings (canonical mode, echo) are back after q and after Ctrl-C.

    step_tmux.py STEP_BINARY [--session FILE] [--write]

--session FILE compares the whole session as captured (docs/tutorials/stepper_session.txt) with
FILE; with --write it writes FILE instead. Exits 77 (ctest's SKIP_RETURN_CODE) without tmux.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

WIDTH, HEIGHT = 120, 50

# (keys to send, text the screen must then show). "p" lines are typed with Enter.
STEPS = [
    ("h", "keys (one training step, piece by piece):"),
    ("b", "error: b: no loss yet: the forward pass is at layer 0 of 3"),
    ("f", "forward 1/3  dense (Dense) <- input_1, training mode"),
    ("f", "forward 2/3  batch_normalization (BatchNormalization) <- dense"),
    ("s", "batch statistics (F1) of its input (4, 50), m = 4 values per channel"),
    ("e", "(F2)  x_hat = (x - mu_c) / sqrt(var_c + epsilon)"),
    ("p", None),
    ("dense/kernel[0:2, 0:3]\n", "dense/kernel[0:2, 0:3] (2, 3)"),
    ("f", "forward 3/3  dense_1 (Dense)"),
    ("l", "loss  mean_squared_error = "),
    ("b", "backward 1/3  dense_1 (Dense)"),
    ("g", "->"),
    ("bb", "backward 3/3  dense (Dense)"),
    ("o", "update 1/6  dense/kernel (30, 50)   SGD"),
    ("m", "mode: inference"),
]


class Tmux:
    def __init__(self, socket):
        self.base = ["tmux", "-L", socket, "-f", "/dev/null"]

    def __call__(self, *args, check=True):
        return subprocess.run(self.base + list(args), check=check, capture_output=True, text=True).stdout

    def screen(self, target, history=False):
        return self("capture-pane", "-p", "-t", target, *(["-S", "-"] if history else []))

    def wait_for(self, target, text, before="", timeout=20.0):
        """Waits until the screen shows `text` (and differs from `before`); returns it."""
        end = time.time() + timeout
        while time.time() < end:
            s = self.screen(target)
            if text in s and s != before:
                return s
            time.sleep(0.05)
        raise AssertionError(f"after {timeout} s the screen does not show {text!r}:\n{self.screen(target)}")


def start(tmux, name, step, stty_file):
    # The stepper, then the terminal's settings as it left them, then a marker; the pane stays.
    # The shell ignores Ctrl-C (SIGINT goes to the whole foreground group) so that it lives on to
    # run stty; the stepper installs its own handler.
    command = f"trap '' INT; '{step}' --model tabular; stty -a > '{stty_file}'; echo STEP-ENDED; sleep 60"
    tmux("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), command)
    tmux.wait_for(name, "step>")  # capture-pane drops the blank after the prompt


def check_restored(stty_file):
    with open(stty_file) as f:
        settings = f.read().split()
    assert "icanon" in settings and "echo" in settings, f"terminal not restored: {settings}"


def session(tmux, step, work, session_file, write):
    stty = os.path.join(work, "stty-q")
    start(tmux, "keys", step, stty)
    for keys, expected in STEPS:
        before = tmux.screen("keys")
        tmux("send-keys", "-t", "keys", "-l", keys)
        if expected is None:
            time.sleep(0.3)  # p waits for its line
            continue
        tmux.wait_for("keys", expected, before)
        print(f"ok: {keys!r} -> {expected!r}")
    whole = tmux.screen("keys", history=True)
    tmux("send-keys", "-t", "keys", "-l", "q")
    tmux.wait_for("keys", "STEP-ENDED")
    check_restored(stty)
    print("ok: q restores the terminal")
    if session_file:
        text = whole.rstrip("\n") + "\n"
        if write:
            with open(session_file, "w") as f:
                f.write(text)
        else:
            with open(session_file) as f:
                assert f.read() == text, f"the session differs from {session_file}:\n{text}"
            print(f"ok: the session is {session_file}")


def interrupted(tmux, step, work):
    stty = os.path.join(work, "stty-c")
    start(tmux, "interrupt", step, stty)
    tmux("send-keys", "-t", "interrupt", "-l", "f")
    tmux.wait_for("interrupt", "forward 1/3")
    tmux("send-keys", "-t", "interrupt", "C-c")
    tmux.wait_for("interrupt", "STEP-ENDED")
    check_restored(stty)
    print("ok: Ctrl-C restores the terminal")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("step")
    ap.add_argument("--session")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        print("skipped: tmux is not installed (Debian package tmux)")
        return 77
    with tempfile.TemporaryDirectory() as work:
        tmux = Tmux(f"minnow-step-{os.getpid()}")
        try:
            session(tmux, os.path.abspath(args.step), work, args.session, args.write)
            interrupted(tmux, os.path.abspath(args.step), work)
        finally:
            tmux("kill-server", check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
