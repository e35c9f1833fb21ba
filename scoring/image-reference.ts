/**
 * Image references and the patterns that approve base images.
 *
 * References are read the way the Docker CLI reads them: `node:20-slim` is
 * `docker.io/library/node:20-slim`, `bitnami/redis:7` is `docker.io/bitnami/redis:7`, and
 * a first path component that contains "." or ":", or is `localhost`, is a registry host.
 * The grammar of each part is that of the distribution project's reference package
 * (github.com/distribution/reference, `reference.go` and `normalize.go`), and digests
 * follow the OCI image spec (`descriptor.md`, "Digests").
 *
 * Pattern grammar. A pattern is written like a reference, and every character is literal
 * except `*`. A `*` matches a run of zero or more characters, "/" and ":" included, that
 * ends at the first occurrence of the literal character that follows the `*` in the
 * pattern. A `*` at the end of a part matches the rest of that part. Matching never
 * backtracks, so `node:*-slim` matches the tag `20-slim` but not `20-bookworm-slim`: the `*`
 * stops at the first "-" and "-slim" then fails on "-bookworm-slim". Write `node:*-*-slim`
 * for that tag.
 *
 * A pattern is split into name, tag and digest like a reference. Each part it gives must
 * match the same part of the reference, and a part it leaves out matches anything, so
 * `registry.example.com/base/debian` matches every tag and digest of that repository.
 * Unlike a reference, a pattern without a tag does not mean `latest`. The name is matched
 * as one string, `registry/repository`, so a `*` in it can span "/".
 *
 * Patterns are normalised like references (`node:*-slim` is `docker.io/library/node:*-slim`),
 * except that a pattern starting with `*` is kept as written, because the `*` may stand
 * for any registry (`*`, `*.example.com/base/*`). For the same reason `docker.io/*` does
 * not get the `library/` that `docker.io/node` gets.
 */

export const dockerHubRegistry = "docker.io";

/** Other host names of Docker Hub, read as docker.io. */
const dockerHubAliases: ReadonlySet<string> = new Set(["index.docker.io", "registry-1.docker.io"]);

/** The tag a reference names when it gives neither a tag nor a digest. */
const defaultTag = "latest";

/** The distribution project's limit on the repository path, the name without registry, tag or digest. */
const maxRepositoryPathLength = 255;

const pathComponentRule = 'must be lowercase letters and digits separated by ".", "_", "__" or "-", starting and ending with a letter or digit';
const pathComponentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const hostNamePattern = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*$/;
const ipv6HostPattern = /^\[[a-fA-F0-9:]+\]$/;
const portPattern = /^[0-9]{1,5}$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
/** OCI image-spec digest grammar: `algorithm:encoded`. */
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Lengths of the lowercase hex encodings of the digest algorithms the OCI image spec registers. */
const registeredDigestLengths: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/**
 * The stand-in for `*` when a pattern is checked against the reference grammar. A digit
 * is valid at any position of every part, so a pattern is valid when the reference it
 * gives with each `*` replaced by "0" is.
 */
const wildcardStandIn = "0";

/** A parsed, normalised image reference. */
export interface ImageReference {
  /** Registry host in lowercase, with its port when given: "docker.io", "registry.example.com:5000". */
  registry: string;
  /** Repository path: "library/node", "base/debian". */
  repository: string;
  /** "latest" when the reference gives neither a tag nor a digest; null for a reference by digest alone. */
  tag: string | null;
  /** "sha256:…"; null when the reference gives none. */
  digest: string | null;
}

/** A parsed, normalised base-image pattern. */
export interface ImagePattern {
  /** The pattern as written. */
  pattern: string;
  /** The normalised pattern: "docker.io/library/node:*-slim". */
  normalized: string;
  /** Pattern on `registry/repository`. */
  name: string;
  /** Pattern on the tag; null matches any tag and a reference without one. */
  tag: string | null;
  /** Pattern on the digest; null matches any digest and a reference without one. */
  digest: string | null;
}

/** The error thrown for a reference or a pattern that breaks the grammar. Its `problem` names the rule. */
export class ImageReferenceError extends Error {
  readonly input: string;
  readonly problem: string;

  constructor(kind: "image reference" | "image pattern", input: string, problem: string) {
    super(`Invalid ${kind} ${JSON.stringify(input)}: ${problem}.`);
    this.name = "ImageReferenceError";
    this.input = input;
    this.problem = problem;
  }
}

/** The parts of a reference or pattern, or the rule it breaks. */
type SplitResult = { name: string; tag: string | null; digest: string | null } | { problem: string };

/**
 * Parses and normalises an image reference. A reference with neither a tag nor a
 * digest gets the tag "latest"; one with a digest alone keeps a null tag.
 * Throws ImageReferenceError naming the rule the reference breaks.
 */
export function parseImageReference(text: string): ImageReference {
  const split = splitReference(text, false);
  if ("problem" in split) throw new ImageReferenceError("image reference", text, split.problem);

  const slash = split.name.indexOf("/");
  const registry = split.name.slice(0, slash);
  const repository = split.name.slice(slash + 1);
  const tag = split.tag === null && split.digest === null ? defaultTag : split.tag;
  return { registry, repository, tag, digest: split.digest };
}

/** Writes a reference as `registry/repository[:tag][@digest]`. */
export function formatImageReference(reference: ImageReference): string {
  return joinParts(`${reference.registry}/${reference.repository}`, reference.tag, reference.digest);
}

/** Returns the normalised form of a reference: "node:20-slim" becomes "docker.io/library/node:20-slim". Throws as parseImageReference does. */
export function normalizeImageReference(text: string): string {
  return formatImageReference(parseImageReference(text));
}

/** Parses and normalises a base-image pattern. Throws ImageReferenceError naming the rule the pattern breaks. */
export function parseImagePattern(pattern: string): ImagePattern {
  const split = splitReference(pattern, true);
  if ("problem" in split) throw new ImageReferenceError("image pattern", pattern, split.problem);
  return { pattern, normalized: joinParts(split.name, split.tag, split.digest), ...split };
}

/** Returns the rule a base-image pattern breaks, for a validation message, or null when it is valid. */
export function imagePatternProblem(pattern: string): string | null {
  const split = splitReference(pattern, true);
  return "problem" in split ? split.problem : null;
}

/** Returns whether a parsed reference matches a parsed pattern: every part the pattern gives must match. */
export function matchesImagePattern(pattern: ImagePattern, reference: ImageReference): boolean {
  if (!matchesWildcard(pattern.name, `${reference.registry}/${reference.repository}`)) return false;
  if (pattern.tag !== null && (reference.tag === null || !matchesWildcard(pattern.tag, reference.tag))) return false;
  if (pattern.digest !== null && (reference.digest === null || !matchesWildcard(pattern.digest, reference.digest))) return false;
  return true;
}

/**
 * Returns whether `text` matches `glob`, in which only `*` is special. A `*` matches
 * the characters up to the first occurrence of the literal character after it in the
 * glob, or every remaining character when it ends the glob. There is no backtracking.
 */
export function matchesWildcard(glob: string, text: string): boolean {
  let position = 0;
  for (let index = 0; index < glob.length; index++) {
    const character = glob.charAt(index);
    if (character !== "*") {
      if (text.charAt(position) !== character) return false;
      position++;
      continue;
    }
    if (index === glob.length - 1) return true;
    // Move to the first occurrence of the next literal; the loop then matches it.
    const next = text.indexOf(glob.charAt(index + 1), position);
    if (next === -1) return false;
    position = next;
  }
  return position === text.length;
}

function joinParts(name: string, tag: string | null, digest: string | null): string {
  let text = name;
  if (tag !== null) text += `:${tag}`;
  if (digest !== null) text += `@${digest}`;
  return text;
}

/**
 * Splits a reference or pattern into its normalised name, tag and digest, checking each
 * against the grammar. With wildcards, `*` is allowed anywhere and "**" is rejected.
 */
function splitReference(input: string, wildcards: boolean): SplitResult {
  if (input.length === 0) {
    return { problem: wildcards ? 'it is empty; write "*" to approve every image' : "it is empty" };
  }
  if (/\s/.test(input)) return { problem: "it contains whitespace" };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(input);
  if (scheme !== null) {
    return { problem: `it starts with the URL scheme "${scheme[0]}"; image references name the registry host without one, such as "${input.slice(scheme[0].length)}"` };
  }
  if (!wildcards && input.includes("*")) return { problem: 'it contains "*", which only patterns may contain' };
  if (wildcards && input.includes("**")) {
    return { problem: 'it contains "**", which the pattern grammar does not have; a single "*" already matches any run of characters, "/" included' };
  }

  const [nameAndTag = "", digestText, extra] = input.split("@");
  if (extra !== undefined) return { problem: 'it contains more than one "@"' };
  if (nameAndTag.length === 0) return { problem: "it has no repository name" };

  let digest: string | null = null;
  if (digestText !== undefined) {
    const problem = digestProblem(digestText, wildcards);
    if (problem !== null) return { problem };
    digest = digestText;
  }

  // A ":" after the last "/" starts the tag; one before it is a registry port.
  let name = nameAndTag;
  let tag: string | null = null;
  const tagSeparator = nameAndTag.lastIndexOf(":");
  if (tagSeparator > nameAndTag.lastIndexOf("/")) {
    name = nameAndTag.slice(0, tagSeparator);
    tag = nameAndTag.slice(tagSeparator + 1);
    if (!tagPattern.test(standIn(tag, wildcards))) {
      return { problem: `the tag ${JSON.stringify(tag)} must be 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"` };
    }
  }
  if (name.length === 0) return { problem: "it has no repository name" };

  const normalizedName = wildcards && name.startsWith("*") ? checkWildcardName(name) : normalizeName(name, wildcards);
  if (typeof normalizedName !== "string") return normalizedName;
  return { name: normalizedName, tag, digest };
}

/** Returns `registry/repository` with Docker Hub's defaults filled in, or the rule the name breaks. */
function normalizeName(name: string, wildcards: boolean): string | { problem: string } {
  const slash = name.indexOf("/");
  const first = slash === -1 ? name : name.slice(0, slash);
  // NOTE: the Docker CLI also reads a first component with uppercase letters as a host.
  // Here it is a repository path, so that "Bitnami/redis" is rejected rather than read as the host "bitnami".
  const isHost = slash !== -1 && (first.includes(".") || first.includes(":") || first === "localhost");

  let registry = dockerHubRegistry;
  let repository = name;
  if (isHost) {
    const hostProblem = hostProblemOf(first, wildcards);
    if (hostProblem !== null) return { problem: hostProblem };
    registry = first.toLowerCase();
    repository = name.slice(slash + 1);
    if (dockerHubAliases.has(registry)) registry = dockerHubRegistry;
  }

  const pathProblem = repositoryProblemOf(repository, wildcards);
  if (pathProblem !== null) return { problem: pathProblem };

  // Docker Hub keeps its official images under "library/". A leading "*" may already span that "/".
  if (registry === dockerHubRegistry && !repository.includes("/") && !(wildcards && repository.startsWith("*"))) {
    repository = `library/${repository}`;
  }

  if (!wildcards && repository.length > maxRepositoryPathLength) return { problem: `the repository path is longer than ${maxRepositoryPathLength} characters` };
  return `${registry}/${repository}`;
}

/** Checks a pattern name that starts with `*`, which is kept as written; returns it, or the rule it breaks. */
function checkWildcardName(name: string): string | { problem: string } {
  const slash = name.indexOf("/");
  if (slash === -1) {
    const problem = repositoryProblemOf(name, true);
    return problem === null ? name : { problem };
  }
  const first = name.slice(0, slash);
  // The first component may stand for a host ("*.example.com") or for the start of a path.
  if (hostProblemOf(first, true) !== null && repositoryProblemOf(first, true) !== null) {
    return { problem: `the first component ${JSON.stringify(first)} is neither a valid host name nor a valid path component` };
  }
  const pathProblem = repositoryProblemOf(name.slice(slash + 1), true);
  return pathProblem === null ? name.toLowerCase() : { problem: pathProblem };
}

function repositoryProblemOf(repository: string, wildcards: boolean): string | null {
  if (repository.length === 0) return "the repository path is empty";
  for (const component of repository.split("/")) {
    if (component.length === 0) return 'the repository path has an empty component (a leading, trailing or doubled "/")';
    if (component !== component.toLowerCase()) {
      const consequence = wildcards ? ", so the pattern can never match" : "";
      return `the repository path component ${JSON.stringify(component)} has uppercase letters, which repository paths never have${consequence}; write it in lowercase`;
    }
    if (!pathComponentPattern.test(standIn(component, wildcards))) return `the repository path component ${JSON.stringify(component)} ${pathComponentRule}`;
  }
  return null;
}

function hostProblemOf(host: string, wildcards: boolean): string | null {
  const checked = standIn(host, wildcards);
  let hostName = checked;
  const portSeparator = checked.lastIndexOf(":");
  if (portSeparator !== -1 && portSeparator > checked.lastIndexOf("]")) {
    hostName = checked.slice(0, portSeparator);
    const port = checked.slice(portSeparator + 1);
    if (!portPattern.test(port) || Number(port) > 65535) return `the registry ${JSON.stringify(host)} has an invalid port; a port is a number from 0 to 65535`;
  }
  if (!hostNamePattern.test(hostName) && !ipv6HostPattern.test(hostName)) {
    return `the registry ${JSON.stringify(host)} is not a valid host name`;
  }
  return null;
}

/**
 * Returns the rule a digest breaks, or null. A reference's sha256 and sha512 digests must
 * have their exact length of lowercase hex. A pattern's digest is checked only for its
 * characters, because a `*` stands for an unknown number of them.
 */
function digestProblem(digest: string, wildcards: boolean): string | null {
  const rule = 'must be "algorithm:encoded", such as "sha256:" and 64 lowercase hex digits';
  if (!digestPattern.test(standIn(digest, wildcards))) return `the digest ${JSON.stringify(digest)} ${rule}`;
  if (wildcards && digest.includes("*")) return null;
  const [algorithm = "", encoded = ""] = digest.split(":");
  const length = registeredDigestLengths[algorithm];
  if (length !== undefined && (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded))) {
    return `the digest ${JSON.stringify(digest)} must have exactly ${length} lowercase hex digits after "${algorithm}:"`;
  }
  return null;
}

function standIn(text: string, wildcards: boolean): string {
  return wildcards ? text.replaceAll("*", wildcardStandIn) : text;
}
