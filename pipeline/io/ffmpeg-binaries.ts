// Finds the ffmpeg and ffprobe executables: FFMPEG_PATH/FFPROBE_PATH, else PATH, else the
// binaries shipped by @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe (so a fresh
// `npm ci` works without apt).
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { FfmpegError } from '../errors.js';

/** Which tool: the decoder/encoder or the prober. */
export type FfmpegTool = 'ffmpeg' | 'ffprobe';

/** A resolved executable and where it came from (for `afb info` and error messages). */
export interface ResolvedBinary {
  readonly tool: FfmpegTool;
  readonly path: string;
  readonly source: 'env' | 'path' | 'npm';
}

/** ffmpeg/ffprobe cannot be found (or an explicit FFMPEG_PATH/FFPROBE_PATH points nowhere). */
export class FfmpegNotFoundError extends FfmpegError {
  readonly tool: FfmpegTool;
  readonly tried: readonly string[];
  constructor(tool: FfmpegTool, tried: readonly string[], hint: string) {
    super(`${tool} not found (tried ${tried.map((t) => JSON.stringify(t)).join(', ')}). ${hint}`, {
      command: [tool],
      exitCode: null,
      signal: null,
      stderrTail: '',
    });
    this.name = 'FfmpegNotFoundError';
    this.tool = tool;
    this.tried = tried;
  }
}

const ENV_VAR: Record<FfmpegTool, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
const NPM_PACKAGE: Record<FfmpegTool, string> = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return isFile(path);
  } catch {
    return false;
  }
}

/** First executable named `name` on a PATH-style list of folders, or undefined. */
export function findOnPath(name: string, pathList: string | undefined): string | undefined {
  for (const dir of (pathList ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function npmBinary(tool: FfmpegTool): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    // The installer packages throw a string or an Error when their platform package is missing.
    const mod = require(NPM_PACKAGE[tool]) as { path?: string };
    const path = mod.path;
    if (!path || !isFile(path)) return undefined;
    if (!isExecutable(path)) {
      // npm 11 blocks the installers' postinstall chmod, so the binary can arrive without +x.
      try {
        chmodSync(path, 0o755);
      } catch {
        return undefined;
      }
    }
    return isExecutable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const cache = new Map<string, ResolvedBinary>();

/**
 * Resolve ffmpeg or ffprobe. An explicit FFMPEG_PATH/FFPROBE_PATH that does not point to an
 * executable is an error (never silently replaced by another binary).
 * @throws FfmpegNotFoundError naming everything that was tried.
 */
export function resolveBinary(tool: FfmpegTool, env: NodeJS.ProcessEnv = process.env): ResolvedBinary {
  const envVar = ENV_VAR[tool];
  const explicit = env[envVar];
  const key = `${tool}\0${explicit ?? ''}\0${env['PATH'] ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let resolved: ResolvedBinary;
  if (explicit !== undefined && explicit !== '') {
    if (!isExecutable(explicit)) {
      throw new FfmpegNotFoundError(tool, [explicit], `${envVar} is set to ${JSON.stringify(explicit)}, which is not an executable file.`);
    }
    resolved = { tool, path: explicit, source: 'env' };
  } else {
    const onPath = findOnPath(tool, env['PATH']);
    const fromNpm = onPath ? undefined : npmBinary(tool);
    if (onPath) resolved = { tool, path: onPath, source: 'path' };
    else if (fromNpm) resolved = { tool, path: fromNpm, source: 'npm' };
    else {
      throw new FfmpegNotFoundError(
        tool,
        [`$${envVar}`, `${tool} on PATH`, NPM_PACKAGE[tool]],
        `Install ffmpeg (e.g. apt-get install ffmpeg), run npm ci, or set ${envVar}.`,
      );
    }
  }
  cache.set(key, resolved);
  return resolved;
}
