import type * as z from 'zod/mini';
import type { StartRunInput } from '../use-cases/runs.ts';
import type { createRunBody } from './schemas/runs.ts';

/**
 * The run fields of a create-run request body, in the use case's terms; the first points'
 * idempotency key may come as the `Idempotency-Key` header instead, as on the metric routes.
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
  idempotencyKey: body.idempotency_key ?? headers['idempotency-key'],
});

/** `tag.KEY=VALUE` query parameters, as a tag filter. */
export const tagFilters = (query: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(query)
      .filter(([name, value]) => name.startsWith('tag.') && name.length > 4 && typeof value === 'string')
      .map(([name, value]) => [name.slice(4), value as string]),
  );
