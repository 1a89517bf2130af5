-- CreateEnum
CREATE TYPE "SubscriptionMailKind" AS ENUM ('confirmation', 'preferences_link', 'preferences_changed');

-- CreateEnum
CREATE TYPE "SubscriptionMailStatus" AS ENUM ('queued', 'sending', 'sent', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "subscription_mail" (
    "id" SERIAL NOT NULL,
    "subscriber_id" INTEGER NOT NULL,
    "kind" "SubscriptionMailKind" NOT NULL,
    "nonce" TEXT,
    "status" "SubscriptionMailStatus" NOT NULL DEFAULT 'queued',
    "tries" INTEGER NOT NULL DEFAULT 0,
    "next_try_at" TIMESTAMPTZ(3) NOT NULL,
    "claimed_at" TIMESTAMPTZ(3),
    "claimed_by" TEXT,
    "message_id" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "subscription_mail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "subscription_mail_status_next_try_at_idx" ON "subscription_mail"("status", "next_try_at");

-- CreateIndex
CREATE INDEX "subscription_mail_subscriber_id_idx" ON "subscription_mail"("subscriber_id");

-- AddForeignKey
ALTER TABLE "subscription_mail" ADD CONSTRAINT "subscription_mail_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE CASCADE ON UPDATE CASCADE;
