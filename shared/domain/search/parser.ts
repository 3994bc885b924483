import { ValidationError } from '../../errors.ts';
import { limits } from '../../limits.ts';
import {
  type Clause,
  type ComponentPart,
  componentParts,
  comparisonOperators,
  type DatasetPart,
  datasetParts,
  type Field,
  fieldName,
  isNumericField,
  type Operator,
  type OrderKey,
  type RunAttribute,
  runAttributes,
  stringOperators,
} from './query.ts';

/**
 * A parser for MLflow's search filter grammar:
 *
 *   filter  := clause (AND clause)*   (stray ANDs, as MLflow reads them: skipStrayAnds)
 *   clause  := field operator value | field IS [NOT] NULL
 *   field   := prefix '.' key | attribute
 *   prefix  := metrics | params | tags | attributes (and MLflow's singular aliases)
 *            | components (a pipeline component's name, type or stage)
 *            | datasets (the name, digest or context of a dataset the run used)
 *   key     := bare-key | `quoted` | "quoted"
 *   value   := 'string' | "string" | number | '(' string (',' string)* ')'
 *
 * Errors say where the input went wrong and what was expected there, e.g.
 * `filter: expected an operator at position 17`. Positions count characters
 * from 0. OR is recognised only to say it is unsupported.
 */
export const searchLimits = {
  /** Room for `run_id IN (...)` with 1,000 ids, as MLflow's clients send to find runs by id. */
  filterLength: 40_000,
  clauses: 50,
  inValues: 1000,
  orderKeys: 10,
  experiments: limits.searchExperiments,
} as const;

const prefixes: Record<string, Field['kind']> = {
  metrics: 'metric',
  metric: 'metric',
  params: 'param',
  param: 'param',
  parameters: 'param',
  tags: 'tag',
  tag: 'tag',
  attributes: 'attribute',
  attribute: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  components: 'component',
  component: 'component',
  pipeline_components: 'component',
  datasets: 'dataset',
  dataset: 'dataset',
};

/**
 * MLflow's other spellings of two attributes (SearchUtils' _ALTERNATE_NUMERIC_ATTRIBUTES and
 * _ALTERNATE_STRING_ATTRIBUTES, its web app's column names), in filters and order keys alike.
 */
const startTimeAliases = new Set(['created', 'Created']);
const runNameAliases = new Set(['run name', 'Run name', 'Run Name']);

/** Attributes MLflow keeps as tags: `attributes.user_id` is the `mlflow.user` tag. */
const userTag = 'mlflow.user';

/** The seeds' status COMPLETED is the alias of FINISHED, in filters as in `PATCH /runs/{id}`. */
const canonicalStatus = (value: string) => (value.toUpperCase() === 'COMPLETED' ? 'FINISHED' : value);

const bareKey = /[A-Za-z0-9_\-./:]+/y;
const word = /[A-Za-z_][A-Za-z0-9_]*/y;
const number = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![A-Za-z0-9_.])/y;
const operatorPattern = /(!=|<=|>=|=|<|>|IS\s+NOT\s+NULL\b|IS\s+NULL\b|NOT\s+IN\b|ILIKE\b|LIKE\b|IN\b)/iy;
const operatorList = '=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL';

class Scanner {
  position = 0;
  constructor(
    private readonly text: string,
    private readonly what: string,
  ) {}

  skipSpace() {
    while (this.position < this.text.length && /\s/.test(this.text[this.position] as string)) this.position++;
  }

  atEnd() {
    this.skipSpace();
    return this.position >= this.text.length;
  }

  peek() {
    return this.text[this.position];
  }

  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.position;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.position += found[0].length;
    return found[0];
  }

  fail(expected: string, at = this.position): never {
    const rest = this.text.slice(at);
    const found = rest.length === 0 ? 'the end' : `'${rest.slice(0, 20)}${rest.length > 20 ? '…' : ''}'`;
    throw new ValidationError(
      `${this.what}: expected ${expected} at position ${at}, found ${found}`,
      `${this.what}.invalid`,
    );
  }

  error(message: string, at: number): never {
    throw new ValidationError(`${this.what}: ${message} at position ${at}`, `${this.what}.invalid`);
  }

  /**
   * A quoted string; `\` escapes the quote character or itself. A doubled quote
   * inside a string stays two quotes, as MLflow reads it (its tokenizer keeps
   * `'it''s'` one token and strips only the outer quotes: the text `it''s`).
   */
  quoted(quote: string, expected: string): string {
    const start = this.position;
    if (this.peek() !== quote) this.fail(expected);
    this.position++;
    let value = '';
    while (this.position < this.text.length) {
      const char = this.text[this.position] as string;
      if (char === '\\' && (this.text[this.position + 1] === quote || this.text[this.position + 1] === '\\')) {
        value += this.text[this.position + 1];
        this.position += 2;
      } else if (char === quote && quote !== '`' && this.text[this.position + 1] === quote) {
        value += quote + quote;
        this.position += 2;
      } else if (char === quote) {
        this.position++;
        return value;
      } else {
        value += char;
        this.position++;
      }
    }
    return this.error(`unterminated ${quote === '`' ? 'quoted key' : 'string'} starting`, start);
  }

  /** An attribute by its key after `attributes.` (or quoted alone), with MLflow's other spellings. */
  private attribute(key: string, keyStart: number): Field {
    if (startTimeAliases.has(key)) return { kind: 'attribute', name: 'start_time' };
    if (runNameAliases.has(key)) return { kind: 'attribute', name: 'run_name' };
    if (key === 'user_id') return { kind: 'tag', key: userTag };
    if (!(runAttributes as readonly string[]).includes(key)) {
      return this.error(`unknown attribute '${key}' (expected one of ${runAttributes.join(', ')})`, keyStart);
    }
    return { kind: 'attribute', name: key as RunAttribute };
  }

  field(): Field {
    this.skipSpace();
    const start = this.position;
    // A quoted key without a prefix is an attribute, as MLflow reads it: `Run name` (its web app's column).
    if (this.peek() === '`') return this.attribute(this.quoted('`', 'a key'), start);
    const name = this.match(word);
    if (!name) return this.fail('a key such as metrics.accuracy, params.lr, tags.model or status');
    if (this.peek() !== '.') {
      const attribute = name.toLowerCase();
      if ((runAttributes as readonly string[]).includes(attribute)) {
        return { kind: 'attribute', name: attribute as RunAttribute };
      }
      if (attribute === 'user_id') return { kind: 'tag', key: userTag };
      if (startTimeAliases.has(name)) return { kind: 'attribute', name: 'start_time' };
      if (prefixes[attribute]) this.fail(`'.' after '${name}'`);
      return this.error(
        `unknown attribute '${name}' (expected metrics.<key>, params.<key>, tags.<key> or one of ${runAttributes.join(', ')})`,
        start,
      );
    }
    const kind = prefixes[name.toLowerCase()];
    if (!kind) {
      return this.error(
        `unknown prefix '${name}' (expected metrics, params, tags, attributes, components or datasets)`,
        start,
      );
    }
    this.position++;
    const keyStart = this.position;
    const quote = this.peek();
    const key = quote === '`' || quote === '"' ? this.quoted(quote, 'a key') : this.match(bareKey);
    if (key === undefined || key.length === 0)
      return this.fail('a key after the prefix (quote it with ` or " if it has spaces)', keyStart);
    // MLflow keeps a run's name and parent in these tags too: the same fields here.
    if (kind === 'tag' && key === 'mlflow.runName') return { kind: 'attribute', name: 'run_name' };
    if (kind === 'tag' && key === 'mlflow.parentRunId') return { kind: 'attribute', name: 'parent_run_id' };
    if (kind === 'attribute') return this.attribute(key, keyStart);
    if (kind === 'component') {
      if (!(componentParts as readonly string[]).includes(key)) {
        return this.error(`unknown component field '${key}' (expected one of ${componentParts.join(', ')})`, keyStart);
      }
      return { kind, part: key as ComponentPart };
    }
    if (kind === 'dataset') {
      if (!(datasetParts as readonly string[]).includes(key)) {
        return this.error(`unknown dataset field '${key}' (expected one of ${datasetParts.join(', ')})`, keyStart);
      }
      return { kind, part: key as DatasetPart };
    }
    return { kind, key };
  }

  stringLiteral(): string {
    const quote = this.peek();
    if (quote !== "'" && quote !== '"') return this.fail('a quoted string');
    return this.quoted(quote, 'a quoted string');
  }
}

/** Parses a filter string into clauses (all must hold). An empty filter matches every run. */
export function parseFilter(text: string): Clause[] {
  if (text.length > searchLimits.filterLength) {
    throw new ValidationError(`filter: must be at most ${searchLimits.filterLength} characters`, 'filter.invalid');
  }
  const scanner = new Scanner(text, 'filter');
  const clauses: Clause[] = [];
  skipStrayAnds(scanner);
  if (scanner.atEnd()) return clauses;
  for (;;) {
    clauses.push(parseClause(scanner));
    if (clauses.length > searchLimits.clauses) {
      throw new ValidationError(`filter: at most ${searchLimits.clauses} clauses`, 'filter.invalid');
    }
    if (scanner.atEnd()) return clauses;
    const at = scanner.position;
    const joiner = scanner.match(/[A-Za-z]+/y);
    if (joiner?.toUpperCase() === 'AND') {
      skipStrayAnds(scanner);
      if (scanner.atEnd()) return clauses;
      continue;
    }
    if (joiner?.toUpperCase() === 'OR') {
      return scanner.error('OR is not supported (only AND); found OR', at);
    }
    scanner.position = at;
    return scanner.fail('AND or the end of the filter');
  }
}

/**
 * ANDs with no clause on one side (`a = 1 AND`, `AND a = 1`, `a = 1 AND AND b = 2`): MLflow's parser
 * passes over them as over any separator, so a filter a script joins with a trailing `' and '` works.
 */
function skipStrayAnds(scanner: Scanner) {
  while (!scanner.atEnd() && scanner.match(/AND(?![A-Za-z0-9_.`])/iy) !== undefined);
}

function parseClause(scanner: Scanner): Clause {
  const field = scanner.field();
  scanner.skipSpace();
  const operatorAt = scanner.position;
  const raw = scanner.match(operatorPattern);
  if (!raw) return scanner.fail(`an operator (${operatorList})`);
  const op = raw.toUpperCase().replace(/\s+/g, ' ') as Operator;
  if (op === 'IS NULL' || op === 'IS NOT NULL') {
    // A run has one value of a metric, param, tag or attribute, or none; components and datasets are lists.
    if (field.kind === 'component' || field.kind === 'dataset') {
      return scanner.error(
        `${fieldName(field)} is a list: ${op} applies to metrics, params, tags and attributes`,
        operatorAt,
      );
    }
    return { field, op };
  }
  scanner.skipSpace();
  const valueAt = scanner.position;
  if (isNumericField(field)) {
    if (!(comparisonOperators as readonly string[]).includes(op)) {
      return scanner.error(`${fieldName(field)} is a number: use =, !=, <, <=, > or >=, not ${op}`, operatorAt);
    }
    const literal = scanner.match(number);
    if (literal === undefined) return scanner.fail(`a number to compare ${fieldName(field)} with`, valueAt);
    return { field, op: op as (typeof comparisonOperators)[number], value: Number(literal) };
  }
  if (!(stringOperators as readonly string[]).includes(op)) {
    return scanner.error(
      `${fieldName(field)} is a string: use =, !=, LIKE, ILIKE, IN or NOT IN, not ${op}`,
      operatorAt,
    );
  }
  if (op === 'IN' || op === 'NOT IN') {
    if (scanner.peek() !== '(') return scanner.fail(`'(' to open the list of ${op}`);
    scanner.position++;
    const values: string[] = [];
    for (;;) {
      scanner.skipSpace();
      values.push(scanner.stringLiteral());
      if (values.length > searchLimits.inValues) {
        return scanner.error(`${op} takes at most ${searchLimits.inValues} values`, valueAt);
      }
      scanner.skipSpace();
      if (scanner.peek() === ',') {
        scanner.position++;
        continue;
      }
      if (scanner.peek() === ')') {
        scanner.position++;
        return { field, op, value: isStatus(field) ? values.map(canonicalStatus) : values };
      }
      return scanner.fail("',' or ')'");
    }
  }
  if (scanner.peek() !== "'" && scanner.peek() !== '"') {
    return scanner.fail(`a quoted string to compare ${fieldName(field)} with`);
  }
  const value = scanner.stringLiteral();
  const exact = op === '=' || op === '!=';
  return {
    field,
    op: op as '=' | '!=' | 'LIKE' | 'ILIKE',
    value: exact && isStatus(field) ? canonicalStatus(value) : value,
  };
}

const isStatus = (field: Field) => field.kind === 'attribute' && field.name === 'status';

/** Parses order keys such as `metrics.f1 DESC` or `start_time`; ascending unless DESC. */
export function parseOrderBy(keys: readonly string[]): OrderKey[] {
  if (keys.length > searchLimits.orderKeys) {
    throw new ValidationError(`order_by: at most ${searchLimits.orderKeys} keys`, 'order_by.invalid');
  }
  return keys.map((text) => {
    const scanner = new Scanner(text, 'order_by');
    const start = scanner.position;
    const field = scanner.field();
    if (field.kind === 'component') {
      scanner.error('a run has several pipeline components, so components.* cannot order runs', start);
    }
    if (field.kind === 'dataset') {
      scanner.error('a run can use several datasets, so datasets.* cannot order runs', start);
    }
    let descending = false;
    if (!scanner.atEnd()) {
      const at = scanner.position;
      const direction = scanner.match(/[A-Za-z]+/y)?.toUpperCase();
      if (direction === 'DESC') descending = true;
      else if (direction !== 'ASC') scanner.fail('ASC, DESC or the end of the order key', at);
      if (!scanner.atEnd()) scanner.fail('the end of the order key');
    }
    return { field, descending };
  });
}

/**
 * Splits a comma-separated order_by query value (API Gateway joins a repeated
 * parameter with commas) at the commas that are outside quotes.
 */
export function splitOrderBy(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of value) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === '`' || char === '"' || char === "'") {
      quote = char;
    } else if (char === ',') {
      parts.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}
