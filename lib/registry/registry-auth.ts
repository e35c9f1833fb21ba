import type { Logger } from "pino";
import { z } from "zod";

import { AppError } from "@/lib/errors";
import { findChallenge, parseWwwAuthenticate, type AuthChallenge } from "@/lib/registry/challenge";
import { registryEndpoint, type ResolvedClientOptions } from "@/lib/registry/client-options";
import { redactUrl, RegistryError } from "@/lib/registry/registry-error";
import type { AttemptContext, HttpRequest, RegistryHttp } from "@/lib/registry/registry-http";
import { discardBody, MAX_SMALL_BODY_BYTES, readBodyCapped } from "@/lib/registry/response-body";
import { authFailedError, statusError } from "@/lib/registry/status-error";
import { checkTokenRealm, type HostLookup } from "@/lib/registry/token-realm";

export type AuthScheme = "none" | "basic" | "bearer";

export interface PingResult {
  /** Auth scheme the registry requires: `none` when `/v2/` responds 200 without credentials. */
  authScheme: AuthScheme;
}

type AuthState = { scheme: "none" } | { scheme: "basic" } | { scheme: "bearer"; realm: URL; service: string | null };

/** Token lifetime in seconds when the token server sends no `expires_in` (Docker token spec). */
const DEFAULT_TOKEN_LIFETIME_SECONDS = 60;

/** Share of a token's lifetime after which it is renewed, so it does not expire in flight. */
const TOKEN_RENEWAL_SHARE = 0.9;

const tokenResponseSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().positive().optional(),
});

interface CachedToken {
  token: Promise<string>;
  /** Epoch ms after which the token is fetched again. */
  renewAt: number;
}

/**
 * The authentication layer of the registry client. `ping` discovers the scheme
 * from the `/v2/` challenge. `send` adds the Authorization header for a
 * request's scopes, and on a 401 it follows the new challenge and retries once.
 * Bearer tokens are cached per scope until shortly before `expires_in`.
 */
export class RegistryAuth {
  private state: AuthState | null = null;
  private pingResult: Promise<PingResult> | null = null;
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    private readonly options: ResolvedClientOptions,
    private readonly http: RegistryHttp,
    private readonly log: Logger,
    private readonly lookup?: HostLookup,
  ) {}

  /** Discovers the auth scheme once; a failed ping is tried again on the next call. */
  ping(): Promise<PingResult> {
    this.pingResult ??= this.discoverScheme().catch((error: unknown) => {
      this.pingResult = null;
      throw error;
    });
    return this.pingResult;
  }

  /**
   * Sends `request` with credentials for `scopes` (e.g. `repository:acme/api:pull`)
   * and returns what `handle` returns. On a 401 it fetches credentials for the
   * scope the challenge names and retries once. A second 401 raises
   * REGISTRY_AUTH_FAILED. `resource` names the requested object in errors.
   */
  async send<T>(
    request: Omit<HttpRequest, "headers"> & { headers?: Headers },
    scopes: string[],
    resource: string,
    handle: (response: Response, context: AttemptContext) => Promise<T>,
  ): Promise<T> {
    await this.ping();
    let currentScopes = scopes;

    for (let authAttempt = 1; ; authAttempt += 1) {
      const headers = new Headers(request.headers);
      const authorization = await this.authorization(currentScopes);
      if (authorization !== null) headers.set("authorization", authorization);

      const outcome = await this.http.exchange({ ...request, headers }, async (response, context) => {
        if (response.status !== 401) {
          return { unauthorized: false as const, value: await handle(response, context) };
        }
        const challenge = response.headers.get("www-authenticate");
        await discardBody(response);
        return { unauthorized: true as const, challenge, url: context.url };
      });
      if (!outcome.unauthorized) {
        return outcome.value;
      }

      const nextScopes = authAttempt === 1 && outcome.challenge !== null ? await this.followChallenge(outcome.challenge, outcome.url, currentScopes) : null;
      if (nextScopes === null) {
        throw authFailedError({ url: outcome.url, status: 401, username: this.username, resource });
      }
      this.log.debug({ url: redactUrl(outcome.url), scopes: nextScopes }, "registry responded 401, retrying once with fresh credentials");
      currentScopes = nextScopes;
    }
  }

  private get username(): string | null {
    return this.options.credentials?.username ?? null;
  }

  private async discoverScheme(): Promise<PingResult> {
    const url = this.endpoint("/v2/");
    const resource = "the API version check (/v2/)";
    const challengeHeader = await this.http.exchange(
      { method: "GET", url, headers: new Headers(), followRedirects: true, timeout: "response" },
      async (response, context) => {
        if (response.ok) {
          await discardBody(response);
          return null;
        }
        if (response.status === 401) {
          const header = response.headers.get("www-authenticate");
          await discardBody(response);
          if (header === null) {
            throw new RegistryError("REGISTRY_ERROR", `The registry at ${redactUrl(url)} responded with 401 but no WWW-Authenticate header, so the auth scheme is unknown. Check that REGISTRY_URL points to a registry.`, {
              url,
              registryStatus: 401,
            });
          }
          return header;
        }
        throw await statusError(response, context.url, {
          resource,
          username: this.username,
          attempts: context.attempts,
          notFoundMessage: `${redactUrl(url)} returned 404, so it does not serve the registry API. Set the registry URL (REGISTRY_URL, or the registry on /admin/registries) to the registry's base URL, without /v2/.`,
        });
      },
    );

    if (challengeHeader === null) {
      this.state = { scheme: "none" };
      return { authScheme: "none" };
    }

    const challenges = this.parseChallenges(challengeHeader, url);
    const state = await this.stateFromChallenges(challenges, url);
    if (state === null) {
      throw unsupportedScheme(url, challenges);
    }
    this.state = state;

    // Verify credentials now, so a wrong password is reported by the connection test, not by the first sync.
    if (state.scheme === "basic") {
      await this.verifyBasic(url, resource);
    } else if (state.scheme === "bearer" && this.options.credentials !== null) {
      await this.token([]);
    }
    this.log.debug({ registry: redactUrl(this.options.baseUrl), scheme: state.scheme }, "registry auth scheme discovered");
    return { authScheme: state.scheme };
  }

  private async verifyBasic(url: URL, resource: string): Promise<void> {
    const headers = new Headers({ authorization: this.basicAuthorization() });
    await this.http.exchange({ method: "GET", url, headers, followRedirects: true, timeout: "response" }, async (response, context) => {
      if (response.ok) {
        await discardBody(response);
        return;
      }
      throw await statusError(response, context.url, { resource, username: this.username, attempts: context.attempts });
    });
  }

  /** Returns the scopes to retry with after a 401 challenge, or null when retrying cannot help. */
  private async followChallenge(header: string, url: URL, triedScopes: string[]): Promise<string[] | null> {
    const challenges = this.parseChallenges(header, url);
    const state = await this.stateFromChallenges(challenges, url);
    if (state === null) {
      throw unsupportedScheme(url, challenges);
    }
    // The same Basic credentials were just rejected, so sending them again cannot succeed.
    if (state.scheme === "basic" && this.state?.scheme === "basic") {
      return null;
    }
    this.state = state;

    const scope = findChallenge(challenges, "bearer")?.params.scope;
    const scopes = scope === undefined ? triedScopes : scope.split(" ").filter((entry) => entry.length > 0);
    this.tokens.delete(scopeKey(triedScopes));
    this.tokens.delete(scopeKey(scopes));
    return scopes;
  }

  /** Picks Bearer over Basic, as Docker does, and checks the realm; returns null when neither is offered. */
  private async stateFromChallenges(challenges: AuthChallenge[], url: URL): Promise<AuthState | null> {
    const bearer = findChallenge(challenges, "bearer");
    if (bearer !== null) {
      const realmText = bearer.params.realm;
      if (realmText === undefined || realmText === "") {
        throw new RegistryError("REGISTRY_ERROR", `The registry at ${redactUrl(url)} sent a Bearer challenge without a realm, so no token can be requested. Check the registry's token auth configuration.`, {
          url,
          registryStatus: 401,
        });
      }
      const realm = await checkTokenRealm(realmText, this.options.baseUrl, { insecure: this.options.insecure, lookup: this.lookup });
      return { scheme: "bearer", realm, service: bearer.params.service ?? null };
    }

    if (findChallenge(challenges, "basic") !== null) {
      if (this.options.credentials === null) {
        throw authFailedError({ url, status: 401, username: null, resource: "its API" });
      }
      return { scheme: "basic" };
    }
    return null;
  }

  private parseChallenges(header: string, url: URL): AuthChallenge[] {
    try {
      return parseWwwAuthenticate(header);
    } catch (error) {
      if (error instanceof AppError) {
        throw new RegistryError(error.code, error.message, { url, registryStatus: 401, cause: error });
      }
      throw error;
    }
  }

  /** Returns the Authorization header value for `scopes`, or null for anonymous access. */
  private async authorization(scopes: string[]): Promise<string | null> {
    const state = this.state;
    if (state === null || state.scheme === "none") return null;
    if (state.scheme === "basic") return this.basicAuthorization();
    return `Bearer ${await this.token(scopes)}`;
  }

  private basicAuthorization(): string {
    const credentials = this.options.credentials;
    if (credentials === null) {
      throw new AppError("INTERNAL", "Basic auth was selected without credentials.");
    }
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  }

  private token(scopes: string[]): Promise<string> {
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached !== undefined && Date.now() < cached.renewAt) {
      return cached.token;
    }

    const entry: CachedToken = { token: Promise.resolve(""), renewAt: Number.POSITIVE_INFINITY };
    entry.token = this.fetchToken(scopes).then(
      ({ token, lifetimeSeconds }) => {
        entry.renewAt = Date.now() + lifetimeSeconds * 1000 * TOKEN_RENEWAL_SHARE;
        return token;
      },
      (error: unknown) => {
        if (this.tokens.get(key) === entry) this.tokens.delete(key);
        throw error;
      },
    );
    this.tokens.set(key, entry);
    return entry.token;
  }

  private async fetchToken(scopes: string[]): Promise<{ token: string; lifetimeSeconds: number }> {
    const state = this.state;
    if (state?.scheme !== "bearer") {
      throw new AppError("INTERNAL", "A token was requested while the registry does not use Bearer auth.");
    }

    const url = new URL(state.realm);
    if (state.service !== null) url.searchParams.set("service", state.service);
    for (const scope of scopes) url.searchParams.append("scope", scope);

    const headers = new Headers();
    if (this.options.credentials !== null) headers.set("authorization", this.basicAuthorization());
    const resource = scopes.length === 0 ? "a token" : `a token for ${scopes.join(" ")}`;

    const body = await this.http.exchange({ method: "GET", url, headers, followRedirects: false, timeout: "response" }, async (response, context) => {
      if (!response.ok) {
        throw await statusError(response, context.url, { resource, username: this.username, attempts: context.attempts });
      }
      return readBodyCapped(
        response,
        MAX_SMALL_BODY_BYTES,
        () => new RegistryError("TOO_LARGE", `The token response from ${redactUrl(url)} is larger than ${MAX_SMALL_BODY_BYTES} bytes. Check the registry's token service.`, { url }),
      );
    });

    const token = parseTokenResponse(body, url);
    this.log.debug({ realm: redactUrl(state.realm), scopes }, "registry token fetched");
    return token;
  }

  private endpoint(path: string): URL {
    return registryEndpoint(this.options.baseUrl, path);
  }
}

function parseTokenResponse(body: Uint8Array, url: URL): { token: string; lifetimeSeconds: number } {
  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder().decode(body));
  } catch {
    document = null;
  }
  const parsed = tokenResponseSchema.safeParse(document);
  // Docker's token spec names the field `token`; OAuth 2 servers send `access_token`.
  const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
  if (!parsed.success || token === undefined || token === "") {
    throw new RegistryError("REGISTRY_ERROR", `The token response from ${redactUrl(url)} is not JSON with a "token" or "access_token" string. Check the registry's token service.`, { url });
  }
  return { token, lifetimeSeconds: parsed.data.expires_in ?? DEFAULT_TOKEN_LIFETIME_SECONDS };
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(" ");
}

function unsupportedScheme(url: URL, challenges: AuthChallenge[]): RegistryError {
  const schemes = challenges.map((challenge) => challenge.scheme).join(", ") || "none";
  return new RegistryError(
    "REGISTRY_ERROR",
    `The registry at ${redactUrl(url)} asks for the auth scheme(s) ${schemes}; Shipshape supports Basic and Bearer. Configure the registry for one of them.`,
    { url, registryStatus: 401 },
  );
}
