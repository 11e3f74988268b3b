/** RFC 4180, strictly: the test's own reader, so the export is checked by something other than itself. */
export function parseCsv (text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let i = 0
  while (i < text.length) {
    let cell = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote')
        if (text[i] === '"' && text[i + 1] === '"') { cell += '"'; i += 2 } else if (text[i] === '"') { i++; break } else cell += text[i++]
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`)
        cell += text[i++]
      }
    }
    record.push(cell)
    if (text[i] === ',') { i++; continue }
    if (text.slice(i, i + 2) !== '\r\n') throw new Error(`expected CRLF at ${i}`)
    i += 2
    records.push(record)
    record = []
  }
  return records
}
