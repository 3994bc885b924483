"""How test/support/mlflow-key-names-reference.json was made: MLflow 3.17.2's own verdict (None, or the reason of its refusal)
(mlflow/utils/validation.py, `_validate_tag_name` on a non-Windows server) on tag, param and metric
keys, and Python's `posixpath.normpath` of each: hand-picked path-like keys, then seeded random keys
over an alphabet of path characters, allowed and refused characters. Needs the `mlflow` package: run
it by hand in an environment that has it,
`python test/support/mlflow_key_names_reference.py > test/support/mlflow-key-names-reference.json`.
test/unit/mlflow-entity-keys.test.ts checks Stratus's key rules against the answers."""
import json, posixpath, random
from mlflow.exceptions import MlflowException
from mlflow.utils.validation import _validate_tag_name

picked = ["a/../b", "/a", "a/", "a//b", "./a", ".", "..", "../a", "..a", "a..", "a/..", "a/.", "a/./b",
          "//a", "///a", "a:b", "a b", " a", "a@b", "a\\b", "a%2e", "é损", "e\u0301", "١٢", "x²", "Ⅻ", "_",
          "-", "a.b.c", "a/b/c", "train/loss", "mlflow.runName", "a#b", "a=b", "a,b", "a(b)", "a[0]",
          "🙂", "a\u00a0b", "a\u200bb", "ｃ"]
alphabet = ["a", "b", "/", "/", ".", ".", " ", ":", "_", "-", "é", "损", "@", "\u0301", "9"]
rng = random.Random(13)
generated = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(400)]

cases = []
for key in dict.fromkeys(picked + generated):
    try:
        _validate_tag_name(key)
        message = None
    except MlflowException as error:
        # The reason only: MLflow quotes the key with json.dumps (non-ASCII escaped), Stratus as sent.
        message = error.message.split(" supplied: ", 1)[1]
    cases.append({"key": key, "normpath": posixpath.normpath(key), "mlflow": message})
print("[\n" + ",\n".join(json.dumps(case, ensure_ascii=False) for case in cases) + "\n]")
