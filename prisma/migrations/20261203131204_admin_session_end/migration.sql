-- CreateTable
CREATE TABLE "admin_session_end" (
    "nonce" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "admin_session_end_pkey" PRIMARY KEY ("nonce")
);

-- CreateIndex
CREATE INDEX "admin_session_end_expires_at_idx" ON "admin_session_end"("expires_at");
