import type { Outcome } from '../types/outcome.js';

/** How many documents a dry run prints unless told otherwise. */
export const DRY_RUN_SAMPLE = 20;

/** What a dry run shows of the documents it would send. */
export interface DryRunSample {
  /** Prints the outcome's document while fewer than `sample` were printed. */
  see(outcome: Outcome): void;
  /** The closing `(showing N of M documents)` line, when some documents were not printed. */
  end(): void;
}

/**
 * The first `sample` documents a dry run would send, one JSON line each
 * (`{"action":"create","where":"c.ndjson:1","document":{...}}`; out of Oro,
 * `{"action":"send","where":"...","delivered":...}`), and a last line saying how many were left out. Rejected records have no document, so they do not count as left out.
 *
 * @example
 * ```ts
 * const shown = dryRunSample(console.log, 2);
 * outcomes.forEach((outcome) => shown.see(outcome)).then(() => shown.end());
 * // {"action":"create",...} twice, then: (showing 2 of 5 documents)
 * ```
 */
export function dryRunSample(print: ((line: string) => void) | undefined, sample = DRY_RUN_SAMPLE): DryRunSample {
  let printed = 0;
  let documents = 0;
  return {
    see(outcome) {
      const where = outcome.record.position.where;
      // Out of Oro, what a sink would be sent; into Oro, the JSON:API document.
      const shown = outcome.status === 'sent' ? { action: 'send', where, delivered: outcome.delivered }
        : outcome.document ? { action: outcome.status === 'created' ? 'create' : 'update', where, document: outcome.document }
          : undefined;
      if (!shown) return;
      documents++;
      if (printed < sample && print) {
        printed++;
        print(JSON.stringify(shown));
      }
    },
    end() {
      if (print && documents > printed) print(`(showing ${printed} of ${documents} documents)`);
    },
  };
}
