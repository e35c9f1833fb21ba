-- AlterTable
ALTER TABLE "VulnerabilityException" ADD COLUMN     "expiryRegradedAt" TIMESTAMP(3);
