import { useMemo, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { Artifact } from '../api/types.ts';
import { formatBytes } from '../format.ts';
import { type Loaded, useLoad } from '../hooks.ts';
import { updateQuery, useLocation } from '../router.ts';
import { ArtifactPreview, previewKind } from './ArtifactPreview.tsx';
import { Card, ErrorBox, Spinner } from './common.tsx';

interface Folder {
  name: string;
  path: string;
  folders: Map<string, Folder>;
  files: Artifact[];
  size: number;
}

/** As file browsers list names: case aside ("config.json" before "README.md"), numbers by value ("2" before "10"). */
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;
const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** A folder's subfolders and files in name order, as file browsers show them (the API's is by byte: README.md first). */
function sortFolder(folder: Folder) {
  folder.folders = new Map([...folder.folders].sort(([a], [b]) => byName(a, b)));
  folder.files.sort((a, b) => byName(baseName(a.path), baseName(b.path)));
  folder.folders.forEach(sortFolder);
}

/** Artifacts by path into folders, each in name order; a Map, since folder names are user-chosen. */
export function buildTree(artifacts: readonly Artifact[]): Folder {
  const root: Folder = { name: '', path: '', folders: new Map(), files: [], size: 0 };
  for (const artifact of artifacts) {
    const parts = artifact.path.split('/');
    let folder = root;
    folder.size += artifact.size_bytes;
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.get(part);
      if (!next) {
        next = {
          name: part,
          path: folder.path ? `${folder.path}/${part}` : part,
          folders: new Map(),
          files: [],
          size: 0,
        };
        folder.folders.set(part, next);
      }
      next.size += artifact.size_bytes;
      folder = next;
    }
    folder.files.push(artifact);
  }
  sortFolder(root);
  return root;
}

async function listAll(runId: string, signal: AbortSignal): Promise<Artifact[]> {
  const artifacts: Artifact[] = [];
  let pageToken: string | undefined;
  do {
    const page = unwrap(
      await api.GET('/api/v1/runs/{run_id}/artifacts', {
        params: {
          path: { run_id: runId },
          query: { max_results: 1000, ...(pageToken ? { page_token: pageToken } : {}) },
        },
        signal,
      }),
    );
    artifacts.push(...page.artifacts.filter((artifact) => artifact.status === 'COMPLETE'));
    pageToken = page.next_page_token;
  } while (pageToken && artifacts.length < 20_000);
  return artifacts;
}

const icons: Record<string, string> = { image: '▧', json: '{}', csv: '▦', markdown: 'M↓', text: '≡', none: '◇' };

/**
 * A run's uploaded artifacts, read once for its page: the Artifacts tab counts them before it is opened.
 * Asked once the run is read (`runId` until then undefined): a run that does not exist is one 404, not two.
 */
export const useArtifactListing = (runId: string | undefined): Loaded<Artifact[] | undefined> =>
  useLoad(async (signal) => (runId === undefined ? undefined : await listAll(runId, signal)), [runId]);

/** The run's artifacts as a folder tree with sizes; the one chosen (`artifact` in the URL) is previewed. */
export function Artifacts(props: { runId: string; listing: Loaded<Artifact[] | undefined> }) {
  const location = useLocation();
  const chosenPath = location.query.get('artifact');
  const { listing } = props;
  const tree = useMemo(() => buildTree(listing.data ?? []), [listing.data]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const chosen = listing.data?.find((artifact) => artifact.path === chosenPath);

  const toggle = (path: string) => {
    const next = new Set(collapsed);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    setCollapsed(next);
  };

  const renderFolder = (folder: Folder, depth: number) => (
    <ul>
      {[...folder.folders.values()].map((child) => {
        const open = !collapsed.has(child.path);
        return (
          <li key={`d:${child.path}`}>
            <button
              type="button"
              class="node"
              aria-expanded={open}
              style={{ paddingLeft: `${12 + depth * 16}px` }}
              onClick={() => toggle(child.path)}
            >
              <span class="icon" aria-hidden="true">
                {open ? '▾' : '▸'}
              </span>
              <span class="name">{child.name}/</span>
              <span class="size">{formatBytes(child.size)}</span>
            </button>
            {open && renderFolder(child, depth + 1)}
          </li>
        );
      })}
      {folder.files.map((artifact) => {
        const name = artifact.path.split('/').pop() ?? artifact.path;
        const selected = artifact.path === chosenPath;
        return (
          <li key={`f:${artifact.path}`}>
            <button
              type="button"
              class="node"
              aria-current={selected ? 'true' : undefined}
              data-path={artifact.path}
              style={{ paddingLeft: `${12 + depth * 16}px` }}
              onClick={() => updateQuery({ artifact: artifact.path })}
            >
              <span class="icon" aria-hidden="true">
                {icons[previewKind(artifact)]}
              </span>
              <span class="name" title={artifact.path}>
                {name}
              </span>
              <span class="size">{formatBytes(artifact.size_bytes)}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );

  const count = listing.data?.length ?? 0;
  return (
    <Card
      id="artifacts"
      title={`Artifacts${listing.data ? ` (${count})` : ''}`}
      actions={listing.data && count > 0 ? <span class="muted">{formatBytes(tree.size)}</span> : undefined}
    >
      {listing.error && <ErrorBox error={listing.error} />}
      {listing.loading && !listing.data && (
        <div class="body">
          <Spinner />
        </div>
      )}
      {listing.data && count === 0 && <div class="empty">No artifacts logged for this run.</div>}
      {listing.data && count > 0 && (
        <div class="artifacts">
          <nav class="artifact-tree" aria-label="Artifact files">
            {renderFolder(tree, 0)}
          </nav>
          {chosen ? (
            <ArtifactPreview runId={props.runId} artifact={chosen} key={chosen.path} />
          ) : (
            <div class="artifact-preview empty">Choose a file to preview it.</div>
          )}
        </div>
      )}
    </Card>
  );
}
