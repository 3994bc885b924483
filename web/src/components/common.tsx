import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure } from '../api/client.ts';
import { describeError } from '../hooks.ts';
import { Link, paths } from '../router.ts';
import { userTagEntries } from '../system-tags.ts';

export function StatusBadge(props: { status: string }) {
  return <span class={`status ${props.status}`}>{props.status.toLowerCase()}</span>;
}

/**
 * An id (a run's 32 hex digits, a commit's 40) on one line: where it does not fit (a phone) it is cut
 * with …, whole in its tooltip and in the clipboard by its Copy button.
 */
export function CopyableId(props: { value: string; what: string }) {
  return (
    <span class="copyable-id">
      <code title={props.value}>{props.value}</code>
      <CopyButton text={props.value} label={`Copy ${props.what}`} />
    </span>
  );
}

/** A small button that puts `text` in the clipboard and says so. */
export function CopyButton(props: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="small"
      aria-label={props.label}
      onClick={() =>
        void navigator.clipboard?.writeText(props.text).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/** A failure as a person reads it; with `onRetry`, a button that asks again (a read failed; nothing was changed). */
export function ErrorBox(props: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="error-box" role="alert">
      <span>{describeError(props.error)}</span>
      {props.onRetry && (
        <button type="button" class="small" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * A page whose subject could not be read. An id that does not exist (404) or
 * cannot exist (a malformed id in the address: the API's 400 on the path) is
 * said as a person would, with a way back; other failures as the API says them.
 */
export function LoadFailure(props: {
  error: unknown;
  what: string;
  id: string;
  back?: { href: string; label: string };
  onRetry?: () => void;
}) {
  const missing =
    props.error instanceof ApiFailure &&
    (props.error.status === 404 || (props.error.status === 400 && props.error.code === 'path.invalid'));
  if (!missing) return <ErrorBox error={props.error} onRetry={props.onRetry} />;
  return <Missing what={props.what} id={props.id} back={props.back} />;
}

/** A run, experiment or model the address names that does not exist (or cannot: an id of the wrong shape). */
export function Missing(props: { what: string; id: string; back?: { href: string; label: string } | undefined }) {
  const back = props.back ?? { href: paths.experiments(), label: 'Go to the experiments' };
  return (
    <NotFoundPage
      title={`${props.what.charAt(0).toUpperCase() + props.what.slice(1)} not found`}
      back={<Link href={back.href}>{back.label}</Link>}
    >
      No {props.what} <code>{props.id}</code> in this workspace. The link may be incomplete, or the {props.what} was
      purged or belongs to another workspace.
    </NotFoundPage>
  );
}

/**
 * Every not-found page alike: its title, why, and the way back as a link of its own line (underlined,
 * as links in text are): the unknown address's page had it inline in the sentence, the others not underlined.
 */
export function NotFoundPage(props: { title: string; children: ComponentChildren; back: ComponentChildren }) {
  return (
    <div class="empty not-found" role="alert">
      <h1>{props.title}</h1>
      <p>{props.children}</p>
      <p>{props.back}</p>
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

/** Tags as chips, without the clients' own (mlflow.*, stratus.*); keys are user-chosen, so they are iterated as entries, never indexed. */
export function TagList(props: { tags: Record<string, string> | undefined }) {
  const entries = userTagEntries(props.tags);
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
