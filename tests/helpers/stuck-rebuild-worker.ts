// A lane worker whose settings.set rebuild gets stuck right after its first chunk (its first progress
// report never returns), as a step that cannot be split would: for the test of a forced cancel.
import { allHandlers, internalHandlers } from '../../src/core/entry/handlers';
import { runLaneWorker } from '../../src/core/host/lane-worker';

const stuck = () => {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    // busy: no message (cancel included) reaches this thread
  }
};

runLaneWorker(
  {
    ...allHandlers,
    'settings.set': (args, ctx) => allHandlers['settings.set'](args, { ...ctx, progress: stuck }),
  },
  internalHandlers,
);
