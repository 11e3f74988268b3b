// Streams a running job's output into its panel over a websocket; when that is not possible,
// the panel polls /jobs/:id and replaces itself until the job is done. Output is set with
// textContent, never parsed as HTML. A panel that starts or ends tells the page (`job-started`,
// `job-done` on <body>), so the app's buttons, badge and processes refresh themselves.
(function () {
  'use strict'

  function replacePanel (panel, poll) {
    var id = panel.getAttribute('data-job-id')
    return htmx.ajax('GET', '/jobs/' + id + (poll ? '?poll=1' : ''), { target: panel, swap: 'outerHTML' })
  }

  function tookText (seconds) {
    var s = Number(seconds)
    if (!isFinite(s)) return ''
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s'
  }

  /** The notice that ends every job, naming it: "Rebuild node-js-app finished in 41 s." */
  function doneMessage (label, status, took, error) {
    var after = took === '' ? '' : ' in ' + took
    if (status === 'success') return { level: 'success', message: label + ' finished' + after + '.' }
    if (status === 'skipped') return { level: 'info', message: label + ': nothing to do' + (error ? ' (' + error + ')' : '') + '.' }
    return { level: 'error', message: label + ' ' + status + (took === '' ? '' : ' after ' + took) + '.' }
  }

  function announceDone (id, fallback) {
    // The finished panel (swapped in by now) carries the label, status and duration.
    var panel = document.getElementById('job-' + id)
    var label = (panel && panel.getAttribute('data-job-label')) || fallback.label || ('Job #' + id)
    var status = (panel && panel.getAttribute('data-job-status')) || fallback.status
    var took = tookText(panel ? panel.getAttribute('data-job-took') : NaN)
    var errorEl = panel && panel.querySelector('.alert')
    var why = status === 'skipped' && errorEl ? errorEl.textContent.replace(/^\s*Nothing to do:\s*/, '').replace(/\.\s*$/, '') : ''
    // A refused second action's notice is about this job: it has ended, so it goes too.
    var notices = document.querySelectorAll('[data-job-busy="' + id + '"]')
    for (var i = 0; i < notices.length; i++) notices[i].remove()
    document.body.dispatchEvent(new CustomEvent('job-done', { detail: { id: id, app: fallback.app, status: status } }))
    if (window.docklight) window.docklight.showToast(doneMessage(label, status, took, why))
  }

  /** Follows the newest line until the user scrolls up; scrolling back to the end follows again. */
  function follower (pre) {
    var state = { follow: true, ours: false }
    pre.addEventListener('scroll', function () {
      if (state.ours) { state.ours = false; return }
      state.follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8
    })
    state.toEnd = function () {
      if (!state.follow || pre.scrollHeight <= pre.clientHeight) return
      state.ours = true
      pre.scrollTop = pre.scrollHeight
    }
    return state
  }

  function watch (panel) {
    var id = panel.getAttribute('data-job-id')
    // A polled panel that reached its end tells the page, like a streamed one.
    if (panel.hasAttribute('data-job-announce')) {
      panel.removeAttribute('data-job-announce')
      announceDone(id, { app: panel.getAttribute('data-job-app'), status: panel.getAttribute('data-job-status') })
      return
    }
    var status = panel.getAttribute('data-job-status')
    if ((status !== 'running' && status !== 'queued') || panel.hasAttribute('data-job-poll') ||
        panel.hasAttribute('data-job-watching')) return
    panel.setAttribute('data-job-watching', '1')
    var app = panel.getAttribute('data-job-app')
    var label = panel.getAttribute('data-job-label')
    document.body.dispatchEvent(new CustomEvent('job-started', { detail: { id: id, app: app } }))
    var pre = panel.querySelector('.job-output')
    var follow = follower(pre)
    var finished = false
    var ws
    try {
      ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/jobs/' + id + '/ws')
    } catch (e) {
      replacePanel(panel, true)
      return
    }
    ws.onmessage = function (e) {
      var msg
      try { msg = JSON.parse(e.data) } catch (err) { return }
      if (!document.body.contains(panel)) { finished = true; ws.close(); return }
      if (msg.type === 'snapshot') pre.textContent = msg.text
      else if (msg.type === 'output') pre.textContent += msg.text
      else if (msg.type === 'status') {
        // Queued → running: the job got its slot.
        panel.setAttribute('data-job-status', msg.status)
        var badge = panel.querySelector('[data-job-badge]')
        if (badge) { badge.textContent = msg.status; badge.className = 'badge ' + msg.status }
        var state = panel.querySelector('[data-job-state]')
        if (state && msg.status === 'running') state.textContent = 'Running. You can close this tab; the job keeps going.'
      }
      else if (msg.type === 'done') {
        finished = true
        ws.close()
        var following = follow.follow
        replacePanel(panel, false).then(function () {
          var next = document.getElementById('job-' + id)
          var out = next && next.querySelector('.job-output')
          if (out && following) out.scrollTop = out.scrollHeight
          announceDone(id, { app: app, status: msg.status, label: label })
        })
        return
      }
      follow.toEnd()
    }
    ws.onclose = function () {
      // Lost the stream before the end (proxy without websockets, server restart): poll.
      if (!finished && document.body.contains(panel)) replacePanel(panel, true)
    }
  }

  /**
   * A refused action's notice (409): only the newest stays, and when the page does not show the
   * running job yet (another tab started it), its live panel comes in below the notice.
   */
  function busyNotice (notice) {
    var id = notice.getAttribute('data-job-busy')
    var others = document.querySelectorAll('[data-job-busy]')
    for (var i = 0; i < others.length; i++) if (others[i] !== notice) others[i].remove()
    if (!document.getElementById('job-' + id)) htmx.ajax('GET', '/jobs/' + id, { target: notice, swap: 'afterend' })
  }

  function scan (root) {
    var scope = root.querySelectorAll ? root : document
    var panels = scope.querySelectorAll('.job[data-job-id]')
    for (var i = 0; i < panels.length; i++) watch(panels[i])
    if (root.matches && root.matches('.job[data-job-id]')) watch(root)
    if (root.matches && root.matches('[data-job-busy]')) busyNotice(root)
  }

  // A finished panel can be put away; the job stays in history.
  document.addEventListener('click', function (e) {
    var button = e.target.closest && e.target.closest('[data-job-dismiss]')
    if (!button) return
    var panel = button.closest('.job')
    if (panel && panel.parentElement && panel.parentElement.id === 'job-area') panel.remove()
    else if (panel) button.remove()
  })

  document.addEventListener('htmx:load', function (e) { scan(e.target) })
  document.addEventListener('DOMContentLoaded', function () { scan(document) })
})()
