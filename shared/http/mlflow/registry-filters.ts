import { promptTagKey } from '../../domain/prompts.ts';
import { ValidationError } from '../../errors.ts';

/**
 * MLflow's registry search filters (`search_registered_models`,
 * `search_model_versions`): conditions joined by AND, each
 * `<field> <op> <value>` with fields `name`, `run_id`, `tags.<key>` and, for
 * versions, `source_path` and `version_number` (compared as a number).
 * Parsed here into conditions the handlers turn into an indexed read (a name,
 * a run, a name prefix or substring, tag values) plus an exact check of each
 * answer. Anything else is a 400 naming `filter` and what is understood.
 */

export type FilterField =
  | { kind: 'name' }
  | { kind: 'run_id' }
  | { kind: 'source_path' }
  | { kind: 'version_number' }
  | { kind: 'tag'; key: string };
export type FilterOperator = '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | '<' | '<=' | '>' | '>=';

export interface FilterCondition {
  field: FilterField;
  operator: FilterOperator;
  /** One value, or several for IN. */
  values: string[];
}

const understood =
  "conditions joined by AND, each name = 'x', name != 'x', name LIKE 'x%', name ILIKE '%x%', name IN ('a', 'b'), run_id = 'id', run_id IN ('a', 'b'), tags.<key> = 'v' (also !=, LIKE, ILIKE), and for versions source_path = 'uri' and version_number > 2 (=, !=, <, <=, >, >=)";

function problem(filter: string, detail: string): ValidationError {
  return new ValidationError(`filter: ${detail} in '${filter}'; Stratus understands ${understood}`, 'filter.invalid');
}

/** Splits a filter into tokens: quoted strings (quotes removed, marked), identifiers, operators and punctuation. */
function tokenize(filter: string): Array<{ text: string; quoted: boolean }> {
  const tokens: Array<{ text: string; quoted: boolean }> = [];
  let i = 0;
  while (i < filter.length) {
    // A whole code point: quoting half of a surrogate pair would make the message invalid Unicode.
    const char = String.fromCodePoint(filter.codePointAt(i) as number);
    if (/\s/.test(char)) {
      i++;
    } else if (char === "'" || char === '"' || char === '`') {
      const end = filter.indexOf(char, i + 1);
      if (end < 0) throw problem(filter, `an unclosed ${char}`);
      tokens.push({ text: filter.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else if (char === '(' || char === ')' || char === ',' || char === '=') {
      tokens.push({ text: char, quoted: false });
      i++;
    } else if (char === '!' && filter[i + 1] === '=') {
      tokens.push({ text: '!=', quoted: false });
      i += 2;
    } else if (char === '<' || char === '>') {
      const text = filter[i + 1] === '=' ? `${char}=` : char;
      tokens.push({ text, quoted: false });
      i += text.length;
    } else {
      const match = /^[A-Za-z0-9_.-]+/.exec(filter.slice(i));
      if (!match) throw problem(filter, `an unexpected '${char}'`);
      tokens.push({ text: match[0], quoted: false });
      i += match[0].length;
    }
  }
  return tokens;
}

/** Joins `tags.` with a quoted key that follows it (tags.`my key`). */
function fieldOf(filter: string, tokens: Array<{ text: string; quoted: boolean }>, at: number) {
  const token = tokens[at];
  if (!token || token.quoted) throw problem(filter, 'a field name was expected');
  const lower = token.text.toLowerCase();
  if (lower === 'name') return { field: { kind: 'name' } as FilterField, next: at + 1 };
  if (lower === 'run_id') return { field: { kind: 'run_id' } as FilterField, next: at + 1 };
  if (lower === 'source_path') return { field: { kind: 'source_path' } as FilterField, next: at + 1 };
  if (lower === 'version_number') return { field: { kind: 'version_number' } as FilterField, next: at + 1 };
  if (lower === 'tags.' || lower === 'tag.') {
    const key = tokens[at + 1];
    if (!key?.quoted) throw problem(filter, 'a tag key was expected after tags.');
    return { field: { kind: 'tag', key: key.text } as FilterField, next: at + 2 };
  }
  const tag = /^tags?\.(.+)$/i.exec(token.text);
  if (tag?.[1]) return { field: { kind: 'tag', key: tag[1] } as FilterField, next: at + 1 };
  throw problem(filter, `the field '${token.text}' is not searchable`);
}

/** Whether a token is the keyword AND (any case), not a quoted 'AND'. */
const isAnd = (token: { text: string; quoted: boolean } | undefined) =>
  token !== undefined && !token.quoted && token.text.toUpperCase() === 'AND';

export function parseRegistryFilter(filter: string | undefined): FilterCondition[] {
  if (filter === undefined || filter.trim() === '') return [];
  const tokens = tokenize(filter);
  const conditions: FilterCondition[] = [];
  // Stray ANDs (leading, trailing, doubled) are skipped, as MLflow's sqlparse-based parser skips
  // every AND keyword: `AND name = 'a' AND` is `name = 'a'`, and a filter of ANDs alone is none.
  let at = 0;
  while (isAnd(tokens[at])) at++;
  if (at >= tokens.length) return conditions;
  for (;;) {
    const { field, next } = fieldOf(filter, tokens, at);
    at = next;
    const operatorToken = tokens[at++];
    let operator = operatorToken && !operatorToken.quoted ? operatorToken.text.toUpperCase() : '';
    if (operator === 'NOT' && !tokens[at]?.quoted && tokens[at]?.text.toUpperCase() === 'IN') {
      operator = 'NOT IN';
      at++;
    }
    const numeric = field.kind === 'version_number';
    const ordering = ['<', '<=', '>', '>='].includes(operator);
    if (numeric && !ordering && operator !== '=' && operator !== '!=') {
      throw problem(filter, 'version_number compares with =, !=, <, <=, > or >=');
    }
    if (!numeric && ordering) throw problem(filter, `the operator '${operator}' compares numbers (version_number)`);
    if (numeric) {
      const value = tokens[at++];
      if (!value || !/^\d+$/.test(value.text)) throw problem(filter, 'a whole number was expected for version_number');
      conditions.push({ field, operator: operator as FilterOperator, values: [value.text] });
    } else if (operator === 'IN' || operator === 'NOT IN') {
      if (tokens[at]?.text !== '(' || tokens[at]?.quoted) throw problem(filter, "'(' was expected after IN");
      at++;
      const values: string[] = [];
      for (;;) {
        const value = tokens[at++];
        if (!value?.quoted) throw problem(filter, 'a quoted value was expected in the IN list');
        values.push(value.text);
        const separator = tokens[at++];
        if (separator?.text === ')' && !separator.quoted) break;
        if (separator?.text !== ',' || separator.quoted) throw problem(filter, "',' or ')' was expected");
      }
      conditions.push({ field, operator, values });
    } else if (operator === '=' || operator === '!=' || operator === 'LIKE' || operator === 'ILIKE') {
      const value = tokens[at++];
      if (!value?.quoted) throw problem(filter, `a quoted value was expected after ${operator}`);
      conditions.push({ field, operator, values: [value.text] });
    } else {
      throw problem(filter, `the operator '${operatorToken?.text ?? ''}' is not understood`);
    }
    if (at >= tokens.length) return conditions;
    if (!isAnd(tokens[at])) throw problem(filter, "'AND' was expected");
    while (isAnd(tokens[at])) at++;
    if (at >= tokens.length) return conditions;
  }
}

/** A SQL LIKE pattern (`%` any run, `_` one character) as a whole-string test. */
export function likeMatcher(pattern: string, caseInsensitive: boolean): (value: string) => boolean {
  const source = [...pattern]
    .map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
  return (value) => regex.test(value);
}

/** The longest run of literal characters in a LIKE pattern: what an indexed substring search can look for. */
export function likeLiteral(pattern: string): { prefix: string | undefined; longest: string } {
  const parts = pattern.split(/[%_]/);
  const longest = parts.reduce((best, part) => (part.length > best.length ? part : best), '');
  const prefix = /^[^%_]+%$/.test(pattern) ? pattern.slice(0, -1) : undefined;
  return { prefix, longest };
}

/**
 * Whether one value passes a condition (for the exact check of what an indexed
 * read returned). As on MLflow's server, a field or tag that is absent passes
 * no condition, except the prompt tag (models and versions without it count as
 * `'false'`), which an ordinary model lacks: MLflow's
 * client leaves prompts out with tags.`mlflow.prompt.is_prompt` != 'true'.
 */
export function conditionHolds(condition: FilterCondition, found: string | undefined): boolean {
  const prompt = condition.field.kind === 'tag' && condition.field.key === promptTagKey;
  const value = found === undefined && prompt && ['=', '!='].includes(condition.operator) ? 'false' : found;
  if (value === undefined) return false;
  const [first = ''] = condition.values;
  switch (condition.operator) {
    case '=':
      return value === first;
    case '!=':
      return value !== first;
    case 'IN':
      return condition.values.includes(value);
    case 'NOT IN':
      return !condition.values.includes(value);
    case 'LIKE':
      return likeMatcher(first, false)(value);
    case 'ILIKE':
      return likeMatcher(first, true)(value);
    case '<':
      return Number(value) < Number(first);
    case '<=':
      return Number(value) <= Number(first);
    case '>':
      return Number(value) > Number(first);
    case '>=':
      return Number(value) >= Number(first);
  }
}

/**
 * Whether a filter asks for prompts (tags.`mlflow.prompt.is_prompt` = 'true'
 * or != 'false'): MLflow's server leaves prompts out of every other search.
 */
export function asksForPrompts(conditions: readonly FilterCondition[]): boolean {
  return conditions.some(
    (condition) =>
      condition.field.kind === 'tag' &&
      condition.field.key === promptTagKey &&
      ((condition.operator === '=' && condition.values[0]?.toLowerCase() === 'true') ||
        (condition.operator === '!=' && condition.values[0]?.toLowerCase() === 'false')),
  );
}
