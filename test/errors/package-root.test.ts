import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TimeoutError } from '../../src/errors/timeout-error.js';
import * as root from '../../src/index.js';

const ERRORS = join(dirname(new URL(import.meta.url).pathname), '../../src/errors');

describe('errors: the package root', () => {
  // A regression: TimeoutError was thrown in three places (HTTP stack, token request, async
  // operation polls) but users could not import it to tell a timeout apart.
  it('exports every error class declared in src/errors', () => {
    const declared = readdirSync(ERRORS)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((file) => [...readFileSync(join(ERRORS, file), 'utf8').matchAll(/^export (?:abstract )?class (\w+)/gm)].map((m) => m[1] ?? ''));
    expect(declared).to.include.members(['OroSyncError', 'HttpError', 'NetworkError', 'TimeoutError']);
    const exported = root as Record<string, unknown>;
    for (const name of declared) {
      const value = exported[name];
      expect(typeof value === 'function' && value.prototype instanceof Error, `${name} exported from src/index.ts`).to.equal(true);
    }
    expect(root.TimeoutError).to.equal(TimeoutError);
  });
});
