import { defineConfig } from "prisma/config";

// Only `prisma generate` uses this file: migrations are applied by `shipshape migrate`
// through the WebAssembly schema engine, so no native engine is needed.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
