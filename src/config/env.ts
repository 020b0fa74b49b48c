/**
 * `${NAME}` substitution in config values, from the environment.
 *
 * Substitution happens in every string value (not in keys), anywhere in the document, before
 * decoding; so `"port": "${PORT}"` is still a string and is refused by the codec. `$${NAME}` is
 * an escape for a literal `${NAME}`. A reference to an unset variable is a problem naming the
 * variable and the config path that uses it; an empty variable counts as set.
 */

/** A reference to an unset variable. `path` is the dot path of the string that uses it. */
export interface EnvProblem {
  readonly path: string;
  readonly variable: string;
  readonly message: string;
}

/** Matches `${NAME}` and the escape `$${NAME}`. */
const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** True when `value` contains at least one `${NAME}` reference (not counting escaped ones). */
export function hasEnvReference(value: string): boolean {
  for (const match of value.matchAll(REFERENCE)) if (match[1] === '') return true;
  return false;
}

/** Replace the references in one string; unset variables are reported and left as they are. */
export function substituteString(
  value: string,
  env: NodeJS.ProcessEnv,
  path: string,
  problems: EnvProblem[],
): string {
  return value.replace(REFERENCE, (whole, escape: string, name: string) => {
    if (escape !== '') return whole.slice(1);
    const replacement = env[name];
    if (replacement === undefined) {
      problems.push({ path, variable: name, message: `environment variable ${name} is not set` });
      return whole;
    }
    return replacement;
  });
}

/**
 * A copy of a parsed JSON value with every `${NAME}` in its strings replaced from `env`.
 *
 * @example
 * substituteEnv({ oro: { clientSecret: '${S}' } }, { S: 'x' }) // { value: { oro: { clientSecret: 'x' } }, problems: [] }
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv): { value: unknown; problems: EnvProblem[] } {
  const problems: EnvProblem[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') return substituteString(v, env, path, problems);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, path === '' ? String(i) : `${path}.${i}`));
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(
        Object.entries(v).map(([key, item]) => [key, walk(item, path === '' ? key : `${path}.${key}`)]),
      );
    }
    return v;
  };
  return { value: walk(value, ''), problems };
}
