import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { oneLine, readJunitReport, readVitestReport, type VitestReport } from '../../scripts/test-report.ts';

describe('npm test names each failure on one line above the totals', () => {
  it('reads a JUnit report written by the real pytest: counts, and each failure and error by test', () => {
    const directory = mkdtempSync(join(tmpdir(), 'stratus-junit-'));
    writeFileSync(
      join(directory, 'test_sample.py'),
      [
        'import pytest',
        'def test_passes(): assert True',
        'def test_fails(): assert 1 + 1 == 3, "arithmetic <broke> & \\"quoted\\""',
        '@pytest.fixture',
        'def broken(): raise RuntimeError("fixture exploded")',
        'def test_errors(broken): pass',
        '@pytest.mark.skip(reason="not today")',
        'def test_skipped(): pass',
      ].join('\n'),
    );
    const report = join(directory, 'report.xml');
    // The root directory names the test's class in the report: set, or pytest may take /tmp (it did in CI).
    spawnSync('.venv/bin/python', [
      '-m',
      'pytest',
      directory,
      '-q',
      '-p',
      'no:cacheprovider',
      `--rootdir=${directory}`,
      `--junitxml=${report}`,
    ]);
    const counts = readJunitReport(readFileSync(report, 'utf8'));
    expect({ passed: counts.passed, failed: counts.failed }).toEqual({ passed: 1, failed: 2 });
    expect(counts.failures).toHaveLength(2);
    expect(counts.failures[0]).toMatch(/^test_sample::test_fails: AssertionError: arithmetic <broke> & "quoted"/);
    expect(counts.failures[1]).toMatch(/^test_sample::test_errors: .*fixture exploded/);
  });

  it('reads a vitest report: failed tests by file and name, and a file that failed before its tests', () => {
    const colour = '\u001b[31m';
    const report: VitestReport = {
      numPassedTests: 3,
      numFailedTests: 1,
      testResults: [
        {
          name: '/repo/test/integration/a.test.ts',
          status: 'failed',
          assertionResults: [
            { status: 'passed', fullName: 'a works' },
            {
              status: 'failed',
              fullName: 'a › breaks',
              failureMessages: [`\n${colour}AssertionError: expected 4224 to be 4262\n    at stack`],
            },
          ],
        },
        { name: '/repo/test/unit/b.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] },
        {
          name: '/repo/test/integration/c.test.ts',
          status: 'failed',
          message: 'Hook timed out in 60000ms',
          assertionResults: [{ status: 'skipped' }, { status: 'skipped' }],
        },
        { name: '/elsewhere/d.test.ts', status: 'failed', message: 'SyntaxError', assertionResults: [] },
      ],
    };
    const counts = readVitestReport(report, '/repo');
    // The failed test, the two tests its file never ran, and the file with no tests at all.
    expect(counts.failed).toBe(1 + 2 + 1);
    expect(counts.passed).toBe(3);
    expect(counts.failures).toEqual([
      'test/integration/a.test.ts › a › breaks: AssertionError: expected 4224 to be 4262',
      'test/integration/c.test.ts: Hook timed out in 60000ms',
      '/elsewhere/d.test.ts: SyntaxError',
    ]);
  });

  it('cuts a long message to one bounded line', () => {
    const line = oneLine(`${'x'.repeat(500)}\nsecond line`);
    expect(line).toHaveLength(201);
    expect(line.endsWith('…')).toBe(true);
    expect(oneLine(undefined)).toBe('');
  });
});
