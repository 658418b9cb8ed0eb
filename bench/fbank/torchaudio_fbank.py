#!/usr/bin/python3
"""Times torchaudio.compliance.kaldi.fbank per utterance, one thread.

Usage: torchaudio_fbank.py AUDIO.f32 NUM_UTTS SAMPLES_PER_UTT REPEATS FEATS_OUT
AUDIO.f32 holds NUM_UTTS utterances of raw float32 samples in [-1, 1] back to
back. Prints one JSON line with the best and median wall time and the best thread
CPU time of a pass over all utterances; writes utterance 0's features
(float32, row-major) to FEATS_OUT for a parity check.
"""
import json
import statistics
import sys
import time

import torch
import torchaudio
import torchaudio.compliance.kaldi as kaldi

torch.set_num_threads(1)
path, n_utts, n_samples, repeats, feats_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
with open(path, "rb") as f:
    audio = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).clone() * 32768.0
utts = [audio[i * n_samples:(i + 1) * n_samples].unsqueeze(0) for i in range(n_utts)]
opts = dict(num_mel_bins=64, dither=0.0, energy_floor=0.0, sample_frequency=16000.0)


def one_pass():
    t0, c0 = time.perf_counter(), time.thread_time()
    for u in utts:
        kaldi.fbank(u, **opts)
    return time.perf_counter() - t0, time.thread_time() - c0


one_pass()  # warm-up
passes = [one_pass() for _ in range(repeats)]
times = [w for w, _ in passes]
with open(feats_out, "wb") as f:
    f.write(kaldi.fbank(utts[0], **opts).contiguous().numpy().astype("<f4").tobytes())
print(json.dumps({"best_s": min(times), "median_s": statistics.median(times), "cpu_s": min(c for _, c in passes),
                  "threads": torch.get_num_threads(),
                  "torch": torch.__version__, "torchaudio": torchaudio.__version__}))
