import { describe, expect, it, test } from "vitest";
import { applyVex, parseOpenVex, type VexStatement } from "./openvex";
import { imageFacts } from "./testdata/image-facts";
import acmeApiAttestation from "./testdata/openvex/acme-api.intoto.json";
import acmeApiDocument from "./testdata/openvex/acme-api.openvex.json";
import { finding } from "./testdata/vulnerability-findings";
import type { VulnerabilityFinding } from "./types";

const imageDigest = imageFacts().digest;
const otherDigest = `sha256:${"b".repeat(64)}`;

function statementsOf(input: unknown): VexStatement[] {
  const result = parseOpenVex(input);
  if ("problems" in result) throw new Error(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result.statements;
}

function problemsOf(input: unknown) {
  const result = parseOpenVex(input);
  if ("statements" in result) throw new Error("parseOpenVex accepted the input");
  return result.problems;
}

/** A copy of the fixture document with its first statement changed. */
function withFirstStatement(changes: Record<string, unknown>): unknown {
  const document = structuredClone(acmeApiDocument) as { statements: Record<string, unknown>[] };
  document.statements[0] = { ...document.statements[0], ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete document.statements[0][key];
  return document;
}

const curl = (vulnerabilityId: string, overrides: Partial<VulnerabilityFinding> = {}) => finding({ vulnerabilityId, ...overrides });
const log4j = finding({
  purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
  vulnerabilityId: "CVE-2021-44228",
  aliases: ["GHSA-jfh8-c2jp-5v3q"],
  packageType: "maven",
  packageName: "org.apache.logging.log4j:log4j-core",
  packageVersion: "2.14.1",
});

describe("parseOpenVex", () => {
  it("reads every statement of a document", () => {
    const statements = statementsOf(acmeApiDocument);
    expect(statements).toHaveLength(6);
    expect(statements[0]).toEqual({
      vulnerabilityIds: ["CVE-2023-38545"],
      products: [
        {
          ids: [`pkg:oci/api@sha256%3A${imageDigest.slice("sha256:".length)}?repository_url=registry.acme.example%2Facme%2Fapi`],
          subcomponentIds: ["pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12"],
        },
      ],
      status: "not_affected",
      justification: "vulnerable_code_not_in_execute_path",
      impactStatement: "The api service never configures a SOCKS5 proxy.",
      timestamp: "2024-05-20T09:00:00Z",
    });
    expect(statements[4]?.timestamp).toBe("2024-05-15T00:00:00Z");
  });

  it("reads the vulnerability ids from name, @id and aliases", () => {
    const statements = statementsOf(acmeApiDocument);
    expect(statements[1]?.vulnerabilityIds).toEqual(["https://nvd.nist.gov/vuln/detail/CVE-2024-2398", "CVE-2024-2398"]);
    expect(statements[2]?.vulnerabilityIds).toEqual(["GHSA-jfh8-c2jp-5v3q", "https://github.com/advisories/GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"]);
  });

  it("reads product identifiers and hashes", () => {
    const statements = statementsOf(acmeApiDocument);
    expect(statements[2]?.products[0]?.ids).toEqual(["pkg:maven/org.apache.logging.log4j/log4j-core", "cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*"]);
    expect(statements[4]?.products[0]?.ids).toEqual([imageDigest]);
  });

  it("accepts JSON text", () => {
    expect(statementsOf(JSON.stringify(acmeApiDocument))).toHaveLength(6);
  });

  it("reads the early form with string ids", () => {
    const early = {
      ...acmeApiDocument,
      "@context": "https://openvex.dev/ns",
      statements: [{ vulnerability: "CVE-2023-38545", products: ["pkg:deb/debian/curl"], status: "not_affected", justification: "component_not_present" }],
    };
    expect(statementsOf(early)[0]).toMatchObject({ vulnerabilityIds: ["CVE-2023-38545"], products: [{ ids: ["pkg:deb/debian/curl"], subcomponentIds: [] }] });
  });

  it("takes in-toto subjects as default products", () => {
    expect(statementsOf(acmeApiAttestation)).toEqual([
      {
        vulnerabilityIds: ["CVE-2024-2004"],
        products: [{ ids: [imageDigest], subcomponentIds: [] }],
        status: "not_affected",
        justification: null,
        impactStatement: "Only the curl tool is affected; the image uses libcurl alone.",
        timestamp: "2024-05-21T10:30:00Z",
      },
    ]);
  });

  it("leaves a bare statement without products", () => {
    expect(statementsOf(withFirstStatement({ products: undefined }))[0]?.products).toEqual([]);
  });

  test.each([
    ["not an object", [], [{ path: "", message: "must be a JSON object" }]],
    [
      "a foreign @context",
      { ...acmeApiDocument, "@context": "https://cyclonedx.org/schema" },
      [{ path: "@context", message: 'must be the OpenVEX context URL, such as "https://openvex.dev/ns/v0.2.0"' }],
    ],
    [
      "a missing author",
      { ...acmeApiDocument, author: undefined },
      [{ path: "author", message: "is missing; it must be the author's name or e-mail address" }],
    ],
    [
      "an unreadable timestamp",
      { ...acmeApiDocument, timestamp: "yesterday" },
      [{ path: "timestamp", message: "must be an RFC 3339 time such as 2023-01-08T18:02:03Z" }],
    ],
    [
      "an unknown status",
      withFirstStatement({ status: "not-affected" }),
      [{ path: "statements[0].status", message: "must be one of not_affected, affected, fixed, under_investigation" }],
    ],
    [
      "not_affected without a reason",
      withFirstStatement({ justification: undefined, impact_statement: undefined }),
      [
        {
          path: "statements[0].justification",
          message: 'has status "not_affected" but neither a justification nor an impact_statement; add one saying why',
        },
      ],
    ],
    [
      "an unknown justification",
      withFirstStatement({ justification: "not_reachable" }),
      [
        {
          path: "statements[0].justification",
          message:
            "must be one of component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist",
        },
      ],
    ],
    [
      "a vulnerability without name or @id",
      withFirstStatement({ vulnerability: { aliases: ["CVE-2023-38545"] } }),
      [{ path: "statements[0].vulnerability", message: 'must have a "name" such as CVE-2023-12345 or an "@id"' }],
    ],
    [
      "a vulnerability of the wrong type",
      withFirstStatement({ vulnerability: 42 }),
      [{ path: "statements[0].vulnerability", message: 'must be an object such as { "name": "CVE-2023-12345" }' }],
    ],
    ["statements that are not a list", { ...acmeApiDocument, statements: {} }, [{ path: "statements", message: "must be an array of statements" }]],
  ])("rejects %s", (_case, input, problems) => {
    expect(problemsOf(input)).toEqual(problems);
  });

  it("rejects invalid JSON text, with the parser's reason", () => {
    const [problem, ...rest] = problemsOf("{ not json");
    expect(rest).toEqual([]);
    expect(problem?.path).toBe("");
    expect(problem?.message).toMatch(/^is not valid JSON: Expected property name/);
  });

  it("prefixes problems inside an in-toto predicate", () => {
    const attestation = structuredClone(acmeApiAttestation) as { predicate: Record<string, unknown> };
    attestation.predicate.version = "one";
    expect(problemsOf(attestation)).toEqual([{ path: "predicate.version", message: "must be a whole number" }]);
  });
});

describe("applyVex", () => {
  const statements = statementsOf(acmeApiDocument);
  const apply = (findings: VulnerabilityFinding[], digests: string | string[] = imageDigest) => applyVex(findings, statements, digests);

  it("suppresses a named subcomponent's finding", () => {
    const [result] = apply([curl("CVE-2023-38545")]);
    expect(result?.suppressed).toEqual({
      by: "vex",
      reason: "vulnerable_code_not_in_execute_path: The api service never configures a SOCKS5 proxy.",
      expiresAt: null,
    });
  });

  it("skips packages the subcomponents omit", () => {
    const libcurl = curl("CVE-2023-38545", { purl: "pkg:deb/debian/libcurl4@7.88.1-10?arch=amd64", packageName: "libcurl4" });
    expect(apply([libcurl])[0]?.suppressed).toBeNull();
  });

  test.each([
    ["an image reference with the digest and a vulnerability @id", true, curl("CVE-2024-2398")],
    ["a package purl without version and an alias", true, log4j],
    ["a package purl and the statement's name as the finding's alias", true, { ...log4j, vulnerabilityId: "GHSA-jfh8-c2jp-5v3q", aliases: ["CVE-2021-44228"] }],
    ["a package purl without version, another package", false, curl("CVE-2021-44228")],
    ["an under_investigation statement", false, curl("CVE-2024-0727")],
    ["a later affected statement overriding an earlier not_affected", false, curl("CVE-2023-46218")],
    ["a vulnerability no statement names", false, curl("CVE-2099-0001")],
  ])("%s: suppressed %s", (_case, suppressed, input) => {
    expect(apply([input])[0]?.suppressed !== null).toBe(suppressed);
  });

  it("applies image statements only to the image's digest", () => {
    const [curlFinding, log4jFinding] = apply([curl("CVE-2024-2398"), log4j], otherDigest);
    expect(curlFinding?.suppressed).toBeNull();
    expect(log4jFinding?.suppressed?.reason).toBe("vulnerable_code_cannot_be_controlled_by_adversary");
  });

  it("accepts several digests, such as the platform and index digests", () => {
    expect(apply([curl("CVE-2024-2398")], [otherDigest, imageDigest])[0]?.suppressed).not.toBeNull();
  });

  it("compares digests without regard to case", () => {
    expect(apply([curl("CVE-2024-2398")], imageDigest.toUpperCase())[0]?.suppressed).not.toBeNull();
  });

  test.each([
    ["the same version", true, "pkg:deb/debian/curl@7.88.1-10"],
    ["another architecture qualifier", true, "pkg:deb/debian/curl@7.88.1-10?arch=arm64"],
    ["no version", true, "pkg:deb/debian/curl"],
    ["another version", false, "pkg:deb/debian/curl@7.88.1-10+deb12u4"],
    ["another namespace", false, "pkg:deb/ubuntu/curl@7.88.1-10"],
    ["another type", false, "pkg:apk/debian/curl@7.88.1-10"],
    ["a bare package name", false, "curl"],
  ])("a package product with %s covers the finding: %s", (_case, covered, productId) => {
    const statement: VexStatement = {
      vulnerabilityIds: ["CVE-2023-38545"],
      products: [{ ids: [productId], subcomponentIds: [] }],
      status: "not_affected",
      justification: "component_not_present",
      impactStatement: null,
      timestamp: "2024-05-20T09:00:00Z",
    };
    expect(applyVex([curl("CVE-2023-38545")], [statement], otherDigest)[0]?.suppressed !== null).toBe(covered);
  });

  it("applies in-toto statements to the attested image", () => {
    const [result] = applyVex([curl("CVE-2024-2004")], statementsOf(acmeApiAttestation), imageDigest);
    expect(result?.suppressed).toEqual({ by: "vex", reason: "Only the curl tool is affected; the image uses libcurl alone.", expiresAt: null });
  });

  it("lets the last statement decide when timestamps are equal", () => {
    const base: VexStatement = {
      vulnerabilityIds: ["CVE-2023-38545"],
      products: [{ ids: [imageDigest], subcomponentIds: [] }],
      status: "not_affected",
      justification: "component_not_present",
      impactStatement: null,
      timestamp: "2024-05-20T09:00:00Z",
    };
    const affected: VexStatement = { ...base, status: "affected", justification: null };
    expect(applyVex([curl("CVE-2023-38545")], [base, affected], imageDigest)[0]?.suppressed).toBeNull();
    expect(applyVex([curl("CVE-2023-38545")], [affected, base], imageDigest)[0]?.suppressed).not.toBeNull();
  });

  it("keeps an earlier suppression and does not change its inputs", () => {
    const excepted = curl("CVE-2023-38545", { suppressed: { by: "exception", reason: "accepted", expiresAt: "2024-09-01T00:00:00Z" } });
    const findings = [excepted, curl("CVE-2024-2398")];
    const before = structuredClone(findings);
    const result = apply(findings);
    expect(result[0]?.suppressed).toEqual(excepted.suppressed);
    expect(result[1]?.suppressed?.by).toBe("vex");
    expect(findings).toEqual(before);
    expect(result[0]).not.toBe(findings[0]);
  });
});
