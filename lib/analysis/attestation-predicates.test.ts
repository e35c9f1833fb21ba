import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import {
  parseProvenance,
  parseProvenancePredicate,
  parseSpdxPredicate,
  readStatement,
  SLSA_PROVENANCE_V02,
  SLSA_PROVENANCE_V1,
  type Provenance,
} from "@/lib/analysis/attestation-predicates";
import { AppError } from "@/lib/errors";

function fixtureText(name: string): string {
  return readFileSync(new URL(`testdata/attestations/${name}`, import.meta.url), "utf8");
}

function fixture(name: string): unknown {
  return JSON.parse(fixtureText(name)) as unknown;
}

function envelopeOf(statement: unknown, payloadType = "application/vnd.in-toto+json") {
  return { payloadType, payload: Buffer.from(JSON.stringify(statement)).toString("base64"), signatures: [] };
}

const SYFT_DOCUMENT = "alpine-3.10.syft.spdx.json";
const VENDOR_DOCUMENT = "alpine-3.10.vendor.spdx.json";

describe("attestation fixtures", () => {
  const sources = fixture("sources.json") as { file: string; sha256: string }[];

  it.each(sources)("$file matches its recorded hash", ({ file, sha256 }) => {
    const digest = createHash("sha256").update(readFileSync(new URL(`testdata/attestations/${file}`, import.meta.url))).digest("hex");
    expect(digest).toBe(sha256);
  });
});

describe("parseSpdxPredicate", () => {
  it("reads syft's SPDX 2.2 document", () => {
    const result = parseSpdxPredicate(fixture(SYFT_DOCUMENT));

    expect(result.spdxVersion).toBe("SPDX-2.2");
    expect(result.name).toBe("alpine-3.10");
    expect(result.problems).toEqual([]);
    expect(result.packages).toEqual([
      {
        spdxId: "SPDXRef-a61243292e73923",
        name: "busybox",
        version: "1.30.1-r5",
        purl: "pkg:apk/alpine/busybox@1.30.1-r5?arch=x86_64&distro=alpine-3.10.9",
        license: "GPL-2.0-only",
        described: false,
      },
      {
        spdxId: "SPDXRef-d2f55e316dbe92e4",
        name: "libssl1.1",
        version: "1.1.1k-r0",
        purl: "pkg:apk/alpine/libssl1.1@1.1.1k-r0?arch=x86_64&distro=alpine-3.10.9",
        license: "OpenSSL",
        described: false,
      },
      {
        spdxId: "SPDXRef-2b24657ad7aaafea",
        name: "ssl_client",
        version: "1.30.1-r5",
        purl: "pkg:apk/alpine/ssl_client@1.30.1-r5?arch=x86_64&upstream=busybox&distro=alpine-3.10.9",
        license: "GPL-2.0-only",
        described: false,
      },
    ]);
  });

  it("reads a document without purls", () => {
    const result = parseSpdxPredicate(fixture(VENDOR_DOCUMENT));

    expect(result.packages.map((item) => item.name)).toEqual(["alpine", "busybox", "ssl_client"]);
    expect(result.packages.map((item) => item.purl)).toEqual([null, null, null]);
    expect(result.problems).toEqual([]);
  });

  it("marks the described package", () => {
    const result = parseSpdxPredicate(fixture(VENDOR_DOCUMENT));
    expect(result.packages.map((item) => [item.name, item.described])).toEqual([
      ["alpine", true],
      ["busybox", false],
      ["ssl_client", false],
    ]);
  });

  it("resolves a LicenseRef whose text is an SPDX id", () => {
    const result = parseSpdxPredicate(fixture(VENDOR_DOCUMENT));
    // busybox declares LicenseRef-7d19a72, extracted text "GPL-2.0"; concluded is NOASSERTION.
    expect(result.packages.map((item) => [item.name, item.license])).toEqual([
      ["alpine", null],
      ["busybox", "GPL-2.0-only"],
      ["ssl_client", "OpenSSL"],
    ]);
  });

  it("reads the SPDX 2.3 purl category", () => {
    const document = {
      spdxVersion: "SPDX-2.3",
      packages: [
        {
          SPDXID: "SPDXRef-Package-npm-express",
          name: "express",
          versionInfo: "4.19.2",
          licenseConcluded: "NOASSERTION",
          licenseDeclared: "MIT",
          externalRefs: [
            { referenceCategory: "SECURITY", referenceType: "cpe23Type", referenceLocator: "cpe:2.3:a:expressjs:express:4.19.2:*:*:*:*:*:*:*" },
            { referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: "pkg:npm/express@4.19.2" },
          ],
        },
      ],
    };

    const [express] = parseSpdxPredicate(document).packages;
    expect(express?.purl).toBe("pkg:npm/express@4.19.2");
    expect(express?.license).toBe("MIT");
  });

  const tolerated: Array<{ name: string; document: Record<string, unknown>; packages: string[]; problems: Array<{ path: string; message: RegExp }> }> = [
    {
      name: "missing packages",
      document: { spdxVersion: "SPDX-2.3" },
      packages: [],
      problems: [],
    },
    {
      name: "packages not an array",
      document: { spdxVersion: "SPDX-2.3", packages: { name: "busybox" } },
      packages: [],
      problems: [{ path: "packages", message: /expected an array/ }],
    },
    {
      name: "missing spdxVersion",
      document: { packages: [{ name: "busybox" }] },
      packages: ["busybox"],
      problems: [{ path: "spdxVersion", message: /missing/ }],
    },
    {
      name: "SPDX 3 version",
      document: { spdxVersion: "SPDX-3.0", packages: [{ name: "busybox" }] },
      packages: ["busybox"],
      problems: [{ path: "spdxVersion", message: /not an SPDX 2\.x version/ }],
    },
    {
      name: "package without name",
      document: { spdxVersion: "SPDX-2.3", packages: [{ name: "busybox" }, { SPDXID: "SPDXRef-2", versionInfo: "1.0" }, "zlib"] },
      packages: ["busybox"],
      problems: [
        { path: "packages[1].name", message: /missing, so the package was skipped/ },
        { path: "packages[2]", message: /expected an object/ },
      ],
    },
    {
      name: "invalid purl",
      document: {
        spdxVersion: "SPDX-2.3",
        packages: [{ name: "zlib", externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: "zlib@1.3" }] }],
      },
      packages: ["zlib"],
      problems: [{ path: "packages[0].externalRefs[0].referenceLocator", message: /invalid purl "zlib@1\.3"/ }],
    },
    {
      name: "invalid license expression",
      document: { spdxVersion: "SPDX-2.3", packages: [{ name: "zlib", licenseDeclared: "Acme Commercial License" }] },
      packages: ["zlib"],
      problems: [{ path: "packages[0].licenseDeclared", message: /not a valid SPDX license expression/ }],
    },
    {
      name: "version of the wrong type",
      document: { spdxVersion: "SPDX-2.3", packages: [{ name: "zlib", versionInfo: 13 }] },
      packages: ["zlib"],
      problems: [{ path: "packages[0].versionInfo", message: /expected a string, found a number/ }],
    },
  ];

  it.each(tolerated)("tolerates $name", ({ document, packages, problems }) => {
    const result = parseSpdxPredicate(document);

    expect(result.packages.map((item) => item.name)).toEqual(packages);
    expect(result.problems).toHaveLength(problems.length);
    problems.forEach((problem, index) => {
      expect(result.problems[index]?.path).toBe(problem.path);
      expect(result.problems[index]?.message).toMatch(problem.message);
    });
  });

  it("normalises an invalid license", () => {
    const result = parseSpdxPredicate({ spdxVersion: "SPDX-2.3", packages: [{ name: "zlib", licenseDeclared: "Acme Commercial License" }] });
    expect(result.packages[0]?.license).toBe("LicenseRef-Acme-Commercial-License");
  });

  it("reads NONE as no license", () => {
    const result = parseSpdxPredicate({ spdxVersion: "SPDX-2.3", packages: [{ name: "zlib", licenseConcluded: "NONE", licenseDeclared: "NONE" }] });
    expect(result.packages[0]?.license).toBeNull();
  });

  it.each([null, "SPDX-2.3", ["SPDX-2.3"], 7])("rejects %j", (value) => {
    expect(() => parseSpdxPredicate(value)).toThrow(AppError);
  });

  it("reads a predicate from its statement", () => {
    const statement = { _type: "https://in-toto.io/Statement/v0.1", predicateType: "https://spdx.dev/Document", subject: [], predicate: fixture(SYFT_DOCUMENT) };
    const read = readStatement(envelopeOf(statement));

    expect(read.predicateType).toBe("https://spdx.dev/Document");
    expect(read.fromEnvelope).toBe(true);
    expect(parseSpdxPredicate(read.predicate).packages.map((item) => item.name)).toEqual(["busybox", "libssl1.1", "ssl_client"]);
  });
});

describe("parseProvenance", () => {
  const BUILDKIT_V1_TYPE = "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md";
  const DOC_SUBJECT = {
    name: "pkg:docker/<registry>/<image>@<tag/digest>?platform=<platform>",
    digest: { sha256: "e8275b2b76280af67e26f068e5d585eb905f8dfd2f1918b3229db98133cb4862" },
  };
  const ALPINE = {
    uri: "pkg:docker/alpine@latest?platform=linux%2Famd64",
    digest: { sha256: "8914eb54f968791faf6a8638949e480fef81e697984fba772b3976835194c6d4" },
  };
  const CONTAINER_SUBJECT = {
    name: "ghcr.io/zlabjp/slsa-provenance-test",
    digest: { sha256: "3dbd76ff6dc789a8bfd7b3303b15dd6fbac052af442f830b2eb527ab26976cf3" },
  };
  const ZLABJP_SOURCE = "git+https://github.com/zlabjp/slsa-provenance-test@refs/tags/v0.0.5";

  const cases: Array<{ file: string; expected: Provenance }> = [
    {
      file: "slsa-v1-provenance-mode-min.json",
      expected: {
        predicateType: SLSA_PROVENANCE_V1,
        mode: "min",
        buildType: BUILDKIT_V1_TYPE,
        builderId: null,
        frontendImage: null,
        materials: [ALPINE],
        buildConfigPresent: false,
        startedOn: "2022-12-08T11:48:59.466513707Z",
        finishedOn: "2022-12-08T11:49:01.256820297Z",
        subjects: [DOC_SUBJECT],
        problems: [],
      },
    },
    {
      file: "slsa-v1-provenance-mode-max.json",
      expected: {
        predicateType: SLSA_PROVENANCE_V1,
        mode: "max",
        buildType: BUILDKIT_V1_TYPE,
        builderId: null,
        frontendImage: null,
        // The documentation example abridges its LLB steps, so no step names the alpine image and it gets no layers.
        materials: [ALPINE],
        buildConfigPresent: true,
        startedOn: "2022-12-08T11:50:54.953375437Z",
        finishedOn: "2022-12-08T11:50:55.447841328Z",
        subjects: [DOC_SUBJECT],
        problems: [],
      },
    },
    {
      file: "zlabjp-statement-container-provenance.json",
      expected: {
        predicateType: SLSA_PROVENANCE_V02,
        mode: "min",
        buildType: "https://github.com/slsa-framework/slsa-github-generator/container@v1",
        builderId: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/heads/main",
        frontendImage: null,
        materials: [{ uri: ZLABJP_SOURCE, digest: { sha1: "b24673de2d8a1f1ae5dd4b5a74b6b4ec2e4f88de" } }],
        buildConfigPresent: false,
        startedOn: null,
        finishedOn: null,
        subjects: [CONTAINER_SUBJECT],
        problems: [],
      },
    },
    {
      // slsa-github-generator's Go builder records its build steps as buildConfig, which reads as max.
      file: "zlabjp-statement-binary-provenance.json",
      expected: {
        predicateType: SLSA_PROVENANCE_V02,
        mode: "max",
        buildType: "https://github.com/slsa-framework/slsa-github-generator/go@v1",
        builderId: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml@refs/tags/v1.5.0",
        frontendImage: null,
        materials: [
          { uri: ZLABJP_SOURCE, digest: { sha1: "24acc49548454b2f21a01a85d3357fc1858abdf4" } },
          { uri: "https://github.com/actions/virtual-environments/releases/tag/ubuntu22/20230227.2", digest: {} },
        ],
        buildConfigPresent: true,
        startedOn: null,
        finishedOn: null,
        subjects: [{ name: "binary-linux-amd64", digest: { sha256: "9f7014682b7842169f789b8c79041d70313de0a592a94413a247f5a6047167cd" } }],
        problems: [],
      },
    },
  ];

  it.each(cases)("parses $file", ({ file, expected }) => {
    expect(parseProvenance(fixture(file))).toEqual(expected);
  });

  it.each([
    ["container", "zlabjp-dsse-envelope-container-provenance.json", "zlabjp-statement-container-provenance.json"],
    ["binary", "zlabjp-dsse-envelope-binary-provenance.json", "zlabjp-statement-binary-provenance.json"],
  ])("reads the %s DSSE envelope as its statement", (_kind, envelope, statement) => {
    expect(parseProvenance(fixture(envelope))).toEqual(parseProvenance(fixture(statement)));
  });

  it("reads a URL-safe base64 payload", () => {
    const envelope = envelopeOf(fixture("slsa-v1-provenance-mode-min.json"));
    envelope.payload = envelope.payload.replace(/\+/g, "-").replace(/\//g, "_");
    expect(parseProvenance(envelope).startedOn).toBe("2022-12-08T11:48:59.466513707Z");
  });

  describe("BuildKit v0.2 predicate in max mode", () => {
    const provenance = parseProvenancePredicate(SLSA_PROVENANCE_V02, fixture("zlabjp-buildkit-slsa-v0.2-predicate.json"));

    it("reads the build facts", () => {
      expect(provenance.mode).toBe("max");
      expect(provenance.buildType).toBe("https://mobyproject.org/buildkit@v1");
      expect(provenance.builderId).toBe("https://github.com/zlabjp/slsa-provenance-test/actions/runs/4351897538");
      expect(provenance.buildConfigPresent).toBe(true);
      expect(provenance.startedOn).toBe("2023-03-07T08:04:37.968235247Z");
      expect(provenance.finishedOn).toBe("2023-03-07T08:04:40.837845646Z");
      expect(provenance.subjects).toEqual([]);
      expect(provenance.problems).toEqual([]);
    });

    it("reads the materials with their layers", () => {
      expect(provenance.materials).toEqual([
        {
          uri: "pkg:docker/ubuntu?digest=sha256:b2175cd4cfdd5cdb1740b0e6ec6bbb4ea4892801c0ad5101a81f694152b6c559&platform=linux%2Famd64",
          digest: { sha256: "b2175cd4cfdd5cdb1740b0e6ec6bbb4ea4892801c0ad5101a81f694152b6c559" },
          layers: ["sha256:76769433fd8a87dd77a6ce33db12156b1ea8dad3da3a95e7c9c36a47ec17b24c"],
        },
        {
          uri: "pkg:docker/gcr.io/distroless/static?digest=sha256:3c5767883bc3ad6c4ad7caf97f313e482f500f2c214f78e452ac1ca932e1bf7f&platform=linux%2Famd64",
          digest: { sha256: "3c5767883bc3ad6c4ad7caf97f313e482f500f2c214f78e452ac1ca932e1bf7f" },
          layers: ["sha256:383e1c5dd0c1830143b1230e90292ebd4219911e0512b70d250c8907c4899110"],
        },
      ]);
    });
  });

  describe("BuildKit v1 multi-stage statement", () => {
    const provenance = parseProvenance(fixture("buildkit-multistage-v1-max.json"));
    const layersOf = (uriStart: string) => provenance.materials.find((material) => material.uri.startsWith(uriStart))?.layers;

    it("names the frontend image", () => {
      expect(provenance.frontendImage).toBe("docker/dockerfile:1");
    });

    it("reads the run details", () => {
      expect(provenance.mode).toBe("max");
      expect(provenance.builderId).toBe("https://ci.example.com/acme/app/builds/812");
      expect(provenance.startedOn).toBe("2024-05-14T09:12:03.117204Z");
      expect(provenance.finishedOn).toBe("2024-05-14T09:13:41.502918Z");
      expect(provenance.problems).toEqual([]);
    });

    it("maps each stage image to its layers", () => {
      expect(provenance.materials.map((material) => material.uri)).toEqual([
        "pkg:docker/docker/dockerfile@1",
        "pkg:docker/debian@12-slim?platform=linux%2Famd64",
        "pkg:docker/golang@1.22-bookworm?platform=linux%2Famd64",
        "pkg:docker/docker/buildkit-syft-scanner@stable-1",
      ]);
      expect(layersOf("pkg:docker/debian")).toEqual(["sha256:3c49972e4407c734067818a7e825e9e1409d68e707e128ab114b2c9df7074402"]);
      expect(layersOf("pkg:docker/golang")).toHaveLength(3);
      expect(layersOf("pkg:docker/docker/dockerfile")).toBeUndefined();
    });
  });

  it("reads min mode from BuildKit metadata without source or layers", () => {
    const statement = fixture("buildkit-multistage-v1-max.json") as { predicate: Record<string, Record<string, Record<string, unknown>>> };
    delete statement.predicate.buildDefinition?.internalParameters?.buildConfig;
    const metadata = statement.predicate.runDetails?.metadata as { buildkit_metadata: Record<string, unknown> };
    metadata.buildkit_metadata = { vcs: { source: "https://example.com/acme/app.git", revision: "0123abc" } };

    const provenance = parseProvenance(statement);
    expect(provenance.mode).toBe("min");
    expect(provenance.buildConfigPresent).toBe(false);
    expect(provenance.materials.every((material) => material.layers === undefined)).toBe(true);
  });

  it("reads max mode from BuildKit layers alone", () => {
    const predicate = fixture("zlabjp-buildkit-slsa-v0.2-predicate.json") as Record<string, unknown>;
    delete predicate.buildConfig;
    expect(parseProvenancePredicate(SLSA_PROVENANCE_V02, predicate).mode).toBe("max");
  });

  it("reports malformed materials", () => {
    const statement = {
      _type: "https://in-toto.io/Statement/v1",
      predicateType: SLSA_PROVENANCE_V1,
      subject: [],
      predicate: {
        buildDefinition: {
          buildType: "https://example.com/build",
          resolvedDependencies: [{ digest: { sha256: "ab" } }, "pkg:docker/alpine", { uri: "pkg:docker/alpine@3.20", digest: { sha256: 42 } }],
        },
        runDetails: { builder: { id: 17 } },
      },
    };

    const provenance = parseProvenance(statement);
    expect(provenance.materials).toEqual([{ uri: "pkg:docker/alpine@3.20", digest: {} }]);
    expect(provenance.builderId).toBeNull();
    expect(provenance.problems.map((problem) => problem.path)).toEqual([
      "predicate.buildDefinition.resolvedDependencies[0].uri",
      "predicate.buildDefinition.resolvedDependencies[1]",
      "predicate.buildDefinition.resolvedDependencies[2].digest.sha256",
      "predicate.runDetails.builder.id",
    ]);
  });

  it("reports an unknown statement type", () => {
    const statement = { ...(fixture("slsa-v1-provenance-mode-min.json") as object), _type: "https://example.com/Statement" };
    expect(parseProvenance(statement).problems).toEqual([
      { path: "_type", message: 'expected one of https://in-toto.io/Statement/v0.1, https://in-toto.io/Statement/v1, found "https://example.com/Statement"' },
    ]);
  });

  const rejected: Array<{ name: string; input: unknown; message: RegExp }> = [
    { name: "a non-object", input: "provenance", message: /expected an in-toto statement or a DSSE envelope/ },
    { name: "a statement without predicateType", input: { _type: "https://in-toto.io/Statement/v1", subject: [] }, message: /predicateType is missing/ },
    {
      name: "an SBOM statement",
      input: { _type: "https://in-toto.io/Statement/v1", predicateType: "https://spdx.dev/Document", subject: [], predicate: {} },
      message: /Unsupported provenance predicate type "https:\/\/spdx\.dev\/Document"/,
    },
    {
      name: "a predicate that is not an object",
      input: { _type: "https://in-toto.io/Statement/v1", predicateType: SLSA_PROVENANCE_V1, subject: [], predicate: [] },
      message: /expected a JSON object, found an array/,
    },
    { name: "an envelope of another payload type", input: envelopeOf({}, "text/plain"), message: /Unsupported DSSE payloadType "text\/plain"/ },
    { name: "an envelope with a non-base64 payload", input: { payloadType: "application/vnd.in-toto+json", payload: "not base64!", signatures: [] }, message: /not base64/ },
    {
      name: "an envelope whose payload is not JSON",
      input: { payloadType: "application/vnd.in-toto+json", payload: Buffer.from("{").toString("base64"), signatures: [] },
      message: /decoded payload is not JSON/,
    },
  ];

  it.each(rejected)("rejects $name", ({ input, message }) => {
    expect(() => parseProvenance(input)).toThrow(AppError);
    expect(() => parseProvenance(input)).toThrow(message);
  });
});
