import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // the memory tests let finalizers run (the FinalizationRegistry path of the memory model)
    execArgv: ["--expose-gc"],
  },
});
