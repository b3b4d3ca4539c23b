// The same signals to `npx afb video ...`, the README's way to run afb: npm runs afb in `sh -c`,
// so a SIGTERM to npm reaches afb only because afb notices npm going away (cli/interrupt.ts);
// see helpers/signal-suite.ts for what every run must show.
import { spawnSync } from 'node:child_process';
import { describe, expect } from 'vitest';
import { registerSignalSuite } from './helpers/signal-suite.js';
import { REPO_ROOT } from './helpers/media.js';

describe('signals to npx afb video', () => registerSignalSuite(true, async () => {
  // npx links the local package into its cache on first use: do that now, not in a run that is
  // about to be killed (a killed first run leaves npm's cache half-written).
  const r = spawnSync('npx', ['afb', '--version'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}));
