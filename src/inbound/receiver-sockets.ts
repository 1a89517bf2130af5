// The bounce receiver's sockets, below smtp-server: counted per client from TCP accept (the one
// client over its share is answered 421 and closed before smtp-server sees it), and not read any
// further once the server has closed its side. smtp-server, when it closes a connection (a 552 or
// 452 cut in the middle of a message, a 421 for a client that talked too soon, timed out or was
// closed to make room), reads and drops whatever still arrives for 5 s: a client that ignores the
// close pushes hundreds of MB through that, each chunk garbage for V8 to collect (+54 MB RSS in
// the inbound benchmark). Here the socket is paused as soon as our side has ended — the client's
// writes stop at the TCP window — and destroyed a moment later, once the last reply had time to
// reach it.
import type { Server, Socket } from 'node:net';
import { ClientSockets, clientKey } from './connection-gate.ts';

/** how long a closed connection's last reply has to reach the client before its socket is destroyed */
const CLOSE_LINGER_MS = 1_000;

export class ReceiverSockets {
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
    if (accept.length !== 1)
      throw new Error(`smtp-server's net.Server has ${accept.length} connection listeners, expected 1: the per-client limit cannot be put in front`);
    net.removeAllListeners('connection');
    net.on('connection', (socket: Socket) => {
      const client = clientKey(socket.remoteAddress);
      if (!this.perClient.take(client)) {
        onRefused(socket);
        socket.on('error', () => undefined);
        socket.once('finish', () => hangUp(socket));
        socket.end('421 4.7.0 too many connections from your address, try again later\r\n');
        return;
      }
      socket.once('close', () => this.perClient.release(client));
      socket.once('finish', () => hangUp(socket)); // smtp-server closed the connection
      accept[0]!.call(net, socket);
    });
  }
}

/** Our side has ended: read no more, and destroy the socket once the last reply had time to arrive. */
function hangUp(socket: Socket): void {
  socket.pause();
  setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
}
