#!/usr/bin/python3
"""Independent check of a dataset's frame targets (docs/alignments.md).

Reads the synthetic corpus' 10 ms alignment (ali.txt + phones.txt) and the
targets store (index + shards, byte layout from docs/formats.md) with nothing
but the standard library, applies the 30 ms rule (docs/alignments.md "The
30 ms target rule": target j = unit of frame min(3j + 1, n - 1), j < ceil(n/3))
and the add-one priors, and compares. Utterances of every frame count modulo
3 (3k, 3k + 1, 3k + 2) must be present, so the last, clamped target is
checked in each case. Prints one summary line; exit 1 on any mismatch.

usage: check_targets.py WORKSPACE DATASET
"""
import sqlite3
import struct
import sys


def main(ws, ds):
    adir = f"{ws}/alignments/{ds}"
    sym = {}
    for line in open(f"{adir}/phones.txt"):
        s, i = line.split()
        sym[int(i)] = s
    units = [sym[i] for i in sorted(sym)
             if sym[i] != "<eps>" and not (sym[i].startswith("#") and sym[i][1:].isdigit())]
    unit_of = {i: units.index(sym[i]) for i in sym if sym[i] in units}
    ali = {}
    for line in open(f"{adir}/ali.txt"):
        f = line.split()
        ali[f[0]] = [unit_of[int(x)] for x in f[1:]]

    # The store the dataset's "targets" row names (alignments/<ds>/targets-<hash8>).
    db = sqlite3.connect(f"file:{ws}/workspace.db?mode=ro", uri=True)
    (path,) = db.execute("SELECT a.path FROM alignment_sets a JOIN datasets d ON d.id = "
                         "a.dataset_id WHERE d.name = ? AND a.name = 'targets'", (ds,)).fetchone()
    d = f"{ws}/{path}"
    problems = []
    saved_units = [line.split()[0] for line in open(f"{d}/units.txt")]
    if saved_units != units:
        problems.append("units.txt differs from phones.txt without <eps>/#n")
    b = open(f"{d}/index", "rb").read()
    if b[:8] != b"USRECIDX":
        problems.append("index magic")
    etype, cols, S, N, gen, shard_bytes, K, M = struct.unpack_from("<IIIQQQII", b, 12)
    if etype != 2 or cols != 1 or b[56:56 + K] != b"targets":
        problems.append(f"store type {etype} cols {cols} kind {b[56:56 + K]!r}")
    # Metadata: the targets' config YAML, then "config_hash: <16 hex>", its
    # XXH3-64 (checked when python3-xxhash is there), whose first 8 name the folder.
    meta = b[56 + K:56 + K + M].decode()
    config = meta[:meta.find("\nconfig_hash: ") + 1]
    h = meta[len(config):].split("\n")[0].split()[1]
    if len(h) != 16 or not path.endswith(f"/targets-{h[:8]}"):
        problems.append(f"config hash {h!r} does not name the folder {path}")
    try:
        import xxhash
        if xxhash.xxh3_64_hexdigest(config.encode()) != h:
            problems.append(f"config hash {h} is not XXH3-64 of the config")
    except ImportError:
        pass
    (run_hash,) = db.execute("SELECT config_hash FROM runs WHERE kind = 'targets' AND "
                             "status = 'finished' ORDER BY id DESC").fetchone()
    if run_hash != h:
        problems.append(f"the targets run recorded {run_hash}, the store {h}")
    pos = 56 + K + M + 8 * S
    counts = [0] * len(units)
    remainders = [0, 0, 0]  # utterances with n = 3k, 3k + 1, 3k + 2 frames
    frames = 0
    shards = {}
    for _ in range(N):
        (L,) = struct.unpack_from("<I", b, pos)
        key = b[pos + 4:pos + 4 + L].decode()
        shard, off, rows, c, _xxh = struct.unpack_from("<IQIIQ", b, pos + 4 + L)
        pos += 32 + L
        if shard not in shards:
            shards[shard] = open(f"{d}/shard-{shard:05d}.bin", "rb").read()
        got = list(struct.unpack_from(f"<{rows}i", shards[shard], off))
        a = ali[key]
        n = len(a)
        want = [a[min(3 * j + 1, n - 1)] for j in range((n + 2) // 3)]
        if got != want:
            problems.append(f"{key}: targets differ")
        remainders[n % 3] += 1
        frames += rows
        for t in got:
            counts[t] += 1
    if N != len(ali):
        problems.append(f"{N} utterances in the store, {len(ali)} aligned")
    text = open(f"{d}/priors.txt").read().strip()
    priors = [float(x) for x in text.strip("[]").split()]
    total = sum(counts)
    err = max(abs(p - (c + 1) / (total + len(units))) for p, c in zip(priors, counts))
    if len(priors) != len(units) or err > 1e-8:
        problems.append(f"priors off by {err:.2e}")
    if 0 in remainders:
        problems.append(f"frame counts mod 3 = {remainders}: the check needs every remainder")
    print(f"{ds}: targets {path}, {N} utterances, {frames} frames, {len(units)} units, "
          f"n mod 3 = 0/1/2: {remainders[0]}/{remainders[1]}/{remainders[2]}, "
          f"max prior error {err:.2e}, {len(problems)} problem(s)")
    for p in problems[:20]:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
