-- AlterEnum
ALTER TYPE "SubscriberStatus" ADD VALUE 'erased';

-- AlterTable
ALTER TABLE "subscriber" ADD COLUMN     "erased_at" TIMESTAMPTZ(3);

-- Nothing that names an erased subscriber is ever added again (src/db/erase-subscriber.ts): a row for
-- one — a delivery planned by a digest that read its subscribers before the erase, a feedback mark, a
-- reader model, a subscription email, a bounce report, a mailed paper — is not inserted. The lock
-- (FOR KEY SHARE, what the foreign key check takes anyway) waits for an erase under way to commit,
-- and then reads the erased row.
CREATE FUNCTION "paperboy_skip_erased"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current "SubscriberStatus";
BEGIN
  IF NEW."subscriber_id" IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT "status" INTO current FROM "subscriber" WHERE "id" = NEW."subscriber_id" FOR KEY SHARE;
  IF current = 'erased' THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "delivery_skip_erased" BEFORE INSERT ON "delivery" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();
CREATE TRIGGER "mailed_paper_skip_erased" BEFORE INSERT ON "mailed_paper" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();
CREATE TRIGGER "feedback_skip_erased" BEFORE INSERT ON "feedback" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();
CREATE TRIGGER "reader_model_skip_erased" BEFORE INSERT ON "reader_model" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();
CREATE TRIGGER "subscription_mail_skip_erased" BEFORE INSERT ON "subscription_mail" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();
CREATE TRIGGER "inbound_report_skip_erased" BEFORE INSERT ON "inbound_report" FOR EACH ROW EXECUTE FUNCTION "paperboy_skip_erased"();
