import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from 'vitest';
import { readStackSettings, settingKeys } from '../../cdk/stack-config.ts';
import { artifactLimits } from '../../shared/domain/artifacts.ts';
import { registryLimits } from '../../shared/domain/registry.ts';
import { searchLimits } from '../../shared/domain/search/parser.ts';
import { openApiPath } from '../../shared/http/openapi.ts';
import { dialectOf, routePaths } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { limits } from '../../shared/limits.ts';
import { legacyParamIndexKey } from '../../shared/storage/keys.ts';
import { entryParamDigests, metricIndexEntry, tagIndexItem } from '../../shared/storage/run-items.ts';
import { localStackFiles } from '../../vitest.localstack.config.ts';

test("the README's route table lists exactly the routes the service has", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const documented = [...readme.matchAll(/^\| `(GET|POST|PUT|PATCH|DELETE) (\/[^`]*)` +\|/gm)].map(
    (match) => `${match[1]} ${match[2]}`,
  );
  const served = routeList.map((route) => `${route.method} ${openApiPath(route.path)}`);
  expect([...documented].sort()).toEqual([...served].sort());
});

test("the README's API Gateway route counts are the route table's", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  const keys = routeList.flatMap((route) => routePaths(route).map((path) => `${route.method} ${path}`));
  expect(readme).toContain(`(${keys.length} routes in all,`);
  const getPaths = keys.filter((key) => key.startsWith('GET ')).length;
  expect(readme).toContain(`${getPaths} more of the HTTP API's 300 (${keys.length} in use)`);
});

/** Thousands with commas, as the docs write them (`6,000`, `1,000`). */
const written = (count: number) => count.toLocaleString('en-US');

/** The cells of the README's Limits table, by the text of the `what` column. */
function limitsTableRows(readme: string): Map<string, string> {
  const section = readme.slice(readme.indexOf('### Limits'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| what')));
  const rows = new Map<string, string>();
  for (const line of table.split('\n').slice(2)) {
    const [what, limit] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    if (what !== undefined && limit !== undefined) rows.set(what, limit);
  }
  return rows;
}

test("every number in the README's Limits table is the one the code enforces", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = limitsTableRows(readme);
  const KiB = 1024;
  const MiB = 1024 * KiB;
  // Each row, and what its cell must say: the limits the code holds, written as the docs write numbers.
  const expected: [string, string[]][] = [
    ['request body', [`${limits.requestBodyEventBytes / MiB} MiB`]],
    ['experiment and run names, metric/param/tag keys', [`${limits.nameLength} characters`]],
    [
      'param value',
      [`${written(limits.paramValueLength)} characters`, `${limits.paramsPerRequest} params per request`],
    ],
    [
      'tag value',
      [
        `${written(limits.tagValueLength)} characters on runs`,
        `${written(limits.experimentTagValueLength)} on experiments`,
        `${limits.tagsPerRequest} tags per request`,
        `${limits.tagsPerEntity} per run`,
      ],
    ],
    ['description', [`${written(limits.descriptionLength)} characters`]],
    ['an experiment', [`${limits.tagsPerEntity} tags`]],
    ['metric points per request', [written(limits.metricPointsPerRequest)]],
    ['metric keys per run', [written(limits.metricKeysPerRun)]],
    [
      '`max_results`',
      [
        `1–${written(limits.pageSizeMax)} for lists`,
        `default ${limits.pageSizeDefault}`,
        `search ${limits.searchPageSizeDefault}`,
        `past ${limits.answerBytes / MiB} MiB`,
        `1–${written(limits.metricHistoryPageMax)} for metric history`,
        `default ${written(limits.metricHistoryPageDefault)}`,
      ],
    ],
    ['`max_points`', [`2–${written(limits.downsampleMaxPoints)}`]],
    [
      'pipeline',
      [
        `${limits.pipelineComponents} components`,
        `${limits.pipelineConfigBytes / KiB} KiB`,
        `${limits.pipelineConfigDepth} levels deep`,
      ],
    ],
    ['idempotency key', [`${limits.idempotencyKeyLength} characters`]],
    ['artifact path', [`${artifactLimits.pathBytes} bytes of UTF-8`]],
    ['artifact size', [`${artifactLimits.sizeBytes / 1024 ** 4} TiB`, `${written(artifactLimits.planParts)} parts`]],
  ];
  for (const [what, phrases] of expected) {
    const cell = rows.get(what);
    expect(cell, `README Limits has no row '${what}'`).toBeDefined();
    for (const phrase of phrases) expect(cell, what).toContain(phrase);
  }
  // Search's own bounds, in the prose under "Search and compare".
  const prose = readme.replace(/\s+/g, ' ');
  expect(prose).toContain(
    `Filters are at most ${written(searchLimits.filterLength)} characters (${written(searchLimits.inValues)} run ids) and ${searchLimits.clauses} clauses, IN lists ${written(searchLimits.inValues)} values, \`order_by\` ${searchLimits.orderKeys} keys, a search ${written(searchLimits.experiments)} experiments.`,
  );
  expect(prose).toContain(`up to ${limits.experimentTagFilters} \`tag.KEY=VALUE\` filters`);
  expect(prose).toContain(`\`run_ids\` (1-${limits.compareRunsMax})`);
});

test("docs/registry.md's MLflow table names every MLflow registry route, with the /api/v1 twin whose function serves it", () => {
  const doc = readFileSync(new URL('../../docs/registry.md', import.meta.url), 'utf8');
  const table = doc.slice(doc.indexOf('| MLflow route'));
  const rows = table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').map((cell) => cell.trim()));
  const registryEntries = new Map(
    routeList
      .filter((route) => dialectOf(route) === 'v1' && route.tag === 'registry')
      .map((route) => [route.entry, route.operationId]),
  );
  const mlflowRegistryRoutes = routeList.filter(
    (route) => dialectOf(route) === 'mlflow' && registryEntries.has(route.entry),
  );
  for (const route of mlflowRegistryRoutes) {
    const written = `\`${route.method} ${route.path.replace(/^\/api\/2\.0\/mlflow\//, '')}\``;
    const row = rows.find((cells) => cells[1]?.includes(written));
    expect(row, `docs/registry.md has no row for ${written}`).toBeDefined();
    expect(row?.[2], written).toBe(registryEntries.get(route.entry));
  }
  expect(doc.replace(/\s+/g, ' ')).toContain(`are ${mlflowRegistryRoutes.length} route modules`);
});

test("docs/registry.md's bounds are the registry's", () => {
  const doc = readFileSync(new URL('../../docs/registry.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
  for (const phrase of [
    `1–${registryLimits.nameLength} characters`,
    `a description of up to ${written(registryLimits.descriptionLength)} characters and up to ${registryLimits.tagsPerEntity} tags (keys of ${registryLimits.tagKeyLength} characters, values of ${written(registryLimits.tagValueLength)}, ${registryLimits.tagBytesPerEntity / 1024} KiB together)`,
    `at most ${registryLimits.metadataBytes / 1024} KiB`,
    `up to ${registryLimits.hashBytesPerRegistration / 1024 ** 2} MiB per registration`,
    `At most ${registryLimits.filesPerVersion} files a version`,
    `a model has at most ${registryLimits.aliasesPerModel}`,
    `past ${written(registryLimits.maxVersion)}`,
  ])
    expect(doc).toContain(phrase);
});

test("the README's table of `npm start`'s variables names exactly those the local stack reads", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('Environment variables for `npm start`:'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| variable')));
  const documented = [...table.matchAll(/`((?:STRATUS|AWS)_[A-Z0-9_]+)`/g)].map((match) => match[1]);
  const read = ['../../local/start.ts', '../../local/dynamodb-wal.ts'].flatMap((file) => [
    ...readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(
      /^\s+((?:STRATUS|AWS)_[A-Z0-9_]+): (?:z|integerIn)\b|process\.env\.((?:STRATUS|AWS)_[A-Z0-9_]+)/gm,
    ),
  ]);
  const names = read.map((match) => match[1] ?? match[2]);
  expect([...new Set(documented)].sort()).toEqual([...new Set(names)].sort());
});

const docFiles = [
  'README.md',
  ...readdirSync('docs')
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

test('every repository path the README and docs/ name exists', () => {
  // A path written from the repository's root (`shared/storage/keys.ts`), or a relative link.
  const rooted = /(?<![\w/.-])((?:shared|local|lambdas|cdk|test|bench|scripts|web|clients|examples|tools)\/[\w./-]+)/g;
  const generated = /^(bench\/results\/|web\/dist\/|tools\/(?:bin|go|localstack)\/)/;
  const missing: string[] = [];
  for (const file of docFiles) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(rooted)) {
      const path = (match[1] as string).replace(/[.,:;)]+$/, '');
      if (!generated.test(path) && !existsSync(path)) missing.push(`${file}: ${path}`);
    }
    for (const match of text.matchAll(/\]\(([^)#\s:]+)(?:#[^)]*)?\)/g)) {
      const target = join(dirname(file), match[1] as string);
      if (!existsSync(target)) missing.push(`${file}: link ${match[1]}`);
    }
  }
  expect(missing).toEqual([]);
});

test('docs/localstack.md lists exactly the test files the LocalStack run takes', () => {
  const doc = readFileSync('docs/localstack.md', 'utf8');
  const section = doc.slice(doc.indexOf('## The LocalStack test run'), doc.indexOf('Measured '));
  const listed = [...section.matchAll(/^- (.*?):/gm)].flatMap((match) =>
    [...(match[1] as string).matchAll(/`([\w-]+)`/g)].map((name) => `test/integration/${name[1]}.test.ts`),
  );
  expect([...listed].sort()).toEqual([...localStackFiles].sort());
});

/** The README and docs/ as one text, line breaks as spaces: a command may wrap inside inline code. */
const allDocs = () => docFiles.map((file) => readFileSync(file, 'utf8').replace(/\s+/g, ' ')).join(' ');

/** The options a `tsx <file>` script declares to `parseArgs` (bench/run.ts, scripts/migrate.ts). */
function declaredOptions(command: string): Set<string> | undefined {
  const file = /\btsx (\S+\.ts)/.exec(command)?.[1];
  if (!file) return undefined;
  const source = readFileSync(file, 'utf8');
  const start = source.indexOf('parseArgs({');
  if (start < 0) return undefined;
  const block = source.slice(start, source.indexOf('\n});', start));
  return new Set([...block.matchAll(/^\s+'?([a-z][\w-]*)'?: \{ type: /gm)].map((match) => match[1] as string));
}

test('every `npm run` script the README and docs/ show exists, with the options its script declares', () => {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const text = allDocs();
  const problems: string[] = [];
  let checkedOptions = 0;
  // `npm start` and `npm test` run the scripts of those names.
  for (const match of text.matchAll(/\bnpm (start|test)\b/g)) {
    if (!scripts[match[1] as string]) problems.push(`npm ${match[1]}: no script '${match[1]}'`);
  }
  // What follows ` -- ` up to the end of the inline code, a comment or the next command.
  for (const match of text.matchAll(/\bnpm run ([\w:-]+)(?: -- ([^`#;&|)]*))?/g)) {
    const [shown, script, args] = match as unknown as [string, string, string | undefined];
    const command = scripts[script];
    if (!command) {
      problems.push(`${shown}: no script '${script}' in package.json`);
      continue;
    }
    const options = [...(args ?? '').matchAll(/(?<!\S)--([a-z][\w-]*)/g)].map((option) => option[1] as string);
    if (options.length === 0) continue;
    const declared = declaredOptions(command);
    if (!declared) {
      problems.push(`${shown}: '${command}' declares no options to check against`);
      continue;
    }
    for (const option of options) {
      checkedOptions += 1;
      if (!declared.has(option)) problems.push(`${shown}: ${script} has no --${option}`);
    }
  }
  expect(problems).toEqual([]);
  expect(checkedOptions).toBeGreaterThan(10);
});

test('every `npm run bench -- --only NAME` the docs show names a section of bench/run.ts', () => {
  const source = readFileSync('bench/run.ts', 'utf8');
  const table = source.slice(
    source.indexOf('const sections'),
    source.indexOf('\n};', source.indexOf('const sections')),
  );
  const sections = new Set([...table.matchAll(/^ {2}(\w+): \(\) =>/gm)].map((match) => match[1]));
  const shown = [...allDocs().matchAll(/\bnpm run bench -- --only ([\w-]+)/g)].map((match) => match[1]);
  expect(sections.size).toBeGreaterThan(5);
  expect(shown.length).toBeGreaterThan(5);
  expect(shown.filter((name) => !sections.has(name))).toEqual([]);
});

test("docs/deploy.md's option defaults are what the stack reads with no context", () => {
  const doc = readFileSync('docs/deploy.md', 'utf8');
  const section = doc.slice(doc.indexOf('| key '));
  const rows = section
    .slice(0, section.indexOf('\n\n'))
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').map((cell) => cell.trim()));
  const defaults = readStackSettings({});
  /** A setting's value as the table writes it: `(none)` for unset or empty, without backticks. */
  const written = (value: unknown) =>
    value === undefined || (Array.isArray(value) && value.length === 0)
      ? '(none)'
      : typeof value === 'object' && value !== null && Object.keys(value).length === 0
        ? '(none)'
        : String(value);
  const documented = new Map<string, string>();
  for (const [, keys, shown] of rows) {
    const names = [...(keys ?? '').matchAll(/`stratus:([^`]+)`/g)].map((match) => match[1] as string);
    const values = (shown ?? '').replaceAll('`', '').split(' / ');
    expect(values.length === names.length || values.length === 1, `${keys}: ${shown}`).toBe(true);
    names.forEach((name, index) => documented.set(name, values[values.length === 1 ? 0 : index] as string));
  }
  const expected = new Map(
    [...settingKeys.map((key) => key.slice('stratus:'.length)), 'reservedConcurrency:<operation>'].map((name) => [
      name,
      written(
        name === 'reservedConcurrency:<operation>'
          ? defaults.reservedConcurrencyByOperation
          : defaults[name as keyof typeof defaults],
      ),
    ]),
  );
  expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
});

test("docs/data-model.md's search index rows name the attributes index entries carry besides their key", () => {
  const doc = readFileSync('docs/data-model.md', 'utf8');
  /** The attribute names (backticked identifiers) in an entity row's notes. */
  const named = (entity: string) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| ${entity} `));
    const notes = row?.split('|')[4] ?? '';
    return [...notes.matchAll(/`([A-Za-z][A-Za-z0-9]*)`/g)].map((match) => match[1]).sort();
  };
  const besidesKey = (item: object) =>
    Object.keys(item)
      .filter((name) => name !== 'pk' && name !== 'sk')
      .sort();
  const params = entryParamDigests(new Map([['lr', '0.1']]));
  expect(besidesKey(metricIndexEntry('ws', 'exp', 'run', 'loss', 0.5, params))).toEqual(named('MetricIndex'));
  expect(besidesKey(metricIndexEntry('ws', 'exp', 'run', 'loss', 0.5, undefined))).toEqual([]);
  expect(besidesKey(tagIndexItem('ws', 'exp', 'run', 'team', 'vision'))).toEqual(named('TagIndex'));
  expect(besidesKey(legacyParamIndexKey('ws', 'exp', 'lr', '0.1', 'run'))).toEqual(named('(legacy)'));
  // None carries a `type`, which the page's opening says of every other item.
  expect(named('MetricIndex')).toEqual(['p']);
  expect(doc.replace(/\s+/g, ' ')).toContain('Every item stores its entity `type`, except the search index entries');
});
