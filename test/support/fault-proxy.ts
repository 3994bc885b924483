import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy in front of a real server (DynamoDB Local, the S3 server) that can
 * be switched to fail the way an AWS service fails, so tests can see what every
 * route answers during an outage without killing the shared servers:
 *
 * - `pass`: forwards bytes both ways;
 * - `refuse`: stops listening (connection refused), as when the process is dead;
 * - `reset`: accepts, then drops the connection as soon as a request arrives;
 * - `hang`: accepts and reads, never answers (the SDK's socket timeout fires);
 * - `http500`: answers every request with a 500 InternalServerError;
 * - `throttle`: answers every request the way a service shedding load does.
 */
export type FaultMode = 'pass' | 'refuse' | 'reset' | 'hang' | 'http500' | 'throttle';

export interface FaultProxy {
  endpoint: string;
  setMode(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string, service: 'dynamodb' | 's3'): Promise<FaultProxy> {
  const { hostname, port: targetPort } = new URL(target);
  let mode: FaultMode = 'pass';
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const onConnection = (client: Socket) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (mode === 'pass') {
      const upstream = connect(Number(targetPort), hostname);
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
      return;
    }
    client.once('data', () => {
      if (mode === 'reset') client.resetAndDestroy();
      else if (mode === 'http500' || mode === 'throttle') client.end(failureResponse(service, mode));
      // hang: keep reading, never answer
    });
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server?.address() as { port: number }).port;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  // A mode change drops every open connection, as a dying service would: pooled keep-alive
  // sockets must not carry requests of the old mode into the new one.
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  await listen();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    setMode: async (next) => {
      const wasListening = mode !== 'refuse';
      mode = next;
      dropConnections();
      if (next === 'refuse' && wasListening) await stopListening();
      if (next !== 'refuse' && !wasListening) await listen();
    },
    close: async () => {
      dropConnections();
      await stopListening();
    },
  };
}

function failureResponse(service: 'dynamodb' | 's3', mode: 'http500' | 'throttle'): string {
  const status =
    mode === 'http500' ? '500 Internal Server Error' : service === 's3' ? '503 Slow Down' : '400 Bad Request';
  const body =
    service === 'dynamodb'
      ? JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${mode === 'http500' ? 'InternalServerError' : 'ThrottlingException'}`,
          message: 'injected fault',
        })
      : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${mode === 'http500' ? 'InternalError' : 'SlowDown'}</Code><Message>injected fault</Message></Error>`;
  const type = service === 'dynamodb' ? 'application/x-amz-json-1.0' : 'application/xml';
  return [
    `HTTP/1.1 ${status}`,
    `content-type: ${type}`,
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
