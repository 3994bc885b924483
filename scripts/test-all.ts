import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
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
 * Runs a command with its output in `log` (both streams, in order) and resolves with its exit
 * status. Suites that run at the same time write to files of their own, shown whole afterwards,
 * so their lines do not interleave.
 */
function run(command: string, args: string[], log?: string, env: NodeJS.ProcessEnv = {}): Promise<number | null> {
  const out = log === undefined ? 'inherit' : openSync(log, 'w');
  const child = spawn(command, args, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  const done = () => {
    if (typeof out === 'number') closeSync(out);
  };
  return new Promise((resolve) => {
    child.on('error', (error) => {
      done();
      process.stdout.write(`${command}: ${error.message}\n`);
      resolve(null);
    });
    child.on('close', (status) => {
      done();
      if (log !== undefined) {
        process.stdout.write(`\n===== ${command} ${args.join(' ')} =====\n`);
        process.stdout.write(readFileSync(log));
      }
      resolve(status);
    });
  });
}

/**
 * A vitest run: the whole suite on DynamoDB Local and versitygw, or (`localstack`)
 * the integration files of vitest.localstack.config.ts on LocalStack's S3 and DynamoDB.
 */
async function runVitest(
  name: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv; log?: string } = {},
): Promise<SuiteResult> {
  const output = `${resultsDirectory}/${name}.json`;
  const status = await run(
    'npx',
    ['vitest', 'run', ...(options.args ?? []), '--reporter=default', '--reporter=json', `--outputFile=${output}`],
    options.log,
    options.env,
  );
  try {
    const report = JSON.parse(readFileSync(output, 'utf8')) as VitestReport;
    return { name, ok: status === 0, ...readVitestReport(report, process.cwd()) };
  } catch {
    return { name, passed: 0, failed: 0, ok: false, failures: [`no readable report at ${output}`] };
  }
}

/**
 * A pytest suite from the virtual environment `npm run setup` made: the Python
 * SDK, CLI and examples, and the stock MLflow client against the local stack.
 */
async function runPytest(name: string, directory: string): Promise<SuiteResult> {
  const report = `${resultsDirectory}/${name}.xml`;
  const status = await run(
    '.venv/bin/python',
    ['-m', 'pytest', directory, '-q', `--junitxml=${report}`],
    `${resultsDirectory}/${name}.log`,
  );
  try {
    return { name, ok: status === 0, ...readJunitReport(readFileSync(report, 'utf8')) };
  } catch {
    return { name, passed: 0, failed: 0, ok: false, failures: [`no readable report at ${report}`] };
  }
}

// The main vitest run keeps both cores busy, so it runs alone. The suites after it each wait on
// one client's requests in turn (one Python process, or LocalStack's gateway before DynamoDB Local)
// and leave much of the machine idle: each starts its own stack on free ports, so they run at once.
const suites = [await runVitest('vitest')];
suites.push(
  ...(await Promise.all([
    runPytest('pytest', 'clients/python/tests'),
    runPytest('mlflow-client', 'test/mlflow'),
    runVitest('localstack', {
      args: ['--config', 'vitest.localstack.config.ts'],
      env: { STRATUS_TEST_BACKEND: 'localstack' },
      log: `${resultsDirectory}/localstack.log`,
    }),
  ])),
);
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
