#!/usr/bin/python3
"""Builds the soft-label golden files in this folder BY HAND, with python's
struct and math only (never Understudy's code), from the rules in
docs/formats.md ("Soft-label stores" and "Soft labels as Kaldi
posteriors"), for tests/core/store/test_soft_label_store.cpp.

STORE (k = 3, 10 units) is what the test writes into a soft-label store,
once per precision. The script computes what the store must hold and what
exporting it must write:
  writer:  x = p / sum(p)        (p float32, sums in double, left to right)
  fp16:    struct.pack("<e", x)  (IEEE binary16, nearest, ties to even)
  log8:    c = floor(40 * -log10(x) + 0.5), 255 (zero) if c >= 255 or x == 0
  read:    fp16 as stored; log8 v = 10 ** (-c / 40) (0 for 255),
           p = float32(v / sum(v))
  export:  per frame the (id, p) pairs with p > 0, in stored order.
IMPORT is a posterior archive the test imports (unsorted pairs, fewer and
more than k per frame); softlabels_import_expected.txt holds the payload
bytes (hex) the store must then hold, per precision.

Run from anywhere:  /usr/bin/python3 tests/data/kaldi/make_soft_label_goldens.py
It rewrites the files next to it; `git diff` must then be empty.
"""
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
K, UNITS = 3, 10

# (key, [(ids, probs) per frame]); probs are float32 inputs, top-k sorted.
STORE = [
    ("sl2", [([2, 4, 6], [0.999, 0.0009, 0.0001]),
             ([8, 1, 2], [0.6, 0.3, 0.1]),
             ([5, 6, 7], [1.0, 0.0, 0.0])]),
    ("sl1", [([3, 1, 7], [0.7, 0.2, 0.1]),
             ([0, 9, 5], [0.5, 0.5, 0.0]),
             ([4, 0, 1], [0.9999989, 1e-06, 1e-07])]),
]
# (key, [[(id, weight), ...] per frame]); weights exact in 7 digits.
IMPORT = [
    ("imp1", [[(5, 0.25), (2, 0.75)],
              [(1, 0.1), (3, 0.4), (4, 0.3), (9, 0.2)],
              [(7, 0.0), (6, 0.5), (2, 0.5)]]),
    ("imp2", [[(0, 1.0)]]),
]


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def i32b(v):  # Kaldi binary int32: size byte 4, then little-endian
    return b"\x04" + struct.pack("<i", v)


def f32b(v):
    return b"\x04" + struct.pack("<f", v)


def g7(v):  # Kaldi text float: C++ ostream precision 7 == "%.7g" of the float
    return "%.7g" % f32(v)


def dsum(values):  # plain left-to-right double sum (as the C++ loop)
    s = 0.0
    for v in values:
        s += v
    return s


def log8_code(x):
    if not x > 0.0:
        return 255
    c = math.floor(40 * -math.log10(x) + 0.5)
    return 255 if c >= 255 else max(c, 0)


def encode_frame(ids, probs, precision):
    """Payload bytes of one frame: k uint16 ids, then k fp16 or k log8 codes."""
    p = [f32(v) for v in probs]
    s = dsum(p)
    out = b"".join(struct.pack("<H", i) for i in ids)
    if precision == "fp16":
        out += b"".join(struct.pack("<e", v / s) for v in p)
    else:
        out += bytes(log8_code(v / s) for v in p)
    return out


def decode_frame(payload, precision):
    ids = list(struct.unpack_from("<%dH" % K, payload, 0))
    if precision == "fp16":
        probs = [f32(v) for v in struct.unpack_from("<%de" % K, payload, 2 * K)]
    else:
        vals = [0.0 if c == 255 else 10.0 ** (-c / 40.0) for c in payload[2 * K:3 * K]]
        z = dsum(vals)
        probs = [f32(v / z) for v in vals]
    return ids, probs


def binary_posterior(post):
    out = b"\0B" + i32b(len(post))
    for frame in post:
        out += i32b(len(frame)) + b"".join(i32b(i) + f32b(w) for i, w in frame)
    return out


def text_posterior(post):
    s = "".join("[ " + "".join("%d %s " % (i, g7(w)) for i, w in frame) + "] " for frame in post)
    return (s + "\n").encode()


def write_archive(name, records, encode):
    ark, scp = b"", ""
    for key, value in records:
        ark += key.encode() + b" "
        scp += "%s %s.ark:%d\n" % (key, name, len(ark))
        ark += encode(value)
    with open(os.path.join(HERE, name + ".ark"), "wb") as f:
        f.write(ark)
    with open(os.path.join(HERE, name + ".scp"), "w") as f:
        f.write(scp)


for precision in ("fp16", "log8"):
    exported = []
    for key, frames in sorted(STORE):  # C-locale key order
        post = []
        for ids, probs in frames:
            rids, rprobs = decode_frame(encode_frame(ids, probs, precision), precision)
            post.append([(i, p) for i, p in zip(rids, rprobs) if p > 0.0])
        exported.append((key, post))
    write_archive("softlabels_%s_binary" % precision, exported, binary_posterior)
    write_archive("softlabels_%s_text" % precision, exported, text_posterior)

write_archive("softlabels_import_binary", IMPORT, binary_posterior)
write_archive("softlabels_import_text", IMPORT, text_posterior)

# What importing IMPORT must store: sort by decreasing weight (ties: smaller
# id), keep the k largest rescaled to sum 1 (float32(w / kept sum)), or pad
# with the smallest unused ids at 0; then the writer above.
lines = []
for precision in ("fp16", "log8"):
    for key, post in IMPORT:
        payload = b""
        for frame in post:
            pairs = sorted(frame, key=lambda pr: (-f32(pr[1]), pr[0]))
            pairs = [(i, f32(w)) for i, w in pairs]
            if len(pairs) > K:
                pairs = pairs[:K]
                kept = dsum(w for _, w in pairs)
                pairs = [(i, f32(w / kept)) for i, w in pairs]
            used = {i for i, _ in pairs}
            pad = (i for i in range(UNITS) if i not in used)
            while len(pairs) < K:
                pairs.append((next(pad), 0.0))
            payload += encode_frame([i for i, _ in pairs], [w for _, w in pairs], precision)
        lines.append("%s %s %d %s\n" % (precision, key, len(post), payload.hex()))
with open(os.path.join(HERE, "softlabels_import_expected.txt"), "w") as f:
    f.writelines(lines)
