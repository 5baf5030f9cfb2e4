from hpcsim import Experiment
from hpcsim.log import get_logger

logger = get_logger("Experiment Log")
# Initialize the Experiment
exp = Experiment("getting-started", launcher="auto")

# Initialize a single sharded database
single_shard_db = exp.create_database(port=6379, db_nodes=1, interface="ib0")
exp.generate(single_shard_db, overwrite=True)
exp.start(single_shard_db)

exe_ex = "python"

# Initialize a RunSettings object
producer_settings_1 = exp.create_run_settings(exe=exe_ex, exe_args="producer_1.py")
producer_settings_1.set_nodes(1)
producer_settings_1.set_tasks_per_node(1)
producer_1 = exp.create_model("producer_1", producer_settings_1)

producer_1.enable_key_prefixing()

# Initialize a RunSettings object
producer_settings_2 = exp.create_run_settings(exe=exe_ex, exe_args="producer_2.py")
producer_settings_2.set_nodes(1)
producer_settings_2.set_tasks_per_node(1)
producer_2 = exp.create_model("producer_2", producer_settings_2)
producer_2.enable_key_prefixing()

# Initialize a RunSettings object
consumer_settings = exp.create_run_settings(exe=exe_ex, exe_args="consumer.py")
consumer_settings.set_nodes(1)
consumer_settings.set_tasks_per_node(1)
consumer = exp.create_model("consumer", consumer_settings)

consumer.disable_key_prefixing()

exp.start(producer_1, producer_2, consumer, block=True, summary=True)

exp.stop(single_shard_db)
