import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

/**
 * `npm test`: runs every suite and ends with one line `N passed, N failed`
 * summing them all, which is what CI reads. Exits non-zero when anything failed
 * or a runner could not report.
 */
interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  ok: boolean;
}

const resultsDirectory = '.stratus/test-results';
rmSync(resultsDirectory, { recursive: true, force: true });
mkdirSync(resultsDirectory, { recursive: true });

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: Array<{ status: string; assertionResults: Array<{ status: string }> }>;
}

/**
 * A vitest run: the whole suite on DynamoDB Local and versitygw, or (`localstack`)
 * the integration files of vitest.localstack.config.ts on LocalStack's S3 and DynamoDB.
 */
function runVitest(name = 'vitest', extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): SuiteResult {
  const output = `${resultsDirectory}/${name}.json`;
  const run = spawnSync(
    'npx',
    ['vitest', 'run', ...extraArgs, '--reporter=default', '--reporter=json', `--outputFile=${output}`],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  try {
    const report = JSON.parse(readFileSync(output, 'utf8')) as VitestReport;
    // A file whose setup failed reports its tests as skipped: they count as failed, not as nothing.
    const unrun = report.testResults
      .filter((file) => file.status === 'failed')
      .reduce((sum, file) => {
        const notRun = file.assertionResults.filter((test) => test.status !== 'passed' && test.status !== 'failed');
        return sum + Math.max(notRun.length, file.assertionResults.length === 0 ? 1 : 0);
      }, 0);
    return {
      name,
      passed: report.numPassedTests,
      failed: report.numFailedTests + unrun,
      ok: run.status === 0,
    };
  } catch {
    return { name, passed: 0, failed: 0, ok: false };
  }
}

/**
 * A pytest suite from the virtual environment `npm run setup` made: the Python
 * SDK, CLI and examples, and the stock MLflow client against the local stack.
 */
function runPytest(name: string, directory: string): SuiteResult {
  const report = `${resultsDirectory}/${name}.xml`;
  const run = spawnSync('.venv/bin/python', ['-m', 'pytest', directory, '-q', `--junitxml=${report}`], {
    stdio: 'inherit',
  });
  try {
    // One <testsuite> element with the totals; pytest writes no other element with these attributes.
    const xml = readFileSync(report, 'utf8');
    const count = (name: string) => Number(new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1] ?? NaN);
    const [tests = NaN, failures = NaN, errors = NaN, skipped = NaN] = ['tests', 'failures', 'errors', 'skipped'].map(
      count,
    );
    if ([tests, failures, errors, skipped].some((n) => Number.isNaN(n))) throw new Error('unreadable report');
    const failed = failures + errors;
    return { name, passed: tests - failed - skipped, failed, ok: run.status === 0 };
  } catch {
    return { name, passed: 0, failed: 0, ok: false };
  }
}

const suites = [
  runVitest(),
  runPytest('pytest', 'clients/python/tests'),
  runPytest('mlflow-client', 'test/mlflow'),
  runVitest('localstack', ['--config', 'vitest.localstack.config.ts'], { STRATUS_TEST_BACKEND: 'localstack' }),
];
const passed = suites.reduce((sum, suite) => sum + suite.passed, 0);
const failed = suites.reduce((sum, suite) => sum + suite.failed, 0);
for (const suite of suites) {
  process.stdout.write(
    `${suite.name}: ${suite.passed} passed, ${suite.failed} failed${suite.ok ? '' : ' (runner failed)'}\n`,
  );
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(suites.every((suite) => suite.ok) && failed === 0 && passed > 0 ? 0 : 1);
