/**
 * The README's library example runs as it is written: the test copies the code block out of
 * README.md unchanged into a file inside the package (under the git-ignored `tmp/`), so that
 * `import ... from 'oro-sync'` resolves the way it does for a user: through package.json's
 * `exports` to the built `dist/`. It runs with plain `node --import tsx` (the block is TypeScript)
 * from the repository root, against the fake Oro on 127.0.0.1, given only the environment variables
 * the README names. The child has to exit by itself: a timer or socket the example leaves open
 * fails the test by timeout.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOro, type FakeOro } from '../../src/testing/index.js';
import { ensureBuilt, ROOT } from '../helpers/cli.js';

/** The first `ts` code block of the README's "Using it as a library" section that imports from 'oro-sync'. */
export function libraryExample(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Using it as a library'));
  if (section === undefined) throw new Error('README.md has no "## Using it as a library" section');
  for (const [, code] of section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    if (code !== undefined && /from 'oro-sync';/.test(code)) return code;
  }
  throw new Error('README.md "Using it as a library" has no ts block importing from \'oro-sync\'');
}

function run(file: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('README: the library example', function () {
  this.timeout(120_000);
  let oro: FakeOro;
  let dir: string;

  before(async () => {
    await ensureBuilt();
    oro = await startFakeOro();
    mkdirSync(join(ROOT, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'tmp', 'readme-example-'));
  });
  after(async () => {
    await oro.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs examples/customers into Oro as written, reports the one record Oro refuses, and exits by itself', async () => {
    const file = join(dir, 'example.ts');
    writeFileSync(file, libraryExample(readFileSync(join(ROOT, 'README.md'), 'utf8')));

    const result = await run(file, { ORO_BASE_URL: oro.baseUrl, ORO_CLIENT_ID: oro.clientId, ORO_CLIENT_SECRET: oro.clientSecret });

    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^rejected examples\/customers\/customers\.ndjson:4: not blank constraint$/);
    expect(lines[1]).to.be.oneOf(['done: created 4, rejected 1', 'done: rejected 1, created 4']);
    const held = oro.records('customers').map((c) => [c.attributes?.['externalId'], c.attributes?.['name']]);
    expect(held).to.have.deep.members([
      ['ERP-1001', 'Acme Corporation'],
      ['ERP-1002', 'Globex'],
      ['ERP-1003', 'Initech'],
      ['ERP-1005', 'Umbrella'],
    ]);
  });

  it('finds the block in the section, not elsewhere', () => {
    const readme = ['# x', '```ts', "import { a } from 'oro-sync';", '```', '## Using it as a library', 'text',
      '```ts', "import { startFakeOro } from 'oro-sync/testing';", '```', '```ts', "import { toOro } from 'oro-sync';", 'toOro;', '```', '## Next'].join('\n');
    expect(libraryExample(readme)).to.equal("import { toOro } from 'oro-sync';\ntoOro;\n");
    expect(() => libraryExample('# nothing')).to.throw(/no "## Using it as a library" section/);
  });
});
