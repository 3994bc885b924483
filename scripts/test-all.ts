import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { readJunitReport, readVitestReport, type SuiteCounts, type VitestReport } from './test-report.ts';

/**
 * `npm test`: runs every suite and ends with one line `N passed, N failed`
 * summing them all, which is what CI reads. Above it, each failure on one line,
 * since CI keeps only the tail of a long log. Exits non-zero when anything failed
 * or a runner could not report.
 */
interface SuiteResult extends SuiteCounts {
  name: string;
  ok: boolean;
}

// The AWS SDK warns once per process that its releases after January 2027 need Node 22: with a
// process per test file that is nine lines a file, between the lines that say what passed.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const resultsDirectory = '.stratus/test-results';
rmSync(resultsDirectory, { recursive: true, force: true });
mkdirSync(resultsDirectory, { recursive: true });

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
    return { name, ok: run.status === 0, ...readVitestReport(report, process.cwd()) };
  } catch {
    return { name, passed: 0, failed: 0, ok: false, failures: [`no readable report at ${output}`] };
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
    return { name, ok: run.status === 0, ...readJunitReport(readFileSync(report, 'utf8')) };
  } catch {
    return { name, passed: 0, failed: 0, ok: false, failures: [`no readable report at ${report}`] };
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
  for (const failure of suite.failures) process.stdout.write(`FAILED ${suite.name}: ${failure}\n`);
}
for (const suite of suites) {
  process.stdout.write(
    `${suite.name}: ${suite.passed} passed, ${suite.failed} failed${suite.ok ? '' : ' (runner failed)'}\n`,
  );
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(suites.every((suite) => suite.ok) && failed === 0 && passed > 0 ? 0 : 1);
