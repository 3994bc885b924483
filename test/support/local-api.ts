import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

/** The local stack on a free loopback port, on a table of this test file's own. */
export async function startTestStack(): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    tableName: `test-${randomUUID().slice(0, 8)}`,
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    logLevel: 'error',
  });
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small JSON client for the local API. */
export function apiClient(baseUrl: string) {
  const call = async <T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // leave non-JSON bodies as text
    }
    return { status: response.status, headers: response.headers, body: parsed as T };
  };
  return {
    call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body, headers),
    patch: <T = any>(path: string, body?: unknown) => call<T>('PATCH', path, body),
  };
}
