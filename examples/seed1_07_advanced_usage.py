"""The first seed's "Advanced Usage" blocks, in order: a custom storage backend and
automatic git tracking.

`StorageBackend` is Stratus's: artifacts always go to the service, and a
backend receives a copy of each (see stratus.storage). The stand-ins for
`upload_to_s3` / `download_from_s3` keep the copies in a local folder.
"""

from pathlib import Path

from stratus import ExperimentTracker
from stratus.storage import get_db_connection

db = get_db_connection()

# ---- stand-ins (not part of the seed): an "S3" in a local folder ----
FAKE_S3 = Path("fake-s3")


def upload_to_s3(artifact: bytes, path: str) -> str:
    target = FAKE_S3 / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(artifact)
    return f"s3://my-experiments/{path}"


def download_from_s3(uri: str) -> bytes:
    return (FAKE_S3 / uri[len("s3://my-experiments/"):]).read_bytes()


# ---- Custom Storage Backend ----

from stratus.storage import StorageBackend

class S3Storage(StorageBackend):
    def save_artifact(self, artifact: bytes, path: str) -> str:
        # Upload to S3
        s3_uri = upload_to_s3(artifact, path)
        return s3_uri
    
    def load_artifact(self, uri: str) -> bytes:
        # Download from S3
        return download_from_s3(uri)

# Use custom storage
tracker = ExperimentTracker(
    storage_backend=S3Storage(bucket="my-experiments"),
    db_connection=db
)

# ---- Automatic Git Tracking ----

run = tracker.start_run(experiment_name="risk_model")
# run.git_commit contains the current git commit hash
# run.code_version contains version information

# ---- not part of the seed: the custom backend at work ----
Path("model.pkl").write_bytes(b"weights")
artifact = tracker.log_artifact("model.pkl", artifact_type="model")
print(f"copy: {artifact.copy_uri}")
print(f"git_commit: {run.git_commit}")
print(f"code_version: {run.code_version}")
tracker.end_run()
