#!/usr/bin/env node
/** The simulator as a `dokku` executable: wires process stdio, env and exit code to `simulate`. */
import { simulate } from './simulate.js'

function onPipeError (err: NodeJS.ErrnoException): void {
  // The reader went away (`| head`, a closed log tail): stop quietly like a SIGPIPE'd shell.
  if (err.code === 'EPIPE') process.exit(141)
  process.exit(1)
}
process.stdout.on('error', onPipeError)
process.stderr.on('error', onPipeError)

let stdinBuffer = ''
let stdinEnded = false

function readLine (): Promise<string | null> {
  return new Promise((resolve) => {
    const take = (): boolean => {
      const nl = stdinBuffer.indexOf('\n')
      if (nl !== -1) {
        const line = stdinBuffer.slice(0, nl)
        stdinBuffer = stdinBuffer.slice(nl + 1)
        resolve(line)
        return true
      }
      if (stdinEnded) {
        const last = stdinBuffer
        stdinBuffer = ''
        resolve(last === '' ? null : last)
        return true
      }
      return false
    }
    if (take()) return
    const done = () => {
      if (!take()) return
      process.stdin.off('data', onData)
      process.stdin.off('end', onEnd)
      process.stdin.off('error', onEnd)
      process.stdin.pause()
    }
    const onData = (chunk: string) => { stdinBuffer += chunk; done() }
    const onEnd = () => { stdinEnded = true; done() }
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', onData)
    process.stdin.on('end', onEnd)
    process.stdin.on('error', onEnd)
    process.stdin.resume()
  })
}

const code = await simulate(process.argv.slice(2), process.env, {
  stdout: (s) => { process.stdout.write(s) },
  stderr: (s) => { process.stderr.write(s) },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  readLine
})
process.stdin.destroy()
// Let pending writes drain, then exit with dokku's code.
process.exitCode = code
