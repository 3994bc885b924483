import { createHash } from 'node:crypto';
import { encodeSortableNumber } from '../domain/search/sortable-number.ts';
import type { Pipeline, PipelineComponent, Run } from '../domain/types.ts';
import { metricSlotIndex } from './table-definition.ts';
import {
  childRunKey,
  entityTypes,
  metricSlotPartition,
  metricSlotSortKey,
  metricIndexKey,
  metricPageKey,
  paramKey,
  paramRowKey,
  runKey,
  runsByExperimentKey,
  runsByNameKey,
  runValuesKey,
  tagIndexKey,
  tagPageKey,
} from './keys.ts';

/**
 * The items of a run, each with its keys and index keys, in one place: the
 * repositories write them and the benchmarks load them in bulk, so the two can
 * never disagree on an item's shape. docs/data-model.md explains the layout.
 */

/**
 * One metric key's latest value and bookkeeping, as stored in the run's values
 * item (or a metric page). Every batch rewrites it, so its attribute names are
 * one letter long.
 */
export interface StoredMetricEntry {
  /** The latest value as its exact decimal string (or NaN, Infinity, -Infinity). */
  v: string;
  /** Its step (the key's highest) and timestamp. */
  s: number;
  t: number;
  /** The key's lowest step. */
  l: number;
  /** The widest step span of any one chunk: history reads from step S look back this far. */
  w: number;
  /** Batches of this key whose chunks have landed; the rollup sealer checks it did not move while it read. */
  n: number;
  /** Rollups are sealed for every step below this one (a multiple of 512). */
  f: number;
  /**
   * Seal time (epoch ms; 0: never): when the last seal ended, or, while one is
   * in progress, when its claim runs out (odd when that seal is its sealer's
   * last in a row: batches recorded meanwhile wait for it, see rollups.ts).
   */
  g: number;
  /** Level-1 blocks below `f` (512 steps each, by index) with late points their rollups do not hold yet. */
  d?: number[];
  /**
   * Which rollup items readers read consistently for a moment (see
   * RecentSeals in shared/domain/rollup.ts): blocks below `f` down to the
   * lowest step the seals of the last seal's window of wall-clock time wrote,
   * and the same for the window before (absent: not known, all of them).
   */
  r?: number[];
  /**
   * The lowest step of the batches recorded since the last seal was claimed
   * (absent: none): a seal moves `f` no higher than the block this falls in.
   */
  m?: number;
  /** The key's first points when they were few: kept here instead of in a chunk item of their own. */
  h?: Uint8Array;
  /** The batch that wrote `h`: a retry of it adds nothing. */
  b?: string;
  /**
   * The experiment's metric slot of this key, when the run's latest value of
   * it is indexed through that slot's GSI (attributes `ms<x>pk`, `ms<x>sk` of
   * the item holding this entry) rather than by an index item of its own.
   * Given when the key first comes to the run, and kept for its life.
   */
  x?: number;
}

/** Run item bookkeeping for tags that did not fit on it. */
export interface TagLayout {
  /** Bumped by every tag write: tag writes are conditional on it, so they serialise. */
  tagVersion: number;
  /** Tags in all (on the item and on its pages). */
  tagCount: number;
  /** Pages TAGS#1..n. */
  tagPages: number;
}

export const emptyTagLayout: TagLayout = { tagVersion: 0, tagCount: 0, tagPages: 0 };

/**
 * A run's pipeline as its run item holds it: the free-form config as JSON
 * text, the way a client sent it. As a DynamoDB map it would be refused for
 * what JSON allows and DynamoDB does not: an empty key, an integer past 2^53,
 * a number beyond 1e125 or below 1e-130. Runs written before hold the map
 * (`config`); readers take either (run-reader.ts pipelineOf).
 */
export interface StoredPipeline {
  components: PipelineComponent[];
  configJson?: string;
  config?: Record<string, unknown>;
}

export const storedPipeline = (pipeline: Pipeline): StoredPipeline => ({
  components: pipeline.components,
  ...(pipeline.config === undefined ? {} : { configJson: JSON.stringify(pipeline.config) }),
});

/**
 * The run item: fields and tags (those that fit; the rest on tag pages). On
 * gsi1 (runs by start time, projected whole: listings read it alone) and gsi2
 * (runs by name, keys only).
 */
export const runItem = (
  workspace: string,
  run: Run,
  inlineTags: Record<string, string> = run.tags,
  layout: TagLayout = { ...emptyTagLayout, tagCount: Object.keys(run.tags).length },
) => ({
  ...runKey(workspace, run.runId),
  ...runsByExperimentKey(workspace, run.experimentId, run.startTime, run.runId),
  ...runsByNameKey(workspace, run.experimentId, run.runName, run.runId),
  type: entityTypes.run,
  ...run,
  pipeline: run.pipeline && storedPipeline(run.pipeline),
  tags: inlineTags,
  ...layout,
});

/** Bookkeeping of the values item. */
export interface ValuesLayout {
  /** Metric keys in all; registering keys is conditional on it, which enforces the per-run limit. */
  metricKeys: number;
  /** Pages METRICS#1..n. */
  metricPages: number;
  /** Set once params no longer fit here: every later param is an item of its own. */
  paramsOverflow?: boolean;
  /**
   * The run's number in its experiment (the experiment's run count after its
   * start was counted): which bucket row holds its param digests. Absent on
   * runs from before bucket rows, whose digests are on a row of their own.
   */
  runNumber?: number;
}

/** The run's params (those that fit) and latest metric values (those that fit): what search results carry. */
export const runValuesItem = (
  workspace: string,
  runId: string,
  params: Record<string, string>,
  metrics: Record<string, StoredMetricEntry>,
  layout: ValuesLayout,
) => ({
  ...runValuesKey(workspace, runId),
  type: entityTypes.runValues,
  params,
  metrics,
  ...layout,
});

export const metricPageItem = (
  workspace: string,
  runId: string,
  page: number,
  metrics: Record<string, StoredMetricEntry>,
) => ({ ...metricPageKey(workspace, runId, page), type: entityTypes.metricPage, metrics });

export const tagPageItem = (workspace: string, runId: string, page: number, tags: Record<string, string>) => ({
  ...tagPageKey(workspace, runId, page),
  type: entityTypes.tagPage,
  tags,
});

/** A param that did not fit the values item. */
export const paramItem = (workspace: string, runId: string, key: string, value: string) => ({
  ...paramKey(workspace, runId, key),
  type: entityTypes.param,
  key,
  value,
});

/** A search index entry's key (docs/search.md): what deletes it. */
export const metricIndexItem = (workspace: string, experimentId: string, runId: string, key: string, value: number) =>
  metricIndexKey(workspace, experimentId, key, encodeSortableNumber(value), runId);

/**
 * The attributes that index a run's latest value of `key` through metric slot
 * `slot` (the GSI of that slot, table-definition.ts): the key's slot partition
 * and the value's sort key (metricSlotPartition, metricSlotSortKey). The run
 * is the entry's table key: a GSI's sort keys need not be unique, and search
 * orders runs of one value itself.
 */
export const metricSlotAttributes = (
  slot: number,
  workspace: string,
  experimentId: string,
  key: string,
  value: number,
): Record<string, string> => {
  const index = metricSlotIndex(slot);
  return {
    [index.partitionKey]: metricSlotPartition(workspace, experimentId, key),
    [index.sortKey]: metricSlotSortKey(encodeSortableNumber(value)),
  };
};

/**
 * A metric index entry as written: its key and, when known, the digests of
 * every param its run has (`entryParamDigests`), so that a param equality beside
 * a metric clause is answered from the entries the metric clause reads anyway,
 * without the experiment's param rows (docs/search.md, "Params on metric entries").
 */
export const metricIndexEntry = (
  workspace: string,
  experimentId: string,
  runId: string,
  key: string,
  value: number,
  params: Uint8Array | undefined,
) => ({
  ...metricIndexItem(workspace, experimentId, runId, key, value),
  ...(params ? { p: params } : {}),
});

/**
 * Runs with more params than this carry none on their metric entries (a
 * candidate for every param clause): an entry stays one write unit (under 1 KB).
 */
export const ENTRY_PARAM_DIGESTS = 64;

/**
 * A metric entry's `p`: one byte 0 (so that a run without params still has a
 * value: no empty binary), then the 4-byte digests of every param of the run.
 * Undefined (no `p`: a candidate for every param clause) when `params` is not
 * all the run has (undefined) or holds more than ENTRY_PARAM_DIGESTS.
 */
export const entryParamDigests = (params: ReadonlyMap<string, string> | undefined): Uint8Array | undefined => {
  if (!params || params.size > ENTRY_PARAM_DIGESTS) return undefined;
  const digests = paramDigestBytes(params);
  const value = new Uint8Array(1 + digests.byteLength);
  value.set(digests, ENTRY_PARAMS_OFFSET);
  return value;
};

/** Where the digests start in an entry's `p` (after its leading byte). */
export const ENTRY_PARAMS_OFFSET = 1;

/**
 * A param's digest on its run's param row: the first 4 bytes of SHA-256 over
 * the key and the whole value. Equal params have equal digests; a clash only
 * makes a run a candidate, which search then checks on its params (at 20
 * params a run, one row in about 200 million clashes with a wanted digest).
 */
export const paramDigest = (key: string, value: string): number =>
  createHash('sha256')
    .update(JSON.stringify([key, value]))
    .digest()
    .readUInt32BE(0);

/**
 * The digests of params, 4 bytes each, one after the other in one binary
 * value: a scalar, because DynamoDB (Local, at least) reads a binary set of 20
 * elements several times slower than one value of their 80 bytes.
 */
export const paramDigestBytes = (params: Iterable<readonly [string, string]>): Uint8Array => {
  const digests = [...new Set([...params].map(([key, value]) => paramDigest(key, value)))];
  const bytes = new Uint8Array(digests.length * 4);
  const view = new DataView(bytes.buffer);
  digests.forEach((digest, i) => view.setUint32(i * 4, digest));
  return bytes;
};

/** The digests a param row's binary value holds. */
export const paramDigestsOf = (bytes: Uint8Array): number[] => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: Math.floor(bytes.byteLength / 4) }, (_, i) => view.getUint32(i * 4));
};

/**
 * Params added to a run after its creation: their digests as an attribute of
 * their own on the row, named `b` + 8 characters of SHA-256 over them, so that
 * racing requests both land without a read and a retry writes the same
 * attribute again. (Written only if absent or equal: a different batch with
 * the same name, about 2^-48 likely, marks the row `x` instead of losing one.)
 */
export const paramRowAddition = (params: Iterable<readonly [string, string]>) => {
  const value = paramDigestBytes(params);
  return { name: `b${createHash('sha256').update(value).digest('base64url').slice(0, 8)}`, value };
};

/** Whether a param row attribute holds digests (`b` at creation, `b…` for params added later). */
export const isParamDigestAttribute = (name: string, value: unknown): value is Uint8Array =>
  name.startsWith('b') && value instanceof Uint8Array;

/**
 * Digests of param rows written before the 4-byte digests (attribute `h`, a
 * string set: 72 bits of SHA-256 as 12 base64url characters). Search still
 * reads them; new params of such a run go to a `b…` attribute beside them.
 */
export const wideParamDigest = (key: string, value: string) =>
  createHash('sha256')
    .update(JSON.stringify([key, value]))
    .digest('base64url')
    .slice(0, 12);

/**
 * Digests a param row holds; a run with more params is marked `x` (a candidate
 * for every param clause) instead, so rows stay small (about 1 KB at most) for
 * the searches that read an experiment's rows in bulk.
 */
export const PARAM_ROW_DIGESTS = 256;

/**
 * A run's params on its bucket row (keys.ts paramBucketKey): its id (16
 * bytes: the 32 hex characters) then its params' digests, 4 bytes each; or,
 * past PARAM_ROW_DIGESTS params, its id and one byte 0xff: a candidate for
 * every param clause. About 97 bytes for 20 params; 8 runs a row stay under
 * 1 KB (1 write unit each).
 */
export const paramBucketValue = (runId: string, params: Iterable<readonly [string, string]> | undefined) => {
  const digests = params === undefined ? Uint8Array.of(0xff) : paramDigestBytes(params);
  const value = new Uint8Array(16 + digests.byteLength);
  value.set(Buffer.from(runId, 'hex'), 0);
  value.set(digests, 16);
  return value;
};

/** Whether a run id can be written on a bucket row (new ids are 32 hex characters; ids.ts). */
export const fitsParamBucket = (runId: string) => /^[0-9a-f]{32}$/.test(runId);

/**
 * Attribute names on a bucket row: the run's slot (`0`-`7`) for its first
 * params, written if absent or equal; the slot and 8 characters of SHA-256
 * over the value for later ones, or when the slot is taken (a run number is
 * given again after a create that failed, experiment-repository.ts
 * forgetRunStarted). A few names shared by every row: DynamoDB Local reads
 * rows that each carry names of their own several times slower.
 */
export const paramBucketName = (slot: number, value: Uint8Array, first: boolean) =>
  first ? String(slot) : `${slot}${createHash('sha256').update(value).digest('base64url').slice(0, 8)}`;

/**
 * The digests a clause may equal, in the form fastest to look up for their
 * number: a few (the usual `=`, short `IN` lists) as an array compared one by
 * one, which took half the CPU of Set.has over 10,000 runs' digests; more as a
 * set (`IN` takes up to 1,000 values).
 */
export type WantedDigests = readonly number[] | ReadonlySet<number>;

export function wantedDigests(digests: Iterable<number>): WantedDigests {
  const unique = [...new Set(digests)];
  return unique.length <= 8 ? unique : new Set(unique);
}

/**
 * Whether the 4-byte digests in `bytes` from `offset` on include one of
 * `wanted`, read in place. A param clause scans 20 digests of every run of an
 * experiment (200,000 at 10,000 runs): arrays of them per run cost more CPU
 * than the scan itself.
 */
export function holdsParamDigest(bytes: Uint8Array, offset: number, wanted: WantedDigests): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (Array.isArray(wanted)) {
    const few = wanted as readonly number[];
    for (let at = offset; at + 4 <= bytes.byteLength; at += 4) {
      const digest = view.getUint32(at);
      for (let i = 0; i < few.length; i++) if (few[i] === digest) return true;
    }
    return false;
  }
  const many = wanted as ReadonlySet<number>;
  for (let at = offset; at + 4 <= bytes.byteLength; at += 4) if (many.has(view.getUint32(at))) return true;
  return false;
}

/** `0`-`7`, the first character of every run's attribute on a bucket row. */
const isSlotName = (name: string) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 55;

/**
 * The runs of one bucket row whose digests meet a clause's (`clauses`: the
 * digests each clause may equal): `onMatch(runId, clause)` once per attribute
 * and clause met; a run marked `all` meets every clause. The same reading as
 * paramBucketEntries, without its arrays: a run's id is decoded only when it
 * matches (about 1 run in 10 for one param equality).
 */
export function matchParamBucket(
  row: Record<string, unknown>,
  clauses: readonly WantedDigests[],
  onMatch: (runId: string, clause: number) => void,
): void {
  for (const name of Object.keys(row)) {
    if (!isSlotName(name)) continue;
    const value = row[name];
    if (!(value instanceof Uint8Array) || value.byteLength < 16) continue;
    const all = (value.byteLength - 16) % 4 !== 0;
    let runId: string | undefined;
    for (let clause = 0; clause < clauses.length; clause++) {
      if (!all && !holdsParamDigest(value, 16, clauses[clause] as WantedDigests)) continue;
      runId ??= Buffer.from(value.buffer, value.byteOffset, 16).toString('hex');
      onMatch(runId, clause);
    }
  }
}

/** What one bucket row says: each attribute's run and its digests (`all`: a candidate for every clause). */
export function paramBucketEntries(row: Record<string, unknown>): Array<{ runId: string; digests: number[] | 'all' }> {
  const entries: Array<{ runId: string; digests: number[] | 'all' }> = [];
  for (const [name, value] of Object.entries(row)) {
    if (!(value instanceof Uint8Array) || value.byteLength < 16 || !/^[0-7]/.test(name)) continue;
    const runId = Buffer.from(value.buffer, value.byteOffset, 16).toString('hex');
    const rest = value.subarray(16);
    entries.push({ runId, digests: rest.byteLength % 4 === 0 ? paramDigestsOf(rest) : 'all' });
  }
  return entries;
}

/** The attribute of a run's first params on its param row (written at creation, or by its first params' write). */
export const FIRST_DIGESTS = 'b';

/**
 * A run's param row: one item in its experiment's PARAMS partition holding the
 * digests of its params (`b`, 4 bytes each: about 183 bytes a row for 20
 * params), so that 20 params cost one write instead of 20 index entries.
 * Later params are added as attributes of their own (paramRowAddition).
 */
export const paramRowItem = (
  workspace: string,
  experimentId: string,
  runId: string,
  params: ReadonlyMap<string, string>,
) => ({
  ...paramRowKey(workspace, experimentId, runId),
  type: entityTypes.paramRow,
  ...(params.size > PARAM_ROW_DIGESTS ? { x: true } : { [FIRST_DIGESTS]: paramDigestBytes(params) }),
});

export const tagIndexItem = (workspace: string, experimentId: string, runId: string, key: string, value: string) =>
  tagIndexKey(workspace, experimentId, key, value, runId);

/** A child run's entry in its experiment's child index (keys.ts childRunKey): its key is the whole item. */
export const childRunItem = (workspace: string, run: Pick<Run, 'experimentId' | 'runId' | 'parentRunId'>) =>
  run.parentRunId === undefined ? [] : [childRunKey(workspace, run.experimentId, run.parentRunId, run.runId)];
