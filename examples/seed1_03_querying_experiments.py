"""The first seed's "Querying Experiments" blocks, in order: Get a Specific Run,
Search Runs and Compare Runs.

The seed's placeholder ids ("abc-123-def", "run1", "run2", "run3") are replaced
by real ones: those of three runs the setup below logs in "risk_prediction",
so there is something to query even on a fresh stack. On a busy stack the
searches also find everybody else's runs in "risk_prediction", as they should.
"""

from stratus import ExperimentTracker

tracker = ExperimentTracker()  # STRATUS_ENDPOINT, STRATUS_TOKEN

# ---- setup (not part of the seed): three runs to query ----
created = []
for model_type, accuracy, f1_score, auc in [
    ("random_forest", 0.84, 0.81, 0.88),
    ("xgboost", 0.92, 0.90, 0.95),
    ("xgboost", 0.88, 0.86, 0.91),
]:
    with tracker.run("risk_prediction", run_name=f"{model_type}_{accuracy}") as new_run:
        new_run.log_params({"model_type": model_type, "max_depth": 8})
        new_run.log_metrics({"accuracy": accuracy, "f1_score": f1_score, "auc": auc})
    created.append(new_run.run_id)
run1, run2, run3 = created

# ---- Get a Specific Run ----

# Retrieve run by ID
run = tracker.get_run(run_id=run2)

print(f"Run Name: {run.run_name}")
print(f"Parameters: {run.params}")
print(f"Metrics: {run.metrics}")
print(f"Artifacts: {run.artifacts}")

# ---- Search Runs ----

# Search all runs in an experiment
runs = tracker.search_runs(experiment_name="risk_prediction")

# Filter by metrics
runs = tracker.search_runs(
    experiment_name="risk_prediction",
    filter_string="metrics.accuracy > 0.9"
)

# Order by metric
runs = tracker.search_runs(
    experiment_name="risk_prediction",
    order_by=["metrics.accuracy DESC"]
)

# Complex filtering
runs = tracker.search_runs(
    experiment_name="risk_prediction",
    filter_string="params.model_type = 'xgboost' AND metrics.accuracy > 0.85",
    order_by=["metrics.f1_score DESC", "start_time DESC"]
)

# ---- Compare Runs ----

# Compare multiple runs
comparison = tracker.compare_runs(
    run_ids=[run1, run2, run3],
    metric_names=["accuracy", "f1_score", "auc"]
)

print(comparison)
# Output: DataFrame with runs as rows and metrics as columns
