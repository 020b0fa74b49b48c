// The folder graph of src/, as a rule CI enforces (npm run lint:deps):
//   cli -> run -> config -> {sink, sources, state, queue} -> operators -> oro -> auth -> {errors, util} -> types
// A folder may import only from folders below it; the four at the sink's level never import each
// other; the fake Oro (testing) stands on types, errors and util alone, so users can run it anywhere.
// cli only parses arguments and prints: every run (and its sink, sources and queue) is run's.
/** @type {Array<[string, string[]]>} folder -> folders it must not import */
const layers = [
  ['types', ['errors', 'util', 'auth', 'oro', 'operators', 'sink', 'sources', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['errors', ['util', 'auth', 'oro', 'operators', 'sink', 'sources', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['util', ['auth', 'oro', 'operators', 'sink', 'sources', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['auth', ['oro', 'operators', 'sink', 'sources', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['oro', ['operators', 'sink', 'sources', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['operators', ['sink', 'sources', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['sink', ['sources', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['sources', ['sink', 'state', 'queue', 'config', 'run', 'cli', 'testing']],
  ['state', ['sink', 'sources', 'queue', 'config', 'run', 'cli', 'testing']],
  ['queue', ['sink', 'sources', 'state', 'config', 'run', 'cli', 'testing']],
  ['config', ['run', 'cli', 'testing']],
  ['run', ['cli', 'testing']],
  ['testing', ['auth', 'oro', 'operators', 'sink', 'sources', 'state', 'queue', 'config', 'run', 'cli']],
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that cannot be read, tested or loaded one without the other.',
      // Ours only: pg and pg-pool require each other, which is theirs to keep.
      from: { pathNot: 'node_modules' },
      to: { circular: true },
    },
    ...layers.map(([folder, above]) => ({
      name: `${folder}-imports-downward-only`,
      severity: 'error',
      comment: `src/${folder} may not import src/{${above.join(',')}}: see the folder graph at the top of .dependency-cruiser.cjs`,
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${above.join('|')})/` },
    })),
    {
      name: 'cli-goes-through-run',
      severity: 'error',
      comment: 'src/cli only parses arguments and prints: it reaches the sink, the sources and the queue through src/run, which owns every kind of run.',
      from: { path: '^src/cli/' },
      to: { path: '^src/(sink|sources|queue)/' },
    },
    {
      name: 'index-exports-no-cli',
      severity: 'error',
      comment: 'The library barrel must not pull in the command line.',
      from: { path: '^src/index[.]ts$' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
