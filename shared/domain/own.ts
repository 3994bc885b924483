/**
 * User-chosen names (tag, param and metric keys) are used as property names of
 * plain objects in many places: parsed JSON, DynamoDB maps, views. Reading
 * `record[key]` there returns an inherited member when `key` is `constructor`,
 * `toString` or the like and the record lacks it. Every lookup by a user key
 * goes through `ownValue` (or a Map) instead.
 */
export const ownValue = <V>(record: Readonly<Record<string, V>>, key: string): V | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;
