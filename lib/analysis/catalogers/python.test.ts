import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { parseCoreMetadata, pythonCataloger } from "@/lib/analysis/catalogers/python";

const TESTDATA = fileURLToPath(new URL("./testdata/python/", import.meta.url));
const NO_OS = { os: null };

function fixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(`${TESTDATA}${file}`));
}

interface ExpectedCase {
  file: string;
  name?: string;
  version?: string;
  licenses_trivy?: string[] | null;
  expect_error?: boolean;
}

const SITE = "/usr/local/lib/python3.11/site-packages";

/** Each fixture file at the place an installer writes it, with the licenses as Shipshape reads them. */
const cases: Array<{ file: string; path: string; name: string; version: string; purl: string; licenseDeclared: string[]; license: string | null }> = [
  {
    file: "setuptools-51.3.3-py3.8.egg-info.PKG-INFO",
    path: `${SITE}/setuptools-51.3.3-py3.8.egg-info/PKG-INFO`,
    name: "setuptools",
    version: "51.3.3",
    purl: "pkg:pypi/setuptools@51.3.3",
    // setuptools writes "UNKNOWN" when no license is given, which trivy keeps as a license name.
    licenseDeclared: [],
    license: null,
  },
  {
    file: "unidecode-egg-info.PKG-INFO",
    path: `${SITE}/Unidecode-0.4.1.egg/EGG-INFO/PKG-INFO`,
    name: "Unidecode",
    version: "0.4.1",
    purl: "pkg:pypi/unidecode@0.4.1",
    licenseDeclared: [],
    license: null,
  },
  {
    file: "distlib-0.3.1-py3.9.egg-info",
    path: "/usr/lib/python3/dist-packages/distlib-0.3.1-py3.9.egg-info",
    name: "distlib",
    version: "0.3.1",
    purl: "pkg:pypi/distlib@0.3.1",
    // The classifiers follow an empty line, so they belong to the body and are not read.
    licenseDeclared: ["Python license"],
    license: "LicenseRef-Python-license",
  },
  {
    file: "simple-0.1.0.METADATA",
    path: `${SITE}/simple-0.1.0.dist-info/METADATA`,
    name: "simple",
    version: "0.1.0",
    purl: "pkg:pypi/simple@0.1.0",
    licenseDeclared: [],
    license: null,
  },
  {
    file: "distlib-0.3.1.METADATA",
    path: `${SITE}/distlib-0.3.1.dist-info/METADATA`,
    name: "distlib",
    version: "0.3.1",
    purl: "pkg:pypi/distlib@0.3.1",
    licenseDeclared: ["Python Software Foundation License"],
    license: "PSF-2.0",
  },
  {
    file: "asyncssh-2.14.2.METADATA",
    path: `${SITE}/asyncssh-2.14.2.dist-info/METADATA`,
    name: "asyncssh",
    version: "2.14.2",
    purl: "pkg:pypi/asyncssh@2.14.2",
    licenseDeclared: ["Eclipse Public License v2.0"],
    license: "LicenseRef-Eclipse-Public-License-v2.0",
  },
  {
    file: "pyphen-0.14.0.METADATA",
    path: `${SITE}/pyphen-0.14.0.dist-info/METADATA`,
    name: "pyphen",
    version: "0.14.0",
    purl: "pkg:pypi/pyphen@0.14.0",
    licenseDeclared: [
      "GNU General Public License v2 or later (GPLv2+)",
      "GNU Lesser General Public License v2 or later (LGPLv2+)",
      "Mozilla Public License 1.1 (MPL 1.1)",
    ],
    license: "GPL-2.0-or-later AND LGPL-2.0-or-later AND MPL-1.1",
  },
  {
    file: "iniconfig-2.0.0.METADATA",
    path: `${SITE}/iniconfig-2.0.0.dist-info/METADATA`,
    name: "iniconfig",
    version: "2.0.0",
    purl: "pkg:pypi/iniconfig@2.0.0",
    licenseDeclared: ["MIT"],
    license: "MIT",
  },
  {
    file: "zipp-3.12.1.METADATA",
    path: `${SITE}/zipp-3.12.1.dist-info/METADATA`,
    name: "zipp",
    version: "3.12.1",
    purl: "pkg:pypi/zipp@3.12.1",
    licenseDeclared: ["MIT License"],
    license: "MIT",
  },
  {
    file: "networkx-3.0.METADATA",
    path: `${SITE}/networkx-3.0.dist-info/METADATA`,
    name: "networkx",
    version: "3.0",
    purl: "pkg:pypi/networkx@3.0",
    // Only License-File is given. trivy reports "file://LICENSE.txt", but Shipshape does not read the file.
    licenseDeclared: [],
    license: null,
  },
];

describe("pythonCataloger.parse fixtures", () => {
  it.each(cases)("reads $file", ({ file, path, ...expected }) => {
    const result = pythonCataloger.parse(new Map([[path, fixture(file)]]), NO_OS);

    expect(result.problems).toEqual([]);
    expect(result.packages).toEqual([{ type: "pypi", ...expected, path }]);
  });

  it("matches the names and versions in expected.json", () => {
    const expected = JSON.parse(readFileSync(`${TESTDATA}expected.json`, "utf8")) as { cases: ExpectedCase[] };
    const readable = expected.cases.filter((entry) => !entry.expect_error);
    const files = new Map(cases.map((entry) => [entry.path, fixture(entry.file)]));

    const { packages } = pythonCataloger.parse(files, NO_OS);

    const byFile = new Map(cases.map((entry, index) => [entry.file, packages[index]]));
    expect(readable).toHaveLength(cases.length);
    for (const entry of readable) {
      expect(byFile.get(entry.file)?.name).toBe(entry.name);
      expect(byFile.get(entry.file)?.version).toBe(entry.version);
    }
  });

  it("reports a file without Name and Version", () => {
    const path = `${SITE}/invalid.dist-info/METADATA`;

    const result = pythonCataloger.parse(new Map([[path, fixture("invalid.json")]]), NO_OS);

    expect(result).toEqual({ packages: [], problems: [{ path, message: "Python core metadata is missing the Name or Version field" }] });
  });

  it("keeps reading after a bad file", () => {
    const files = new Map([
      [`${SITE}/invalid.dist-info/METADATA`, fixture("invalid.json")],
      [`${SITE}/zipp-3.12.1.dist-info/METADATA`, fixture("zipp-3.12.1.METADATA")],
    ]);

    const result = pythonCataloger.parse(files, NO_OS);

    expect(result.packages.map((pkg) => pkg.name)).toEqual(["zipp"]);
    expect(result.problems).toHaveLength(1);
  });
});

describe("pythonCataloger licenses", () => {
  const metadata = (...lines: string[]) => new TextEncoder().encode(["Metadata-Version: 2.4", "Name: Demo_Pkg.Name", "Version: 1.0", ...lines].join("\n"));
  const licenseCases: Array<{ name: string; lines: string[]; declared: string[]; license: string | null }> = [
    {
      name: "License-Expression over classifiers",
      lines: ["License-Expression: Apache-2.0 OR MIT", "Classifier: License :: OSI Approved :: MIT License", "License: BSD"],
      declared: ["Apache-2.0 OR MIT"],
      license: "Apache-2.0 OR MIT",
    },
    {
      name: "classifiers over License",
      lines: ["License: Apache 2", "Classifier: License :: OSI Approved :: Apache Software License"],
      declared: ["Apache Software License"],
      // normalizeLicense reads the versionless name as Apache-2.0.
      license: "Apache-2.0",
    },
    { name: "License when no classifier", lines: ["License: MIT"], declared: ["MIT"], license: "MIT" },
    { name: "bare OSI Approved classifier", lines: ["Classifier: License :: OSI Approved", "License: ISC"], declared: ["ISC"], license: "ISC" },
    { name: "non-OSI classifier", lines: ["Classifier: License :: Public Domain"], declared: ["Public Domain"], license: "LicenseRef-Public-Domain" },
    { name: "License holding license text", lines: ["License: Copyright (c) 2020 Someone", "        Permission is hereby granted"], declared: [], license: null },
  ];

  it.each(licenseCases)("takes $name", ({ lines, declared, license }) => {
    const { packages } = pythonCataloger.parse(new Map([[`${SITE}/demo.dist-info/METADATA`, metadata(...lines)]]), NO_OS);

    expect(packages[0]?.licenseDeclared).toEqual(declared);
    expect(packages[0]?.license).toBe(license);
  });

  it("normalises the PURL name per PEP 503", () => {
    const { packages } = pythonCataloger.parse(new Map([[`${SITE}/demo.dist-info/METADATA`, metadata()]]), NO_OS);

    expect(packages[0]?.name).toBe("Demo_Pkg.Name");
    expect(packages[0]?.purl).toBe("pkg:pypi/demo-pkg-name@1.0");
  });
});

describe("parseCoreMetadata", () => {
  it("joins continuation lines and stops at the body", () => {
    const headers = parseCoreMetadata("Name: a\nDescription: one\n        two\nClassifier: x\nClassifier: y\n\nName: body\n");

    expect(headers.get("name")).toEqual(["a"]);
    expect(headers.get("description")).toEqual(["one\ntwo"]);
    expect(headers.get("classifier")).toEqual(["x", "y"]);
  });
});

describe("pythonCataloger.wants", () => {
  const wantsCases: Array<{ path: string; wanted: boolean }> = [
    { path: "/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA", wanted: true },
    { path: "/app/.venv/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA", wanted: true },
    { path: "/usr/lib/python3.9/site-packages/distlib-0.3.1-py3.9.egg-info", wanted: true },
    { path: "/usr/lib/python3.9/site-packages/foo.egg-info/PKG-INFO", wanted: true },
    { path: "/usr/lib/python3.9/site-packages/foo-1.0-py3.9.egg/EGG-INFO/PKG-INFO", wanted: true },
    { path: "/usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD", wanted: false },
    { path: "/usr/lib/python3/dist-packages/six.py", wanted: false },
    { path: "/app/METADATA", wanted: false },
  ];

  it.each(wantsCases)("returns $wanted for $path", ({ path, wanted }) => {
    expect(pythonCataloger.wants(path)).toBe(wanted);
  });
});
