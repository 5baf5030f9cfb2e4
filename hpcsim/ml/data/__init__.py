"""Online training data: simulations upload samples while they run, training loops download
them, and the training set grows every epoch (SmartSim's ``smartsim.ml.data``).

Two protocols, both read by :class:`DataDownloader` and the torch and Keras generators:

* **lists** (SmartSim 0.8): :class:`TrainingDataUploader` puts each batch as a dataset
  ``training_samples_[<rank>_]<index>`` and appends it to an aggregation list; a
  :class:`DataInfo` dataset ``<list>_info`` names its tensors.
* **keys** (the online-training seed): the simulation puts plain tensors
  ``<sample_prefix>[_<rank>]_<iteration>`` and ``<target_prefix>[_<rank>]_<iteration>``.

Uploaders are found through key prefixing: each ``HPCSIM_KEYIN``/``SSKEYIN`` entry is a source.
"""

from hpcsim.ml.data.downloader import DataDownloader
from hpcsim.ml.data.info import DataInfo, form_name
from hpcsim.ml.data.uploader import TrainingDataUploader, TrainingUploader

__all__ = ["DataDownloader", "DataInfo", "TrainingDataUploader", "TrainingUploader", "form_name"]
