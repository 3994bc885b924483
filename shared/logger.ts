/**
 * One JSON line per event on stdout/stderr, which is what CloudWatch Logs wants.
 * Never pass request bodies, headers or tokens here.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: Level = 'info';

export function setLogLevel(level: Level) {
  threshold = level;
}

export function log(level: Level, message: string, fields: Record<string, unknown> = {}) {
  if (order[level] < order[threshold]) return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (order[level] >= order.warn) process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}
