import type * as z from 'zod/mini';

/** A field a request schema declares, found beside an example of the request. */
export interface SchemaField {
  /** From the schema's root: `['metrics', 0, 'step']`. */
  path: readonly (string | number)[];
  /** The request may leave it out (zod's `optional` or a default). */
  optional: boolean;
}

/**
 * Every field of an object schema (through intersections, pipes, optional and default wrappers),
 * and the fields of the objects in its lists where `example` has a first element to hold them:
 * the generated tests send each one differently and compare the answers.
 */
export function schemaFields(schema: z.ZodMiniType, example: unknown): SchemaField[] {
  const fields: SchemaField[] = [];
  const walk = (node: z.ZodMiniType, path: readonly (string | number)[], value: unknown) => {
    const def = node._zod.def as unknown as Record<string, z.ZodMiniType> & { type: string };
    switch (def.type) {
      case 'optional':
      case 'default':
      case 'nullable':
        return walk(def.innerType as z.ZodMiniType, path, value);
      case 'pipe':
        return walk(def.in as z.ZodMiniType, path, value);
      case 'intersection':
        walk(def.left as z.ZodMiniType, path, value);
        return walk(def.right as z.ZodMiniType, path, value);
      case 'array': {
        const first = Array.isArray(value) ? value[0] : undefined;
        if (first !== undefined) walk(def.element as z.ZodMiniType, [...path, 0], first);
        return;
      }
      case 'object': {
        const shape = (def as unknown as { shape: Record<string, z.ZodMiniType> }).shape;
        for (const [key, field] of Object.entries(shape)) {
          const fieldPath = [...path, key];
          if (!fields.some((known) => known.path.join('.') === fieldPath.join('.'))) {
            fields.push({ path: fieldPath, optional: field._zod.optin !== undefined });
          }
          walk(field, fieldPath, value !== null && typeof value === 'object' ? (value as never)[key] : undefined);
        }
        return;
      }
      default:
        return;
    }
  };
  walk(schema, [], example);
  return fields;
}

/** A deep copy of `value` with the field at `path` set to `to`, or left out when `to` is undefined. */
export function withField(value: unknown, path: readonly (string | number)[], to: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (to === undefined) delete node[last];
  else node[last] = to;
  return copy;
}
