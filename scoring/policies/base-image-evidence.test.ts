import { describe, expect, test } from "vitest";
import { asSentence, readBaseReference } from "./base-image-evidence";

const digest = `sha256:${"b".repeat(64)}`;
const other = `sha256:${"c".repeat(64)}`;

describe("readBaseReference", () => {
  test.each([
    ["debian:12-slim", digest, { kind: "parsed", normalized: "docker.io/library/debian:12-slim", digest }],
    ["debian:12-slim", null, { kind: "parsed", normalized: "docker.io/library/debian:12-slim", digest: null }],
    [`debian:12-slim@${other}`, null, { kind: "parsed", normalized: `docker.io/library/debian:12-slim@${other}`, digest: other }],
    [`debian:12-slim@${other}`, digest, { kind: "parsed", normalized: `docker.io/library/debian:12-slim@${other}`, digest }],
    [null, digest, { kind: "unnamed" }],
    ["debian:12 slim", digest, { kind: "invalid", problem: "it contains whitespace" }],
  ] as const)("reads %j with digest %j", (reference, baseDigest, expected) => {
    const read = readBaseReference({ source: "label", reference, digest: baseDigest });
    expect(read.kind).toBe(expected.kind);
    if (read.kind === "parsed" && expected.kind === "parsed") {
      expect(read.normalized).toBe(expected.normalized);
      expect(read.reference.digest).toBe(expected.digest);
    }
    if (read.kind === "invalid" && expected.kind === "invalid") expect(read.problem).toBe(expected.problem);
  });
});

describe("asSentence", () => {
  test.each([
    ["no source named a base image", "No source named a base image."],
    ["No base image found: no provenance.", "No base image found: no provenance."],
    ["  the registry timed out  ", "The registry timed out."],
    ["is it reachable?", "Is it reachable?"],
    ["docker.io/library/debian:12-slim is not in a synced repository", "docker.io/library/debian:12-slim is not in a synced repository."],
    ["ghcr.io is not in BASE_IMAGE_REGISTRIES.", "ghcr.io is not in BASE_IMAGE_REGISTRIES."],
    ["unknown: no provenance", "Unknown: no provenance."],
    ["", ""],
  ])("writes %j as %j", (text, sentence) => {
    expect(asSentence(text)).toBe(sentence);
  });
});
