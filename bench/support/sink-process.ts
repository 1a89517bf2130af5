// A minimal SMTP sink for benchmarks, in its own process: accepts everything, parses nothing,
// counts messages per recipient and notes the time of the first and last message.
// Prints {"port": …} when listening; answers "stats" / "reset" messages on IPC.
import { SMTPServer } from 'smtp-server';

let count = 0;
let first = 0;
let last = 0;
const perRecipient = new Map<string, number>();

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 1000,
  onConnect(socket, callback) {
    callback();
  },
  onData(stream, session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      const now = performance.now();
      if (count === 0) first = now;
      last = now;
      count++;
      for (const r of session.envelope.rcptTo) perRecipient.set(r.address, (perRecipient.get(r.address) ?? 0) + 1);
      callback(null, 'Ok: queued');
    });
  },
});
server.on('error', () => undefined);

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('message', (msg: string) => {
  if (msg === 'stats') {
    let duplicates = 0;
    for (const n of perRecipient.values()) if (n > 1) duplicates += n - 1;
    process.send?.({ count, recipients: perRecipient.size, duplicates, spanMs: last - first });
  } else if (msg === 'reset') {
    count = 0;
    first = last = 0;
    perRecipient.clear();
    process.send?.({ reset: true });
  } else if (msg === 'exit') {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  }
});
