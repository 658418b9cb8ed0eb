#!/usr/bin/python3
"""Writes Kaldi archives larger than any writer buffer, by hand, as an
independent reference for test_kaldi_io (testArchivesLargerThanTheWriteBuffer...).

The records are a pure function of a 32-bit LCG, spelled out here and in the
test:

  next(s)  = (s * 1664525 + 1013904223) mod 2**32, starting from s = SEED
  value(s) = (((s >> 8) & 0xFFFFFF) - 2**23) * 2**((s & 31) - 24)
             (exact in float32: a 24-bit integer times a power of two)
  int(s)   = s as a signed int32

  matrices, in order:  "m000" 4200 x 64  (16.8 KB binary per 64 rows; the
                       whole matrix is 1,075,200 bytes binary, ~3.7 MB text:
                       more than the writer's 1 MiB buffer in both forms),
                       "m001" 0 x 0 (empty), then "m002".."m061" with
                       rows = 1 + (37 i) % 97, cols = 1 + (13 i) % 41
  int vectors:         "v0" of 300,000 int(s), "v1" of 7 int(s)
  posteriors:          "p0" of 60,000 frames, frame t has t % 4 pairs
                       (id = s % 5000, weight = |value(next s)|)

Values are drawn in that order, matrices row-major, one LCG stream per
archive kind (matrices, vectors, posteriors each restart at SEED).

The byte rules are those of tests/data/kaldi/README.md (Kaldi's writers):
binary values start b"\\0B", each int32/float32 has a size byte 4; text floats
are "%.7g" of the float32. For the text archives the script also writes the
float32 values a correct reader must get back (decimal -> nearest float32,
ties to even), as raw little-endian float32 in record order (*.f32).

usage: big_archives.py OUTDIR    (writes big_*.ark, big_*.scp, big_*.f32)
"""
import os
import struct
import sys
from fractions import Fraction

SEED = 20261201
M32 = 0xFFFFFFFF


def stream():
    s = SEED
    while True:
        s = (s * 1664525 + 1013904223) & M32
        yield s


def value(s):
    return float((((s >> 8) & 0xFFFFFF) - (1 << 23)) * 2.0 ** ((s & 31) - 24))


def as_int32(s):
    return s - (1 << 32) if s >= (1 << 31) else s


def i32(v):
    return b"\x04" + struct.pack("<i", v)


def f32bits(v):
    return struct.pack("<f", v)


def g7(v):
    return "%.7g" % v


def nearest_float32(text):
    """Decimal text -> nearest float32, ties to even (what strtof does)."""
    d = float(text)  # nearest double
    f = struct.unpack("<f", struct.pack("<f", d))[0]
    if f == d:
        return f
    # Rounding twice (decimal -> double -> float) can only go wrong when the
    # double lands exactly on the midpoint between two floats (a midpoint is
    # itself a double): decide those with exact arithmetic.
    bits = struct.unpack("<I", struct.pack("<f", f))[0]
    step = 1 if (d > f) == (f > 0) else -1
    g = struct.unpack("<f", struct.pack("<I", bits + step))[0]
    if d + d != f + g:  # sums of two floats are exact in double
        return f
    exact = Fraction(text)
    mid = Fraction(d)
    if exact == mid:
        return f if bits % 2 == 0 else g
    return g if abs(exact - Fraction(g)) < abs(exact - Fraction(f)) else f


def matrix_shapes():
    yield "m000", 4200, 64
    yield "m001", 0, 0
    for i in range(2, 62):
        yield "m%03d" % i, 1 + (37 * i) % 97, 1 + (13 * i) % 41


def write(outdir, name, records):
    """records: (key, value bytes); writes NAME.ark and NAME.scp."""
    ark = bytearray()
    scp = []
    for key, payload in records:
        ark += key.encode() + b" "
        scp.append("%s %s.ark:%d\n" % (key, name, len(ark)))
        ark += payload
    with open(os.path.join(outdir, name + ".ark"), "wb") as f:
        f.write(ark)
    with open(os.path.join(outdir, name + ".scp"), "w") as f:
        f.write("".join(scp))


def main(outdir):
    os.makedirs(outdir, exist_ok=True)

    # Matrices.
    rng = stream()
    binary, text, readback = [], [], bytearray()
    for key, rows, cols in matrix_shapes():
        vals = [[value(next(rng)) for _ in range(cols)] for _ in range(rows)]
        b = b"\0B" + b"FM " + i32(rows) + i32(cols)
        b += b"".join(f32bits(v) for row in vals for v in row)
        binary.append((key, b))
        if rows == 0:
            t = " [ ]\n"
        else:
            t = " ["
            for row in vals:
                words = [g7(v) for v in row]
                t += "\n  " + "".join(w + " " for w in words)
                readback += b"".join(f32bits(nearest_float32(w)) for w in words)
            t += "]\n"
        text.append((key, t.encode()))
    write(outdir, "big_matrix_binary", binary)
    write(outdir, "big_matrix_text", text)
    with open(os.path.join(outdir, "big_matrix_text.f32"), "wb") as f:
        f.write(readback)

    # Int vectors.
    rng = stream()
    binary, text = [], []
    for key, n in (("v0", 300000), ("v1", 7)):
        v = [as_int32(next(rng)) for _ in range(n)]
        binary.append((key, b"\0B" + i32(n) + b"".join(i32(x) for x in v)))
        text.append((key, ("".join("%d " % x for x in v) + "\n").encode()))
    write(outdir, "big_vector_binary", binary)
    write(outdir, "big_vector_text", text)

    # Posteriors.
    rng = stream()
    frames = []
    for t in range(60000):
        frame = []
        for _ in range(t % 4):
            unit = next(rng) % 5000
            frame.append((unit, abs(value(next(rng)))))
        frames.append(frame)
    b = bytearray(b"\0B" + i32(len(frames)))
    s = ""
    readback = bytearray()
    for frame in frames:
        b += i32(len(frame)) + b"".join(i32(u) + b"\x04" + f32bits(w) for u, w in frame)
        s += "[ " + "".join("%d %s " % (u, g7(w)) for u, w in frame) + "] "
        readback += b"".join(f32bits(nearest_float32(g7(w))) for _, w in frame)
    write(outdir, "big_posterior_binary", [("p0", bytes(b))])
    write(outdir, "big_posterior_text", [("p0", (s + "\n").encode())])
    with open(os.path.join(outdir, "big_posterior_text.f32"), "wb") as f:
        f.write(readback)


if __name__ == "__main__":
    main(sys.argv[1])
