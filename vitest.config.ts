import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: ["scoring/**/*.test.ts", "lib/**/*.test.ts", "app/**/*.test.ts", "bin/**/*.test.ts", "components/**/*.test.ts"],
    globalSetup: ["lib/database/testing/global-setup.ts"],
    setupFiles: ["lib/database/testing/setup-env.ts"],
    // Integration tests share one database; files run one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
