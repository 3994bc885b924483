import { ValidationError } from '../errors.ts';

/**
 * Opaque page tokens. A token wraps the position DynamoDB returned (or a history
 * position) together with the partition it belongs to; decoding checks that the
 * token is being used on that same partition, so a token edited by hand can
 * never start a query in another experiment or workspace.
 */
type Position = Record<string, string | number | (string | number)[]>;

interface Envelope {
  p: string;
  k: Position;
}

export function encodeCursor(partition: string, position: Position): string {
  const envelope: Envelope = { p: partition, k: position };
  return Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
}

/**
 * `boundAttribute` names the key attribute of the position that must equal the
 * partition (e.g. `gsi1pk`), so the position itself cannot point elsewhere.
 */
export function decodeCursor(
  partition: string,
  token: string | undefined,
  boundAttribute?: string,
): Position | undefined {
  if (token === undefined) return undefined;
  let envelope: unknown;
  try {
    envelope = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (!isEnvelope(envelope) || envelope.p !== partition) throw invalidToken();
  if (boundAttribute !== undefined && envelope.k[boundAttribute] !== partition) throw invalidToken();
  return envelope.k;
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const { p, k } = value as Record<string, unknown>;
  if (typeof p !== 'string' || typeof k !== 'object' || k === null || Array.isArray(k)) return false;
  return Object.values(k).every(
    (v) =>
      typeof v === 'string' ||
      typeof v === 'number' ||
      (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')),
  );
}

const invalidToken = () => new ValidationError('page_token is not a token this list issued', 'page_token.invalid');
