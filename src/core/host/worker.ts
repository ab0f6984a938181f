import { allHandlers, internalHandlers } from '../handlers';
import { runLaneWorker } from './lane-worker';

// The lane workers' entry (out/core/worker.js in the bundle).
runLaneWorker(allHandlers, internalHandlers);
