import { describe, expect, it, test } from "vitest";
import { defaultPolicyConfig } from "../policy-config";
import { imageFacts } from "../testdata/image-facts";
import { analysedImage, evaluatedAt } from "../testdata/vulnerability-findings";
import type { BaseImageFact, ImageFacts, NoUnapprovedBaseImagesSettings, OsFact } from "../types";
import { type KnownBaseImage, unknownBaseRemediation } from "./base-image-evidence";
import { noUnapprovedBaseImages } from "./no-unapproved-base-images";

const defaults = defaultPolicyConfig.policies["no-unapproved-base-images"];
const baseDigest = `sha256:${"b".repeat(64)}`;

function evaluate(facts: ImageFacts, options: Partial<NoUnapprovedBaseImagesSettings> = {}) {
  return noUnapprovedBaseImages.evaluate(facts, { ...defaults, ...options });
}

function base(reference: string | null, overrides: Partial<KnownBaseImage> = {}): BaseImageFact {
  return { source: "provenance", reference, digest: baseDigest, ...overrides };
}

/** Returns an analysed Debian 12 image graded at evaluatedAt (2024-06-01T12:00:00Z) with the given base image and release. */
function imageOn(baseImage: BaseImageFact | undefined, os: Partial<OsFact> = {}): ImageFacts {
  const facts = analysedImage({}, { baseImage });
  if (facts.analysis?.status !== "analysed" || facts.analysis.os === null) throw new Error("analysedImage must return an analysed image with an OS");
  return { ...facts, analysis: { ...facts.analysis, os: { ...facts.analysis.os, ...os } } };
}

describe("no-unapproved-base-images without a known base", () => {
  it("has no data when the caller has not looked for a base image", () => {
    expect(evaluate(imageFacts())).toEqual({
      status: "no-data",
      summary: "The base image of this image is not known, so it cannot be checked against the approved base images.",
      evidence: [],
      remediation: null,
    });
  });

  it("has no data for an unknown base, giving the reason and the fix", () => {
    const outcome = evaluate(imageOn({ source: "unknown", reason: "No base image found: the image has no provenance." }));
    expect(outcome.status).toBe("no-data");
    expect(outcome.summary).toBe(
      "The base image of this image is not known, so it cannot be checked against the approved base images. No base image found: the image has no provenance.",
    );
    expect(outcome.evidence).toEqual([
      { label: "Base image", value: "unknown: No base image found: the image has no provenance." },
      { label: "Release", value: "Debian GNU/Linux 12 (bookworm)" },
      { label: "End of life", value: "2028-06-30" },
    ]);
    expect(outcome.remediation).toBe(unknownBaseRemediation);
    expect(outcome.remediation).toContain("--provenance=mode=max");
    expect(outcome.remediation).toContain("org.opencontainers.image.base.name");
  });

  it("writes a reason without a full stop as a sentence", () => {
    const outcome = evaluate(imageFacts({ baseImage: { source: "unknown", reason: "no source named a base image" } }));
    expect(outcome.summary).toBe(
      "The base image of this image is not known, so it cannot be checked against the approved base images. No source named a base image.",
    );
  });

  test.each([
    ["*", "pass"],
    ["docker.io/library/debian:*", "no-data"],
  ] as const)("an unnamed base with pattern %j is %s", (pattern, status) => {
    const outcome = evaluate(imageOn(base(null)), { approvedPatterns: [pattern] });
    expect(outcome.status).toBe(status);
    if (status === "no-data") {
      expect(outcome.summary).toBe("Only the digest of the base image is known, not its name, so it cannot be checked against the approved base images.");
      expect(outcome.remediation).toBe(unknownBaseRemediation);
    } else {
      expect(outcome.summary).toMatch(new RegExp(`^The base image ${baseDigest} \\(name not known\\) matches the approved pattern "\\*"`));
    }
  });

  it("has no data for a base without a name or a digest", () => {
    const outcome = evaluate(imageOn(base(null, { digest: null })));
    expect(outcome.status).toBe("no-data");
    expect(outcome.summary).toBe("The base image was detected without a name or a digest, so it cannot be checked against the approved base images.");
  });

  test.each([
    ["*", "pass"],
    ["docker.io/library/debian:*", "no-data"],
  ] as const)("an invalid base reference with pattern %j is %s", (pattern, status) => {
    const outcome = evaluate(imageOn(base("Debian:12")), { approvedPatterns: [pattern] });
    expect(outcome.status).toBe(status);
    if (status === "no-data") {
      expect(outcome.summary).toBe(
        'The base image reference "Debian:12" is not a valid image reference (the repository path component "Debian" has uppercase letters, which repository paths never have; write it in lowercase), so it cannot be checked against the approved base images.',
      );
    }
  });
});

describe("no-unapproved-base-images patterns", () => {
  test.each([
    // Short names on both sides.
    [["node:*-slim"], "node:20-slim", "pass"],
    [["node:*-slim"], "docker.io/library/node:20.11-slim", "pass"],
    [["node:*-slim"], "node:20-bookworm-slim", "fail"],
    [["node:*-*-slim"], "node:20-bookworm-slim", "pass"],
    [["docker.io/library/node:*-slim"], "index.docker.io/library/node:20-slim", "pass"],
    [["bitnami/*"], "registry-1.docker.io/bitnami/redis:7", "pass"],
    [["bitnami/*"], "redis:7", "fail"],
    // Registries with ports.
    [["registry.example.com:5000/base/*"], "registry.example.com:5000/base/debian:12", "pass"],
    [["registry.example.com/base/*"], "registry.example.com:5000/base/debian:12", "fail"],
    // Digests.
    [[`debian@${baseDigest}`], "debian:12", "pass"],
    [["debian@sha256:*"], "debian:12", "pass"],
    [[`debian@sha256:${"c".repeat(64)}`], "debian:12", "fail"],
    // Every tag of a repository.
    [["registry.example.com/base/debian"], "registry.example.com/base/debian:12-slim", "pass"],
    [["registry.example.com/base/debian"], "registry.example.com/base/debian-slim:12", "fail"],
    // The first pattern that matches wins; the others need not.
    [["node:*", "debian:*"], "debian:12", "pass"],
    [["*"], "ghcr.io/acme/base:1", "pass"],
  ])("%j on %s is %s", (approvedPatterns, reference, status) => {
    expect(evaluate(imageOn(base(reference)), { approvedPatterns }).status).toBe(status);
  });

  it("passes an approved base, naming the pattern and the release", () => {
    const outcome = evaluate(imageOn(base("debian:12-slim")), { approvedPatterns: ["node:*-slim", "debian:*-slim"] });
    expect(outcome).toEqual({
      status: "pass",
      summary:
        'The base image docker.io/library/debian:12-slim matches the approved pattern "debian:*-slim", and the image\'s distribution release, Debian GNU/Linux 12 (bookworm), reaches end of life on 2028-06-30.',
      evidence: [
        { label: "Base image", value: "debian:12-slim" },
        { label: "Base digest", value: baseDigest },
        { label: "Found from", value: "provenance" },
        { label: "Approved by", value: '"debian:*-slim"' },
        { label: "Release", value: "Debian GNU/Linux 12 (bookworm)" },
        { label: "End of life", value: "2028-06-30" },
      ],
      remediation: null,
    });
  });

  it("fails an unapproved base, listing the patterns and the fix", () => {
    const outcome = evaluate(imageOn(base("docker.io/library/node:20")), { approvedPatterns: ["node:*-slim", "registry.example.com/base/*"] });
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe(
      'The base image docker.io/library/node:20 matches none of the approved patterns ("node:*-slim" and "registry.example.com/base/*").',
    );
    expect(outcome.evidence).toContainEqual({ label: "Approved patterns", value: '"node:*-slim" and "registry.example.com/base/*"' });
    expect(outcome.remediation).toBe(
      'Rebuild on an approved base image by changing the final stage\'s `FROM` line to an image that matches "node:*-slim" or "registry.example.com/base/*", or ask an organization owner to approve docker.io/library/node:20.',
    );
  });

  it("counts the patterns beyond five", () => {
    const approvedPatterns = ["a:*", "b:*", "c:*", "d:*", "e:*", "f:*", "g:*"];
    const outcome = evaluate(imageOn(base("node:20")), { approvedPatterns });
    expect(outcome.summary).toBe('The base image docker.io/library/node:20 matches none of the approved patterns ("a:*", "b:*", "c:*", "d:*", "e:*" and 2 more).');
  });

  test.each([
    [["scratch"], "pass", 'The base image scratch matches the approved pattern "scratch"'],
    [["docker.io/library/debian:*"], "fail", 'The base image scratch matches none of the approved patterns ("docker.io/library/debian:*").'],
  ] as const)("a scratch base with %j is %s", (approvedPatterns, status, summary) => {
    const outcome = evaluate(imageOn(base("scratch", { digest: null })), { approvedPatterns: [...approvedPatterns] });
    expect(outcome.status).toBe(status);
    expect(outcome.summary.startsWith(summary)).toBe(true);
  });

  test.each([["provenance"], ["annotation"], ["label"], ["layers"]] as const)("reads a base found from %s", (source) => {
    const outcome = evaluate(imageOn({ source, reference: "debian:12", digest: baseDigest }), { approvedPatterns: ["debian:*"] });
    expect(outcome.status).toBe("pass");
  });

  it("ignores an invalid pattern that bypassed validation, showing it", () => {
    const outcome = evaluate(imageOn(base("debian:12")), { approvedPatterns: ["Debian:*", "debian:*"] });
    expect(outcome.status).toBe("pass");
    expect(outcome.evidence).toContainEqual({
      label: "Ignored pattern",
      value:
        '"Debian:*": the repository path component "Debian" has uppercase letters, which repository paths never have, so the pattern can never match; write it in lowercase',
    });
  });

  it("approves nothing when every pattern is invalid", () => {
    const outcome = evaluate(imageOn(base("debian:12")), { approvedPatterns: ["**"] });
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe("The base image docker.io/library/debian:12 matches none of the approved patterns (no valid patterns).");
  });
});

describe("no-unapproved-base-images end of life", () => {
  // The image is graded at 2024-06-01T12:00:00Z.
  test.each([
    ["2024-05-31", "fail"],
    ["2024-06-01", "fail"],
    ["2024-06-01T12:00:00Z", "fail"],
    ["2024-06-01T12:00:00.001Z", "pass"],
    ["2024-06-02", "pass"],
    ["2028-06-30", "pass"],
  ] as const)("a release with end of life %s is %s", (endOfLife, status) => {
    expect(evaluate(imageOn(base("debian:12"), { endOfLife })).status).toBe(status);
  });

  it("fails an end-of-life release, naming it and the date", () => {
    const facts = imageOn(base("debian:10"), { versionId: "10", prettyName: "Debian GNU/Linux 10 (buster)", ecosystem: "Debian:10", endOfLife: "2024-06-30" });
    const outcome = evaluate({ ...facts, evaluatedAt: "2024-07-01T00:00:00Z" });
    expect(outcome).toEqual({
      status: "fail",
      summary: "The image's distribution release, Debian GNU/Linux 10 (buster), reached end of life on 2024-06-30.",
      evidence: [
        { label: "Base image", value: "debian:10" },
        { label: "Base digest", value: baseDigest },
        { label: "Found from", value: "provenance" },
        { label: "Approved by", value: '"*"' },
        { label: "Release", value: "Debian GNU/Linux 10 (buster)" },
        { label: "End of life", value: "2024-06-30" },
      ],
      remediation:
        "Rebuild on a base image whose distribution release is still supported, such as a newer tag of the same base image; Debian GNU/Linux 10 (buster) reached end of life on 2024-06-30.",
    });
  });

  it("names both problems when the base is unapproved and end-of-life", () => {
    const outcome = evaluate(imageOn(base("debian:10"), { prettyName: "Debian GNU/Linux 10 (buster)", endOfLife: "2024-06-30" }), {
      approvedPatterns: ["debian:12*"],
    });
    expect(outcome.status).toBe("fail");
    // Graded at 2024-06-01 the release is still supported, so only the pattern fails.
    expect(outcome.summary).toBe('The base image docker.io/library/debian:10 matches none of the approved patterns ("debian:12*").');

    const later = evaluate(
      { ...imageOn(base("debian:10"), { prettyName: "Debian GNU/Linux 10 (buster)", endOfLife: "2024-06-30" }), evaluatedAt: "2024-07-01T00:00:00Z" },
      { approvedPatterns: ["debian:12*"] },
    );
    expect(later.status).toBe("fail");
    expect(later.summary).toBe(
      'The base image docker.io/library/debian:10 matches none of the approved patterns ("debian:12*"). The image\'s distribution release, Debian GNU/Linux 10 (buster), reached end of life on 2024-06-30.',
    );
    expect(later.remediation).toMatch(/^Rebuild on an approved base image .+ Rebuild on a base image whose distribution release is still supported/);
  });

  it("fails an end-of-life release even when the base image is unknown", () => {
    const outcome = evaluate(imageOn({ source: "unknown", reason: "No base image found." }, { endOfLife: "2024-01-01" }));
    expect(outcome.status).toBe("fail");
    expect(outcome.summary).toBe(
      "The image's distribution release, Debian GNU/Linux 12 (bookworm), reached end of life on 2024-01-01. The base image of this image is not known, so it cannot be checked against the approved base images. No base image found.",
    );
    expect(outcome.remediation).toContain(unknownBaseRemediation);
  });

  it("passes an end-of-life release when failEndOfLife is false", () => {
    const outcome = evaluate(imageOn(base("debian:12"), { endOfLife: "2024-01-01" }), { failEndOfLife: false });
    expect(outcome.status).toBe("pass");
    expect(outcome.summary).toBe('The base image docker.io/library/debian:12 matches the approved pattern "*"; the end-of-life check is off.');
    expect(outcome.evidence).toContainEqual({ label: "End-of-life check", value: "off" });
  });

  test.each<[string, ImageFacts, string]>([
    ["not analysed by the caller", imageFacts({ baseImage: base("debian:12"), evaluatedAt }), "the image has not been analysed, so its distribution release is not known"],
    ["pending analysis", imageFacts({ baseImage: base("debian:12"), evaluatedAt, analysis: { status: "pending", reason: "queued" } }), "the image's analysis has not finished"],
    ["failed analysis", imageFacts({ baseImage: base("debian:12"), evaluatedAt, analysis: { status: "not-analysed", reason: "layer too large" } }), "the image could not be analysed"],
    [
      "no os-release",
      imageFacts({ baseImage: base("debian:12"), evaluatedAt, analysis: { status: "analysed", os: null, packages: [], findings: [] } }),
      "the image has no os-release file naming its distribution release",
    ],
    ["no end-of-life date", imageOn(base("debian:12"), { endOfLife: null }), "the end-of-life date of Debian GNU/Linux 12 (bookworm) is not known"],
    ["an unreadable date", imageOn(base("debian:12"), { endOfLife: "soon" }), 'the end-of-life date of Debian GNU/Linux 12 (bookworm), "soon", is not an ISO 8601 date'],
    ["no pretty name", imageOn(base("debian:12"), { prettyName: null, endOfLife: null }), "the end-of-life date of debian 12 is not known"],
    ["no grading time", { ...imageOn(base("debian:12")), evaluatedAt: undefined }, "the grading time is not known"],
  ])("passes, skipping the end-of-life check, with %s", (_case, facts, reason) => {
    const outcome = evaluate(facts);
    expect(outcome.status).toBe("pass");
    expect(outcome.summary).toBe(`The base image docker.io/library/debian:12 matches the approved pattern "*"; the end-of-life check was skipped because ${reason}.`);
    expect(outcome.evidence).toContainEqual({ label: "End-of-life check", value: `skipped: ${reason}` });
  });
});
