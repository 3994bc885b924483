/** What every benchmark section returns: a titled table, printed and written to JSON by bench/run.ts. */
export interface BenchSection {
  title: string;
  rows: Array<Record<string, string | number>>;
}
