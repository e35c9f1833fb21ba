-- CreateEnum
CREATE TYPE "AnalysisStatus" AS ENUM ('PENDING', 'ANALYSED', 'FAILED');

-- AlterTable
ALTER TABLE "ScoreReport" ADD COLUMN     "cause" TEXT,
ADD COLUMN     "findings" JSONB NOT NULL DEFAULT '[]';

-- CreateTable
CREATE TABLE "LayerAnalysis" (
    "layerDigest" TEXT NOT NULL,
    "cataloger" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "result" JSONB NOT NULL,
    "files" BYTEA,
    "problems" JSONB NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LayerAnalysis_pkey" PRIMARY KEY ("layerDigest","cataloger")
);

-- CreateTable
CREATE TABLE "ImageAnalysis" (
    "imageDigest" TEXT NOT NULL,
    "status" "AnalysisStatus" NOT NULL DEFAULT 'PENDING',
    "reason" TEXT,
    "analyzerVersion" TEXT,
    "osId" TEXT,
    "osVersionId" TEXT,
    "osPrettyName" TEXT,
    "osEcosystem" TEXT,
    "osEndOfLife" TEXT,
    "packageCount" INTEGER NOT NULL DEFAULT 0,
    "problems" JSONB NOT NULL DEFAULT '[]',
    "blobFetches" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER,
    "analysedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ImageAnalysis_pkey" PRIMARY KEY ("imageDigest")
);

-- CreateTable
CREATE TABLE "ImagePackage" (
    "id" TEXT NOT NULL,
    "imageDigest" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "purl" TEXT NOT NULL,
    "license" TEXT,
    "licenseDeclared" TEXT[],
    "sourceName" TEXT,
    "sourceVersion" TEXT,
    "arch" TEXT,
    "path" TEXT NOT NULL,
    "layerDigest" TEXT,
    "ecosystem" TEXT,

    CONSTRAINT "ImagePackage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImagePackage_imageDigest_idx" ON "ImagePackage"("imageDigest");

-- CreateIndex
CREATE INDEX "ImagePackage_ecosystem_name_idx" ON "ImagePackage"("ecosystem", "name");

-- CreateIndex
CREATE INDEX "ImagePackage_ecosystem_sourceName_idx" ON "ImagePackage"("ecosystem", "sourceName");

-- AddForeignKey
ALTER TABLE "ImageAnalysis" ADD CONSTRAINT "ImageAnalysis_imageDigest_fkey" FOREIGN KEY ("imageDigest") REFERENCES "Image"("digest") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ImagePackage" ADD CONSTRAINT "ImagePackage_imageDigest_fkey" FOREIGN KEY ("imageDigest") REFERENCES "Image"("digest") ON DELETE CASCADE ON UPDATE CASCADE;
