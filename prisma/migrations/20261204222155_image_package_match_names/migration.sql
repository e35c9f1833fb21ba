-- DropIndex
DROP INDEX "ImagePackage_ecosystem_name_idx";

-- DropIndex
DROP INDEX "ImagePackage_ecosystem_sourceName_idx";

-- AlterTable
ALTER TABLE "ImagePackage" ADD COLUMN     "matchNames" TEXT[];

-- CreateIndex
CREATE INDEX "ImagePackage_matchNames_idx" ON "ImagePackage" USING GIN ("matchNames");
