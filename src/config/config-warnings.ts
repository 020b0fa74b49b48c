/**
 * Warnings about a config that works but is risky: a client secret written into the file, and
 * such a file readable by other users. Warnings name the setting and the fix, never the value.
 */
import { hasEnvReference } from './env.js';
import { isRecord } from './codec-kit.js';

export const LITERAL_SECRET_WARNING = 'oro.clientSecret is written in the config file; prefer ${ORO_CLIENT_SECRET}';

/**
 * True when the document (before `${ENV}` substitution) holds the client secret literally,
 * i.e. `oro.clientSecret` is a non-empty string with no `${NAME}` reference in it.
 */
export function hasLiteralSecret(raw: unknown): boolean {
  const oro = isRecord(raw) ? raw.oro : undefined;
  const secret = isRecord(oro) ? oro.clientSecret : undefined;
  return typeof secret === 'string' && secret !== '' && !hasEnvReference(secret);
}

/**
 * The warnings for one config file.
 *
 * @param raw the parsed document, before substitution
 * @param file the config file's path, named in the permission warning
 * @param mode the file's `stat().mode` (permission bits are what matter)
 */
export function configWarnings(raw: unknown, file: string, mode: number): string[] {
  if (!hasLiteralSecret(raw)) return [];
  const warnings = [LITERAL_SECRET_WARNING];
  if ((mode & 0o077) !== 0) {
    const perms = (mode & 0o777).toString(8).padStart(3, '0');
    warnings.push(
      `${file} holds a literal oro.clientSecret and other users can read it (mode ${perms}); run: chmod 600 ${file}`,
    );
  }
  return warnings;
}
