import { AppError } from "@/lib/errors";

/**
 * Image references, digests and repository names, checked against the grammar
 * of the distribution project's `reference` package before any request is sent.
 */

export const DOCKER_HUB_REGISTRY = "docker.io";
export const DEFAULT_TAG = "latest";

/** Distribution's limit on `host/path`, the full name without tag or digest. */
const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_NAME = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]{1,5}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export type DigestAlgorithm = "sha256" | "sha512";

/** Hex length of each supported digest algorithm (OCI image spec, "Digests"). */
const DIGEST_HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  /** Lowercase hex encoding of the hash. */
  encoded: string;
  /** The digest as written: `<algorithm>:<encoded>`. */
  value: string;
}

export interface ImageReference {
  /** Registry host, with port when given; Docker Hub is `docker.io`. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  repository: string;
  /** Tag, `latest` when neither a tag nor a digest was given; null for a digest-only reference. */
  tag: string | null;
  digest: string | null;
}

export type ManifestReference = { kind: "tag"; tag: string } | { kind: "digest"; digest: ParsedDigest };

/**
 * Parses a digest such as `sha256:<64 hex>`. Only sha256 and sha512 with
 * lowercase hex are accepted, because the client must be able to verify every
 * digest it is given. Raises AppError INVALID_INPUT otherwise.
 */
export function parseDigest(value: string): ParsedDigest {
  const result = checkDigest(value);
  if (typeof result === "string") {
    throw new AppError("INVALID_INPUT", `Invalid digest "${value}": ${result}.`, { details: { digest: value } });
  }
  return result;
}

/** Raises AppError INVALID_INPUT unless `tag` matches the tag grammar `[\w][\w.-]{0,127}`. */
export function validateTag(tag: string): void {
  if (!TAG.test(tag)) {
    throw new AppError(
      "INVALID_INPUT",
      `Invalid tag "${tag}": a tag is 1 to 128 characters of letters, digits, "_", "." and "-", and must not start with "." or "-".`,
      { details: { tag } },
    );
  }
}

/**
 * Raises AppError INVALID_INPUT unless `repository` is a valid repository path
 * such as `acme/api`: lowercase components of `[a-z0-9]` joined by ".", "_",
 * "__" or dashes, separated by "/".
 */
export function validateRepositoryName(repository: string): void {
  const rule = repositoryRuleBroken(repository);
  if (rule !== null) {
    throw new AppError("INVALID_INPUT", `Invalid repository name "${repository}": ${rule}.`, {
      details: { repository },
    });
  }
}

/** Parses the reference part of a manifest request: a digest when it contains ":", a tag otherwise. */
export function parseManifestReference(reference: string): ManifestReference {
  if (reference.includes(":")) {
    return { kind: "digest", digest: parseDigest(reference) };
  }
  validateTag(reference);
  return { kind: "tag", tag: reference };
}

/**
 * Parses an image reference the way the Docker CLI does:
 * `alpine` is `docker.io/library/alpine:latest`, `user/app` is
 * `docker.io/user/app:latest`, and a first component containing "." or ":",
 * or equal to `localhost`, is a registry host (`localhost:5000/acme/api:1.0`).
 * A digest may follow the tag (`name:tag@sha256:…`).
 * Raises AppError INVALID_INPUT naming the input and the rule it breaks.
 */
export function parseReference(input: string): ImageReference {
  if (input.length === 0) {
    throw invalidReference(input, "the reference is empty");
  }
  if (/\s/.test(input)) {
    throw invalidReference(input, "it contains whitespace");
  }

  const [nameAndTag, digestText, extra] = input.split("@");
  if (extra !== undefined) {
    throw invalidReference(input, 'it contains more than one "@"');
  }
  if (nameAndTag === undefined || nameAndTag.length === 0) {
    throw invalidReference(input, "the repository name is missing");
  }

  let digest: string | null = null;
  if (digestText !== undefined) {
    const result = checkDigest(digestText);
    if (typeof result === "string") {
      throw invalidReference(input, `digest "${digestText}": ${result}`);
    }
    digest = result.value;
  }

  // A ":" after the last "/" starts the tag; one before it belongs to a host's port.
  let name = nameAndTag;
  let tag: string | null = null;
  const tagSeparator = nameAndTag.lastIndexOf(":");
  if (tagSeparator > nameAndTag.lastIndexOf("/")) {
    name = nameAndTag.slice(0, tagSeparator);
    tag = nameAndTag.slice(tagSeparator + 1);
    if (!TAG.test(tag)) {
      throw invalidReference(
        input,
        `tag "${tag}" must be 1 to 128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"`,
      );
    }
  }

  const { registry, repository } = splitRegistry(input, name);

  if (tag === null && digest === null) {
    tag = DEFAULT_TAG;
  }
  return { registry, repository, tag, digest };
}

/** Formats a reference as `registry/repository[:tag][@digest]`. */
export function formatReference(reference: ImageReference): string {
  let text = `${reference.registry}/${reference.repository}`;
  if (reference.tag !== null) text += `:${reference.tag}`;
  if (reference.digest !== null) text += `@${reference.digest}`;
  return text;
}

/** Returns the organization of a repository: its first path component (`acme` for `acme/api`). */
export function repositoryOrg(repository: string): string {
  const slash = repository.indexOf("/");
  return slash === -1 ? repository : repository.slice(0, slash);
}

function splitRegistry(input: string, name: string): { registry: string; repository: string } {
  const slash = name.indexOf("/");
  const first = slash === -1 ? name : name.slice(0, slash);
  const isHost = slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost");

  let registry = DOCKER_HUB_REGISTRY;
  let repository = name;
  if (isHost) {
    registry = first;
    repository = name.slice(slash + 1);
    const hostRule = hostRuleBroken(registry);
    if (hostRule !== null) {
      throw invalidReference(input, hostRule);
    }
    // index.docker.io is the legacy name of Docker Hub; both name the same images.
    if (registry === "index.docker.io") {
      registry = DOCKER_HUB_REGISTRY;
    }
  }

  const pathRule = repositoryRuleBroken(repository);
  if (pathRule !== null) {
    throw invalidReference(input, pathRule);
  }

  // Docker Hub keeps official images under "library/".
  if (registry === DOCKER_HUB_REGISTRY && !repository.includes("/")) {
    repository = `library/${repository}`;
  }

  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw invalidReference(input, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return { registry, repository };
}

/** Returns the rule that `repository` breaks, or null when it is valid. */
function repositoryRuleBroken(repository: string): string | null {
  if (repository.length === 0) {
    return "the repository name is empty";
  }
  if (repository.length > MAX_NAME_LENGTH) {
    return `the repository name is longer than ${MAX_NAME_LENGTH} characters`;
  }

  for (const component of repository.split("/")) {
    if (component.length === 0) {
      return 'it has an empty path component (a leading, trailing or doubled "/")';
    }
    if (component !== component.toLowerCase()) {
      return `path component "${component}" must be lowercase`;
    }
    if (!PATH_COMPONENT.test(component)) {
      return `path component "${component}" must be lowercase letters and digits, separated by ".", "_", "__" or dashes, and must start and end with a letter or digit`;
    }
  }
  return null;
}

function hostRuleBroken(host: string): string | null {
  let hostname = host;
  const portSeparator = host.lastIndexOf(":");
  if (portSeparator !== -1 && portSeparator > host.lastIndexOf("]")) {
    hostname = host.slice(0, portSeparator);
    const port = host.slice(portSeparator + 1);
    if (!PORT.test(port) || Number(port) > 65535) {
      return `registry host "${host}" has an invalid port "${port}"`;
    }
  }
  if (!HOST_NAME.test(hostname) && !IPV6_HOST.test(hostname)) {
    return `registry host "${host}" is not a valid host name`;
  }
  return null;
}

/** Returns the parsed digest, or the rule that `value` breaks. */
function checkDigest(value: string): ParsedDigest | string {
  const separator = value.indexOf(":");
  if (separator <= 0) {
    return "expected <algorithm>:<hex>, for example sha256:<64 hex digits>";
  }

  const algorithm = value.slice(0, separator);
  const encoded = value.slice(separator + 1);
  if (algorithm !== "sha256" && algorithm !== "sha512") {
    return `algorithm "${algorithm}" is not supported; use sha256 or sha512`;
  }

  const length = DIGEST_HEX_LENGTH[algorithm];
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) {
    return `${algorithm} digests have exactly ${length} lowercase hex digits`;
  }
  return { algorithm, encoded, value };
}

function invalidReference(input: string, rule: string): AppError {
  const reason = rule.endsWith(".") ? rule : `${rule}.`;
  return new AppError("INVALID_INPUT", `Invalid image reference "${input}": ${reason}`, {
    details: { reference: input },
  });
}
