-- DropTable
DROP TABLE "job_lease";
