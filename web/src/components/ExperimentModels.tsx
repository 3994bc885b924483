import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { ApiPaths } from '../api/client.ts';
import { formatAgo, formatMetric, formatTime, shortId } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { Link, paths } from '../router.ts';
import { Card, ErrorBox } from './common.tsx';

type ModelPage =
  ApiPaths['/api/v1/experiments/{experiment_id}/logged-models']['get']['responses'][200]['content']['application/json'];
type LoggedModel = ModelPage['models'][number];

/** Models a page asks for at a time: a sweep logs one a run, and the card sits under the runs. */
const pageSize = 25;
/** Metrics shown in a row; the rest are counted, and named in the row's tooltip. */
const shownMetrics = 3;

/**
 * The experiment's logged models (what MLflow 3's `log_model` makes), newest first, under its runs:
 * the one place a model logged by a run is found without knowing which run. Shown only when there
 * are some; a failure to read them does not spoil the runs page, it just says so. A source run
 * among the runs loaded above is named; another by its id.
 */
export function ExperimentModels(props: { experimentId: string; runNames: ReadonlyMap<string, string> }) {
  const [more, setMore] = useState<{
    models: LoggedModel[];
    token: string | undefined;
    loading: boolean;
    error?: unknown;
  }>();
  const first = useLoad(
    async (signal) => {
      setMore(undefined);
      return unwrap(
        await api.GET('/api/v1/experiments/{experiment_id}/logged-models', {
          params: { path: { experiment_id: props.experimentId }, query: { max_results: pageSize } },
          signal,
        }),
      );
    },
    [props.experimentId],
  );
  if (first.error) {
    return (
      <div class="muted section" role="status">
        The logged models of this experiment could not be read: {first.error.message}
      </div>
    );
  }
  const models = [...(first.data?.models ?? []), ...(more?.models ?? [])];
  if (models.length === 0) return null;
  const token = more ? more.token : first.data?.next_page_token;
  // A page that fails to load leaves the models shown and offers the same page again.
  const loadMore = async () => {
    const shown = more?.models ?? [];
    setMore({ models: shown, token, loading: true });
    try {
      const page = unwrap(
        await api.GET('/api/v1/experiments/{experiment_id}/logged-models', {
          params: { path: { experiment_id: props.experimentId }, query: { max_results: pageSize, page_token: token } },
        }),
      );
      setMore({ models: [...shown, ...page.models], token: page.next_page_token, loading: false });
    } catch (error) {
      setMore({ models: shown, token, loading: false, error });
    }
  };
  const count = `${models.length.toLocaleString('en-US')}${token ? '+' : ''}`;
  return (
    <Card id="experiment-models" class="section" title={`Logged models (${count})`}>
      <div class="table-scroll">
        <table class="data" aria-label="Logged models of this experiment">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Status</th>
              <th scope="col">Source run</th>
              <th scope="col">Metrics</th>
              <th scope="col">Logged</th>
            </tr>
          </thead>
          <tbody>
            {models.map((model) => (
              <tr key={model.model_id}>
                <td>
                  <span class="cut-name" title={`${model.name} · ${model.model_id}`}>
                    {model.name}
                  </span>{' '}
                  <span class="muted mono" title={model.model_id}>
                    {shortId(model.model_id.replace(/^m-/, ''))}
                  </span>
                  {model.model_type && <span class="muted"> · {model.model_type}</span>}
                </td>
                <td>{model.status.toLowerCase().replace('_', ' ')}</td>
                <td>
                  <SourceRun runId={model.source_run_id} name={props.runNames.get(model.source_run_id)} />
                </td>
                <td>
                  <ModelMetrics metrics={model.metrics} />
                </td>
                <td title={formatTime(model.created_at)}>{formatAgo(model.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more?.error !== undefined && <ErrorBox error={more.error} />}
      {token && (
        <div class="runs-footer">
          <button type="button" disabled={more?.loading === true} onClick={() => void loadMore()}>
            {more?.loading ? 'Loading…' : 'Show more models'}
          </button>
        </div>
      )}
    </Card>
  );
}

function SourceRun(props: { runId: string; name: string | undefined }) {
  return (
    <Link href={paths.run(props.runId)} title={props.runId}>
      {props.name === undefined || props.name === props.runId ? (
        <span class="mono">{shortId(props.runId)}</span>
      ) : (
        <span class="cut-name">{props.name}</span>
      )}
    </Link>
  );
}

function ModelMetrics(props: { metrics: LoggedModel['metrics'] }) {
  if (props.metrics.length === 0) return <span class="muted">—</span>;
  const label = (metric: LoggedModel['metrics'][number]) =>
    `${metric.key}${metric.dataset_name ? ` (${metric.dataset_name})` : ''} ${formatMetric(metric.value)}`;
  const rest = props.metrics.length - shownMetrics;
  return (
    <span title={props.metrics.map(label).join('\n')}>
      {props.metrics.slice(0, shownMetrics).map((metric, index) => (
        <span key={`${metric.key}\u0000${metric.dataset_name ?? ''}`}>
          {index > 0 && <span class="muted"> · </span>}
          <span class="muted">{metric.key}</span> <span class="mono">{formatMetric(metric.value)}</span>
        </span>
      ))}
      {rest > 0 && <span class="muted"> · +{rest}</span>}
    </span>
  );
}
