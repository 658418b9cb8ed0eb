#!/usr/bin/python3
"""Independent reader for `understudy-cli export` output (test_export).

Usage: check_kaldi_export.py DUMP ARK SCP KIND MODE
  DUMP  the records as the test read them from the store, in the dump format
        below (written by test_export.cpp, not by our Kaldi writer)
  ARK   the archive understudy-cli wrote; SCP its scp ("-" for none)
  KIND  features (float matrices) or targets (int32 vectors)
  MODE  binary or text

Parses the archive byte by byte from Kaldi's rules (nothing from Understudy):
  record = key, one space, value
  binary value: b"\\0B", then for a float matrix b"FM ", <size 4><int32 rows>,
                <size 4><int32 cols>, rows*cols little-endian float32; for an
                int32 vector <size 4><int32 n>, then n times <size 4><int32>
  text value:   matrix " [", then per row "\\n  " and "v " per value, then "]\\n"
                (an empty matrix is " [ ]\\n"); vector "v " per value, then "\\n"
and checks every scp line `key ARK:offset`: the path is the ark as given, and
the offset is exactly where the value starts (the bytes before it are
`key` + one space; the value parsed there equals the record).

Dump format: per record, <uint32 key length><key><int32 rows><int32 cols>,
then rows*cols little-endian float32 (features) or int32 (targets).
Exit 0 and one summary line if everything matches; otherwise the first
difference and exit 1.
"""
import struct
import sys


def fail(msg):
    print("MISMATCH: " + msg)
    sys.exit(1)


def read_dump(path, kind):
    data = open(path, "rb").read()
    pos, out = 0, []
    code = "f" if kind == "features" else "i"
    while pos < len(data):
        (n,) = struct.unpack_from("<I", data, pos)
        pos += 4
        key = data[pos:pos + n].decode()
        pos += n
        rows, cols = struct.unpack_from("<ii", data, pos)
        pos += 8
        vals = list(struct.unpack_from("<%d%s" % (rows * cols, code), data, pos))
        pos += 4 * rows * cols
        out.append((key, rows, cols, vals))
    return out


class Reader:
    def __init__(self, data):
        self.d = data

    def expect(self, pos, raw, what):
        if self.d[pos:pos + len(raw)] != raw:
            fail("%s: expected %r at byte %d, found %r" % (what, raw, pos, self.d[pos:pos + len(raw)]))
        return pos + len(raw)

    def i32(self, pos, what):
        pos = self.expect(pos, b"\x04", what + " size byte")
        return struct.unpack_from("<i", self.d, pos)[0], pos + 4

    def binary_value(self, pos, kind):
        pos = self.expect(pos, b"\0B", "binary marker")
        if kind == "features":
            pos = self.expect(pos, b"FM ", "float matrix token")
            rows, pos = self.i32(pos, "rows")
            cols, pos = self.i32(pos, "cols")
            vals = list(struct.unpack_from("<%df" % (rows * cols), self.d, pos))
            return (rows, cols, vals), pos + 4 * rows * cols
        n, pos = self.i32(pos, "vector length")
        vals = []
        for _ in range(n):
            v, pos = self.i32(pos, "vector element")
            vals.append(v)
        return (n, 1, vals), pos

    def text_value(self, pos, kind):
        if kind == "features":
            end = self.d.index(b"]", pos)
            body = self.d[pos:end].decode()
            if not body.lstrip(" ").startswith("["):
                fail("text matrix at byte %d does not start with ' ['" % pos)
            lines = [l.split() for l in body.split("[", 1)[1].split("\n")]
            lines = [l for l in lines if l]
            rows = len(lines)
            cols = len(lines[0]) if rows else 0
            if any(len(l) != cols for l in lines):
                fail("ragged text matrix at byte %d" % pos)
            vals = [struct.unpack("<f", struct.pack("<f", float(x)))[0] for l in lines for x in l]
            pos = self.expect(end, b"]\n", "matrix end")
            return (rows, cols, vals), pos
        end = self.d.index(b"\n", pos)
        vals = [int(x) for x in self.d[pos:end].decode().split()]
        return (len(vals), 1, vals), end + 1

    def value(self, pos, kind, mode):
        return self.binary_value(pos, kind) if mode == "binary" else self.text_value(pos, kind)


def same(record, parsed, mode, kind, where):
    key, rows, cols, vals = record
    prow, pcol, pvals = parsed
    if kind == "features" and rows == 0:
        rows = cols = 0  # Kaldi has no 0 x n matrices
    if (prow, pcol) != (rows, cols):
        fail("%s %s: %dx%d in the ark, %dx%d in the store" % (where, key, prow, pcol, rows, cols))
    if mode == "binary" or kind == "targets":
        if pvals != vals:
            fail("%s %s: values differ" % (where, key))
        return
    for i, (a, b) in enumerate(zip(pvals, vals)):
        # "%.7g" text keeps 7 significant digits
        if abs(a - b) > 1e-6 * max(abs(b), 1e-30) + 1e-37:
            fail("%s %s: value %d is %r in the ark, %r in the store" % (where, key, i, a, b))


def main():
    dump_path, ark_path, scp_path, kind, mode = sys.argv[1:6]
    records = read_dump(dump_path, kind)
    expected = sorted(records, key=lambda r: r[0].encode())  # C-locale order
    ark = open(ark_path, "rb").read()
    r = Reader(ark)
    pos, n, starts = 0, 0, {}
    while pos < len(ark):
        sp = ark.index(b" ", pos)
        key = ark[pos:sp].decode()
        if n >= len(expected):
            fail("more records in the ark than in the store (%s)" % key)
        if key != expected[n][0]:
            fail("record %d is %s, expected %s (keys in C-locale order)" % (n, key, expected[n][0]))
        starts[key] = sp + 1
        parsed, pos = r.value(sp + 1, kind, mode)
        same(expected[n], parsed, mode, kind, "ark record")
        n += 1
    if n != len(expected):
        fail("%d records in the ark, %d in the store" % (n, len(expected)))

    if scp_path != "-":
        lines = open(scp_path, "rb").read().decode().splitlines()
        if len(lines) != n:
            fail("%d scp lines for %d records" % (len(lines), n))
        for i, line in enumerate(lines):
            key, target = line.split(" ", 1)
            path, offset = target.rsplit(":", 1)
            offset = int(offset)
            if key != expected[i][0]:
                fail("scp line %d is %s, expected %s" % (i + 1, key, expected[i][0]))
            if path != ark_path:
                fail("scp line %d points at %s, not %s" % (i + 1, path, ark_path))
            if offset != starts[key]:
                fail("scp line %d: offset %d, the value of %s starts at %d" % (i + 1, offset, key, starts[key]))
            if ark[offset - len(key) - 1:offset] != (key + " ").encode():
                fail("scp line %d: the bytes before offset %d are not '%s '" % (i + 1, offset, key))
            parsed, _ = r.value(offset, kind, mode)
            same(expected[i], parsed, mode, kind, "scp line %d" % (i + 1))
    frames = sum(rec[1] for rec in records)
    print("ok: %d %s records, %d frames, %s ark of %d bytes%s" %
          (n, kind, frames, mode, len(ark), "" if scp_path == "-" else ", scp offsets exact"))


if __name__ == "__main__":
    main()
