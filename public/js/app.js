// Docklight's page script: toasts from HX-Trigger, the loading bar, focus after an action opens
// a form, relative times, and what logout must forget. Served from our origin; the CSP allows
// no inline script.
(function () {
  'use strict'

  /** Bound: at most this many toasts at once; the oldest goes first. */
  var MAX_TOASTS = 3

  function showToast (detail) {
    if (!detail || typeof detail.message !== 'string') return
    var box = document.getElementById('toasts')
    if (!box) return
    while (box.children.length >= MAX_TOASTS) box.firstElementChild.remove()
    var level = detail.level === 'error' || detail.level === 'success' ? detail.level : 'info'
    var el = document.createElement('div')
    el.className = 'toast ' + level
    el.setAttribute('role', level === 'error' ? 'alert' : 'status')
    var text = document.createElement('span')
    text.textContent = detail.message
    var close = document.createElement('button')
    close.type = 'button'
    close.className = 'toast-close'
    close.setAttribute('aria-label', 'Dismiss: ' + detail.message)
    close.textContent = '×'
    close.addEventListener('click', function () { el.remove() })
    el.appendChild(text)
    el.appendChild(close)
    box.appendChild(el)
    setTimeout(function () { el.remove() }, level === 'error' ? 10000 : 5000)
  }

  document.addEventListener('toast', function (e) { showToast(e.detail) })

  // A failed request that htmx does not swap still tells the user why, naming what failed.
  document.addEventListener('htmx:responseError', function (e) {
    var xhr = e.detail.xhr
    if (xhr.getResponseHeader('HX-Trigger')) return
    var path = (e.detail.pathInfo && e.detail.pathInfo.requestPath) || ''
    showToast({ level: 'error', message: 'Request failed (' + xhr.status + ')' + (path ? ': ' + path : '') + '.' })
  })
  document.addEventListener('htmx:sendError', function () {
    showToast({ level: 'error', message: 'Docklight could not be reached.' })
  })

  // ---- the loading bar: shown once a request has taken ~150 ms -------------------------------
  var pending = 0
  var timer = null
  function loading (on) {
    document.documentElement.classList.toggle('is-loading', on)
  }
  document.addEventListener('htmx:beforeRequest', function () {
    pending++
    if (timer === null) timer = setTimeout(function () { timer = null; if (pending > 0) loading(true) }, 150)
  })
  document.addEventListener('htmx:afterRequest', function (e) {
    pending = Math.max(0, pending - 1)
    if (pending === 0) {
      if (timer !== null) { clearTimeout(timer); timer = null }
      loading(false)
    }
    // An old error in the job area goes with the next change that worked.
    var xhr = e.detail.xhr
    var verb = (e.detail.requestConfig && e.detail.requestConfig.verb) || 'get'
    if (e.detail.successful && xhr && xhr.status < 400 && verb !== 'get') {
      var stale = document.querySelectorAll('#job-area > .alert.error')
      for (var i = 0; i < stale.length; i++) stale[i].remove()
    }
  })

  // ---- focus: into the form an action opened -------------------------------------------------
  document.addEventListener('htmx:afterSettle', function (e) {
    var target = e.detail.target
    if (!target || !target.querySelector) return
    var first = target.matches && target.matches('[data-autofocus]') ? target : target.querySelector('[data-autofocus]')
    if (first && typeof first.focus === 'function') { first.focus(); return }
    // A click that opened a form (Edit, Add…): its first field, not 30 Tabs away. Not for page
    // changes (boosted links) nor for refreshes nobody clicked.
    var cfg = e.detail.requestConfig
    var ev = cfg && cfg.triggeringEvent
    if (e.detail.boosted || !ev || ev.type !== 'click' || !cfg || cfg.verb !== 'get') return
    var field = target.querySelector('form input:not([type=hidden]):not([disabled]), form textarea:not([disabled]), form select:not([disabled])')
    if (field) field.focus()
  })
  document.addEventListener('DOMContentLoaded', function () {
    var first = document.querySelector('main [data-autofocus]')
    if (first) first.focus()
  })

  // A confirmation's Cancel, with JS: put the panel away instead of reloading the page.
  document.addEventListener('click', function (e) {
    var cancel = e.target.closest && e.target.closest('[data-confirm-cancel]')
    if (!cancel) return
    var panel = cancel.closest('#job-area > .confirm-action')
    if (!panel) return
    e.preventDefault()
    panel.remove()
    var back = document.querySelector('#app-actions button:not([disabled])')
    if (back) back.focus()
  })

  // ---- "started 12 s ago", kept current --------------------------------------------------------
  function ago (iso) {
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
    return s < 60 ? s + ' s ago' : Math.floor(s / 60) + ' min ago'
  }
  setInterval(function () {
    var els = document.querySelectorAll('[data-since]')
    for (var i = 0; i < els.length; i++) els[i].textContent = ago(els[i].getAttribute('data-since'))
  }, 1000)

  // ---- logout: nothing private stays in this browser -----------------------------------------
  document.addEventListener('submit', function (e) {
    if (!e.target.matches || !e.target.matches('form.logout')) return
    try {
      localStorage.removeItem('htmx-history-cache')
      sessionStorage.clear()
    } catch (err) { /* storage disabled: nothing kept there either */ }
  })

  window.docklight = { showToast: showToast }
})()
