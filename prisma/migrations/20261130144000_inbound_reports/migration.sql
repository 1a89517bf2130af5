-- CreateEnum
CREATE TYPE "InboundKind" AS ENUM ('hard_bounce', 'soft_bounce', 'delayed', 'complaint', 'unsubscribe');

-- AlterEnum
ALTER TYPE "DeliveryStatus" ADD VALUE 'bounced';

-- CreateTable
CREATE TABLE "inbound_report" (
    "id" SERIAL NOT NULL,
    "via" TEXT NOT NULL,
    "kind" "InboundKind" NOT NULL,
    "report_key" TEXT NOT NULL,
    "delivery_id" INTEGER,
    "subscriber_id" INTEGER,
    "recipient" TEXT,
    "status" TEXT,
    "diagnostic" TEXT,
    "outcome" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_report_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "inbound_report_report_key_key" ON "inbound_report"("report_key");

-- CreateIndex
CREATE INDEX "inbound_report_subscriber_id_idx" ON "inbound_report"("subscriber_id");

-- CreateIndex
CREATE INDEX "inbound_report_delivery_id_idx" ON "inbound_report"("delivery_id");

-- CreateIndex
CREATE INDEX "inbound_report_kind_received_at_idx" ON "inbound_report"("kind", "received_at");

-- AddForeignKey
ALTER TABLE "inbound_report" ADD CONSTRAINT "inbound_report_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "delivery"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_report" ADD CONSTRAINT "inbound_report_subscriber_id_fkey" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE SET NULL ON UPDATE CASCADE;
