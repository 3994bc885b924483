import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ValidationError } from '../errors.ts';

/**
 * Opaque, authenticated page tokens. A token is the position where the next
 * page starts (DynamoDB's LastEvaluatedKey, a history position, a search sort
 * tuple) sealed with AES-256-GCM under a per-deployment key, with the list it
 * belongs to as associated data: the `binding`, which names the list, the
 * workspace's partition and the query (filters, ranges, order). So a token
 *
 * - shows nothing: no key attribute, partition or workspace id is readable;
 * - cannot be edited: any changed bit fails authentication;
 * - only continues the very list and query that issued it: another list,
 *   workspace or filter is another binding, and authentication fails.
 *
 * Every failure is the same 400 `page_token.invalid`. The key comes from the
 * deployment's secret (`usePageTokenSecret`; shared/runtime-page-tokens.ts wires the
 * production source) through HKDF, so the secret itself never keys anything.
 *
 * Layout, base64url: version (1 byte) | nonce (12) | ciphertext | tag (16).
 */
type Position = Record<string, string | number | (string | number)[]>;

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

let secretSource: (() => Promise<string>) | undefined;
let key: Promise<Buffer> | undefined;

/** Where the deployment's page-token secret comes from; read once, on the first token. */
export function usePageTokenSecret(source: () => Promise<string>): void {
  secretSource = source;
  key = undefined;
}

function pageTokenKey(): Promise<Buffer> {
  if (key) return key;
  if (!secretSource) throw new Error('page tokens: no secret configured (usePageTokenSecret)');
  const derived = secretSource().then((secret) => {
    if (secret.length < 32) throw new Error('page tokens: the secret must be at least 32 characters');
    return Buffer.from(hkdfSync('sha256', secret, 'stratus', 'page-token v1', 32));
  });
  key = derived;
  // A failed read (the secret store unavailable) is tried again on the next token.
  derived.catch(() => {
    if (key === derived) key = undefined;
  });
  return derived;
}

/** Seals `position` into a token that only `decodeCursor` with the same binding opens. */
export async function encodeCursor(binding: string, position: Position): Promise<string> {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', await pageTokenKey(), nonce);
  cipher.setAAD(Buffer.from(binding, 'utf8'));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(VERSION), nonce, sealed, cipher.getAuthTag()]).toString('base64url');
}

/**
 * The position inside `token`, or undefined without a token. `bound` names a
 * key attribute of the position that must equal the query's partition (e.g.
 * `gsi1pk`): a second check that a position never leaves its partition.
 */
export async function decodeCursor(
  binding: string,
  token: string | undefined,
  bound?: { attribute: string; partition: string },
): Promise<Position | undefined> {
  if (token === undefined) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // Only the one spelling encodeCursor wrote: Node's decoder skips stray characters and trailing bits.
  if (bytes.toString('base64url') !== token) throw invalidToken();
  if (bytes.length < 1 + NONCE_BYTES + TAG_BYTES || bytes[0] !== VERSION) throw invalidToken();
  const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
  const sealed = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', await pageTokenKey(), nonce);
  decipher.setAAD(Buffer.from(binding, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  let position: unknown;
  try {
    position = JSON.parse(Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8'));
  } catch {
    throw invalidToken();
  }
  // Authentic tokens were sealed by this code, so these checks only fail for a changed key layout.
  if (!isPosition(position)) throw invalidToken();
  if (bound && position[bound.attribute] !== bound.partition) throw invalidToken();
  return position;
}

function isPosition(value: unknown): value is Position {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (v) =>
      typeof v === 'string' ||
      typeof v === 'number' ||
      (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')),
  );
}

const invalidToken = () => new ValidationError('page_token: is not a token this list issued', 'page_token.invalid');
