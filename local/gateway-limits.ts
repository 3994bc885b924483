import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { lambdaResponsePayloadBytes } from '../shared/domain/answer-size.ts';

/**
 * The request limits API Gateway (HTTP API) enforces before any function runs,
 * which the local server enforces the same way, answering in the API's JSON
 * error shape (API Gateway answers with a 4xx and a body of its own):
 *
 * - the request line and the header values together: at most 10,240 bytes;
 * - the payload: at most 10 MB (the functions enforce Stratus's own 1 MiB).
 *
 * Node's HTTP parser stops at `parserHeaderBytes`; beyond that the request
 * never reaches a handler, and `answerClientError` answers instead of the bare
 * 431 (or reset connection) Node would give.
 */
export const gatewayLimits = {
  requestLineAndHeaderBytes: 10_240,
  bodyBytes: 10 * 1024 * 1024,
} as const;

/** Node's parser accepts this much header before giving up; larger than the gateway limit, so most get a precise answer. */
export const parserHeaderBytes = 128 * 1024;

export interface GatewayRefusal {
  status: number;
  body: { error: { code: string; message: string } };
}

const refusal = (status: number, code: string, message: string): GatewayRefusal => ({
  status,
  body: { error: { code, message } },
});

/** Why API Gateway would refuse this request's line and headers, if it would. */
export function requestHeadRefusal(request: IncomingMessage): GatewayRefusal | undefined {
  const limit = gatewayLimits.requestLineAndHeaderBytes;
  const requestLine = Buffer.byteLength(`${request.method} ${request.url} HTTP/${request.httpVersion}`);
  if (requestLine > limit) {
    return refusal(414, 'request.uri_too_long', `the request line is ${requestLine} bytes; the limit is ${limit}`);
  }
  let total = requestLine;
  for (let i = 1; i < request.rawHeaders.length; i += 2) total += Buffer.byteLength(request.rawHeaders[i] as string);
  if (total > limit) {
    return refusal(
      431,
      'request.headers_too_large',
      `the request line and header values are ${total} bytes; the limit is ${limit}`,
    );
  }
  return undefined;
}

/**
 * The largest answer a function can give: Lambda's synchronous response payload, the JSON of the
 * whole result (status, headers and the body as an escaped string), is at most 6 MB. Past it the
 * invocation fails and API Gateway answers 500 `{"message":"Internal Server Error"}`; the handler
 * factory answers a 400 naming what is too large before that (shared/http/answer-bound.ts).
 */
export { lambdaResponsePayloadBytes };

/**
 * Why AWS would fail this function result, if it would: the local server still sends the answer
 * (a run at every documented limit at once answers about 10 MB: docs/data-model.md), and says on
 * stderr that it could not be sent from Lambda, so that a developer sees it.
 */
export function responseTooLarge(result: unknown): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes <= lambdaResponsePayloadBytes) return undefined;
  return `the function's answer is ${bytes} bytes, over Lambda's ${lambdaResponsePayloadBytes}: in AWS the invocation fails and API Gateway answers 500`;
}

export const bodyTooLarge = () =>
  refusal(413, 'request.too_large', `the request body exceeds ${gatewayLimits.bodyBytes} bytes`);

/**
 * Answers a request Node's parser gave up on (headers past `parserHeaderBytes`,
 * a malformed request line) with the JSON error shape, then closes the
 * connection gently: the answer is sent with FIN, and whatever the client is
 * still sending is read and dropped, so its kernel does not reset the
 * connection before it reads the answer.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const answer =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? refusal(
          431,
          'request.headers_too_large',
          `the request line and headers exceed ${gatewayLimits.requestLineAndHeaderBytes} bytes`,
        )
      : error.code === 'HPE_URI_TOO_LONG'
        ? refusal(
            414,
            'request.uri_too_long',
            `the request line exceeds ${gatewayLimits.requestLineAndHeaderBytes} bytes`,
          )
        : refusal(400, 'request.malformed', 'the request is not valid HTTP/1.1');
  const body = JSON.stringify(answer.body);
  const reason = { 400: 'Bad Request', 414: 'URI Too Long', 431: 'Request Header Fields Too Large' }[answer.status];
  socket.end(
    `HTTP/1.1 ${answer.status} ${reason}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  socket.resume();
  socket.on('error', () => socket.destroy());
  setTimeout(() => socket.destroy(), 2000).unref();
}
