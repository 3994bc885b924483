import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { artifactLimits } from '../../shared/domain/artifacts.ts';
import { searchLimits } from '../../shared/domain/search/parser.ts';
import { openApiPath } from '../../shared/http/openapi.ts';
import { routePaths } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { limits } from '../../shared/limits.ts';

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
