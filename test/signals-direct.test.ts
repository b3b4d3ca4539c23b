// SIGINT, a double SIGINT and SIGTERM sent to `afb video` (node bin/afb.js) at start-up and
// mid-run, 10 times each: see helpers/signal-suite.ts for what every run must show.
import { describe } from 'vitest';
import { registerSignalSuite } from './helpers/signal-suite.js';

describe('signals to afb video run directly', () => registerSignalSuite(false));
