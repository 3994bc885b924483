import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on a fixed loopback port in front of the test stack that can be
 * stopped and restarted (connections refused meanwhile), or made to lose the
 * answers of requests it forwarded. Records the Idempotency-Key of matching requests.
 */
export class FlakyProxy {
  loseAnswers = 0;
  pathContains = '/metrics';
  readonly idempotencyKeys: Array<string | undefined> = [];
  private server: Server | undefined;
  port = 0;

  constructor(private readonly upstream: string) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const matches = (request.url ?? '').includes(this.pathContains);
      if (matches) this.idempotencyKeys.push(request.headers['idempotency-key'] as string | undefined);
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => !['host', 'connection', 'content-length'].includes(name),
        ) as Array<[string, string]>,
      );
      const answer = await fetch(`${this.upstream}${request.url}`, {
        method: request.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await answer.arrayBuffer());
      if (matches && this.loseAnswers > 0) {
        this.loseAnswers--;
        request.socket.destroy();
        return;
      }
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      response.end(body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
