import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { buildQueryString } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { notifyStorageCommand } from './command-observer.ts';
import { ServiceUnavailableError } from '../errors.ts';
import { asServiceOutage, awsCallLimits, retryAfterSeconds } from './service-outage.ts';

/**
 * The artifact store's S3 client: SigV4 (the SDK's own signer) over Node's
 * HTTP, for the handful of calls the service makes and the URLs it presigns.
 * The SDK's S3 client weighs about 170 kB in a bundle (its operation schemas,
 * endpoint rules, checksums, XML protocol), which alone would put every artifact
 * function over the 350 kB bundle target; this is about 10 kB on top of the
 * DynamoDB client, which already carries the signer's dependencies.
 *
 * Like the SDK client it retries throttling, 5xx, timeouts and dropped
 * connections within `awsCallLimits.s3`, names a failure after S3's error code
 * with `$metadata.httpStatusCode` (so `service-outage.ts` classifies it as it
 * does SDK errors), and tells the command observer about every call and
 * presigned URL under the SDK command's name (the local stack's IAM stand-in).
 * test/unit/s3-rest.test.ts checks its presigned URLs against the SDK's.
 */

export interface S3RestOptions {
  region: string;
  /** A local S3-compatible endpoint (path-style addressing); virtual-hosted AWS endpoints otherwise. */
  endpoint?: string | undefined;
  /** Time limit of each attempt, when not the default. */
  attemptTimeoutMs?: number | undefined;
  /** Where credentials come from; the environment by default (Lambda puts the role's there). */
  credentials?: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
}

export interface S3Call {
  /** The SDK command this call stands for, e.g. `HeadObjectCommand` (for the command observer). */
  command: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  bucket: string;
  /** The object; none for a call on the bucket (ListObjectsV2, DeleteObjects). */
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

export interface S3Presign extends Omit<S3Call, 'body'> {
  expiresInSeconds: number;
  /** Headers signed although S3's presigner would leave them out (content-type, say). */
  signableHeaders?: ReadonlySet<string>;
  /** Headers kept as headers rather than moved into the query string. */
  unhoistableHeaders?: ReadonlySet<string>;
  /** Tests pin the signing time. */
  signingDate?: Date;
}

export interface S3Response {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An S3 error answer, named after S3's code (`NoSuchUpload`, `SlowDown`, ...). */
export class S3ServiceError extends Error {
  readonly $metadata: { httpStatusCode: number };

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/** A SHA-256 (or, with a secret, an HMAC-SHA-256) in the shape the signer expects. */
class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

const bytes = (data: string | ArrayBuffer | ArrayBufferView): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** S3's encoding of an object key in a path: each segment URI-encoded, `/` kept (the SDK's rule). */
export const encodeKey = (key: string) =>
  key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');

const retryableStatus = (status: number) => status === 429 || status >= 500;

export class S3RestClient {
  private readonly signer: SignatureV4;
  private readonly presigner: SignatureV4;
  private readonly endpoint: URL | undefined;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly attemptTimeoutMs: number;
  private readonly connectionTimeoutMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: S3RestOptions) {
    const credentials = options.credentials ?? fromEnv();
    const base = { service: 's3', region: options.region, credentials, sha256: NodeSha256, uriEscapePath: false };
    // Calls carry their body's hash; presigned URLs leave the payload unsigned, as S3's presigner does.
    this.signer = new SignatureV4({ ...base, applyChecksum: true });
    this.presigner = new SignatureV4({ ...base, applyChecksum: false });
    this.endpoint = options.endpoint ? new URL(options.endpoint) : undefined;
    this.agent =
      this.endpoint?.protocol === 'http:' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? awsCallLimits.s3.requestTimeout;
    this.connectionTimeoutMs = awsCallLimits.s3.connectionTimeout;
    this.maxAttempts = awsCallLimits.s3.maxAttempts;
  }

  /** Closes idle connections (tests and short-lived scripts). */
  destroy(): void {
    this.agent.destroy();
  }

  /** The request line of an object (or bucket): path-style on a local endpoint, virtual-hosted on AWS. */
  private target(bucket: string, key: string | undefined) {
    if (this.endpoint) {
      const basePath = this.endpoint.pathname.replace(/\/$/, '');
      return {
        protocol: this.endpoint.protocol,
        hostname: this.endpoint.hostname,
        port: this.endpoint.port ? Number(this.endpoint.port) : undefined,
        path: key === undefined ? `${basePath}/${bucket}` : `${basePath}/${bucket}/${encodeKey(key)}`,
      };
    }
    const suffix = this.options.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    return {
      protocol: 'https:',
      hostname: `${bucket}.s3.${this.options.region}.${suffix}`,
      port: undefined,
      path: `/${key === undefined ? '' : encodeKey(key)}`,
    };
  }

  private request(call: Omit<S3Call, 'command'>) {
    const target = this.target(call.bucket, call.key);
    const host = target.port === undefined ? target.hostname : `${target.hostname}:${target.port}`;
    return {
      method: call.method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port === undefined ? {} : { port: target.port }),
      path: target.path,
      query: { ...call.query } as Record<string, string>,
      headers: { host, ...call.headers } as Record<string, string>,
      ...(call.body === undefined ? {} : { body: call.body }),
    };
  }

  /** A presigned URL for `call`, valid `expiresInSeconds`. */
  async presign(call: S3Presign): Promise<string> {
    notifyStorageCommand({ service: 's3', name: call.command, input: observedInput(call) });
    const request = this.request(call);
    // Spelled as S3's presigner spells it: the hoisted query parameter's name is signed.
    request.headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
    // S3's presigner leaves the content type unsigned unless asked to sign it.
    const unsignableHeaders = new Set(['content-type']);
    for (const header of call.signableHeaders ?? []) unsignableHeaders.delete(header);
    const signed = await this.presigner.presign(request, {
      expiresIn: call.expiresInSeconds,
      unsignableHeaders,
      ...(call.signableHeaders ? { signableHeaders: new Set(call.signableHeaders) } : {}),
      unhoistableHeaders: new Set(call.unhoistableHeaders ?? []),
      ...(call.signingDate ? { signingDate: call.signingDate } : {}),
    });
    return formatUrl(signed);
  }

  /** Sends `call`, retrying what S3 asks to retry; an S3 error answer throws an S3ServiceError. */
  async send(call: S3Call): Promise<S3Response> {
    notifyStorageCommand({ service: 's3', name: call.command, input: observedInput(call) });
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        const response = await this.attempt(call);
        failure = errorOf(response);
        if (!failure) return response;
      } catch (error) {
        failure = error;
      }
      // Anything but an S3 answer is a transport failure (refused, reset, timed out, garbled): an outage.
      const transport = !(failure instanceof S3ServiceError);
      const retryable = !(failure instanceof S3ServiceError) || retryableStatus(failure.$metadata.httpStatusCode);
      if (attempt >= this.maxAttempts || !retryable) {
        if (transport) throw new ServiceUnavailableError(retryAfterSeconds.unavailable, { cause: failure });
        throw asServiceOutage(failure);
      }
      // Full jitter, as the SDK's standard retry strategy.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2000, 100 * 2 ** attempt)));
    }
  }

  private async attempt(call: S3Call): Promise<S3Response> {
    // A length on every call that may carry a body, so Node never falls back to chunked encoding.
    const length = call.method === 'POST' || call.method === 'PUT' ? Buffer.byteLength(call.body ?? '') : undefined;
    const request = this.request({
      ...call,
      headers: { ...call.headers, ...(length === undefined ? {} : { 'content-length': String(length) }) },
    });
    const signed = await this.signer.sign(request);
    const send = signed.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<S3Response>((resolve, reject) => {
      const outgoing = send({
        method: signed.method,
        hostname: signed.hostname,
        port: signed.port,
        path: pathAndQuery(signed),
        headers: signed.headers,
        agent: this.agent,
      });
      const timeout = (what: string, ms: number) =>
        setTimeout(() => {
          const error = new Error(`S3 ${call.command}: no ${what} within ${ms} ms`);
          error.name = 'TimeoutError';
          outgoing.destroy(error);
        }, ms);
      const attemptTimer = timeout('answer', this.attemptTimeoutMs);
      const connectTimer = timeout('connection', this.connectionTimeoutMs);
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once('connect', () => clearTimeout(connectTimer));
      });
      outgoing.on('error', (error) => {
        clearTimeout(attemptTimer);
        clearTimeout(connectTimer);
        reject(error);
      });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          clearTimeout(attemptTimer);
          clearTimeout(connectTimer);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      outgoing.end(call.body);
    });
  }
}

/**
 * The error an answer carries: any status from 300 up, or a 200 whose body is
 * an `<Error>` (CompleteMultipartUpload can fail after it started answering).
 * HEAD answers have no body: the status names the error.
 */
function errorOf(response: S3Response): S3ServiceError | undefined {
  const failedLate = response.status === 200 && /^\s*(<\?xml[^>]*>\s*)?<Error>/.test(response.body);
  if (response.status < 300 && !failedLate) return undefined;
  const code =
    xmlText(response.body, 'Code') ??
    (response.status === 404 ? 'NotFound' : response.status === 403 ? 'Forbidden' : `Http${response.status}`);
  // A failure inside a 200 has no status of its own: InternalError and SlowDown are retried like 5xx.
  const lateStatus = code === 'SlowDown' ? 503 : code === 'InternalError' ? 500 : 400;
  const status = failedLate ? lateStatus : response.status;
  return new S3ServiceError(code, xmlText(response.body, 'Message') ?? code, status);
}

/** The text of the first `<name>` element of an S3 XML answer, entities decoded. */
export function xmlText(xml: string, name: string): string | undefined {
  return xmlTexts(xml, name)[0];
}

/** The texts of every `<name>` element of an S3 XML answer, in order, entities decoded. */
export function xmlTexts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => xmlDecode(match[1] ?? ''));
}

const xmlDecode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(x?)([0-9a-fA-F]+);/g, (_, hex: string, code: string) =>
      String.fromCodePoint(Number.parseInt(code, hex ? 16 : 10)),
    )
    .replace(/&amp;/g, '&');

/** What the command observer sees: the SDK command's input names (the local stack's IAM stand-in reads them). */
const observedInput = (call: Omit<S3Call, 'body'>): Record<string, unknown> => ({
  Bucket: call.bucket,
  ...(call.key === undefined ? {} : { Key: call.key }),
  ...(call.query?.prefix === undefined ? {} : { Prefix: call.query.prefix }),
});

export const xmlEscape = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

interface SignedRequest {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
}

/** The path (already encoded) and the query string, sorted and RFC 3986-encoded as the SDK formats URLs. */
function pathAndQuery(request: SignedRequest): string {
  const query = buildQueryString(request.query ?? {});
  return `${request.path}${query ? `?${query}` : ''}`;
}

function formatUrl(request: SignedRequest): string {
  const port = request.port === undefined ? '' : `:${request.port}`;
  return `${request.protocol}//${request.hostname}${port}${pathAndQuery(request)}`;
}
