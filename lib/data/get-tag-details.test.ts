import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { importAdvisories } from "@/lib/advisories/import-advisories";
import { upsertUser } from "@/lib/auth/accounts";
import type { Viewer } from "@/lib/auth/get-viewer";
import { resetDatabase } from "@/lib/database/testing/reset-database";
import { getTagDetails, matchStepsToLayers, readBuildSteps, type BuildStep, type LayerDetails } from "@/lib/data/get-tag-details";
import { getPrisma } from "@/lib/db";
import { regradeAfterImport } from "@/lib/grading/regrade-after-import";
import { ALPINE_OPENSSL_RECORD, alpineLayer, apkRecord, pushAndSync } from "@/lib/grading/testing/alpine-images";
import { pushBlob, pushManifest } from "@/lib/registry/testing/push-image";
import { startRegistryServer, type RegistryServer } from "@/lib/registry/testing/registry-server";
import { buildImage, buildLayer, type BuiltImage, type HistoryEntry } from "@/lib/samples/image-builder";
import { syncOrganization } from "@/lib/sync/sync-organization";
import { testRegistrySource } from "@/lib/sync/testing/test-registry-source";
import { defaultPolicyConfig } from "@/scoring";

const prisma = getPrisma();

function viewerOf(user: { id: string; email: string }): Viewer {
  return { id: user.id, email: user.email, name: null, isSiteAdmin: false };
}

function step(createdBy: string, emptyLayer = false): BuildStep {
  return { created: "2018-10-01T00:00:00Z", createdBy, comment: null, emptyLayer };
}

describe("matchStepsToLayers", () => {
  test("pairs layer steps in order", () => {
    const steps = [step("ADD rootfs /"), step('CMD ["sh"]', true), step("RUN apk add curl"), step("USER 10001", true)];
    expect(matchStepsToLayers(steps, 2)).toEqual({
      steps: [
        { step: steps[0], position: 0 },
        { step: steps[1], position: null },
        { step: steps[2], position: 1 },
        { step: steps[3], position: null },
      ],
      problem: null,
    });
  });

  test("empty steps before the first layer", () => {
    const steps = [step("ARG VERSION", true), step("ADD rootfs /")];
    expect(matchStepsToLayers(steps, 1).steps.map((entry) => entry.position)).toEqual([null, 0]);
  });

  const mismatches: [string, BuildStep[], number, RegExp][] = [
    ["more layers than steps", [step("ADD rootfs /")], 2, /1 build step adds a layer, but the manifest lists 2 layers/],
    ["more steps than layers", [step("ADD rootfs /"), step("COPY . /app")], 1, /2 build steps add a layer, but the manifest lists 1 layer,/],
    ["no history", [], 1, /records no build history/],
  ];
  test.each(mismatches)("reports %s", (_name, steps, layerCount, problem) => {
    const matched = matchStepsToLayers(steps, layerCount);
    expect(matched.problem).toMatch(problem);
    expect(matched.steps.every((entry) => entry.position === null)).toBe(true);
  });
});

describe("readBuildSteps", () => {
  test("reads stored steps", () => {
    expect(readBuildSteps([{ created: null, createdBy: "ADD / /", comment: "buildkit.dockerfile.v0", emptyLayer: false }])).toEqual([
      { created: null, createdBy: "ADD / /", comment: "buildkit.dockerfile.v0", emptyLayer: false },
    ]);
  });

  test("rejects a step of another shape", () => {
    expect(readBuildSteps([{ createdBy: "ADD / /" }, { createdBy: 42 }])).toBeNull();
    expect(readBuildSteps({ createdBy: "ADD / /" })).toBeNull();
  });
});

describe("getTagDetails", () => {
  let registry: RegistryServer;
  let registryHost: string;

  beforeAll(async () => {
    registry = await startRegistryServer();
    registryHost = new URL(registry.url).host;
  });
  afterAll(async () => {
    await registry?.stop();
  });
  beforeEach(async () => {
    await resetDatabase();
  });

  async function push(repository: string, tag: string, image: BuiltImage): Promise<void> {
    for (const bytes of image.blobs.values()) await pushBlob(registry, repository, bytes);
    await pushManifest(registry, repository, tag, image.manifest.bytes, image.manifest.mediaType);
    await syncOrganization(prisma, testRegistrySource(registry.url), "acme", { repository });
  }

  /**
   * Seeds organization acme, connected to the test registry, with an owner, a
   * member without grants and another organization's owner, and a policy
   * configuration (version 2) that also fails on medium findings. Pushes the
   * base image acme/alpine:3.8 (musl) and acme/app:1.0 built on it, whose own
   * layer adds libssl1.0 below the fix of CVE-2018-5407 (medium), then imports
   * that advisory, which re-grades the app.
   */
  async function seed() {
    const registryRow = await prisma.registry.create({ data: { kind: "DISTRIBUTION", url: registry.url, insecure: true } });
    const acme = await prisma.organization.create({ data: { name: "acme", registryId: registryRow.id } });
    const globex = await prisma.organization.create({ data: { name: "globex" } });
    const owner = await upsertUser(prisma, { email: "owner@acme.test", password: "owner-password-1" });
    const member = await upsertUser(prisma, { email: "member@acme.test", password: "member-password-1" });
    const rival = await upsertUser(prisma, { email: "owner@globex.test", password: "rival-password-1" });
    await prisma.membership.createMany({
      data: [
        { organizationId: acme.id, userId: owner.id, role: "OWNER" },
        { organizationId: acme.id, userId: member.id, role: "MEMBER" },
        { organizationId: globex.id, userId: rival.id, role: "OWNER" },
      ],
    });
    const criticalHigh = { ...defaultPolicyConfig.policies["no-fixable-critical-high"], severities: ["critical", "high", "medium"] };
    const config = { ...defaultPolicyConfig, version: 2, policies: { ...defaultPolicyConfig.policies, "no-fixable-critical-high": criticalHigh } };
    await prisma.policyConfiguration.create({ data: { organizationId: acme.id, version: 2, config: JSON.parse(JSON.stringify(config)), author: "owner@acme.test" } });

    const created = "2018-10-01T00:00:00Z";
    const baseHistory: HistoryEntry[] = [
      { created, createdBy: "/bin/sh -c #(nop) ADD file:alpine-rootfs in / " },
      { created, createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', emptyLayer: true },
    ];
    const baseLayer = await buildLayer(alpineLayer([apkRecord("musl", "1.1.19-r10", "musl")]));
    const base = buildImage({ layers: [baseLayer], config: { os: "linux", architecture: "amd64", created, history: baseHistory }, mediaTypes: "oci" });
    await push("acme/alpine", "3.8", base);

    const appLayer = await buildLayer([
      ...alpineLayer([apkRecord("musl", "1.1.19-r10", "musl"), apkRecord("libssl1.0", "1.0.2o-r2", "openssl")]),
      { path: "app/server.sh", content: "#!/bin/sh\nexec sleep infinity\n" },
    ]);
    const app = buildImage({
      layers: [baseLayer, appLayer],
      config: {
        os: "linux",
        architecture: "amd64",
        created,
        labels: { "org.opencontainers.image.base.name": `${registryHost}/acme/alpine:3.8`, "org.opencontainers.image.base.digest": base.manifest.digest },
        history: [...baseHistory, { created, createdBy: "RUN apk add libssl1.0 && cp server.sh /app/" }, { created, createdBy: 'CMD ["/app/server.sh"]', emptyLayer: true }],
      },
      mediaTypes: "oci",
    });
    await push("acme/app", "1.0", app);
    await regradeAfterImport(prisma, await importAdvisories(prisma, ALPINE_OPENSSL_RECORD));

    return { acme, base, app, baseLayer, appLayer, owner: viewerOf(owner), member: viewerOf(member), rival: viewerOf(rival) };
  }

  test("fixes are ordered by points regained", async () => {
    const { app, owner } = await seed();
    const details = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    const plan = details.fixPlan!;

    expect(plan.configVersion).toBe(2);
    expect(plan.reportConfigVersion).toBe(2);
    expect(plan.criticalHighRule.severities).toEqual(["critical", "high", "medium"]);
    expect(plan.fixes.map((fix) => fix.points)).toEqual([...plan.fixes.map((fix) => fix.points)].sort((a, b) => b - a));
    expect(plan.fixes[0]?.policyId).toBe("no-fixable-critical-high");
    expect(plan.fixes.map((fix) => fix.policyId)).toContain("default-non-root-user");
    expect(plan.fixes.map((fix) => fix.policyId)).toContain("supply-chain-attestations");
    // One platform: the tag's grade is the platform's, and so is the grade a fix gives it.
    expect(plan.tagGrade).toBe(plan.platformGrade);
    for (const fix of plan.fixes) expect(fix.tagGradeIfFixed).toBe(fix.gradeIfFixed);
  });

  test("vulnerability fix lists the package with its origin", async () => {
    const { app, owner } = await seed();
    const details = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    const fix = details.fixPlan!.fixes.find((candidate) => candidate.policyId === "no-fixable-critical-high")!;

    expect(fix.status).toBe("fail");
    expect(fix.points).toBe(20);
    expect(fix.packages).toEqual([
      {
        name: "libssl1.0",
        type: "apk",
        version: "1.0.2o-r2",
        purl: expect.stringContaining("pkg:apk/alpine/libssl1.0@1.0.2o-r2"),
        fixedVersions: ["1.0.2q-r0"],
        vulnerabilityIds: ["CVE-2018-5407"],
        origin: "own-layers",
      },
    ]);
    expect(fix.remediation).toContain("Packages from the image's own layers");
  });

  test("vulnerability fix names the base tag that fixes more, with the counts", async () => {
    const { owner } = await seed();
    const created = "2018-10-01T00:00:00Z";
    const baseImage = async (tag: string, libsslVersion: string) => {
      const layer = await buildLayer(alpineLayer([apkRecord("musl", "1.1.19-r10", "musl"), apkRecord("libssl1.0", libsslVersion, "openssl")]));
      const image = buildImage({ layers: [layer], config: { os: "linux", architecture: "amd64", created }, mediaTypes: "oci" });
      await push("acme/alpine-ssl", tag, image);
      return { layer, image };
    };
    // The tag the service is built on ships libssl1.0 below the fix of CVE-2018-5407; 3.8.2 ships the fix.
    const older = await baseImage("3.8", "1.0.2o-r2");
    await baseImage("3.8.2", "1.0.2q-r0");
    const ownLayer = await buildLayer([{ path: "srv/run.sh", content: "#!/bin/sh\nexec sleep infinity\n" }]);
    const service = buildImage({
      layers: [older.layer, ownLayer],
      config: {
        os: "linux",
        architecture: "amd64",
        created,
        labels: { "org.opencontainers.image.base.name": `${registryHost}/acme/alpine-ssl:3.8`, "org.opencontainers.image.base.digest": older.image.manifest.digest },
      },
      mediaTypes: "oci",
    });
    await push("acme/service", "1.0", service);

    const details = await getTagDetails(owner, "acme", "service", "1.0", service.manifest.digest);
    const fix = details.fixPlan!.fixes.find((candidate) => candidate.policyId === "no-fixable-critical-high")!;
    expect(fix).toBeDefined();
    expect(fix.packages).toEqual([expect.objectContaining({ name: "libssl1.0", origin: "base-image" })]);
    const olderDigest = older.image.manifest.digest;
    expect(fix.betterBaseTag).toEqual({
      reference: `${registryHost}/acme/alpine-ssl:3.8.2`,
      digest: expect.stringMatching(/^sha256:/),
      removes: 1,
      of: 1,
      builtOn: { reference: `${registryHost}/acme/alpine-ssl:3.8`, digest: olderDigest, removes: 0 },
    });
    expect(fix.remediation).toContain(
      `Another tag of the base repository fixes more: rebuilding on \`${registryHost}/acme/alpine-ssl:3.8.2\` (now at ${fix.betterBaseTag!.digest}) removes 1 of 1 finding from the base image; ` +
        `\`${registryHost}/acme/alpine-ssl:3.8\`, the tag it was built on, now at ${olderDigest}, removes 0.`,
    );

    // The app of the seed is built on acme/alpine, whose only tag is the one it was built on: nothing to suggest.
    const app = await prisma.tag.findFirstOrThrow({ where: { name: "1.0", repository: { name: "acme/app" } }, select: { digest: true } });
    const appFix = (await getTagDetails(owner, "acme", "app", "1.0", app.digest)).fixPlan!.fixes.find((candidate) => candidate.policyId === "no-fixable-critical-high")!;
    expect(appFix.betterBaseTag).toBeUndefined();
  });

  test("non-root fix names the USER line", async () => {
    const { app, owner } = await seed();
    const details = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    const fix = details.fixPlan!.fixes.find((candidate) => candidate.policyId === "default-non-root-user")!;

    expect(fix.points).toBe(5);
    expect(fix.remediation).toContain("USER");
    expect(fix.percentIfFixed).toBeGreaterThan(0);
  });

  test("layers carry their command and packages", async () => {
    const { app, baseLayer, appLayer, owner } = await seed();
    const { layers } = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);

    expect(layers.historyProblem).toBeNull();
    expect(layers.layerCount).toBe(2);
    expect(layers.totalSize).toBe(baseLayer.size + appLayer.size);
    expect(layers.entries.map((entry) => (entry.kind === "layer" ? `layer ${entry.layer.position}` : "config"))).toEqual(["layer 0", "config", "layer 1", "config"]);

    const [bottom, top] = layers.entries.filter((entry) => entry.kind === "layer").map((entry) => entry.layer) as [LayerDetails, LayerDetails];
    expect(bottom).toMatchObject({ digest: baseLayer.digest, size: baseLayer.size, packageCount: 1, packages: [{ name: "musl", version: "1.1.19-r10", type: "apk" }] });
    expect(bottom.step?.createdBy).toBe("/bin/sh -c #(nop) ADD file:alpine-rootfs in / ");
    expect(top).toMatchObject({ digest: appLayer.digest, size: appLayer.size, packageCount: 1, packages: [{ name: "libssl1.0", version: "1.0.2o-r2", type: "apk" }] });
    expect(top.step?.createdBy).toBe("RUN apk add libssl1.0 && cp server.sh /app/");
    expect(layers.packagesOutsideLayers).toBe(0);
  });

  test("base image follows its tag's resolution", async () => {
    const { app, base, owner } = await seed();
    const key = `${registryHost}/acme/alpine:3.8`;

    const current = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    expect(current.baseImage).toMatchObject({ source: "label", reference: key, digest: base.manifest.digest, tagReference: key });
    expect(current.baseImage.tag).toMatchObject({ status: "resolved", digest: base.manifest.digest });
    expect(current.baseImage.freshness.state).toBe("current");

    const moved = `sha256:${"e".repeat(64)}`;
    await prisma.baseTagResolution.update({ where: { reference: key }, data: { digest: moved, equivalentDigests: [] } });
    const outdated = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    expect(outdated.baseImage.freshness).toEqual({ state: "outdated", reason: `${key} now points to ${moved}, but the image was built on ${base.manifest.digest}.` });

    await prisma.baseTagResolution.update({ where: { reference: key }, data: { status: "unknown", reason: "The registry timed out." } });
    const unknown = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    expect(unknown.baseImage.tag).toMatchObject({ status: "unknown", reason: "The registry timed out.", lastDigest: moved });
    expect(unknown.baseImage.freshness.state).toBe("unknown");

    await prisma.baseTagResolution.delete({ where: { reference: key } });
    const notLookedUp = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    expect(notLookedUp.baseImage.tag).toBeNull();
    expect(notLookedUp.baseImage.freshness.reason).toBe(`The current digest of ${key} has not been looked up yet.`);
  });

  test("history lists grade changes and digests", async () => {
    const { app, owner } = await seed();
    const { history } = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);

    expect(history.gradeChanges.map((change) => change.cause)).toEqual(["advisory update", "push"]);
    expect(history.gradeChangeCount).toBe(2);
    const [advisoryUpdate, push] = history.gradeChanges;
    expect(advisoryUpdate?.causeIds).toEqual(["CVE-2018-5407"]);
    expect(advisoryUpdate?.fromGrade).toBe(push?.toGrade);
    expect(push?.fromGrade).toBeNull();
    expect(push?.digest).toBe(app.manifest.digest);
    expect(history.digests).toEqual([{ digest: app.manifest.digest, seenAt: expect.any(Date), current: true }]);
    expect(history.digestCount).toBe(1);
  });

  test("attestations carry their parsed details", async () => {
    await seed();
    const owner = viewerOf(await prisma.user.findUniqueOrThrow({ where: { email: "owner@acme.test" } }));
    const dpkgStatus = "Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0+deb12u1\nArchitecture: all\n\n";
    const attested = await pushAndSync(prisma, registry, "acme/attested", alpineLayer([apkRecord("musl", "1.1.19-r10", "musl")]), {
      sbom: { dpkgStatus, distro: { id: "debian", versionId: "12" }, created: "2018-10-01T00:00:00Z" },
      provenance: {
        mode: "max",
        builderId: "https://ci.example.org/acme/attested/builds/7",
        invocationId: "acme-attested-7",
        startedOn: "2018-10-01T00:00:00Z",
        finishedOn: "2018-10-01T00:01:00Z",
        dockerfile: "FROM alpine:3.8\n",
        baseImage: { name: "alpine", tag: "3.8", digest: `sha256:${"a".repeat(64)}`, layerCount: 1 },
      },
    });

    const { attestations } = await getTagDetails(owner, "acme", "attested", "latest", attested.manifest.digest);
    const sbom = attestations.find((attestation) => attestation.kind === "sbom");
    const provenance = attestations.find((attestation) => attestation.kind === "provenance");
    expect(attestations).toHaveLength(2);
    // The sample SBOM marks its one package (tzdata) as described; the sync then counts every package it lists.
    expect(sbom).toMatchObject({ predicateType: "https://spdx.dev/Document", provenanceMode: null, detailsMissing: null, sbom: { packageCount: 1, spdxVersion: "SPDX-2.3" } });
    expect(provenance).toMatchObject({ provenanceMode: "max", detailsMissing: null, provenance: { builderId: "https://ci.example.org/acme/attested/builds/7" } });
    expect(provenance?.predicateType).toMatch(/^https:\/\/slsa\.dev\/provenance\//);
    expect(provenance?.provenance?.materials).toContainEqual(expect.stringContaining("pkg:docker/alpine@3.8"));
  });

  test("stored SBOM details are read", async () => {
    const { app, owner } = await seed();
    await prisma.attestation.create({
      data: {
        imageDigest: app.manifest.digest,
        manifestDigest: `sha256:${"b".repeat(64)}`,
        layerDigest: `sha256:${"c".repeat(64)}`,
        predicateType: "https://spdx.dev/Document",
        details: { spdxVersion: "SPDX-2.3", name: "sbom-acme-app", packages: 12, problems: 1 },
      },
    });

    const { attestations } = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    expect(attestations).toEqual([
      {
        predicateType: "https://spdx.dev/Document",
        kind: "sbom",
        provenanceMode: null,
        manifestDigest: `sha256:${"b".repeat(64)}`,
        layerDigest: `sha256:${"c".repeat(64)}`,
        sbom: { spdxVersion: "SPDX-2.3", name: "sbom-acme-app", packageCount: 12, problemCount: 1 },
        provenance: null,
        openvex: null,
        detailsMissing: null,
      },
    ]);
  });

  test("attestation with unread body says so", async () => {
    const { app, owner } = await seed();
    await prisma.attestation.create({
      data: { imageDigest: app.manifest.digest, manifestDigest: `sha256:${"b".repeat(64)}`, layerDigest: `sha256:${"c".repeat(64)}`, predicateType: "https://slsa.dev/provenance/v1" },
    });
    await prisma.attestation.create({
      data: { imageDigest: app.manifest.digest, manifestDigest: `sha256:${"b".repeat(64)}`, layerDigest: `sha256:${"d".repeat(64)}`, predicateType: "https://spdx.dev/Document", details: { packages: "many" } },
    });

    const { attestations } = await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest);
    expect(attestations.map((attestation) => [attestation.kind, attestation.detailsMissing])).toEqual([
      ["provenance", "The statement's body was not read when the image was synced."],
      ["sbom", "The statement's details are stored in a form this page cannot read. The next sync of a new digest stores them again."],
    ]);
  });

  test("ungraded image has no fix plan", async () => {
    const { app, owner } = await seed();
    await prisma.scoreReport.deleteMany({ where: { imageDigest: app.manifest.digest } });
    expect((await getTagDetails(owner, "acme", "app", "1.0", app.manifest.digest)).fixPlan).toBeNull();
  });

  test("viewer without access gets not found", async () => {
    const { app, member, rival } = await seed();
    for (const viewer of [member, rival]) {
      await expect(getTagDetails(viewer, "acme", "app", "1.0", app.manifest.digest)).rejects.toMatchObject({ code: "NOT_FOUND", message: "Repository acme/app was not found." });
    }
    // The same answer as for a repository that does not exist.
    const owner = viewerOf(await prisma.user.findUniqueOrThrow({ where: { email: "owner@acme.test" } }));
    await expect(getTagDetails(owner, "acme", "nothing", "1.0", app.manifest.digest)).rejects.toMatchObject({ code: "NOT_FOUND", message: "Repository acme/nothing was not found." });
  });

  test("unknown tag is not found", async () => {
    const { app, owner } = await seed();
    await expect(getTagDetails(owner, "acme", "app", "9.9", app.manifest.digest)).rejects.toMatchObject({ code: "NOT_FOUND", message: "Tag acme/app:9.9 was not found." });
  });

  test("image of another tag is rejected", async () => {
    const { base, owner } = await seed();
    await expect(getTagDetails(owner, "acme", "app", "1.0", base.manifest.digest)).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining(`Platform image "${base.manifest.digest}" is not an image of acme/app:1.0.`),
    });
  });
});
