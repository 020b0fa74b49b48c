/**
 * Small io-ts combinators for the config codec: strict objects (unknown keys are problems, with a
 * "did you mean" hint), defaults, optional fields, closed string sets, tagged unions and checks.
 *
 * Why not `t.type` / `t.union`: `t.type` silently ignores unknown keys (a typo like `batchsize`
 * would be dropped and the default used), and `t.union` reports one error per member, which buries
 * the one line the user needs. These combinators keep io-ts's error model (a `Context` per error,
 * a custom `message` where "expected X, got Y" does not fit) so `format-errors.ts` can print every
 * problem as `path: expected X, got Y`.
 */
import * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';
import { suggestKey } from './suggest.js';

/**
 * A decoder from unknown input. Only the decoding side of `t.Type` is used, which keeps the type
 * covariant: a `Codec<PagePagination>` is a `Codec<Pagination>`.
 */
export type Codec<A> = t.Decoder<unknown, A>;

/** The output type of a codec. */
export type DecodedOf<C> = C extends Codec<infer A> ? A : never;

/** Any codec, for heterogeneous property maps. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCodec = Codec<any>;

/** Build a codec from a name and a validation function (encode is the identity). */
export function codec<A>(name: string, validate: t.Validate<unknown, A>): Codec<A> {
  return new t.Type<A, A, unknown>(name, (u): u is A => isRight(validate(u, [])), validate, t.identity);
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

/** A primitive checked by a predicate; `name` is what the error says was expected. */
export function primitive<A>(name: string, test: (u: unknown) => u is A): Codec<A> {
  return codec(name, (u, c) => (test(u) ? t.success(u) : t.failure(u, c)));
}

/** The field may be absent; when present it must satisfy `inner`. */
export function optional<A>(inner: Codec<A>): Codec<A | undefined> {
  return codec<A | undefined>(inner.name, (u, c) => (u === undefined ? t.success(undefined) : inner.validate(u, c)));
}

/** The field may be absent, in which case it is `value`. */
export function withDefault<A>(inner: Codec<A>, value: A): Codec<A> {
  return codec(inner.name, (u, c) => (u === undefined ? t.success(value) : inner.validate(u, c)));
}

/**
 * An optional section whose own fields all have defaults: absent means "all defaults".
 * `{}` is decoded through `inner`, so the defaults live in one place.
 */
export function section<A>(inner: Codec<A>): Codec<A> {
  return codec(inner.name, (u, c) => inner.validate(u === undefined ? {} : u, c));
}

/** One of a closed set of strings: `expected one of "a" | "b", got "c"`. */
export function oneOf<const L extends readonly string[]>(values: L): Codec<L[number]> {
  const name = `one of ${values.map((v) => JSON.stringify(v)).join(' | ')}`;
  return primitive(name, (u): u is L[number] => typeof u === 'string' && values.includes(u));
}

/** Maps the object type of a props record, making keys whose codec accepts `undefined` optional. */
export type StrictOf<P extends Record<string, AnyCodec>> = {
  [K in keyof P as undefined extends DecodedOf<P[K]> ? never : K]: DecodedOf<P[K]>;
} & {
  [K in keyof P as undefined extends DecodedOf<P[K]> ? K : never]?: Exclude<DecodedOf<P[K]>, undefined>;
};

/**
 * An object with exactly these keys. Every field is validated (all problems are collected) and
 * every key not in `props` is a problem of its own: `unknown key (did you mean "batchSize"?)`.
 * Fields that decode to `undefined` are left out of the result.
 */
export function strict<P extends Record<string, AnyCodec>>(name: string, props: P): Codec<StrictOf<P>> {
  const known = Object.keys(props);
  return codec(name, (u, c) => {
    if (!isRecord(u)) return t.failure(u, c);
    const errors: t.Errors = [];
    const out: Record<string, unknown> = {};
    for (const key of known) {
      const field = props[key] as AnyCodec;
      const result = field.validate(u[key], t.appendContext(c, key, field, u[key]));
      if (isRight(result)) {
        if (result.right !== undefined) out[key] = result.right;
      } else {
        errors.push(...result.left);
      }
    }
    for (const key of Object.keys(u)) {
      if (Object.prototype.hasOwnProperty.call(props, key)) continue;
      const hint = suggestKey(key, known);
      errors.push({
        value: u[key],
        context: t.appendContext(c, key, t.never, u[key]),
        message: `unknown key${hint ? ` (did you mean ${JSON.stringify(hint)}?)` : ''}`,
      });
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out as StrictOf<P>);
  });
}

/** A string-keyed map of values that each satisfy `value`. */
export function recordOf<A>(name: string, value: Codec<A>): Codec<Readonly<Record<string, A>>> {
  return codec(name, (u, c) => {
    if (!isRecord(u)) return t.failure(u, c);
    const errors: t.Errors = [];
    const out: Record<string, A> = {};
    for (const [key, v] of Object.entries(u)) {
      const result = value.validate(v, t.appendContext(c, key, value, v));
      if (isRight(result)) out[key] = result.right;
      else errors.push(...result.left);
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out);
  });
}

/**
 * A union told apart by the string field `tag`. An unknown tag is one problem
 * (`source.kind: expected one of "ndjson" | ..., got "xml"`); a known tag is decoded by its member
 * alone, so its problems are not mixed with those of the other members.
 */
export function taggedUnion<A>(name: string, tag: string, members: Readonly<Record<string, Codec<A>>>): Codec<A> {
  const tags = oneOf(Object.keys(members));
  return codec(name, (u, c) => {
    if (!isRecord(u)) return t.failure(u, c);
    const value = u[tag];
    const member = typeof value === 'string' && Object.prototype.hasOwnProperty.call(members, value)
      ? members[value]
      : undefined;
    if (member === undefined) return t.failure(value, t.appendContext(c, tag, tags, value));
    return member.validate(u, c);
  });
}

/** A problem found by a check: a path relative to the checked value (`[]` = the value itself). */
export interface CheckProblem {
  readonly path: readonly string[];
  readonly message: string;
  readonly value?: unknown;
}

/** What a `refine` check returns: problems, or the final value. */
export type Checked<B> = { readonly problems: readonly CheckProblem[] } | { readonly value: B };

/**
 * Decode with `inner`, then run `check` on the result; `check` returns problems (rules across
 * fields) or the final value (for defaults computed from other fields).
 */
export function refine<A, B>(inner: Codec<A>, check: (a: A) => Checked<B>): Codec<B> {
  return codec(inner.name, (u, c) => {
    const result = inner.validate(u, c);
    if (!isRight(result)) return result;
    const checked = check(result.right);
    if ('value' in checked) return t.success(checked.value);
    return t.failures(checked.problems.map((p) => problemAt(c, p)));
  });
}

/**
 * Decode with `inner` and, whether or not that succeeds, run `check` on the raw object: rules
 * between fields are reported in the same run as the fields' own problems.
 */
export function alsoCheck<A>(inner: Codec<A>, check: (raw: Record<string, unknown>) => readonly CheckProblem[]): Codec<A> {
  return codec(inner.name, (u, c) => {
    const result = inner.validate(u, c);
    const problems = isRecord(u) ? check(u).map((p) => problemAt(c, p)) : [];
    if (problems.length === 0) return result;
    return t.failures([...(isRight(result) ? [] : result.left), ...problems]);
  });
}

/** Turn a check problem into an io-ts error at `context` + `problem.path`. */
export function problemAt(context: t.Context, problem: CheckProblem): t.ValidationError {
  const ctx = problem.path.reduce<t.Context>((acc, key) => t.appendContext(acc, key, t.never), context);
  return { value: problem.value, context: ctx, message: problem.message };
}
