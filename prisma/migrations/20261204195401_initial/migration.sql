-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "RegistryKind" AS ENUM ('DISTRIBUTION', 'DOCKERHUB', 'OCI_LAYOUT');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED');

-- CreateTable
CREATE TABLE "Registry" (
    "id" TEXT NOT NULL,
    "kind" "RegistryKind" NOT NULL,
    "url" TEXT NOT NULL,
    "insecure" BOOLEAN NOT NULL DEFAULT false,
    "username" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Registry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Organization" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "registryId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Organization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Repository" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),
    "lastPushedAt" TIMESTAMP(3),
    "grade" TEXT,
    "percent" DOUBLE PRECISION,
    "latestTagId" TEXT,
    "tagCount" INTEGER NOT NULL DEFAULT 0,
    "lastSyncError" TEXT,

    CONSTRAINT "Repository_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" TEXT NOT NULL,
    "repositoryId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastPushedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),
    "grade" TEXT,
    "percent" DOUBLE PRECISION,
    "syncError" TEXT,
    "syncErrorDigest" TEXT,
    "syncErrorAt" TIMESTAMP(3),

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TagDigest" (
    "id" TEXT NOT NULL,
    "tagId" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TagDigest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Manifest" (
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "isIndex" BOOLEAN NOT NULL,
    "size" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Manifest_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "ManifestImage" (
    "manifestDigest" TEXT NOT NULL,
    "imageDigest" TEXT NOT NULL,
    "platform" TEXT NOT NULL,

    CONSTRAINT "ManifestImage_pkey" PRIMARY KEY ("manifestDigest","imageDigest")
);

-- CreateTable
CREATE TABLE "Image" (
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "platform" TEXT NOT NULL,
    "os" TEXT NOT NULL,
    "architecture" TEXT NOT NULL,
    "variant" TEXT,
    "configDigest" TEXT NOT NULL,
    "user" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "created" TIMESTAMP(3),
    "compressedSize" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Image_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "Layer" (
    "digest" TEXT NOT NULL,
    "mediaType" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "diffId" TEXT,

    CONSTRAINT "Layer_pkey" PRIMARY KEY ("digest")
);

-- CreateTable
CREATE TABLE "ImageLayer" (
    "imageDigest" TEXT NOT NULL,
    "layerDigest" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "ImageLayer_pkey" PRIMARY KEY ("imageDigest","position")
);

-- CreateTable
CREATE TABLE "Attestation" (
    "id" TEXT NOT NULL,
    "imageDigest" TEXT NOT NULL,
    "manifestDigest" TEXT NOT NULL,
    "layerDigest" TEXT NOT NULL,
    "predicateType" TEXT NOT NULL,
    "provenanceMode" TEXT,

    CONSTRAINT "Attestation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScoreReport" (
    "id" TEXT NOT NULL,
    "imageDigest" TEXT NOT NULL,
    "engineVersion" TEXT NOT NULL,
    "policyConfigVersion" INTEGER NOT NULL,
    "advisorySnapshot" TEXT,
    "earned" INTEGER NOT NULL,
    "possible" INTEGER NOT NULL,
    "percent" DOUBLE PRECISION,
    "grade" TEXT,
    "results" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ScoreReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "repository" TEXT,
    "status" "SyncStatus" NOT NULL DEFAULT 'RUNNING',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "durationMs" INTEGER,
    "repositoriesSeen" INTEGER NOT NULL DEFAULT 0,
    "tagsSeen" INTEGER NOT NULL DEFAULT 0,
    "tagsChanged" INTEGER NOT NULL DEFAULT 0,
    "tagsUnchanged" INTEGER NOT NULL DEFAULT 0,
    "tagsDeleted" INTEGER NOT NULL DEFAULT 0,
    "imagesFetched" INTEGER NOT NULL DEFAULT 0,
    "requestCount" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Registry_kind_url_key" ON "Registry"("kind", "url");

-- CreateIndex
CREATE UNIQUE INDEX "Organization_name_key" ON "Organization"("name");

-- CreateIndex
CREATE INDEX "Repository_organizationId_deletedAt_name_idx" ON "Repository"("organizationId", "deletedAt", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Repository_organizationId_name_key" ON "Repository"("organizationId", "name");

-- CreateIndex
CREATE INDEX "Tag_digest_idx" ON "Tag"("digest");

-- CreateIndex
CREATE UNIQUE INDEX "Tag_repositoryId_name_key" ON "Tag"("repositoryId", "name");

-- CreateIndex
CREATE INDEX "TagDigest_tagId_seenAt_idx" ON "TagDigest"("tagId", "seenAt");

-- CreateIndex
CREATE INDEX "ManifestImage_imageDigest_idx" ON "ManifestImage"("imageDigest");

-- CreateIndex
CREATE INDEX "ImageLayer_layerDigest_idx" ON "ImageLayer"("layerDigest");

-- CreateIndex
CREATE UNIQUE INDEX "Attestation_imageDigest_layerDigest_key" ON "Attestation"("imageDigest", "layerDigest");

-- CreateIndex
CREATE INDEX "ScoreReport_imageDigest_createdAt_idx" ON "ScoreReport"("imageDigest", "createdAt");

-- CreateIndex
CREATE INDEX "SyncRun_organizationId_startedAt_idx" ON "SyncRun"("organizationId", "startedAt");

-- AddForeignKey
ALTER TABLE "Organization" ADD CONSTRAINT "Organization_registryId_fkey" FOREIGN KEY ("registryId") REFERENCES "Registry"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Repository" ADD CONSTRAINT "Repository_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Tag" ADD CONSTRAINT "Tag_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Tag" ADD CONSTRAINT "Tag_digest_fkey" FOREIGN KEY ("digest") REFERENCES "Manifest"("digest") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TagDigest" ADD CONSTRAINT "TagDigest_tagId_fkey" FOREIGN KEY ("tagId") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ManifestImage" ADD CONSTRAINT "ManifestImage_manifestDigest_fkey" FOREIGN KEY ("manifestDigest") REFERENCES "Manifest"("digest") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ManifestImage" ADD CONSTRAINT "ManifestImage_imageDigest_fkey" FOREIGN KEY ("imageDigest") REFERENCES "Image"("digest") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageLayer" ADD CONSTRAINT "ImageLayer_imageDigest_fkey" FOREIGN KEY ("imageDigest") REFERENCES "Image"("digest") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImageLayer" ADD CONSTRAINT "ImageLayer_layerDigest_fkey" FOREIGN KEY ("layerDigest") REFERENCES "Layer"("digest") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Attestation" ADD CONSTRAINT "Attestation_imageDigest_fkey" FOREIGN KEY ("imageDigest") REFERENCES "Image"("digest") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ScoreReport" ADD CONSTRAINT "ScoreReport_imageDigest_fkey" FOREIGN KEY ("imageDigest") REFERENCES "Image"("digest") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
