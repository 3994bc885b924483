import fc from 'fast-check';

/**
 * fast-check as this suite uses it. Every property's search is bounded in
 * time: once a property has run for 30 seconds its remaining runs, or the
 * shrinking of a counterexample it found, stop, and a found counterexample
 * is still reported with its seed and path. Unbounded, a rare failing draw
 * shrank for over ten minutes in CI: a property runs in one synchronous
 * stretch (or in microtasks only), so vitest's own test timeout never fires.
 * Interrupted runs without a failure pass, so a slow machine gets fewer runs
 * rather than a red suite.
 */
fc.installGlobalPlugin(fc.interruptAfterTimeLimit(30_000));

export default fc;
