import { describe, expect, it, test } from "vitest";
import { imageFacts } from "../testdata/image-facts";
import type { BaseImageFact, BaseTagResolution } from "../types";
import { type KnownBaseImage, unknownBaseRemediation } from "./base-image-evidence";
import { noOutdatedBaseImages } from "./no-outdated-base-images";

const builtOn = `sha256:${"b".repeat(64)}`;
const newer = `sha256:${"c".repeat(64)}`;
const resolvedAt = "2024-06-01T11:00:00Z";

function evaluate(baseImage: BaseImageFact | undefined) {
  return noOutdatedBaseImages.evaluate(imageFacts({ baseImage }), { weight: 10 });
}

function base(current: BaseTagResolution | undefined, overrides: Partial<KnownBaseImage> = {}): BaseImageFact {
  return { source: "provenance", reference: "docker.io/library/debian:12-slim", digest: builtOn, current, ...overrides };
}

describe("no-outdated-base-images", () => {
  it("fails when the tag now points to another digest", () => {
    const outcome = evaluate(base({ status: "resolved", digest: newer, resolvedAt }));
    expect(outcome).toEqual({
      status: "fail",
      summary: `The base image tag docker.io/library/debian:12-slim now points to ${newer}, but the image was built on ${builtOn} (resolved at ${resolvedAt}).`,
      evidence: [
        { label: "Base image", value: "docker.io/library/debian:12-slim" },
        { label: "Built on", value: builtOn },
        { label: "Found from", value: "provenance" },
        { label: "Tag now at", value: newer },
        { label: "Resolved at", value: resolvedAt },
      ],
      remediation:
        `Rebuild the image to pick up docker.io/library/debian:12-slim, now at ${newer}: \`docker buildx build --pull …\` fetches the tag's current digest instead of a cached one. ` +
        `If the Dockerfile pins the base image by digest, change its \`FROM\` line to ${newer} first.`,
    });
  });

  it("passes when the tag has not moved", () => {
    const outcome = evaluate(base({ status: "resolved", digest: builtOn, resolvedAt }));
    expect(outcome).toEqual({
      status: "pass",
      summary: `The base image tag docker.io/library/debian:12-slim still points to ${builtOn}, the digest the image was built on (resolved at ${resolvedAt}).`,
      evidence: [
        { label: "Base image", value: "docker.io/library/debian:12-slim" },
        { label: "Built on", value: builtOn },
        { label: "Found from", value: "provenance" },
        { label: "Tag now at", value: builtOn },
        { label: "Resolved at", value: resolvedAt },
      ],
      remediation: null,
    });
  });

  test.each([["provenance"], ["annotation"], ["label"], ["layers"]] as const)("decides a base found from %s", (source) => {
    const outcome = evaluate({ source, reference: "debian:12-slim", digest: builtOn, current: { status: "resolved", digest: newer, resolvedAt } });
    expect(outcome.status).toBe("fail");
  });

  test.each([
    ["debian:12-slim", "docker.io/library/debian:12-slim"],
    ["index.docker.io/library/debian:12-slim", "docker.io/library/debian:12-slim"],
    ["registry.example.com:5000/base/debian:12", "registry.example.com:5000/base/debian:12"],
    ["registry.example.com:5000/base/debian", "registry.example.com:5000/base/debian:latest"],
    [`debian:12-slim@${builtOn}`, "docker.io/library/debian:12-slim"],
  ])("names %s as %s", (reference, named) => {
    const outcome = evaluate(base({ status: "resolved", digest: newer, resolvedAt }, { reference }));
    expect(outcome.summary).toContain(`The base image tag ${named} now points to`);
  });

  it("takes the digest from the reference when the fact has none", () => {
    const outcome = evaluate(base({ status: "resolved", digest: builtOn, resolvedAt }, { reference: `debian:12-slim@${builtOn}`, digest: null }));
    expect(outcome.status).toBe("pass");
    expect(outcome.evidence).toContainEqual({ label: "Built on", value: builtOn });
  });

  it("prefers the fact's digest to the one in the reference", () => {
    const outcome = evaluate(base({ status: "resolved", digest: builtOn, resolvedAt }, { reference: `debian:12-slim@${newer}` }));
    expect(outcome.status).toBe("pass");
  });

  it("passes an image built from scratch", () => {
    const outcome = evaluate(base(undefined, { reference: "scratch", digest: null }));
    expect(outcome.status).toBe("pass");
    expect(outcome.summary).toBe("The image is built from scratch, which has no layers that could be updated.");
  });
});

describe("no-outdated-base-images without the data to decide", () => {
  it("has no data when the caller has not looked for a base image", () => {
    expect(evaluate(undefined)).toEqual({
      status: "no-data",
      summary: "The base image of this image is not known, so it cannot be checked for updates.",
      evidence: [],
      remediation: null,
    });
  });

  it("has no data for an unknown base, giving the reason and the fix", () => {
    const outcome = evaluate({ source: "unknown", reason: "No base image found: the image has no provenance." });
    expect(outcome).toEqual({
      status: "no-data",
      summary: "The base image of this image is not known, so it cannot be checked for updates. No base image found: the image has no provenance.",
      evidence: [{ label: "Base image", value: "unknown: No base image found: the image has no provenance." }],
      remediation: unknownBaseRemediation,
    });
  });

  test.each<[string, BaseImageFact, string, RegExp | null]>([
    [
      "a base known by digest only",
      base(undefined, { reference: null }),
      "Only the digest of the base image is known, not the tag it was built from, so it cannot be checked for updates.",
      /org\.opencontainers\.image\.base\.name/,
    ],
    [
      "an invalid reference",
      base(undefined, { reference: "Debian:12" }),
      'The base image reference "Debian:12" is not a valid image reference (the repository path component "Debian" has uppercase letters, which repository paths never have; write it in lowercase), so its tag cannot be checked for updates.',
      /--provenance=mode=max/,
    ],
    [
      "a reference by digest without a tag",
      base({ status: "resolved", digest: newer, resolvedAt }, { reference: `debian@${builtOn}` }),
      `The base image docker.io/library/debian@${builtOn} is named by digest alone, so there is no tag to check for a newer digest.`,
      /FROM debian:12-slim@sha256:/,
    ],
    [
      "no digest to compare",
      base({ status: "resolved", digest: newer, resolvedAt }, { digest: null }),
      "The digest that the image was built on is not known, so it cannot be compared with the current digest of docker.io/library/debian:12-slim.",
      /org\.opencontainers\.image\.base\.digest/,
    ],
    [
      "a tag not looked up",
      base(undefined),
      "The current digest of docker.io/library/debian:12-slim has not been looked up yet, so the base image cannot be checked for updates.",
      null,
    ],
    [
      "a tag that could not be resolved",
      base({ status: "unknown", reason: "the registry returned 401 Unauthorized" }),
      "The current digest of docker.io/library/debian:12-slim is not known, so the base image cannot be checked for updates. The registry returned 401 Unauthorized.",
      null,
    ],
  ])("has no data for %s", (_case, baseImage, summary, remediation) => {
    const outcome = evaluate(baseImage);
    expect(outcome.status).toBe("no-data");
    expect(outcome.summary).toBe(summary);
    if (remediation === null) expect(outcome.remediation).toBeNull();
    else expect(outcome.remediation).toMatch(remediation);
  });

  it("shows why the tag could not be resolved", () => {
    const outcome = evaluate(base({ status: "unknown", reason: "the registry returned 401 Unauthorized" }));
    expect(outcome.evidence).toContainEqual({ label: "Tag now at", value: "unknown: the registry returned 401 Unauthorized" });
  });
});
