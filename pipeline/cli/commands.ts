// The registry of subcommands: one import and one entry per command (each lives in its own file).
import type { CommandModule } from './define-command.js';
import { infoCommand } from './info.js';
import { evalCommandModule } from './eval.js';
import { synthCommand } from './synth.js';
import { videoCommand } from './video.js';
import { decomposeCommand } from './decompose.js';
import { flowCommand } from './flow.js';
import { guidanceCommand } from './guidance.js';
import { editCommand } from './edit.js';
import { queueCommand } from './queue.js';
import { workerCommand } from './worker.js';

export const COMMANDS: readonly CommandModule[] = [infoCommand, evalCommandModule, synthCommand, videoCommand, decomposeCommand, flowCommand, guidanceCommand, editCommand, queueCommand, workerCommand];
