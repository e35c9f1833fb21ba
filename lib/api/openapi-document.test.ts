import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, test } from "vitest";

import { buildOpenApiDocument } from "@/lib/api/openapi-document";

const root = path.resolve(import.meta.dirname, "../..");
const apiFolder = path.join(root, "app/api/v1");
const httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Finds every route.ts under app/api/v1 and returns its URL path (`[org]` as `{org}`) with the HTTP methods it exports. */
async function routeFiles(): Promise<Map<string, string[]>> {
  const routes = new Map<string, string[]>();
  for (const entry of await readdir(apiFolder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name !== "route.ts") continue;
    const file = path.join(entry.parentPath, entry.name);
    const segments = path.relative(apiFolder, entry.parentPath).split(path.sep).filter((segment) => segment !== "");
    const urlPath = ["/api/v1", ...segments.map((segment) => segment.replace(/^\[(.+)\]$/, "{$1}"))].join("/");
    const source = await readFile(file, "utf8");
    routes.set(urlPath, httpMethods.filter((method) => new RegExp(`export (const|async function|function) ${method}\\b`).test(source)));
  }
  return routes;
}

describe("OpenAPI document", () => {
  const document = buildOpenApiDocument();
  const documentedPaths = document.paths as Record<string, Record<string, unknown>>;

  test("every route file is documented", async () => {
    const routes = await routeFiles();
    expect(routes.size).toBeGreaterThan(0);
    for (const [urlPath, methods] of routes) {
      expect(Object.keys(documentedPaths), urlPath).toContain(urlPath);
      expect(Object.keys(documentedPaths[urlPath] ?? {}).map((method) => method.toUpperCase()).sort(), urlPath).toEqual([...methods].sort());
    }
  });

  test("every documented path has a route", async () => {
    const routes = await routeFiles();
    for (const urlPath of Object.keys(documentedPaths)) expect([...routes.keys()], urlPath).toContain(urlPath);
  });

  test("path parameters are declared", () => {
    for (const [urlPath, operations] of Object.entries(documentedPaths)) {
      const inPath = [...urlPath.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      for (const [method, operation] of Object.entries(operations)) {
        const parameters = ((operation as { parameters?: { name: string; in: string }[] }).parameters ?? []).filter((parameter) => parameter.in === "path");
        expect(parameters.map((parameter) => parameter.name).sort(), `${method} ${urlPath}`).toEqual(inPath);
      }
    }
  });

  test("component schemas compile strictly", () => {
    const ajv = new Ajv2020({ strict: true });
    addFormats.default(ajv);
    ajv.addVocabulary(["openapi", "info", "paths", "components", "security"]);
    ajv.addSchema(document, "openapi");
    for (const name of Object.keys(document.components.schemas)) {
      expect(() => ajv.getSchema(`openapi#/components/schemas/${name}`), name).not.toThrow();
    }
  });

  test("checked-in copy is current", async () => {
    // Update docs/openapi.json with `npx vitest run -u lib/api/openapi-document.test.ts`.
    await expect(`${JSON.stringify(document, null, 2)}\n`).toMatchFileSnapshot(path.join(root, "docs/openapi.json"));
  });
});
