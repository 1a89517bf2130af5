// The bounce receiver's sockets, below smtp-server: counted per client from TCP accept (the one
// client over its share is answered 421 and closed before smtp-server sees it), and stopped on
// demand — a connection cut in the middle of a message is not read any further.
import type { Server, Socket } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import { ClientSockets, clientKey } from './connection-gate.ts';

type Connection = SMTPServer['connections'] extends Set<infer C> ? C : never;

/** how long a cut connection's reply has to reach the client before its socket is destroyed */
const CUT_LINGER_MS = 1_000;

export class ReceiverSockets {
  private readonly accepted = new Set<Socket>();
  private readonly perClient: ClientSockets;

  constructor(maxPerClient: number) {
    this.perClient = new ClientSockets(maxPerClient);
  }

  /**
   * Puts the per-client count in front of smtp-server's accept handler (the one 'connection'
   * listener of its net.Server). Throws if smtp-server ever accepts otherwise, rather than letting
   * every socket through uncounted.
   */
  guard(net: Server, onRefused: (socket: Socket) => void): void {
    const accept = net.listeners('connection') as Array<(socket: Socket) => void>;
    if (accept.length !== 1) throw new Error(`smtp-server's net.Server has ${accept.length} connection listeners, expected 1: the per-client limit cannot be put in front`);
    net.removeAllListeners('connection');
    net.on('connection', (socket: Socket) => {
      const client = clientKey(socket.remoteAddress);
      if (!this.perClient.take(client)) {
        onRefused(socket);
        socket.on('error', () => undefined);
        socket.setTimeout(5_000, () => socket.destroy()); // a client that never closes its side
        socket.end('421 4.7.0 too many connections from your address, try again later\r\n');
        socket.resume(); // read (and drop) until the client's FIN
        return;
      }
      this.accepted.add(socket);
      socket.once('close', () => {
        this.perClient.release(client);
        this.accepted.delete(socket);
      });
      accept[0]!.call(net, socket);
    });
  }

  /**
   * Stops reading a connection smtp-server has just closed, and destroys its socket a moment later,
   * once the last reply has had time to reach the client. smtp-server alone would read and drop
   * what still arrives for 5 s: a client that ignores the reply pushes hundreds of MB through that,
   * each chunk garbage to collect. (Found by port and client: smtp-server gives no socket.)
   */
  stopReading(connection: Connection): void {
    const sockets = [...this.accepted].filter((s) => s.remotePort === connection.remotePort && clientKey(s.remoteAddress) === clientKey(connection.remoteAddress));
    if (sockets.length !== 1) return; // not told apart (two hosts of one /56 on one port): smtp-server's close alone
    const socket = sockets[0]!;
    socket.pause();
    setTimeout(() => socket.destroy(), CUT_LINGER_MS).unref();
  }
}
