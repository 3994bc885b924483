import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import { ApiFailure } from './api/client.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiFailure | Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change and keeps only the latest answer: a slow
 * answer to an older request never overwrites a newer one. A failed reload of
 * the same thing (a live page's poll during a network blip) keeps what was
 * shown, with the error beside it; a failure for new deps shows nothing stale.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiFailure | Error; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const loadedFor = useRef<readonly unknown[] | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => {
        if (controller.signal.aborted) return;
        loadedFor.current = deps;
        setState({ data, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = error instanceof Error ? error : new Error(String(error));
        const sameSubject =
          loadedFor.current?.length === deps.length && deps.every((dep, i) => Object.is(dep, loadedFor.current?.[i]));
        setState((previous) => ({ ...(sameSubject ? { data: previous.data } : {}), error: failure, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);
  return { ...state, data: state.data, reload: () => setGeneration((n) => n + 1) } as Loaded<T>;
}

/** Calls `tick` every `ms` while `active` and the tab is visible; stops when hidden, resumes when shown. */
export function usePolling(tick: () => void, ms: number, active: boolean) {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    let timer: number | undefined;
    const start = () => {
      if (timer === undefined && document.visibilityState === 'visible') {
        timer = window.setInterval(() => latest.current(), ms);
      }
    };
    const stop = () => {
      window.clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') {
        latest.current();
        start();
      } else stop();
    };
    start();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [active, ms]);
}

/**
 * Whether a CSS media query matches, following it as the window is resized or
 * turned: a layout that differs on a phone renders only the one that is seen.
 */
export function useMediaQuery(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const list = window.matchMedia(query);
    const onChange = () => setMatches(list.matches);
    onChange();
    list.addEventListener('change', onChange);
    return () => list.removeEventListener('change', onChange);
  }, [query]);
  return matches;
}

/** True once the element has come near the viewport (charts are built lazily). */
export function useNearViewport<E extends Element>(margin = '200px') {
  const ref = useRef<E>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || near) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { rootMargin: margin },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [near]);
  return [ref, near] as const;
}

/**
 * fetch's own failure when no answer came at all (Chromium "Failed to fetch",
 * Firefox "NetworkError when attempting to fetch resource.", Safari "Load
 * failed"): offline, or the API is down. Said as such, not in browser words.
 */
export const isNetworkFailure = (error: unknown) =>
  error instanceof TypeError && /fetch|network|load failed/i.test(error.message);

export const networkFailureMessage =
  'Stratus did not answer: the network is down or the service is unreachable. Try again in a moment.';

/**
 * A 503 or 429 that outlasted the retries (api/retry.ts), or a gateway's 502/504: said as a person would
 * (the API's words are lower-case internals: "service unavailable").
 */
export const busyMessage = (status: number) =>
  `Stratus is ${status === 429 ? 'busy with other requests' : 'unavailable for a moment'} (HTTP ${status}). Try again shortly.`;

export const describeError = (error: unknown) =>
  error instanceof ApiFailure
    ? error.status === 403
      ? `Not allowed: ${error.message}`
      : [429, 502, 503, 504].includes(error.status)
        ? busyMessage(error.status)
        : error.message
    : isNetworkFailure(error)
      ? networkFailureMessage
      : error instanceof Error
        ? error.message
        : String(error);

/**
 * The width of `element` in CSS pixels, at least `min`, followed as it is resized: a chart drawn
 * at its measured width (one SVG unit a pixel) keeps its labels at their size on a phone.
 */
export function useMeasuredWidth(element: RefObject<HTMLElement | null>, min: number, initial = 640): number {
  const [width, setWidth] = useState(initial);
  useLayoutEffect(() => {
    const measured = element.current;
    if (!measured) return;
    const measure = () => setWidth(Math.max(min, Math.round(measured.clientWidth)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(measured);
    return () => observer.disconnect();
  }, [min]);
  return width;
}
