import { useEffect, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { Artifact } from '../api/types.ts';
import { formatBytes, formatTime } from '../format.ts';
import { describeError } from '../hooks.ts';
import { Spinner } from './common.tsx';
import { numericColumns, parseCsv } from './csv.ts';

type Kind = 'image' | 'json' | 'csv' | 'markdown' | 'text' | 'none';

const textExtensions =
  /\.(txt|log|ya?ml|toml|ini|cfg|conf|py|sh|js|ts|sql|xml|html?|r|java|go|rs|c|h|cpp|ipynb|env|properties)$/i;

export function previewKind(artifact: Pick<Artifact, 'path' | 'content_type'>): Kind {
  const type = artifact.content_type.toLowerCase();
  const path = artifact.path.toLowerCase();
  if (type.startsWith('image/') || /\.(png|jpe?g|gif|webp|svg|avif|bmp)$/.test(path)) return 'image';
  if (type.includes('json') || /\.(json|jsonl)$/.test(path)) return 'json';
  if (type.includes('csv') || type.includes('tab-separated') || /\.(csv|tsv)$/.test(path)) return 'csv';
  if (type.includes('markdown') || /\.(md|markdown)$/.test(path)) return 'markdown';
  if (type.startsWith('text/') || textExtensions.test(path)) return 'text';
  return 'none';
}

/** Text previews read at most this much of the object. */
const previewBytes = 512 * 1024;
const csvRows = 100;

/** Reads up to `limit` bytes from a presigned URL, then stops the download. */
async function readStart(url: string, limit: number, signal: AbortSignal) {
  const response = await fetch(url, { signal, credentials: 'omit', referrerPolicy: 'no-referrer' });
  if (!response.ok || !response.body) throw new Error(`the artifact store answered HTTP ${response.status}`);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size >= limit) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, Math.min(chunk.length, bytes.length - offset));
    bytes.set(part, offset);
    offset += part.length;
  }
  return { text: new TextDecoder().decode(bytes), truncated };
}

interface Preview {
  url: string;
  kind: Kind;
  text?: string;
  truncated?: boolean;
  html?: string;
}

/** Shows one artifact inline, from its short-lived presigned download URL; offers the download. */
export function ArtifactPreview(props: { runId: string; artifact: Artifact }) {
  const { artifact } = props;
  const [preview, setPreview] = useState<Preview | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    const controller = new AbortController();
    setPreview(undefined);
    setError(undefined);
    (async () => {
      const download = unwrap(
        await api.GET('/api/v1/runs/{run_id}/artifacts/download', {
          params: { path: { run_id: props.runId }, query: { path: artifact.path } },
          signal: controller.signal,
        }),
      );
      const kind = previewKind(artifact);
      if (kind === 'image' || kind === 'none') return { url: download.url, kind };
      const { text, truncated } = await readStart(download.url, previewBytes, controller.signal);
      if (kind === 'markdown') {
        const { renderMarkdown } = await import('./markdown.ts');
        return { url: download.url, kind, html: renderMarkdown(text), truncated };
      }
      return { url: download.url, kind, text, truncated };
    })().then(
      (result) => !controller.signal.aborted && setPreview(result),
      (failure: unknown) => !controller.signal.aborted && setError(describeError(failure)),
    );
    return () => controller.abort();
  }, [props.runId, artifact.path]);

  return (
    <div class="artifact-preview" aria-live="polite" data-preview-kind={preview?.kind}>
      <header>
        <div style={{ minWidth: 0 }}>
          <h3 class="mono" style={{ overflowWrap: 'anywhere' }}>
            {artifact.path}
          </h3>
          <span class="muted" style={{ fontSize: '12.5px' }}>
            {artifact.artifact_type} · {formatBytes(artifact.size_bytes)} · {artifact.content_type} ·{' '}
            {formatTime(artifact.created_time)}
          </span>
        </div>
        {preview && (
          <a class="button" href={preview.url} download={artifact.path.split('/').pop()} rel="noopener noreferrer">
            Download
          </a>
        )}
      </header>
      {error && (
        <div class="error-box" role="alert">
          {error}
        </div>
      )}
      {!preview && !error && <Spinner label="Loading preview…" />}
      {preview && <PreviewBody preview={preview} artifact={artifact} />}
      {preview?.truncated && (
        <p class="muted">Showing the first {formatBytes(previewBytes)}; download the file for the rest.</p>
      )}
    </div>
  );
}

function PreviewBody(props: { preview: Preview; artifact: Artifact }) {
  const { preview } = props;
  if (preview.kind === 'image') return <img src={preview.url} alt={`Preview of ${props.artifact.path}`} />;
  if (preview.kind === 'none')
    return <p class="notice">No inline preview for {props.artifact.content_type}; use Download.</p>;
  if (preview.kind === 'markdown')
    return <div class="markdown" dangerouslySetInnerHTML={{ __html: preview.html ?? '' }} />;
  const text = preview.text ?? '';
  if (preview.kind === 'json') {
    let shown = text;
    if (!preview.truncated) {
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // JSON Lines or broken JSON: show it as it is
      }
    }
    return <pre tabIndex={0}>{shown}</pre>;
  }
  if (preview.kind === 'csv') {
    const tab =
      props.artifact.path.toLowerCase().endsWith('.tsv') || props.artifact.content_type.includes('tab-separated');
    const rows = parseCsv(text, csvRows + 1, tab ? '\t' : ',');
    const [head = [], ...body] = rows;
    const numeric = numericColumns(body);
    return (
      <div
        class="table-scroll"
        style={{ maxHeight: '520px' }}
        tabIndex={0}
        role="region"
        aria-label={`First rows of ${props.artifact.path}`}
      >
        <table class="data csv-preview">
          <thead>
            <tr>
              {head.map((cell, index) => (
                <th scope="col" key={index} class={numeric[index] ? 'num' : undefined}>
                  {cell}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((row, rowIndex) => (
              <tr key={rowIndex}>
                {row.map((cell, index) => (
                  <td key={index} class={numeric[index] ? 'num' : undefined}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted" style={{ padding: '0 12px' }}>
          {body.length < csvRows && !preview.truncated ? `${body.length} rows` : `First ${body.length} rows`}
        </p>
      </div>
    );
  }
  return <pre tabIndex={0}>{text}</pre>;
}
