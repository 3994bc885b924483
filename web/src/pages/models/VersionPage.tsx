import type { ComponentChild } from 'preact';
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client.ts';
import type { ModelVersion, VersionDownload } from '../../api/types.ts';
import { Card, CopyableId, LoadFailure, Spinner, StatusBadge, TagList } from '../../components/common.tsx';
import { formatBytes, formatClock, formatTime } from '../../format.ts';
import { describeError, useLoad } from '../../hooks.ts';
import { Link, paths } from '../../router.ts';
import { AliasChip } from '../../components/AliasChips.tsx';
import { modelPath, runNamesOf, versionPath } from './common.tsx';
import { Description } from '../../components/InlineMarkdown.tsx';
import { promptTextTagKey } from '../../../../shared/domain/prompts.ts';

/** Where each SHA-256 came from (docs/registry.md), as a short label and its explanation. */
const checksumSources = new Map([
  ['s3', ['S3, on upload', 'S3 checked the bytes against it when they were uploaded']],
  ['computed', ['hashed at registration', 'the service read the stored bytes and hashed them at registration']],
  ['declared', ['uploader', 'declared by the uploader (a multipart upload, which S3 cannot check whole)']],
]);

/** How far the links to other versions look past deleted ones. */
const neighbourReach = 5;

/**
 * The nearest versions on each side that still exist (a deleted one is skipped:
 * numbers are never reused, so gaps are normal), looking a few numbers away.
 */
async function nearestVersions(name: string, version: number, latest: number, signal: AbortSignal) {
  const exists = async (n: number) =>
    (await api.GET('/api/v1/models/{model_name}/versions/{version}', { ...versionPath(name, n), signal })).response.ok;
  const nearest = async (step: 1 | -1) => {
    for (let n = version + step, tries = 0; n >= 1 && n <= latest && tries < neighbourReach; n += step, tries++) {
      if (await exists(n)) return n;
    }
    return undefined;
  };
  const [previous, next] = await Promise.all([nearest(-1), nearest(1)]);
  return { previous, next };
}

/** One version: where it came from, its metadata, its files with sizes and SHA-256, and a download. */
export function VersionPage(props: { modelName: string; version: number }) {
  const version = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/v1/models/{model_name}/versions/{version}', versionPath(props.modelName, props.version)),
      ),
    [props.modelName, props.version],
  );
  const model = useLoad(
    async () => unwrap(await api.GET('/api/v1/models/{model_name}', modelPath(props.modelName))),
    [props.modelName],
  );
  const latest = model.data?.latest_version;
  const neighbours = useLoad(
    (signal) =>
      latest === undefined
        ? Promise.resolve(undefined)
        : nearestVersions(props.modelName, props.version, latest, signal),
    [props.modelName, props.version, latest],
  );
  const source = version.data?.source;
  const experimentId = source?.kind === 'prompt' ? undefined : source?.experiment_id;
  const experiment = useLoad(
    async () =>
      experimentId
        ? unwrap(
            await api.GET('/api/v1/experiments/{experiment_id}', {
              params: { path: { experiment_id: experimentId } },
            }),
          )
        : undefined,
    [experimentId],
  );
  const runNames = useLoad(
    (signal) => (version.data ? runNamesOf([version.data], signal) : Promise.resolve(undefined)),
    [version.data],
  );

  if (!version.data) {
    return version.error ? (
      <LoadFailure
        error={version.error}
        what="model version"
        id={`${props.modelName} v${props.version}`}
        back={{ href: paths.model(props.modelName), label: `Go to ${props.modelName}` }}
        onRetry={version.reload}
      />
    ) : (
      <Spinner label="Loading version…" />
    );
  }
  const data = version.data;
  const { previous, next } = neighbours.data ?? {};

  return (
    <>
      <div class="page-header">
        <div class="title">
          <nav class="breadcrumb" aria-label="Breadcrumb">
            <Link href={paths.models()}>Models</Link>
            <span aria-hidden="true">/</span>
            <Link href={paths.model(data.name)} title={data.name}>
              {data.name}
            </Link>
            <span aria-hidden="true">/</span>
          </nav>
          <h1 class="run-title">
            {data.name} · version {data.version} <StatusBadge status={data.status} />
            {data.aliases.map((alias) => (
              <AliasChip key={alias} model={data.name} alias={alias} />
            ))}
          </h1>
          {data.description && <Description text={data.description} />}
        </div>
        <nav class="actions" aria-label="Other versions">
          {previous !== undefined && (
            <Link class="button small" href={paths.modelVersion(data.name, previous)}>
              ← Version {previous}
            </Link>
          )}
          {next !== undefined && (
            <Link class="button small" href={paths.modelVersion(data.name, next)}>
              Version {next} →
            </Link>
          )}
        </nav>
      </div>
      <div class="grid-2">
        <VersionOverview
          version={data}
          runName={data.source.kind === 'prompt' ? undefined : runNames.data?.get(data.source.run_id)}
          experimentName={experiment.data?.experiment_name}
        />
        <Card id="metadata" title="Metadata">
          {data.metadata && Object.keys(data.metadata).length > 0 ? (
            <pre class="mono metadata" tabIndex={0}>
              {JSON.stringify(data.metadata, null, 2)}
            </pre>
          ) : (
            <div class="empty">No metadata was registered with this version.</div>
          )}
        </Card>
      </div>
      <div class="section">
        {data.source.kind === 'prompt' ? <PromptTemplate version={data} /> : <Files version={data} />}
      </div>
    </>
  );
}

function VersionOverview(props: {
  version: ModelVersion;
  runName: string | undefined;
  experimentName: string | undefined;
}) {
  const { version } = props;
  const { source } = version;
  // A prompt is loaded by MLflow's load_prompt, from prompts:/ URIs; a model by load_model and the SDKs, from models:/.
  const scheme = source.kind === 'prompt' ? 'prompts' : 'models';
  const what = source.kind === 'prompt' ? 'prompt URI' : 'model URI';
  const rows: Array<[string, ComponentChild]> = [
    ['Status', <StatusBadge status={version.status} />],
    ['Registered', `${formatTime(version.created_at)}`],
    ['By token', <code>{version.created_by.token_id}</code>],
    ...(source.kind === 'prompt'
      ? [['Kind', "A prompt's version: its template, no run and no files"] as [string, ComponentChild]]
      : ([
          ['Source run', <Link href={paths.run(source.run_id)}>{props.runName ?? <code>{source.run_id}</code>}</Link>],
          [
            'Experiment',
            <Link href={paths.experiment(source.experiment_id)}>
              {props.experimentName ?? <code>{source.experiment_id}</code>}
            </Link>,
          ],
          [
            source.kind === 'folder' ? 'Artifact folder' : 'Artifact',
            <code>
              {source.artifact_path}
              {source.kind === 'folder' ? '/' : ''}
            </code>,
          ],
          [
            'Size',
            `${formatBytes(version.size_bytes)} in ${version.files.length} file${version.files.length === 1 ? '' : 's'}`,
          ],
        ] as Array<[string, ComponentChild]>)),
    // What MLflow's load_model (or load_prompt) and the SDKs' load take, to paste into a notebook or a serving config.
    ['Load it with', <CopyableId value={`${scheme}:/${version.name}/${version.version}`} what={what} />],
    ['Tags', <TagList tags={version.tags} />],
  ];
  if (version.aliases.length > 0)
    rows.splice(rows.length - 1, 0, [
      version.aliases.length === 1 ? 'Or by its alias' : 'Or by an alias',
      <div class="copyable-list">
        {version.aliases.map((alias) => (
          <CopyableId key={alias} value={`${scheme}:/${version.name}@${alias}`} what={`${what} by @${alias}`} />
        ))}
      </div>,
    ]);
  if (version.updated_at !== version.created_at)
    rows.push(['Description or tags changed', formatTime(version.updated_at)]);
  return (
    <Card id="version-overview" title="Overview">
      <table class="data kv">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** The template a prompt's version holds (MLflow keeps it in the version's tag `mlflow.prompt.text`). */
function PromptTemplate(props: { version: ModelVersion }) {
  const text = Object.hasOwn(props.version.tags, promptTextTagKey) ? props.version.tags[promptTextTagKey] : undefined;
  return (
    <Card id="prompt-template" title="Prompt template">
      {text === undefined ? (
        <div class="empty">This version has no template tag ({promptTextTagKey}).</div>
      ) : (
        <pre class="mono metadata" tabIndex={0}>
          {text}
        </pre>
      )}
    </Card>
  );
}

/**
 * The version's files with the size and SHA-256 recorded at registration.
 * Download asks the API for presigned URLs (short-lived, one object each);
 * the bytes come from S3, never through the service.
 */
function Files(props: { version: ModelVersion }) {
  const { version } = props;
  const [download, setDownload] = useState<VersionDownload | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const urls = new Map(download?.files.map((file) => [file.path, file.url]));
  const fetchUrls = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setDownload(
        unwrap(
          await api.GET(
            '/api/v1/models/{model_name}/versions/{version}/download',
            versionPath(version.name, version.version),
          ),
        ),
      );
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card
      id="files"
      title={`Files (${version.files.length})`}
      actions={
        <>
          {download && (
            <span class="muted" data-testid="links-expire">
              links valid until {formatClock(download.expires_at)}
            </span>
          )}
          <button type="button" class="small primary" disabled={busy} onClick={() => void fetchUrls()}>
            {download ? 'New download links' : 'Download'}
          </button>
        </>
      }
    >
      {error && (
        <div class="body">
          <div class="error-box" role="alert">
            {error}
          </div>
        </div>
      )}
      {/* Focusable: on a phone the checksums scroll sideways, and a keyboard must reach them (axe scrollable-region-focusable). */}
      <div class="table-scroll" tabIndex={0}>
        <table class="data" aria-label="Files">
          <thead>
            <tr>
              <th scope="col">Path</th>
              <th scope="col">Run artifact</th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col">SHA-256</th>
              <th scope="col">Checked by</th>
            </tr>
          </thead>
          <tbody>
            {version.files.map((file) => {
              const url = urls.get(file.path);
              return (
                <tr key={file.path}>
                  <td class="mono">
                    {url ? (
                      <a href={url} download={file.path.split('/').pop()} rel="noopener noreferrer">
                        {file.path}
                      </a>
                    ) : (
                      file.path
                    )}
                  </td>
                  <td class="mono muted">{file.artifact_path}</td>
                  <td class="num" title={`${file.size_bytes.toLocaleString('en-US')} bytes`}>
                    {formatBytes(file.size_bytes)}
                  </td>
                  <td class="mono sha" title={file.sha256}>
                    {/* Whole on one line when there is room, else in two equal halves (not 62 characters and 2). */}
                    {file.sha256.slice(0, 32)}
                    <wbr />
                    {file.sha256.slice(32)}
                  </td>
                  <td title={checksumSources.get(file.sha256_source)?.[1]}>
                    {checksumSources.get(file.sha256_source)?.[0] ?? file.sha256_source}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="body muted small-print">
        Every file’s SHA-256 was recorded at registration; the SDKs and the CLI check each download against it. The
        files cannot be replaced or deleted while this version exists.
      </div>
    </Card>
  );
}
