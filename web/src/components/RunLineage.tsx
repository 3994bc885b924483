import { api, unwrap } from '../api/client.ts';
import type { ApiPaths } from '../api/client.ts';
import { formatTime, shortId } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { Card } from './common.tsx';

type Lineage = ApiPaths['/api/v1/runs/{run_id}/lineage']['get']['responses'][200]['content']['application/json'];
type LineageModel = Lineage['models'][number];

/**
 * While a run is live its lineage is read again this often: slower than the run's own 4 s, as each
 * read is a query and up to 100 model reads, and datasets and models come a few times a run.
 */
const livePollMs = 30_000;

/**
 * The datasets a run used and the logged models it used and produced
 * (`/runs/{id}/lineage`: what MLflow's `log_input` and `log_model` record), as
 * MLflow's run page shows them. Shown only when there are some; a failure to
 * read them does not spoil the run page, it just says so. Read again when the
 * run's status changes (a model is most often logged as training ends) and,
 * while it is live, every 30 seconds.
 */
export function RunLineage(props: { runId: string; status: string; live: boolean }) {
  const lineage = useLoad(
    async (signal) =>
      unwrap(await api.GET('/api/v1/runs/{run_id}/lineage', { params: { path: { run_id: props.runId } }, signal })),
    [props.runId, props.status],
  );
  usePolling(lineage.reload, livePollMs, props.live);
  if (lineage.error) {
    return (
      <div class="muted section" role="status">
        The datasets and logged models of this run could not be read: {lineage.error.message}
      </div>
    );
  }
  const datasets = lineage.data?.datasets ?? [];
  const models = lineage.data?.models ?? [];
  if (datasets.length === 0 && models.length === 0) return null;
  return (
    <div class="grid-2 section lineage">
      {datasets.length > 0 && (
        <Card id="datasets" title={`Datasets (${datasets.length.toLocaleString('en-US')})`}>
          <div class="table-scroll">
            <table class="data" aria-label="Datasets this run used">
              <thead>
                <tr>
                  <th scope="col">Dataset</th>
                  <th scope="col">Used for</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {datasets.map((dataset) => (
                  <tr key={`${dataset.name}\u0000${dataset.digest}`}>
                    <td>
                      <span class="cut-name" title={dataset.name}>
                        {dataset.name}
                      </span>{' '}
                      <span class="muted mono" title={`digest ${dataset.digest}`}>
                        {dataset.digest.slice(0, 8)}
                      </span>
                    </td>
                    <td>{dataset.context ?? <span class="muted">—</span>}</td>
                    <td class="mono source" title={dataset.source}>
                      {dataset.source_type}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
      {models.length > 0 && (
        <Card id="logged-models" title={`Logged models (${models.length.toLocaleString('en-US')})`}>
          <div class="table-scroll">
            <table class="data" aria-label="Logged models this run used or produced">
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {models.map((model, index) => (
                  <tr key={model.model_id}>
                    <td>
                      {model.name !== undefined ? (
                        <span class="cut-name" title={`${model.name} · ${model.model_id}`}>
                          {model.name}
                        </span>
                      ) : (
                        // Past the models the answer looked up a model is named by its id alone; before, it was deleted.
                        index < (lineage.data?.models_looked_up ?? 0) && <span class="muted">deleted</span>
                      )}{' '}
                      <span class="muted mono" title={model.model_id}>
                        {shortId(model.model_id.replace(/^m-/, ''))}
                      </span>
                    </td>
                    <td>{roleOf(model)}</td>
                    <td title={model.created_at === undefined ? undefined : `logged ${formatTime(model.created_at)}`}>
                      {model.status === undefined ? '—' : model.status.toLowerCase().replace('_', ' ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </div>
  );
}

const roleOf = (model: LineageModel) => {
  const produced = model.produced_at_step === undefined ? undefined : `produced at step ${model.produced_at_step}`;
  return model.used ? (produced ? `used · ${produced}` : 'used') : (produced ?? '—');
};
