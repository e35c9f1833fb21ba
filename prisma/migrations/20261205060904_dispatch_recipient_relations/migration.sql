-- Dispatches of webhooks and users deleted before these keys existed would break the next delivery.
DELETE FROM "NotificationDispatch" WHERE "webhookId" IS NOT NULL AND "webhookId" NOT IN (SELECT "id" FROM "NotificationWebhook");
DELETE FROM "NotificationDispatch" WHERE "userId" IS NOT NULL AND "userId" NOT IN (SELECT "id" FROM "User");

-- AddForeignKey
ALTER TABLE "NotificationDispatch" ADD CONSTRAINT "NotificationDispatch_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "NotificationWebhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDispatch" ADD CONSTRAINT "NotificationDispatch_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
