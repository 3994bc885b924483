import type { AnchorHTMLAttributes, TargetedMouseEvent } from 'preact';
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';

/**
 * Every view is a URL: the path names the page, the query holds what
 * describes the view (filter, order, columns, selection, chart zoom), so a
 * link pasted to a colleague opens the same view. History API, no hash.
 */
export type Route =
  | { page: 'signin' }
  | { page: 'experiments' }
  | { page: 'experiment'; experimentId: string }
  | { page: 'run'; runId: string }
  | { page: 'compare' }
  | { page: 'models' }
  | { page: 'model'; modelName: string }
  | { page: 'modelVersion'; modelName: string; version: number }
  | { page: 'tokens' }
  | { page: 'notfound' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'experiments' };
  const [first, second, ...rest] = parts;
  // Model names cannot hold '/', so a version is /models/<name>/versions/<n>.
  if (first === 'models' && second !== undefined && rest.length === 2 && rest[0] === 'versions') {
    return /^[1-9]\d{0,8}$/.test(rest[1] as string)
      ? { page: 'modelVersion', modelName: second, version: Number(rest[1]) }
      : { page: 'notfound' };
  }
  if (rest.length > 0) return { page: 'notfound' };
  if (first === 'models') return second === undefined ? { page: 'models' } : { page: 'model', modelName: second };
  if (first === 'signin' && second === undefined) return { page: 'signin' };
  if (first === 'experiments')
    return second === undefined ? { page: 'experiments' } : { page: 'experiment', experimentId: second };
  if (first === 'runs' && second !== undefined) return { page: 'run', runId: second };
  if (first === 'compare' && second === undefined) return { page: 'compare' };
  if (first === 'tokens' && second === undefined) return { page: 'tokens' };
  return { page: 'notfound' };
}

/**
 * A run's or an experiment's id as the API takes it (32 lowercase hex): an address with another
 * (a typo, a name) is not found without asking, which answers 400.
 */
export const isEntityId = (id: string) => /^[0-9a-f]{32}$/.test(id);
/** The default experiment's id is "0". */
export const isExperimentId = (id: string) => id === '0' || isEntityId(id);

export const paths = {
  experiments: () => '/experiments',
  experiment: (id: string) => `/experiments/${encodeURIComponent(id)}`,
  run: (id: string) => `/runs/${encodeURIComponent(id)}`,
  compare: (runIds: readonly string[]) => `/compare?runs=${runIds.map(encodeURIComponent).join(',')}`,
  signin: () => '/signin',
  tokens: () => '/tokens',
  models: () => '/models',
  model: (name: string) => `/models/${encodeURIComponent(name)}`,
  modelVersion: (name: string, version: number) => `/models/${encodeURIComponent(name)}/versions/${version}`,
};

type Listener = () => void;
const listeners = new Set<Listener>();
const notify = () => listeners.forEach((listener) => listener());

const leaveListeners = new Set<() => void>();
/**
 * Calls `listener` when the user leaves the page (a link, Back, Forward),
 * while it is still on screen as they left it: a scroll position read later,
 * once the next page renders, may already be clamped.
 */
export function onLeave(listener: () => void): () => void {
  leaveListeners.add(listener);
  return () => void leaveListeners.delete(listener);
}
const leave = () => leaveListeners.forEach((listener) => listener());

/** Whether the view on screen was reached by Back or Forward (not a link, a reload or a query change). */
let traversed = false;
window.addEventListener('popstate', () => {
  leave();
  traversed = true;
  notify();
});
export const arrivedByHistory = () => traversed;

/**
 * How far the window was scrolled when the user left this history entry, for
 * a page that rebuilds its content on Back (the browser's own restoration
 * runs before the rows are there). Undefined unless arrived by Back/Forward.
 */
export const leftAtScrollY = (): number | undefined => {
  const state: unknown = history.state;
  return traversed && state && typeof state === 'object' && 'scrollY' in state && typeof state.scrollY === 'number'
    ? state.scrollY
    : undefined;
};

export interface CurrentLocation {
  path: string;
  query: URLSearchParams;
  /** Changes with every navigation, for effects that depend on the whole URL. */
  href: string;
}

const current = (): CurrentLocation => ({
  path: location.pathname,
  query: new URLSearchParams(location.search),
  href: location.pathname + location.search,
});

export function useLocation(): CurrentLocation {
  const [value, setValue] = useState(current);
  useEffect(() => {
    const update = () => setValue(current());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return value;
}

export function navigate(url: string, options: { replace?: boolean } = {}) {
  if (url === location.pathname + location.search) return;
  leave();
  traversed = false;
  if (options.replace) history.replaceState(null, '', url);
  else {
    // The entry being left keeps its scroll position, for Back (leftAtScrollY).
    history.replaceState({ scrollY: window.scrollY }, '');
    history.pushState(null, '', url);
  }
  window.scrollTo?.(0, 0);
  notify();
}

/**
 * Changes query parameters of the current view (undefined or '' removes one; a list repeats it).
 * View tweaks replace the history entry, so Back leaves the page rather than undoing each keystroke.
 */
export function updateQuery(
  changes: Record<string, string | readonly string[] | undefined>,
  options: { push?: boolean } = {},
) {
  const query = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(changes)) {
    query.delete(name);
    if (typeof value === 'string') {
      if (value !== '') query.set(name, value);
    } else if (value) {
      for (const item of value) query.append(name, item);
    }
  }
  const search = query.toString();
  const url = location.pathname + (search ? `?${search}` : '');
  if (url === location.pathname + location.search) return;
  if (options.push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  notify();
}

/** An <a> that navigates inside the app (a modified click still opens a new tab). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(props.href);
  };
  return h('a', { ...props, onClick });
}
