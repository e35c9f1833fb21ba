import { statSync } from "node:fs";

import { AppError } from "@/lib/errors";
import { parseReference, type ImageReference } from "@/lib/registry/reference";

/** An image named on the command line: an OCI layout folder, a `docker save` tarball or a registry reference. */
export type ImageInput =
  | { kind: "oci"; text: string; path: string; tag: string | null }
  | { kind: "docker-archive"; text: string; path: string }
  | { kind: "registry"; text: string; reference: ImageReference };

const supportedForms = "oci:DIR[:TAG], docker-archive:FILE or a registry reference such as registry.example.com/acme/api:1.2";

/** Transports of skopeo and containers/image that Shipshape does not read, with what to do instead. */
const otherTransports: Record<string, string> = {
  "oci-archive": "Unpack it with `skopeo copy oci-archive:FILE oci:DIR:TAG` and score oci:DIR:TAG.",
  dir: "Copy it with `skopeo copy dir:DIR oci:LAYOUT:TAG` and score oci:LAYOUT:TAG.",
  docker: "Write the reference without the docker:// prefix.",
  "docker-daemon": "Save the image with `docker save IMAGE -o FILE` and score docker-archive:FILE.",
  "containers-storage": "Save the image with `podman save IMAGE -o FILE` and score docker-archive:FILE.",
};

/**
 * Parses the IMAGE argument of `shipshape score` and `compare`. `oci:` and
 * `docker-archive:` name local files. Anything else must be an image reference
 * that names no existing local path, and a Docker Hub short name (`alpine:3.20`) is normalised to
 * `docker.io/library/alpine:3.20`. Raises AppError INVALID_INPUT naming the input.
 */
export function parseImageInput(text: string): ImageInput {
  if (text.startsWith("oci:")) return parseOciInput(text);
  if (text.startsWith("docker-archive:")) {
    const path = text.slice("docker-archive:".length);
    if (path === "") throw new AppError("INVALID_INPUT", `"${text}" names no file. Write docker-archive:FILE, e.g. docker-archive:image.tar from \`docker save\`.`);
    return { kind: "docker-archive", text, path };
  }

  const prefix = /^([a-z][a-z0-9+.-]*):/.exec(text)?.[1];
  if (prefix !== undefined && prefix in otherTransports) {
    throw new AppError("INVALID_INPUT", `The transport "${prefix}:" of "${text}" is not supported. ${otherTransports[prefix]}`);
  }
  // A local path read as a reference would be looked up on Docker Hub (`image.tar` as docker.io/library/image.tar).
  const local = statSync(text, { throwIfNoEntry: false });
  if (local?.isDirectory() === true) throw new AppError("INVALID_INPUT", `"${text}" is a local folder, not an image reference. Write oci:${text} to score it.`);
  if (local !== undefined) throw new AppError("INVALID_INPUT", `"${text}" is a local file, not an image reference. Write docker-archive:${text} to score it.`);
  try {
    return { kind: "registry", text, reference: parseReference(text) };
  } catch (error) {
    // "foo:/some/path" is not a reference at all, so the prefix is most likely a misspelt transport.
    if (prefix !== undefined && !prefix.includes(".")) {
      throw new AppError("INVALID_INPUT", `The transport "${prefix}:" of "${text}" is unknown. Write ${supportedForms}.`, { cause: error });
    }
    const reason = error instanceof AppError ? error.message : String(error);
    throw new AppError("INVALID_INPUT", `"${text}" is not an image: ${reason} Write ${supportedForms}.`, { cause: error });
  }
}

/**
 * Splits `oci:DIR[:TAG]` at the first ":" after the prefix, as skopeo 1.9.3 does
 * (checked by hand), so `oci:./layout:acme/api:1.0` names `acme/api:1.0` in ./layout.
 */
function parseOciInput(text: string): ImageInput {
  const rest = text.slice("oci:".length);
  const separator = rest.indexOf(":");
  const path = separator === -1 ? rest : rest.slice(0, separator);
  const tag = separator === -1 ? null : rest.slice(separator + 1);
  if (tag === "") throw new AppError("INVALID_INPUT", `"${text}" ends with ":" but names no tag. Write oci:DIR:TAG, or oci:DIR when the layout contains one image.`);
  if (path === "") throw new AppError("INVALID_INPUT", `"${text}" names no folder. Write oci:DIR[:TAG], e.g. oci:./layout:latest from \`skopeo copy … oci:./layout:latest\`.`);
  return { kind: "oci", text, path, tag };
}
