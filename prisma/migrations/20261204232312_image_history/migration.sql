-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "history" JSONB NOT NULL DEFAULT '[]';
