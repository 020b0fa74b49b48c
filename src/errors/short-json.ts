/** Longest rendering of an offending value inside an error message. */
const MAX_VALUE_CHARS = 60;

/**
 * A value as short JSON for an error message: `""`, `42`, `{"a":1,"b":…`. Values JSON cannot
 * render (`undefined`, `NaN`, functions, bigints, cycles) fall back to `String(value)`.
 *
 * @param maxChars longest result, the `ellipsis` included
 * @param ellipsis what marks a cut value
 */
export function shortJson(value: unknown, maxChars = MAX_VALUE_CHARS, ellipsis = '…'): string {
  // JSON.stringify would print NaN / Infinity as `null`, hiding the very problem being reported.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = String(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - ellipsis.length)}${ellipsis}` : text;
}
