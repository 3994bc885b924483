import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  alternativeCosts,
  bucketRequestMetrics,
  idleCost,
  itemBytes,
  loadPrices,
  requestCost,
  storedBytes,
  templatesOf,
  usd,
} from '../../bench/cost-model.ts';
import { createStratusApp } from '../../cdk/stratus-stack.ts';
import { noBundling } from '../infra/support.ts';

/** The arithmetic behind `npm run bench`'s cost section and docs/cost.md. */
const prices = loadPrices();

/** The synthesized stack's idle lines and function count for some context (each synthesis takes seconds: kept). */
const synthesized = new Map<string, { lines: ReturnType<typeof idleCost>; functions: number; bucketMetrics: number }>();
function idleOf(context: Record<string, unknown>) {
  const key = JSON.stringify(context);
  const known = synthesized.get(key);
  if (known) return known;
  const templates = templatesOf(createStratusApp({ ...noBundling, ...context }).stack);
  const functions = templates
    .flatMap((template) => Object.values(template.Resources))
    .filter(
      (resource) =>
        // Route functions (CDK's own helper functions, e.g. the web app's deployment, have no table).
        resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Environment?.Variables?.STRATUS_TABLE_NAME,
    );
  const result = {
    lines: idleCost(templates, prices),
    functions: functions.length,
    bucketMetrics: bucketRequestMetrics(templates),
  };
  synthesized.set(key, result);
  return result;
}
// Each synthesis of the whole stack takes seconds, tens of them on a loaded machine.
const synthesisTimeoutMs = 300_000;
const monthly = (lines: ReturnType<typeof idleCost>) => lines.reduce((sum, line) => sum + line.monthly, 0);

describe('DynamoDB billed sizes', () => {
  test('names and values: strings in UTF-8 bytes, numbers by significant digits, maps and lists with overhead', () => {
    expect(itemBytes({ pk: { S: 'abc' } })).toBe(2 + 3);
    expect(itemBytes({ ü: { S: 'é' } })).toBe(2 + 2);
    // 12345 significant digits: ceil(5 / 2) + 1; leading and trailing zeros do not count.
    expect(itemBytes({ n: { N: '123.45' } })).toBe(1 + 4);
    expect(itemBytes({ n: { N: '0.00100' } })).toBe(1 + 2);
    expect(itemBytes({ b: { BOOL: true }, z: { NULL: true } })).toBe(2 + 2);
    expect(itemBytes({ m: { M: { ab: { S: 'x' } } } })).toBe(1 + 3 + (1 + 2 + 1));
    expect(itemBytes({ l: { L: [{ S: 'x' }, { N: '1' }] } })).toBe(1 + 3 + (1 + 1) + (1 + 2));
  });

  test('each item costs 100 bytes more, and again in every index that holds it', () => {
    const item = { pk: { S: 'p' }, sk: { S: 's' }, g1: { S: 'k' }, big: { S: 'x'.repeat(100) } };
    const size = itemBytes(item);
    expect(storedBytes([item], ['pk', 'sk'], [])).toBe(size + 100);
    expect(storedBytes([item], ['pk', 'sk'], [{ keys: ['g1'], projection: 'ALL' }])).toBe(2 * (size + 100));
    // Keys only: the table's and the index's keys are projected, not `big`.
    expect(storedBytes([item], ['pk', 'sk'], [{ keys: ['g1'], projection: 'KEYS_ONLY' }])).toBe(
      size + 100 + (size - (3 + 100)) + 100,
    );
    // An item without the index's key is not in the index.
    expect(storedBytes([item], ['pk', 'sk'], [{ keys: ['absent'], projection: 'ALL' }])).toBe(size + 100);
  });
});

describe('request and idle prices', () => {
  test('a request: API Gateway per started 512 KB, the Lambda request, GB-seconds by the millisecond', () => {
    const lambdaOnly = (ms: number, mb: number) =>
      prices.lambda.requestPerMillion / 1e6 + (Math.ceil(ms) / 1000) * (mb / 1024) * prices.lambda.arm64GbSecond;
    expect(requestCost(prices, { durationMs: 10.2, memoryMb: 512 })).toBeCloseTo(
      prices.httpApi.requestPerMillion / 1e6 + lambdaOnly(11, 512),
      15,
    );
    expect(requestCost(prices, { durationMs: 100, memoryMb: 1024, bodyKb: 600 })).toBeCloseTo(
      (2 * prices.httpApi.requestPerMillion) / 1e6 + lambdaOnly(100, 1024),
      15,
    );
  });

  test('idle: every metric an alarm watches (math alarms count each), secrets, keys and dashboards', () => {
    const template = {
      Resources: {
        Plain: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors' } },
        Math: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'a+b' }] },
        },
        Secret: { Type: 'AWS::SecretsManager::Secret' },
        Board: { Type: 'AWS::CloudWatch::Dashboard' },
        Table: { Type: 'AWS::DynamoDB::Table' },
      },
    };
    const lines = idleCost([template], prices);
    expect(Object.fromEntries(lines.map((line) => [line.what, line.count]))).toEqual({
      'alarm metrics': 3,
      secrets: 1,
      'KMS customer keys': 0,
      dashboards: 1,
    });
    expect(lines.reduce((sum, line) => sum + line.monthly, 0)).toBeCloseTo(
      3 * prices.cloudwatch.alarmMetricMonth + prices.secretsManager.secretMonth + prices.cloudwatch.dashboardMonth,
      10,
    );
  });

  test(
    'the stack: three alarm metrics per function, one dashboard with the flag, one bucket metrics filter',
    () => {
      const count = (lines: ReturnType<typeof idleCost>, what: string) =>
        lines.find((line) => line.what === what)?.count;
      const full = idleOf({});
      const lean = idleOf({ 'stratus:functionAlarms': 'false' });
      const withDashboard = idleOf({ 'stratus:dashboard': 'true' });
      expect(full.functions).toBeGreaterThan(20);
      expect(count(full.lines, 'alarm metrics')! - count(lean.lines, 'alarm metrics')!).toBe(3 * full.functions);
      expect(count(full.lines, 'dashboards')).toBe(0);
      expect(count(withDashboard.lines, 'dashboards')).toBe(1);
      expect(count(full.lines, 'secrets')).toBe(1);
      // The artifacts bucket's request metrics (for its 5xx alarm): one filter, 16 metrics.
      expect(full.bucketMetrics).toBe(16);
    },
    synthesisTimeoutMs,
  );
});

describe('docs/cost.md', () => {
  const doc = readFileSync('docs/cost.md', 'utf8');
  /** The rows of the markdown table whose header starts with `header`, as trimmed cells. */
  const tableRows = (header: string) => {
    const table = doc.slice(doc.indexOf(`| ${header}`));
    return table
      .slice(0, table.indexOf('\n\n'))
      .split('\n')
      .slice(2)
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
  };
  const dollars = (cell: string) => Number(/\$([\d,.]+)/.exec(cell)?.[1]?.replaceAll(',', ''));
  const costs = new Map(
    tableRows('What').map(([what, cost, measured]) => [what!, { cost: cost!, measured: measured! }]),
  );
  const unitPrice: Record<string, number> = {
    'alarm metrics': prices.cloudwatch.alarmMetricMonth,
    secrets: prices.secretsManager.secretMonth,
    'KMS customer keys': prices.kms.keyMonth,
    dashboards: prices.cloudwatch.dashboardMonth,
  };
  /** Idle per month for counts written as `203 alarm metrics, 1 secrets, …`. */
  const idleOfCounts = (counts: string) =>
    [...counts.matchAll(/(\d+) ([A-Za-z ]+?)(?=,|$)/g)].reduce(
      (sum, [, count, what]) => sum + Number(count) * unitPrice[what!]!,
      0,
    );

  test('its idle and custom-metric rows are their counts at the prices file', () => {
    const idleRows = [...costs].filter(([what]) => what.startsWith('idle per month: '));
    expect(idleRows.map(([what]) => what.slice('idle per month: '.length))).toEqual(Object.keys(unitPrice));
    for (const [what, { cost, measured }] of idleRows) {
      const count = Number(/^(\d+) in the synthesized stack$/.exec(measured)?.[1]);
      expect(cost, what).toBe(usd(count * unitPrice[what.slice('idle per month: '.length)]!));
    }
    const lean = costs.get('idle per month with stratus:functionAlarms=false')!;
    expect(lean.cost).toBe(usd(idleOfCounts(lean.measured)));
    const idleLine = /^Idle: (\$[\d.]+) per month \((.*?)\); (\$[\d.]+) with/m.exec(doc);
    expect(idleLine?.[1]).toBe(usd(idleOfCounts(idleLine![2]!)));
    expect(idleLine?.[3]).toBe(lean.cost);
    const custom = costs.get('custom metrics per active hour')!;
    const published = Number(/^(\d+) distinct metrics/.exec(custom.measured)?.[1]);
    expect(custom.cost).toBe(usd((published * prices.cloudwatch.customMetricMonth) / prices.hoursPerMonth));
  });

  test("the team table's metrics, idle and totals follow from its other columns", () => {
    const idle = /^Idle: (\$[\d.]+) per month/m.exec(doc)?.[1];
    const teams = tableRows('Team');
    expect(teams).toHaveLength(3);
    for (const [team, , , , , , usage, storage, metrics, idleCell, total] of teams) {
      const [, count, hours] = /\((\d+) × (\d+) h\)/.exec(metrics!) ?? [];
      const metricDollars =
        (Number(count) * Number(hours) * prices.cloudwatch.customMetricMonth) / prices.hoursPerMonth;
      expect(metrics, team).toContain(usd(metricDollars));
      expect(idleCell, team).toBe(idle);
      // The total is of the unrounded parts: shown parts may sum to it give or take their rounding and its own.
      const halfUnit = (value: number) => (value >= 100 ? 0.5 : 0.005);
      const parts = [usage!, storage!, metrics!, idleCell!].map(dollars);
      const tolerance = [...parts, dollars(total!)].reduce((sum, value) => sum + halfUnit(value), 0);
      const sum = parts.reduce((whole, part) => whole + part, 0);
      expect(Math.abs(sum - dollars(total!)), team).toBeLessThanOrEqual(tolerance);
    }
  });

  test('the alternatives are their list prices over a month', () => {
    const { sageMaker, selfHosted, withAlb } = alternativeCosts(prices);
    const rows = tableRows('Alternative').map(([what, cost]) => [what!, cost!]);
    expect(rows).toEqual([
      [`SageMaker managed MLflow, Small (${usd(prices.alternatives.sageMakerMlflowSmallHour)}/hour)`, usd(sageMaker)],
      [expect.stringMatching(/^Self-hosted MLflow/), usd(selfHosted)],
      [expect.stringMatching(/Application Load Balancer/), usd(withAlb)],
    ]);
  });

  test("every dollar figure of the prose is one of the tables' (as rounded there) or a list price", () => {
    // The re-measurement paragraph records figures of earlier trees, which no table of today holds.
    const remeasured = doc.indexOf('The param equality row was re-measured');
    const prose = doc
      .slice(0, remeasured)
      .concat(doc.slice(doc.indexOf('\n\n', remeasured)))
      .split('\n')
      .filter((line) => !line.startsWith('|') && !line.startsWith('Idle: '))
      .join(' ');
    const tableFigures = doc
      .split('\n')
      .filter((line) => line.startsWith('|') || line.startsWith('Idle: '))
      .flatMap((line) =>
        [...line.matchAll(/\$([\d,]+(?:\.\d+)?)/g)].map((match) => Number(match[1]!.replaceAll(',', ''))),
      );
    const listPrices = (function leaves(value: unknown): number[] {
      if (typeof value === 'number') return [value];
      if (value && typeof value === 'object') return Object.values(value).flatMap(leaves);
      return [];
    })(prices);
    const known = [...tableFigures, ...listPrices];
    const figures = [...prose.matchAll(/\$([\d,]+(?:\.(\d+))?)/g)];
    expect(figures.length).toBeGreaterThan(10);
    const unexplained = figures
      .filter(([, written, decimals]) => {
        const value = Number(written!.replaceAll(',', ''));
        const places = decimals?.length ?? 0;
        return !known.some((figure) => Math.abs(Number(figure.toFixed(places)) - value) < 1e-9);
      })
      .map(([figure]) => figure);
    expect(unexplained).toEqual([]);
  });

  test('names the date of the prices it was computed with', () => {
    expect(doc).toContain(`list prices as of ${prices.asOf}`);
  });

  test(
    'states the idle cost of the stack as it is synthesized today',
    () => {
      const idle = monthly(idleOf({}).lines).toFixed(2);
      const withoutFunctionAlarms = monthly(idleOf({ 'stratus:functionAlarms': 'false' }).lines).toFixed(2);
      expect(doc).toContain(`Idle: $${idle} per month`);
      expect(doc).toContain(`$${withoutFunctionAlarms} with \`stratus:functionAlarms=false\``);
      // The README's opening paragraph quotes the same two figures.
      const readme = readFileSync('README.md', 'utf8').replace(/\s+/g, ' ');
      expect(readme).toContain(`it costs $${idle} a month, nearly all of it alarms ($${withoutFunctionAlarms} without`);
    },
    synthesisTimeoutMs,
  );
});
