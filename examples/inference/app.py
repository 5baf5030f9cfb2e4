"""The application of the inference example: the model, script and function its driver added are
already in the database when it starts. It runs each on one tensor, checks the answers (the
MLP's against torch running the very model stored in the database) and prints them."""

import io

import numpy as np
import torch

from hpcsim import Client

client = Client(cluster=False)
x = np.array([[0.1, 0.2, 0.3, 0.4], [-0.5, -0.6, -0.7, -0.8]], dtype=np.float32)
client.put_tensor("x", x)

client.run_model("mlp", inputs=["x"], outputs=["mlp_out"])
client.run_script("negate_script", "negate", ["x"], ["negated"])
client.run_script("timestwo_fn", "timestwo", ["x"], ["doubled"])
predicted, negated, doubled = (client.get_tensor(k) for k in ("mlp_out", "negated", "doubled"))

stored = torch.jit.load(io.BytesIO(client.get_model("mlp")))
with torch.no_grad():
    expected = stored(torch.from_numpy(x)).numpy()
assert np.allclose(predicted, expected, atol=1e-6), (predicted, expected)
assert np.array_equal(negated, -x) and np.array_equal(doubled, 2 * x)

np.set_printoptions(precision=4, suppress=True)
print(f"mlp: shape {predicted.shape}, matches torch: True")
print(f"negate: {negated.ravel()}")
print(f"timestwo: {doubled.ravel()}")
