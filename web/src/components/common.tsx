import type { ComponentChildren } from 'preact';
import { describeError } from '../hooks.ts';

export function StatusBadge(props: { status: string }) {
  return <span class={`status ${props.status}`}>{props.status.toLowerCase()}</span>;
}

export function ErrorBox(props: { error: unknown }) {
  return (
    <div class="error-box" role="alert">
      {describeError(props.error)}
    </div>
  );
}

/**
 * The foot of a paged list: how many items are shown ("12 models", "… loaded"
 * while more pages exist), then a spinner while a page loads or a button for
 * the next one.
 */
export function ListFooter(props: {
  count: number;
  noun: string;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  /** Said after the count, e.g. the order. */
  suffix?: string;
}) {
  return (
    <div class="runs-footer">
      <span>
        {props.count} {props.noun}
        {props.count === 1 ? '' : 's'}
        {props.hasMore ? ' loaded' : ''}
        {props.suffix ?? ''}
      </span>
      {props.loading ? (
        <Spinner />
      ) : (
        props.hasMore && (
          <button type="button" class="small" onClick={props.onMore}>
            Load more
          </button>
        )
      )}
    </div>
  );
}

export function Spinner(props: { label?: string }) {
  return (
    <span role="status" class="muted" style={{ display: 'inline-flex', gap: '8px', alignItems: 'center' }}>
      <span class="spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </span>
  );
}

/** Tags as chips; keys are user-chosen, so they are iterated as entries, never indexed. */
export function TagList(props: { tags: Record<string, string> | undefined; hidePrefix?: string }) {
  const entries = Object.entries(props.tags ?? {}).filter(
    ([key]) => !props.hidePrefix || !key.startsWith(props.hidePrefix),
  );
  if (entries.length === 0) return <span class="muted">—</span>;
  return (
    <span class="tags">
      {entries.map(([key, value]) => (
        <span class="tag" title={`${key}=${value}`} key={key}>
          <span class="key">{key}=</span>
          {value}
        </span>
      ))}
    </span>
  );
}

export function Card(props: {
  title: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  id?: string;
  class?: string;
}) {
  const headingId = props.id ? `${props.id}-title` : undefined;
  return (
    <section class={`card ${props.class ?? ''}`} id={props.id} aria-labelledby={headingId}>
      <header>
        <h2 id={headingId}>{props.title}</h2>
        {props.actions && <div class="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}
