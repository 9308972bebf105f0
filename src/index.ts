// daxsim's public entry for embedding: the machines, the kernel (as a DaxSim, and as XState actor
// logic), the log format, replay and verify (src/browser.ts), and the functions on files.
export * from './browser.ts';
export { findLogs, recordFile, replayFile, verifyFile } from './files.ts';
