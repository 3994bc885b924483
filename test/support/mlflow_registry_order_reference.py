"""How test/support/mlflow-registry-order-reference.json was made: MLflow 3.17.2's own model registry
(mlflow/store/model_registry/sqlalchemy_store.py, the store behind `mlflow server`, on SQLite) answering
search_registered_models and search_model_versions for models and versions whose times are set by hand,
so that several share a millisecond: the order of each answer, page by page (2 a page), and the message of
each order it refuses. Run it by hand in an environment that has MLflow's server (.venv-peers/mlflow, see
scripts/setup-peers.sh):
`.venv-peers/mlflow/bin/python test/support/mlflow_registry_order_reference.py > test/support/mlflow-registry-order-reference.json`
and `npx prettier --write` it.
test/integration/mlflow-registry-order.test.ts writes the same items with the same times into Stratus and
checks that its MLflow routes answer the same orders and pages."""
import json, os, sys, tempfile
from unittest import mock

from mlflow.exceptions import MlflowException
from mlflow.store.model_registry import sqlalchemy_store
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore

# (model, time of its creation): ties at 2000 and at 1000.
MODELS = [("m-c", 1000), ("m-a", 2000), ("m-b", 2000), ("m-e", 2000), ("m-d", 3000), ("m-f", 1000)]
# Steps on versions: ("create", model, at) or ("describe", model, version, at).
VERSION_STEPS = [
    ("model", "v-a", 500), ("model", "v-b", 500), ("model", "v-c", 500),
    ("create", "v-a", 1000), ("create", "v-b", 2000), ("create", "v-a", 2000), ("create", "v-c", 1500),
    ("create", "v-b", 2000), ("create", "v-c", 3000), ("describe", "v-a", 1, 2000), ("describe", "v-c", 2, 1500),
]
MODEL_ORDERS = [None, ["name DESC"], ["timestamp DESC"], ["last_updated_timestamp ASC"],
                ["last_updated_timestamp DESC", "name DESC"], ["timestamp ASC", "name DESC"], ["name ASC", "timestamp DESC"]]
MODEL_REFUSED = [["creation_timestamp DESC"], ["tags.x"], ["name ASC", "name DESC"],
                 ["timestamp", "last_updated_timestamp"], ["name sideways"]]
VERSION_ORDERS = [None, ["last_updated_timestamp ASC"], ["last_updated_timestamp DESC", "name DESC"],
                  ["last_updated_timestamp DESC", "version_number ASC"],
                  ["last_updated_timestamp ASC", "version_number ASC", "name DESC"]]
VERSION_FILTERS = [None, "version_number > 1", "name LIKE 'v-%' AND version_number <= 1", "name IN ('v-a', 'v-c')"]
VERSION_REFUSED = [["run_id ASC"], ["version_number ASC", "version_number DESC"]]


def at(ms):
    return mock.patch.object(sqlalchemy_store, "get_current_time_millis", return_value=ms)


def pages(search):
    answer, token = [], None
    while True:
        page = search(token)
        answer.append(page)
        token = page.token
        if not token:
            return answer


def main():
    directory = tempfile.mkdtemp()
    store = SqlAlchemyStore(f"sqlite:///{os.path.join(directory, 'registry.db')}")
    for name, ms in MODELS:
        with at(ms):
            store.create_registered_model(name)
    models = []
    for order in MODEL_ORDERS:
        found = pages(lambda token: store.search_registered_models("name LIKE 'm-%'", 2, order, token))
        models.append({"order_by": order, "pages": [[m.name for m in page] for page in found]})
    refused = []
    for order in MODEL_REFUSED:
        try:
            store.search_registered_models(None, 2, order, None)
            refused.append({"order_by": order, "message": None})
        except MlflowException as error:
            refused.append({"order_by": order, "message": error.message})
    for step in VERSION_STEPS:
        if step[0] == "model":
            with at(step[2]):
                store.create_registered_model(step[1])
        elif step[0] == "create":
            with at(step[2]):
                store.create_model_version(step[1], f"s3://bucket/{step[1]}")
        else:
            with at(step[3]):
                store.update_model_version(step[1], step[2], "described")
    versions = []
    for filter_string in VERSION_FILTERS:
        for order in VERSION_ORDERS:
            found = pages(lambda token: store.search_model_versions(filter_string, 2, order, token))
            versions.append({"filter": filter_string, "order_by": order,
                             "pages": [[[v.name, int(v.version), v.last_updated_timestamp] for v in page] for page in found]})
    version_refused = []
    for order in VERSION_REFUSED:
        try:
            store.search_model_versions(None, 2, order, None)
            version_refused.append({"order_by": order, "message": None})
        except MlflowException as error:
            version_refused.append({"order_by": order, "message": error.message})
    json.dump({"mlflow": __import__("mlflow").__version__, "models": MODELS, "version_steps": VERSION_STEPS,
               "model_searches": models, "model_refusals": refused, "version_searches": versions,
               "version_refusals": version_refused}, sys.stdout, indent=1)
    print()


main()
