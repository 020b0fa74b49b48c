/**
 * Summarises a `.cpuprofile` (from `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof DIR`):
 * the functions with the most self time, and self time grouped by package / source folder.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--from runOroSync]
 *
 * `--from NAME` counts only the samples from the first one with NAME on its stack: the measured
 * run without the process's start-up (tsx compiling and loading modules). Besides self time it
 * lists the project's functions by total time (self + callees), which shows what a hot path costs.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** `node_modules/<pkg>`, `src/<folder>`, `node:<module>`, or the program's own marker. */
export function groupOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  const src = /\/(src|bench)\/([^/]+)/.exec(url);
  if (src?.[1] && src[2]) return `${src[1]}/${src[2].replace(/\.[jt]s$/, '')}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*/, 'node:$1');
  return url;
}

const keyOf = ({ functionName, url, lineNumber }: ProfileNode['callFrame']) =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}`;

export function summarise(profile: Profile, top: number, from?: string): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number): ProfileNode[] => {
    const out: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) out.push(node);
    }
    return out;
  };
  const start = from === undefined ? 0 : profile.samples.findIndex((id) => stackOf(id).some((n) => n.callFrame.functionName === from));
  if (start < 0) throw new Error(`no sample has "${from ?? ''}" on its stack`);
  const self = new Map<number, number>();
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (i < start) return;
    const us = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + us);
    // Each function once per sample, however deep it recurses.
    for (const key of new Set(stackOf(id).filter((n) => !n.callFrame.url.includes('node_modules') && /\/(src|bench)\//.test(n.callFrame.url)).map((n) => keyOf(n.callFrame)))) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url } = node.callFrame;
    const key = keyOf(node.callFrame);
    fns.set(key, (fns.get(key) ?? 0) + us);
    const group = groupOf(url, functionName);
    groups.set(group, (groups.get(group) ?? 0) + us);
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`total sampled ${(total / 1000).toFixed(0)} ms`, '', 'self time by package / folder:'];
  for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${g}`);
  lines.push('', 'top functions by self time:');
  for (const [f, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${f}`);
  lines.push('', 'project functions by total time (self + callees):');
  for (const [f, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${f}`);
  return lines.join('\n');
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, from: { type: 'string' } } });
for (const file of positionals) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  process.stdout.write(`${file}\n${summarise(profile, Number(values.top), values.from)}\n\n`);
}
