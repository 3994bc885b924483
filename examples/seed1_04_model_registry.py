"""The first seed's "Integration with Model Registry" block.

Only the import and constructor lines differ from the seed; even
`ModelRegistry(db_connection=db)` is the seed's own line, with `db` Stratus's
`get_db_connection()` (the service's endpoint and token, from STRATUS_ENDPOINT
and STRATUS_TOKEN). The stand-in below takes
the place of your training code; the lines after the seed show what the
registry then holds.

    STRATUS_ENDPOINT=http://127.0.0.1:8000 STRATUS_TOKEN=$(cat .stratus/token) python examples/seed1_04_model_registry.py
"""

import pickle

# ---- a stand-in for your training code (not part of the seed) ----


class ThresholdModel:
    """A model small enough to pickle here: predicts 1 above a threshold."""

    def __init__(self, threshold):
        self.threshold = threshold

    def predict(self, values):
        return [int(value > self.threshold) for value in values]


def train_model():
    model = ThresholdModel(0.5)
    with open("model.pkl", "wb") as handle:
        pickle.dump(model, handle)
    return model


# ---- the seed's registry snippet, with only the import and constructor lines changed ----

from stratus import ExperimentTracker, ModelRegistry
from stratus.storage import get_db_connection

db = get_db_connection()  # the service's endpoint and token: STRATUS_ENDPOINT, STRATUS_TOKEN
tracker = ExperimentTracker(db_connection=db)

# Train and track experiment
run = tracker.start_run(experiment_name="production_model")
tracker.log_params({"n_estimators": 150})
model = train_model()
tracker.log_metrics({"accuracy": 0.93})
tracker.log_artifact("model.pkl", artifact_type="model")
tracker.end_run()

# Register model with experiment link
registry = ModelRegistry(db_connection=db)
registry.register_model(
    model_name="risk_predictor_v2",
    model_path="model.pkl",
    metadata={
        "experiment_id": run.experiment_id,
        "run_id": run.run_id,
        "accuracy": 0.93
    }
)

# ---- what the registry holds now (not part of the seed) ----

version = registry.get_model_version("risk_predictor_v2", "latest")
registry.set_alias("risk_predictor_v2", "champion", version.version)
champion = registry.load("risk_predictor_v2", "champion")  # downloaded, SHA-256 checked, unpickled

print(f"Registered: {version.name} version {version.version} from run {version.run_id}")
print(f"Metadata: accuracy={version.metadata['accuracy']} experiment_id={version.metadata['experiment_id']}")
for file in version.files:
    print(f"File: {file.path} {file.size_bytes} bytes sha256={file.sha256}")
print(f"Champion predicts: {champion.predict([0.2, 0.7])}")
