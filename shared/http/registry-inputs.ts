import type { Tags } from '../domain/types.ts';
import type { TagChanges } from '../use-cases/model-registry.ts';

/** Request fields turned into use-case inputs; user-chosen keys go into Maps and null-prototype objects only. */

/** `{key: value | null}` as changes: a string sets the tag, null deletes it. */
export function tagChanges(tags: Readonly<Record<string, string | null>> | undefined): TagChanges | undefined {
  if (!tags) return undefined;
  return new Map(Object.entries(tags).map(([key, value]) => [key, value ?? undefined]));
}

/** The `tag.KEY=VALUE` query parameters of a list request. */
export function tagFilters(query: Readonly<Record<string, unknown>>): Tags {
  const tags: Tags = Object.create(null);
  for (const [name, value] of Object.entries(query)) {
    if (name.startsWith('tag.') && typeof value === 'string') tags[name.slice(4)] = value;
  }
  return tags;
}
