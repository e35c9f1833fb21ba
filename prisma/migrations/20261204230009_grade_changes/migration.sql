-- AlterTable
ALTER TABLE "Repository" ADD COLUMN     "failingPolicies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "Tag" ADD COLUMN     "failingPolicies" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "GradeChange" (
    "id" TEXT NOT NULL,
    "repositoryId" TEXT NOT NULL,
    "tagId" TEXT,
    "digest" TEXT,
    "fromGrade" TEXT,
    "toGrade" TEXT,
    "fromPercent" DOUBLE PRECISION,
    "toPercent" DOUBLE PRECISION,
    "cause" TEXT NOT NULL,
    "causeIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "changedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "GradeChange_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "GradeChange_repositoryId_changedAt_idx" ON "GradeChange"("repositoryId", "changedAt");

-- CreateIndex
CREATE INDEX "GradeChange_tagId_changedAt_idx" ON "GradeChange"("tagId", "changedAt");

-- CreateIndex
CREATE INDEX "GradeChange_changedAt_idx" ON "GradeChange"("changedAt");

-- CreateIndex
CREATE INDEX "Repository_failingPolicies_idx" ON "Repository" USING GIN ("failingPolicies");

-- AddForeignKey
ALTER TABLE "GradeChange" ADD CONSTRAINT "GradeChange_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;
