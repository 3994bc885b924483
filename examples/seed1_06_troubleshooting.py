"""The first seed's "Troubleshooting" blocks, in order.

"correct-uuid-here" is replaced by the id of a run the setup starts; the
storage block's FileSystemStorage is Stratus's (it receives a copy of each
artifact under base_path, and creates the folders it needs).
"""

from stratus import ExperimentTracker
from stratus.storage import FileSystemStorage

tracker = ExperimentTracker()  # STRATUS_ENDPOINT, STRATUS_TOKEN

# ---- setup (not part of the seed): a run whose id the first block looks up ----
started = tracker.start_run(experiment_name="risk_prediction", run_name="troubleshooting")
correct_run_id = started.run_id

# ---- Issue: Run not found ----

# Ensure you're using the correct run_id
run = tracker.get_run(run_id=correct_run_id)

# ---- Issue: Artifact storage fails ----

# Check storage backend configuration
storage = FileSystemStorage(base_path="experiments/artifacts")
# Ensure directory exists and has write permissions

# ---- Issue: Metrics not appearing ----

# Ensure you're logging metrics before ending the run
tracker.log_metrics({"accuracy": 0.9})
tracker.end_run()  # Metrics are committed here
