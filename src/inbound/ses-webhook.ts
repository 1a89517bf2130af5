// Amazon SES bounce and complaint notifications, delivered by SNS to POST /webhooks/ses
// (SES_SNS_TOPIC_ARN). Every payload must carry a valid SNS signature (sns-payload-validator: the
// signing certificate is fetched only from https://sns.<region>.amazonaws.com/…) and come from that
// one topic — a signature alone proves SNS sent it, not that it is your topic. Then:
//   SubscriptionConfirmation → its SubscribeURL is visited (the subscription starts)
//   Notification Bounce Permanent → hard bounce; Transient or Undetermined → soft bounce
//   Notification Complaint → complaint
// The delivery is named by the VERP address SES reports as mail.source, else by our Message-ID
// (delivery-<id>.<attempt>@host) in mail.commonHeaders. Answers 2xx once handled (SNS retries others).
import https from 'node:https';
import express, { Router } from 'express';
import Validator from 'sns-payload-validator';
import type { VerpSigner } from '../security/verp.ts';
import { handleInbound, type InboundDeps, type InboundEvent, type InboundTarget } from './handle-report.ts';

export interface SesWebhookDeps extends InboundDeps {
  topicArn: string;
  verp: VerpSigner | null;
  /** how the signing certificate and the SubscribeURL are fetched (tests: a local server) */
  agent?: https.Agent;
}

const SUBSCRIBE_URL = /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;
const OUR_MESSAGE_ID = /<?delivery-(\d+)\.(\d+)@[^>\s]+>?/;

interface SesMail {
  source?: string;
  messageId?: string;
  commonHeaders?: { messageId?: string };
}
interface SesRecipient {
  emailAddress?: string;
  status?: string;
  diagnosticCode?: string;
}
interface SesMessage {
  notificationType?: string;
  eventType?: string;
  mail?: SesMail;
  bounce?: { bounceType?: string; bounceSubType?: string; bouncedRecipients?: SesRecipient[] };
  complaint?: { complaintFeedbackType?: string; complainedRecipients?: SesRecipient[] };
}

function targetOf(verp: VerpSigner | null, mail: SesMail | undefined): InboundTarget | null {
  const read = verp && mail?.source ? verp.read(mail.source) : null;
  if (read && !('refused' in read)) return read.kind === 'bounce' ? { deliveryId: read.deliveryId, attempt: read.attempt } : { subscriberId: read.subscriberId };
  const m = OUR_MESSAGE_ID.exec(mail?.commonHeaders?.messageId ?? '');
  return m ? { deliveryId: Number(m[1]), attempt: Number(m[2]) } : null;
}

function visit(url: string, agent: https.Agent | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ...(agent ? { agent } : {}), timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject)
      .on('timeout', function (this: { destroy(e: Error): void }) {
        this.destroy(new Error('timed out'));
      });
  });
}

export function sesWebhookRouter(deps: SesWebhookDeps): Router {
  const validator = new Validator({ useCache: true, ...(deps.agent ? { requestAgent: deps.agent } : {}) });
  const router = Router();
  const refuse = (res: express.Response, status: number, reason: string, message: string, detail: Record<string, unknown> = {}) => {
    deps.metrics.inboundRefused(reason, 'ses');
    deps.log.warn({ event: 'inbound.refused', via: 'ses', reason, ...detail }, `refused an SNS notification: ${message}`);
    res.status(status).json({ error: { code: `INBOUND_${reason.toUpperCase()}`, message } });
  };

  // SNS posts JSON as text/plain
  router.post('/webhooks/ses', express.text({ type: () => true, limit: '256kb' }), async (req, res, next) => {
    try {
      let payload: Record<string, unknown>;
      try {
        payload = JSON.parse(typeof req.body === 'string' ? req.body : '') as Record<string, unknown>;
      } catch {
        return refuse(res, 400, 'malformed', 'the body is not an SNS message (JSON)');
      }
      try {
        await validator.validate(payload as unknown as Parameters<typeof validator.validate>[0]);
      } catch (err) {
        return refuse(res, 403, 'unsigned', `the SNS signature does not verify (${(err as Error).message})`);
      }
      if (payload.TopicArn !== deps.topicArn) return refuse(res, 403, 'wrong_topic', 'a notification of another SNS topic', { topicArn: payload.TopicArn });
      if (payload.Type === 'SubscriptionConfirmation') {
        const url = String(payload.SubscribeURL ?? '');
        if (!SUBSCRIBE_URL.test(url)) return refuse(res, 400, 'malformed', 'a SubscribeURL that is not of SNS');
        const status = await visit(url, deps.agent);
        deps.log.info({ event: 'inbound.ses_subscribed', topicArn: payload.TopicArn, status }, `confirmed the SNS subscription (${status})`);
        res.json({ subscribed: status >= 200 && status < 300 });
        return;
      }
      if (payload.Type !== 'Notification') {
        res.json({ ignored: payload.Type });
        return;
      }
      let message: SesMessage;
      try {
        message = JSON.parse(String(payload.Message)) as SesMessage;
      } catch {
        return refuse(res, 400, 'malformed', 'the SES notification is not JSON');
      }
      const type = message.notificationType ?? message.eventType;
      if (type !== 'Bounce' && type !== 'Complaint') {
        res.json({ ignored: type ?? null }); // Delivery, Send …: nothing to do
        return;
      }
      const target = targetOf(deps.verp, message.mail);
      if (!target) return refuse(res, 200, 'unknown_delivery', 'a notification about a message paperboy did not send', { sesMessageId: message.mail?.messageId });
      const recipient = (type === 'Bounce' ? message.bounce?.bouncedRecipients : message.complaint?.complainedRecipients)?.[0];
      const event: InboundEvent = {
        via: 'ses',
        kind: type === 'Complaint' ? 'complaint' : message.bounce?.bounceType === 'Permanent' ? 'hard_bounce' : 'soft_bounce',
        reportKey: `ses:${String(payload.MessageId)}`,
        target,
        recipient: recipient?.emailAddress ?? null,
        status: type === 'Complaint' ? (message.complaint?.complaintFeedbackType ?? 'abuse') : (recipient?.status ?? null),
        diagnostic: type === 'Bounce' ? (recipient?.diagnosticCode ?? `${message.bounce?.bounceType}/${message.bounce?.bounceSubType}`) : null,
      };
      const result = await handleInbound(deps, event);
      res.json({ handled: event.kind, duplicate: result.duplicate, changes: result.changes });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
