-- AlterTable
ALTER TABLE "ScoreReport" ADD COLUMN     "causeIds" TEXT[] DEFAULT ARRAY[]::TEXT[];
