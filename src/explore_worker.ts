// The entry of an `explore --workers` thread: only the explorer, the model and the log reader,
// built on its own (dist/explore_worker.mjs) so that a worker starts without loading the rest of
// the command line.
import { workerData } from 'node:worker_threads';
import { runExploreWorker, type WorkerSetup } from './explore_parallel.ts';

runExploreWorker(workerData as WorkerSetup);
