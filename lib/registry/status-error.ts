import { redactUrl, RegistryError, type RegistryErrorEntry } from "@/lib/registry/registry-error";
import { readErrorBody } from "@/lib/registry/response-body";

/** Description of a failed request, so its error can name it. */
export interface RequestContext {
  /** The object requested, e.g. `manifest acme/api:1.0` or `the repository catalog`. */
  resource: string;
  /** Configured user, named in authentication errors; null for anonymous access. */
  username: string | null;
  /** Attempts made, including the first. */
  attempts: number;
  /** Message for a 404, which only the caller can phrase usefully. */
  notFoundMessage?: string;
  details?: Record<string, unknown>;
}

/**
 * Reads a non-2xx response's body (at most 64 KiB) and returns the matching
 * RegistryError: REGISTRY_AUTH_FAILED for 401 and 403, NOT_FOUND for 404 and
 * REGISTRY_ERROR otherwise, with the registry's `errors[]`.
 */
export async function statusError(response: Response, url: URL, context: RequestContext): Promise<RegistryError> {
  const body = await readErrorBody(response);
  const status = response.status;
  const shownUrl = redactUrl(url);
  const common = {
    url,
    registryStatus: status,
    registryErrors: body.errors,
    details: { ...context.details, status },
  };

  if (status === 401 || status === 403) {
    return authFailedError({ url, status, username: context.username, resource: context.resource, registryErrors: body.errors });
  }
  if (status === 404) {
    const message = context.notFoundMessage ?? `The registry at ${shownUrl} has no ${context.resource} (HTTP 404).`;
    return new RegistryError("NOT_FOUND", message, common);
  }
  if (status === 429) {
    return new RegistryError(
      "REGISTRY_ERROR",
      `The registry rate-limited the request for ${context.resource} at ${shownUrl} (HTTP 429) on all ${context.attempts} attempts. Try again later, or raise the registry's rate limit for this user.`,
      common,
    );
  }
  const reason = describeRegistryErrors(body.errors) ?? (body.text === "" ? "" : `: ${body.text}`);
  return new RegistryError(
    "REGISTRY_ERROR",
    `The registry returned HTTP ${status} for ${context.resource} at ${shownUrl}${reason} (after ${context.attempts} ${context.attempts === 1 ? "attempt" : "attempts"}). Try again later, and check the registry's logs if it persists.`,
    common,
  );
}

/** Returns the REGISTRY_AUTH_FAILED error for a 401 or 403 response, worded for configured or missing credentials. */
export function authFailedError(input: {
  url: URL;
  status: number;
  username: string | null;
  resource: string;
  registryErrors?: RegistryErrorEntry[];
}): RegistryError {
  const shownUrl = redactUrl(input.url);
  let message: string;
  if (input.username === null) {
    message = `The registry at ${shownUrl} requires credentials for ${input.resource} (HTTP ${input.status}): set REGISTRY_USERNAME and REGISTRY_PASSWORD.`;
  } else if (input.status === 403) {
    message = `The registry at ${shownUrl} denied user ${input.username} access to ${input.resource} (HTTP 403): grant the user pull access, or check the credentials (REGISTRY_USERNAME and REGISTRY_PASSWORD, or those of the registry on /admin/registries).`;
  } else {
    message = `Registry rejected the credentials for user ${input.username} at ${shownUrl}: check the credentials (REGISTRY_USERNAME and REGISTRY_PASSWORD, or those of the registry on /admin/registries).`;
  }

  const registryErrors = input.registryErrors ?? [];
  const registryMessage = describeRegistryErrors(registryErrors);
  if (registryMessage !== null) {
    message += ` Registry error${registryMessage}.`;
  }
  return new RegistryError("REGISTRY_AUTH_FAILED", message, {
    url: input.url,
    registryStatus: input.status,
    registryErrors,
    details: { status: input.status, username: input.username },
  });
}

function describeRegistryErrors(errors: RegistryErrorEntry[]): string | null {
  if (errors.length === 0) return null;
  return `: ${errors.map((entry) => `${entry.code} ${entry.message}`.trim()).join("; ")}`;
}
