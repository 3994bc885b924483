"""The second seed's ExperimentTracker: its Quick Start and "Viewing Your Experiments"
blocks (the Python API, then the database queried directly), in order.

In the second seed an "experiment" is one execution of a use case: a Stratus
run. `project_name` is the Stratus experiment. Only the import line changed
(`from healthchain import sandbox` → `from stratus import sandbox`);
BaseUseCase is a stand-in for healthchain's class, and the setup in the middle
creates the experiment the later blocks look at. The seed's Real-World example
needs healthchain, LangChain and a Hugging Face endpoint, so it is not here; its
decorator and class work as this Quick Start shows.
"""


# ---- stand-in (not part of the seed): healthchain's base class ----
class BaseUseCase:
    pass


# ---- Quick Start ----

from stratus import sandbox

@sandbox(
    experiment_config={
        "storage_uri": "sqlite:///experiments.db",  # Where to store experiment data
        "project_name": "my_project",  # Name for grouping experiments
        "tags" : {"environment": "production"}  # Optional tags
    }
)
class MyExperiment(BaseUseCase):
    def __init__(self):
        # ExperimentTracker is automatically initialized
        # You can access it via self.experiment_tracker
        pass

# ---- setup (not part of the seed): one experiment, ended, so it has a duration ----
my_experiment = MyExperiment()
tracker = my_experiment.experiment_tracker
experiment_id = tracker.experiment_id
tracker.end()  # COMPLETED; storage_uri copies it into experiments.db

# ---- Using Python API ----

# Get details for a specific experiment
experiment = tracker.get_experiment(experiment_id)
print(f"Status: {experiment.status}")
print(f"Duration: {experiment.end_time - experiment.start_time}")

# List all experiments
experiments = tracker.list_experiments()

# Filter experiments by tags
prod_experiments = tracker.list_experiments(
    filters={"tags": {"environment": "production"}}
)

# ---- Querying the Database Directly ----

import sqlite3

# Connect to the database
conn = sqlite3.connect('experiments.db')
cursor = conn.cursor()

# View recent experiments
cursor.execute("""
    SELECT id, name, start_time, status, tags
    FROM experiments
    ORDER BY start_time DESC
    LIMIT 5;
""")
recent_experiments = cursor.fetchall()

# View experiments with a specific tag
cursor.execute("""
    SELECT id, name, start_time, status
    FROM experiments
    WHERE json_extract(tags, '$.environment') = 'production';
""")
prod_experiments = cursor.fetchall()

# Get component details for an experiment
cursor.execute("""
    SELECT name, type, stage
    FROM pipeline_components
    WHERE experiment_id = ?;
""", (experiment_id,))
components = cursor.fetchall()

conn.close()
