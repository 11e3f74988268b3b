// Docklight's only script of its own: toasts from HX-Trigger and small htmx niceties.
// Served from our origin; the CSP allows no inline script.
(function () {
  'use strict'

  function showToast (detail) {
    if (!detail || typeof detail.message !== 'string') return
    var box = document.getElementById('toasts')
    if (!box) return
    var el = document.createElement('div')
    el.className = 'toast ' + (detail.level === 'error' || detail.level === 'success' ? detail.level : 'info')
    el.setAttribute('role', detail.level === 'error' ? 'alert' : 'status')
    el.textContent = detail.message
    box.appendChild(el)
    setTimeout(function () { el.remove() }, detail.level === 'error' ? 8000 : 4000)
  }

  document.addEventListener('toast', function (e) { showToast(e.detail) })

  // A failed request that htmx does not swap still tells the user why.
  document.addEventListener('htmx:responseError', function (e) {
    var xhr = e.detail.xhr
    if (xhr.getResponseHeader('HX-Trigger')) return
    showToast({ level: 'error', message: 'Request failed (' + xhr.status + ').' })
  })
  document.addEventListener('htmx:sendError', function () {
    showToast({ level: 'error', message: 'Docklight could not be reached.' })
  })

  window.docklight = { showToast: showToast }
})()
