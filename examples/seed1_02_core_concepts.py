"""The first seed's "Core Concepts" blocks, in order: Experiments, Runs, Parameters,
Metrics and Artifacts, sharing one tracker as the seed's blocks do.

Runs started and not ended stack up: the last one started is the active run
(the one `log_params` and friends log to), and every run still open ends
FINISHED when the script exits.
"""

from pathlib import Path

from stratus import ExperimentTracker

tracker = ExperimentTracker()  # STRATUS_ENDPOINT, STRATUS_TOKEN

# ---- stand-ins (not part of the seed): the files the Artifacts block logs ----
for name in ["models/model.pkl", "plots/roc_curve.png", "plots/feature_importance.png",
             "data/predictions.csv", "reports/model_card.html"]:
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    Path(name).write_bytes(f"stand-in for {name}\n".encode())

# ---- Experiments ----

# Experiments are created automatically when you start a run
# All runs with the same experiment_name are grouped together
run1 = tracker.start_run(experiment_name="risk_prediction")
run2 = tracker.start_run(experiment_name="risk_prediction")

# ---- Runs ----

# Start a run with metadata
run = tracker.start_run(
    experiment_name="risk_prediction",
    run_name="xgboost_tuned",
    tags={
        "model": "xgboost",
        "feature_set": "v2",
        "author": "data_scientist_1"
    }
)

print(f"Run ID: {run.run_id}")
print(f"Status: {run.status}")

# ---- Parameters ----

# Log individual parameters
tracker.log_params({
    "model_type": "xgboost",
    "n_estimators": 200,
    "max_depth": 8,
    "learning_rate": 0.05,
    "subsample": 0.8,
    "colsample_bytree": 0.8
})

# Parameters are immutable once logged

# ---- Metrics ----

# Log metrics at specific steps
tracker.log_metrics({"train_accuracy": 0.85}, step=0)
tracker.log_metrics({"train_accuracy": 0.89}, step=1)
tracker.log_metrics({"train_accuracy": 0.92}, step=2)

# Log multiple metrics at once
tracker.log_metrics({
    "train_accuracy": 0.92,
    "val_accuracy": 0.88,
    "train_loss": 0.15,
    "val_loss": 0.22
}, step=3)

# Log final metrics without step
tracker.log_metrics({
    "final_accuracy": 0.91,
    "final_f1": 0.89,
    "final_auc": 0.94
})

# ---- Artifacts ----

# Log model files
tracker.log_artifact("models/model.pkl", artifact_type="model")

# Log visualizations
tracker.log_artifact("plots/roc_curve.png", artifact_type="plot")
tracker.log_artifact("plots/feature_importance.png", artifact_type="plot")

# Log data files
tracker.log_artifact("data/predictions.csv", artifact_type="data")

# Log reports
tracker.log_artifact("reports/model_card.html", artifact_type="report")
