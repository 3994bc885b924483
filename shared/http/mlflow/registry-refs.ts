import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { aliasProblem, registryLimits } from '../../domain/registry.ts';
import { NotFoundError, StratusError, ValidationError } from '../../errors.ts';
import { documentedAs } from '../schemas/text.ts';

/**
 * How MLflow's server reads the version and alias a registry request names
 * (mlflow/store/model_registry/sqlalchemy_store.py, mlflow/utils/validation.py),
 * so the MLflow routes refuse and miss them with its codes and words. /api/v1
 * keeps its own checks (schemas/registry.ts): there a version out of range is a
 * 400 naming the field, and a missing model is named as the model.
 */

/** A version as sent: its text, and the integer Python's int() reads in it (none: not an integer). */
export interface MlflowVersionRef {
  sent: string;
  /**
   * The integer in decimal (`-1`, `10`): text, so a number past 2^53 is named in a refusal as
   * sent, not rounded, and the parsed request stays plain JSON (a bigint would not serialize).
   */
  integer: string | undefined;
}

// int(): blanks around, a sign, ASCII digits with single underscores between them. (int() also
// takes other scripts' digits; those stay refused, as for experiment ids: no client sends them.)
const pythonInteger = /^[ \t\n\r\v\f]*([+-]?\d+(?:_\d+)*)[ \t\n\r\v\f]*$/;

/**
 * A version's text as MLflow's server reads it: `int(version)`, so `01` and ` 1` are version 1,
 * and `0`, `-1` or a number past the last ever given are read and not found (404), as there.
 * A JSON number (which MLflow's proto parser refuses) is taken when it is a version number.
 */
export const mlflowVersionRef = documentedAs(
  z.pipe(
    z.union([
      z.int().check(
        z.gte(1, { error: `must be a version number from 1 to ${registryLimits.maxVersion}` }),
        z.lte(registryLimits.maxVersion, {
          error: `must be a version number from 1 to ${registryLimits.maxVersion}`,
        }),
      ),
      z.string().check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(100)),
    ]),
    z.transform((version): MlflowVersionRef => {
      if (typeof version === 'number') return { sent: String(version), integer: String(version) };
      const digits = pythonInteger.exec(version)?.[1];
      return { sent: version, integer: digits === undefined ? undefined : String(BigInt(digits.replaceAll('_', ''))) };
    }),
  ),
  {
    anyOf: [
      { type: 'integer', minimum: 1, maximum: registryLimits.maxVersion },
      { type: 'string', maxLength: 100, description: 'an integer as Python reads one; out of range: not found' },
    ],
  },
);

/** MLflow's words for a version that no model has: the version, not the model, even when the model is missing. */
const versionNotFound = (name: string, version: string) => new NotFoundError('model_version', `${name}/${version}`);

/**
 * Runs `work` on the version `ref` names in model `name`, as MLflow's server would: a version
 * that is not an integer is a 400 in its words, one out of range a 404, and a missing model is
 * a missing version ("Model Version (name=<name>, version=<n>) not found").
 */
export async function onMlflowVersion<T>(
  name: string,
  ref: MlflowVersionRef,
  work: (version: number) => Promise<T>,
): Promise<T> {
  const { integer } = ref;
  if (integer === undefined) {
    throw new ValidationError(`Parameter 'version' must be an integer, got '${ref.sent}'.`, 'model_version.invalid');
  }
  const version = BigInt(integer);
  if (version < 1n || version > BigInt(registryLimits.maxVersion)) throw versionNotFound(name, integer);
  try {
    return await work(Number(version));
  } catch (error) {
    if (error instanceof StratusError && error.code === 'registered_model.not_found') {
      throw versionNotFound(name, integer);
    }
    throw error;
  }
}

/** An alias as sent to an MLflow route: checked by `mlflowAlias`, in MLflow's words. */
export const mlflowAliasText = documentedAs(
  z
    .string()
    .check(
      z.minLength(1, { error: 'must not be empty' }),
      z.maxLength(registryLimits.aliasLength, { error: `must be at most ${registryLimits.aliasLength} characters` }),
    ),
  { minLength: 1, maxLength: registryLimits.aliasLength, pattern: '^[A-Za-z0-9_-]+$' },
);

/**
 * What an alias names: an alias a model may have, MLflow's reserved `latest` (any case: the
 * newest version, on get), or a version (`v<digits>`, MLflow's reserved form, or a number,
 * which Stratus refuses too because `stratus models` and /api/v1 read it as a version).
 */
export type MlflowAliasKind = 'alias' | 'latest' | 'version';

/** An alias's kind, after refusing characters MLflow refuses in its words. */
export function mlflowAlias(alias: string): MlflowAliasKind {
  if (!/^[A-Za-z0-9_-]+$/.test(alias)) {
    throw new ValidationError(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
      'alias.invalid',
    );
  }
  if (alias.toLowerCase() === 'latest') return 'latest';
  return /^[vV]?\d+$/.test(alias) ? 'version' : 'alias';
}

/** An alias to point at a version: MLflow's refusals of its reserved names, Stratus's of a number. */
export function mlflowAliasToSet(alias: string): string {
  const kind = mlflowAlias(alias);
  if (kind === 'latest') {
    throw new ValidationError("'latest' alias name (case insensitive) is reserved.", 'alias.invalid');
  }
  if (kind === 'version' && /^[vV]/.test(alias)) {
    throw new ValidationError(`Version alias name '${alias}' is reserved.`, 'alias.invalid');
  }
  if (kind === 'version') {
    throw new ValidationError(`alias: ${aliasProblem(alias) ?? 'is reserved'}`, 'alias.invalid', {
      name: 'alias',
      missing: false,
      value: alias,
      reason: aliasProblem(alias) ?? 'is reserved',
    });
  }
  return alias;
}
