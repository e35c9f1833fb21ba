-- AlterTable
ALTER TABLE "Registry" ADD COLUMN     "syncIntervalMinutes" INTEGER;
