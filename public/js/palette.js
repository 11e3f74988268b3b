// The command palette: Ctrl-K (⌘-K on a Mac) or the header's "Go to…" opens it; typing filters
// every app, page and action (/palette.json); arrows move, Enter goes, Escape closes. An ARIA
// combobox (the input) controlling a listbox. Built with DOM calls and textContent only (no
// HTML parsing), from our origin: CSP-safe, no build step.
(function () {
  'use strict'

  /** Bound: at most this many results are shown at once. */
  var SHOWN = 50
  var entries = null
  var results = []
  var active = 0
  var ui = null
  var opener = null

  function el (tag, attrs) {
    var node = document.createElement(tag)
    for (var k in attrs) node.setAttribute(k, attrs[k])
    return node
  }

  function build () {
    var backdrop = el('div', { class: 'palette-backdrop', hidden: '' })
    var dialog = el('div', { class: 'palette', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'palette-title' })
    var title = el('h2', { id: 'palette-title', class: 'sr-only' })
    title.textContent = 'Go to an app, page or action'
    var input = el('input', {
      id: 'palette-input', type: 'text', role: 'combobox', 'aria-expanded': 'true', 'aria-controls': 'palette-list',
      'aria-autocomplete': 'list', autocomplete: 'off', spellcheck: 'false', 'aria-labelledby': 'palette-title',
      placeholder: 'Type an app, a page or an action (restart, config…)'
    })
    var list = el('ul', { id: 'palette-list', role: 'listbox', 'aria-label': 'Results' })
    var status = el('p', { class: 'palette-status', role: 'status' })
    var help = el('p', { class: 'palette-help muted small' })
    help.textContent = '↑ ↓ to move, Enter to go, Esc to close'
    dialog.appendChild(title)
    dialog.appendChild(input)
    dialog.appendChild(list)
    dialog.appendChild(status)
    dialog.appendChild(help)
    backdrop.appendChild(dialog)
    document.body.appendChild(backdrop)

    input.addEventListener('input', function () { filter(input.value) })
    input.addEventListener('keydown', onKey)
    list.addEventListener('mousedown', function (e) { e.preventDefault() })
    list.addEventListener('click', function (e) {
      var li = e.target.closest('[role=option]')
      if (li) go(results[Number(li.getAttribute('data-index'))])
    })
    backdrop.addEventListener('click', function (e) { if (e.target === backdrop) close() })
    return { backdrop: backdrop, input: input, list: list, status: status }
  }

  function score (entry, words) {
    var label = entry.label.toLowerCase()
    var hint = (entry.hint || '').toLowerCase()
    for (var i = 0; i < words.length; i++) if (label.indexOf(words[i]) === -1 && hint.indexOf(words[i]) === -1) return -1
    var s = 0
    if (words.length > 0 && label.indexOf(words[0]) === 0) s += 2
    if (entry.kind === 'app') s += 1
    return s
  }

  function filter (query) {
    if (!entries) return
    var words = query.toLowerCase().split(/\s+/).filter(Boolean)
    var scored = []
    for (var i = 0; i < entries.length; i++) {
      var s = score(entries[i], words)
      if (s >= 0) scored.push({ s: s, i: i })
    }
    scored.sort(function (a, b) { return b.s - a.s || a.i - b.i })
    results = scored.slice(0, SHOWN).map(function (x) { return entries[x.i] })
    active = 0
    render(scored.length, query)
  }

  function render (total, query) {
    var list = ui.list
    while (list.firstChild) list.removeChild(list.firstChild)
    results.forEach(function (entry, i) {
      var li = el('li', { role: 'option', id: 'palette-opt-' + i, 'data-index': String(i), 'aria-selected': i === active ? 'true' : 'false' })
      var label = el('span', { class: 'palette-label' })
      label.textContent = entry.label
      li.appendChild(label)
      var kind = el('span', { class: 'palette-kind' })
      kind.textContent = (entry.kind === 'action' ? 'action' : entry.kind === 'app' ? 'app' : 'page') + (entry.hint ? ' · ' + entry.hint : '')
      li.appendChild(kind)
      list.appendChild(li)
    })
    ui.input.setAttribute('aria-activedescendant', results.length ? 'palette-opt-' + active : '')
    ui.status.textContent = results.length === 0
      ? (query ? 'No match for "' + query + '".' : 'Nothing to list yet.')
      : total > results.length ? results.length + ' of ' + total + ' shown: type more to narrow.' : total + (total === 1 ? ' result.' : ' results.')
  }

  function move (to) {
    if (results.length === 0) return
    var old = document.getElementById('palette-opt-' + active)
    if (old) old.setAttribute('aria-selected', 'false')
    active = (to + results.length) % results.length
    var now = document.getElementById('palette-opt-' + active)
    now.setAttribute('aria-selected', 'true')
    ui.input.setAttribute('aria-activedescendant', now.id)
    now.scrollIntoView({ block: 'nearest' })
  }

  function onKey (e) {
    if (e.key === 'ArrowDown') { e.preventDefault(); move(active + 1) }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(active - 1) }
    else if (e.key === 'Home' && e.ctrlKey) { e.preventDefault(); move(0) }
    else if (e.key === 'End' && e.ctrlKey) { e.preventDefault(); move(results.length - 1) }
    else if (e.key === 'Enter') { e.preventDefault(); if (results[active]) go(results[active]) }
    else if (e.key === 'Escape') { e.preventDefault(); close() }
    else if (e.key === 'Tab') e.preventDefault() // focus stays in the dialog
  }

  function go (entry) {
    close(true)
    if (entry.method === 'post') {
      // A real form post: without htmx it lands on the job's page (303).
      var form = el('form', { method: 'post', action: entry.url, 'hx-boost': 'false' })
      document.body.appendChild(form)
      form.submit()
      return
    }
    location.assign(entry.url)
  }

  function open () {
    if (!ui || !document.body.contains(ui.backdrop)) ui = build()
    opener = document.activeElement
    ui.backdrop.hidden = false
    ui.input.value = ''
    ui.input.focus()
    ui.status.textContent = 'Loading…'
    fetch('/palette.json', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 401 || res.redirected) { location.assign('/login'); return null }
        if (!res.ok) throw new Error(String(res.status))
        return res.json()
      })
      .then(function (body) {
        if (!body) return
        entries = body.entries
        filter(ui.input.value)
      })
      .catch(function () { ui.status.textContent = 'Could not load the list. Try again.' })
  }

  function close (leaving) {
    if (!ui || ui.backdrop.hidden) return
    ui.backdrop.hidden = true
    if (!leaving && opener && typeof opener.focus === 'function') opener.focus()
  }

  document.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'k' || e.key === 'K')) {
      if (!document.querySelector('[data-palette-open]')) return // signed out: nothing to list
      e.preventDefault()
      if (ui && !ui.backdrop.hidden) close()
      else open()
    }
  })
  document.addEventListener('click', function (e) {
    if (e.target.closest && e.target.closest('[data-palette-open]')) open()
  })
  function reveal () {
    var buttons = document.querySelectorAll('[data-palette-open]')
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false
  }
  document.addEventListener('DOMContentLoaded', reveal)
  document.addEventListener('htmx:load', reveal)
})()
