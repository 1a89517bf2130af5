// Amazon SES bounce and complaint notifications, delivered by SNS to POST /webhooks/ses
// (SES_SNS_TOPIC_ARN). Every payload must carry a valid SNS signature (sns-payload-validator: the
// signing certificate is fetched only from https://sns.<region>.amazonaws.com/…) and come from that
// one topic — a signature alone proves SNS sent it, not that it is your topic. Then:
//   SubscriptionConfirmation → its SubscribeURL is visited (the subscription starts)
//   Notification Bounce or Complaint → read by ses-notification.ts, handled by handle-report.ts
// Only a notification about paperboy's own mail changes anything: a delivery named by its signed VERP
// return path or its exact Message-ID, and a recipient that is that delivery's subscriber. Anything
// else is refused (`inbound.refused`, reason unknown_delivery or wrong_recipient) with a 200, so SNS
// does not send it again. Answers 2xx once handled or refused for good (SNS retries others).
import https from 'node:https';
import express, { Router } from 'express';
import Validator from 'sns-payload-validator';
import { handleInbound, type InboundDeps, type InboundEvent } from './handle-report.ts';
import { readSesNotification, type OurMail, type SesMessage } from './ses-notification.ts';

export interface SesWebhookDeps extends InboundDeps, OurMail {
  topicArn: string;
  /** how the signing certificate and the SubscribeURL are fetched (tests: a local server) */
  agent?: https.Agent;
}

const SUBSCRIBE_URL = /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

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
        const url = typeof payload.SubscribeURL === 'string' ? payload.SubscribeURL : '';
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
      const reading = readSesNotification(message, deps);
      if (reading.type === 'ignored') {
        res.json({ ignored: reading.notificationType }); // Delivery, Send …: nothing to do
        return;
      }
      const about = { sesMessageId: message.mail?.messageId, messageId: message.mail?.commonHeaders?.messageId };
      if (reading.type === 'unknown_delivery') return refuse(res, 200, 'unknown_delivery', 'a notification about a message paperboy did not send', about);
      const event: InboundEvent = {
        via: 'ses',
        kind: reading.kind,
        reportKey: `ses:${String(payload.MessageId)}`,
        target: reading.target,
        about: reading.about,
      };
      const result = await handleInbound(deps, event);
      if (result.refused === 'unknown_delivery') return refuse(res, 200, 'unknown_delivery', 'a notification naming a delivery that does not exist', about);
      if (result.refused === 'erased')
        return refuse(res, 200, 'erased', 'a notification about a subscriber whose data was erased: not stored', { ...about, deliveryId: result.deliveryId });
      if (result.refused === 'wrong_recipient') {
        return refuse(res, 200, 'wrong_recipient', "a notification whose recipient is not that delivery's subscriber", {
          ...about,
          deliveryId: result.deliveryId,
          subscriberId: result.subscriberId,
        });
      }
      res.json({ handled: event.kind, duplicate: result.duplicate, changes: result.changes });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
