import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { logger } from "@/lib/log";

type WasmBindings = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
export type SchemaEngine = Awaited<ReturnType<WasmBindings["SchemaEngine"]["new"]>>;

let bindings: Promise<WasmBindings> | undefined;

/**
 * Loads Prisma's WebAssembly schema engine. The package is built for bundlers,
 * so its `.wasm` is instantiated here with the JS glue as its import object.
 * This replaces the native engine, which cannot be downloaded offline.
 */
async function loadBindings(): Promise<WasmBindings> {
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const glue = (await import(gluePath)) as WasmBindings & Record<string, unknown>;
  const wasmBytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(wasmBytes, { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

/** Opens a schema engine connected to `databaseUrl`, with `schema` as the datamodel. */
export async function openSchemaEngine(databaseUrl: string, schema: { path: string; content: string }): Promise<{ engine: SchemaEngine; close(): Promise<void> }> {
  bindings ??= loadBindings();
  const { SchemaEngine } = await bindings;
  const factory = new PrismaPg({ connectionString: databaseUrl });
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const engine = await SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (message: string) => logger.debug({ component: "schema-engine" }, message),
    adapter,
  );
  return {
    engine,
    close: async () => engine.free(),
  };
}
