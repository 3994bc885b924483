import { createHash, randomUUID } from 'node:crypto';

/** 32 lowercase hex characters, like MLflow's run ids. */
export const newId = () => randomUUID().replaceAll('-', '');

export const idPattern = /^[0-9a-f]{32}$/;

/** A short stable digest, used to turn client-chosen idempotency keys into key segments. */
export const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

/** An id shaped as `newId`'s, named by `text`: the same text, the same id. */
export const namedId = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
