// Real-shaped reports, as the MTAs named write them (after the examples of RFC 3464 and RFC 5965 and
// the layouts of Postfix's bounce(8), Exim's default bounce, Gmail's and Exchange Online's NDRs).
// Each returns the raw message with CRLF line ends; `returned` is the header block of our message
// that the report quotes (its Return-Path carries the VERP address).

export interface Returned {
  /** our envelope sender: bounces+<token>@BOUNCE_DOMAIN */
  returnPath: string;
  to: string;
  messageId: string;
}

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

function returnedHeaders(r: Returned): string {
  return `Return-Path: <${r.returnPath}>
Received: from papers.example.org (papers.example.org [198.51.100.7])
	by mx.example.net (Postfix) with ESMTPS id 4ZxQ2k1Lrmz9sWd
	for <${r.to}>; Mon, 30 Nov 2026 07:00:02 +0000 (UTC)
From: paperboy <digest@papers.example.org>
To: ${r.to}
Subject: paperboy: 3 new papers
Message-ID: <${r.messageId}>
Date: Mon, 30 Nov 2026 07:00:01 +0000
List-Unsubscribe-Post: List-Unsubscribe=One-Click
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="--_NmP-abc"`;
}

/** Postfix: 550 5.1.1 user unknown at the remote MX, the returned headers as text/rfc822-headers. */
export function postfixHardBounce(r: Returned): string {
  return crlf(`Return-Path: <>
Received: by mx.example.net (Postfix) id 4ZxQ2k1Lrmz9sWe; Mon, 30 Nov 2026 07:00:03 +0000 (UTC)
Date: Mon, 30 Nov 2026 07:00:03 +0000 (UTC)
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ${r.returnPath}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4ZxQ2k1Lrmz9sWe.1764486003/mx.example.net"
Content-Transfer-Encoding: 8bit
Message-Id: <20261130070003.4ZxQ2k1Lrmz9sWe@mx.example.net>

This is a MIME-encapsulated message.

--4ZxQ2k1Lrmz9sWe.1764486003/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<${r.to}>: host mail.example.org[192.0.2.25] said: 550 5.1.1
    <${r.to}>: Recipient address rejected: User unknown in local recipient
    table (in reply to RCPT TO command)

--4ZxQ2k1Lrmz9sWe.1764486003/mx.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 4ZxQ2k1Lrmz9sWd
X-Postfix-Sender: rfc822; ${r.returnPath}
Arrival-Date: Mon, 30 Nov 2026 07:00:02 +0000 (UTC)

Final-Recipient: rfc822; ${r.to}
Original-Recipient: rfc822;${r.to}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.example.org
Diagnostic-Code: smtp; 550 5.1.1 <${r.to}>: Recipient address rejected: User
    unknown in local recipient table

--4ZxQ2k1Lrmz9sWe.1764486003/mx.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

${returnedHeaders(r)}

--4ZxQ2k1Lrmz9sWe.1764486003/mx.example.net--
`);
}

/** Exim 4.9x: a disabled account, the whole message returned as message/rfc822. */
export function eximHardBounce(r: Returned): string {
  return crlf(`Return-path: <>
Received: from Debian-exim by mx2.example.net with local (Exim 4.97)
	id 1vQ2aB-000123-4x
	for ${r.returnPath}; Mon, 30 Nov 2026 07:00:04 +0000
X-Failed-Recipients: ${r.to}
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mx2.example.net>
To: ${r.returnPath}
Content-Type: multipart/report; report-type=delivery-status; boundary=1764486004-eximdsn-1804289383
MIME-Version: 1.0
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1vQ2aB-000123-4x@mx2.example.net>
Date: Mon, 30 Nov 2026 07:00:04 +0000

--1764486004-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  ${r.to}
    host mail.example.org [192.0.2.26]
    SMTP error from remote mail server after RCPT TO:<${r.to}>:
    550 5.2.1 The email account that you tried to reach is disabled.

--1764486004-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; mx2.example.net

Action: failed
Final-Recipient: rfc822;${r.to}
Status: 5.0.0
Remote-MTA: dns; mail.example.org
Diagnostic-Code: smtp; 550 5.2.1 The email account that you tried to reach is disabled.

--1764486004-eximdsn-1804289383
Content-type: message/rfc822

${returnedHeaders(r)}

----_NmP-abc
Content-Type: text/plain; charset=utf-8

Your digest.
----_NmP-abc--

--1764486004-eximdsn-1804289383--
`);
}

/** Gmail: "Delivery Status Notification (Failure)", an HTML and a text part, 5.1.1 does not exist. */
export function gmailHardBounce(r: Returned): string {
  return crlf(`Return-Path: <>
Received: by 2002:a05:6a10:8c0a:b0:5a1:2b3c:4d5e with SMTP id x10csp123456pxb;
        Mon, 30 Nov 2026 07:00:05 -0800 (PST)
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: ${r.returnPath}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: <${r.messageId}>
In-Reply-To: <${r.messageId}>
X-Failed-Recipients: ${r.to}
Message-ID: <6653a1f2.050a0220.1b2c3.4d5eGMR@mx.google.com>
Date: Mon, 30 Nov 2026 07:00:05 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000a1b2c3d4e5f60718"; report-type=delivery-status

--000000000000a1b2c3d4e5f60718
Content-Type: multipart/related; boundary="000000000000a1b2c3d4e5f60719"

--000000000000a1b2c3d4e5f60719
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6071a"

--000000000000a1b2c3d4e5f6071a
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to ${r.to} because the address couldn't be found, or is unable to receive mail.

The response from the remote server was:
550 5.1.1 The email account that you tried to reach does not exist.

--000000000000a1b2c3d4e5f6071a
Content-Type: text/html; charset="UTF-8"

<html><body><h2>Address not found</h2><p>Your message wasn't delivered to <a>${r.to}</a>.</p></body></html>

--000000000000a1b2c3d4e5f6071a--
--000000000000a1b2c3d4e5f60719--

--000000000000a1b2c3d4e5f60718
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; papers.example.org
Arrival-Date: Mon, 30 Nov 2026 07:00:04 -0800 (PST)
X-Original-Message-ID: <${r.messageId}>

Final-Recipient: rfc822; ${r.to}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.27.26, the server for
 the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
 not exist. Please try double-checking the recipient's email address for typos
 or unnecessary spaces. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser
Last-Attempt-Date: Mon, 30 Nov 2026 07:00:05 -0800 (PST)

--000000000000a1b2c3d4e5f60718
Content-Type: message/rfc822

${returnedHeaders(r)}

----_NmP-abc--

--000000000000a1b2c3d4e5f60718--
`);
}

/** Gmail's delay notice: Action delayed, 4.4.1 — still trying, nothing changes. */
export function gmailDelay(r: Returned): string {
  return gmailHardBounce(r)
    .replace('Delivery Status Notification (Failure)', 'Delivery Status Notification (Delay)')
    .replace('Action: failed\r\nStatus: 5.1.1', 'Action: delayed\r\nStatus: 4.4.1')
    .replace('Message-ID: <6653a1f2', 'Message-ID: <delay6653a1f2');
}

/** Exchange Online: "Undeliverable:", mailbox full (5.2.2) — a soft bounce, counted towards BOUNCE_LIMIT. */
export function outlookMailboxFull(r: Returned, id = 'AM0PR01MB1234'): string {
  return crlf(`Return-Path: <>
From: postmaster@outlook.com
To: ${r.returnPath}
Date: Mon, 30 Nov 2026 07:00:06 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
Message-ID: <${id}.eurprd01.prod.exchangelabs.com>
In-Reply-To: <${r.messageId}>
References: <${r.messageId}>
Subject: Undeliverable: paperboy: 3 new papers
Auto-Submitted: auto-replied

--5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
Content-Type: multipart/alternative; differences=Content-Type;
	boundary="b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e"

--b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e
Content-Type: text/plain; charset="us-ascii"

Your message to ${r.to} couldn't be delivered.
The recipient's mailbox is full and can't accept messages now.

--b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e
Content-Type: text/html; charset="us-ascii"

<html><body><p>Your message to ${r.to} couldn't be delivered.</p></body></html>

--b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e--

--5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
Content-Type: message/delivery-status

Reporting-MTA: dns;${id}.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;papers.example.org
Arrival-Date: Mon, 30 Nov 2026 07:00:05 +0000

Original-Recipient: rfc822;${r.to}
Final-Recipient: rfc822;${r.to}
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp;554 5.2.2 mailbox full;
 STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded
X-Display-Name: Reader

--5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
Content-Type: text/rfc822-headers

${returnedHeaders(r)}

--5f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b--
`);
}

/** An ARF complaint (RFC 5965 §B.2), as a mailbox provider's feedback loop sends it. */
export function arfComplaint(r: Returned, { originalMailFrom = r.returnPath, id = '20261130.abuse.1' } = {}): string {
  return crlf(`From: <staff@hotmail.example>
Date: Mon, 30 Nov 2026 09:40:36 +0000
Subject: complaint about message from 198.51.100.7
To: <complaints@bounce.papers.example.org>
Message-ID: <${id}@feedback.hotmail.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
     boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
198.51.100.7 on Mon, 30 Nov 2026 07:00:02 +0000.  For more
information about this format please see http://www.mipassoc.org/arf/.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <${originalMailFrom}>
Original-Rcpt-To: <${r.to}>
Arrival-Date: Mon, 30 Nov 2026 07:00:02 +0000
Reporting-MTA: dns; mail.hotmail.example
Source-IP: 198.51.100.7
Authentication-Results: mail.hotmail.example;
               spf=pass smtp.mail=${originalMailFrom}
Reported-Domain: papers.example.org

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

${returnedHeaders({ ...r, returnPath: originalMailFrom })}

----_NmP-abc--

--part1_13d.2e68ed54_boundary--
`);
}

/** What a reader's mail client sends to the mailto: of List-Unsubscribe. */
export function mailtoUnsubscribe(from: string, to: string): string {
  return crlf(`From: ${from}
To: ${to}
Subject: unsubscribe
Message-ID: <mailto-${Math.random().toString(36).slice(2)}@example.org>
Date: Mon, 30 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

This message will unsubscribe you from paperboy.
`);
}

/** An out-of-office reply sent to the return path: not a report. */
export function autoReply(r: Returned): string {
  return crlf(`From: ${r.to}
To: ${r.returnPath}
Subject: Out of office: paperboy: 3 new papers
Auto-Submitted: auto-replied
Message-ID: <ooo-1@example.org>
Date: Mon, 30 Nov 2026 07:00:09 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

I am away until Monday.
`);
}
