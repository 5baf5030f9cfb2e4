"""Driver for the producer/consumer key-prefixing example of the seed document (model.rst).

Two producers write a tensor of the same name; key prefixing keeps them apart, and the consumer,
registered to read from both, picks each with ``set_data_source``. Run it with
``python examples/key_prefixing/experiment.py [LAUNCHER]`` (default: local).
"""

import sys
from pathlib import Path

from hpcsim import Experiment
from hpcsim.log import get_logger

HERE = Path(__file__).resolve().parent
logger = get_logger("Experiment Log")
exp = Experiment("key-prefixing", launcher=sys.argv[1] if len(sys.argv) > 1 else "local")

single_shard_db = exp.create_database(port=6780, db_nodes=1)  # the seed uses 6379, often taken by a system Redis
exp.generate(single_shard_db, overwrite=True)
exp.start(single_shard_db)

producer_settings_1 = exp.create_run_settings(exe=sys.executable, exe_args=str(HERE / "producer_1.py"))
producer_1 = exp.create_model("producer_1", producer_settings_1)
producer_1.enable_key_prefixing()

producer_settings_2 = exp.create_run_settings(exe=sys.executable, exe_args=str(HERE / "producer_2.py"))
producer_2 = exp.create_model("producer_2", producer_settings_2)
producer_2.enable_key_prefixing()

consumer_settings = exp.create_run_settings(exe=sys.executable, exe_args=str(HERE / "consumer.py"))
consumer = exp.create_model("consumer", consumer_settings)
consumer.disable_key_prefixing()
# SmartRedis only lets set_data_source pick a registered incoming entity (SSKEYIN)
consumer.register_incoming_entity(producer_1)
consumer.register_incoming_entity(producer_2)

try:
    exp.start(producer_1, producer_2, block=True)
    exp.start(consumer, block=True, summary=True)
finally:
    exp.stop(single_shard_db)
logger.info(exp.summary())
failed = [m.name for m in (producer_1, producer_2, consumer) if exp.get_status(m)[0].name != "COMPLETED"]
if failed:
    sys.exit(f"failed: {', '.join(failed)} (see their .err files)")
print((Path(consumer.path) / "consumer.out").read_text(), end="")
