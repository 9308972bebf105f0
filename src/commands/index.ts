// Every command of daxsim, in the order --help lists them.
import { coverageCommand } from './coverage.ts';
import { diagramCommand } from './diagram.ts';
import { exploreCmd } from './explore.ts';
import { inspectCommand } from './inspect.ts';
import { recordCommand } from './record.ts';
import { replayCommand } from './replay.ts';
import type { DaxsimCommand } from './types.ts';
import { verifyCommand } from './verify.ts';
import { viewCommand } from './view.ts';

export const COMMANDS: DaxsimCommand[] = [replayCommand, verifyCommand, recordCommand, exploreCmd, coverageCommand, inspectCommand, viewCommand, diagramCommand];
