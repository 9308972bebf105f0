// The program behind bin/daxsim.js: runs the command line and sets the exit status.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
// For the benchmark: the peak resident set of this process, on stderr.
if (process.env['DAXSIM_STATS'] === '1') process.stderr.write(`daxsim-stats maxrss_kb=${process.resourceUsage().maxRSS}\n`);
