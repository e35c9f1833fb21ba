-- CreateTable
CREATE TABLE "AdvisorySnapshot" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "recordsAdded" INTEGER NOT NULL DEFAULT 0,
    "recordsUpdated" INTEGER NOT NULL DEFAULT 0,
    "recordsRemoved" INTEGER NOT NULL DEFAULT 0,
    "recordsSkipped" INTEGER NOT NULL DEFAULT 0,
    "recordsUnchanged" INTEGER NOT NULL DEFAULT 0,
    "problems" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "AdvisorySnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Advisory" (
    "id" TEXT NOT NULL,
    "modified" TIMESTAMP(3) NOT NULL,
    "published" TIMESTAMP(3),
    "aliases" TEXT[],
    "record" JSONB NOT NULL,
    "snapshotId" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Advisory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdvisoryPackage" (
    "advisoryId" TEXT NOT NULL,
    "ecosystem" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "AdvisoryPackage_pkey" PRIMARY KEY ("advisoryId","ecosystem","name")
);

-- CreateTable
CREATE TABLE "KnownExploitedVulnerability" (
    "cveId" TEXT NOT NULL,
    "vendorProject" TEXT,
    "product" TEXT,
    "dateAdded" TIMESTAMP(3),
    "knownRansomware" BOOLEAN NOT NULL DEFAULT false,
    "snapshotId" TEXT NOT NULL,

    CONSTRAINT "KnownExploitedVulnerability_pkey" PRIMARY KEY ("cveId")
);

-- CreateIndex
CREATE INDEX "AdvisoryPackage_ecosystem_name_idx" ON "AdvisoryPackage"("ecosystem", "name");

-- AddForeignKey
ALTER TABLE "AdvisoryPackage" ADD CONSTRAINT "AdvisoryPackage_advisoryId_fkey" FOREIGN KEY ("advisoryId") REFERENCES "Advisory"("id") ON DELETE CASCADE ON UPDATE CASCADE;
