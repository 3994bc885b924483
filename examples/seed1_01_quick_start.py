"""The first seed's "Quick Start", run against Stratus.

Only the import lines differ from the seed: `FileSystemStorage` and
`get_db_connection` are Stratus's (the service's endpoint and token come from
STRATUS_ENDPOINT and STRATUS_TOKEN; the storage receives a copy of each
artifact). The stand-ins above the seed's code take the place of your training code.

    STRATUS_ENDPOINT=http://127.0.0.1:8000 STRATUS_TOKEN=$(cat .stratus/token) python examples/seed1_01_quick_start.py
"""

import random
from pathlib import Path

# ---- stand-ins for your training code (not part of the seed) ----
loss = 1.0


def train_epoch():
    global loss
    loss *= 0.8
    return min(0.99, 0.6 + random.random() * 0.3)


Path("model.pkl").write_bytes(bytes(random.getrandbits(8) for _ in range(4096)))
Path("confusion_matrix.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 256)

# ---- the seed's Quick Start; only the import lines changed ----

from stratus import ExperimentTracker
from stratus.storage import FileSystemStorage
from stratus.storage import get_db_connection

# Initialize the tracker
storage = FileSystemStorage(base_path="experiments/artifacts")
db = get_db_connection()
tracker = ExperimentTracker(storage_backend=storage, db_connection=db)

# Start a new run
run = tracker.start_run(
    experiment_name="mental_health_risk_model",
    run_name="baseline_v1",
    tags={"model_type": "random_forest", "dataset": "v1.2"}
)

# Log hyperparameters
tracker.log_params({
    "n_estimators": 100,
    "max_depth": 10,
    "learning_rate": 0.01
})

# Log metrics during training
for epoch in range(10):
    accuracy = train_epoch()
    tracker.log_metrics({"accuracy": accuracy, "loss": loss}, step=epoch)

# Log artifacts
tracker.log_artifact("model.pkl", artifact_type="model")
tracker.log_artifact("confusion_matrix.png", artifact_type="plot")

# End the run
tracker.end_run(status="FINISHED")

# ---- not part of the seed: what happened ----
print(f"Run ID: {run.run_id}")
print(f"Status: {run.status}")
