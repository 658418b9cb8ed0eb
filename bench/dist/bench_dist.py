#!/usr/bin/python3
"""bench/dist: distributed training on one machine, sync vs GTC vs BMUF.

For each corpus (tiny, demo) it trains the same small BLSTM on synth-labeled
for the same number of epochs (the same data), once in one process and with
2 local ranks (`understudy-cli train --workers 2`, one thread each) per
algorithm, and reads what the runs recorded in workspace.db:

  frames/s      rank 0's median train/frames_per_second x ranks (10 ms input frames, all ranks)
  bytes/step    mean dist/bytes_sent per step of rank 0 (measured around each collective)
  comm share    sum dist/comm_seconds / sum (comm + compute)
  valid acc     the last valid/frame_accuracy (held-out split)

and prints the table with the ratios against sync measured in the same run.
Goals (issue 21): GTC <= 1/30 of sync's bytes at <= 1 % absolute accuracy
loss; BMUF (block_steps 50) <= 1/50 of sync's bytes.

  bench/dist/run.sh [build-dir] [--corpora tiny,demo] [--work DIR] [--demo-ws WS] [--tiny-ws WS]
"""
import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

CONFIG = """name: {name}
role: teacher
seed: 1
threads: 1
max_steps: 0
max_epochs: {epochs}
grad_clip: 5
log_every: 1
data:
  train: [synth-labeled]
  validation_fraction: 0.1
model:
  preset: teacher-tiny
batching:
  max_frames: 3000
optimizer:
  kind: adam
  lr: 0.003
schedule:
  kind: constant
  warmup_steps: 20
validation:
  every: 0
checkpoint:
  every: 0
  keep: 1
distribution:
  algorithm: {algorithm}
  timeout_s: 120
  gtc:
    threshold: 0.001
    target_fraction: 0.01
  bmuf:
    block_steps: 50
"""

# (label, algorithm, ranks); ranks 0 = one process without --workers.
RUNS = [("1 process", "sync", 0), ("sync", "sync", 2), ("gtc", "gtc", 2), ("bmuf", "bmuf", 2)]
EPOCHS = {"tiny": 160, "demo": 12}  # long enough for GTC's delay (about 1/fraction steps) to matter little


def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return (f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, load average {load:.1f}, "
            f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")


def run(cmd, **kw):
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kw)


def build_workspace(cli, ws, profile):
    if os.path.exists(os.path.join(ws, "workspace.db")):
        return
    run([cli, "init", ws])
    run([cli, "corpus", "synth", "-w", ws, "--profile", profile, "--seed", "1"])
    run([cli, "features", "-w", ws, "--dataset", "synth-labeled"])
    run([cli, "targets", "-w", ws, "--dataset", "synth-labeled"])


def metrics(ws, name):
    db = sqlite3.connect(os.path.join(ws, "workspace.db"))
    run_id, status = db.execute(
        "SELECT id, status FROM runs WHERE kind = 'train' AND name = ? ORDER BY id DESC LIMIT 1", (name,)).fetchone()
    if status != "finished":
        raise SystemExit(f"run {name} ended {status}")
    def series(metric):
        return [v for (v,) in db.execute(
            "SELECT value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step", (run_id, metric))]
    out = {
        "fps": series("train/frames_per_second"),
        "sent": series("dist/bytes_sent"),
        "comm": series("dist/comm_seconds"),
        "compute": series("dist/compute_seconds"),
        "fraction": series("dist/fraction_sent"),
        "acc": series("valid/frame_accuracy"),
        "steps": len(series("train/loss")),
    }
    db.close()
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cli", required=True)
    p.add_argument("--work", default="/tmp/understudy-bench-dist")
    p.add_argument("--corpora", default="tiny,demo")
    p.add_argument("--tiny-ws", default="")
    p.add_argument("--demo-ws", default="")
    a = p.parse_args()
    os.makedirs(a.work, exist_ok=True)
    print("# bench/dist on", machine())
    rows = []
    for corpus in a.corpora.split(","):
        ws = getattr(a, f"{corpus}_ws") or os.path.join(a.work, corpus + "-ws")
        build_workspace(a.cli, ws, corpus)
        for label, algorithm, ranks in RUNS:
            name = f"bench-dist-{corpus}-{label.replace(' ', '-')}"
            shutil.rmtree(os.path.join(ws, "models", name), ignore_errors=True)
            cfg = os.path.join(a.work, name + ".yaml")
            with open(cfg, "w") as f:
                f.write(CONFIG.format(name=name, epochs=EPOCHS[corpus], algorithm=algorithm))
            cmd = [a.cli, "--quiet", "train", "-w", ws, "--config", cfg]
            if ranks:
                cmd += ["--workers", str(ranks)]
            start = time.time()
            run(cmd, stdout=subprocess.DEVNULL)
            wall = time.time() - start
            m = metrics(ws, name)
            n = max(ranks, 1)
            fps = statistics.median(m["fps"][5:] or m["fps"]) * n
            sent = statistics.mean(m["sent"]) if m["sent"] else 0.0
            busy = sum(m["comm"]) + sum(m["compute"])
            share = sum(m["comm"]) / busy if busy > 0 else 0.0
            frac = statistics.mean(m["fraction"]) if m["fraction"] else None
            rows.append((corpus, label, n, m["steps"], wall, fps, sent, share, frac, m["acc"][-1] if m["acc"] else None))
    print()
    print("| corpus | run | ranks | steps (rank 0) | wall (s) | frames/s, all ranks | bytes sent / step / rank "
          "| vs sync | comm share | fraction sent | held-out frame acc | vs sync |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for corpus, label, n, steps, wall, fps, sent, share, frac, acc in rows:
        ref = next(r for r in rows if r[0] == corpus and r[1] == "sync")
        bytes_ratio = f"1/{ref[6] / sent:,.0f}" if sent > 0 and label not in ("sync", "1 process") else "–"
        acc_diff = f"{100 * (acc - ref[9]):+.2f} pt" if acc is not None and ref[9] is not None and label != "sync" else "–"
        print(f"| {corpus} | {label} | {n} | {steps} | {wall:.0f} | {fps:,.0f} | {sent:,.0f} | {bytes_ratio} | "
              f"{100 * share:.1f} % | {'–' if frac is None else f'{100 * frac:.2f} %'} | "
              f"{'–' if acc is None else f'{100 * acc:.2f} %'} | {acc_diff} |")
    print()
    for corpus in sorted({r[0] for r in rows}):
        get = {r[1]: r for r in rows if r[0] == corpus}
        sync, gtc, bmuf = get["sync"], get["gtc"], get["bmuf"]
        g_ratio = sync[6] / gtc[6] if gtc[6] > 0 else float("inf")
        b_ratio = sync[6] / bmuf[6] if bmuf[6] > 0 else float("inf")
        g_loss = 100 * (sync[9] - gtc[9])
        print(f"# {corpus}: GTC sends 1/{g_ratio:.0f} of sync's bytes (goal >= 30): "
              f"{'met' if g_ratio >= 30 else 'missed'}; accuracy loss {g_loss:+.2f} pt (goal <= 1): "
              f"{'met' if g_loss <= 1 else 'missed'}")
        print(f"# {corpus}: BMUF sends 1/{b_ratio:.0f} of sync's bytes (goal >= 50): {'met' if b_ratio >= 50 else 'missed'}")


if __name__ == "__main__":
    sys.exit(main())
