-- AlterTable
ALTER TABLE "Registry" ADD COLUMN     "eventTokenSha256" TEXT,
ADD COLUMN     "hubApiUrl" TEXT,
ADD COLUMN     "sealedPassword" TEXT;
