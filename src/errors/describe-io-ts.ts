import type * as t from 'io-ts';

/** Where an io-ts error is in the decoded value, and what was expected there. */
export interface IoTsLocation {
  /** Keys from the root to the failing value (`['data', '0', 'id']`); `[]` for the value itself. */
  readonly path: readonly string[];
  /**
   * Name of the outermost codec at that path: for a union at `id` that is the union
   * (`string | number`), not whichever member was tried last. `undefined` for an empty context.
   */
  readonly expected: string | undefined;
}

/**
 * Combinators whose context entries are member indexes (`0`, `1`, ...), not places in the input.
 * Tested by `_tag` rather than `instanceof` so codecs from another copy of io-ts count too.
 */
function isMemberIndexParent(parent: t.Decoder<unknown, unknown> | undefined): boolean {
  const tag = (parent as { _tag?: unknown } | undefined)?._tag;
  return tag === 'UnionType' || tag === 'IntersectionType';
}

/**
 * The one walk over an io-ts `Context` behind every decode-error message in the project (source
 * records, Oro documents, dead letters, the config file): the first entry is the root and has no
 * place of its own; union and intersection member indexes are skipped. Each caller renders the
 * location and the value in its own format.
 */
export function locateIoTsError(context: t.Context): IoTsLocation {
  const path: string[] = [];
  const outermostAt: string[] = [];
  context.forEach((entry, i) => {
    if (i > 0 && !isMemberIndexParent(context[i - 1]?.type)) path.push(entry.key);
    outermostAt[path.length] ??= entry.type.name;
  });
  return { path, expected: outermostAt[path.length] };
}
