// Streams a running job's output into its panel over a websocket; when that is not possible,
// the panel polls /jobs/:id and replaces itself until the job is done. Output is set with
// textContent, never parsed as HTML.
(function () {
  'use strict'

  function replacePanel (panel, poll) {
    var id = panel.getAttribute('data-job-id')
    return htmx.ajax('GET', '/jobs/' + id + (poll ? '?poll=1' : ''), { target: panel, swap: 'outerHTML' })
  }

  function announceDone (app, status) {
    document.body.dispatchEvent(new CustomEvent('job-done', { detail: { app: app, status: status } }))
    if (window.docklight) {
      window.docklight.showToast(status === 'success'
        ? { level: 'success', message: 'Job finished.' }
        : status === 'skipped'
          ? { level: 'info', message: 'Nothing to do.' }
          : { level: 'error', message: 'Job ' + status + '.' })
    }
  }

  function watch (panel) {
    // A polled panel that reached its end tells the page, like a streamed one.
    if (panel.hasAttribute('data-job-announce')) {
      panel.removeAttribute('data-job-announce')
      announceDone(panel.getAttribute('data-job-app'), panel.getAttribute('data-job-status'))
      return
    }
    var status = panel.getAttribute('data-job-status')
    if ((status !== 'running' && status !== 'queued') || panel.hasAttribute('data-job-poll') ||
        panel.hasAttribute('data-job-watching')) return
    panel.setAttribute('data-job-watching', '1')
    var id = panel.getAttribute('data-job-id')
    var app = panel.getAttribute('data-job-app')
    var pre = panel.querySelector('.job-output')
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
      var atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8
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
        replacePanel(panel, false).then(function () { announceDone(app, msg.status) })
        return
      }
      if (atBottom) pre.scrollTop = pre.scrollHeight
    }
    ws.onclose = function () {
      // Lost the stream before the end (proxy without websockets, server restart): poll.
      if (!finished && document.body.contains(panel)) replacePanel(panel, true)
    }
  }

  function scan (root) {
    var panels = (root.querySelectorAll ? root : document).querySelectorAll('.job[data-job-id]')
    for (var i = 0; i < panels.length; i++) watch(panels[i])
    if (root.matches && root.matches('.job[data-job-id]')) watch(root)
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
