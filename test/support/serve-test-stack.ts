import { startLocalStack } from '../../local/stack.ts';
import { issueToken } from '../../shared/domain/tokens.ts';

/**
 * A throwaway local stack for the client test suites that are not vitest (pytest):
 * DynamoDB Local in memory, the S3 server and the API, each on a free loopback port, with a
 * fresh admin token. Prints one JSON line `{"url": ..., "token": ...}` once it
 * answers, and stops everything on SIGTERM/SIGINT or when stdin closes, so a
 * test runner that dies cannot leave a JVM behind.
 *
 *   npx tsx test/support/serve-test-stack.ts
 */
const token = issueToken().token;
const MiB = 1024 * 1024;
const stack = await startLocalStack({
  port: 0,
  logLevel: 'error',
  bootstrapToken: token,
  authCacheSeconds: 0,
  // S3's 5 MiB minimum, so tests exercise parallel part uploads with small files.
  multipartThresholdBytes: 5 * MiB,
  partSizeBytes: 5 * MiB,
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();

process.stdout.write(`${JSON.stringify({ url: stack.url, token })}\n`);
