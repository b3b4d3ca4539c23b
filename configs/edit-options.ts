// Option records of `afb edit` (one record drives the CLI flag, the config key and the default).
import { parseDirections } from './flow-options.js';
import type { DirectionCount } from '../pipeline/math/guidance.js';
import { booleanParser, defineOption, intParser, optional, stringParser } from './option-schema.js';
import { MODEL_OPTIONS, MOTION_OPTION } from './video-options.js';

/** Options of `afb edit`. */
export const EDIT_OPTIONS = [
  ...MODEL_OPTIONS,
  MOTION_OPTION,
  defineOption({ key: 'host', flag: '--host <address>', description: 'interface to listen on (default 127.0.0.1: this machine only; 0.0.0.0 = every interface, anyone on the network with the URL can use it)', default: '127.0.0.1', parse: stringParser }),
  defineOption({ key: 'port', flag: '--port <n>', description: 'port to listen on (0 = any free port)', default: 0, parse: intParser(0, 65535) }),
  defineOption({ key: 'open', flag: '--open', description: 'open the page in the default browser', default: false, parse: booleanParser }),
  defineOption({ key: 'directions', flag: '--directions <n>', description: 'direction vocabulary the page starts with: 2, 4 (the model\'s), 8 or 16', default: 4 as DirectionCount, parse: parseDirections }),
  defineOption({ key: 'samples', flag: '--samples <n>', description: 'predictor samples per Suggest (as afb decompose --samples: same seed, same maps)', default: 4, parse: intParser(1, 64) }),
  defineOption({ key: 'labelme', flag: '--labelme <file.json>', description: 'start from this labelme annotation', default: undefined as string | undefined, parse: optional(stringParser) }),
  defineOption({ key: 'output', flag: '-o, --output <dir>', description: 'Export also writes DIR/annotation.json, guidance.npy, guidance.png, 000.png..006.png, preview.gif, preview.mp4 (and motion.flo with --motion)', default: undefined as string | undefined, parse: optional(stringParser) }),
] as const;
