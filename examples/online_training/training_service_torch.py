"""The training service of the online-training seed in PyTorch: a DynamicDataGenerator read
through hpcsim's DataLoader, whose two workers each download a disjoint share of the
producer's samples; every epoch sees what was uploaded since the last one.

Prints one JSON line per epoch (``epoch``, ``samples`` seen, ``loss``: mean over its batches),
and logs that loss as the metric ``loss`` (``Client.log_metric``, which ``hpcsim dashboard``
plots). Run by driver.py; ``python training_service_torch.py [--epochs N] [--uploader-ranks R]
[--min-samples S]``: with ``--min-samples``, it goes on after ``--epochs`` epochs until an epoch
has trained on at least S samples (every sample, when S is what the producer uploads).
"""

import argparse
import json
import socket

import torch

from hpcsim.ml.torch import DataLoader, DynamicDataGenerator

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--uploader-ranks", type=int, default=1)
parser.add_argument(
    "--min-samples", type=int, default=0, help="after --epochs, train until an epoch has seen this many"
)
args = parser.parse_args()
print(f"training on {socket.gethostname()}", flush=True)

generator = DynamicDataGenerator(
    sample_prefix="points",
    target_prefix="value",
    batch_size=32,
    cluster=False,
    uploader_ranks=args.uploader_ranks if args.uploader_ranks > 1 else None,
)
loader = DataLoader(generator, batch_size=None, num_workers=2)

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

epoch, samples = 0, 0
while epoch < args.epochs or samples < args.min_samples:
    samples, losses = 0, []
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        samples += len(x)
        losses.append(loss.item())
    mean_loss = sum(losses) / len(losses)
    print(json.dumps({"epoch": epoch, "samples": samples, "loss": mean_loss}), flush=True)
    generator.client.log_metric("loss", epoch, mean_loss)  # for hpcsim dashboard
    epoch += 1
