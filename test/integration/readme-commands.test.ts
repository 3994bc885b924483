import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * The README's curl walk-through (section "The API", the block that starts with
 * `API=http://127.0.0.1:8000/api/v1`, and the search examples under "Routes")
 * runs as written against a local stack: only the address and the token file
 * are swapped. Every curl fails on an HTTP error (`--fail-with-body`), so a
 * command the service refuses, such as an upload PUT missing a header the plan
 * signs, fails this test instead of printing an XML error for a reader to find.
 */
const local = useTestStack();

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The lines of the fenced bash block that contains `first`, from that line to the block's end. */
function bashBlockFrom(first: string): string {
  const start = readme.indexOf(first);
  if (start < 0) throw new Error(`README no longer has '${first}'`);
  const end = readme.indexOf('\n```', start);
  return readme.slice(start, end);
}

test('the README curl walk-through runs as written, every command answered without an HTTP error', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'stratus-readme-'));
  try {
    const walkThrough = bashBlockFrom('API=http://127.0.0.1:8000/api/v1');
    const search = bashBlockFrom('curl -s -H "$AUTH" "$API/runs/search?');
    const script = [
      'set -euo pipefail',
      // A failing HTTP status fails the command (and so the script), with the body on stderr.
      'curl() { command curl --fail-with-body --show-error "$@"; }',
      walkThrough
        .replace('http://127.0.0.1:8000', local.stack.url)
        .replace('$(cat .stratus/token)', `'${local.stack.token}'`),
      search,
    ].join('\n');
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: directory, timeout: 60_000 });
    // The last command, the comparison as CSV, shows the run with the metrics logged above.
    // (Only the end in the message: the middle of the output is the whole OpenAPI document.)
    const end = stdout.slice(-600);
    expect(end).toMatch(
      /run_id,run_name,status,start_time,metrics\.accuracy,metrics\.loss\r\n[0-9a-f]{32},baseline_v1,FINISHED,/,
    );
    // The download at the end of the walk-through returns what was uploaded.
    expect(stdout.slice(0, stdout.indexOf('"openapi"')).slice(-400)).toContain('hello\n');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}, 90_000);
