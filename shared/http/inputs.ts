import type * as z from 'zod/mini';
import { ValidationError } from '../errors.ts';
import { limits } from '../limits.ts';
import type { StartRunInput } from '../use-cases/runs.ts';
import type { createRunBody } from './schemas/runs.ts';

/**
 * The run fields of a create-run request body, in the use case's terms; the run's idempotency
 * key may come as the `Idempotency-Key` header instead, as on the metric routes.
 */
export const startRunInput = (
  body: z.output<typeof createRunBody>,
  headers: Readonly<Record<string, string | undefined>> = {},
): StartRunInput => ({
  runName: body.run_name,
  tags: body.tags,
  parentRunId: body.parent_run_id,
  gitCommit: body.git_commit,
  codeVersion: body.code_version,
  pipeline: body.pipeline && {
    config: body.pipeline.pipeline_config,
    components: (body.pipeline.pipeline_components ?? []).map((component) => ({
      name: component.name,
      type: component.type,
      stage: component.stage,
      position: component.position,
    })),
  },
  params: body.params,
  metrics: body.metrics,
  idempotencyKey: idempotencyKeyOf(body.idempotency_key, headers),
});

/** `tag.KEY=VALUE` query parameters, as a tag filter. */
export const tagFilters = (query: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(query)
      .filter(([name, value]) => name.startsWith('tag.') && name.length > 4 && typeof value === 'string')
      .map(([name, value]) => [name.slice(4), value as string]),
  );

/**
 * A batch's idempotency key: the body's `idempotency_key`, or else the `Idempotency-Key`
 * header, held to the same limit (README, "Limits"), since no schema checks a header.
 */
export function idempotencyKeyOf(
  bodyKey: string | undefined,
  headers: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const key = bodyKey ?? headers['idempotency-key'];
  if (key !== undefined && key.length > limits.idempotencyKeyLength) {
    throw new ValidationError(
      `Idempotency-Key: must be at most ${limits.idempotencyKeyLength} characters`,
      'header.invalid',
    );
  }
  return key;
}
