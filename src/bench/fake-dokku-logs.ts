/**
 * A dokku for the log-tail part of the bench: `logs <app> --tail` prints log lines in dokku's
 * format as fast as the pipe takes them, forever (until killed), so that the figure is what
 * Docklight can deliver, not what the simulator's pacing allows. `version` answers as dokku
 * 0.38 does; anything else is refused as an unknown command.
 */
const [command] = process.argv.slice(2)

if (command === 'version') {
  process.stdout.write('dokku version 0.38.27\n')
} else if (command === 'logs') {
  let n = 0
  const batch = (): void => {
    let chunk = ''
    for (let i = 0; i < 512; i++, n++) {
      const ts = new Date(Date.UTC(2026, 0, 1) + n).toISOString().replace('Z', '000000Z')
      chunk += `\x1b[36m${ts} app[web.${1 + (n % 2)}]:\x1b[0m 10.0.0.${n % 250} - - "GET /api/items/${n} HTTP/1.1" 200 ${512 + (n % 900)} "-" "curl/8.5.0" ${n % 97} ms\n`
    }
    if (process.stdout.write(chunk)) setImmediate(batch)
    else process.stdout.once('drain', batch)
  }
  process.stdout.on('error', () => process.exit(0))
  batch()
} else {
  process.stderr.write(` !     \`${command ?? ''}\` is not a dokku command.\n`)
  process.exitCode = 1
}
