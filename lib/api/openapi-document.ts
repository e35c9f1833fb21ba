import { z } from "zod";

import { MAX_QUERY_BODY_BYTES, MAX_QUERY_PACKAGES } from "@/lib/api/find-advisories-for-packages";
import { MAX_TOKEN_LIFETIME_DAYS } from "@/lib/api/api-tokens";
import { TOKEN_SETTINGS_PATH } from "@/lib/api/authenticate-token";
import { sbomFormatNames } from "@/lib/analysis/sbom-formats";
import { MAX_SEARCH_LENGTH } from "@/lib/data/get-image-analysis";
import { vulnerabilitySorts } from "@/lib/data/get-image-vulnerabilities";
import { gradeFilters as repositoryGradeFilters, MAX_REPOSITORY_SEARCH_LENGTH, REPOSITORIES_PER_PAGE, repositorySorts } from "@/lib/data/list-repositories";
import { gradeFilters as tagGradeFilters, MAX_TAG_SEARCH_LENGTH, TAGS_PER_PAGE, tagSorts } from "@/lib/data/list-tags";
import { policyConfigSchema, policyIds, severityLevels } from "@/scoring";
import { osvRecordSchema } from "@/scoring/advisories";

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: "null" }] });
const string: Schema = { type: "string" };
const dateTime: Schema = { type: "string", format: "date-time" };
const integer: Schema = { type: "integer" };
const stringList: Schema = { type: "array", items: string };

/** Builds an object schema whose every property is required and which allows no others, so a response test catches fields added without documentation. */
function closedObject(properties: Record<string, Schema>, description?: string): Schema {
  return { type: "object", ...(description ? { description } : {}), properties, required: Object.keys(properties), additionalProperties: false };
}

/** Converts a zod schema to the JSON Schema of what a client may send or receive, without the `$schema` key that OpenAPI component schemas leave out. */
function fromZod(schema: z.ZodType, description: string): Schema {
  const generated: Schema = { ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) };
  delete generated.$schema;
  return { description, ...generated };
}

const pagination = { total: integer, page: integer, pageSize: integer, pageCount: integer };

const schemas: Record<string, Schema> = {
  Error: closedObject(
    {
      error: closedObject({
        code: { type: "string", description: "Stable error code: INVALID_INPUT, UNAUTHORIZED, NOT_FOUND, CONFLICT, TOO_LARGE or INTERNAL." },
        message: { type: "string", description: "What failed, on which value, and what to do next." },
      }),
    },
    "The body of every 4xx and 5xx response.",
  ),
  OrganizationList: closedObject({
    organizations: { type: "array", items: closedObject({ name: string, repositoryCount: { type: "integer", description: "Repositories the token's user can read." } }) },
  }),
  RepositoryList: closedObject({
    organization: string,
    repositories: {
      type: "array",
      items: closedObject({
        name: { type: "string", description: "Full name, `acme/api`." },
        grade: nullable({ type: "string", enum: ["A", "B", "C", "D", "E", "F"] }),
        percent: nullable({ type: "number" }),
        lastPushedAt: nullable(dateTime),
        tagCount: integer,
        lastSyncError: nullable(string),
      }),
    },
    ...pagination,
  }),
  TagList: closedObject({
    repository: string,
    tags: {
      type: "array",
      items: closedObject({
        name: string,
        digest: { type: "string", description: "The manifest or index digest the tag points to." },
        grade: nullable(string),
        percent: nullable({ type: "number" }),
        lastPushedAt: dateTime,
        platforms: stringList,
        analysis: {
          oneOf: [
            closedObject({ status: { const: "analysed" }, analysedAt: nullable(dateTime) }),
            closedObject({ status: { const: "analysing" } }),
            closedObject({ status: { const: "not-analysed" }, reason: nullable(string) }),
          ],
        },
        syncError: nullable(string),
      }),
    },
    ...pagination,
  }),
  PolicyResult: closedObject({
    id: { type: "string", enum: [...policyIds] },
    title: string,
    description: string,
    status: { type: "string", enum: ["pass", "fail", "no-data"] },
    weight: integer,
    points: { type: "integer", description: "The weight on pass, 0 on fail and no-data." },
    summary: string,
    evidence: { type: "array", items: closedObject({ label: string, value: string }) },
    remediation: nullable({ type: "string", description: "The concrete fix; null on pass." }),
  }),
  ScoreReport: closedObject({
    repository: string,
    tag: closedObject({ name: string, digest: string, grade: nullable(string), percent: nullable({ type: "number" }), lastPushedAt: dateTime, syncError: nullable(string) }),
    gradedPlatform: nullable({ type: "string", description: "Digest of the platform image whose grade is the tag's: the worst." }),
    platforms: {
      type: "array",
      items: closedObject({
        platform: string,
        digest: string,
        report: nullable(
          closedObject(
            {
              grade: nullable(string),
              percent: nullable({ type: "number", description: "earned ÷ possible × 100; null when possible is 0." }),
              earned: integer,
              possible: integer,
              engineVersion: string,
              policyConfigVersion: { type: "integer", description: "The policy configuration version the report was graded under." },
              advisorySnapshot: nullable({ type: "string", description: "Id of the advisory import the report used." }),
              gradedAt: dateTime,
              cause: nullable(string),
              causeIds: stringList,
              policies: { type: "array", items: ref("PolicyResult") },
            },
            "The platform image's latest score report; null before it is first graded.",
          ),
        ),
      }),
    },
  }),
  Finding: closedObject({
    purl: string,
    vulnerabilityId: { type: "string", description: "The CVE id when a record names one, else the lowest merged record id." },
    recordIds: stringList,
    aliases: stringList,
    fixedVersion: nullable(string),
    severity: closedObject({
      level: { type: "string", enum: [...severityLevels] },
      score: nullable({ type: "number" }),
      source: nullable(closedObject({ recordId: string, field: string, value: string })),
    }),
    packageType: string,
    packageName: string,
    packageVersion: string,
    published: nullable(dateTime),
    knownExploited: { type: "boolean" },
    suppressed: nullable(closedObject({ by: { type: "string", enum: ["exception", "vex"] }, reason: string, expiresAt: nullable(dateTime) })),
  }),
  FindingList: closedObject({
    image: closedObject({ digest: string, platform: string }),
    analysis: closedObject({ status: { type: "string", enum: ["analysing", "analysed", "not-analysed"] }, reason: nullable(string), analysedAt: nullable(dateTime) }),
    grading: nullable(
      closedObject({
        gradedAt: dateTime,
        cause: nullable(string),
        causeIds: stringList,
        advisorySnapshot: nullable(closedObject({ id: string, kind: nullable(string), importedAt: nullable(dateTime) })),
      }),
    ),
    counts: closedObject({
      bySeverity: closedObject(Object.fromEntries(severityLevels.map((level) => [level, integer]))),
      unsuppressed: integer,
      fixable: integer,
      suppressed: integer,
    }),
    findings: { type: "array", items: ref("Finding") },
    ...pagination,
  }),
  PolicyConfiguration: fromZod(policyConfigSchema, "A policy configuration, in the schema the organization's policy settings page saves and `shipshape score --config` reads."),
  PolicyConfigurationResponse: closedObject({ version: integer, configuration: ref("PolicyConfiguration") }),
  AdvisoryQuery: closedObject({
    packages: {
      type: "array",
      minItems: 1,
      maxItems: MAX_QUERY_PACKAGES,
      items: closedObject({
        ecosystem: { type: "string", minLength: 1, maxLength: 512, description: 'OSV ecosystem with release, as advisories file it: "Debian:12", "Alpine:v3.20", "PyPI".' },
        name: { type: "string", minLength: 1, maxLength: 512, description: "The name advisories use: the source package for Debian and Ubuntu, the origin for Alpine." },
      }),
    },
  }),
  OsvRecord: fromZod(osvRecordSchema, "An OSV record as imported (OSV schema 1.x)."),
  AdvisoryQueryResult: closedObject({
    snapshotId: nullable({ type: "string", description: "The newest finished advisory import, recorded in score reports as advisorySnapshot." }),
    advisories: { type: "array", items: closedObject({ id: string, published: nullable(dateTime), record: ref("OsvRecord") }) },
    knownExploited: { ...stringList, description: "CVE ids of the returned records that are in CISA's Known Exploited Vulnerabilities catalog." },
  }),
};

type Parameter = { name: string; in: "path" | "query"; required?: boolean; description: string; schema: Schema };

const pathParameters: Record<string, Parameter> = {
  org: { name: "org", in: "path", required: true, description: "Organization name: the first component of repository names (`acme` in `acme/api`).", schema: string },
  repo: { name: "repo", in: "path", required: true, description: "Repository name without the organization (`api` in `acme/api`); write `/` as `%2F`.", schema: string },
  tag: { name: "tag", in: "path", required: true, description: "Tag name.", schema: string },
};

const query = (name: string, description: string, schema: Schema): Parameter => ({ name, in: "query", description, schema });
const page = query("page", "Page number from 1. A page past the last gives the last one.", { type: "integer", minimum: 1 });
const platform = query("platform", "Platform image digest, as the report lists them. Default: the platform whose grade is the tag's.", { type: "string", pattern: "^sha256:[0-9a-f]{64}$" });
const commaList = (values: readonly string[]): Schema => ({ type: "string", description: `Comma-separated: ${values.join(", ")}.` });

function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ref("Error") } } };
}

const errorResponses = {
  "400": errorResponse("A parameter is invalid; the message names it and the accepted values."),
  "401": {
    ...errorResponse(`The token is missing, malformed, unknown, revoked or expired. Create one under ${TOKEN_SETTINGS_PATH}.`),
    headers: { "WWW-Authenticate": { description: 'Bearer realm="shipshape", with error="invalid_token" when a token was sent.', schema: string } },
  },
};
const notFound = { "404": errorResponse("Not found, or the token's user may not read it: the two are answered alike.") };

function operation(operationId: string, summary: string, parameters: Parameter[], success: Schema, extra: Record<string, unknown> = {}) {
  return {
    get: {
      operationId,
      summary,
      parameters,
      responses: { "200": { description: "OK", content: { "application/json": { schema: success } } }, ...errorResponses, ...extra },
    },
  };
}

const repositoryPath = "/api/v1/repositories/{org}/{repo}/tags";

/** Builds the OpenAPI 3.1 document of the /api/v1 endpoints, served at /api/v1/openapi.json. */
export function buildOpenApiDocument() {
  return {
    openapi: "3.1.0",
    info: {
      title: "Shipshape API",
      version: "1",
      description: `Read-only JSON API for automation. Every endpoint but this document takes a personal access token from ${TOKEN_SETTINGS_PATH} as "Authorization: Bearer shp_…" and enforces the same access rules as the pages. A token works until it is revoked or its chosen lifetime (up to ${MAX_TOKEN_LIFETIME_DAYS} days, or no expiry) ends.`,
    },
    components: { securitySchemes: { bearerToken: { type: "http", scheme: "bearer", description: "A personal access token, `shp_` and 43 base64url characters." } }, schemas },
    security: [{ bearerToken: [] }],
    paths: {
      "/api/v1/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document.",
          security: [],
          responses: { "200": { description: "OK", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
      "/api/v1/orgs": operation("listOrganizations", "Organizations the token's user belongs to.", [], ref("OrganizationList")),
      "/api/v1/orgs/{org}/repositories": operation(
        "listRepositories",
        `Repositories of an organization that the user can read, with the grade of each one's latest tag; ${REPOSITORIES_PER_PAGE} a page.`,
        [
          pathParameters.org!,
          query("q", "Text matched anywhere in the repository name, ignoring case.", { type: "string", maxLength: MAX_REPOSITORY_SEARCH_LENGTH }),
          query("grade", "Grades to list; none lists repositories without a grade.", commaList(repositoryGradeFilters)),
          query("failing", "Lists only repositories whose latest tag fails this policy.", { type: "string", enum: [...policyIds] }),
          query("sort", "Default name.", { type: "string", enum: [...repositorySorts] }),
          page,
        ],
        ref("RepositoryList"),
        notFound,
      ),
      "/api/v1/orgs/{org}/policy-configuration": operation(
        "getPolicyConfiguration",
        "The organization's current policy configuration, for `shipshape score --server`.",
        [pathParameters.org!],
        ref("PolicyConfigurationResponse"),
        notFound,
      ),
      [repositoryPath]: operation(
        "listTags",
        `Tags of a repository with grade, digest, platforms and analysis state; ${TAGS_PER_PAGE} a page.`,
        [
          pathParameters.org!,
          pathParameters.repo!,
          query("q", "Text matched anywhere in the tag name, ignoring case.", { type: "string", maxLength: MAX_TAG_SEARCH_LENGTH }),
          query("grade", "Grades to list; none lists tags without a grade.", commaList(tagGradeFilters)),
          query("sort", "Default pushed.", { type: "string", enum: [...tagSorts] }),
          query("order", "Default: desc for pushed, asc otherwise.", { type: "string", enum: ["asc", "desc"] }),
          page,
        ],
        ref("TagList"),
        notFound,
      ),
      [`${repositoryPath}/{tag}/report`]: operation(
        "getScoreReport",
        "A tag's score report: per platform, the score arithmetic and each policy with status, evidence and remediation.",
        [pathParameters.org!, pathParameters.repo!, pathParameters.tag!],
        ref("ScoreReport"),
        notFound,
      ),
      [`${repositoryPath}/{tag}/findings`]: operation(
        "listFindings",
        "Vulnerability findings of a platform image of a tag, with suppression state; 100 a page.",
        [
          pathParameters.org!,
          pathParameters.repo!,
          pathParameters.tag!,
          platform,
          query("severity", "Severity levels to list.", commaList(severityLevels)),
          query("fixable", "true lists only findings with a fixed version.", { type: "boolean" }),
          query("suppressed", "hide leaves suppressed findings out; default show.", { type: "string", enum: ["show", "hide"] }),
          query("q", "Text matched in the vulnerability id, aliases, record ids or package name.", { type: "string", maxLength: MAX_SEARCH_LENGTH }),
          query("sort", "Default severity.", { type: "string", enum: [...vulnerabilitySorts] }),
          page,
        ],
        ref("FindingList"),
        notFound,
      ),
      [`${repositoryPath}/{tag}/sbom`]: {
        get: {
          operationId: "getSbom",
          summary: "The SBOM of a platform image of a tag, the same document as the tag page's download.",
          parameters: [pathParameters.org!, pathParameters.repo!, pathParameters.tag!, { ...query("format", "SBOM format.", { type: "string", enum: sbomFormatNames }), required: true }, platform],
          responses: {
            "200": {
              description: "SPDX 2.3 or CycloneDX 1.6 JSON.",
              content: { "application/spdx+json": { schema: { type: "object" } }, "application/vnd.cyclonedx+json": { schema: { type: "object" } } },
            },
            ...errorResponses,
            ...notFound,
            "409": errorResponse("The image is not analysed yet, or could not be analysed."),
          },
        },
      },
      "/api/v1/advisories/query": {
        post: {
          operationId: "queryAdvisories",
          summary: "Stored OSV records that name any of the packages, with the known-exploited CVEs among them, for `shipshape score --server`.",
          requestBody: { required: true, content: { "application/json": { schema: ref("AdvisoryQuery") } } },
          responses: {
            "200": { description: "OK", content: { "application/json": { schema: ref("AdvisoryQueryResult") } } },
            ...errorResponses,
            "413": errorResponse(`The body is larger than ${MAX_QUERY_BODY_BYTES} bytes.`),
          },
        },
      },
    },
  };
}
