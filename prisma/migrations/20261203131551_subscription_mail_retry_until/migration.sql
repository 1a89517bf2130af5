-- AlterTable
-- A subscription mail is tried again until retry_until: 7 days after it was queued (as long as a
-- confirm link works). Mails already queued get theirs from their creation; failed ones keep their
-- status (an operator can re-send them: `paperboy subscription-mails resend <id>`, the dashboard).
ALTER TABLE "subscription_mail" ADD COLUMN     "retry_until" TIMESTAMPTZ(3);
UPDATE "subscription_mail" SET "retry_until" = "created_at" + interval '7 days';
ALTER TABLE "subscription_mail" ALTER COLUMN "retry_until" SET NOT NULL;
