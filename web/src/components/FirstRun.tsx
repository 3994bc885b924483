import { apiBase } from '../api/client.ts';
import { Link, paths } from '../router.ts';
import { CopyButton } from './common.tsx';

/**
 * An experiment with no runs yet: the lines that log its first one with
 * MLflow's own client, this experiment's name and this service's address
 * filled in, as MLflow's and W&B's empty projects show a quick start.
 */
export function FirstRunHint(props: { experimentName: string }) {
  const endpoint = apiBase || window.location.origin;
  const shell = [`export MLFLOW_TRACKING_URI=${endpoint}`, 'export MLFLOW_TRACKING_TOKEN=<a write token>'].join('\n');
  // A JSON string is a valid Python string literal: quotes and backslashes in the name stay escaped.
  const python = [
    'import mlflow',
    '',
    `mlflow.set_experiment(${JSON.stringify(props.experimentName)})`,
    'with mlflow.start_run(run_name="baseline"):',
    '    mlflow.log_params({"lr": 0.001, "batch_size": 64})',
    '    for step in range(100):',
    '        mlflow.log_metric("loss", 1 / (step + 1), step=step)',
  ].join('\n');
  return (
    <div class="first-run" data-testid="first-run">
      <p>
        <strong>No runs in this experiment yet.</strong> Log one from a training script with MLflow's client and a write
        token (<Link href={paths.tokens()}>Tokens</Link> makes one):
      </p>
      <CodeToCopy code={shell} label="Shell" what="exports" class="shell" testId="first-run-shell" />
      <CodeToCopy code={python} label="Python" what="Python" testId="first-run-python" />
    </div>
  );
}

/** Lines to paste into a terminal or a script, with a button that copies them. */
function CodeToCopy(props: { code: string; label: string; what: string; class?: string; testId: string }) {
  return (
    <div class="first-run-code">
      <pre class={`mono ${props.class ?? ''}`} tabIndex={0} aria-label={props.label} data-testid={props.testId}>
        {props.code}
      </pre>
      <CopyButton text={props.code} label={`Copy the ${props.what}`} />
    </div>
  );
}
