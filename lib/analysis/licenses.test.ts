import parseSpdx from "spdx-expression-parse";
import { describe, expect, it } from "vitest";

import { licenseIds, normalizeLicense, normalizeLicenseId } from "@/lib/analysis/licenses";

describe("normalizeLicense", () => {
  const cases: { name: string; declared: string[]; expected: string | null }[] = [
    { name: "SPDX id unchanged", declared: ["MIT"], expected: "MIT" },
    { name: "id in wrong case", declared: ["apache-2.0"], expected: "Apache-2.0" },
    { name: "deprecated GPL-2.0", declared: ["GPL-2.0"], expected: "GPL-2.0-only" },
    { name: "deprecated GPL-2.0+", declared: ["GPL-2.0+"], expected: "GPL-2.0-or-later" },
    { name: "deprecated LGPL-2.1", declared: ["LGPL-2.1"], expected: "LGPL-2.1-only" },
    { name: "deprecated AGPL-3.0", declared: ["AGPL-3.0"], expected: "AGPL-3.0-only" },
    { name: "deprecated id with exception", declared: ["GPL-2.0-with-classpath-exception"], expected: "GPL-2.0-only WITH Classpath-exception-2.0" },
    { name: "Alpine GPL2", declared: ["GPL2"], expected: "GPL-2.0-only" },
    { name: "Alpine GPL2+", declared: ["GPL2+"], expected: "GPL-2.0-or-later" },
    { name: "DEP-5 GPL-2", declared: ["GPL-2"], expected: "GPL-2.0-only" },
    { name: "DEP-5 GPL-2+", declared: ["GPL-2+"], expected: "GPL-2.0-or-later" },
    { name: "DEP-5 GPL-1+", declared: ["GPL-1+"], expected: "GPL-1.0-or-later" },
    { name: "DEP-5 LGPL-2.1+", declared: ["LGPL-2.1+"], expected: "LGPL-2.1-or-later" },
    { name: "GPLv3 or later", declared: ["GPLv3 or later"], expected: "GPL-3.0-or-later" },
    { name: "GNU GPL v3", declared: ["GNU GPL v3"], expected: "GPL-3.0-only" },
    { name: "bare GPL", declared: ["GPL"], expected: "GPL-1.0-or-later" },
    { name: "bare LGPL", declared: ["LGPL"], expected: "LGPL-2.0-or-later" },
    { name: "AGPLv3+", declared: ["AGPLv3+"], expected: "AGPL-3.0-or-later" },
    { name: "Expat is MIT", declared: ["Expat"], expected: "MIT" },
    { name: "lower-case zlib", declared: ["zlib"], expected: "Zlib" },
    { name: "lower-case openssl", declared: ["openssl"], expected: "OpenSSL" },
    { name: "bare BSD", declared: ["BSD"], expected: "BSD-3-Clause" },
    { name: "Apache 2.0 words", declared: ["Apache License 2.0"], expected: "Apache-2.0" },
    { name: "public domain", declared: ["Public-Domain"], expected: "LicenseRef-Public-Domain" },
    { name: "unknown name", declared: ["BSD-4-clause-POWERDOG"], expected: "LicenseRef-BSD-4-clause-POWERDOG" },
    { name: "unknown name with spaces", declared: ["Some Custom License!"], expected: "LicenseRef-Some-Custom-License" },
    { name: "LicenseRef kept", declared: ["LicenseRef-acme"], expected: "LicenseRef-acme" },
    { name: "several entries joined with AND", declared: ["MIT", "BSD", "GPL2+"], expected: "MIT AND BSD-3-Clause AND GPL-2.0-or-later" },
    { name: "expression kept", declared: ["( Apache-2.0 OR MIT ) AND MPL-2.0"], expected: "(Apache-2.0 OR MIT) AND MPL-2.0" },
    { name: "lower-case operators", declared: ["GPL-1+ or Artistic"], expected: "GPL-1.0-or-later OR Artistic-1.0-Perl" },
    { name: "OR entry bracketed in AND", declared: ["MIT OR Apache-2.0", "Zlib"], expected: "(MIT OR Apache-2.0) AND Zlib" },
    { name: "duplicates removed", declared: ["GPL-2+", "GPLv2+", "GPL-2.0-or-later"], expected: "GPL-2.0-or-later" },
    { name: "known exception", declared: ["GPL-2.0-or-later WITH Linux-syscall-note"], expected: "GPL-2.0-or-later WITH Linux-syscall-note" },
    { name: "unknown exception dropped", declared: ["GPL-2+ with Foo exception"], expected: "GPL-2.0-or-later" },
    { name: "non-GNU plus kept", declared: ["MPL-1.1+"], expected: "MPL-1.1+" },
    { name: "nothing declared", declared: [], expected: null },
    { name: "blank entries", declared: ["", "  "], expected: null },
  ];

  for (const { name, declared, expected } of cases) {
    it(`normalises ${name}`, () => {
      const result = normalizeLicense(declared);
      expect(result).toBe(expected);
      if (result !== null) expect(() => parseSpdx(result)).not.toThrow();
    });
  }

  it("gives each list its own result when lists repeat", () => {
    // Results are remembered by the declared list; joining entries with a separator would make these two one key.
    const split = normalizeLicense(["MIT", "Zlib"]);
    const joined = normalizeLicense(["MIT\u0000Zlib"]);
    expect(split).toBe("MIT AND Zlib");
    expect(joined).not.toBe(split);
    expect(normalizeLicense(["MIT", "Zlib"])).toBe(split);
    expect(normalizeLicense(["MIT\u0000Zlib"])).toBe(joined);
    expect(normalizeLicense([])).toBeNull();
    expect(normalizeLicense([])).toBeNull();
  });
});

describe("normalizeLicenseId", () => {
  it("sanitises LicenseRef ids", () => {
    expect(normalizeLicenseId("permissive (fsf)")).toBe("LicenseRef-permissive-fsf");
    expect(normalizeLicenseId("DocumentRef-spdx tool:LicenseRef-x y")).toBe("DocumentRef-spdx-tool:LicenseRef-x-y");
  });
});

describe("licenseIds", () => {
  const cases: [string, string[]][] = [
    ["MIT", ["MIT"]],
    ["(MIT OR Apache-2.0) AND MIT", ["MIT", "Apache-2.0"]],
    ["GPL-2.0-only WITH Classpath-exception-2.0", ["GPL-2.0-only"]],
    ["MPL-1.1+", ["MPL-1.1"]],
    ["AGPL-3.0", ["AGPL-3.0-only"]],
    ["GPL2 or LicenseRef-foo", ["GPL-2.0-only", "LicenseRef-foo"]],
    ["", []],
  ];
  for (const [expression, expected] of cases) {
    it(`lists ids of ${JSON.stringify(expression)}`, () => {
      expect(licenseIds(expression)).toEqual(expected);
    });
  }
});
