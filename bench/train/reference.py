#!/usr/bin/python3
"""Reference trainer for bench/train: the same model, batches and step as
understudy's C++ Trainer, written in python3-torch.

bench_train writes the batch plan (one line per step: the utterance lengths of
that batch, in 10 ms frames) and runs this script with the same model shape,
thread count and optimizer; it prints `frames_per_second <x>` for the timed
steps. Model: stack [t-1, t, t+1] and keep every third frame (edges replicate
the utterance's own frames), packed (B)LSTM, linear output; masked mean CE over
valid model frames; global grad-norm clipping; Adam.

--formulation packed (default) runs nn.LSTM over pack_padded_sequence, the
idiomatic python way to keep padding out of a BLSTM. --formulation unpacked
runs what our AcousticModel runs (docs/models.md): one single-direction LSTM
per layer and direction over the padded batch, the backward direction on each
utterance reversed within its own length. Both give the same outputs on the
valid frames; they differ only in speed.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def reverse_within_lengths(x, lengths):
    """x [B, T, D]: each row's first lengths[b] frames reversed, padding left in place."""
    b, t, d = x.shape
    pos = torch.arange(t).view(1, t)
    last = (lengths - 1).view(b, 1)
    index = torch.where(pos <= last, last - pos, pos)
    return x.gather(1, index.unsqueeze(2).expand(b, t, d))


class UnpackedLSTM(nn.Module):
    """Per layer and direction, single-direction LSTMs over the padded batch."""

    def __init__(self, input_size, cells, layers, bidirectional, projection):
        super().__init__()
        self.bidirectional = bidirectional
        width = (projection if projection > 0 else cells) * (2 if bidirectional else 1)
        self.forward_layers = nn.ModuleList()
        self.backward_layers = nn.ModuleList()
        for layer in range(layers):
            size = input_size if layer == 0 else width
            self.forward_layers.append(nn.LSTM(size, cells, batch_first=True, proj_size=projection))
            if bidirectional:
                self.backward_layers.append(
                    nn.LSTM(size, cells, batch_first=True, proj_size=projection))

    def forward(self, x, lengths):
        for i, fwd in enumerate(self.forward_layers):
            out, _ = fwd(x)
            if self.bidirectional:
                back, _ = self.backward_layers[i](reverse_within_lengths(x, lengths))
                out = torch.cat([out, reverse_within_lengths(back, lengths)], dim=2)
            x = out
        return x


class AcousticModel(nn.Module):
    def __init__(self, kind, input_dim, layers, cells, projection, units, stack=3, subsample=3,
                 formulation="packed"):
        super().__init__()
        self.stack, self.subsample = stack, subsample
        self.packed = formulation == "packed"
        if self.packed:
            self.lstm = nn.LSTM(input_dim * stack, cells, num_layers=layers, batch_first=True,
                                bidirectional=(kind == "blstm"), proj_size=projection)
        else:
            self.lstm = UnpackedLSTM(input_dim * stack, cells, layers, kind == "blstm", projection)
        out = (projection if projection > 0 else cells) * (2 if kind == "blstm" else 1)
        self.output = nn.Linear(out, units)

    def forward(self, feats, lengths):
        b, t, d = feats.shape
        s, k = self.subsample, self.stack
        out_lengths = torch.div(lengths + (s - 1), s, rounding_mode="floor")
        max_out = (t + s - 1) // s
        last = (lengths - 1).view(b, 1, 1)
        centre = torch.minimum(torch.arange(max_out).view(1, max_out, 1) * s + s // 2, last)
        offsets = torch.arange(k).view(1, 1, k) - k // 2
        index = torch.clamp(centre + offsets, min=0).minimum(last)
        stacked = feats.gather(1, index.reshape(b, max_out * k, 1).expand(b, max_out * k, d))
        stacked = stacked.reshape(b, max_out, k * d)
        if self.packed:
            packed = nn.utils.rnn.pack_padded_sequence(stacked, out_lengths, batch_first=True,
                                                       enforce_sorted=False)
            hidden, _ = self.lstm(packed)
            padded, _ = nn.utils.rnn.pad_packed_sequence(hidden, batch_first=True,
                                                         total_length=max_out)
        else:
            padded = self.lstm(stacked, out_lengths)
        logits = self.output(padded)
        valid = torch.arange(max_out).view(1, max_out) < out_lengths.view(-1, 1)
        return logits.masked_fill(~valid.unsqueeze(2), 0.0), out_lengths


def masked_ce(logits, out_lengths, targets):
    frames = min(logits.shape[1], targets.shape[1])
    t = targets[:, :frames]
    mask = (t >= 0) & (torch.arange(frames).view(1, -1) < out_lengths.view(-1, 1))
    index = mask.reshape(-1).nonzero().squeeze(1)
    sel = logits[:, :frames].reshape(-1, logits.shape[2]).index_select(0, index)
    tgt = t.reshape(-1).index_select(0, index)
    loss = F.cross_entropy(sel, tgt)
    with torch.no_grad():
        correct = int((sel.argmax(1) == tgt).sum())
    return loss, correct, int(index.numel())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--plan", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--kind", default="lstm")
    p.add_argument("--dims", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--cells", type=int, default=256)
    p.add_argument("--projection", type=int, default=0)
    p.add_argument("--units", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--formulation", choices=["packed", "unpacked"], default="packed")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    plan = [[int(x) for x in line.split()] for line in open(a.plan) if line.strip()]
    assert len(plan) >= a.warmup + a.steps, "plan too short"
    # One utterance per plan entry, made before timing (the C++ side keeps its
    # corpus in memory too); collation happens inside the timed loop.
    utts = [[(torch.randn(n, a.dims), torch.randint(0, a.units, ((n + 2) // 3,))) for n in batch]
            for batch in plan]

    model = AcousticModel(a.kind, a.dims, a.layers, a.cells, a.projection, a.units,
                          formulation=a.formulation)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    model.train()

    def step(batch):
        longest = max(f.shape[0] for f, _ in batch)
        out = (longest + 2) // 3
        feats = torch.zeros(len(batch), longest, a.dims)
        targets = torch.full((len(batch), out), -1, dtype=torch.long)
        lengths = torch.empty(len(batch), dtype=torch.long)
        for i, (f, y) in enumerate(batch):
            feats[i, :f.shape[0]] = f
            targets[i, :y.shape[0]] = y
            lengths[i] = f.shape[0]
        opt.zero_grad()
        logits, out_lengths = model(feats, lengths)
        loss, _, _ = masked_ce(logits, out_lengths, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        return float(loss), int(lengths.sum())

    for i in range(a.warmup):
        step(utts[i])
    frames = 0
    start = time.perf_counter()
    for i in range(a.warmup, a.warmup + a.steps):
        _, n = step(utts[i])
        frames += n
    seconds = time.perf_counter() - start
    print(f"frames_per_second {frames / seconds:.1f}")
    print(f"seconds {seconds:.3f}")
    print(f"torch {torch.__version__} threads {torch.get_num_threads()}")


if __name__ == "__main__":
    main()
