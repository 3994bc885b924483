import { readFileSync } from 'node:fs';
import { startLocalStack } from '../local/stack.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import { launchChromium, newPage, signInByLink } from '../test/browser/browser.ts';
import { loadRuns } from './search.ts';
import type { BenchSection } from './section.ts';
import { percentile, round } from './stats.ts';

export interface UiBenchOptions {
  /** Points of the long metric (1,000,000 by default). */
  points?: number;
  /** Runs of the large experiment (10,000 by default). */
  runs?: number;
  samples?: number;
}

/**
 * The web UI in Debian's Chromium against the local stack: time to the first
 * drawn chart of a run whose metric has `points` points, and time to render,
 * load and scroll an experiment of `runs` runs in the virtualised table.
 * Times come from marks the app sets when it draws (performance.mark), so they
 * are the page's own clock from the start of navigation.
 */
export async function runUiBench(options: UiBenchOptions = {}): Promise<BenchSection> {
  const points = options.points ?? 1_000_000;
  const runCount = options.runs ?? 10_000;
  const samples = options.samples ?? 5;
  const token = issueToken().token;
  const stack = await startLocalStack({ port: 0, tableName: 'bench-ui', logLevel: 'error', bootstrapToken: token });
  const session = await launchChromium();
  try {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // A 503 (the store shedding load on a busy machine) is retried after its Retry-After, as the SDKs do.
    const post = async (path: string, body: unknown) => {
      for (let attempt = 1; ; attempt++) {
        const response = await fetch(`${stack.url}/api/v1${path}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
        });
        const answer = (await response.json()) as Record<string, unknown>;
        if (response.status === 503 && attempt < 8) {
          const seconds = Number(response.headers.get('retry-after')) || 1;
          await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
          continue;
        }
        if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
        return answer;
      }
    };

    // One run with a long history, logged through the API by four writers over disjoint step ranges.
    const loadStarted = performance.now();
    const run = await post('/runs', { experiment_name: 'bench-ui-long', run_name: 'long-history' });
    const runId = run.run_id as string;
    const batches = Math.ceil(points / 1000);
    let nextBatch = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let batch = nextBatch++; batch < batches; batch = nextBatch++) {
          const metrics = Array.from({ length: Math.min(1000, points - batch * 1000) }, (_, i) => {
            const step = batch * 1000 + i;
            return { key: 'loss', value: Math.exp(-step / (points / 5)) + Math.sin(step / 50) * 0.01, step };
          });
          await post(`/runs/${runId}/metrics`, { metrics, idempotency_key: `ui-bench-${batch}` });
        }
      }),
    );
    const historySeconds = (performance.now() - loadStarted) / 1000;
    // Ended, as a run someone opens to look at its history is: the first draw is timed without the live poll.
    const ended = await fetch(`${stack.url}/api/v1/runs/${runId}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ status: 'FINISHED' }),
    });
    if (!ended.ok) throw new Error(`end run: ${ended.status} ${await ended.text()}`);

    const experiment = await post('/experiments', { experiment_name: 'bench-ui-table' });
    const tableStarted = performance.now();
    await loadRuns(stack.workspace, experiment.experiment_id as string, runCount, 5, 5);
    const tableSeconds = (performance.now() - tableStarted) / 1000;

    const firstChart: number[] = [];
    const chartFetch: number[] = [];
    const zoomRefetch: number[] = [];
    let chartTimedOut = false;
    for (let i = 0; i < samples && !chartTimedOut; i++) {
      const { context, page } = await newPage(session.browser);
      try {
        await signInByLink(page, stack.url, token);
        await page.goto(`${stack.url}/runs/${runId}?tab=charts`);
        const drawn = await page.waitForFunction(
          () => performance.getEntriesByName('stratus:chart-drawn:loss')[0]?.startTime,
          undefined,
          { timeout: chartTimeoutMs },
        );
        firstChart.push((await drawn.jsonValue()) as number);
        chartFetch.push((await page.evaluate(requestDurationScript('/metrics/loss'))) as number);
        zoomRefetch.push((await page.evaluate(keyboardZoomScript('loss'))) as number);
      } catch (error) {
        // A history the API cannot downsample in time is a result to report, not a reason to lose the others.
        if ((error as Error).name !== 'TimeoutError') throw error;
        chartTimedOut = true;
      } finally {
        await context.close();
      }
    }

    const firstRows: number[] = [];
    const allRows: number[] = [];
    const frameP95: number[] = [];
    const frameMax: number[] = [];
    const scrollTotal: number[] = [];
    for (let i = 0; i < samples; i++) {
      const { context, page } = await newPage(session.browser);
      await signInByLink(page, stack.url, token);
      await page.goto(`${stack.url}/experiments/${experiment.experiment_id as string}`);
      const rendered = await page.waitForFunction(
        () => performance.getEntriesByName('stratus:runs-rendered')[0]?.startTime,
        undefined,
        { timeout: 60_000 },
      );
      firstRows.push((await rendered.jsonValue()) as number);
      // Scroll to the end until every page is in: the table asks for the next page as the end nears.
      const loadedAt = (await page.evaluate(scrollUntilLoadedScript(runCount))) as number;
      allRows.push(loadedAt);
      // Then scroll top to bottom in 240 animation frames, timing each frame.
      const frames = (await page.evaluate(timedScrollScript(240))) as number[];
      frameP95.push(percentile(frames, 95));
      frameMax.push(Math.max(...frames));
      scrollTotal.push(frames.reduce((sum, frame) => sum + frame, 0));
      await context.close();
    }

    const row = (what: string, values: number[], target: string, timedOut = false) =>
      timedOut && values.length === 0
        ? { what, 'p50 (ms)': `not drawn in ${chartTimeoutMs.toLocaleString('en')} ms`, 'max (ms)': '', target }
        : {
            what,
            'p50 (ms)': round(percentile(values, 50), 1),
            'max (ms)': round(Math.max(...values), 1),
            target,
          };
    const bundle = readBundleSize();
    return {
      title: `UI in Chromium: first chart of a ${points.toLocaleString('en')}-point metric (logged in ${round(historySeconds, 1)} s) and a ${runCount.toLocaleString('en')}-run table (loaded in ${round(tableSeconds, 1)} s), ${samples} samples each`,
      rows: [
        {
          what: `initial JavaScript, gzipped (${bundle.files} file${bundle.files === 1 ? '' : 's'}; web/dist/bundle-size.json)`,
          'p50 (ms)': `${round(bundle.gzipBytes / 1024, 1)} KB`,
          'max (ms)': '',
          target: `< ${round(bundle.budgetBytes / 1024, 0)} KB`,
        },
        row('first chart drawn, from navigation start', firstChart, '< 1,000 ms', chartTimedOut),
        row('  of which the downsampled history request', chartFetch, '', chartTimedOut),
        row('zoom (+ key): re-fetch of the halved step range until drawn', zoomRefetch, '< 1,000 ms', chartTimedOut),
        row('first rows of the runs table, from navigation start', firstRows, '< 1,000 ms'),
        row(`all ${runCount.toLocaleString('en')} runs loaded while scrolling, from navigation start`, allRows, ''),
        row('scroll top to bottom in 240 frames: p95 frame', frameP95, '< 16.7 ms (60 fps)'),
        row('  slowest frame', frameMax, '< 50 ms'),
        row('  whole scroll (240 frames)', scrollTotal, '≈ 4,000 ms at 60 Hz'),
      ],
    };
  } finally {
    await session.close();
    await stack.stop();
  }
}

/** What the last `npm --prefix web run build` measured (setup builds the app before benchmarks run). */
function readBundleSize() {
  const measured = JSON.parse(readFileSync('web/dist/bundle-size.json', 'utf8')) as {
    initialJsGzipBytes: number;
    budgetBytes: number;
    files: unknown[];
  };
  return { gzipBytes: measured.initialJsGzipBytes, budgetBytes: measured.budgetBytes, files: measured.files.length };
}

/**
 * How long the first chart may take before the section reports it as not drawn
 * (before the API kept rollups, 1,000,000 points on DynamoDB Local took longer).
 */
const chartTimeoutMs = 120_000;

// Scripts run in the page, as source text: the benchmark runs under tsx, whose transform would
// wrap named functions in a helper the page does not have, and it compiles without DOM types.

/** How long the first request whose URL contains `part` took, from the page's resource timing. */
const requestDurationScript = (part: string) => `(() => {
  const entry = performance.getEntriesByType('resource').find((resource) => resource.name.includes(${JSON.stringify(part)}));
  return entry ? entry.responseEnd - entry.startTime : NaN;
})()`;

/**
 * Focuses the chart of \`key\`, presses + (halve the step range around its middle) and waits
 * until the chart shows the new range and has painted; the time from key press to that frame.
 */
const keyboardZoomScript = (key: string) => `(async () => {
  const chart = document.querySelector('.chart-area[data-metric=' + ${JSON.stringify(JSON.stringify(key))} + ']');
  const before = chart.dataset.range;
  chart.focus();
  const pressed = performance.now();
  chart.dispatchEvent(new KeyboardEvent('keydown', { key: '+', bubbles: true }));
  await new Promise((resolve) => {
    const check = () => (chart.dataset.range !== before && chart.dataset.state === 'ready' ? resolve() : requestAnimationFrame(check));
    requestAnimationFrame(check);
  });
  await new Promise((resolve) => requestAnimationFrame(resolve));
  return performance.now() - pressed;
})()`;

/** Scrolls the runs table to its end until `expected` runs are loaded; the page's clock at that moment. */
const scrollUntilLoadedScript = (expected: number) => `(async () => {
  const scroller = document.querySelector('.runs-grid');
  while (Number(scroller.dataset.loadedRows) < ${expected}) {
    scroller.scrollTop = scroller.scrollHeight;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now();
})()`;

/** Scrolls the runs table from top to bottom over `steps` animation frames; each frame's duration. */
const timedScrollScript = (steps: number) => `new Promise((resolve) => {
  const scroller = document.querySelector('.runs-grid');
  scroller.scrollTop = 0;
  const distance = scroller.scrollHeight - scroller.clientHeight;
  const times = [];
  let step = 0;
  let last = performance.now();
  requestAnimationFrame(function tick(now) {
    times.push(now - last);
    last = now;
    scroller.scrollTop = (distance * ++step) / ${steps};
    if (step < ${steps}) requestAnimationFrame(tick);
    else resolve(times.slice(1));
  });
})`;
