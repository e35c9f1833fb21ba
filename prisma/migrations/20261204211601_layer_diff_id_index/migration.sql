-- CreateIndex
CREATE INDEX "Layer_diffId_idx" ON "Layer"("diffId");
