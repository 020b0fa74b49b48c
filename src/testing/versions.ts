/**
 * The Oro versions the fake can play. A family switches what it declares on these (e.g.
 * `externalId` from 6.1.10 / 7.0.2 on); the machinery never looks at them.
 */

/** The Oro versions the fake can play (`startFakeOro({ version })`); see docs/fake-oro.md. */
export type OroVersion = '6.0' | '6.1' | '7.0';

/** Every version the fake can play, oldest first; the last one is the default. */
export const ORO_VERSIONS: readonly OroVersion[] = ['6.0', '6.1', '7.0'];

/** The newest version the fake plays (the default). */
export const LATEST_VERSION: OroVersion = '7.0';

/**
 * `true` when `version` is `since` or newer. The fake's 6.1 is the latest 6.1 patch (6.1.10+)
 * and its 7.0 the latest 7.0 patch, so a change made in 6.1.10 and 7.0.2 is `atLeast(v, '6.1')`.
 *
 * @example
 * atLeast('7.0', '6.1'); // true
 * atLeast('6.0', '6.1'); // false
 */
export function atLeast(version: OroVersion, since: OroVersion): boolean {
  return ORO_VERSIONS.indexOf(version) >= ORO_VERSIONS.indexOf(since);
}
