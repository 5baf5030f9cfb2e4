"""The training service of the online-training seed, in Keras 3 (any backend: TensorFlow, or
torch with KERAS_BACKEND=torch): a DynamicDataGenerator downloads the producer's samples and
grows at the end of every epoch, so the model trains one epoch per ``fit`` call.

Prints one JSON line per epoch (``epoch``, ``samples`` in the training set, ``loss``), and logs
the loss as the metric ``loss`` (``Client.log_metric``, which ``hpcsim dashboard`` plots). Run by
driver.py; ``python training_service.py [--epochs N] [--uploader-ranks R] [--min-samples S]``:
with ``--min-samples``, it goes on after ``--epochs`` epochs until an epoch has trained on at
least S samples (every sample, when S is what the producer uploads).
"""

import argparse
import json
import socket

import keras

from hpcsim.ml.tf import DynamicDataGenerator  # also hpcsim.ml.keras

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--uploader-ranks", type=int, default=1)
parser.add_argument(
    "--min-samples", type=int, default=0, help="after --epochs, train until an epoch has seen this many"
)
args = parser.parse_args()
print(f"training on {socket.gethostname()}", flush=True)

if args.uploader_ranks > 1:
    generator = DynamicDataGenerator(
        sample_prefix="points", target_prefix="value", batch_size=32, cluster=False, uploader_ranks=args.uploader_ranks
    )
else:
    generator = DynamicDataGenerator(sample_prefix="points", target_prefix="value", batch_size=32, cluster=False)

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")

epoch, samples = 0, 0
while epoch < args.epochs or samples < args.min_samples:
    samples = generator.num_samples  # what this epoch trains on
    history = model.fit(
        generator,
        steps_per_epoch=None,
        epochs=epoch + 1,
        initial_epoch=epoch,
        batch_size=generator.batch_size,
        verbose=2,
    )
    loss = history.history["loss"][-1]
    print(json.dumps({"epoch": epoch, "samples": samples, "loss": loss}), flush=True)
    generator.client.log_metric("loss", epoch, loss)  # for hpcsim dashboard
    epoch += 1
