"""How test/support/mlflow-history-order-reference.json was made: the answers of MLflow 3.17.2's own SQL
store (SqlAlchemyStore on SQLite, what `mlflow server` runs on) for fixed histories: the order of
get_metric_history (GET metrics/get-history), as indexes into the points logged. The script also
checks what the test relies on: that MLflow's pages (max_results and page tokens) are slices of that
order, and that get_metric_history_bulk with its server's cut (GET /ajax-api/.../get-history-bulk)
answers the runs in id order, each in that order, `max_results` points in all.
Needs the full `mlflow` package, which the test environment does not install (it has mlflow-skinny): run
it by hand in an environment that has it,
`python test/support/mlflow_history_order_reference.py > test/support/mlflow-history-order-reference.json`.
test/integration/mlflow-history-order.test.ts logs the same histories into Stratus and checks its answers.

Each case's runs are created first and named a, b, c... in the order of their ids, so that the bulk
answer (runs in id order) reads the same wherever the runs get their ids."""
import json, math, random, sys, tempfile
from mlflow.entities import Metric
from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

BATCH = 400  # points per log-batch, as the test logs them (each batch is a chunk of its own in Stratus)


def distinct(points):
    """MLflow's metrics table keeps one row per (timestamp, step, value): the cases hold no repeats."""
    seen, out = set(), []
    for p in points:
        k = (p[1], p[0], repr(p[2]))
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


def wire(value):
    return "NaN" if math.isnan(value) else "Infinity" if value == math.inf else "-Infinity" if value == -math.inf else value


def logged(metric):
    """The point as logged: MLflow's store answers an infinity as the largest double of its sign."""
    value = metric.value
    if abs(value) == sys.float_info.max:
        value = math.copysign(math.inf, value)
    return (metric.step, metric.timestamp, repr(value))


def run_case(store, experiment_id, label, runs, page_sizes, bulk_max_results):
    created = sorted(store.create_run(experiment_id, "u", 0, [], None).info.run_id for _ in runs)
    names = sorted(runs)
    ids = dict(zip(names, created))
    for name in names:
        points = runs[name]
        for start in range(0, len(points), BATCH):
            batch = [Metric("m", v, t, s) for (s, t, v) in points[start : start + BATCH]]
            store.log_batch(ids[name], metrics=batch, params=[], tags=[])
    order = {}
    for name in names:
        index = {(s, t, repr(v)): i for i, (s, t, v) in enumerate(runs[name])}
        history = [logged(m) for m in store.get_metric_history(ids[name], "m")]
        order[name] = [index[p] for p in history]
        assert sorted(order[name]) == list(range(len(runs[name])))
        # Pages are slices of the whole history, in the same order.
        for size in page_sizes:
            token, paged = None, []
            while True:
                page = store.get_metric_history(ids[name], "m", max_results=size, page_token=token)
                assert 0 < len(page) <= size
                paged.extend(logged(m) for m in page)
                token = page.token
                if not token:
                    break
            assert paged == history, (label, size)
    # The bulk route: the runs in id order, each in history order, cut at max_results in all.
    whole = [(ids[name], logged(m)) for name in names for m in store.get_metric_history(ids[name], "m")]
    for max_results in bulk_max_results:
        answer = store.get_metric_history_bulk(list(ids.values()), "m", max_results)[:max_results]
        assert [(m.run_id, logged(m)) for m in answer] == whole[:max_results], (label, max_results)
    return {
        "label": label,
        "runs": {name: [[s, t, wire(v)] for (s, t, v) in runs[name]] for name in names},
        "order": order,
        "page_sizes": list(page_sizes),
        "bulk_max_results": list(bulk_max_results),
    }


rng = random.Random(17)
cases = []
with tempfile.TemporaryDirectory() as tmp:
    store = SqlAlchemyStore(f"sqlite:///{tmp}/mlflow.db", f"{tmp}/artifacts")
    experiment_id = store.create_experiment("history-order")

    def case(label, runs, page_sizes=(1, 2, 3), bulk_max_results=(1, 4, 25000)):
        cases.append(run_case(store, experiment_id, label, runs, page_sizes, bulk_max_results))

    case(
        "a late step logged first, times going back",
        {"a": [(0, 1000, 1.5), (1, 1001, 1.0), (2, 1002, 2.0), (3, 1003, 3.0), (10, 999, 99.0)]},
    )
    case(
        "one time, one step, several values: by value, NaN as 0, infinities at the ends",
        {"a": [(5, 7, v) for v in (0.5, -1.0, math.nan, math.inf, -math.inf, 3.0)] + [(4, 7, 2.0), (6, 6, 1.0)]},
    )
    case(
        "one time, steps in any order, a negative step",
        {"a": [(3, 50, 1.0), (-2, 50, 2.0), (7, 50, 3.0), (0, 49, 4.0), (1, 51, 5.0)]},
    )
    jumbled = distinct([(rng.randrange(-50, 400), rng.randrange(0, 300), round(rng.random(), 3)) for _ in range(1200)])
    case(
        "1,200 points in three batches, steps and times unrelated",
        {"a": jumbled},
        page_sizes=(500, 377),
        bulk_max_results=(500, 1200, 25000),
    )
    resumed = [(s, 10_000 + s, float(s)) for s in range(150)] + [(s, 20_000 + s, float(-s)) for s in range(75, 225)]
    case("a resumed run: steps 75..149 logged again later, in one batch", {"a": resumed}, page_sizes=(50, 149))
    earlier = [(s, 5000 + s, float(s)) for s in range(BATCH)] + [(s, 1000 + s, float(s)) for s in range(BATCH, BATCH + 100)]
    case("two batches each in time order, the second logged with earlier times", {"a": earlier}, page_sizes=(50, 150, 400))
    again = [(s, 1000 + s, float(s)) for s in range(BATCH)] + [(s, 3000 + s, -float(s)) for s in range(300, 400)]
    case("a second batch logging steps of the first again, later", {"a": again}, page_sizes=(150, 400))
    three = {
        name: distinct([(rng.randrange(0, 40), rng.randrange(0, 40), float(rng.randrange(0, 5))) for _ in range(n)])
        for name, n in (("a", 30), ("b", 1), ("c", 25))
    }
    case("three runs: the bulk route in run id order, cut mid-run", three, page_sizes=(7,), bulk_max_results=(1, 20, 31, 56, 25000))

print(json.dumps(cases))
