import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { readGemspec, rubyGemspecCataloger } from "@/lib/analysis/catalogers/ruby-gemspec";

const TESTDATA = fileURLToPath(new URL("./testdata/ruby/", import.meta.url));
const NO_OS = { os: null };
const SPECIFICATIONS = "/usr/local/bundle/specifications";

function fixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(`${TESTDATA}${file}`));
}

interface ExpectedCase {
  file: string;
  name?: string;
  version?: string;
  licenses?: string[];
  expect_error_contains?: string;
}

const expectedCases = (JSON.parse(readFileSync(`${TESTDATA}expected.json`, "utf8")) as { cases: ExpectedCase[] }).cases;

describe("rubyGemspecCataloger.parse fixtures", () => {
  const readable: Array<{ file: string; name: string; version: string; licenseDeclared: string[]; license: string | null }> = [
    { file: "normal00.gemspec", name: "rake", version: "13.0.3", licenseDeclared: ["MIT"], license: "MIT" },
    // trivy drops `licenses = "MIT"` as invalid. RubyGems' licenses= wraps a string in an array, so Shipshape keeps it.
    { file: "normal01.gemspec", name: "async", version: "1.25.0", licenseDeclared: ["MIT"], license: "MIT" },
    { file: "license.gemspec", name: "async", version: "1.25.0", licenseDeclared: ["MIT"], license: "MIT" },
    {
      file: "multiple_licenses.gemspec",
      name: "test-unit",
      version: "3.3.7",
      licenseDeclared: ["Ruby", "BSDL", "PSFL"],
      license: "Ruby AND BSD-2-Clause AND PSF-2.0",
    },
  ];

  it.each(readable)("reads $file", ({ file, ...expected }) => {
    const path = `${SPECIFICATIONS}/${expected.name}-${expected.version}.gemspec`;

    const result = rubyGemspecCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    expect(result.problems).toEqual([]);
    expect(result.packages).toEqual([{ type: "gem", ...expected, purl: `pkg:gem/${expected.name}@${expected.version}`, path }]);
  });

  it.each(readable)("agrees with expected.json on $file", ({ file, name, version, licenseDeclared }) => {
    const expected = expectedCases.find((entry) => entry.file === file);

    expect(expected?.name).toBe(name);
    expect(expected?.version).toBe(version);
    if (file !== "normal01.gemspec") expect(expected?.licenses ?? []).toEqual(licenseDeclared);
  });

  const malformed: Array<{ file: string; message: string }> = [
    { file: "malformed00.gemspec", message: "failed to parse gemspec: no spec.name assignment found" },
    { file: "malformed01.gemspec", message: "failed to parse gemspec: no s.version assignment found" },
  ];

  it.each(malformed)("reports $file", ({ file, message }) => {
    const path = `${SPECIFICATIONS}/async-1.25.0.gemspec`;
    const expected = expectedCases.find((entry) => entry.file === file);

    const result = rubyGemspecCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    expect(result).toEqual({ packages: [], problems: [{ path, message }] });
    expect(message).toContain(expected?.expect_error_contains);
  });

  it("keeps reading after a bad file", () => {
    const files = new Map([
      [`${SPECIFICATIONS}/bad.gemspec`, fixture("malformed01.gemspec")],
      [`${SPECIFICATIONS}/rake-13.0.3.gemspec`, fixture("normal00.gemspec")],
    ]);

    const result = rubyGemspecCataloger.parse(files, NO_OS);

    expect(result.packages.map((pkg) => pkg.name)).toEqual(["rake"]);
    expect(result.problems.map((problem) => problem.path)).toEqual([`${SPECIFICATIONS}/bad.gemspec`]);
  });
});

describe("readGemspec", () => {
  const gemspec = (...lines: string[]) => ["Gem::Specification.new do |s|", ...lines, "end"].join("\n");
  const cases: Array<{ name: string; source: string; expected: ReturnType<typeof readGemspec> }> = [
    {
      name: "Gem::Version.new",
      source: gemspec('  s.name = %q<nokogiri>', '  s.version = Gem::Version.new("1.16.5")', '  s.platform = "x86_64-linux".freeze'),
      expected: { name: "nokogiri", version: "1.16.5", licenses: [], platform: "x86_64-linux" },
    },
    {
      name: "single-quoted strings",
      source: gemspec("  s.name = 'json'", "  s.version = '2.7.2'", "  s.license = 'Ruby'"),
      expected: { name: "json", version: "2.7.2", licenses: ["Ruby"], platform: null },
    },
    {
      name: "no specification block",
      source: 's.name = "x"\ns.version = "1"\n',
      expected: { error: "no Gem::Specification.new do |spec| block found" },
    },
    {
      name: "a version that is not a literal",
      source: gemspec('  s.name = "x"', "  s.version = VERSION"),
      expected: { error: "no s.version assignment found" },
    },
  ];

  it.each(cases)("reads $name", ({ source, expected }) => {
    expect(readGemspec(source)).toEqual(expected);
  });

  it("puts the platform in the PURL", () => {
    const source = new TextEncoder().encode(gemspec('  s.name = "nokogiri"', '  s.version = "1.16.5"', '  s.platform = "x86_64-linux"'));

    const { packages } = rubyGemspecCataloger.parse(new Map([[`${SPECIFICATIONS}/nokogiri-1.16.5-x86_64-linux.gemspec`, source]]), NO_OS);

    expect(packages[0]?.purl).toBe("pkg:gem/nokogiri@1.16.5?platform=x86_64-linux");
  });
});

describe("rubyGemspecCataloger.wants", () => {
  const cases: Array<{ path: string; wanted: boolean }> = [
    { path: "/usr/local/bundle/specifications/rake-13.0.3.gemspec", wanted: true },
    { path: "/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec", wanted: true },
    { path: "/app/myapp.gemspec", wanted: false },
    { path: "/usr/local/bundle/gems/rake-13.0.3/rake.gemspec", wanted: false },
  ];

  it.each(cases)("returns $wanted for $path", ({ path, wanted }) => {
    expect(rubyGemspecCataloger.wants(path)).toBe(wanted);
  });
});
