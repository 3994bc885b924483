import { connect } from 'node:net';
import { describe, expect, test } from 'vitest';
import { routeList } from '../../shared/http/route-table.ts';
import { gatewayLimits } from '../../local/gateway-limits.ts';
import { useTestStack } from '../support/local-api.ts';

/**
 * The local server answers what API Gateway refuses before any function runs
 * (request line and header values over 10,240 bytes, bodies over 10 MB,
 * malformed HTTP) with the API's JSON error shape, on every route, never with
 * an empty body or a reset connection. Raw sockets, so nothing between the test
 * and the server trims or refuses anything first.
 */
const local = useTestStack();

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** Sends `head` (and `body`) over a fresh connection and reads the whole answer until the server closes. */
function rawRequest(head: string, body: Buffer | string = ''): Promise<RawAnswer> {
  const { port } = new URL(local.stack.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const headers = split < 0 ? text : text.slice(0, split);
      const raw = split < 0 ? '' : text.slice(split + 4);
      const body = /transfer-encoding: chunked/i.test(headers) ? unchunk(raw) : raw;
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0), headers, body });
    });
    // No half-close: the server answers, then closes (connection: close).
    socket.write(head);
    if (body.length) socket.write(body);
  });
}

/** The body of a chunked answer. */
function unchunk(raw: string): string {
  let body = '';
  let rest = raw;
  for (;;) {
    const end = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, end), 16);
    if (!(size > 0)) return body;
    body += rest.slice(end + 2, end + 2 + size);
    rest = rest.slice(end + 2 + size + 2);
  }
}

const requestHead = (method: string, target: string, headers: Record<string, string> = {}) =>
  `${method} ${target} HTTP/1.1\r\nhost: local\r\nconnection: close\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;

function expectJsonError(answer: RawAnswer, status: number, code: string) {
  expect(answer.status, `${answer.headers}\n\n${answer.body}`).toBe(status);
  expect(answer.headers.toLowerCase()).toContain('content-type: application/json');
  expect(JSON.parse(answer.body).error.code).toBe(code);
}

const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'x');

describe.each(routeList.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test('oversized headers, a 64 KiB Authorization, an oversized URL: the JSON error shape', async () => {
    const path = concrete(route.path);
    expectJsonError(
      await rawRequest(requestHead(route.method, path, { 'x-padding': 'a'.repeat(11 * 1024) })),
      431,
      'request.headers_too_large',
    );
    expectJsonError(
      await rawRequest(requestHead(route.method, path, { authorization: `Bearer ${'a'.repeat(64 * 1024)}` })),
      431,
      'request.headers_too_large',
    );
    expectJsonError(
      await rawRequest(requestHead(route.method, `${path}?q=${'a'.repeat(16 * 1024)}`)),
      414,
      'request.uri_too_long',
    );
  });
});

test('headers past what the parser reads at all (300 KiB) still get the JSON error, not a reset', async () => {
  const answer = await rawRequest(
    requestHead(
      'GET',
      '/api/v1/experiments',
      Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x-padding-${i}`, 'a'.repeat(10 * 1024)])),
    ),
  );
  expectJsonError(answer, 431, 'request.headers_too_large');
});

test('just under the limit is served as usual', async () => {
  const head = requestHead('GET', '/api/v1/experiments', { authorization: `Bearer ${local.stack.token}` });
  const padding = gatewayLimits.requestLineAndHeaderBytes - Buffer.byteLength(head) - 200;
  const answer = await rawRequest(
    requestHead('GET', '/api/v1/experiments', {
      authorization: `Bearer ${local.stack.token}`,
      'x-padding': 'a'.repeat(padding),
    }),
  );
  expect(answer.status, `${answer.headers}\n\n${answer.body}`).toBe(200);
});

test('malformed HTTP and a body over 10 MB get the JSON error shape', async () => {
  expectJsonError(await rawRequest('NOT HTTP AT ALL\r\n\r\n'), 400, 'request.malformed');
  const size = gatewayLimits.bodyBytes + 1;
  const answer = await rawRequest(
    requestHead('POST', '/api/v1/experiments', {
      authorization: `Bearer ${local.stack.token}`,
      'content-type': 'application/json',
      'content-length': String(size),
    }),
    Buffer.alloc(size, 0x20),
  );
  expectJsonError(answer, 413, 'request.too_large');
});
