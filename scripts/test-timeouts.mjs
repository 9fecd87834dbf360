// Preloaded into every test process by scripts/test.mjs. Node 20's `--test-timeout` only bounds whole files in the
// parent runner, so a hung test would only surface as its file timing out, without its name. This gives every
// top-level test a default timeout (SCRAPYARD_TEST_TIMEOUT_MS) unless it sets its own: a hung test fails by name.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const defaultTimeout = Number(process.env.SCRAPYARD_TEST_TIMEOUT_MS);
if (defaultTimeout > 0) {
  const nodeTest = createRequire(import.meta.url)('node:test');
  const withTimeout = (original) =>
    function (...args) {
      // test(name?, options?, fn?): options is the object argument, if any.
      const i = args.findIndex((a) => typeof a === 'object' && a !== null);
      if (i === -1) args.splice(typeof args[0] === 'string' ? 1 : 0, 0, { timeout: defaultTimeout });
      else if (args[i].timeout === undefined) args[i] = { ...args[i], timeout: defaultTimeout };
      return original.apply(this, args);
    };
  for (const name of ['test', 'it']) nodeTest[name] = withTimeout(nodeTest[name]);
  // ESM `import { test } from 'node:test'` reads these live bindings.
  syncBuiltinESMExports();
}
