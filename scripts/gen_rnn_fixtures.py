"""Golden values for nn.RNN / nn.LSTM / nn.GRU (test/rnn.test.ts), from PyTorch 1.13: each
module built after manual_seed (so the initial weights are PyTorch's, drawn from the same
stream), run on stored inputs, with the outputs, final states and the gradients of every
parameter and of the input for a weighted sum of the outputs.

Run with Debian's python3-torch: /usr/bin/python3 scripts/gen_rnn_fixtures.py
"""
import json
import os

import torch

out = {"torch_version": torch.__version__}


def enc(t):
    return {"shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def case(name, kind, ctor, x_shape, with_state=False):
    torch.manual_seed(0)
    module = getattr(torch.nn, kind)(**ctor)
    torch.manual_seed(1)
    x = torch.randn(*x_shape, requires_grad=True)
    dirs = 2 if ctor.get("bidirectional") else 1
    layers = ctor.get("num_layers", 1)
    unbatched = len(x_shape) == 2
    batch = 1 if unbatched else x_shape[0 if ctor.get("batch_first") else 1]
    state_shape = (layers * dirs, ctor["hidden_size"]) if unbatched else (layers * dirs, batch, ctor["hidden_size"])
    state = None
    if with_state:
        h0 = torch.randn(*state_shape)
        state = (h0, torch.randn(*state_shape)) if kind == "LSTM" else h0
    output, hn = module(x, state)
    finals = list(hn) if kind == "LSTM" else [hn]
    wo = torch.randn(*output.shape)
    ws = [torch.randn(*f.shape) for f in finals]
    loss = (output * wo).sum() + sum((f * w).sum() for f, w in zip(finals, ws))
    loss.backward()
    out[name] = {
        "kind": kind, "options": ctor, "x": enc(x), "output": enc(output), "finals": [enc(f) for f in finals],
        "wo": enc(wo), "ws": [enc(w) for w in ws], "gx": enc(x.grad),
        "state": None if state is None else [enc(s) for s in (state if kind == "LSTM" else (state,))],
        "params": {k: enc(p) for k, p in module.named_parameters()},
        "grads": {k: enc(p.grad) for k, p in module.named_parameters()},
        "repr": repr(module),
    }


case("rnn_tanh", "RNN", {"input_size": 3, "hidden_size": 4}, (5, 2, 3))
case("rnn_relu_2layers", "RNN", {"input_size": 3, "hidden_size": 4, "num_layers": 2, "nonlinearity": "relu", "bias": False}, (4, 3, 3), with_state=True)
case("lstm", "LSTM", {"input_size": 3, "hidden_size": 5}, (6, 2, 3), with_state=True)
case("lstm_bi_batch_first", "LSTM", {"input_size": 4, "hidden_size": 3, "num_layers": 2, "bidirectional": True, "batch_first": True}, (2, 5, 4))
case("gru", "GRU", {"input_size": 3, "hidden_size": 4}, (5, 3, 3), with_state=True)
case("gru_bi_unbatched", "GRU", {"input_size": 2, "hidden_size": 3, "bidirectional": True}, (4, 2))

path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "rnn.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {path}")
