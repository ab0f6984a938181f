// Testing Library's waits (findBy…, waitFor) give up after 1 s by default: on a loaded machine a render
// can take longer, and a test fails though nothing is wrong (settings-gaps.test.tsx's Meta "Save" did,
// beside two CPU-bound processes). The condition is still what is awaited, so a longer ceiling costs
// nothing when it holds, and a broken one still fails within the test's timeout.
if (typeof document !== 'undefined') {
  const { configure } = await import('@testing-library/dom');
  configure({ asyncUtilTimeout: 10_000 });
}

export {};
