import { describe, expect, test } from "vitest";
import { parseImageInput } from "@/lib/cli/image-input";

describe("parseImageInput", () => {
  test.each([
    ["oci:./layout:1.0", { kind: "oci", path: "./layout", tag: "1.0" }],
    ["oci:/tmp/layout", { kind: "oci", path: "/tmp/layout", tag: null }],
    ["oci:/tmp/layout:acme/api:1.0", { kind: "oci", path: "/tmp/layout", tag: "acme/api:1.0" }],
    ["docker-archive:image.tar", { kind: "docker-archive", path: "image.tar" }],
  ])("local form %s", (text, expected) => {
    expect(parseImageInput(text)).toMatchObject(expected);
  });

  test.each([
    ["127.0.0.1:5000/acme/api:1.2", { registry: "127.0.0.1:5000", repository: "acme/api", tag: "1.2" }],
    ["alpine:3.20", { registry: "docker.io", repository: "library/alpine", tag: "3.20" }],
    ["node", { registry: "docker.io", repository: "library/node", tag: "latest" }],
  ])("registry reference %s", (text, expected) => {
    const input = parseImageInput(text);
    expect(input.kind).toBe("registry");
    if (input.kind === "registry") expect(input.reference).toMatchObject(expected);
  });

  test.each([
    ["foo:/tmp/layout", /transport "foo:" of "foo:\/tmp\/layout" is unknown.*oci:DIR/],
    ["oci-archive:image.tar", /"oci-archive:" .* not supported.*skopeo copy oci-archive:FILE oci:DIR:TAG/],
    ["docker://alpine:3.20", /"docker:" .* not supported.*without the docker:\/\/ prefix/],
    ["oci:", /names no folder/],
    ["oci:/tmp/layout:", /names no tag/],
    ["docker-archive:", /names no file/],
    ["Bad Name", /"Bad Name" is not an image/],
  ])("rejects %s", (text, message) => {
    expect(() => parseImageInput(text)).toThrow(message);
  });

  test("rejects a local file or folder written as a reference", () => {
    // Both also parse as Docker Hub references, so without the check they would be looked up there.
    expect(() => parseImageInput("package.json")).toThrow('"package.json" is a local file, not an image reference. Write docker-archive:package.json to score it.');
    expect(() => parseImageInput("prisma")).toThrow('"prisma" is a local folder, not an image reference. Write oci:prisma to score it.');
  });
});
