import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { mlflowEntityKey } from '../../shared/http/mlflow/entity-keys.ts';
import { normalisedPath, writtenKeySchema } from '../../shared/http/schemas/text.ts';

/**
 * Stratus's key rules against MLflow 3.17.2's own answers (test/support/mlflow_key_names_reference.py
 * made the reference): hand-picked path-like keys and 400 seeded random keys over path characters,
 * allowed and refused characters.
 *  - MLflow's dialect (`mlflowEntityKey`) takes exactly the keys MLflow's server takes, and refuses
 *    the others with its reason, word for word.
 *  - `/api/v1` (`writtenKeySchema`) refuses exactly the keys MLflow refuses as paths, and takes any
 *    character (its clients log keys such as `acc@1`).
 *  - `normalisedPath` is Python's `posixpath.normpath`.
 */
interface ReferenceCase {
  key: string;
  normpath: string;
  /** MLflow's reason for refusing the key, or null when its server takes it. */
  mlflow: string | null;
}
const everyCase: ReferenceCase[] = JSON.parse(
  readFileSync(new URL('../support/mlflow-key-names-reference.json', import.meta.url), 'utf8'),
);
/** A key of spaces only is refused by Stratus on every route since before (keySchema); MLflow takes it. */
const blank = (key: string) => !/\S/.test(key);
const reference = everyCase.filter((c) => !blank(c.key));
const pathReason = 'Names may be treated as files';

describe('tag, param and metric keys, as MLflow judges them', () => {
  test('the reference holds keys of every kind', () => {
    expect(reference.length).toBeGreaterThan(300);
    expect(reference.filter((c) => c.mlflow === null).length).toBeGreaterThan(50);
    expect(reference.filter((c) => c.mlflow?.startsWith(pathReason)).length).toBeGreaterThan(50);
    expect(reference.filter((c) => c.mlflow?.startsWith('Names may only contain')).length).toBeGreaterThan(50);
  });

  test('a key of spaces only is refused on both dialects (a difference from MLflow kept from before)', () => {
    const blanks = everyCase.filter((c) => blank(c.key));
    expect(blanks.length).toBeGreaterThan(0);
    for (const c of blanks) {
      expect(mlflowEntityKey.safeParse(c.key).success).toBe(false);
      expect(writtenKeySchema.safeParse(c.key).success).toBe(false);
    }
  });

  test('normalisedPath is posixpath.normpath', () => {
    const differing = reference.filter((c) => normalisedPath(c.key) !== c.normpath);
    expect(differing.map((c) => [c.key, normalisedPath(c.key), c.normpath])).toEqual([]);
  });

  test("MLflow's dialect takes and refuses what MLflow's server does, in its words", () => {
    const differing = reference.flatMap((c) => {
      const result = mlflowEntityKey.safeParse(c.key);
      const verdict = result.success ? null : (result.error.issues[0]?.message ?? '?');
      return verdict === c.mlflow ? [] : [{ key: c.key, stratus: verdict, mlflow: c.mlflow }];
    });
    expect(differing).toEqual([]);
  });

  test('/api/v1 refuses exactly the keys MLflow refuses as paths, naming where they lead', () => {
    const differing = reference.flatMap((c) => {
      // MLflow's path_not_unique, from Python's own normpath.
      const n = c.normpath;
      const refusedAsPath = n !== c.key || n === '.' || n.startsWith('..') || n.startsWith('/');
      const result = writtenKeySchema.safeParse(c.key);
      // MLflow checks characters first: a key refused for them may be a bad path too.
      const mlflowPath = c.mlflow?.startsWith(pathReason) ?? false;
      const wrong =
        result.success === refusedAsPath ||
        (mlflowPath && !refusedAsPath) ||
        (!result.success && !result.error.issues[0]?.message.includes(`'${c.normpath}'`) && c.normpath !== c.key);
      return wrong ? [{ key: c.key, v1: result.success, mlflow: c.mlflow }] : [];
    });
    expect(differing).toEqual([]);
  });
});
