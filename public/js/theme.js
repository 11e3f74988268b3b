// The colour theme, loaded in <head> before the page paints (no flash of the wrong theme).
// Without a choice the page follows the system (prefers-color-scheme); the toggle's choice is
// remembered in localStorage and set as <html data-theme>. CSP-safe: no inline script.
(function () {
  'use strict'
  var KEY = 'docklight-theme'
  var root = document.documentElement

  function stored () {
    try { var v = localStorage.getItem(KEY); return v === 'dark' || v === 'light' ? v : null } catch (e) { return null }
  }
  function systemDark () {
    return !!(window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches)
  }
  function current () {
    return root.getAttribute('data-theme') || (systemDark() ? 'dark' : 'light')
  }
  function show () {
    var buttons = document.querySelectorAll('[data-theme-toggle]')
    var dark = current() === 'dark'
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false
      buttons[i].setAttribute('aria-pressed', dark ? 'true' : 'false')
    }
  }

  var chosen = stored()
  if (chosen) root.setAttribute('data-theme', chosen)

  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-theme-toggle]')
    if (!button) return
    var next = current() === 'dark' ? 'light' : 'dark'
    root.setAttribute('data-theme', next)
    try { localStorage.setItem(KEY, next) } catch (err) { /* not remembered, still applied */ }
    show()
  })
  document.addEventListener('DOMContentLoaded', show)
  // A boosted page change brings a new header: its toggle must show the state too.
  document.addEventListener('htmx:load', show)
})()
