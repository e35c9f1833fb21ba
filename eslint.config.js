import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

// The grading library must stay pure so the CLI, the worker and the pages all
// grade alike: no framework, database, file system, network or HTTP client.
const forbiddenInScoring = [
  { name: "next", message: "scoring/ is pure: no Next.js." },
  { name: "react", message: "scoring/ is pure: no React." },
  { name: "node:fs", message: "scoring/ does no I/O." },
  { name: "fs", message: "scoring/ does no I/O." },
  { name: "node:fs/promises", message: "scoring/ does no I/O." },
  { name: "fs/promises", message: "scoring/ does no I/O." },
  { name: "node:net", message: "scoring/ does no network I/O." },
  { name: "net", message: "scoring/ does no network I/O." },
  { name: "node:http", message: "scoring/ does no network I/O." },
  { name: "node:https", message: "scoring/ does no network I/O." },
  { name: "pg", message: "scoring/ does no database access." },
  { name: "undici", message: "scoring/ does no network I/O." },
  { name: "axios", message: "scoring/ does no network I/O." },
  { name: "node-fetch", message: "scoring/ does no network I/O." },
  { name: "ky", message: "scoring/ does no network I/O." },
  { name: "got", message: "scoring/ does no network I/O." },
];
const forbiddenPatterns = [
  { group: ["next/*", "react/*", "react-dom", "react-dom/*", "@prisma/*", "prisma", "@/generated/*", "@/lib/*", "@/app/*", "@/components/*"], message: "scoring/ is pure: no framework, database or server modules." },
];

const config = [
  { ignores: [".next/**", "generated/**", "node_modules/**", ".data/**", ".cache/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    files: ["scoring/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: forbiddenInScoring, patterns: forbiddenPatterns }],
      "no-restricted-globals": ["error", { name: "fetch", message: "scoring/ does no network I/O." }, { name: "XMLHttpRequest", message: "scoring/ does no network I/O." }],
    },
  },
  {
    files: ["**/*.ts", "**/*.tsx"],
    ignores: ["lib/env.ts", "lib/log.ts", "instrumentation.ts", "**/*.test.ts", "e2e/**", "bench/**", "bin/**", "lib/registry/testing/**", "lib/database/testing/**", "playwright.config.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through getEnv() from lib/env.ts." }],
    },
  },
];

export default config;
