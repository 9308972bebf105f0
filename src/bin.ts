// The program behind bin/daxsim.js: runs the command line and sets the exit status.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
