import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaResponsePayloadBytes } from '../domain/answer-size.ts';
import { ValidationError } from '../errors.ts';

/**
 * The last guard of every answer: Lambda fails a result past 6 MB, which API Gateway answers with
 * a bare 500 (and MLflow's client retries a 500 for minutes). Lists end their pages well before
 * (domain/answer-size.ts) and a run is refused by name past 5 MiB (mlflow/views.ts); an answer
 * that MLflow cannot page (one logged model, a bulk-interval history, a folder listing) and that
 * still outgrows the payload is refused here, as a 400 naming its largest part
 * (`answer.too_large`, MLflow's RESOURCE_LIMIT_EXCEEDED).
 */

/** Room for the result's status and headers around the body. */
const headroomBytes = 16 * 1024;

export function checkAnswerSize(result: APIGatewayProxyStructuredResultV2, answer: unknown): void {
  const body = result.body ?? '';
  // A UTF-16 unit of JSON text takes at most 3 bytes in the payload (a `"` 2, a `€` 3): most answers stop here.
  if (3 * body.length + headroomBytes <= lambdaResponsePayloadBytes) return;
  const bytes = Buffer.byteLength(JSON.stringify(result));
  if (bytes + headroomBytes <= lambdaResponsePayloadBytes) return;
  const part = largestPart(answer);
  throw new ValidationError(
    `${part.path || 'answer'}: ${part.entries} entries make this answer ${bytes} bytes, over the ` +
      `${lambdaResponsePayloadBytes} a function may answer; ask for fewer (max_results) or read it in pages`,
    'answer.too_large',
  );
}

/** The path (`model.data.params`) to the list or map that takes most of the answer, and its length. */
function largestPart(answer: unknown): { path: string; entries: number } {
  let path = '';
  let value = answer;
  for (;;) {
    if (value === null || typeof value !== 'object') return { path, entries: 1 };
    if (Array.isArray(value)) return { path, entries: value.length };
    const children = Object.entries(value).map(([key, child]) => ({ key, child, size: sizeOf(child) }));
    let largest = children[0];
    for (const child of children) if (largest && child.size > largest.size) largest = child;
    // A map of many entries (an /api/v1 run's params), none of which dominates, is the part itself;
    // a record of a few fields (`{"model": {"info", "data"}}`) is looked into.
    if (!largest || (children.length > fieldsOfARecord && largest.size * 2 < sizeOf(value))) {
      return { path, entries: children.length };
    }
    path = path ? `${path}.${largest.key}` : largest.key;
    value = largest.child;
  }
}

const fieldsOfARecord = 12;
const sizeOf = (value: unknown) => JSON.stringify(value)?.length ?? 0;
