import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { npmCataloger } from "@/lib/analysis/catalogers/npm";

const TESTDATA = fileURLToPath(new URL("./testdata/npm/", import.meta.url));
const NO_OS = { os: null };

function fixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(`${TESTDATA}${file}`));
}

interface ExpectedCase {
  file: string;
  name?: string;
  version?: string;
  licenses_trivy?: string[];
  expect_error_contains?: string;
}

const expectedCases = (JSON.parse(readFileSync(`${TESTDATA}expected.json`, "utf8")) as { cases: ExpectedCase[] }).cases;

describe("npmCataloger.parse fixtures", () => {
  const readable: Array<{ file: string; name: string; version: string; license: string | null; licenseDeclared: string[] }> = [
    { file: "package.json", name: "bootstrap", version: "5.0.2", license: "MIT", licenseDeclared: ["MIT"] },
    { file: "legacy_package.json", name: "angular", version: "4.1.2", license: "ISC", licenseDeclared: ["ISC"] },
    { file: "legacy_array_package.json", name: "tv4", version: "1.3.0", license: "LicenseRef-Public-Domain AND MIT", licenseDeclared: ["Public Domain", "MIT"] },
    { file: "empty_array_license_package.json", name: "empty-array-license", version: "1.0.0", license: null, licenseDeclared: [] },
    { file: "mixed_array_license_package.json", name: "mixed-array-license", version: "1.0.0", license: "MIT", licenseDeclared: ["MIT"] },
    { file: "invalid_license_package.json", name: "weird-license", version: "1.0.0", license: null, licenseDeclared: [] },
    { file: "null_license_package.json", name: "null-license", version: "1.0.0", license: null, licenseDeclared: [] },
    { file: "unknown_license_object_package.json", name: "unknown-license-object", version: "1.0.0", license: null, licenseDeclared: [] },
    { file: "workspace_as_map_package.json", name: "example", version: "1.0.0", license: null, licenseDeclared: [] },
  ];

  it.each(readable)("reads $file", ({ file, ...expected }) => {
    const path = `/app/node_modules/${expected.name}/package.json`;

    const result = npmCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    expect(result.problems).toEqual([]);
    expect(result.packages).toEqual([{ type: "npm", ...expected, purl: `pkg:npm/${expected.name}@${expected.version}`, path }]);
  });

  it.each(readable)("agrees with expected.json on $file", ({ file, name, version, licenseDeclared }) => {
    const expected = expectedCases.find((entry) => entry.file === file);

    expect(expected?.name).toBe(name);
    expect(expected?.version).toBe(version);
    expect(expected?.licenses_trivy ?? []).toEqual(licenseDeclared);
  });

  // trivy accepts the last two with empty fields. An installed package without a version cannot be matched, so Shipshape reports it.
  const rejected: Array<{ file: string; message: RegExp }> = [
    { file: "invalid_package.json", message: /^package\.json is not valid JSON: / },
    { file: "invalid_name.json", message: /^package\.json has an invalid package name "@invalid\/packageName\/"$/ },
    { file: "without_version_package.json", message: /^package\.json of an installed package is missing its name or version$/ },
    { file: "without_name_and_version_package.json", message: /^package\.json of an installed package is missing its name or version$/ },
  ];

  it.each(rejected)("reports $file", ({ file, message }) => {
    const path = "/app/node_modules/broken/package.json";

    const result = npmCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    expect(result.packages).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toBe(path);
    expect(result.problems[0]?.message).toMatch(message);
  });

  it("reads every fixture file of expected.json", () => {
    const covered = [...readable.map((entry) => entry.file), ...rejected.map((entry) => entry.file)].sort();

    expect(covered).toEqual(expectedCases.map((entry) => entry.file).sort());
  });
});

describe("npmCataloger.parse", () => {
  const manifest = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it("reads nested and scoped packages", () => {
    const files = new Map([
      ["/usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json", manifest({ name: "@npmcli/arborist", version: "7.5.4", license: "ISC" })],
      ["/app/node_modules/a/node_modules/b/package.json", manifest({ name: "b", version: "2.0.0", license: "(MIT OR Apache-2.0)" })],
    ]);

    const { packages, problems } = npmCataloger.parse(files, NO_OS);

    expect(problems).toEqual([]);
    expect(packages.map((pkg) => [pkg.name, pkg.purl, pkg.license])).toEqual([
      ["@npmcli/arborist", "pkg:npm/%40npmcli/arborist@7.5.4", "ISC"],
      ["b", "pkg:npm/b@2.0.0", "MIT OR Apache-2.0"],
    ]);
  });

  it("reads the legacy licenses array", () => {
    const files = new Map([["/app/node_modules/old/package.json", manifest({ name: "old", version: "0.1.0", licenses: [{ type: "MIT" }, { type: "GPL-2.0" }] })]]);

    const { packages } = npmCataloger.parse(files, NO_OS);

    expect(packages[0]?.licenseDeclared).toEqual(["MIT", "GPL-2.0"]);
    expect(packages[0]?.license).toBe("MIT AND GPL-2.0-only");
  });

  it("reports a JSON value that is not an object", () => {
    const result = npmCataloger.parse(new Map([["/app/node_modules/x/package.json", manifest(["x"])]]), NO_OS);

    expect(result.problems.map((problem) => problem.message)).toEqual(["package.json is not a JSON object"]);
  });
});

describe("npmCataloger.wants", () => {
  const cases: Array<{ path: string; wanted: boolean }> = [
    { path: "/app/node_modules/express/package.json", wanted: true },
    { path: "/app/node_modules/@babel/core/package.json", wanted: true },
    { path: "/app/node_modules/a/node_modules/b/package.json", wanted: true },
    { path: "/app/node_modules/.pnpm/b@1.0.0/node_modules/b/package.json", wanted: true },
    { path: "/usr/local/lib/node_modules/npm/package.json", wanted: true },
    { path: "/app/package.json", wanted: false },
    { path: "/app/node_modules/express/lib/package.json", wanted: false },
    { path: "/app/node_modules/@babel/package.json", wanted: false },
    { path: "/app/node_modules/express/package-lock.json", wanted: false },
  ];

  it.each(cases)("returns $wanted for $path", ({ path, wanted }) => {
    expect(npmCataloger.wants(path)).toBe(wanted);
  });
});
