#!/usr/bin/python3
"""Independent reference for `understudy-cli evaluate` (test_evaluate).

usage: evaluate_reference.py MODEL_DIR FEATURES_ARK TARGETS_TEXT_ARK

MODEL_DIR         a model folder: model.python.pt (torch.load: the weights under
                  torch.nn.LSTM's names plus "config", the architecture's YAML)
                  and cmvn.stats ("understudy-cmvn 1", dim, count, sum,
                  sum_squares lines)
FEATURES_ARK      `export --what features` (binary Kaldi ark of float matrices)
TARGETS_TEXT_ARK  `export --what targets --text` ("key id id ...", one per model frame)

Written from docs/models.md and docs/formats.md, not from the C++ code: each
utterance is normalised with the global CMVN statistics ((x - mean) / stddev,
variance floored at 1e-10), stacked and subsampled (model frame j is centred on
10 ms frame c = min(s*j + s//2, T-1) and concatenates frames c-k//2 .. c+k//2,
clamped), run alone and unpadded through torch.nn.LSTM and torch.nn.Linear, and
scored on its first min(T', len(targets)) frames. Prints one line:
"frames N correct C accuracy A cross_entropy E" (E: mean natural-log CE).
"""
import os
import struct
import sys

import torch

# The model, its config and the stacking rule come from core/nn's reference
# (itself written from docs/models.md), so both tests check one python model.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn"))
from lstm_reference import load_model, stack_and_subsample  # noqa: E402


def read_cmvn(path):
    fields = {}
    for line in open(path):
        parts = line.split()
        if parts:
            fields[parts[0]] = parts[1:]
    count = float(fields["count"][0])
    sums = torch.tensor([float(v) for v in fields["sum"]], dtype=torch.float64)
    squares = torch.tensor([float(v) for v in fields["sum_squares"]], dtype=torch.float64)
    mean = sums / count
    var = torch.clamp(squares / count - mean * mean, min=1e-10)
    return mean, var.sqrt()


def read_binary_matrices(path):
    data = open(path, "rb").read()
    pos, out = 0, {}
    while pos < len(data):
        space = data.index(b" ", pos)
        key = data[pos:space].decode()
        pos = space + 1
        assert data[pos : pos + 5] == b"\0BFM ", "not a binary float matrix: " + key
        pos += 5
        rows = struct.unpack_from("<bi", data, pos)[1]
        cols = struct.unpack_from("<bi", data, pos + 5)[1]
        pos += 10
        values = struct.unpack_from("<%df" % (rows * cols), data, pos)
        pos += 4 * rows * cols
        out[key] = torch.tensor(values, dtype=torch.float64).reshape(rows, cols)
    return out


def read_text_vectors(path):
    out = {}
    for line in open(path):
        parts = line.split()
        if parts:
            out[parts[0]] = [int(v) for v in parts[1:]]
    return out


def main(model_dir, features_path, targets_path):
    torch.set_num_threads(1)
    config, lstm, output = load_model(torch.load(model_dir + "/model.python.pt"))
    stack, subsample = int(config["stack"]), int(config["subsample"])
    mean, std = read_cmvn(model_dir + "/cmvn.stats")
    features = read_binary_matrices(features_path)
    targets = read_text_vectors(targets_path)
    frames, correct, loss = 0, 0, 0.0
    with torch.no_grad():
        for key, x in features.items():
            if key not in targets:
                continue
            x = ((x - mean) / std).to(torch.float32)
            logits = output(lstm(stack_and_subsample(x, stack, subsample).unsqueeze(0))[0])[0]
            n = min(logits.shape[0], len(targets[key]))
            t = torch.tensor(targets[key][:n], dtype=torch.int64)
            logp = torch.log_softmax(logits[:n].to(torch.float64), dim=1)
            loss -= float(logp.gather(1, t.unsqueeze(1)).sum())
            correct += int((logits[:n].argmax(1) == t).sum())
            frames += n
    print("frames %d correct %d accuracy %.8f cross_entropy %.8f"
          % (frames, correct, correct / frames, loss / frames))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
