"""How test/support/mlflow-bulk-interval-reference.json was made: the answers of MLflow 3.17.2's own
AbstractStore.get_metric_history_bulk_interval (the sampling its server's _get_sampled_steps_from_steps
did before it moved into the store) for fixed histories. Needs the full `mlflow` package, which the
test environment does not install (it has mlflow-skinny): run it by hand in an environment that has it,
`python test/support/mlflow_bulk_interval_reference.py > test/support/mlflow-bulk-interval-reference.json`.
test/unit/mlflow-bulk-interval.test.ts checks Stratus's sampling against the answers."""
import json, random
from mlflow.entities import Metric
from mlflow.store.tracking.abstract_store import AbstractStore

class Mem(AbstractStore):
    def __init__(self, data): self.data = data
    def get_metric_history(self, run_id, metric_key, max_results=None, page_token=None):
        return [Metric(metric_key, v, t, s) for (s, t, v) in self.data[run_id]]
Mem.__abstractmethods__ = frozenset()

def answer(data, run_ids, max_results, start=None, end=None):
    store = Mem(data)
    out = store.get_metric_history_bulk_interval(run_ids, "m", max_results, start, end)
    return [[m.run_id, m.step, m.timestamp, m.value] for m in out]

rng = random.Random(7)
cases = []
def case(label, data, run_ids, max_results, start=None, end=None):
    cases.append({"label": label, "runs": {r: data[r] for r in run_ids}, "run_ids": run_ids, "max_results": max_results,
                  "start": start, "end": end, "expected": answer(data, run_ids, max_results, start, end)})

ten = {"a": [(i, 1, 10.0) for i in range(10)]}
case("MLflow's REST test: 10 steps, max 5", ten, ["a"], 5)
case("MLflow's REST test: range 0..4, max 5", ten, ["a"], 5, 0, 4)
two = {"a": [(i, i, float(i)) for i in range(0, 100, 3)], "b": [(i, i, float(-i)) for i in range(5, 60, 7)] + [(250, 9, 1.5)]}
case("two runs, different steps", two, ["a", "b"], 7)
case("two runs, range 10..50", two, ["a", "b"], 4, 10, 50)
case("two runs, max 1", two, ["a", "b"], 1)
dup = {"a": [(0, t, float(t)) for t in range(40)] + [(1, 100, 2.0), (2, 101, 3.0)], "b": [(-5, 1, 1.0), (3, 2, 2.0)]}
case("many values at one step, a negative step", dup, ["a", "b"], 6)
case("many values at one step, range -10..3", dup, ["a", "b"], 6, -10, 3)
rnd = {r: sorted((rng.randrange(0, 500), rng.randrange(0, 1000), round(rng.random(), 3)) for _ in range(rng.randrange(20, 60))) for r in "abc"}
for r in rnd:  # one point per (step, timestamp) order as Stratus keeps history: step, then timestamp
    rnd[r].sort(key=lambda p: (p[0], p[1]))
case("three random runs, max 13", rnd, ["a", "b", "c"], 13)
case("three random runs, range 100..300, max 9", rnd, ["a", "b", "c"], 9, 100, 300)
case("three random runs, max 2500 (all)", rnd, ["a", "b", "c"], 2500)
print(json.dumps(cases))
