import createClient, { type Middleware } from 'openapi-fetch';
import { readToken } from './auth.ts';
import { retryingFetch } from './retry.ts';
import type { components, paths } from './schema.gen.ts';

/**
 * The app's only way to the server: openapi-fetch typed by the generated
 * `paths`, so every call's parameters and answer are checked against the
 * route table. Every request carries the user's token; a 401 anywhere calls
 * `onUnauthorized` (the app goes back to sign-in). Reads
 * answered 503/429 are asked again after Retry-After (./retry.ts).
 */
export type ApiPaths = paths;
export type ApiError = components['schemas']['Error'];

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let unauthorizedListener: (() => void) | undefined;
export const onUnauthorized = (listener: () => void) => {
  unauthorizedListener = listener;
};

const authentication: Middleware = {
  onRequest({ request }) {
    const token = readToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
};

/** Where the API is: the same origin locally; in AWS, `config.json` next to the app names it. */
export async function loadApiBase(): Promise<string> {
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok || !response.headers.get('content-type')?.includes('json')) return '';
    const config = (await response.json()) as { api_url?: unknown };
    return typeof config.api_url === 'string' ? config.api_url.replace(/\/+$/, '') : '';
  } catch {
    return '';
  }
}

// Looked up at each call, so the browser's fetch is the one in use.
const apiFetch = retryingFetch((request, init) => fetch(request, init));

export let apiBase = '';
export let api = createClient<paths>({ baseUrl: '', fetch: apiFetch });

export function configureApi(base: string) {
  apiBase = base;
  api = createClient<paths>({ baseUrl: base, fetch: apiFetch });
  api.use(authentication);
}
configureApi('');

/** Turns an openapi-fetch answer into its data, or throws an ApiFailure with the API's message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.data !== undefined) return result.data;
  const status = result.response.status;
  const body = result.error as Partial<ApiError> | undefined;
  const code = body?.error?.code ?? `http.${status}`;
  const message = body?.error?.message ?? `${result.response.statusText || 'request failed'} (HTTP ${status})`;
  if (status === 401) unauthorizedListener?.();
  throw new ApiFailure(status, code, message);
}

/** A raw authenticated request for answers openapi-fetch does not parse (CSV). */
export async function fetchText(path: string, init: RequestInit): Promise<string> {
  const headers = new Headers(init.headers);
  const token = readToken();
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await apiFetch(new Request(`${apiBase}${path}`, { ...init, headers }));
  const text = await response.text();
  if (response.ok) return text;
  let message = `HTTP ${response.status}`;
  let code = `http.${response.status}`;
  try {
    const body = JSON.parse(text) as ApiError;
    message = body.error.message;
    code = body.error.code;
  } catch {
    // keep the status line
  }
  if (response.status === 401) unauthorizedListener?.();
  throw new ApiFailure(response.status, code, message);
}
