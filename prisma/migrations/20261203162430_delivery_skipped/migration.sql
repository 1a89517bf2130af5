-- AlterEnum
ALTER TYPE "DeliveryStatus" ADD VALUE 'skipped';
