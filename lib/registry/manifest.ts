import { z } from "zod";

import { AppError } from "@/lib/errors";

/** Media types of the OCI image spec v1.1 and of Docker's image manifest v2, schema 2. */
export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  ociLayerZstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  ociEmpty: "application/vnd.oci.empty.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerSchema1: "application/vnd.docker.distribution.manifest.v1+json",
  dockerSchema1Signed: "application/vnd.docker.distribution.manifest.v1+prettyjws",
  inToto: "application/vnd.in-toto+json",
} as const;

const IMAGE_MANIFEST_TYPES: readonly string[] = [MediaType.ociManifest, MediaType.dockerManifest];
const INDEX_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerManifestList];
const SCHEMA1_TYPES: readonly string[] = [MediaType.dockerSchema1, MediaType.dockerSchema1Signed];

/** The manifest media types the client accepts, in order of preference, for the `Accept` header. */
export const MANIFEST_ACCEPT_TYPES: readonly string[] = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
];

/** Digest grammar of the OCI image spec ("Digests"), any algorithm. */
const DIGEST_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const annotationsSchema = z.record(z.string(), z.string());

export const platformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  "os.version": z.string().optional(),
  "os.features": z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});

export const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: z.string().regex(DIGEST_PATTERN, "must be <algorithm>:<encoded>"),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: annotationsSchema.optional(),
  data: z.string().optional(),
  artifactType: z.string().optional(),
  platform: platformSchema.optional(),
});

export const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

export const imageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

/**
 * The fields of an image config that analysis uses. Docker writes `null` for
 * empty lists and maps, so those fields accept null. Unknown fields are kept.
 */
export const imageConfigSchema = z.looseObject({
  created: z.string().optional(),
  author: z.string().optional(),
  architecture: z.string(),
  os: z.string(),
  "os.version": z.string().optional(),
  variant: z.string().optional(),
  config: z
    .looseObject({
      User: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullable().optional(),
      Env: z.array(z.string()).nullable().optional(),
      Entrypoint: z.array(z.string()).nullable().optional(),
      Cmd: z.array(z.string()).nullable().optional(),
      WorkingDir: z.string().optional(),
    })
    .nullable()
    .optional(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string()) }).optional(),
  history: z
    .array(
      z.object({
        created: z.string().optional(),
        created_by: z.string().optional(),
        author: z.string().optional(),
        comment: z.string().optional(),
        empty_layer: z.boolean().optional(),
      }),
    )
    .optional(),
});

export type Descriptor = z.infer<typeof descriptorSchema>;
export type Platform = z.infer<typeof platformSchema>;
export type ImageManifest = z.infer<typeof imageManifestSchema>;
export type ImageIndex = z.infer<typeof imageIndexSchema>;
export type ImageConfig = z.infer<typeof imageConfigSchema>;

/** A manifest parsed by `parseManifest`, with `mediaType` always set. */
export type ParsedManifest =
  | ({ kind: "manifest"; mediaType: string } & Omit<ImageManifest, "mediaType">)
  | ({ kind: "index"; mediaType: string } & Omit<ImageIndex, "mediaType">);

/** The manifest being parsed, named in error messages. */
export interface ManifestLocation {
  repository: string;
  digest: string;
}

/**
 * Parses manifest bytes into an image manifest or an index.
 * The kind comes from the manifest's own `mediaType`, else from the response's
 * `Content-Type`. OCI allows `mediaType` to be omitted, so without either the
 * shape decides: `manifests` makes an index, `config` and `layers` a manifest.
 * Raises AppError MALFORMED_MANIFEST naming the repository and digest when the
 * bytes are not JSON, are a Docker schema 1 manifest, have an unknown media
 * type, or do not match the schema.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | null, where: ManifestLocation): ParsedManifest {
  const document = parseJsonObject(bytes, where, "manifest");
  const headerType = normalizeMediaType(contentType);
  const bodyType = typeof document.mediaType === "string" ? document.mediaType : null;

  if (
    document.schemaVersion === 1 ||
    SCHEMA1_TYPES.includes(headerType ?? "") ||
    SCHEMA1_TYPES.includes(bodyType ?? "")
  ) {
    throw malformed(where, "it is a Docker schema 1 manifest, which is deprecated and not supported", {
      nextStep: "push the image again with a current Docker, buildx, skopeo or crane, which write schema 2 or OCI manifests",
    });
  }

  const headerIsManifestType = headerType !== null && isManifestType(headerType);
  if (bodyType !== null && headerIsManifestType && bodyType !== headerType) {
    throw malformed(where, `its mediaType "${bodyType}" does not match the Content-Type "${headerType}" of the response`);
  }

  const mediaType = bodyType ?? (headerIsManifestType ? headerType : inferMediaType(document));
  if (mediaType === null) {
    throw malformed(where, `it has no mediaType and neither "manifests" nor "config" and "layers"`);
  }

  if (INDEX_TYPES.includes(mediaType)) {
    const index = validate(imageIndexSchema, document, where);
    return { ...index, kind: "index", mediaType };
  }
  if (IMAGE_MANIFEST_TYPES.includes(mediaType)) {
    const manifest = validate(imageManifestSchema, document, where);
    return { ...manifest, kind: "manifest", mediaType };
  }
  throw malformed(where, `its media type "${mediaType}" is not one of ${MANIFEST_ACCEPT_TYPES.join(", ")}`);
}

/**
 * Parses an image config blob (OCI or Docker).
 * Raises AppError MALFORMED_MANIFEST naming the repository and config digest.
 */
export function parseImageConfig(bytes: Uint8Array, where: ManifestLocation): ImageConfig {
  const document = parseJsonObject(bytes, where, "image config");
  const result = imageConfigSchema.safeParse(document);
  if (!result.success) {
    throw malformed(where, describeIssues(result.error), { documentKind: "image config" });
  }
  return result.data;
}

/** Returns the media type without parameters, in lowercase, or null when absent. */
export function normalizeMediaType(contentType: string | null): string | null {
  if (contentType === null) return null;
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return mediaType.length === 0 ? null : mediaType;
}

function isManifestType(mediaType: string): boolean {
  return INDEX_TYPES.includes(mediaType) || IMAGE_MANIFEST_TYPES.includes(mediaType);
}

function inferMediaType(document: Record<string, unknown>): string | null {
  if (Array.isArray(document.manifests)) return MediaType.ociIndex;
  if (typeof document.config === "object" && Array.isArray(document.layers)) return MediaType.ociManifest;
  return null;
}

function parseJsonObject(bytes: Uint8Array, where: ManifestLocation, documentKind: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw malformed(where, `it is not valid UTF-8 JSON (${(error as Error).message})`, { documentKind });
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw malformed(where, "it is not a JSON object", { documentKind });
  }
  return document as Record<string, unknown>;
}

function validate<T>(schema: z.ZodType<T>, document: unknown, where: ManifestLocation): T {
  const result = schema.safeParse(document);
  if (!result.success) {
    throw malformed(where, describeIssues(result.error));
  }
  return result.data;
}

/** Lists the first few schema violations as `path: message`. */
function describeIssues(error: z.ZodError): string {
  const listed = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? "(root)" : issue.path.join(".");
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > listed.length ? ` and ${error.issues.length - listed.length} more` : "";
  return `${listed.join("; ")}${more}`;
}

function malformed(
  where: ManifestLocation,
  reason: string,
  { documentKind = "manifest", nextStep = "push the image again, or check the registry if it altered the content" } = {},
): AppError {
  return new AppError(
    "MALFORMED_MANIFEST",
    `Invalid ${documentKind} ${where.repository}@${where.digest}: ${reason}. To fix this, ${nextStep}.`,
    { details: { repository: where.repository, digest: where.digest } },
  );
}
