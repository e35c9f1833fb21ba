-- AlterTable
ALTER TABLE "Image" ADD COLUMN     "annotations" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "baseImageDigest" TEXT,
ADD COLUMN     "baseImageReason" TEXT,
ADD COLUMN     "baseImageReference" TEXT,
ADD COLUMN     "baseImageSource" TEXT;
