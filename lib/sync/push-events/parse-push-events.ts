import { z } from "zod";
import { AppError } from "@/lib/errors";
import { MANIFEST_ACCEPT_TYPES } from "@/lib/registry/manifest";
import { validateRepositoryName } from "@/lib/registry/reference";
import { describeJsonSyntaxError } from "@/lib/security/hide-credentials";

/** A change to one repository that a push event reports. */
export interface RepositoryEvent {
  repository: string;
  action: "push" | "delete";
  tag: string | null;
  digest: string | null;
}

export interface ParsedDelivery {
  format: "distribution" | "dockerhub";
  events: RepositoryEvent[];
  /** Events that are not pushes or deletes of a manifest, such as pulls and blob uploads. */
  ignored: number;
}

/**
 * CNCF distribution's notification envelope (`application/vnd.docker.distribution.events.v1+json`):
 * the registry POSTs `{"events": [...]}` with one entry per request, including pulls and blob uploads.
 */
const distributionEnvelopeSchema = z.object({
  events: z.array(
    z.looseObject({
      action: z.string(),
      target: z.looseObject({
        mediaType: z.string().optional(),
        repository: z.string(),
        digest: z.string().optional(),
        tag: z.string().optional(),
      }),
    }),
  ),
});

/** Docker Hub's webhook payload, sent once per pushed tag. */
const dockerHubWebhookSchema = z.looseObject({
  push_data: z.looseObject({ tag: z.string().optional() }),
  repository: z.looseObject({ repo_name: z.string() }),
});

/** Manifest media types in notifications; a target of any other type is a blob. */
const manifestTypes = new Set<string>(MANIFEST_ACCEPT_TYPES);

/**
 * Parses a push event delivery: a CNCF distribution notification envelope or a
 * Docker Hub webhook. Raises INVALID_INPUT, naming what is wrong, for a body
 * that is neither, and for a repository name that is not valid.
 */
export function parsePushEvents(body: string): ParsedDelivery {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new AppError("INVALID_INPUT", `The push event body is not valid JSON: ${describeJsonSyntaxError(error)}. Send a distribution notification envelope or a Docker Hub webhook.`);
  }

  if (typeof document === "object" && document !== null && "events" in document) {
    return parseDistributionEnvelope(document);
  }
  if (typeof document === "object" && document !== null && "push_data" in document) {
    return parseDockerHubWebhook(document);
  }
  throw new AppError("INVALID_INPUT", 'The push event body has neither "events" (a distribution notification envelope) nor "push_data" (a Docker Hub webhook).');
}

function parseDistributionEnvelope(document: object): ParsedDelivery {
  const parsed = distributionEnvelopeSchema.safeParse(document);
  if (!parsed.success) {
    throw new AppError("INVALID_INPUT", `The distribution notification envelope is malformed: ${describeIssues(parsed.error)}.`);
  }

  const events: RepositoryEvent[] = [];
  let ignored = 0;
  for (const event of parsed.data.events) {
    const { target } = event;
    const isManifest = target.tag !== undefined || (target.mediaType !== undefined && manifestTypes.has(target.mediaType));
    const isChange = event.action === "push" || event.action === "delete";
    // A manifest delete names only the repository and digest, with no media type.
    const isManifestDelete = event.action === "delete" && target.mediaType === undefined;
    if (!isChange || !(isManifest || isManifestDelete)) {
      ignored += 1;
      continue;
    }
    validateRepositoryName(target.repository);
    events.push({ repository: target.repository, action: event.action as "push" | "delete", tag: target.tag ?? null, digest: target.digest ?? null });
  }
  return { format: "distribution", events, ignored };
}

function parseDockerHubWebhook(document: object): ParsedDelivery {
  const parsed = dockerHubWebhookSchema.safeParse(document);
  if (!parsed.success) {
    throw new AppError("INVALID_INPUT", `The Docker Hub webhook is malformed: ${describeIssues(parsed.error)}.`);
  }
  const repository = parsed.data.repository.repo_name;
  validateRepositoryName(repository);
  return { format: "dockerhub", events: [{ repository, action: "push", tag: parsed.data.push_data.tag ?? null, digest: null }], ignored: 0 };
}

/** Lists the first few schema problems with their JSON paths, e.g. `events.0.target.repository: expected string`. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "(body)"}: ${issue.message}`)
    .join("; ");
}
