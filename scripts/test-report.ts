/**
 * Reading the suites' reports for `npm test` (scripts/test-all.ts): the counts,
 * and one line per failure. CI shows only the head and tail of a long log, so the
 * failures are repeated above the totals, one line each.
 */

export interface SuiteCounts {
  passed: number;
  failed: number;
  /** One line each: `file › test: first line of the message`. */
  failures: string[];
}

export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{ status: string; fullName?: string; failureMessages?: string[] }>;
  }>;
}

const longestLine = 200;

/** The first non-blank line of a message, without terminal colours, cut to fit one line. */
export function oneLine(message: string | undefined): string {
  const first = (message ?? '').split('\n').find((line) => line.trim() !== '') ?? '';
  // vitest's messages carry terminal colour codes.
  const plain = first.replace(/\u001b\[[0-9;]*m/g, '').trim();
  return plain.length > longestLine ? `${plain.slice(0, longestLine)}…` : plain;
}

export function readVitestReport(report: VitestReport, root: string): SuiteCounts {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  const failedFiles = report.testResults.filter((file) => file.status === 'failed');
  // A file whose setup failed reports its tests as skipped: they count as failed, not as nothing.
  const unrun = failedFiles.reduce((sum, file) => {
    const notRun = file.assertionResults.filter((test) => test.status !== 'passed' && test.status !== 'failed');
    return sum + Math.max(notRun.length, file.assertionResults.length === 0 ? 1 : 0);
  }, 0);
  const failures = failedFiles.flatMap((file) => {
    const path = file.name.startsWith(prefix) ? file.name.slice(prefix.length) : file.name;
    const tests = file.assertionResults.filter((test) => test.status === 'failed');
    if (tests.length === 0) return [`${path}: ${oneLine(file.message)}`];
    return tests.map((test) => `${path} › ${test.fullName ?? '?'}: ${oneLine(test.failureMessages?.[0])}`);
  });
  return { passed: report.numPassedTests, failed: report.numFailedTests + unrun, failures };
}

const entities = new Map([
  ['&lt;', '<'],
  ['&gt;', '>'],
  ['&quot;', '"'],
  ['&apos;', "'"],
  ['&#10;', '\n'],
  ['&amp;', '&'],
]);

function unescapeXml(text: string): string {
  return text.replace(/&(?:lt|gt|quot|apos|amp|#10);/g, (entity) => entities.get(entity) ?? entity);
}

/** pytest's JUnit XML: the totals of its one <testsuite>, and its failed and erroring <testcase>s. */
export function readJunitReport(xml: string): SuiteCounts {
  // One <testsuite> element with the totals; pytest writes no other element with these attributes.
  const count = (name: string) => Number(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1] ?? NaN);
  const [tests = NaN, failures = NaN, errors = NaN, skipped = NaN] = ['tests', 'failures', 'errors', 'skipped'].map(
    count,
  );
  if ([tests, failures, errors, skipped].some((n) => Number.isNaN(n))) throw new Error('unreadable report');
  const failed = failures + errors;
  const lines: string[] = [];
  for (const testcase of xml.matchAll(/<testcase ([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const problem = /<(failure|error)\b([^>]*)/.exec(testcase[2] ?? '');
    if (!problem) continue;
    const attribute = (source: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(source)?.[1];
    const where = `${attribute(testcase[1] ?? '', 'classname') ?? '?'}::${attribute(testcase[1] ?? '', 'name') ?? '?'}`;
    const message = attribute(problem[2] ?? '', 'message') ?? problem[1];
    lines.push(`${where}: ${oneLine(unescapeXml(message ?? ''))}`);
  }
  return { passed: tests - failed - skipped, failed, failures: lines };
}
