"""Independent reference for core/train's top-k distillation loss (run with /usr/bin/python3).

usage: kd_reference.py INPUTS OUTPUTS [INPUTS OUTPUTS ...]

INPUTS:  dict written by torch::pickle_save: "logits" [B, T, U] float,
         "out_lengths" [B] int64, "soft_ids" [B, T', k] int64 (-1: no entry),
         "soft_probs" [B, T', k] float, "temperature" [1] float64.
OUTPUTS: written with torch.save: {"loss": [] float64, "grad": [B, T, U]
         float64 (d loss / d logits), "frames": [] int64}.

The loss is docs/training.md's, written here from that formula, frame by
frame in float64, not from the C++ code:
  L = (1/N) sum_t sum_{j in topk(t)} -p_tj log softmax(z_t / temperature)_j
over the frames t inside the output length with at least one id >= 0 (N of
them); entries with id -1 are skipped.
"""
import sys

import torch


def reference(inputs):
    logits = inputs["logits"].to(torch.float64).detach().requires_grad_(True)
    out_lengths = inputs["out_lengths"].tolist()
    ids = inputs["soft_ids"]
    probs = inputs["soft_probs"].to(torch.float64)
    temperature = float(inputs["temperature"].reshape(-1)[0])
    terms = []
    for b in range(logits.shape[0]):
        for t in range(min(out_lengths[b], logits.shape[1], ids.shape[1])):
            entries = [i for i in range(ids.shape[2]) if ids[b, t, i] >= 0]
            if not entries:
                continue
            log_q = torch.log_softmax(logits[b, t] / temperature, dim=0)
            terms.append(-sum(probs[b, t, i] * log_q[ids[b, t, i]] for i in entries))
    loss = torch.stack(terms).sum() / len(terms)
    loss.backward()
    return {"loss": loss.detach(), "grad": logits.grad, "frames": torch.tensor(len(terms))}


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        sys.exit(__doc__)
    for inputs, outputs in zip(argv[0::2], argv[1::2]):
        torch.save(reference(torch.load(inputs)), outputs)


if __name__ == "__main__":
    main(sys.argv[1:])
