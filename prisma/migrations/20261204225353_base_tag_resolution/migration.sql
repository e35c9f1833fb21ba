-- CreateTable
CREATE TABLE "BaseTagResolution" (
    "reference" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "digest" TEXT,
    "equivalentDigests" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "reason" TEXT,
    "resolvedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BaseTagResolution_pkey" PRIMARY KEY ("reference")
);
