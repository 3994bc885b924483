import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { Artifact } from '../api/types.ts';
import { formatBytes } from '../format.ts';
import { useLoad } from '../hooks.ts';
import { updateQuery, useLocation } from '../router.ts';
import { ArtifactPreview, previewKind } from './ArtifactPreview.tsx';
import { Card, ErrorBox, Spinner } from './common.tsx';

/** As file browsers list names: case aside ("config.json" before "README.md"), numbers by value ("2" before "10"). */
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Entries a folder level is read in, and shown in until "Show more": a page of the API's one-level listing. */
export const levelPage = 200;

/** How many artifacts `GET /runs/{id}` carries at most (the first by path): fewer means it has them all. */
const runAnswerArtifacts = 1000;

/** One folder level as read so far: its subfolders (paths from the run's root) and uploaded files. */
interface Level {
  folders: string[];
  files: Artifact[];
  /** The next page's token while the level has more than was read. */
  next?: string | undefined;
  loading: boolean;
  error?: unknown;
}

/**
 * What the run's own answer says of its artifacts: how many, and each folder's size (by path, '' the total).
 * Only when that answer holds them all (under 1,000); a bigger run is counted as "1,000+" and its folders
 * show no size, which would take reading every file under them.
 */
export function artifactSummary(artifacts: readonly Artifact[]): { count: string; sizes?: Map<string, number> } {
  if (artifacts.length >= runAnswerArtifacts) return { count: `${runAnswerArtifacts.toLocaleString('en-US')}+` };
  const sizes = new Map<string, number>();
  for (const artifact of artifacts) {
    const parts = artifact.path.split('/');
    for (let depth = 0; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join('/');
      sizes.set(folder, (sizes.get(folder) ?? 0) + artifact.size_bytes);
    }
  }
  return { count: artifacts.length.toLocaleString('en-US'), sizes };
}

/** One page of a folder's level (`folder` '' for the root), as the API lists it with delimiter=/. */
async function readLevel(runId: string, folder: string, pageToken: string | undefined) {
  return unwrap(
    await api.GET('/api/v1/runs/{run_id}/artifacts', {
      params: {
        path: { run_id: runId },
        query: {
          delimiter: '/',
          max_results: levelPage,
          ...(folder ? { prefix: `${folder}/` } : {}),
          ...(pageToken ? { page_token: pageToken } : {}),
        },
      },
    }),
  );
}

/** The record of one uploaded file, for a link straight to it (`?artifact=`) whose folder's page is not read. */
async function readArtifact(runId: string, path: string, signal: AbortSignal): Promise<Artifact | undefined> {
  const page = unwrap(
    await api.GET('/api/v1/runs/{run_id}/artifacts', {
      params: { path: { run_id: runId }, query: { prefix: path, max_results: 1 } },
      signal,
    }),
  );
  return page.artifacts.find((artifact) => artifact.path === path && artifact.status === 'COMPLETE');
}

/** The folders a path lies in, outermost first: "a/b/c.png" is in "a" and "a/b". */
const ancestorsOf = (path: string) => {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
};

const icons: Record<string, string> = { image: '▧', json: '{}', csv: '▦', markdown: 'M↓', text: '≡', none: '◇' };

/**
 * The run's artifacts as a folder tree, read as a file browser reads a disk: the top level when the tab
 * opens, a folder's level when it is opened (a page at a time, "Show more" for the rest), nothing of a
 * folder never opened. The file chosen (`artifact` in the URL) is previewed; a link to one opens its folders.
 * `summary` (from the run's answer) counts the files and sizes the folders without reading them.
 */
export function Artifacts(props: { runId: string; summary: ReturnType<typeof artifactSummary> }) {
  const location = useLocation();
  const chosenPath = location.query.get('artifact');
  const [levels, setLevels] = useState<ReadonlyMap<string, Level>>(new Map());
  const [opened, setOpened] = useState<ReadonlySet<string>>(() => new Set(chosenPath ? ancestorsOf(chosenPath) : []));
  // The record of the file last clicked: its preview needs no read of its own.
  const [picked, setPicked] = useState<Artifact | undefined>();
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const update = (folder: string, change: (level: Level) => Level) =>
    setLevels((previous) => {
      const next = new Map(previous);
      next.set(folder, change(previous.get(folder) ?? { folders: [], files: [], loading: false }));
      return next;
    });

  const load = (folder: string, pageToken?: string) => {
    update(folder, (level) => ({ ...level, loading: true, error: undefined }));
    readLevel(props.runId, folder, pageToken).then(
      (page) => {
        if (!mounted.current) return;
        update(folder, (level) => ({
          folders: [...level.folders, ...(page.folders ?? [])],
          files: [...level.files, ...page.artifacts.filter((artifact) => artifact.status === 'COMPLETE')],
          next: page.next_page_token,
          loading: false,
        }));
      },
      (error: unknown) => {
        if (mounted.current) update(folder, (level) => ({ ...level, loading: false, error }));
      },
    );
  };

  // The top level, and the folders a link to a file opened (a run's page keys this view by run: read once).
  useEffect(() => {
    for (const folder of ['', ...opened]) load(folder);
  }, []);

  const toggle = (folder: string) => {
    const next = new Set(opened);
    if (next.has(folder)) next.delete(folder);
    else {
      next.add(folder);
      if (!levels.has(folder)) load(folder);
    }
    setOpened(next);
  };

  const shown = useMemo(() => {
    if (!chosenPath) return undefined;
    if (picked?.path === chosenPath) return picked;
    const folder = chosenPath.includes('/') ? chosenPath.slice(0, chosenPath.lastIndexOf('/')) : '';
    return levels.get(folder)?.files.find((artifact) => artifact.path === chosenPath);
  }, [chosenPath, picked, levels]);
  // A link to a file on a page of its folder not read yet (or in Back's history): its record alone.
  const linked = useLoad(
    async (signal) => (chosenPath && !shown ? await readArtifact(props.runId, chosenPath, signal) : undefined),
    [props.runId, chosenPath, shown === undefined],
  );
  const chosen = shown ?? (linked.data?.path === chosenPath ? linked.data : undefined);

  const renderLevel = (folder: string, depth: number) => {
    const level = levels.get(folder);
    if (!level) return null;
    const indent = { paddingLeft: `${12 + depth * 16}px` };
    const folders = [...level.folders].sort((a, b) => byName(baseName(a), baseName(b)));
    const files = [...level.files].sort((a, b) => byName(baseName(a.path), baseName(b.path)));
    const size = (path: string) => props.summary.sizes?.get(path);
    return (
      <ul>
        {folders.map((path) => {
          const open = opened.has(path);
          return (
            <li key={`d:${path}`}>
              <button
                type="button"
                class="node"
                aria-expanded={open}
                data-folder={path}
                style={indent}
                onClick={() => toggle(path)}
              >
                <span class="icon" aria-hidden="true">
                  {open ? '▾' : '▸'}
                </span>
                <span class="name" title={path}>
                  {baseName(path)}/
                </span>
                <span class="size">{size(path) === undefined ? '' : formatBytes(size(path) as number)}</span>
              </button>
              {open && renderLevel(path, depth + 1)}
            </li>
          );
        })}
        {files.map((artifact) => (
          <li key={`f:${artifact.path}`}>
            <button
              type="button"
              class="node"
              aria-current={artifact.path === chosenPath ? 'true' : undefined}
              data-path={artifact.path}
              style={indent}
              onClick={() => {
                setPicked(artifact);
                updateQuery({ artifact: artifact.path });
              }}
            >
              <span class="icon" aria-hidden="true">
                {icons[previewKind(artifact)]}
              </span>
              <span class="name" title={artifact.path}>
                {baseName(artifact.path)}
              </span>
              <span class="size">{formatBytes(artifact.size_bytes)}</span>
            </button>
          </li>
        ))}
        {level.loading && (
          <li class="level-note muted" style={indent}>
            Loading…
          </li>
        )}
        {level.error !== undefined && !level.loading && (
          <li style={indent}>
            <ErrorBox error={level.error} onRetry={() => load(folder, level.next)} />
          </li>
        )}
        {level.next && !level.loading && level.error === undefined && (
          <li class="level-note" style={indent}>
            <button type="button" class="small" onClick={() => load(folder, level.next)}>
              Show more in {folder ? `${baseName(folder)}/` : 'the top folder'}
            </button>
          </li>
        )}
        {!level.loading && level.error === undefined && folders.length + files.length === 0 && folder !== '' && (
          <li class="level-note muted" style={indent}>
            No uploaded files yet.
          </li>
        )}
      </ul>
    );
  };

  const root = levels.get('');
  const empty = root && !root.loading && !root.error && !root.next && root.folders.length + root.files.length === 0;
  const total = props.summary.sizes?.get('');
  return (
    <Card
      id="artifacts"
      title={`Artifacts (${props.summary.count})`}
      actions={total ? <span class="muted">{formatBytes(total)}</span> : undefined}
    >
      {root?.loading && root.folders.length + root.files.length === 0 && (
        <div class="body">
          <Spinner />
        </div>
      )}
      {empty && <div class="empty">No artifacts logged for this run.</div>}
      {root && !empty && !(root.loading && root.folders.length + root.files.length === 0) && (
        <div class="artifacts">
          <nav class="artifact-tree" aria-label="Artifact files">
            {renderLevel('', 0)}
          </nav>
          {chosen ? (
            <ArtifactPreview runId={props.runId} artifact={chosen} key={chosen.path} />
          ) : chosenPath && linked.loading ? (
            <div class="artifact-preview empty">
              <Spinner />
            </div>
          ) : (
            <div class="artifact-preview empty">
              {chosenPath && !linked.loading ? `No uploaded file ${chosenPath}. ` : ''}Choose a file to preview it.
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
