"""The first seed's "Best Practices" blocks, in order (1 to 5).

The stand-ins above them take the place of your training code. Runs the blocks
start and do not end (1 to 3) stay open, stacked, and end FINISHED when the
script exits; block 4 and 5 end theirs.
"""

import random
from pathlib import Path

from stratus import ExperimentTracker

tracker = ExperimentTracker()  # STRATUS_ENDPOINT, STRATUS_TOKEN

# ---- stand-ins for your training code (not part of the seed) ----
num_epochs = 11
params = {"lr": 0.01, "max_depth": 6}
accuracy = 0.9


def train_epoch():
    return {"train_loss": random.uniform(0.1, 0.5), "train_accuracy": random.uniform(0.7, 0.9)}


def validate():
    return {"val_loss": random.uniform(0.2, 0.6), "val_accuracy": random.uniform(0.6, 0.9)}


def train_model():
    Path("model.pkl").write_bytes(b"a trained model")
    return object()


# ---- 1. Use Descriptive Names ----

# Good
run = tracker.start_run(
    experiment_name="suicide_risk_lstm_baseline",
    run_name="lstm_128_units_dropout_0.3"
)

# Avoid
run = tracker.start_run(
    experiment_name="exp1",
    run_name="run1"
)

# ---- 2. Tag Your Runs ----

tracker.start_run(
    experiment_name="risk_prediction",
    tags={
        "model_family": "tree_based",
        "feature_version": "v2.1",
        "data_split": "temporal",
        "purpose": "hyperparameter_tuning"
    }
)

# ---- 3. Log Incrementally ----

# Log metrics as they become available
for epoch in range(num_epochs):
    train_metrics = train_epoch()
    tracker.log_metrics(train_metrics, step=epoch)
    
    if epoch % 5 == 0:
        val_metrics = validate()
        tracker.log_metrics(val_metrics, step=epoch)

# ---- 4. Handle Failures Gracefully ----

try:
    run = tracker.start_run(experiment_name="risk_model")
    tracker.log_params(params)
    
    model = train_model()
    tracker.log_metrics({"accuracy": accuracy})
    tracker.log_artifact("model.pkl")
    
    tracker.end_run(status="FINISHED")
except Exception as e:
    tracker.end_run(status="FAILED")
    raise

# ---- 5. Use Context Managers ----

from contextlib import contextmanager

@contextmanager
def tracked_run(tracker, experiment_name, **kwargs):
    run = tracker.start_run(experiment_name, **kwargs)
    try:
        yield tracker
        tracker.end_run(status="FINISHED")
    except Exception as e:
        tracker.end_run(status="FAILED")
        raise

# Usage
with tracked_run(tracker, "risk_model", run_name="test") as t:
    t.log_params({"lr": 0.01})
    model = train_model()
    t.log_metrics({"accuracy": 0.9})
