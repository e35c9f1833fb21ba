-- AlterTable
ALTER TABLE "Attestation" ADD COLUMN     "details" JSONB;
