#!/usr/bin/python3
"""Independent reference for `understudy-cli label` (test_label).

usage: label_reference.py MODEL_DIR FEATURES_ARK K TEMPERATURE

MODEL_DIR     a model folder (model.python.pt, cmvn.stats), as for
              evaluate_reference.py
FEATURES_ARK  `export --what features` (binary Kaldi ark of float matrices)
K             entries kept per frame
TEMPERATURE   the softmax temperature T

Written from docs/labeling.md, not from the C++ code: each utterance is
normalised, stacked and run alone, unpadded, through torch.nn.LSTM and
torch.nn.Linear (evaluate_reference.py's steps); per model frame the full
softmax(z / T) is computed in float64, its k largest entries are kept (sorted
by decreasing probability) and divided by their sum. Prints one line per
frame: "key t id1 p1 id2 p2 ... idk pk next", where next is the (k+1)-th
largest probability divided by the same sum (so a reader can tell near-equal
neighbours, which other rounding may order differently).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn"))
from evaluate_reference import read_binary_matrices, read_cmvn  # noqa: E402
from lstm_reference import load_model, stack_and_subsample  # noqa: E402


def main(model_dir, features_path, k, temperature):
    k, temperature = int(k), float(temperature)
    torch.set_num_threads(1)
    config, lstm, output = load_model(torch.load(model_dir + "/model.python.pt"))
    stack, subsample = int(config["stack"]), int(config["subsample"])
    mean, std = read_cmvn(model_dir + "/cmvn.stats")
    out = sys.stdout
    with torch.no_grad():
        for key, x in read_binary_matrices(features_path).items():
            x = ((x - mean) / std).to(torch.float32)
            logits = output(lstm(stack_and_subsample(x, stack, subsample).unsqueeze(0))[0])[0]
            z = logits.to(torch.float64)
            p = torch.softmax(z / temperature, dim=1)
            top_p, top_id = p.sort(dim=1, descending=True)
            for t in range(z.shape[0]):
                total = top_p[t, :k].sum()
                kept = top_p[t, :k] / total
                following = float(top_p[t, k] / total) if k < z.shape[1] else 0.0
                pairs = " ".join("%d %.9g" % (int(top_id[t, j]), float(kept[j])) for j in range(k))
                out.write("%s %d %s %.9g\n" % (key, t, pairs, following))


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
