import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(new URL(import.meta.url).pathname), '../..');
const rules = require(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: IForbiddenRuleType[] };

/** Cruises `dir/src` with the project's own rules and returns the names of the rules broken. */
async function violationsIn(dir: string): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const { output } = await cruise(['src'], { validate: true, ruleSet: { forbidden: rules.forbidden } });
    return (output as ICruiseResult).summary.violations.map((v) => v.rule.name);
  } finally {
    process.chdir(cwd);
  }
}

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'oro-sync-deps-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('the folder graph rule (.dependency-cruiser.cjs)', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('holds for src/ as it is', async () => {
    expect(await violationsIn(ROOT)).to.deep.equal([]);
  });

  it('fails on a deliberately added import cycle', async () => {
    const dir = fixture({
      'src/util/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/util/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    dirs.push(dir);
    expect(await violationsIn(dir)).to.include('no-circular');
  });

  it('fails on an import that runs the wrong way (oro into sink)', async () => {
    const dir = fixture({
      'src/sink/to-oro.ts': 'export const toOro = 1;\n',
      'src/oro/client.ts': "import { toOro } from '../sink/to-oro.js';\nexport const client = toOro;\n",
    });
    dirs.push(dir);
    expect(await violationsIn(dir)).to.deep.equal(['oro-imports-downward-only']);
  });

  it('fails when two folders at the sink\'s level import each other\'s parts (sources into state)', async () => {
    const dir = fixture({
      'src/state/store.ts': 'export const store = 1;\n',
      'src/sources/http.ts': "import { store } from '../state/store.js';\nexport const source = store;\n",
    });
    dirs.push(dir);
    expect(await violationsIn(dir)).to.deep.equal(['sources-imports-downward-only']);
  });

  it('fails when cli/ reaches past run/ into the sink, a source or the queue', async () => {
    const dir = fixture({
      'src/sink/target-refused.ts': 'export const refused = 1;\n',
      'src/sources/amqp.ts': 'export const amqp = 1;\n',
      'src/queue/to-queue.ts': 'export const toQueue = 1;\n',
      'src/run/check.ts': "import { refused } from '../sink/target-refused.js';\nexport const check = refused;\n",
      'src/cli/commands/check.ts': "import { check } from '../../run/check.js';\nexport const command = check;\n",
      'src/cli/commands/worker.ts': "import { amqp } from '../../sources/amqp.js';\nexport const worker = amqp;\n",
      'src/cli/commands/publish.ts': "import { toQueue } from '../../queue/to-queue.js';\nimport { refused } from '../../sink/target-refused.js';\nexport const publish = [toQueue, refused];\n",
    });
    dirs.push(dir);
    expect(await violationsIn(dir)).to.deep.equal(['cli-goes-through-run', 'cli-goes-through-run', 'cli-goes-through-run']);
  });
});
