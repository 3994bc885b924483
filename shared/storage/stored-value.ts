import { parseNonFiniteValue, toWireMetricValue } from '../domain/metric-values.ts';

/** A metric value as stored: its exact decimal string (DynamoDB numbers hold neither NaN nor ±Infinity). */
export const storedValue = (value: number) => String(toWireMetricValue(value));
export const storedValueNumber = (stored: string) => parseNonFiniteValue(stored) ?? Number(stored);
