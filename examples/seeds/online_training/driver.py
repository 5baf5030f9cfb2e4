from hpcsim import Experiment
from hpcsim.database import Orchestrator

db = Orchestrator(port=6780)
exp = Experiment("online-training", launcher="local")

# producer
producer_script = "producer.py"
settings = exp.create_run_settings("python", exe_args=producer_script)
uploader_model = exp.create_model("producer", settings, enable_key_prefixing=True)
uploader_model.attach_generator_files(to_copy=producer_script)

# training_service
training_script = "training_service.py"
settings = exp.create_run_settings("python", exe_args=training_script)
trainer_model = exp.create_model("training_service", settings)
trainer_model.register_incoming_entity(uploader_model)

exp.start(db, uploader_model, block=False, summary=False)
exp.start(trainer_model, block=True, summary=False)
