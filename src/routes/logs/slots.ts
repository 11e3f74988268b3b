/**
 * Live log tails in this process. Each tail is a dokku process (and its docker children) for as
 * long as a tab stays open, so their number is capped: a forgotten pile of tabs, or a script,
 * cannot fill the host with them. Shared by every app instance in the process, as the processes are.
 */
export const tailSlots = {
  /** At most this many tails at once. */
  limit: 20,
  active: 0,

  acquire (): boolean {
    if (this.active >= this.limit) return false
    this.active++
    return true
  },

  release (): void {
    if (this.active > 0) this.active--
  }
}
