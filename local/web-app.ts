import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { contentSecurityPolicy, isAppRoute, otherSecurityHeaders } from '../web/security-headers.ts';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface WebApp {
  serve(request: IncomingMessage, response: ServerResponse): void;
}

/**
 * Serves the built web app (`web/dist`) next to the API, with the headers
 * CloudFront sends in AWS: app routes get index.html, hashed assets are cached
 * for a year, index.html never. Without a build it answers with how to make one.
 */
export function webApp(options: { root: string; artifactOrigins: readonly string[] }): WebApp {
  const root = normalize(options.root);
  const securityHeaders = {
    'content-security-policy': contentSecurityPolicy({
      connectOrigins: options.artifactOrigins,
      imageOrigins: options.artifactOrigins,
    }),
    ...otherSecurityHeaders,
  };
  return {
    serve(request, response) {
      request.resume();
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      if (!existsSync(join(root, 'index.html'))) {
        response
          .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
          .end('The web UI is not built yet: run `npm run setup` (or `npm --prefix web run build`).\n');
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(new URL(request.url ?? '/', 'http://local').pathname);
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('bad path\n');
        return;
      }
      // In AWS, config.json names the API's origin; here the API is this origin.
      if (path === '/config.json') {
        response.writeHead(200, {
          'content-type': 'application/json',
          'cache-control': 'no-cache',
          ...securityHeaders,
        });
        response.end(request.method === 'HEAD' ? undefined : '{}');
        return;
      }
      const file = isAppRoute(path) ? join(root, 'index.html') : normalize(join(root, path));
      if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
        response.writeHead(404, { 'content-type': 'text/plain', ...securityHeaders }).end('not found\n');
        return;
      }
      const immutable = file.startsWith(join(root, 'assets') + sep);
      response.writeHead(200, {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'content-length': statSync(file).size,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...securityHeaders,
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    },
  };
}
