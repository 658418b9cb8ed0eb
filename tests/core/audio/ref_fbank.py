#!/usr/bin/python3
"""Reference Kaldi fbank features from torchaudio.compliance.kaldi.fbank.

Usage: ref_fbank.py JOBS
JOBS is a text file; each line is
    <input.f32> <output.fbk> [key=value ...]
where input.f32 holds raw little-endian float32 samples in [-1, 1] and the
keys are torchaudio.compliance.kaldi.fbank argument names (frame_length,
frame_shift, num_mel_bins, window_type, snip_edges, ...), plus dtype=float64
to compute in double precision (default float32). The output file is
b"FBK1", int32 rows, int32 cols, then rows*cols float32 (row-major).
Samples are scaled by 32768 as Kaldi reads int16 audio.
"""
import inspect
import struct
import sys

import torch
import torchaudio.compliance.kaldi as kaldi

torch.set_num_threads(1)
DEFAULTS = {
    name: p.default
    for name, p in inspect.signature(kaldi.fbank).parameters.items()
    if p.default is not inspect.Parameter.empty
}


def parse(key, text):
    if key not in DEFAULTS:
        raise SystemExit(f"ref_fbank.py: unknown option {key}")
    kind = type(DEFAULTS[key])
    if kind is bool:
        return text.lower() in ("1", "true", "yes")
    return kind(text)


def main():
    with open(sys.argv[1]) as jobs:
        for line in jobs:
            parts = line.split()
            if not parts:
                continue
            src, dst, opts = parts[0], parts[1], dict(p.split("=", 1) for p in parts[2:])
            dtype = torch.float64 if opts.pop("dtype", "float32") == "float64" else torch.float32
            kwargs = {k: parse(k, v) for k, v in opts.items()}
            with open(src, "rb") as f:
                data = bytearray(f.read())
            wave = torch.frombuffer(data, dtype=torch.float32).clone().to(dtype) * 32768.0
            feats = kaldi.fbank(wave.unsqueeze(0), **kwargs).contiguous()
            rows, cols = (feats.shape[0], feats.shape[1]) if feats.dim() == 2 else (0, 0)
            with open(dst, "wb") as f:
                f.write(b"FBK1" + struct.pack("<ii", rows, cols))
                f.write(feats.to(torch.float32).numpy().astype("<f4").tobytes() if rows else b"")


if __name__ == "__main__":
    main()
