/** What the registry needs of a websocket (ws's WebSocket has it). */
export interface SessionSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed (the WebSocket standard's values). */
  readonly readyState: number
  close (code?: number, reason?: string): void
  once (event: 'close', listener: () => void): unknown
}

/** The close code a socket gets when its session ends (4000–4999 are the application's). */
export const SESSION_ENDED_CODE = 4401

/**
 * The open websockets (job streams, log tails) of each session, so that ending a session
 * closes them too. Bounded by the open sockets: each one leaves when it closes, and a session
 * leaves with its last socket.
 */
export class SessionSockets {
  private readonly bySession = new Map<string, Set<SessionSocket>>()

  add (sid: string, socket: SessionSocket): void {
    if (socket.readyState > 1) return
    let sockets = this.bySession.get(sid)
    if (!sockets) this.bySession.set(sid, sockets = new Set())
    sockets.add(socket)
    socket.once('close', () => {
      const current = this.bySession.get(sid)
      if (!current) return
      current.delete(socket)
      if (current.size === 0) this.bySession.delete(sid)
    })
  }

  /** Closes the sockets of one session; returns how many. */
  close (sid: string, reason: string): number {
    const sockets = this.bySession.get(sid)
    if (!sockets) return 0
    this.bySession.delete(sid)
    for (const socket of sockets) socket.close(SESSION_ENDED_CODE, reason)
    return sockets.size
  }

  /** Closes every registered socket; returns how many. */
  closeAll (reason: string): number {
    let closed = 0
    for (const sid of [...this.bySession.keys()]) closed += this.close(sid, reason)
    return closed
  }

  /** Open sockets registered. */
  get size (): number {
    let n = 0
    for (const sockets of this.bySession.values()) n += sockets.size
    return n
  }
}
