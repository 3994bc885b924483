import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client.ts';
import type { AliasEvent, ModelVersion, RegisteredModel } from '../../api/types.ts';
import { AliasChips } from '../../components/AliasChips.tsx';
import { Card, ErrorBox, ListFooter, LoadFailure, Spinner, StatusBadge, TagList } from '../../components/common.tsx';
import { ActionDialog } from '../../components/Dialog.tsx';
import { formatAgo, formatBytes, formatMoment, formatTime, shortId } from '../../format.ts';
import { useLoad } from '../../hooks.ts';
import { Link, paths, updateQuery, useLocation } from '../../router.ts';
import { describeChange, modelPath, PromptBadge, runNamesOf, SourceRun } from './common.tsx';
import { Description, InlineMarkdown } from '../../components/InlineMarkdown.tsx';

const versionPageSize = 100;
const historyPageSize = 50;

/** One registered model: its aliases (set, move, remove), its versions, and the history of every alias move. */
export function ModelPage(props: { modelName: string }) {
  const [changes, setChanges] = useState(0);
  const changed = () => setChanges((n) => n + 1);
  const model = useLoad(
    async () => unwrap(await api.GET('/api/v1/models/{model_name}', modelPath(props.modelName))),
    [props.modelName, changes],
  );
  const versions = usePages<ModelVersion>(
    async (pageToken, signal) => {
      const page = unwrap(
        await api.GET('/api/v1/models/{model_name}/versions', {
          params: {
            path: { model_name: props.modelName },
            query: { max_results: versionPageSize, ...(pageToken ? { page_token: pageToken } : {}) },
          },
          signal,
        }),
      );
      return { items: page.versions, next: page.next_page_token };
    },
    [props.modelName, changes],
  );
  const runNames = useLoad((signal) => runNamesOf(versions.items, signal), [versions.items]);

  if (!model.data) {
    return model.error ? (
      <LoadFailure
        error={model.error}
        what="model"
        id={props.modelName}
        back={{ href: paths.models(), label: 'Go to the models' }}
        onRetry={model.reload}
      />
    ) : (
      <Spinner label="Loading model…" />
    );
  }
  const data = model.data;

  return (
    <>
      <div class="page-header">
        <div class="title">
          <nav class="breadcrumb" aria-label="Breadcrumb">
            <Link href={paths.models()}>Models</Link>
            <span aria-hidden="true">/</span>
          </nav>
          <h1>
            {data.name}
            <PromptBadge tags={data.tags} />
          </h1>
          {data.description && <Description text={data.description} />}
          {Object.keys(data.tags).length > 0 && <TagList tags={data.tags} />}
        </div>
        <div class="muted summary">
          {data.latest_version > 0 ? `latest version ${data.latest_version}` : 'no versions yet'} · updated{' '}
          <span title={formatTime(data.updated_at)}>{formatAgo(data.updated_at)}</span>
        </div>
      </div>
      {model.error && <ErrorBox error={model.error} />}
      <div class="grid-2">
        <Aliases model={data} versions={versions.items} onChanged={changed} />
        <AliasHistory model={data} refresh={changes} />
      </div>
      <div class="section">
        <Card id="versions" title="Versions">
          {versions.error !== undefined && <ErrorBox error={versions.error} />}
          <div class="table-scroll">
            {/* On a phone each version is a block (styles.css, "stacked"): nothing a swipe away. */}
            <table class="data stacked" aria-label="Versions">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Source run / artifacts</th>
                  <th scope="col" class="num">
                    Files
                  </th>
                  <th scope="col" class="num">
                    Size
                  </th>
                  <th scope="col">Registered</th>
                </tr>
              </thead>
              <tbody>
                {versions.items.map((version) => (
                  <tr key={version.version}>
                    <td class="version-cell lead">
                      <Link href={paths.modelVersion(data.name, version.version)} style={{ fontWeight: 600 }}>
                        Version {version.version}
                      </Link>
                      {version.description && (
                        <div class="muted note-preview" title={version.description}>
                          <InlineMarkdown text={version.description} />
                        </div>
                      )}
                    </td>
                    <td class="aside">
                      <StatusBadge status={version.status} />
                    </td>
                    <td class="full">
                      <AliasChips model={data.name} aliases={version.aliases} />
                    </td>
                    <td class="full">
                      <SourceRun version={version} runNames={runNames.data} />
                    </td>
                    <td class="num meta" data-unit={version.files.length === 1 ? 'file' : 'files'}>
                      {version.files.length}
                    </td>
                    <td class="num meta">{formatBytes(version.size_bytes)}</td>
                    <td
                      class="meta"
                      data-label="registered"
                      title={`${formatTime(version.created_at)} by token ${version.created_by.token_id}`}
                    >
                      {formatAgo(version.created_at)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {!versions.loading && versions.items.length === 0 && versions.error === undefined && (
            <div class="empty">
              No versions yet. Register one from a run’s artifacts: <code>stratus models register</code>, the SDK’s{' '}
              <code>register_model</code>, or <code>mlflow.register_model</code>.
            </div>
          )}
          <ListFooter
            count={versions.items.length}
            noun="version"
            hasMore={Boolean(versions.next)}
            loading={versions.loading}
            onMore={versions.more}
            suffix=", newest first"
          />
        </Card>
      </div>
    </>
  );
}

/** A paginated list: the first page when `deps` change, then `more()` appends the next. */
function usePages<T>(
  loadPage: (pageToken: string | undefined, signal: AbortSignal) => Promise<{ items: T[]; next?: string | undefined }>,
  deps: readonly unknown[],
) {
  const [state, setState] = useState<{ items: T[]; next?: string; error?: unknown; loading: boolean }>({
    items: [],
    loading: true,
  });
  const generation = useRef(0);
  const run = (pageToken: string | undefined) => {
    const mine = pageToken ? generation.current : ++generation.current;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true, error: undefined }));
    loadPage(pageToken, controller.signal).then(
      (page) => {
        if (mine !== generation.current) return;
        setState((previous) => ({
          items: pageToken ? [...previous.items, ...page.items] : page.items,
          ...(page.next ? { next: page.next } : {}),
          loading: false,
        }));
      },
      (error: unknown) => {
        if (mine === generation.current) setState((previous) => ({ ...previous, error, loading: false }));
      },
    );
    return controller;
  };
  useEffect(() => {
    const controller = run(undefined);
    return () => controller.abort();
  }, deps);
  return { ...state, more: () => state.next && run(state.next) };
}

type AliasDialog = { kind: 'set'; alias?: string; version?: number } | { kind: 'delete'; alias: string };

function Aliases(props: { model: RegisteredModel; versions: readonly ModelVersion[]; onChanged: () => void }) {
  const [dialog, setDialog] = useState<AliasDialog | undefined>();
  const { model } = props;
  return (
    <Card
      id="aliases"
      title={`Aliases (${model.aliases.length})`}
      actions={
        <button
          type="button"
          class="small"
          disabled={model.latest_version === 0}
          title={model.latest_version === 0 ? 'Register a version first' : undefined}
          onClick={() => setDialog({ kind: 'set' })}
        >
          Set alias
        </button>
      }
    >
      {model.aliases.length === 0 ? (
        <div class="empty">No aliases. An alias such as champion names the version in use; every move is recorded.</div>
      ) : (
        <div class="table-scroll">
          <table class="data aliases" aria-label="Aliases">
            <thead>
              <tr>
                <th scope="col">Alias</th>
                <th scope="col">Points at</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {model.aliases.map(({ alias, version }) => (
                <tr key={alias}>
                  <td class="alias-name">
                    <span class="alias-chip">@{alias}</span>
                  </td>
                  <td>
                    <Link href={paths.modelVersion(model.name, version)}>Version {version}</Link>
                  </td>
                  <td class="num">
                    <span class="row-actions">
                      <button
                        type="button"
                        class="small"
                        aria-label={`Move ${alias}`}
                        onClick={() => setDialog({ kind: 'set', alias, version })}
                      >
                        Move
                      </button>
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Remove ${alias}`}
                        onClick={() => setDialog({ kind: 'delete', alias })}
                      >
                        Remove
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {dialog?.kind === 'set' && (
        <SetAliasDialog
          model={model}
          versions={props.versions}
          alias={dialog.alias}
          version={dialog.version}
          onDone={props.onChanged}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog?.kind === 'delete' && (
        <ActionDialog
          title="Remove alias"
          actionLabel="Remove"
          actionClass="danger"
          canSubmit
          onSubmit={async () => {
            unwrap(
              await api.DELETE('/api/v1/models/{model_name}/aliases/{alias}', {
                params: { path: { model_name: model.name, alias: dialog.alias } },
              }),
            );
            props.onChanged();
          }}
          onClose={() => setDialog(undefined)}
        >
          <p>
            Remove <strong>@{dialog.alias}</strong> from {model.name}? Code that loads{' '}
            <code>
              models:/{model.name}@{dialog.alias}
            </code>{' '}
            will fail until it is set again. The removal is recorded in the history.
          </p>
        </ActionDialog>
      )}
    </Card>
  );
}

function SetAliasDialog(props: {
  model: RegisteredModel;
  versions: readonly ModelVersion[];
  alias: string | undefined;
  version: number | undefined;
  onDone: () => void;
  onClose: () => void;
}) {
  const moving = props.alias !== undefined;
  const [alias, setAlias] = useState(props.alias ?? '');
  const numbers = props.versions.map((version) => version.version);
  const [version, setVersion] = useState(
    String(moving ? (numbers.find((n) => n !== props.version) ?? '') : (numbers[0] ?? '')),
  );
  return (
    <ActionDialog
      title={moving ? `Move @${props.alias}` : 'Set alias'}
      actionLabel={moving ? 'Move' : 'Set'}
      canSubmit={alias.trim() !== '' && /^[1-9]\d*$/.test(version) && !(moving && Number(version) === props.version)}
      onSubmit={async () => {
        unwrap(
          await api.PUT('/api/v1/models/{model_name}/aliases/{alias}', {
            params: { path: { model_name: props.model.name, alias: alias.trim() } },
            body: { version: Number(version) },
          }),
        );
        props.onDone();
      }}
      onClose={props.onClose}
    >
      {!moving && (
        <label class="field">
          Alias
          <input
            type="text"
            required
            placeholder="champion"
            maxLength={255}
            value={alias}
            onInput={(event) => setAlias(event.currentTarget.value)}
          />
        </label>
      )}
      <label class="field">
        Version
        {numbers.length > 0 ? (
          <select value={version} onChange={(event) => setVersion(event.currentTarget.value)}>
            {numbers.map((n) => (
              <option value={String(n)} key={n} disabled={moving && n === props.version}>
                Version {n}
                {moving && n === props.version ? ' (now)' : ''}
              </option>
            ))}
          </select>
        ) : (
          <input
            type="number"
            min={1}
            required
            value={version}
            onInput={(event) => setVersion(event.currentTarget.value)}
          />
        )}
      </label>
      {moving && <p class="muted">Now on version {props.version}. The move is recorded in the history.</p>}
    </ActionDialog>
  );
}

/** The line in the history at the chosen time: changes above it came later. */
function AsOfLine(props: { at: number }) {
  return (
    <tr class="as-of-line">
      <td colSpan={4}>↑ later · as of {formatMoment(props.at)} · earlier ↓</td>
    </tr>
  );
}

/** "2026-11-03T09:30" (the form of a datetime-local input, local time) ↔ epoch ms. */
const parseLocalTime = (text: string | null) => {
  if (!text) return undefined;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : undefined;
};

/**
 * Every set, move and removal of an alias, newest first; with a time chosen,
 * which version each alias pointed at then (its latest event until that time,
 * asked of the API per alias); the history still lists every change, with a
 * line at that time and the later changes dimmed.
 */
function AliasHistory(props: { model: RegisteredModel; refresh: number }) {
  const { query } = useLocation();
  const aliasFilter = query.get('alias') ?? '';
  const atText = query.get('at');
  const at = parseLocalTime(atText);
  const name = props.model.name;

  const history = usePages<AliasEvent>(
    async (pageToken, signal) => {
      const page = unwrap(
        await api.GET('/api/v1/models/{model_name}/alias-history', {
          params: {
            path: { model_name: name },
            query: {
              max_results: historyPageSize,
              ...(aliasFilter ? { alias: aliasFilter } : {}),
              ...(pageToken ? { page_token: pageToken } : {}),
            },
          },
          signal,
        }),
      );
      return { items: page.events, next: page.next_page_token };
    },
    [name, aliasFilter, props.refresh],
  );
  // Newest first: the as-of line goes before the first change made at or before that time.
  const lineBefore = at === undefined ? -1 : history.items.findIndex((event) => event.at <= at);
  const lineIndex = at === undefined ? -1 : lineBefore < 0 && !history.next ? history.items.length : lineBefore;

  // Every alias the model has or the loaded history mentions.
  const known = [
    ...new Set([
      ...props.model.aliases.map((item) => item.alias),
      ...history.items.map((e) => e.alias),
      // An alias named in the address shows as chosen even when it was never set.
      ...(aliasFilter ? [aliasFilter] : []),
    ]),
  ].sort();
  const asked = aliasFilter ? [aliasFilter] : known;
  const state = useLoad(
    async (signal) => {
      if (at === undefined) return undefined;
      return Promise.all(
        asked.map(async (alias) => {
          const page = unwrap(
            await api.GET('/api/v1/models/{model_name}/alias-history', {
              params: { path: { model_name: name }, query: { alias, until: String(at), max_results: 1 } },
              signal,
            }),
          );
          const last = page.events[0];
          return { alias, version: last?.change === 'set' ? last.to_version : undefined, since: last?.at };
        }),
      );
    },
    [name, at, asked.join('\n'), props.refresh],
  );

  // Before the first alias is set there is nothing to filter or to look back on: just say so.
  const empty = !history.loading && history.items.length === 0 && history.error === undefined;
  const neverSet = empty && !aliasFilter;
  const firstRead = history.loading && history.items.length === 0 && !aliasFilter;

  return (
    <Card id="alias-history" title="Alias history">
      {!neverSet && !firstRead && (
        <div class="toolbar body history-controls">
          <label class="inline-field">
            Alias
            <select value={aliasFilter} onChange={(event) => updateQuery({ alias: event.currentTarget.value })}>
              <option value="">every alias</option>
              {known.map((alias) => (
                <option value={alias} key={alias}>
                  @{alias}
                </option>
              ))}
            </select>
          </label>
          <label class="inline-field">
            As of
            <input
              type="datetime-local"
              step={1}
              value={atText ?? ''}
              onChange={(event) => updateQuery({ at: event.currentTarget.value })}
            />
          </label>
          {atText && (
            <button type="button" class="small" onClick={() => updateQuery({ at: undefined })}>
              Now
            </button>
          )}
        </div>
      )}
      {at !== undefined && !neverSet && (
        <div class="body as-of" aria-live="polite" data-testid="aliases-as-of">
          <strong>At {formatMoment(at)}:</strong>{' '}
          {state.error ? (
            <ErrorBox error={state.error} />
          ) : !state.data ? (
            <Spinner />
          ) : state.data.length === 0 ? (
            <span class="muted">no alias had been set.</span>
          ) : (
            <ul class="as-of-list">
              {state.data.map((item) => (
                <li key={item.alias} data-alias={item.alias} data-version={item.version ?? ''}>
                  <span class="alias-chip">@{item.alias}</span>{' '}
                  {item.version !== undefined ? (
                    <>
                      → <Link href={paths.modelVersion(name, item.version)}>version {item.version}</Link>
                      <span class="muted"> (since {formatMoment(item.since)})</span>
                    </>
                  ) : (
                    <span class="muted">{item.since === undefined ? 'not set yet' : 'not set (removed)'}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {history.error !== undefined && <ErrorBox error={history.error} />}
      {history.items.length > 0 && (
        <div class="table-scroll" style={{ maxHeight: '360px' }}>
          <table class="data alias-history" aria-label="Alias history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Alias</th>
                <th scope="col">Change</th>
                <th scope="col">By token</th>
              </tr>
            </thead>
            <tbody>
              {history.items.map((event, index) => (
                <Fragment key={`${event.at}-${index}`}>
                  {index === lineIndex && <AsOfLine at={at as number} key="as-of" />}
                  <tr
                    class={at !== undefined && event.at > at ? 'after-as-of' : undefined}
                    data-after={at !== undefined && event.at > at ? 'true' : undefined}
                  >
                    <td class="when">{formatMoment(event.at)}</td>
                    <td class="alias">@{event.alias}</td>
                    <td class="change">{describeChange(event)}</td>
                    <td class="by mono" title={event.by.token_id}>
                      {shortId(event.by.token_id)}
                    </td>
                  </tr>
                </Fragment>
              ))}
              {lineIndex === history.items.length && history.items.length > 0 && (
                <AsOfLine at={at as number} key="as-of" />
              )}
            </tbody>
          </table>
        </div>
      )}
      {empty && <div class="empty">{aliasFilter ? `@${aliasFilter} was never set.` : 'No alias was ever set.'}</div>}
      {(history.loading || history.next) && (
        <div class="runs-footer">
          <span />
          {history.loading ? (
            <Spinner />
          ) : (
            <button type="button" class="small" onClick={history.more}>
              Older moves
            </button>
          )}
        </div>
      )}
    </Card>
  );
}
