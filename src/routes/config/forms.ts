import { Type, type Static } from 'typebox'
import * as config from '../../services/config.js'
import { InvalidArgumentError } from '../../services/errors.js'

/**
 * The Config tab's forms: their request schemas, what each form shows (as typed, with its
 * errors), and reading a posted form into either a change to make or the form to show again.
 */

type RowMode = 'masked' | 'revealed' | 'edit' | 'remove'

/** One variable's row; `value` only in the revealed and edit modes. */
export interface RowView {
  key: string
  mode: RowMode
  value?: string
  noRestart?: boolean
  error?: string
}

export interface AddFormView {
  key: string
  value: string
  noRestart: boolean
  errors: { key?: string; value?: string }
}

export interface BulkFormView {
  text: string
  noRestart: boolean
  /** Line errors from the parser; nothing was set. */
  lines: config.EnvBlockError[]
  /** About the block as a whole (empty, too many bad lines). */
  error?: string
}

/** A form shown open: refused as invalid (as the user sent it, with its errors), or a row opened without script. */
export type FormState =
  | { kind: 'add'; add: AddFormView }
  | { kind: 'bulk'; bulk: BulkFormView }
  | { kind: 'row'; row: RowView }

/** The partial that shows each kind of form on its own. */
export const PARTIAL = { add: 'config-add-form', bulk: 'config-bulk-form', row: 'config-row' } as const

export const KeyQuery = Type.Object({ key: Type.String({ maxLength: 300 }) })
export type KeyQuery = Static<typeof KeyQuery>

export const SetBody = Type.Object({
  form: Type.Optional(Type.String({ maxLength: 10 })),
  key: Type.Optional(Type.String()),
  value: Type.Optional(Type.String()),
  no_restart: Type.Optional(Type.String({ maxLength: 10 }))
})
export type SetBody = Static<typeof SetBody>

export const BulkBody = Type.Object({
  env: Type.Optional(Type.String()),
  no_restart: Type.Optional(Type.String({ maxLength: 10 }))
})
export type BulkBody = Static<typeof BulkBody>

export const UnsetBody = Type.Object({
  key: Type.Optional(Type.String()),
  no_restart: Type.Optional(Type.String({ maxLength: 10 }))
})
export type UnsetBody = Static<typeof UnsetBody>

/** The most line errors a bulk form lists; the rest are counted. */
const MAX_LINE_ERRORS = 20

export const blankAdd = (): AddFormView => ({ key: '', value: '', noRestart: false, errors: {} })
export const blankBulk = (): BulkFormView => ({ text: '', noRestart: false, lines: [] })

export const isChecked = (v: string | undefined) => v === '1' || v === 'on' || v === 'true'

/**
 * Browsers submit a textarea's line breaks as CRLF whatever was typed or pasted; the value
 * meant is the text with plain newlines. A lone CR (which no textarea can hold) is kept.
 */
const fromTextarea = (v: string | undefined) => (v ?? '').replace(/\r\n/g, '\n')

/** A posted form: the variables to set, or the form again with what is wrong. */
export type Posted =
  | { ok: true; vars: Record<string, string>; noRestart: boolean }
  | { ok: false; state: FormState }

/**
 * The add form (`form=add`) or a row's edit form (`form=edit`). A bad name on the edit form,
 * where it is not typed, is a tampered request: InvalidArgumentError (400), not a form to fix.
 */
export function readSetForm (body: SetBody): Posted & { editing: boolean } {
  const editing = body.form === 'edit'
  const value = fromTextarea(body.value)
  const noRestart = isChecked(body.no_restart)
  const add: AddFormView = { key: (body.key ?? '').trim(), value, noRestart, errors: {} }

  let key = ''
  try {
    key = config.envKey(add.key)
  } catch (error) {
    if (editing || !(error instanceof InvalidArgumentError)) throw error
    add.errors.key = error.message
  }
  add.errors.value = config.valueProblem(value)

  if (add.errors.key === undefined && add.errors.value === undefined) return { ok: true, editing, vars: { [key]: value }, noRestart }
  const state: FormState = editing
    ? { kind: 'row', row: { key, mode: 'edit', value, noRestart, error: add.errors.value } }
    : { kind: 'add', add }
  return { ok: false, editing, state }
}

/** A pasted `.env` block; nothing is set unless every line is understood. */
export function readBulkForm (body: BulkBody): Posted {
  const text = fromTextarea(body.env)
  const noRestart = isChecked(body.no_restart)
  const bulk: BulkFormView = { text, noRestart, lines: [] }

  const parsed = config.parseEnvBlock(text)
  if (!parsed.ok) {
    bulk.lines = parsed.errors.slice(0, MAX_LINE_ERRORS)
    if (parsed.errors.length > MAX_LINE_ERRORS) bulk.error = `${parsed.errors.length - MAX_LINE_ERRORS} more lines have problems too.`
    return { ok: false, state: { kind: 'bulk', bulk } }
  }
  if (Object.keys(parsed.vars).length === 0) {
    bulk.error = 'Paste at least one KEY=value line.'
    return { ok: false, state: { kind: 'bulk', bulk } }
  }
  return { ok: true, vars: parsed.vars, noRestart }
}
