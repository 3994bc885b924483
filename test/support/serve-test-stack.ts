import { startLocalStack } from '../../local/stack.ts';
import { issueToken } from '../../shared/domain/tokens.ts';

/**
 * A throwaway local stack for the client test suites that are not vitest (pytest):
 * DynamoDB Local in memory and the API, each on a free loopback port, with a
 * fresh admin token. Prints one JSON line `{"url": ..., "token": ...}` once it
 * answers, and stops everything on SIGTERM/SIGINT or when stdin closes, so a
 * test runner that dies cannot leave a JVM behind.
 *
 *   npx tsx test/support/serve-test-stack.ts
 */
// Small multipart settings (S3's 5 MiB minimum), so tests exercise parallel part uploads with small files.
process.env.STRATUS_MULTIPART_THRESHOLD_BYTES ??= String(5 * 1024 * 1024);
process.env.STRATUS_MULTIPART_PART_SIZE_BYTES ??= String(5 * 1024 * 1024);

const token = issueToken().token;
const stack = await startLocalStack({ port: 0, logLevel: 'error', bootstrapToken: token, authCacheSeconds: 0 });

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
