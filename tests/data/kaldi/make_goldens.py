#!/usr/bin/python3
"""Builds the Kaldi golden archives in this folder BY HAND, byte by byte,
from the rules in docs/formats.md ("Kaldi archives") and
Kaldi's own writers (TableWriter: `key` + one space + value; binary values
start with b"\\0B"; every binary int32/float32 is preceded by the size byte
b"\\x04"; text floats are printed like C++ streams at precision 7, i.e.
printf "%.7g"). Nothing here uses Understudy's code, so the goldens are an
independent reference for tests/core/store/test_kaldi_io.cpp.

Run from anywhere:  /usr/bin/python3 tests/data/kaldi/make_goldens.py
It rewrites the files next to it; `git diff` must then be empty.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def i32(v):  # one binary int32: size byte 4, then little-endian int32
    return b"\x04" + struct.pack("<i", v)


def f32(v):  # one binary float32: size byte 4, then little-endian float32
    return b"\x04" + struct.pack("<f", v)


def g7(v):  # text float: C++ ostream at precision 7 == "%.7g" of the float
    return "%.7g" % struct.unpack("<f", struct.pack("<f", v))[0]


# Values chosen to survive a text round trip exactly (<= 7 significant digits).
MATRICES = [
    ("utt1", [[1.0, -2.5, 0.125], [1e-05, 12345.67, -0.001]]),
    ("utt2", [[0.0, 3.0, -7.75]]),
    ("utt3", [[0.5, 0.25, 2.0], [4.0, -8.0, 16.0], [100.0, 0.0625, -0.5]]),
]
VECTORS = [
    ("ali1", [0, 1, 1, 2, 17]),
    ("ali2", []),
    ("ali3", [-3, 2147483647, -2147483648]),
]
POSTERIORS = [
    ("post1", [[(1, 0.5), (2, 0.5)], [(3, 1.0)]]),
    ("post2", [[], [(7, 0.25), (0, 0.75)], [(12, 0.125)]]),
]


def binary_matrix(rows):
    r, c = len(rows), len(rows[0]) if rows else 0
    out = b"\0B" + b"FM " + i32(r) + i32(c)
    for row in rows:
        out += b"".join(struct.pack("<f", v) for v in row)
    return out


def text_matrix(rows):
    # Kaldi Matrix::Write (text): " [" then "\n  " before each row,
    # "v " after each value, and "]\n" at the end.
    s = " ["
    for row in rows:
        s += "\n  " + "".join(g7(v) + " " for v in row)
    return (s + "]\n").encode()


def binary_vector(v):
    return b"\0B" + i32(len(v)) + b"".join(i32(x) for x in v)


def text_vector(v):  # BasicVectorHolder text: "v " per value, then "\n"
    return ("".join("%d " % x for x in v) + "\n").encode()


def binary_posterior(p):
    out = b"\0B" + i32(len(p))
    for frame in p:
        out += i32(len(frame))
        for i, w in frame:
            out += i32(i) + f32(w)
    return out


def text_posterior(p):  # WritePosterior text: "[ id w id w ] " per frame, then "\n"
    s = ""
    for frame in p:
        s += "[ " + "".join("%d %s " % (i, g7(w)) for i, w in frame) + "] "
    return (s + "\n").encode()


def write_archive(name, records, encode):
    """Writes NAME.ark and NAME.scp (`key NAME.ark:<offset of the value>`)."""
    ark = b""
    scp = ""
    for key, value in records:
        ark += key.encode() + b" "
        scp += "%s %s.ark:%d\n" % (key, name, len(ark))
        ark += encode(value)
    with open(os.path.join(HERE, name + ".ark"), "wb") as f:
        f.write(ark)
    with open(os.path.join(HERE, name + ".scp"), "w") as f:
        f.write(scp)


write_archive("matrix_binary", MATRICES, binary_matrix)
write_archive("matrix_text", MATRICES, text_matrix)
write_archive("vector_binary", VECTORS, binary_vector)
write_archive("vector_text", VECTORS, text_vector)
write_archive("posterior_binary", POSTERIORS, binary_posterior)
write_archive("posterior_text", POSTERIORS, text_posterior)

# Mixed archive: binary and text records in one file (readers detect per record).
with open(os.path.join(HERE, "matrix_mixed.ark"), "wb") as f:
    f.write(b"utt1 " + binary_matrix(MATRICES[0][1]) + b"utt2 " + text_matrix(MATRICES[1][1])
            + b"utt3 " + binary_matrix(MATRICES[2][1]))

# Double matrix (DM): same layout as FM with 8-byte doubles and size bytes 4 for the dims.
with open(os.path.join(HERE, "matrix_double.ark"), "wb") as f:
    rows = MATRICES[0][1]
    f.write(b"utt1 \0B" + b"DM " + i32(2) + i32(3)
            + b"".join(struct.pack("<d", v) for row in rows for v in row))

# Compressed matrices (Kaldi CompressedMatrix, optional to read). After the
# token, the GlobalHeader without its format field: float min, float range,
# int32 rows, int32 cols (no size bytes). Then:
#   CM3: rows*cols uint8, row-major,  value = min + v * (range / 255)
#   CM2: rows*cols uint16, row-major, value = min + v * (range / 65535)
#   CM : per column 4 uint16 percentiles (p0, p25, p75, p100, each mapped by
#        min + range * v / 65535), then uint8 data column by column, mapped
#        piecewise-linearly between the percentiles (0..64, 64..192, 192..255).
# The expected values are written to compressed_expected.txt (%.9g, row-major).
def f(v):  # round to float32 like Kaldi's float arithmetic
    return struct.unpack("<f", struct.pack("<f", v))[0]

mn, rng, R, C = -4.0, 8.0, 2, 3
expected = []
cm3 = [0, 51, 255, 128, 200, 17]
incr = f(rng * (1.0 / 255.0))
expected.append(("cm3", [f(mn + f(v * incr)) for v in cm3]))
cm2 = [0, 65535, 1000, 32768, 40000, 7]
incr2 = f(rng * (1.0 / 65535.0))
expected.append(("cm2", [f(mn + f(v * incr2)) for v in cm2]))
pct = [(0, 16384, 49152, 65535), (100, 200, 300, 400), (65535, 65535, 65535, 65535)]
colbytes = [(0, 64), (128, 192), (255, 10)]  # column-major: column c holds rows 0..R-1
def u16(v):
    return f(mn + f(f(rng * f(1.52590218966964e-05)) * v))
cm_vals = [[0.0] * C for _ in range(R)]
for c in range(C):
    p0, p25, p75, p100 = (u16(v) for v in pct[c])
    for r in range(R):
        v = colbytes[c][r]
        if v <= 64:
            x = p0 + (p25 - p0) * v * (1 / 64.0)
        elif v <= 192:
            x = p25 + (p75 - p25) * (v - 64) * (1 / 128.0)
        else:
            x = p75 + (p100 - p75) * (v - 192) * (1 / 63.0)
        cm_vals[r][c] = f(x)
expected.append(("cm", [v for row in cm_vals for v in row]))
head = struct.pack("<ffii", mn, rng, R, C)
with open(os.path.join(HERE, "matrix_compressed.ark"), "wb") as fh:
    fh.write(b"cm3 \0BCM3 " + head + bytes(cm3))
    fh.write(b"cm2 \0BCM2 " + head + b"".join(struct.pack("<H", v) for v in cm2))
    fh.write(b"cm \0BCM " + head
             + b"".join(struct.pack("<4H", *p) for p in pct)
             + bytes(b for col in colbytes for b in col))
with open(os.path.join(HERE, "compressed_expected.txt"), "w") as fh:
    for key, vals in expected:
        fh.write("%s %d %d %s\n" % (key, R, C, " ".join("%.9g" % v for v in vals)))
