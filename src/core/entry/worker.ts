import { runLaneWorker } from '../host/lane-worker';
import { allHandlers, internalHandlers } from './handlers';

// The lane workers' entry (out/core/worker.js in the bundle).
runLaneWorker(allHandlers, internalHandlers);
