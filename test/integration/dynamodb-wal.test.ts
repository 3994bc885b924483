import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { sharedDatabaseFile } from '../../local/dynamodb-wal.ts';
import { freePort } from '../../local/stack.ts';
import { ensureTable } from '../../local/table-bootstrap.ts';

/**
 * DynamoDB Local on disk runs on a SQLite file in WAL mode, with a checkpointer
 * beside it (local/dynamodb-wal.ts): the mode is set before it opens the file,
 * an older file in rollback mode is converted with its data, the log is cut
 * once writes pause, and without Python the file simply stays as it was.
 */
const table = 'wal-test';
// ensureTable takes the SDK's default credentials; DynamoDB Local accepts any.
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
const directories: string[] = [];
const running: DynamoDbLocal[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((db) => db.stop()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  delete process.env.STRATUS_PYTHON;
});

async function start(dataDirectory: string) {
  const db = await startDynamoDbLocal({ port: await freePort(), dataDirectory });
  running.push(db);
  await ensureTable(db.endpoint, 'us-east-1', table);
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: db.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  return { db, documents };
}

/** Writes up to `count` items, 25 a request, sooner done once `enough` says so; answers how many it wrote. */
async function writeItems(documents: DynamoDBDocumentClient, count: number, tag: string, enough = () => false) {
  let first = 0;
  for (; first < count && !enough(); first += 25) {
    const items = Array.from({ length: Math.min(25, count - first) }, (_, i) => ({
      PutRequest: { Item: { pk: `P#${tag}`, sk: String(first + i).padStart(6, '0'), payload: 'x'.repeat(500) } },
    }));
    await documents.send(new BatchWriteCommand({ RequestItems: { [table]: items } }));
  }
  return Math.min(first, count);
}

async function countItems(documents: DynamoDBDocumentClient, tag: string) {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `P#${tag}` },
        ExclusiveStartKey: start,
        Select: 'COUNT',
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Bytes 18 and 19 of a SQLite file: 1 for the rollback journal, 2 for WAL. */
function fileFormat(file: string): [number, number] {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  return [header[18] as number, header[19] as number];
}

/**
 * The checkpoint sequence number of a write-ahead log (bytes 12-15 of its
 * header, big-endian), which SQLite moves each time it starts the log over,
 * and the file's size; undefined while the log has no header yet.
 */
function logHeader(file: string): { checkpointSequence: number; bytes: number } | undefined {
  if (!existsSync(file)) return undefined;
  const header = Buffer.alloc(32);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, header, 0, 32, 0) < 32) return undefined;
    return { checkpointSequence: header.readUInt32BE(12), bytes: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

function newDirectory() {
  const directory = mkdtempSync(join(tmpdir(), 'stratus-wal-'));
  directories.push(directory);
  return directory;
}

async function waitFor(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

describe('DynamoDB Local on disk', () => {
  it('writes through a write-ahead log that the checkpointer cuts once writes pause', async () => {
    const directory = newDirectory();
    const file = sharedDatabaseFile(directory);
    const { db, documents } = await start(directory);
    expect(fileFormat(file)).toEqual([2, 2]);
    expect(db.checkpointerPid).toBeTypeOf('number');

    await writeItems(documents, 1000, 'a');
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(1024 * 1024);
    // Two quiet ticks of one second: the log is copied into the file and truncated.
    expect(await waitFor(() => statSync(`${file}-wal`).size === 0, 15_000)).toBe(true);
    expect(await countItems(documents, 'a')).toBe(1000);

    await db.stop();
    running.splice(running.indexOf(db), 1);
    expect(() => process.kill(db.checkpointerPid as number, 0)).toThrow();
    const again = await start(directory);
    expect(await countItems(again.documents, 'a')).toBe(1000);
  });

  it('keeps the log bounded while writes never pause: DynamoDB Local starts it over as they go on', async () => {
    const directory = newDirectory();
    const file = sharedDatabaseFile(directory);
    const { documents } = await start(directory);
    // 8 writers keep DynamoDB Local's one SQLite thread busy: 6,400 items write about 160 MB of log. With a
    // checkpoint a second the log was never started over and held all of it. The catch-up checkpoints let
    // DynamoDB Local start it over now and then: one must end between two of its commits, so how often
    // depends on the load (3,200 items: 1 to 7 start-overs and high-water marks of 15 to 66 MB at load 3 to
    // 7). Each start-over writes a new checkpoint sequence number into the log's header, which is what is
    // counted here: a size bound alone would depend on the load.
    const writers = 8;
    const perWriter = 800;
    const sequences = new Set<number>();
    let highWater = 0;
    let writing = true;
    const watching = (async () => {
      while (writing) {
        const header = logHeader(`${file}-wal`);
        if (header) {
          sequences.add(header.checkpointSequence);
          highWater = Math.max(highWater, header.bytes);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // The writers stop once two start-overs are seen: under CI's load the whole 6,400 took over two minutes.
    const written = await Promise.all(
      Array.from({ length: writers }, (_, w) => writeItems(documents, perWriter, `w${w}`, () => sequences.size >= 2)),
    );
    writing = false;
    await watching;
    expect(sequences.size, `log high-water ${(highWater / 2 ** 20).toFixed(1)} MB`).toBeGreaterThanOrEqual(2);
    const counts = await Promise.all(Array.from({ length: writers }, (_, w) => countItems(documents, `w${w}`)));
    expect(counts).toEqual(written);
  }, 300_000);

  it('converts a file kept in rollback mode, data and all, and keeps it as it is without Python', async () => {
    const directory = newDirectory();
    const file = sharedDatabaseFile(directory);
    process.env.STRATUS_PYTHON = join(directory, 'no-such-python');
    const first = await start(directory);
    expect(first.db.checkpointerPid).toBeUndefined();
    await writeItems(first.documents, 100, 'b');
    await first.db.stop();
    running.splice(running.indexOf(first.db), 1);
    expect(fileFormat(file)).toEqual([1, 1]);
    expect(existsSync(`${file}-wal`)).toBe(false);

    delete process.env.STRATUS_PYTHON;
    const second = await start(directory);
    expect(fileFormat(file)).toEqual([2, 2]);
    expect(await countItems(second.documents, 'b')).toBe(100);
    await writeItems(second.documents, 100, 'c');
    expect(await countItems(second.documents, 'c')).toBe(100);
  });
});
