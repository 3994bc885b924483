import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { freeText, keySchema } from './text.ts';

/**
 * The checks of a list's `tag.KEY=VALUE` query parameters (all must hold): at
 * most `limits.experimentTagFilters` of them, each key a valid key and each
 * value at most `valueLength` characters. The query schema stays loose so the
 * parameters reach the handler under their own names.
 */
export function tagFilterChecks(valueLength: number) {
  return [
    z.meta({ description: 'Filter by tags with `tag.KEY=VALUE` parameters (all must hold)' }),
    z.superRefine((query: Record<string, unknown>, context) => {
      const tags = Object.entries(query).filter(([name]) => name.startsWith('tag.'));
      if (tags.length > limits.experimentTagFilters) {
        context.addIssue({ code: 'custom', message: `at most ${limits.experimentTagFilters} tag filters` });
      }
      for (const [name, value] of tags) {
        const key = keySchema.safeParse(name.slice(4));
        const tagValue = freeText(valueLength).safeParse(value);
        if (!key.success || typeof value !== 'string' || !tagValue.success) {
          context.addIssue({
            code: 'custom',
            path: [name],
            message: `must be tag.KEY=VALUE with a key of 1-${limits.keyLength} and a value of at most ${valueLength} characters, without control characters other than tabs and line breaks`,
          });
        }
      }
    }),
  ] as const;
}
