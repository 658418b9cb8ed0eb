"""Independent reference for core/nn's AcousticModel (run with /usr/bin/python3).

usage: lstm_reference.py WEIGHTS INPUTS OUTPUTS [WEIGHTS INPUTS OUTPUTS ...]

WEIGHTS: exportForPython's file (torch.load gives a dict with "config").
INPUTS:  dict {"features": [B, T, D] float, "lengths": [B] int64}, and
         optionally "h0" [layers, B, h], "c0" [layers, B, cells]: each
         utterance's initial state (torch.nn.LSTM's (h_0, c_0)).
OUTPUTS: written with torch.save: {"logits": [B, T', U] (zero past each
         utterance's end), "out_lengths": [B] int64, "h_n", "c_n": each
         utterance's final state, torch.nn.LSTM's (h_n, c_n) with the
         utterances along dim 1}.

Each utterance is run alone, unpadded, through torch.nn.LSTM (proj_size for
LSTMP) and torch.nn.Linear after stacking/subsampling written here from the
rule in docs/models.md, not from the C++ code.
"""
import sys

import torch


def parse_config(value):
    # The architecture's YAML, as a str or as the uint8 tensor torch.load may give.
    if isinstance(value, torch.Tensor):
        value = bytes(value.tolist()).decode()
    config = {}
    for line in value.splitlines():
        if ":" in line:
            key, v = line.split(":", 1)
            config[key.strip()] = v.split("#")[0].strip()
    return config


def stack_and_subsample(x, stack, subsample):
    # x: [T, D]. Model frame j is centred on 10 ms frame c = min(s*j + s//2, T-1)
    # and concatenates frames c-k//2 .. c+k//2, clamped to [0, T-1].
    frames = x.shape[0]
    out = []
    for j in range((frames + subsample - 1) // subsample):
        c = min(subsample * j + subsample // 2, frames - 1)
        parts = [x[min(max(c + i - stack // 2, 0), frames - 1)] for i in range(stack)]
        out.append(torch.cat(parts))
    return torch.stack(out)


def load_model(weights):
    """(config, lstm, output) built from exportForPython's dict, in eval mode."""
    config = parse_config(weights["config"])
    lstm = torch.nn.LSTM(
        input_size=int(config["input_dim"]) * int(config["stack"]),
        hidden_size=int(config["cells"]),
        num_layers=int(config["layers"]),
        bidirectional=config["kind"] == "blstm",
        proj_size=int(config["projection"]),
        batch_first=True,
    )
    lstm.load_state_dict({k[len("lstm."):]: v for k, v in weights.items() if k.startswith("lstm.")})
    width = (lstm.proj_size or lstm.hidden_size) * (2 if lstm.bidirectional else 1)
    output = torch.nn.Linear(width, int(config["num_units"]))
    output.load_state_dict({"weight": weights["output.weight"], "bias": weights["output.bias"]})
    lstm.eval()
    return config, lstm, output


def run(weights_path, inputs_path, outputs_path):
    config, lstm, output = load_model(torch.load(weights_path))
    stack = int(config["stack"])
    subsample = int(config["subsample"])

    inputs = torch.load(inputs_path)
    features, lengths = inputs["features"], inputs["lengths"]
    max_out = (features.shape[1] + subsample - 1) // subsample
    logits = torch.zeros(features.shape[0], max_out, int(config["num_units"]))
    out_lengths = torch.zeros(features.shape[0], dtype=torch.int64)
    h_n, c_n = [], []
    with torch.no_grad():
        for b in range(features.shape[0]):
            x = stack_and_subsample(features[b, : int(lengths[b])], stack, subsample)
            state = None
            if "h0" in inputs:
                state = (inputs["h0"][:, b : b + 1].contiguous(), inputs["c0"][:, b : b + 1].contiguous())
            y, (h, c) = lstm(x.unsqueeze(0), state)
            y = output(y)[0]
            logits[b, : y.shape[0]] = y
            out_lengths[b] = y.shape[0]
            h_n.append(h)
            c_n.append(c)
    torch.save({"logits": logits, "out_lengths": out_lengths,
                "h_n": torch.cat(h_n, 1), "c_n": torch.cat(c_n, 1)}, outputs_path)


def main(args):
    if len(args) == 0 or len(args) % 3 != 0:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    for i in range(0, len(args), 3):
        run(*args[i : i + 3])


if __name__ == "__main__":
    main(sys.argv[1:])
